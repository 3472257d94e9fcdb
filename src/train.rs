//! Gradient descent and stochastic gradient descent for the logistic regression, with the
//! tutorial's mechanics by default: `floor(N / batch)` steps per epoch, the data shuffled once,
//! batches taken as consecutive slices, the batch loss recorded before each step and the test
//! loss after it.

use crate::batch_order::Orders;
use crate::data::Subset;
use crate::logistic::{self, Wants};
use crate::test_loss::TestLoss;
use ndarray::Array1;
use ndarray_rand::RandomExt;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand_distr::StandardNormal;

/// The starting weights of the tutorial's recipe, `randn(785) / 100`, from a seed.
///
/// ```
/// let theta = descent::train::initial_theta(42);
/// assert_eq!(theta.len(), 785);
/// assert_eq!(theta, descent::train::initial_theta(42));
/// ```
pub fn initial_theta(seed: u64) -> Array1<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    Array1::<f32>::random_using(
        crate::data::mnist::SIDE.pow(2) + 1,
        StandardNormal,
        &mut rng,
    ) / 100.0
}

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
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Samples per step; the training set's size gives plain gradient descent.
    pub batch_size: usize,
    /// Passes over the training data.
    pub epochs: usize,
    /// Step size of `θ ← θ - lr ∇L`.
    pub learning_rate: f32,
    /// When to shuffle the training data.
    pub shuffle: Shuffle,
    /// Whether to compute the test loss after every step (the tutorial does; it dominates the
    /// cost at small batch sizes).
    pub test_loss_every_step: bool,
}

impl TrainConfig {
    /// The tutorial's setting with the given batch size, epochs and learning rate: shuffled
    /// once with seed 0, test loss after every step.
    pub fn new(batch_size: usize, epochs: usize, learning_rate: f32) -> Self {
        Self {
            batch_size,
            epochs,
            learning_rate,
            shuffle: Shuffle::Once(0),
            test_loss_every_step: true,
        }
    }

    /// The same setting with another shuffling rule.
    pub fn shuffle(mut self, shuffle: Shuffle) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// Checks the setting against a training set of `n` samples.
    pub fn validate(&self, n: usize) -> Result<(), TrainError> {
        if self.batch_size == 0 || self.batch_size > n {
            return Err(TrainError::BatchSize {
                batch_size: self.batch_size,
                samples: n,
            });
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(TrainError::LearningRate(self.learning_rate));
        }
        Ok(())
    }

    /// Steps in one epoch over `n` samples: the last `n mod batch` samples are left out.
    pub fn steps_per_epoch(&self, n: usize) -> usize {
        n / self.batch_size
    }
}

/// A training setting that cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrainError {
    /// The batch size is zero or larger than the training set.
    #[error("batch size {batch_size} does not fit {samples} training samples; pick 1 to {samples}")]
    BatchSize {
        /// The batch size asked for.
        batch_size: usize,
        /// Samples in the training set.
        samples: usize,
    },
    /// The learning rate is not a positive finite number.
    #[error("learning rate {0} must be a positive finite number, such as 0.01")]
    LearningRate(f32),
    /// `θ` does not have one weight per pixel plus a bias.
    #[error("θ has {found} entries but the data needs {expected} (one per pixel, bias last)")]
    ThetaLength {
        /// Entries needed.
        expected: usize,
        /// Entries given.
        found: usize,
    },
    /// The compute device failed (see [`crate::device::DeviceError`]).
    #[error(transparent)]
    Device(#[from] crate::device::DeviceError),
}

/// What a training run recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The parameters after the last step.
    pub theta: Array1<f32>,
    /// Loss of each step's batch, before that step's update.
    pub train_loss: Vec<f32>,
    /// Loss on the whole test set after each step (empty unless asked for).
    pub test_loss: Vec<f32>,
    /// Steps per epoch.
    pub steps_per_epoch: usize,
}

impl Run {
    /// Train loss at the last step of each epoch.
    pub fn train_loss_per_epoch(&self) -> Vec<f32> {
        self.train_loss
            .chunks(self.steps_per_epoch)
            .filter_map(|c| c.last().copied())
            .collect()
    }

    /// Test loss at the last step of each epoch.
    pub fn test_loss_per_epoch(&self) -> Vec<f32> {
        self.test_loss
            .chunks(self.steps_per_epoch)
            .filter_map(|c| c.last().copied())
            .collect()
    }
}

/// Trains from `theta` on `train` on the default device: the one `DESCENT_DEVICE` names, or
/// a hardware GPU if present, else the CPU ([`crate::device::Device::shared`]). Same inputs
/// and results as [`train_cpu`], within the tolerances the device tests state.
///
/// ```no_run
/// use descent::{data::OnesSevens, train};
/// let data = OnesSevens::load()?;
/// let config = train::TrainConfig::new(500, 9, 0.01);
/// let run = train::train(train::initial_theta(42), &data.train, &data.test, &config)?;
/// assert_eq!(run.test_loss.len(), 9 * 26);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn train(
    theta: Array1<f32>,
    train: &Subset,
    test: &Subset,
    config: &TrainConfig,
) -> Result<Run, TrainError> {
    crate::device::Device::shared()?.train(theta, train, test, config)
}

/// Trains from `theta` on `train` with plain (stochastic) gradient descent on the CPU.
///
/// ```no_run
/// use descent::{data::OnesSevens, train};
/// let data = OnesSevens::load()?;
/// let run = train::train_cpu(
///     train::initial_theta(42),
///     &data.train,
///     &data.test,
///     &train::TrainConfig::new(500, 9, 0.01),
/// )?;
/// assert_eq!(run.train_loss.len(), 9 * 26);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn train_cpu(
    mut theta: Array1<f32>,
    train: &Subset,
    test: &Subset,
    config: &TrainConfig,
) -> Result<Run, TrainError> {
    let n = train.len();
    config.validate(n)?;
    if theta.len() != train.x.ncols() + 1 {
        return Err(TrainError::ThetaLength {
            expected: train.x.ncols() + 1,
            found: theta.len(),
        });
    }
    let steps_per_epoch = config.steps_per_epoch(n);
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
    };
    let mut orders = Orders::new(n, config.shuffle);
    let mut test_loss = config
        .test_loss_every_step
        .then(|| TestLoss::new(&theta, train, test, config.batch_size, total_steps));
    let wants = Wants {
        gradient: true,
        probabilities: matches!(test_loss, Some(TestLoss::Incremental { .. })),
    };
    let mut residuals = Vec::with_capacity(config.batch_size);
    for _ in 0..config.epochs {
        orders.next_epoch();
        for rows in orders.current().chunks_exact(config.batch_size) {
            let (loss, gradient, probabilities) = logistic::pass(
                theta.view(),
                train.x.view(),
                train.t.view(),
                Some(rows),
                wants,
            );
            run.train_loss.push(loss);
            for (th, g) in theta.iter_mut().zip(&gradient) {
                *th -= config.learning_rate * g;
            }
            if let Some(tracker) = test_loss.as_mut() {
                residuals.clear();
                residuals.extend(
                    rows.iter()
                        .zip(&probabilities)
                        .map(|(&i, p)| p - train.t[i]),
                );
                run.test_loss.push(tracker.after_step(
                    &theta,
                    rows,
                    &residuals,
                    config.learning_rate,
                ));
            }
        }
    }
    run.theta = theta;
    Ok(run)
}
