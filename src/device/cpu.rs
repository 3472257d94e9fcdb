//! The CPU path: the reference implementation in [`crate::logistic`] and
//! [`crate::train::train_cpu`], run on all cores with sums in a fixed order. It is the fallback
//! when no GPU is present and the yardstick every GPU kernel is tested against.

use crate::data::Subset;
use crate::logistic::{self, Evaluation};
use crate::train::{self, Run, TrainConfig, TrainError};
use ndarray::{Array1, ArrayView1, ArrayView2};

/// The CPU, through rayon's thread pool.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cpu;

impl Cpu {
    /// "CPU (2 threads)".
    pub fn describe(&self) -> String {
        format!("CPU ({} threads)", rayon::current_num_threads())
    }

    /// Loss, gradient and probabilities of one batch.
    pub fn evaluate(
        &self,
        theta: ArrayView1<f32>,
        x: ArrayView2<f32>,
        t: ArrayView1<f32>,
    ) -> Evaluation {
        logistic::evaluate(theta, x, t)
    }

    /// Trains with [`train::train_cpu`].
    pub fn train(
        &self,
        theta: Array1<f32>,
        train_set: &Subset,
        test_set: &Subset,
        config: &TrainConfig,
    ) -> Result<Run, TrainError> {
        train::train_cpu(theta, train_set, test_set, config)
    }
}
