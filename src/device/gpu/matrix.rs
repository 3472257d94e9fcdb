//! A matrix and its targets resident on the GPU, split into chunks that each fit one storage
//! binding (see [`super::plan`]).
//!
//! `f32` values go up as they are; pixel bytes go up as bytes, four to a 32-bit word with each
//! row padded to whole words (a quarter of the `f32` matrix), and the kernels fold the
//! normalisation into their arithmetic ([`Format::Bytes`]).

use super::Gpu;
use super::kernels::Format;
use super::plan;
use crate::device::DeviceError;
use crate::logistic::Inputs;
use ndarray::{ArrayView1, s};
use std::borrow::Cow;
use std::ops::Range;

/// One chunk of rows: its matrix and target buffers and the bind group over them.
pub struct Chunk {
    /// Rows of the whole matrix this chunk holds.
    pub rows: Range<usize>,
    x: wgpu::Buffer,
    t: wgpu::Buffer,
    /// Bind group 0 over this chunk.
    pub bind: wgpu::BindGroup,
}

/// `rows x cols` values (or pixel bytes) and `rows` targets on the GPU.
pub struct GpuMatrix {
    /// Rows of the matrix.
    pub rows: usize,
    /// Columns of the matrix.
    pub cols: usize,
    /// What the matrix buffers hold: the kernels built for it read them.
    pub format: Format,
    /// The chunks, in row order.
    pub chunks: Vec<Chunk>,
}

/// The format `x` goes to the GPU in.
fn format_of(x: &Inputs) -> Format {
    match x {
        Inputs::Values(_) => Format::Values,
        Inputs::Pixels(_) => Format::Bytes,
    }
}

/// The buffer contents of rows `rows` of `x`: `f32` values as their bytes, pixel bytes with
/// each row padded to whole words (borrowed when no padding or reordering is needed).
fn chunk_bytes<'a>(x: Inputs<'a>, rows: Range<usize>) -> Cow<'a, [u8]> {
    match x {
        Inputs::Values(v) => {
            let part = v.slice_move(s![rows, ..]);
            match part.to_slice() {
                Some(values) => Cow::Borrowed(bytemuck::cast_slice(values)),
                None => {
                    let values: Vec<f32> = part.iter().copied().collect();
                    Cow::Owned(bytemuck::cast_slice(&values).to_vec())
                }
            }
        }
        Inputs::Pixels(v) => {
            let part = v.bytes().slice_move(s![rows, ..]);
            let cols = part.ncols();
            let row_bytes = Format::Bytes.row_bytes(cols);
            match part.to_slice() {
                Some(bytes) if row_bytes == cols => Cow::Borrowed(bytes),
                _ => {
                    let mut out = vec![0u8; part.nrows() * row_bytes];
                    for (dst, src) in out.chunks_exact_mut(row_bytes.max(1)).zip(part.rows()) {
                        for (d, s) in dst.iter_mut().zip(src) {
                            *d = *s;
                        }
                    }
                    Cow::Owned(out)
                }
            }
        }
    }
}

impl GpuMatrix {
    /// Uploads `x` (one sample a row: `f32` values or pixel bytes) and its targets `t`.
    pub fn upload(
        gpu: &Gpu,
        what: &str,
        x: Inputs,
        t: ArrayView1<f32>,
    ) -> Result<GpuMatrix, DeviceError> {
        let (rows, cols) = x.dim();
        if t.len() != rows {
            return Err(DeviceError::Shape(format!(
                "{what}: {rows} rows but {} targets; give one target per row",
                t.len()
            )));
        }
        let format = format_of(&x);
        let row_bytes = format.row_bytes(cols);
        let ranges =
            plan::chunk_rows(rows, row_bytes, gpu.max_binding_bytes()).ok_or_else(|| {
                DeviceError::Limit {
                    adapter: gpu.describe().to_string(),
                    action: format!("uploading one row of {what}"),
                    limit: "max_storage_buffer_binding_size",
                    needed: row_bytes as u64,
                    allowed: gpu.max_binding_bytes(),
                }
            })?;
        let mut matrix = GpuMatrix {
            rows,
            cols,
            format,
            chunks: Vec::with_capacity(ranges.len()),
        };
        for range in ranges {
            let xs = chunk_bytes(x, range.clone());
            let ts = t.slice(s![range.clone()]).to_vec();
            let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST;
            let xb = gpu.init_buffer(what, &xs, usage)?;
            let tb = gpu.init_buffer(what, bytemuck::cast_slice(&ts), usage)?;
            let bind = gpu.guarded(&format!("binding {what}"), |g| {
                g.device().create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some(what),
                    layout: &g.kernels().data_layout,
                    entries: &[
                        wgpu::BindGroupEntry {
                            binding: 0,
                            resource: xb.as_entire_binding(),
                        },
                        wgpu::BindGroupEntry {
                            binding: 1,
                            resource: tb.as_entire_binding(),
                        },
                    ],
                })
            })?;
            matrix.chunks.push(Chunk {
                rows: range,
                x: xb,
                t: tb,
                bind,
            });
        }
        Ok(matrix)
    }

    /// Replaces the contents with `x`, `t` of the same shape and kind (a new epoch's order),
    /// through the queue: no new allocation.
    pub fn rewrite(&self, gpu: &Gpu, x: Inputs, t: ArrayView1<f32>) {
        debug_assert_eq!(format_of(&x), self.format, "rewrite keeps the format");
        for chunk in &self.chunks {
            let xs = chunk_bytes(x, chunk.rows.clone());
            let ts = t.slice(s![chunk.rows.clone()]).to_vec();
            gpu.queue().write_buffer(&chunk.x, 0, &xs);
            gpu.queue()
                .write_buffer(&chunk.t, 0, bytemuck::cast_slice(&ts));
        }
    }

    /// Chunk row ranges, for [`plan::pieces`].
    pub fn ranges(&self) -> Vec<Range<usize>> {
        self.chunks.iter().map(|c| c.rows.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn pixel_rows_are_padded_to_whole_words() {
        let pixels = Array2::from_shape_fn((3, 5), |(i, j)| (10 * i + j) as u8);
        let bytes = chunk_bytes(pixels.view().into(), 1..3);
        assert_eq!(
            &*bytes,
            &[10, 11, 12, 13, 14, 0, 0, 0, 20, 21, 22, 23, 24, 0, 0, 0]
        );
    }

    #[test]
    fn whole_words_of_pixels_are_not_copied() {
        let pixels = Array2::from_shape_fn((3, 8), |(i, j)| (8 * i + j) as u8);
        let bytes = chunk_bytes(pixels.view().into(), 1..3);
        assert!(matches!(bytes, Cow::Borrowed(_)));
        assert_eq!(&*bytes, pixels.as_slice().unwrap()[8..].to_vec().as_slice());
    }

    #[test]
    fn values_go_up_as_their_bytes() {
        let x = Array2::from_shape_fn((2, 3), |(i, j)| (i * 3 + j) as f32 - 0.5);
        let bytes = chunk_bytes(Inputs::Values(x.t()), 0..3);
        let back: Vec<f32> = bytemuck::pod_collect_to_vec(&bytes);
        assert_eq!(back, x.t().iter().copied().collect::<Vec<_>>());
    }
}
