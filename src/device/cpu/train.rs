//! Whole training runs on the CPU: the reference loop. Each step evaluates its batch (loss
//! before the update, gradient), lets the optimiser update `θ`, then records the test loss;
//! the scheduler steps after each epoch.

use super::test_loss::TestLoss;
use crate::data::Subset;
use crate::logistic::{self, Wants};
use crate::optim::{LrScheduler, Optimizer};
use crate::train::{Run, TrainConfig, TrainError};
use ndarray::Array1;
use std::time::Instant;

/// Trains from `theta` with `optimizer` (and `scheduler`), batches drawn as
/// [`TrainConfig::sample_order`] draws them. `plain_sgd` says the optimiser's update is
/// `θ ← θ - lr ∇L`, which lets small batches update the test logits instead of recomputing
/// them. The caller has run [`TrainConfig::check`].
pub fn train(
    mut theta: Array1<f32>,
    train: &Subset,
    test: &Subset,
    config: &TrainConfig,
    optimizer: &mut dyn Optimizer<f32>,
    mut scheduler: Option<&mut dyn LrScheduler>,
    plain_sgd: bool,
) -> Result<Run, TrainError> {
    let started = Instant::now();
    let steps_per_epoch = config.steps_per_epoch(train.len());
    let total_steps = steps_per_epoch * config.epochs;
    let mut run = Run {
        theta: Array1::zeros(0),
        train_loss: Vec::with_capacity(total_steps),
        test_loss: Vec::with_capacity(if config.test_loss_every_step {
            total_steps
        } else {
            0
        }),
        steps_per_epoch,
        theta_history: Vec::new(),
        learning_rates: Vec::with_capacity(config.epochs),
        wall_time: Default::default(),
        device: super::Cpu.describe(),
    };
    let mut order = config.sample_order(train.len());
    let mut test_loss = config.test_loss_every_step.then(|| {
        TestLoss::new(
            &theta,
            train,
            test,
            config.batch_size,
            total_steps,
            plain_sgd,
        )
    });
    let wants = Wants {
        gradient: true,
        probabilities: matches!(test_loss, Some(TestLoss::Incremental { .. })),
    };
    let keep_every = config.theta_every;
    if keep_every.is_some() {
        run.theta_history.push((0, theta.clone()));
    }
    let mut residuals = Vec::with_capacity(config.batch_size);
    let mut step = 0;
    for _ in 0..config.epochs {
        let lr = optimizer.lr();
        run.learning_rates.push(lr);
        // ANCHOR: step
        for rows in order.next_epoch(config.batch_size) {
            let (loss, gradient, probabilities) = logistic::pass(
                theta.view(),
                train.inputs(),
                train.t.view(),
                Some(rows),
                wants,
            )?;
            run.train_loss.push(loss);
            let params = theta.as_slice_mut().ok_or(TrainError::ThetaLayout)?;
            optimizer.step(params, &gradient)?;
            // ANCHOR_END: step
            step += 1;
            if let Some(tracker) = test_loss.as_mut() {
                residuals.clear();
                residuals.extend(
                    rows.iter()
                        .zip(&probabilities)
                        .map(|(&i, p)| p - train.t[i]),
                );
                run.test_loss
                    .push(tracker.after_step(&theta, rows, &residuals, lr as f32)?);
            }
            if let Some(every) = keep_every
                && (step % every == 0 || step == total_steps)
            {
                run.theta_history.push((step, theta.clone()));
            }
        }
        if let Some(scheduler) = scheduler.as_deref_mut() {
            scheduler.step(&mut *optimizer);
        }
    }
    run.theta = theta;
    run.wall_time = started.elapsed();
    Ok(run)
}
