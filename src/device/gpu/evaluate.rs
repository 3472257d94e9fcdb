//! Loss, gradient and probabilities of one batch on the GPU, with the batch kept resident so
//! that repeated calls (a benchmark, a line search) upload only θ.

use super::kernels::{Params, Records};
use super::matrix::GpuMatrix;
use super::state::{self, Data, ParamsBuffer, Sizes, State};
use super::{Gpu, plan};
use crate::device::DeviceError;
use crate::logistic::Inputs;
use ndarray::ArrayView1;

/// A batch resident on the GPU, ready to be evaluated at any θ.
pub struct Evaluator {
    data: GpuMatrix,
    state: State,
    params: ParamsBuffer,
    pieces: Vec<plan::Piece>,
    parts: usize,
}

/// What one evaluation returns: mean loss, mean gradient, probabilities (empty unless asked).
pub type Output = (f32, Vec<f32>, Vec<f32>);

impl Evaluator {
    /// Uploads `x` (one sample a row, at least one row: `f32` values or pixel bytes) and
    /// targets `t`.
    pub fn new(gpu: &Gpu, x: Inputs, t: ArrayView1<f32>) -> Result<Self, DeviceError> {
        if x.dim().0 == 0 {
            return Err(DeviceError::Shape(
                "a batch needs at least one row; give a non-empty matrix".into(),
            ));
        }
        let data = GpuMatrix::upload(gpu, "the batch", x, t)?;
        let (pieces, parts) = plan::pieces(0..data.rows, &data.ranges());
        let sizes = Sizes {
            parts,
            loss_parts: parts,
            history: 1,
            work_rows: data.rows,
        };
        let state = State::new(gpu, &vec![0.0; data.cols + 1], &sizes)?;
        let mut records = Records::new(gpu.limits().min_uniform_buffer_offset_alignment);
        for _ in 0..=pieces.len() {
            records.push(Params::default());
        }
        let params = ParamsBuffer::new(gpu, &records)?;
        Ok(Self {
            data,
            state,
            params,
            pieces,
            parts,
        })
    }

    /// Columns of the batch (θ has one more entry).
    pub fn cols(&self) -> usize {
        self.data.cols
    }

    /// Loss, gradient and (when `probabilities`) the probabilities at `theta`.
    pub fn run(
        &self,
        gpu: &Gpu,
        theta: &[f32],
        probabilities: bool,
    ) -> Result<Output, DeviceError> {
        let cols = self.data.cols;
        if theta.len() != cols + 1 {
            return Err(DeviceError::Shape(format!(
                "θ has {} entries but the batch has {cols} columns; θ needs one per column plus \
                 a bias",
                theta.len()
            )));
        }
        let mut records = Records::new(gpu.limits().min_uniform_buffer_offset_alignment);
        let template = Params {
            cols: cols as u32,
            write_probs: u32::from(probabilities),
            work_rows: self.data.rows as u32,
            ..Params::default()
        };
        let mut dispatches = state::rows_dispatches(
            gpu,
            Data::Train,
            true,
            &self.pieces,
            0,
            template,
            &mut records,
        );
        let reduce = Params {
            cols: cols as u32,
            parts: self.parts as u32,
            inv_n: 1.0 / self.data.rows as f32,
            ..Params::default()
        };
        dispatches.push(state::reduce_dispatch(cols, reduce, &mut records));
        gpu.queue()
            .write_buffer(&self.state.theta, 0, bytemuck::cast_slice(theta));
        gpu.queue()
            .write_buffer(&self.params.buffer, 0, records.bytes());
        let encoder = gpu.guarded("encoding an evaluation", |g| {
            let mut encoder = g
                .device()
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("evaluate"),
                });
            state::encode(
                g,
                &mut encoder,
                &dispatches,
                &self.data,
                None,
                &self.state,
                &self.params,
            );
            encoder
        })?;
        let probs = if probabilities { self.data.rows } else { 0 };
        let mut out = gpu.read(
            "evaluating the loss and gradient",
            encoder,
            &[
                (&self.state.history, 0, 1),
                (&self.state.partials, 0, cols + 1),
                (&self.state.work, 2 * self.data.rows, probs),
            ],
        )?;
        let p = out.pop().unwrap_or_default();
        let gradient = out.pop().unwrap_or_default();
        let loss = out
            .pop()
            .and_then(|l| l.first().copied())
            .unwrap_or(f32::NAN);
        Ok((loss, gradient, p))
    }
}
