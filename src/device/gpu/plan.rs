//! How a matrix is cut into storage bindings, and which pieces a batch of rows touches.
//!
//! A GPU limits the bytes one shader binding may see (128 MiB is common), but the full
//! 60000-image MNIST is 188 MB as `f32` values (47 MB as the bytes the kernels read). Rows are therefore split into chunks that each fit one
//! binding; a batch that straddles a boundary becomes one dispatch per chunk it touches. This
//! module is plain arithmetic, so it is tested without a GPU.

use std::ops::Range;

/// Rows per group of the gradient kernel (its workgroup size).
pub const GROUP_ROWS: usize = 64;

/// Splits `rows` rows of `row_bytes` bytes each into consecutive chunks of at most
/// `max_binding_bytes` each. Returns `None` when not even one row fits.
pub fn chunk_rows(
    rows: usize,
    row_bytes: usize,
    max_binding_bytes: u64,
) -> Option<Vec<Range<usize>>> {
    let row_bytes = row_bytes.max(1) as u64;
    let per_chunk = usize::try_from(max_binding_bytes / row_bytes).ok()?;
    if per_chunk == 0 {
        return None;
    }
    Some(
        (0..rows.div_ceil(per_chunk))
            .map(|c| c * per_chunk..((c + 1) * per_chunk).min(rows))
            .collect(),
    )
}

/// One dispatch of a row kernel: rows `local` of chunk `chunk`, writing partial sums from
/// `part_base` on, and covering rows `offset..` of the batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// Index of the chunk (binding) that holds the rows.
    pub chunk: usize,
    /// Rows inside that chunk.
    pub local: Range<usize>,
    /// Index of the first partial sum this piece writes.
    pub part_base: usize,
    /// Position of the piece's first row inside the batch.
    pub offset: usize,
}

impl Piece {
    /// Groups of [`GROUP_ROWS`] rows, i.e. partial sums this piece writes.
    pub fn groups(&self) -> usize {
        self.local.len().div_ceil(GROUP_ROWS)
    }
}

/// The pieces that cover `batch` (global row indices) over `chunks`, in row order, with
/// their partial sums numbered consecutively. Returns the pieces and the number of partials.
pub fn pieces(batch: Range<usize>, chunks: &[Range<usize>]) -> (Vec<Piece>, usize) {
    let mut out = Vec::new();
    let mut parts = 0;
    for (index, chunk) in chunks.iter().enumerate() {
        let start = batch.start.max(chunk.start);
        let end = batch.end.min(chunk.end);
        if start >= end {
            continue;
        }
        let piece = Piece {
            chunk: index,
            local: start - chunk.start..end - chunk.start,
            part_base: parts,
            offset: start - batch.start,
        };
        parts += piece.groups();
        out.push(piece);
    }
    (out, parts)
}

/// Workgroup counts `(x, y)` for `groups` groups when one dimension allows at most
/// `max_per_dimension`.
pub fn dispatch_size(groups: usize, max_per_dimension: u32) -> (u32, u32) {
    let max = max_per_dimension.max(1) as usize;
    if groups <= max {
        return (groups as u32, 1);
    }
    let y = groups.div_ceil(max);
    (groups.div_ceil(y) as u32, y as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_full_mnist_needs_two_bindings_of_128_mib_as_f32_and_one_as_bytes() {
        let chunks = chunk_rows(60000, 784 * 4, 128 << 20).unwrap();
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0], 0..42799);
        assert_eq!(chunks[1], 42799..60000);
        assert_eq!(chunk_rows(60000, 784, 128 << 20).unwrap(), vec![0..60000]);
    }

    #[test]
    fn a_row_wider_than_a_binding_is_refused() {
        assert_eq!(chunk_rows(10, 400, 399), None);
        assert_eq!(chunk_rows(10, 400, 400).unwrap().len(), 10);
    }

    #[test]
    fn an_empty_matrix_has_no_chunk() {
        assert!(chunk_rows(0, 784 * 4, 1 << 20).unwrap().is_empty());
    }

    #[test]
    fn a_batch_across_a_boundary_becomes_two_pieces() {
        let chunks = vec![0..100, 100..200, 200..250];
        let (p, parts) = pieces(90..230, &chunks);
        assert_eq!(p.len(), 3);
        assert_eq!(
            (p[0].chunk, p[0].local.clone(), p[0].offset),
            (0, 90..100, 0)
        );
        assert_eq!(
            (p[1].chunk, p[1].local.clone(), p[1].offset),
            (1, 0..100, 10)
        );
        assert_eq!(
            (p[2].chunk, p[2].local.clone(), p[2].offset),
            (2, 0..30, 110)
        );
        assert_eq!((p[0].part_base, p[1].part_base, p[2].part_base), (0, 1, 3));
        assert_eq!(parts, 4);
    }

    #[test]
    fn a_batch_inside_one_chunk_is_one_piece() {
        let chunks = vec![0..100, 100..200];
        let (p, parts) = pieces(120..121, &chunks);
        assert_eq!(
            p,
            vec![Piece {
                chunk: 1,
                local: 20..21,
                part_base: 0,
                offset: 0
            }]
        );
        assert_eq!(parts, 1);
    }

    #[test]
    fn large_dispatches_fold_into_two_dimensions() {
        assert_eq!(dispatch_size(10, 65535), (10, 1));
        let (x, y) = dispatch_size(100_000, 65535);
        assert!(x <= 65535 && (x as usize) * (y as usize) >= 100_000);
    }
}
