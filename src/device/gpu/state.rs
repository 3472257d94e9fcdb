//! The buffers a run works in (bind group 1) and its parameter records (bind group 2), plus
//! the encoding of the dispatches that compute one batch's loss and gradient.

use super::Gpu;
use super::kernels::{Params, Records};
use super::matrix::GpuMatrix;
use super::plan::{self, Piece};
use crate::device::DeviceError;

/// θ, partial sums, loss partials, loss history and per-row work of one run.
pub struct State {
    /// θ, `cols + 1` values, the bias last.
    pub theta: wgpu::Buffer,
    /// Partial gradient sums, `cols + 1` per group; the reduce leaves the mean gradient first.
    pub partials: wgpu::Buffer,
    /// Loss partial sums.
    pub loss_parts: wgpu::Buffer,
    /// Loss history.
    pub history: wgpu::Buffer,
    /// Per-row work: residuals, losses, probabilities (three regions of equal length).
    pub work: wgpu::Buffer,
    /// Bind group 1 over the buffers above.
    pub bind: wgpu::BindGroup,
}

/// Sizes of a [`State`], in f32 values.
pub struct Sizes {
    /// Gradient partial groups.
    pub parts: usize,
    /// Loss partials.
    pub loss_parts: usize,
    /// History slots.
    pub history: usize,
    /// Rows of each region of the work buffer.
    pub work_rows: usize,
}

impl State {
    /// Allocates the buffers, θ set to `theta`.
    pub fn new(gpu: &Gpu, theta: &[f32], sizes: &Sizes) -> Result<State, DeviceError> {
        let theta_buffer = gpu.storage("θ", theta.len())?;
        gpu.queue()
            .write_buffer(&theta_buffer, 0, bytemuck::cast_slice(theta));
        let partials = gpu.storage("gradient partial sums", sizes.parts.max(1) * theta.len())?;
        let loss_parts = gpu.storage("loss partial sums", sizes.loss_parts)?;
        let history = gpu.storage("loss history", sizes.history)?;
        let work = gpu.storage("per-row work", 3 * sizes.work_rows)?;
        let bind = gpu.guarded("binding the training state", |g| {
            let buffers = [&theta_buffer, &partials, &loss_parts, &history, &work];
            let entries: Vec<wgpu::BindGroupEntry> = buffers
                .iter()
                .enumerate()
                .map(|(i, b)| wgpu::BindGroupEntry {
                    binding: i as u32,
                    resource: b.as_entire_binding(),
                })
                .collect();
            g.device().create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("state"),
                layout: &g.kernels().state_layout,
                entries: &entries,
            })
        })?;
        Ok(State {
            theta: theta_buffer,
            partials,
            loss_parts,
            history,
            work,
            bind,
        })
    }
}

/// Parameter records on the GPU and the bind group over them.
pub struct ParamsBuffer {
    /// The uniform buffer.
    pub buffer: wgpu::Buffer,
    /// Bind group 2.
    pub bind: wgpu::BindGroup,
}

impl ParamsBuffer {
    /// Uploads `records`.
    pub fn new(gpu: &Gpu, records: &Records) -> Result<ParamsBuffer, DeviceError> {
        let bytes = records.bytes().len() as u64;
        if bytes > u64::from(u32::MAX) {
            // Dynamic offsets are u32: an epoch of more than ~16 million steps does not fit.
            return Err(DeviceError::Limit {
                adapter: gpu.describe().to_string(),
                action: "encoding one epoch's dispatch parameters".into(),
                limit: "dynamic offsets (u32)",
                needed: bytes,
                allowed: u64::from(u32::MAX),
            });
        }
        let buffer = gpu.init_buffer(
            "dispatch parameters",
            records.bytes(),
            wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        )?;
        let bind = gpu.guarded("binding the dispatch parameters", |g| {
            g.device().create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("params"),
                layout: &g.kernels().params_layout,
                entries: &[wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                        buffer: &buffer,
                        offset: 0,
                        size: std::num::NonZeroU64::new(std::mem::size_of::<Params>() as u64),
                    }),
                }],
            })
        })?;
        Ok(ParamsBuffer { buffer, bind })
    }
}

/// The matrix a rows kernel reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Data {
    /// The training batch (or the evaluated batch).
    Train,
    /// The test set.
    Test,
}

/// A dispatch ready to encode: which kernel, which chunk (if any), which record, how many
/// workgroups.
#[derive(Debug, Clone, Copy)]
pub struct Dispatch {
    /// Which kernel.
    pub kernel: Kernel,
    /// Chunk bound to group 0 (rows kernels), or `None` (keep the one bound).
    pub chunk: Option<(Data, usize)>,
    /// Dynamic offset of the record.
    pub offset: u32,
    /// Workgroups in x, y and z.
    pub groups: (u32, u32, u32),
}

/// The kernels of `logistic.wgsl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// Residual, loss, probability per row.
    Residual,
    /// Gradient and loss partial sums per group of rows.
    Partial,
    /// Residuals and gradient partial sums of at most 64 rows.
    SmallGradient,
    /// Loss partial sums per group of rows.
    RowLoss,
    /// Mean gradient, update, histories.
    Reduce,
    /// Last test loss of an epoch.
    Finish,
}

/// Records and dispatches over `pieces` of `data`: with `gradient`, per piece the residual then
/// the partial-sum kernel (one fused dispatch for a piece of at most 64 rows); without, the
/// loss partial sums only. Partial indices are
/// shifted by `part_shift`; `template` supplies the other fields.
pub fn rows_dispatches(
    gpu: &Gpu,
    data: Data,
    gradient: bool,
    pieces: &[Piece],
    part_shift: usize,
    template: Params,
    records: &mut Records,
) -> Vec<Dispatch> {
    let max = gpu.limits().max_compute_workgroups_per_dimension;
    let column_groups = (template.cols as usize + 2).div_ceil(64) as u32;
    let mut out = Vec::with_capacity(2 * pieces.len());
    for piece in pieces {
        let offset = records.push(Params {
            row_start: piece.local.start as u32,
            rows: piece.local.len() as u32,
            part_base: (part_shift + piece.part_base) as u32,
            prob_base: piece.offset as u32,
            ..template
        });
        let chunk = Some((data, piece.chunk));
        let (gx, gy) = plan::dispatch_size(piece.groups(), max);
        if !gradient {
            out.push(Dispatch {
                kernel: Kernel::RowLoss,
                chunk,
                offset,
                groups: (gx, gy, 1),
            });
        } else if piece.groups() == 1 {
            out.push(Dispatch {
                kernel: Kernel::SmallGradient,
                chunk,
                offset,
                groups: (1, 1, 1),
            });
        } else {
            out.push(Dispatch {
                kernel: Kernel::Residual,
                chunk,
                offset,
                groups: (gx, gy, 1),
            });
            out.push(Dispatch {
                kernel: Kernel::Partial,
                chunk,
                offset,
                groups: (column_groups, gx, gy),
            });
        }
    }
    out
}

/// The reduce dispatch for `cols` columns with record `params`.
pub fn reduce_dispatch(cols: usize, params: Params, records: &mut Records) -> Dispatch {
    Dispatch {
        kernel: Kernel::Reduce,
        chunk: None,
        offset: records.push(params),
        groups: ((cols + 3).div_ceil(64) as u32, 1, 1),
    }
}

/// Encodes `dispatches` into one compute pass.
pub fn encode(
    gpu: &Gpu,
    encoder: &mut wgpu::CommandEncoder,
    dispatches: &[Dispatch],
    train: &GpuMatrix,
    test: Option<&GpuMatrix>,
    state: &State,
    params: &ParamsBuffer,
) {
    let kernels = gpu.kernels();
    let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
        label: Some("logistic"),
        timestamp_writes: None,
    });
    if let Some(first) = train.chunks.first() {
        pass.set_bind_group(0, &first.bind, &[]);
    }
    pass.set_bind_group(1, &state.bind, &[]);
    let mut bound = Some((Data::Train, 0));
    let matrix_of = |data: Data| match data {
        Data::Train => Some(train),
        Data::Test => test,
    };
    for d in dispatches {
        // Rows kernels read their chunk in its format; the others read no matrix.
        let format = d
            .chunk
            .and_then(|(data, _)| matrix_of(data))
            .map_or(train.format, |m| m.format);
        let kernels = kernels.pipelines(format);
        let pipeline = match d.kernel {
            Kernel::Residual => &kernels.residual,
            Kernel::Partial => &kernels.partial,
            Kernel::SmallGradient => &kernels.small_gradient,
            Kernel::RowLoss => &kernels.row_loss,
            Kernel::Reduce => &kernels.reduce,
            Kernel::Finish => &kernels.finish,
        };
        if let Some((data, chunk)) = d.chunk
            && bound != d.chunk
            && let Some(m) = matrix_of(data)
        {
            pass.set_bind_group(0, &m.chunks[chunk].bind, &[]);
            bound = d.chunk;
        }
        pass.set_pipeline(pipeline);
        pass.set_bind_group(2, &params.bind, &[d.offset]);
        pass.dispatch_workgroups(d.groups.0, d.groups.1, d.groups.2);
    }
}
