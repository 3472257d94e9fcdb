//! What a training run recorded, with the views a chapter plots.

use ndarray::Array1;
use std::time::Duration;

/// What a training run recorded.
#[derive(Debug, Clone)]
pub struct Run {
    /// The parameters after the last step.
    pub theta: Array1<f32>,
    /// Loss of each step's batch, before that step's update.
    pub train_loss: Vec<f32>,
    /// Loss on the whole test set after each step (empty unless asked for).
    pub test_loss: Vec<f32>,
    /// Steps per epoch.
    pub steps_per_epoch: usize,
    /// `(steps taken, θ)` every [`super::TrainConfig::theta_every`] steps, from step 0 to the
    /// last step (empty unless asked for).
    pub theta_history: Vec<(usize, Array1<f32>)>,
    /// The learning rate each epoch used (a schedule changes it between epochs).
    pub learning_rates: Vec<f64>,
    /// Wall-clock time of the training loop (not part of any result: it differs run to run).
    pub wall_time: Duration,
    /// Where the run trained: `"CPU"` or the GPU's name.
    pub device: String,
}

impl Run {
    /// Train loss at the last step of each epoch.
    pub fn train_loss_per_epoch(&self) -> Vec<f32> {
        last_per_epoch(&self.train_loss, self.steps_per_epoch)
    }

    /// Test loss at the last step of each epoch.
    pub fn test_loss_per_epoch(&self) -> Vec<f32> {
        last_per_epoch(&self.test_loss, self.steps_per_epoch)
    }

    /// Each step's position in epochs (`1 / steps_per_epoch`, ..., `epochs`): the x axis of a
    /// loss curve that compares batch sizes.
    pub fn epoch_axis(&self) -> Vec<f64> {
        let per = self.steps_per_epoch.max(1) as f64;
        (1..=self.train_loss.len())
            .map(|s| s as f64 / per)
            .collect()
    }

    /// Steps taken.
    pub fn steps(&self) -> usize {
        self.train_loss.len()
    }
}

fn last_per_epoch(series: &[f32], steps_per_epoch: usize) -> Vec<f32> {
    series
        .chunks(steps_per_epoch.max(1))
        .filter_map(|c| c.last().copied())
        .collect()
}
