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
//!
//! On pixel bytes the direct pass is one fused read of the test bytes (1.7 MB, which stays in
//! cache from step to step) giving logits and loss together; the products come from the bytes
//! too, exactly in integers, with the normalisation unfolded as each is written
//! ([`gram_plus_one`]). Both ways take the loss terms from the vectorised log-sigmoid.

use super::byte_product;
use crate::data::Subset;
use crate::logistic::{self, Inputs, ShapeError, softplus};
use ndarray::{Array1, Array2, ArrayView2, Axis};

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
        /// The logits in `f32`, for the vectorised loss.
        scratch: Vec<f32>,
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
        Self::Incremental {
            test,
            gram: gram_plus_one(train.inputs(), test.inputs()),
            logits: direct_logits(theta, test),
            scratch: Vec::with_capacity(n_test),
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
        let mut updates = Vec::with_capacity(rows.len());
        Ok(match self {
            Self::Direct { test } => logistic::loss(theta.view(), test.inputs(), test.t.view())?,
            Self::Incremental {
                test,
                gram,
                logits,
                scratch,
                steps_since_sync,
            } => {
                *steps_since_sync += 1;
                if *steps_since_sync == RESYNC_STEPS {
                    *logits = direct_logits(theta, test);
                    *steps_since_sync = 0;
                } else {
                    let scale = -f64::from(lr) / rows.len() as f64;
                    let n_test = logits.len();
                    let gram = gram.as_slice().expect("an owned matrix is contiguous");
                    updates.clear();
                    updates.extend(
                        rows.iter()
                            .zip(residuals)
                            .map(|(&i, &r)| (scale * f64::from(r), &gram[i * n_test..][..n_test])),
                    );
                    let t = test.t.as_slice().expect("an owned array is contiguous");
                    let sum = update_and_sum(logits, &updates, t);
                    return Ok((sum / n_test as f64) as f32);
                }
                scratch.clear();
                scratch.extend(logits.iter().map(|&z| z as f32));
                let t = test.t.as_slice().expect("an owned array is contiguous");
                (softplus::loss_sum(scratch, t) / logits.len() as f64) as f32
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
    let theta = theta.as_slice().expect("training keeps θ contiguous");
    logistic::logits(theta, test.inputs())
        .into_iter()
        .map(f64::from)
        .collect()
}

/// Adds `Σ c g` over `updates` to each logit (in `updates`' order) and returns the summed
/// loss of the new logits: one vectorised sweep over the logits, compiled for AVX2 and FMA
/// where the processor has them (the same operations either way, so the same results).
fn update_and_sum(logits: &mut [f64], updates: &[(f64, &[f32])], t: &[f32]) -> f64 {
    #[inline(always)]
    fn body<S: softplus::Lanes>(logits: &mut [f64], updates: &[(f64, &[f32])], t: &[f32]) -> f64 {
        const W: usize = 8;
        assert!(updates.iter().all(|(_, g)| g.len() == logits.len()) && t.len() == logits.len());
        let mut acc = [0.0f64; W];
        let mut sum = 0.0;
        for (start, block) in logits.chunks_mut(W).enumerate().map(|(b, z)| (b * W, z)) {
            if block.len() == W {
                let mut z = [0.0f64; W];
                z.copy_from_slice(block);
                for &(c, g) in updates {
                    let g = &g[start..start + W];
                    for k in 0..W {
                        z[k] += c * f64::from(g[k]);
                    }
                }
                block.copy_from_slice(&z);
                let zf = z.map(|z| z as f32);
                let tk: &[f32; W] = t[start..start + W].try_into().expect("a block of W");
                let l = S::losses(&zf, tk);
                for k in 0..W {
                    acc[k] += f64::from(l[k]);
                }
            } else {
                for (k, zk) in block.iter_mut().enumerate() {
                    for &(c, g) in updates {
                        *zk += c * f64::from(g[start + k]);
                    }
                    sum += f64::from(softplus::loss(*zk as f32, t[start + k]));
                }
            }
        }
        let lanes =
            ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
        lanes + sum
    }
    #[cfg(target_arch = "x86_64")]
    if softplus::Avx2Fma::available() {
        #[target_feature(enable = "avx2,fma")]
        fn with_avx2(logits: &mut [f64], updates: &[(f64, &[f32])], t: &[f32]) -> f64 {
            body::<softplus::Avx2Fma>(logits, updates, t)
        }
        // SAFETY: the processor supports AVX2 and FMA, checked just above.
        return unsafe { with_avx2(logits, updates, t) };
    }
    body::<softplus::Scalar>(logits, updates, t)
}

/// `x̃_i · x̃_j + 1` for every training row `i` and test row `j`.
///
/// On bytes, with `x̃ = a v - c` per pixel over `d` pixels,
/// `x̃_i · x̃_j = a² (v_i · v_j) - a c (Σv_i + Σv_j) + d c²`; `v_i · v_j` is the exact integer
/// product of the raw bytes ([`byte_product`]), over the
/// pixels that are not blank in every image of one of the two sets (a blank pixel adds
/// nothing to any `v_i · v_j`: for MNIST's ones and sevens that skips the border).
pub(crate) fn gram_plus_one(train: Inputs, test: Inputs) -> Array2<f32> {
    let (train, test) = match (train, test) {
        (Inputs::Pixels(train), Inputs::Pixels(test)) => (train.bytes(), test.bytes()),
        (train, test) => {
            let (train, test) = (values(train), values(test));
            let mut gram = train.dot(&test.t());
            gram.mapv_inplace(|v| v + 1.0);
            return gram;
        }
    };
    let inked = |v: &ArrayView2<u8>| -> Vec<bool> {
        v.axis_iter(Axis(1))
            .map(|c| c.iter().any(|&p| p > 0))
            .collect()
    };
    let kept: Vec<usize> = inked(&train)
        .into_iter()
        .zip(inked(&test))
        .enumerate()
        .filter(|&(_, (a, b))| a && b)
        .map(|(j, _)| j)
        .collect();
    let sums = |v: &ArrayView2<u8>| -> Vec<f64> {
        v.rows()
            .into_iter()
            .map(|r| r.iter().map(|&p| f64::from(p)).sum())
            .collect()
    };
    let (train_sums, test_sums) = (sums(&train), sums(&test));
    let (a, c) = (logistic::pixel_scale(), logistic::pixel_shift());
    let constant = train.ncols() as f64 * c * c + 1.0;
    let test_terms: Vec<f64> = test_sums.iter().map(|&s| a * c * s).collect();
    let row_terms: Vec<f64> = train_sums.iter().map(|&s| constant - a * c * s).collect();
    let kept_of = |v: &ArrayView2<u8>, i: usize| kept.iter().map(|&j| v[(i, j)]).collect();
    let (n_train, n_test) = (train.nrows(), test.nrows());
    let mut gram = Array2::<f32>::zeros((n_train, n_test));
    byte_product::product_into(
        gram.as_slice_mut().expect("an owned matrix is contiguous"),
        (n_train, |i| kept_of(&train, i)),
        (n_test, |j| kept_of(&test, j)),
        |i, j, product| ((a * a * f64::from(product) - test_terms[j]) + row_terms[i]) as f32,
    );
    gram
}

/// `f32` features of either kind (bytes normalised), for the general product.
fn values(x: Inputs) -> Array2<f32> {
    match x {
        Inputs::Values(x) => x.to_owned(),
        Inputs::Pixels(v) => v.bytes().mapv(crate::data::normalise_pixel),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subset(n: usize, d: usize, seed: usize) -> Subset {
        let x = Array2::from_shape_fn((n, d), |(i, j)| {
            (((i * 37 + j * 11 + seed * 5) % 29) as f32 - 14.0) / 9.0
        });
        let t = Array1::from_shape_fn(n, |i| f32::from(u8::from((i * 7 + seed).is_multiple_of(3))));
        Subset::from_values(x, t, (0..n).collect())
    }

    /// Digit-like bytes: a blank border, ink in the middle.
    fn pixels(n: usize, seed: usize) -> Subset {
        let v = Array2::from_shape_fn((n, 64), |(i, j)| {
            let (r, c) = (j / 8, j % 8);
            if r == 0 || c == 7 {
                0
            } else {
                ((i * 53 + j * 19 + seed * 7) % 256) as u8
            }
        });
        let t = Array1::from_shape_fn(n, |i| f32::from(u8::from((i + seed).is_multiple_of(2))));
        Subset::from_pixels(v, t, (0..n).collect())
    }

    #[test]
    fn products_of_bytes_match_products_of_normalised_values() {
        let (train, test) = (pixels(40, 1), pixels(9, 2));
        let folded = gram_plus_one(train.inputs(), test.inputs());
        let mut direct = train.x().dot(&test.x().t());
        direct.mapv_inplace(|v| v + 1.0);
        for (a, b) in folded.iter().zip(&direct) {
            assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "{a} vs {b}");
        }
    }

    #[test]
    fn incremental_logits_on_bytes_match_a_direct_pass() {
        let (train, test) = (pixels(300, 1), pixels(50, 2));
        let mut theta = Array1::from_shape_fn(65, |j| 0.001 * j as f32 - 0.03);
        let lr = 0.01;
        let mut tracker = TestLoss::new(&theta, &train, &test, 1, 1100, true);
        assert!(tracker.is_incremental());
        let wants = logistic::Wants {
            gradient: true,
            probabilities: true,
        };
        for step in 0..1100 {
            let rows = [step % 300];
            let (_, g, p) = logistic::pass(
                theta.view(),
                train.inputs(),
                train.t.view(),
                Some(&rows),
                wants,
            )
            .unwrap();
            theta.iter_mut().zip(&g).for_each(|(th, g)| *th -= lr * g);
            let r = [p[0] - train.t[rows[0]]];
            let tracked = tracker.after_step(&theta, &rows, &r, lr).unwrap();
            let direct = logistic::loss(theta.view(), test.inputs(), test.t.view()).unwrap();
            assert!(
                (tracked - direct).abs() <= 2e-5 * direct,
                "step {step}: tracked {tracked} vs direct {direct}"
            );
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
                train.inputs(),
                train.t.view(),
                Some(&rows),
                wants,
            )
            .unwrap();
            theta.iter_mut().zip(&g).for_each(|(th, g)| *th -= lr * g);
            let r: Vec<f32> = rows.iter().zip(&p).map(|(&i, p)| p - train.t[i]).collect();
            let tracked = tracker.after_step(&theta, &rows, &r, lr).unwrap();
            let direct = logistic::loss(theta.view(), test.inputs(), test.t.view()).unwrap();
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
