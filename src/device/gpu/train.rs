//! Whole training runs on the GPU: every step of an epoch (batch loss and gradient, SGD
//! update, test loss) is encoded into one command buffer up front; the loss histories stay on
//! the GPU and are read back once, with the final θ, at the end.
//!
//! The data are shuffled on the host exactly as `train::train_cpu` shuffles them and uploaded
//! in that order, so batches are consecutive rows, as on the CPU. MNIST subsets go up as their
//! pixel bytes ([`Subset::inputs`]), never as the `f32` copy.

use super::kernels::{Params, Records};
use super::matrix::GpuMatrix;
use super::state::{self, Data, Dispatch, Kernel, ParamsBuffer, Sizes, State};
use super::{Gpu, plan};
use crate::data::Subset;
use crate::device::DeviceError;
use crate::train::{Run, TrainConfig};
use ndarray::Array1;

/// The dispatches of one epoch (the same for every epoch) and the sizes they need.
struct EpochPlan {
    dispatches: Vec<Dispatch>,
    records: Records,
    parts: usize,
    test_parts: usize,
    work_rows: usize,
}

fn plan_epoch(
    gpu: &Gpu,
    train: &GpuMatrix,
    test: Option<&GpuMatrix>,
    config: &TrainConfig,
    steps: usize,
) -> EpochPlan {
    let cols = train.cols;
    let batch = config.batch_size;
    let ranges = train.ranges();
    let step_pieces: Vec<(Vec<plan::Piece>, usize)> = (0..steps)
        .map(|s| plan::pieces(s * batch..(s + 1) * batch, &ranges))
        .collect();
    let parts = step_pieces.iter().map(|p| p.1).max().unwrap_or(0);
    let (test_pieces, test_parts) = match test {
        Some(m) => plan::pieces(0..m.rows, &m.ranges()),
        None => (Vec::new(), 0),
    };
    let test_inv_n = test.map_or(0.0, |m| 1.0 / m.rows as f32);
    let work_rows = batch;
    let base = Params {
        cols: cols as u32,
        work_rows: work_rows as u32,
        test_base: parts as u32,
        test_inv_n,
        ..Params::default()
    };
    let mut records = Records::new(gpu.limits().min_uniform_buffer_offset_alignment);
    // The test set's dispatches are the same after every step: one record set serves all.
    let test_dispatches = state::rows_dispatches(
        gpu,
        Data::Test,
        false,
        &test_pieces,
        parts,
        base,
        &mut records,
    );
    let mut dispatches = Vec::with_capacity(steps * (3 + test_dispatches.len()));
    for (step, (pieces, step_parts)) in step_pieces.iter().enumerate() {
        dispatches.extend(state::rows_dispatches(
            gpu,
            Data::Train,
            true,
            pieces,
            0,
            base,
            &mut records,
        ));
        // The reduce also finishes the previous step's test loss (one dispatch fewer a step).
        let finishes_test = test.is_some() && step > 0;
        let reduce = Params {
            parts: *step_parts as u32,
            inv_n: 1.0 / batch as f32,
            lr: config.optimizer.lr() as f32,
            update: 1,
            hist: step as u32,
            test_parts: if finishes_test { test_parts as u32 } else { 0 },
            test_hist: (steps + step.saturating_sub(1)) as u32,
            ..base
        };
        dispatches.push(state::reduce_dispatch(cols, reduce, &mut records));
        dispatches.extend_from_slice(&test_dispatches);
    }
    if test.is_some() {
        let finish = Params {
            test_parts: test_parts as u32,
            test_hist: (2 * steps - 1) as u32,
            ..base
        };
        dispatches.push(Dispatch {
            kernel: Kernel::Finish,
            chunk: None,
            offset: records.push(finish),
            groups: (1, 1, 1),
        });
    }
    EpochPlan {
        dispatches,
        records,
        parts,
        test_parts,
        work_rows,
    }
}

/// Trains as `train::train_cpu` does, on the GPU. The caller has run `TrainConfig::check` and
/// `TrainConfig::gpu_kernels_fit`.
pub fn train(
    gpu: &Gpu,
    theta: Array1<f32>,
    train: &Subset,
    test: &Subset,
    config: &TrainConfig,
) -> Result<Run, DeviceError> {
    let n = train.len();
    let steps = config.steps_per_epoch(n);
    let total = steps * config.epochs;
    let started = std::time::Instant::now();
    let mut orders = config.sample_order(n);
    let first = match orders.advance() {
        true => Some(permuted(train, orders.current())?),
        false => None,
    };
    let data0 = first.as_ref().unwrap_or(train);
    let train_m = GpuMatrix::upload(gpu, "the training set", data0.inputs(), data0.t.view())?;
    let test_m = if config.test_loss_every_step {
        Some(GpuMatrix::upload(
            gpu,
            "the test set",
            test.inputs(),
            test.t.view(),
        )?)
    } else {
        None
    };
    let plan = plan_epoch(gpu, &train_m, test_m.as_ref(), config, steps);
    let sizes = Sizes {
        parts: plan.parts,
        loss_parts: plan.parts + plan.test_parts,
        history: 2 * steps,
        work_rows: plan.work_rows,
    };
    let theta_host = theta.to_vec();
    let state = State::new(gpu, &theta_host, &sizes)?;
    let all = gpu.storage("loss histories", 2 * total)?;
    let params = ParamsBuffer::new(gpu, &plan.records)?;
    let step_bytes = (steps * 4) as u64;
    for epoch in 0..config.epochs {
        if epoch > 0 && orders.advance() {
            let data = permuted(train, orders.current())?;
            train_m.rewrite(gpu, data.inputs(), data.t.view());
        }
        // Submitted in slices, so the GPU runs one slice while the next is being encoded.
        let slices: Vec<&[Dispatch]> = plan
            .dispatches
            .chunks(gpu.dispatches_per_submit())
            .collect();
        for (i, slice) in slices.iter().enumerate() {
            let last = i + 1 == slices.len();
            let commands = gpu.guarded("encoding an epoch", |g| {
                let mut encoder =
                    g.device()
                        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                            label: Some("epoch"),
                        });
                state::encode(
                    g,
                    &mut encoder,
                    slice,
                    &train_m,
                    test_m.as_ref(),
                    &state,
                    &params,
                );
                if last {
                    let at = (epoch * steps * 4) as u64;
                    encoder.copy_buffer_to_buffer(&state.history, 0, &all, at, step_bytes);
                    if test_m.is_some() {
                        let test_at = ((total + epoch * steps) * 4) as u64;
                        encoder.copy_buffer_to_buffer(
                            &state.history,
                            step_bytes,
                            &all,
                            test_at,
                            step_bytes,
                        );
                    }
                }
                encoder.finish()
            })?;
            gpu.guarded("submitting an epoch", |g| g.queue().submit([commands]))?;
        }
    }
    let encoder = gpu
        .device()
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("results"),
        });
    let tests = if test_m.is_some() { total } else { 0 };
    let mut out = gpu.read(
        "training",
        encoder,
        &[
            (&state.theta, 0, theta_host.len()),
            (&all, 0, total),
            (&all, total, tests),
        ],
    )?;
    let test_loss = out.pop().unwrap_or_default();
    let train_loss = out.pop().unwrap_or_default();
    let theta = Array1::from(out.pop().unwrap_or_default());
    Ok(Run {
        theta,
        train_loss,
        test_loss,
        steps_per_epoch: steps,
        theta_history: Vec::new(),
        learning_rates: vec![config.optimizer.lr(); config.epochs],
        wall_time: started.elapsed(),
        device: gpu.describe().to_string(),
    })
}

/// The training set in `order`: the order is a permutation of its rows, so this cannot fail.
fn permuted(train: &Subset, order: &[usize]) -> Result<Subset, DeviceError> {
    train
        .permuted(order)
        .map_err(|e| DeviceError::Shape(e.to_string()))
}
