//! The compiled kernels of `logistic.wgsl`, their bind group layouts, and the parameter
//! records each dispatch reads.
//!
//! Bind groups: 0 holds one matrix chunk and its targets; 1 the training state (θ, partial
//! sums, loss partials, loss history, per-row work: residuals, losses, probabilities); 2 the
//! parameter records, one per dispatch, picked by a dynamic offset.
//!
//! Every kernel is built twice from the same source: once for a matrix of `f32` values and
//! once for one of pixel bytes packed four to a word (the `PACKED` override, with the folded
//! normalisation's constants from [`crate::logistic`]).

use std::num::NonZeroU64;

/// The WGSL source of the kernels.
pub const SOURCE: &str = include_str!("logistic.wgsl");

/// Parameters of one dispatch; the layout matches `struct Params` in `logistic.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Params {
    /// First row of the dispatch inside the bound chunk.
    pub row_start: u32,
    /// Rows covered.
    pub rows: u32,
    /// First partial sum written.
    pub part_base: u32,
    /// Columns of the matrix.
    pub cols: u32,
    /// Partial sums the reduce adds.
    pub parts: u32,
    /// 1 / batch size.
    pub inv_n: f32,
    /// Learning rate.
    pub lr: f32,
    /// 1 to update θ.
    pub update: u32,
    /// Slot of the batch loss in the history.
    pub hist: u32,
    /// First test loss partial.
    pub test_base: u32,
    /// Test loss partials to add (0: none).
    pub test_parts: u32,
    /// 1 / test set size.
    pub test_inv_n: f32,
    /// Slot of the test loss in the history.
    pub test_hist: u32,
    /// 1 to write probabilities.
    pub write_probs: u32,
    /// Index in the probabilities of the dispatch's first row.
    pub prob_base: u32,
    /// Rows of each of the three regions of the work buffer.
    pub work_rows: u32,
}

/// Parameter records laid out at the device's uniform offset alignment.
pub struct Records {
    bytes: Vec<u8>,
    stride: usize,
}

impl Records {
    /// An empty list for a device whose dynamic uniform offsets align to `alignment` bytes.
    pub fn new(alignment: u32) -> Self {
        let size = std::mem::size_of::<Params>();
        let alignment = alignment.max(1) as usize;
        Self {
            bytes: Vec::new(),
            stride: size.div_ceil(alignment) * alignment,
        }
    }

    /// Appends a record; returns its dynamic offset.
    pub fn push(&mut self, params: Params) -> u32 {
        let offset = self.bytes.len();
        self.bytes.extend_from_slice(bytemuck::bytes_of(&params));
        self.bytes.resize(offset + self.stride, 0);
        offset as u32
    }

    /// The bytes to upload.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// What one word of a matrix chunk holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One `f32` value.
    Values,
    /// Four pixel bytes (0 to 255), the lowest byte first; rows padded to whole words.
    Bytes,
}

impl Format {
    /// Bytes of one row of `cols` columns.
    pub fn row_bytes(self, cols: usize) -> usize {
        match self {
            Format::Values => 4 * cols,
            Format::Bytes => 4 * cols.div_ceil(4),
        }
    }
}

/// The compiled kernels for one [`Format`].
pub struct Pipelines {
    /// Residual, loss and probability of each row.
    pub residual: wgpu::ComputePipeline,
    /// Gradient and loss partial sums over groups of 64 rows.
    pub partial: wgpu::ComputePipeline,
    /// Loss and gradient partial sums of a batch of at most 64 rows, in one dispatch.
    pub small_gradient: wgpu::ComputePipeline,
    /// Loss partial sums over groups of 64 rows (test loss).
    pub row_loss: wgpu::ComputePipeline,
    /// Mean gradient, θ update, batch loss, previous test loss.
    pub reduce: wgpu::ComputePipeline,
    /// Test loss of the last step.
    pub finish: wgpu::ComputePipeline,
}

/// Pipelines and layouts of the logistic-regression kernels.
pub struct Kernels {
    /// Layout of group 0 (matrix chunk, targets).
    pub data_layout: wgpu::BindGroupLayout,
    /// Layout of group 1 (training state).
    pub state_layout: wgpu::BindGroupLayout,
    /// Layout of group 2 (parameter records).
    pub params_layout: wgpu::BindGroupLayout,
    /// The kernels over `f32` values.
    pub values: Pipelines,
    /// The kernels over packed pixel bytes.
    pub bytes: Pipelines,
}

impl Kernels {
    /// The kernels that read a matrix in `format`.
    pub fn pipelines(&self, format: Format) -> &Pipelines {
        match format {
            Format::Values => &self.values,
            Format::Bytes => &self.bytes,
        }
    }
}

fn storage_entry(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

impl Kernels {
    /// Compiles the kernels on `device` (errors surface through the caller's error scope).
    pub fn new(device: &wgpu::Device) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("logistic.wgsl"),
            source: wgpu::ShaderSource::Wgsl(SOURCE.into()),
        });
        let data_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("data"),
            entries: &[storage_entry(0, true), storage_entry(1, true)],
        });
        let state_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("state"),
            entries: &(0..5).map(|b| storage_entry(b, false)).collect::<Vec<_>>(),
        });
        let params_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("params"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: true,
                    min_binding_size: NonZeroU64::new(std::mem::size_of::<Params>() as u64),
                },
                count: None,
            }],
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("logistic"),
            bind_group_layouts: &[
                Some(&data_layout),
                Some(&state_layout),
                Some(&params_layout),
            ],
            immediate_size: 0,
        });
        let build = |format: Format| {
            let constants = [
                ("PACKED", f64::from(u8::from(format == Format::Bytes))),
                ("SCALE", crate::logistic::pixel_scale()),
                ("SHIFT", crate::logistic::pixel_shift()),
            ];
            let pipeline = |entry: &str| {
                device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(entry),
                    layout: Some(&layout),
                    module: &module,
                    entry_point: Some(entry),
                    compilation_options: wgpu::PipelineCompilationOptions {
                        constants: &constants,
                        ..Default::default()
                    },
                    cache: None,
                })
            };
            Pipelines {
                residual: pipeline("residual"),
                partial: pipeline("partial"),
                small_gradient: pipeline("small_gradient"),
                row_loss: pipeline("row_loss"),
                reduce: pipeline("reduce"),
                finish: pipeline("finish"),
            }
        };
        Self {
            values: build(Format::Values),
            bytes: build(Format::Bytes),
            data_layout,
            state_layout,
            params_layout,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_match_the_wgsl_struct_size() {
        assert_eq!(std::mem::size_of::<Params>(), 64);
    }

    #[test]
    fn records_are_aligned_for_dynamic_offsets() {
        let mut r = Records::new(256);
        assert_eq!(r.push(Params::default()), 0);
        assert_eq!(r.push(Params::default()), 256);
        assert_eq!(r.bytes().len(), 512);
    }

    #[test]
    fn packed_rows_are_padded_to_whole_words() {
        assert_eq!(Format::Values.row_bytes(784), 3136);
        assert_eq!(Format::Bytes.row_bytes(784), 784);
        assert_eq!(Format::Bytes.row_bytes(5), 8);
    }

    #[test]
    fn the_kernels_parse_and_validate() {
        let module = naga_check(SOURCE);
        assert!(module.is_ok(), "{module:?}");
    }

    fn naga_check(source: &str) -> Result<(), String> {
        // wgpu re-exports naga when the `wgsl` feature is on (the default).
        let module =
            wgpu::naga::front::wgsl::parse_str(source).map_err(|e| e.emit_to_string(source))?;
        wgpu::naga::valid::Validator::new(
            wgpu::naga::valid::ValidationFlags::all(),
            wgpu::naga::valid::Capabilities::empty(),
        )
        .validate(&module)
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
    }
}
