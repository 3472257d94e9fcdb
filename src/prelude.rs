//! One `use` line for a chapter cell: `use descent::prelude::*;` brings the everyday types,
//! the traits whose methods cells call, the training functions and `ndarray`'s array types.
//!
//! ```no_run
//! use descent::prelude::*;
//!
//! let data = OnesSevens::load()?;
//! let config = TrainConfig::new(500, 3, 0.01)
//!     .optimizer(Adam::builder(1e-3).weight_decay(1e-2))
//!     .schedule(Schedule::cosine(3));
//! let run = train(initial_theta(0), &data.train, &data.test, &config)?;
//! println!("final test loss {:.4}", run.test_loss.last().unwrap_or(&f32::NAN));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use crate::data::{Mnist, OnesSevens, Subset};
pub use crate::device::Device;
pub use crate::figure::{
    AnimatedHeatmap, AnimatedSurface, ColourMap, Figure, Gallery, Heatmap, Image, ImageGrid,
    Landscape2d, Landscape3d, LineChart, Marker, RunComparison, Variants,
};
pub use crate::landscape::{
    Angry, Dual2, Fancy, Formula, Landscape, LearnableFunction, Peaks, PointLoss, Rastrigin,
    Rosenbrock, Scalar, from_fn,
};
pub use crate::logistic::{self, Evaluation, Score};
pub use crate::optim::{
    Adagrad, Adam, AdamW, Adamax, CosineAnnealingLr, ExponentialLr, Kind, LearningRate,
    LrScheduler, Optimizer, OptimizerConfig, RmsProp, Schedule, Sgd, StepLr,
};
pub use crate::optim::{Divergence, Path, run, run_scheduled};
pub use crate::plane::{Grid, Point, Trace};
pub use crate::train::{
    Run, SampleOrder, Shuffle, TrainConfig, initial_theta, train, train_cpu, train_with,
};
pub use ndarray::{Array1, Array2, ArrayView1, ArrayView2, array, s};
