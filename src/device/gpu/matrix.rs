//! A matrix and its targets resident on the GPU, split into chunks that each fit one storage
//! binding (see [`super::plan`]).

use super::Gpu;
use super::plan;
use crate::device::DeviceError;
use ndarray::{ArrayView1, ArrayView2, s};
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

/// `rows x cols` f32 values and `rows` targets on the GPU.
pub struct GpuMatrix {
    /// Rows of the matrix.
    pub rows: usize,
    /// Columns of the matrix.
    pub cols: usize,
    /// The chunks, in row order.
    pub chunks: Vec<Chunk>,
}

impl GpuMatrix {
    /// Uploads `x` (one sample a row) and its targets `t`.
    pub fn upload(
        gpu: &Gpu,
        what: &str,
        x: ArrayView2<f32>,
        t: ArrayView1<f32>,
    ) -> Result<GpuMatrix, DeviceError> {
        let (rows, cols) = x.dim();
        if t.len() != rows {
            return Err(DeviceError::Shape(format!(
                "{what}: {rows} rows but {} targets; give one target per row",
                t.len()
            )));
        }
        let ranges = plan::chunk_rows(rows, cols, gpu.max_binding_bytes()).ok_or_else(|| {
            DeviceError::Limit {
                adapter: gpu.describe().to_string(),
                action: format!("uploading one row of {what}"),
                limit: "max_storage_buffer_binding_size",
                needed: (cols * 4) as u64,
                allowed: gpu.max_binding_bytes(),
            }
        })?;
        let mut matrix = GpuMatrix {
            rows,
            cols,
            chunks: Vec::with_capacity(ranges.len()),
        };
        for range in ranges {
            let xs = x.slice(s![range.clone(), ..]);
            let xs = xs.as_standard_layout();
            let ts = t.slice(s![range.clone()]).to_vec();
            let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST;
            let xb = gpu.init_buffer(
                what,
                bytemuck::cast_slice(xs.as_slice().unwrap_or(&[])),
                usage,
            )?;
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

    /// Replaces the contents with `x`, `t` of the same shape (a new epoch's order), through
    /// the queue: no new allocation.
    pub fn rewrite(&self, gpu: &Gpu, x: ArrayView2<f32>, t: ArrayView1<f32>) {
        for chunk in &self.chunks {
            let xs = x.slice(s![chunk.rows.clone(), ..]);
            let xs = xs.as_standard_layout();
            let ts = t.slice(s![chunk.rows.clone()]).to_vec();
            gpu.queue().write_buffer(
                &chunk.x,
                0,
                bytemuck::cast_slice(xs.as_slice().unwrap_or(&[])),
            );
            gpu.queue()
                .write_buffer(&chunk.t, 0, bytemuck::cast_slice(&ts));
        }
    }

    /// Chunk row ranges, for [`plan::pieces`].
    pub fn ranges(&self) -> Vec<Range<usize>> {
        self.chunks.iter().map(|c| c.rows.clone()).collect()
    }
}
