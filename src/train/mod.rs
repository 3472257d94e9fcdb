//! Training the logistic regression: gradient descent, stochastic gradient descent and every
//! optimiser of [`crate::optim`], with the tutorial's mechanics by default: `floor(N / batch)`
//! steps per epoch, the data shuffled once, batches taken as consecutive slices of the order,
//! the batch loss recorded before each step and the test loss after it.
//!
//! [`TrainConfig`] says how (`config.rs`), [`SampleOrder`] draws the batches (`order.rs`),
//! [`Run`] is what comes back (`run.rs`); the loops themselves are the devices'
//! (`device/cpu/train.rs`, `device/gpu/train.rs`), which all start from
//! [`TrainConfig::check`].

mod config;
mod order;
mod run;

pub use config::{Shuffle, TrainConfig};
pub use order::SampleOrder;
pub use run::Run;

use crate::data::Subset;
use crate::device::{Device, DeviceError};
use crate::optim::{ConfigError, LrScheduler, Optimizer};
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
    /// `θ` does not have one weight per pixel plus a bias.
    #[error("θ has {found} entries but the data needs {expected} (one per pixel, bias last)")]
    ThetaLength {
        /// Entries needed.
        expected: usize,
        /// Entries given.
        found: usize,
    },
    /// A set's pixel rows and targets differ in number.
    #[error(
        "the {set} set has {rows} rows of pixels but {targets} targets; give one target per row"
    )]
    Targets {
        /// `"training"` or `"test"`.
        set: &'static str,
        /// Rows of pixels.
        rows: usize,
        /// Targets.
        targets: usize,
    },
    /// The test set cannot give a test loss.
    #[error(
        "the test set has {rows} rows of {cols} pixels; the test loss needs at least one row of \
         {expected_cols} pixels, as in the training set (or train without_test_loss())"
    )]
    TestSet {
        /// Rows in the test set.
        rows: usize,
        /// Its columns.
        cols: usize,
        /// The training set's columns.
        expected_cols: usize,
    },
    /// `θ` is a view with gaps between its entries (e.g. a column of a matrix).
    #[error("θ must be a contiguous array; pass an owned copy (theta.to_owned())")]
    ThetaLayout,
    /// `record_theta_every(0)`.
    #[error("θ cannot be kept every 0 steps; give 1 or more")]
    ThetaEvery,
    /// The optimiser or schedule's hyper-parameters (see [`ConfigError`]).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A step failed (see [`crate::optim::StepError`]).
    #[error(transparent)]
    Step(#[from] crate::optim::StepError),
    /// Inputs whose shapes do not fit (see [`crate::logistic::ShapeError`]).
    #[error(transparent)]
    Shape(#[from] crate::logistic::ShapeError),
    /// The compute device failed (see [`DeviceError`]).
    #[error(transparent)]
    Device(#[from] DeviceError),
}

/// Trains from `theta` on `train` on the default device: the one `DESCENT_DEVICE` names, or
/// a hardware GPU if present, else the CPU ([`Device::shared`]). Same inputs and results as
/// [`train_cpu`], within the tolerances the device tests state; settings the GPU kernels do
/// not cover (any optimiser but plain SGD, a schedule, a θ history) train on the CPU, and the
/// page's device note says so.
///
/// ```no_run
/// use descent::prelude::*;
/// let data = OnesSevens::load()?;
/// let config = TrainConfig::new(500, 9, 0.01);
/// let run = train(initial_theta(42), &data.train, &data.test, &config)?;
/// assert_eq!(run.test_loss.len(), 9 * 26);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn train(
    theta: Array1<f32>,
    train: &Subset,
    test: &Subset,
    config: &TrainConfig,
) -> Result<Run, TrainError> {
    Device::shared()?.train(theta, train, test, config)
}

/// Trains from `theta` on `train` on the CPU, the reference path.
///
/// ```no_run
/// use descent::prelude::*;
/// let data = OnesSevens::load()?;
/// let config = TrainConfig::new(500, 9, 0.01);
/// let run = train_cpu(initial_theta(42), &data.train, &data.test, &config)?;
/// assert_eq!(run.train_loss.len(), 9 * 26);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn train_cpu(
    theta: Array1<f32>,
    train: &Subset,
    test: &Subset,
    config: &TrainConfig,
) -> Result<Run, TrainError> {
    Device::cpu().train(theta, train, test, config)
}

/// Trains on the CPU with an optimiser (and scheduler) of the caller's, continuing from
/// whatever state it has; `config`'s own optimiser and schedule are not used.
///
/// ```no_run
/// use descent::prelude::*;
/// let data = OnesSevens::load()?;
/// let mut adam = Adam::new(1e-3)?;
/// let mut cosine = CosineAnnealingLr::new(&adam, 3, 0.0)?;
/// let config = TrainConfig::new(500, 3, 1e-3);
/// let run = train_with(initial_theta(0), &data.train, &data.test, &config, &mut adam, Some(&mut cosine))?;
/// assert_eq!(run.learning_rates.len(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn train_with(
    theta: Array1<f32>,
    train: &Subset,
    test: &Subset,
    config: &TrainConfig,
    optimizer: &mut dyn Optimizer<f32>,
    scheduler: Option<&mut dyn LrScheduler>,
) -> Result<Run, TrainError> {
    config.check(&theta, train, test)?;
    // The caller's optimiser may carry momentum or decay: the test loss is recomputed directly.
    crate::device::cpu::train::train(theta, train, test, config, optimizer, scheduler, false)
}
