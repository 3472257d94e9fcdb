//! The test loss after every training step, computed the cheaper of two exact ways.
//!
//! Directly, each step costs a pass over the whole test matrix. With small batches and many
//! steps that pass dominates training (the tutorial's batch-1 epoch makes 13007 of them), so
//! the logits of the test set are then kept up to date instead: an SGD step changes `w` by
//! `-(lr / b) Σ r_i x_i` and `b` by `-(lr / b) Σ r_i`, so each test logit changes by
//! `-(lr / b) Σ r_i (x_i · x_test + 1)`. The dot products of every training image with every
//! test image come from one matrix product up front, which runs near the machine's peak where
//! the per-step passes are bound by memory. The logits are recomputed directly every
//! [`RESYNC_STEPS`] steps, so rounding cannot drift.

use crate::data::Subset;
use crate::logistic::{self, ShapeError};
use ndarray::{Array1, Array2};

/// Steps between direct recomputations of the test logits on the incremental path.
pub const RESYNC_STEPS: usize = 1024;

/// Largest train-by-test product matrix the incremental path may hold, in entries (256 MB).
const MAX_GRAM_ENTRIES: usize = 64 << 20;

/// Tracks the test loss across the steps of one training run.
pub(crate) enum TestLoss<'a> {
    /// A pass over the test set after every step.
    Direct { test: &'a Subset },
    /// Test logits updated through the train-by-test dot products.
    Incremental {
        test: &'a Subset,
        /// `gram[(i, j)] = x_train_i · x_test_j + 1`.
        gram: Array2<f32>,
        logits: Vec<f64>,
        steps_since_sync: usize,
    },
}

impl<'a> TestLoss<'a> {
    /// Picks the cheaper way for `steps` steps of `batch_size` samples.
    pub(crate) fn new(
        theta: &Array1<f32>,
        train: &Subset,
        test: &'a Subset,
        batch_size: usize,
        steps: usize,
        plain_sgd: bool,
    ) -> Self {
        let (n_train, n_test) = (train.len(), test.len());
        // The product costs about as much as n_train / 4 direct passes (it runs ~4x faster
        // per operation); the incremental update costs b * n_test per step.
        let pays = plain_sgd && batch_size <= 32 && steps.saturating_mul(4) >= n_train;
        if !pays || n_train.saturating_mul(n_test) > MAX_GRAM_ENTRIES {
            return Self::Direct { test };
        }
        let mut gram = train.x.dot(&test.x.t());
        gram.mapv_inplace(|v| v + 1.0);
        Self::Incremental {
            test,
            gram,
            logits: direct_logits(theta, test),
            steps_since_sync: 0,
        }
    }

    /// The test loss after a step that moved `θ` to `theta`, taken on the training rows
    /// `rows` whose residuals `p - t` were `residuals`, with learning rate `lr`.
    pub(crate) fn after_step(
        &mut self,
        theta: &Array1<f32>,
        rows: &[usize],
        residuals: &[f32],
        lr: f32,
    ) -> Result<f32, ShapeError> {
        Ok(match self {
            Self::Direct { test } => logistic::loss(theta.view(), test.x.view(), test.t.view())?,
            Self::Incremental {
                test,
                gram,
                logits,
                steps_since_sync,
            } => {
                *steps_since_sync += 1;
                if *steps_since_sync == RESYNC_STEPS {
                    *logits = direct_logits(theta, test);
                    *steps_since_sync = 0;
                } else {
                    let scale = -f64::from(lr) / rows.len() as f64;
                    for (&i, &r) in rows.iter().zip(residuals) {
                        let c = scale * f64::from(r);
                        for (z, g) in logits.iter_mut().zip(gram.row(i)) {
                            *z += c * f64::from(*g);
                        }
                    }
                }
                let sum: f64 = logits
                    .iter()
                    .zip(&test.t)
                    .map(|(&z, &t)| logistic::sample_loss(z, f64::from(t)))
                    .sum();
                (sum / logits.len() as f64) as f32
            }
        })
    }

    /// Whether this run updates the logits instead of recomputing them.
    #[cfg(test)]
    pub(crate) fn is_incremental(&self) -> bool {
        matches!(self, Self::Incremental { .. })
    }
}

fn direct_logits(theta: &Array1<f32>, test: &Subset) -> Vec<f64> {
    let (w, b) = theta.view().split_at(ndarray::Axis(0), theta.len() - 1);
    test.x
        .dot(&w)
        .iter()
        .map(|&z| f64::from(z + b[0]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subset(n: usize, d: usize, seed: usize) -> Subset {
        let x = Array2::from_shape_fn((n, d), |(i, j)| {
            (((i * 37 + j * 11 + seed * 5) % 29) as f32 - 14.0) / 9.0
        });
        let t = Array1::from_shape_fn(n, |i| f32::from(u8::from((i * 7 + seed).is_multiple_of(3))));
        Subset {
            x,
            t,
            source_index: (0..n).collect(),
        }
    }

    #[test]
    fn incremental_logits_match_a_direct_pass_across_resyncs() {
        let (train, test) = (subset(300, 20, 1), subset(50, 20, 2));
        let mut theta = Array1::from_shape_fn(21, |j| 0.01 * j as f32 - 0.1);
        let lr = 0.05;
        let mut tracker = TestLoss::new(&theta, &train, &test, 2, 1100, true);
        assert!(tracker.is_incremental());
        for step in 0..1100 {
            let rows = [(2 * step) % 300, (2 * step + 1) % 300];
            let wants = logistic::Wants {
                gradient: true,
                probabilities: true,
            };
            let (_, g, p) = logistic::pass(
                theta.view(),
                train.x.view(),
                train.t.view(),
                Some(&rows),
                wants,
            )
            .unwrap();
            theta.iter_mut().zip(&g).for_each(|(th, g)| *th -= lr * g);
            let r: Vec<f32> = rows.iter().zip(&p).map(|(&i, p)| p - train.t[i]).collect();
            let tracked = tracker.after_step(&theta, &rows, &r, lr).unwrap();
            let direct = logistic::loss(theta.view(), test.x.view(), test.t.view()).unwrap();
            assert!(
                (tracked - direct).abs() <= 2e-5 * direct,
                "step {step}: tracked {tracked} vs direct {direct}"
            );
        }
    }

    #[test]
    fn other_optimizers_pass_over_the_test_set_directly() {
        let (train, test) = (subset(300, 20, 1), subset(50, 20, 2));
        let theta = Array1::zeros(21);
        assert!(!TestLoss::new(&theta, &train, &test, 2, 1100, false).is_incremental());
    }

    #[test]
    fn large_batches_pass_over_the_test_set_directly() {
        let (train, test) = (subset(300, 20, 1), subset(50, 20, 2));
        let theta = Array1::zeros(21);
        assert!(!TestLoss::new(&theta, &train, &test, 100, 27, true).is_incremental());
    }
}
