//! `A Bᵀ` for two matrices of bytes, exactly, in integers: every entry is `Σ_k a_k b_k` with
//! `a_k b_k <= 255²`, which fits `i32` for rows of up to [`MAX_LEN`] (33 025) bytes. The bytes are widened
//! to `i16` and multiplied in adjacent pairs (`vpmaddwd`: two products summed into one `i32`
//! lane), so one instruction does 16 (AVX2) or, with AVX-512 VNNI's `vpdpwssd`, 32
//! multiply-adds, against 8 or 16 for an `f32` fused multiply-add. Being integers, the results
//! are the same on every processor and for any thread count.
//!
//! Tiles of [`ROWS`] rows of `A` by [`COLS`] rows of `B` are summed in registers; each sum is
//! written out through the caller's `fold` (which turns it into whatever the caller needs).

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

use rayon::prelude::*;

/// The longest rows whose products are sure to fit `i32`: `i32::MAX / 255²` bytes.
pub(crate) const MAX_LEN: usize = (i32::MAX / (255 * 255)) as usize;

/// Rows of `A` per tile.
pub(crate) const ROWS: usize = 8;
/// Rows of `B` per tile: two AVX-512 registers of sixteen `i32` lanes.
pub(crate) const COLS: usize = 32;

/// One operand, packed: rows widened to `i16`, each padded to an even length.
struct Packed {
    rows: usize,
    /// Pairs of bytes per row.
    pairs: usize,
    values: Vec<i16>,
}

impl Packed {
    fn new(rows: usize, row: impl Fn(usize) -> Vec<u8> + Sync) -> Self {
        let first = if rows > 0 { row(0).len() } else { 0 };
        let pairs = first.div_ceil(2);
        let values: Vec<i16> = (0..rows)
            .into_par_iter()
            .flat_map_iter(|i| {
                let r = row(i);
                assert_eq!(r.len(), first, "rows of one length");
                r.into_iter()
                    .map(i16::from)
                    .chain(std::iter::repeat_n(0, 2 * pairs - first))
            })
            .collect();
        Self {
            rows,
            pairs,
            values,
        }
    }

    fn row(&self, i: usize) -> &[i16] {
        &self.values[i * 2 * self.pairs..][..2 * self.pairs]
    }
}

/// `B` in column panels: for each panel of [`COLS`] rows of `B`, for each pair index, the
/// pair of every row of the panel (zeros past the last row).
struct Panels {
    pairs: usize,
    count: usize,
    values: Vec<i16>,
}

impl Panels {
    fn new(b: &Packed) -> Self {
        let count = b.rows.div_ceil(COLS);
        let mut values = vec![0i16; count * b.pairs * COLS * 2];
        for j in 0..b.rows {
            let (panel, col) = (j / COLS, j % COLS);
            let row = b.row(j);
            for p in 0..b.pairs {
                let at = ((panel * b.pairs + p) * COLS + col) * 2;
                values[at] = row[2 * p];
                values[at + 1] = row[2 * p + 1];
            }
        }
        Self {
            pairs: b.pairs,
            count,
            values,
        }
    }

    fn panel(&self, k: usize) -> &[i16] {
        &self.values[k * self.pairs * COLS * 2..][..self.pairs * COLS * 2]
    }
}

/// Writes `fold(i, j, A[i] · B[j])` into `out[i * b_rows + j]` for the `a_rows` rows `a(i)`
/// and `b_rows` rows `b(j)` (all of one length); bands of [`ROWS`] rows of `A` run in parallel.
pub(crate) fn product_into(
    out: &mut [f32],
    (a_rows, a): (usize, impl Fn(usize) -> Vec<u8> + Sync),
    (b_rows, b): (usize, impl Fn(usize) -> Vec<u8> + Sync),
    fold: impl Fn(usize, usize, i32) -> f32 + Sync,
) {
    assert_eq!(out.len(), a_rows * b_rows, "room for every product");
    if a_rows == 0 || b_rows == 0 {
        return;
    }
    let a = Packed::new(a_rows, a);
    let b = Packed::new(b_rows, b);
    assert_eq!(a.pairs, b.pairs, "rows of A and B of one length");
    assert!(
        2 * a.pairs <= MAX_LEN,
        "rows of {} bytes: the exact products need rows of at most {MAX_LEN}",
        2 * a.pairs
    );
    let panels = Panels::new(&b);
    let kernel = Kernel::detect();
    out.par_chunks_mut(ROWS * b_rows)
        .enumerate()
        .for_each(|(band, out)| {
            let row0 = band * ROWS;
            let rows = out.len() / b_rows;
            let a_band: Vec<&[i16]> = (0..rows).map(|r| a.row(row0 + r)).collect();
            let mut sums = [[0i32; COLS]; ROWS];
            for k in 0..panels.count {
                kernel.tile(&a_band, panels.panel(k), panels.pairs, &mut sums);
                let col0 = k * COLS;
                for (r, row_sums) in sums.iter().enumerate().take(rows) {
                    let cols = COLS.min(b_rows - col0);
                    for (c, &sum) in row_sums.iter().enumerate().take(cols) {
                        out[r * b_rows + col0 + c] = fold(row0 + r, col0 + c, sum);
                    }
                }
            }
        });
}

/// Which instructions compute a tile.
#[derive(Clone, Copy)]
enum Kernel {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Vnni,
}

impl Kernel {
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx512bw")
                && is_x86_feature_detected!("avx512vnni")
            {
                return Self::Vnni;
            }
            if is_x86_feature_detected!("avx2") {
                return Self::Avx2;
            }
        }
        Self::Portable
    }

    /// Fills `sums` with the tile of the rows `a` (at most [`ROWS`]) against one panel.
    fn tile(self, a: &[&[i16]], panel: &[i16], pairs: usize, sums: &mut [[i32; COLS]; ROWS]) {
        for r in a {
            assert_eq!(r.len(), 2 * pairs, "a row of A as long as B's");
        }
        assert_eq!(panel.len(), pairs * COLS * 2, "a whole panel");
        match self {
            Self::Portable => portable(a, panel, pairs, sums),
            // SAFETY: the instructions were detected; lengths checked above.
            #[cfg(target_arch = "x86_64")]
            Self::Avx2 => unsafe { avx2(a, panel, pairs, sums) },
            // SAFETY: as above.
            #[cfg(target_arch = "x86_64")]
            Self::Vnni => unsafe { vnni(a, panel, pairs, sums) },
        }
    }
}

fn portable(a: &[&[i16]], panel: &[i16], pairs: usize, sums: &mut [[i32; COLS]; ROWS]) {
    for (r, row) in a.iter().enumerate() {
        let mut acc = [0i32; COLS];
        for p in 0..pairs {
            let (x0, x1) = (i32::from(row[2 * p]), i32::from(row[2 * p + 1]));
            let b = &panel[p * COLS * 2..][..COLS * 2];
            for (c, s) in acc.iter_mut().enumerate() {
                *s += x0 * i32::from(b[2 * c]) + x1 * i32::from(b[2 * c + 1]);
            }
        }
        sums[r] = acc;
    }
}

/// The pair `p` of `row` as one `i32` (two `i16`), to broadcast.
///
/// # Safety
/// `2 p + 1 < row.len()`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn pair(row: &[i16], p: usize) -> i32 {
    // SAFETY: in bounds (the caller's promise); an unaligned read of two i16.
    unsafe { row.as_ptr().add(2 * p).cast::<i32>().read_unaligned() }
}

/// # Safety
/// AVX-512F, AVX-512BW and AVX-512 VNNI; the lengths [`Kernel::tile`] checks.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
unsafe fn vnni(a: &[&[i16]], panel: &[i16], pairs: usize, sums: &mut [[i32; COLS]; ROWS]) {
    let mut acc = [[_mm512_setzero_si512(); 2]; ROWS];
    let rows = a.len();
    let base = panel.as_ptr();
    for p in 0..pairs {
        // SAFETY: the panel holds pairs * COLS * 2 values; a pair index p < pairs.
        unsafe {
            let b0 = _mm512_loadu_si512(base.add(p * COLS * 2).cast());
            let b1 = _mm512_loadu_si512(base.add(p * COLS * 2 + 32).cast());
            for r in 0..ROWS {
                if r < rows {
                    let x = _mm512_set1_epi32(pair(a[r], p));
                    acc[r][0] = _mm512_dpwssd_epi32(acc[r][0], x, b0);
                    acc[r][1] = _mm512_dpwssd_epi32(acc[r][1], x, b1);
                }
            }
        }
    }
    for r in 0..rows {
        // SAFETY: a row of sums holds 32 i32.
        unsafe {
            _mm512_storeu_si512(sums[r].as_mut_ptr().cast(), acc[r][0]);
            _mm512_storeu_si512(sums[r].as_mut_ptr().add(16).cast(), acc[r][1]);
        }
    }
}

/// # Safety
/// AVX2; the lengths [`Kernel::tile`] checks.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn avx2(a: &[&[i16]], panel: &[i16], pairs: usize, sums: &mut [[i32; COLS]; ROWS]) {
    // Two halves of four rows: 4 x 4 registers of eight lanes each.
    for half in 0..2 {
        let first = 4 * half;
        let rows = a.len().saturating_sub(first).min(4);
        if rows == 0 {
            break;
        }
        let mut acc = [[_mm256_setzero_si256(); 4]; 4];
        let base = panel.as_ptr();
        for p in 0..pairs {
            // SAFETY: as in `vnni`.
            unsafe {
                let at = base.add(p * COLS * 2);
                let b = [
                    _mm256_loadu_si256(at.cast()),
                    _mm256_loadu_si256(at.add(16).cast()),
                    _mm256_loadu_si256(at.add(32).cast()),
                    _mm256_loadu_si256(at.add(48).cast()),
                ];
                for r in 0..4 {
                    if r < rows {
                        let x = _mm256_set1_epi32(pair(a[first + r], p));
                        for q in 0..4 {
                            acc[r][q] = _mm256_add_epi32(acc[r][q], _mm256_madd_epi16(x, b[q]));
                        }
                    }
                }
            }
        }
        for (r, acc) in acc.iter().enumerate().take(rows) {
            for (q, lanes) in acc.iter().enumerate() {
                // SAFETY: a row of sums holds 32 i32.
                unsafe {
                    _mm256_storeu_si256(sums[first + r].as_mut_ptr().add(8 * q).cast(), *lanes);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn bytes(n: usize, d: usize, seed: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| {
                (0..d)
                    .map(|j| {
                        if (i + j + seed).is_multiple_of(5) {
                            0
                        } else {
                            ((i * 131 + j * 71 + seed * 17) % 256) as u8
                        }
                    })
                    .collect()
            })
            .collect()
    }

    fn run(kernel: Kernel, a: &[Vec<u8>], b: &[Vec<u8>]) -> Vec<Vec<i32>> {
        let pa = Packed::new(a.len(), |i| a[i].clone());
        let pb = Packed::new(b.len(), |j| b[j].clone());
        let panels = Panels::new(&pb);
        let out = Mutex::new(vec![vec![0i32; b.len()]; a.len()]);
        for band in 0..a.len().div_ceil(ROWS) {
            let rows = ROWS.min(a.len() - band * ROWS);
            let rs: Vec<&[i16]> = (0..rows).map(|r| pa.row(band * ROWS + r)).collect();
            let mut sums = [[0i32; COLS]; ROWS];
            for k in 0..panels.count {
                kernel.tile(&rs, panels.panel(k), panels.pairs, &mut sums);
                let mut o = out.lock().unwrap();
                for r in 0..rows {
                    for c in 0..COLS.min(b.len() - k * COLS) {
                        o[band * ROWS + r][k * COLS + c] = sums[r][c];
                    }
                }
            }
        }
        out.into_inner().unwrap()
    }

    #[test]
    fn every_kernel_gives_the_exact_integer_products() {
        // Odd lengths, ragged last band and panel; 255 x 255 products summed past 2^24.
        let (a, b) = (bytes(19, 785, 1), bytes(37, 785, 2));
        let mut big = vec![vec![255u8; 785]; 2];
        big[1][784] = 3;
        let exact = |x: &[Vec<u8>], y: &[Vec<u8>]| -> Vec<Vec<i32>> {
            x.iter()
                .map(|r| {
                    y.iter()
                        .map(|s| {
                            r.iter()
                                .zip(s)
                                .map(|(&u, &v)| i32::from(u) * i32::from(v))
                                .sum()
                        })
                        .collect()
                })
                .collect()
        };
        let mut kernels = vec![Kernel::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") {
                kernels.push(Kernel::Avx2);
            }
            if matches!(Kernel::detect(), Kernel::Vnni) {
                kernels.push(Kernel::Vnni);
            }
        }
        for kernel in kernels {
            assert_eq!(run(kernel, &a, &b), exact(&a, &b));
            assert_eq!(run(kernel, &big, &big), exact(&big, &big));
        }
        assert_eq!(exact(&big, &big)[0][0], 785 * 255 * 255);
    }

    #[test]
    fn product_into_folds_every_entry_in_place() {
        let (a, b) = (bytes(21, 30, 3), bytes(45, 30, 4));
        let mut out = vec![f32::NAN; a.len() * b.len()];
        product_into(
            &mut out,
            (a.len(), |i| a[i].clone()),
            (b.len(), |j| b[j].clone()),
            |i, j, s| s as f32 + (i * 1000 + j) as f32 * 1e-3,
        );
        let want = run(Kernel::Portable, &a, &b);
        for i in 0..a.len() {
            for j in 0..b.len() {
                assert_eq!(
                    out[i * b.len() + j],
                    want[i][j] as f32 + (i * 1000 + j) as f32 * 1e-3
                );
            }
        }
    }
}
