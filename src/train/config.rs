//! How to train: batch size, epochs, optimiser, schedule, shuffling and what to record; and
//! the one check of a configuration against its data, which every device runs first.

use super::TrainError;
use super::order::SampleOrder;
use crate::data::Subset;
use crate::optim::{OptimizerConfig, Schedule, Sgd};
use ndarray::Array1;

/// When the training samples are put in a new order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shuffle {
    /// Never: batches follow the order the data comes in.
    Never,
    /// Once before the first epoch (the tutorial's behaviour), from a seed.
    Once(u64),
    /// Before every epoch, from a seed.
    EveryEpoch(u64),
}

/// How to train.
///
/// ```
/// use descent::optim::{Adam, Schedule};
/// use descent::train::TrainConfig;
///
/// // The tutorial's SGD: batch 500, 9 epochs, lr 0.01.
/// let sgd = TrainConfig::new(500, 9, 0.01);
/// // Adam with weight decay and a cosine schedule, θ kept every 26 steps.
/// let adam = TrainConfig::new(500, 9, 0.01)
///     .optimizer(Adam::builder(1e-3).weight_decay(1e-2))
///     .schedule(Schedule::cosine(9))
///     .record_theta_every(26);
/// assert_eq!(adam.optimizer.to_string(), "Adam(lr=0.001, weight_decay=0.01)");
/// assert!(sgd.optimizer.is_plain_sgd());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Samples per step; the training set's size gives plain gradient descent.
    pub batch_size: usize,
    /// Passes over the training data.
    pub epochs: usize,
    /// The optimiser, built afresh for each run (plain SGD unless set).
    pub optimizer: OptimizerConfig,
    /// A learning-rate schedule, stepped after each epoch as `torch.optim.lr_scheduler` is.
    pub schedule: Option<Schedule>,
    /// When to shuffle the training data.
    pub shuffle: Shuffle,
    /// Whether to compute the test loss after every step (the tutorial does; it dominates the
    /// cost at small batch sizes).
    pub test_loss_every_step: bool,
    /// Keep `θ` every this many steps (and at the start and the end), for an animation.
    pub theta_every: Option<usize>,
}

impl TrainConfig {
    /// The tutorial's setting: plain SGD with learning rate `lr`, `batch_size` samples a step,
    /// `epochs` passes, shuffled once with seed 0, test loss after every step.
    pub fn new(batch_size: usize, epochs: usize, lr: f64) -> Self {
        Self {
            batch_size,
            epochs,
            optimizer: Sgd::builder(lr).into(),
            schedule: None,
            shuffle: Shuffle::Once(0),
            test_loss_every_step: true,
            theta_every: None,
        }
    }

    /// The same setting with another optimiser (its own learning rate replaces `new`'s).
    pub fn optimizer(mut self, optimizer: impl Into<OptimizerConfig>) -> Self {
        self.optimizer = optimizer.into();
        self
    }

    /// The same setting with a learning-rate schedule, stepped once per epoch.
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = Some(schedule);
        self
    }

    /// The same setting with another shuffling rule.
    pub fn shuffle(mut self, shuffle: Shuffle) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// The same setting without the per-step test loss.
    pub fn without_test_loss(mut self) -> Self {
        self.test_loss_every_step = false;
        self
    }

    /// The same setting, keeping `θ` every `steps` steps ([`super::Run::theta_history`]).
    pub fn record_theta_every(mut self, steps: usize) -> Self {
        self.theta_every = Some(steps);
        self
    }

    /// Steps in one epoch over `n` samples: the last `n mod batch` samples are left out.
    pub fn steps_per_epoch(&self, n: usize) -> usize {
        n.checked_div(self.batch_size).unwrap_or(0)
    }

    /// The order of `n` training samples, epoch after epoch, exactly as training draws it:
    /// a custom loop over its batches sees the batches [`super::train`] sees.
    ///
    /// ```
    /// use descent::train::TrainConfig;
    /// let config = TrainConfig::new(4, 2, 0.1);
    /// let mut order = config.sample_order(10);
    /// for _epoch in 0..config.epochs {
    ///     let batches: Vec<&[usize]> = order.next_epoch(config.batch_size).collect();
    ///     assert_eq!(batches.len(), 2); // floor(10 / 4) steps; two samples are left out
    /// }
    /// ```
    pub fn sample_order(&self, n: usize) -> SampleOrder {
        SampleOrder::new(n, self.shuffle)
    }

    /// Checks the setting and the data against each other: what every device runs before
    /// training, so the CPU and the GPU refuse the same inputs with the same errors.
    ///
    /// # Errors
    /// [`TrainError`] naming the first thing that does not fit.
    pub fn check(
        &self,
        theta: &Array1<f32>,
        train: &Subset,
        test: &Subset,
    ) -> Result<(), TrainError> {
        let n = train.len();
        let cols = train.ncols();
        if train.nrows() != n {
            return Err(TrainError::Targets {
                set: "training",
                rows: train.nrows(),
                targets: n,
            });
        }
        if self.batch_size == 0 || self.batch_size > n {
            return Err(TrainError::BatchSize {
                batch_size: self.batch_size,
                samples: n,
            });
        }
        if theta.len() != cols + 1 {
            return Err(TrainError::ThetaLength {
                expected: cols + 1,
                found: theta.len(),
            });
        }
        if theta.as_slice().is_none() {
            return Err(TrainError::ThetaLayout);
        }
        if self.theta_every == Some(0) {
            return Err(TrainError::ThetaEvery);
        }
        let optimizer = self.optimizer.build::<f32>()?;
        if let Some(schedule) = &self.schedule {
            schedule.build(&*optimizer)?;
        }
        if self.test_loss_every_step {
            if test.nrows() != test.len() {
                return Err(TrainError::Targets {
                    set: "test",
                    rows: test.nrows(),
                    targets: test.len(),
                });
            }
            if test.is_empty() || test.ncols() != cols {
                return Err(TrainError::TestSet {
                    rows: test.len(),
                    cols: test.ncols(),
                    expected_cols: cols,
                });
            }
        }
        Ok(())
    }

    /// Whether the GPU kernels can run this setting: plain SGD at a fixed learning rate, with
    /// no `θ` history. Anything else trains on the CPU; the error is the device note's line.
    pub(crate) fn gpu_kernels_fit(&self) -> Result<(), String> {
        if !self.optimizer.is_plain_sgd() {
            return Err(format!(
                "{} trained on the CPU (the GPU kernels do plain SGD)",
                self.optimizer
            ));
        }
        if let Some(schedule) = &self.schedule {
            return Err(format!(
                "{schedule} trained on the CPU (the GPU kernels keep one learning rate)"
            ));
        }
        if self.theta_every.is_some() {
            return Err("runs keeping θ's history trained on the CPU".into());
        }
        Ok(())
    }
}
