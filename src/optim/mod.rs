//! The optimisers and learning-rate schedulers of `torch.optim`, with PyTorch's defaults, checks
//! and exact update order.
//!
//! Every optimiser implements [`Optimizer`]: `step(params, grads)` updates a parameter slice of
//! any length in place, so the same optimisers walk a 2-D landscape (`[f64; 2]`) and train the
//! 785 weights of the logistic regression (`f32`). The parameter type is a type parameter
//! ([`Real`]: `f32` or `f64`); the optimiser's state has the same type, as in PyTorch.
//!
//! Optimisers: [`Sgd`] (momentum, dampening, Nesterov, weight decay), [`RmsProp`], [`Adagrad`],
//! [`Adam`] (with AMSGrad), [`AdamW`], [`Adamax`]; each has a config with PyTorch's defaults
//! (`Adam::builder(lr)`), checked by `build()`. Schedulers: [`StepLr`], [`ExponentialLr`],
//! [`CosineAnnealingLr`], stepped after the optimiser as in PyTorch. [`Kind`] names them all,
//! for a menu or a race.
//!
//! A visible loop, as the book shows it:
//!
//! ```
//! use descent::landscape::{Landscape, Peaks};
//! use descent::optim::{Adam, Optimizer};
//!
//! let mut point = [0.0, 1.2];
//! let mut adam = Adam::new(0.75)?;
//! for _ in 0..50 {
//!     let (_value, gradient) = Peaks.value_and_gradient(point[0], point[1]);
//!     adam.step(&mut point, &gradient)?;
//! }
//! assert!(Peaks.value(point[0], point[1]) < -1.6);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! and the same in one call, with the path for a figure: see [`run`].

mod adagrad;
mod adam;
mod adamax;
mod adamw;
mod error;
mod kind;
mod real;
mod rmsprop;
mod run;
mod scheduler;
mod sgd;
mod spec;

pub use adagrad::{Adagrad, AdagradConfig};
pub use adam::{Adam, AdamConfig};
pub use adamax::{Adamax, AdamaxConfig};
pub use adamw::{AdamW, AdamWConfig};
pub use error::{ConfigError, StepError};
pub use kind::{Kind, UnknownOptimizer};
pub use real::Real;
pub use rmsprop::{RmsProp, RmsPropConfig};
pub use run::{Divergence, Path, run, run_scheduled};
pub use scheduler::{CosineAnnealingLr, ExponentialLr, LrScheduler, StepLr};
pub use sgd::{Sgd, SgdConfig};
pub use spec::{OptimizerConfig, Schedule};

/// Reading and setting an optimiser's learning rate: what a scheduler needs.
pub trait LearningRate {
    /// The learning rate the next step will use.
    fn lr(&self) -> f64;
    /// Sets the learning rate of the following steps (a scheduler's job; PyTorch does not check
    /// the value here either).
    fn set_lr(&mut self, lr: f64);
}

/// An optimiser: updates parameters in place from their gradients.
///
/// State (momentum buffers, running averages) is created at the first step for the length of
/// the slice given then; later steps must pass slices of that length. Pass the optimiser by
/// value to [`run`] for a fresh run, or `&mut` to continue from its state; [`Optimizer::reset`]
/// forgets the state.
pub trait Optimizer<T: Real = f64>: LearningRate {
    /// One update of `params` from `grads` (the gradient of the function to minimise).
    ///
    /// # Errors
    /// [`StepError`] when `grads` and `params` differ in length, or the state was made for
    /// another length. Nothing is changed then.
    fn step(&mut self, params: &mut [T], grads: &[T]) -> Result<(), StepError>;

    /// The optimiser's name as PyTorch spells it (`"Adam"`), for legends.
    fn name(&self) -> &'static str;

    /// How many steps were taken since the optimiser was made or reset.
    fn steps(&self) -> u64;

    /// Forgets the state, so the next step is a first step again. Hyper-parameters (including
    /// a learning rate a scheduler changed) stay.
    fn reset(&mut self);
}

impl<L: LearningRate + ?Sized> LearningRate for &mut L {
    fn lr(&self) -> f64 {
        (**self).lr()
    }
    fn set_lr(&mut self, lr: f64) {
        (**self).set_lr(lr);
    }
}

impl<L: LearningRate + ?Sized> LearningRate for Box<L> {
    fn lr(&self) -> f64 {
        (**self).lr()
    }
    fn set_lr(&mut self, lr: f64) {
        (**self).set_lr(lr);
    }
}

impl<T: Real, O: Optimizer<T> + ?Sized> Optimizer<T> for &mut O {
    fn step(&mut self, params: &mut [T], grads: &[T]) -> Result<(), StepError> {
        (**self).step(params, grads)
    }
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn steps(&self) -> u64 {
        (**self).steps()
    }
    fn reset(&mut self) {
        (**self).reset();
    }
}

impl<T: Real, O: Optimizer<T> + ?Sized> Optimizer<T> for Box<O> {
    fn step(&mut self, params: &mut [T], grads: &[T]) -> Result<(), StepError> {
        (**self).step(params, grads)
    }
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn steps(&self) -> u64 {
        (**self).steps()
    }
    fn reset(&mut self) {
        (**self).reset();
    }
}

/// The gradient entry as the update sees it: negated for `maximize`, plus `weight_decay · p`.
#[inline]
pub(crate) fn effective_grad<T: Real>(g: T, p: T, maximize: bool, weight_decay: Option<T>) -> T {
    let g = if maximize { -g } else { g };
    match weight_decay {
        Some(wd) => g + wd * p,
        None => g,
    }
}

/// `Some(wd)` as the parameter type when weight decay is on, as PyTorch's `if weight_decay != 0`.
#[inline]
pub(crate) fn decay<T: Real>(weight_decay: f64) -> Option<T> {
    (weight_decay != 0.0).then(|| T::from_f64(weight_decay))
}

#[cfg(test)]
pub(crate) mod testing {
    //! The quadratic `f(x, y) = x² + 3y²` from `(1, -1)`, for hand-derived first steps.

    use super::{Optimizer, Real};

    /// The points after steps 1 and 2 on `x² + 3y²` from `(1, -1)`.
    pub fn two_steps<T: Real>(opt: &mut impl Optimizer<T>) -> [[f64; 2]; 2] {
        let mut p = [T::from_f64(1.0), T::from_f64(-1.0)];
        let mut out = [[0.0; 2]; 2];
        for slot in &mut out {
            let g = [p[0] * T::from_f64(2.0), p[1] * T::from_f64(6.0)];
            opt.step(&mut p, &g)
                .expect("two parameters, two gradient entries");
            *slot = [p[0].to_f64(), p[1].to_f64()];
        }
        out
    }

    /// Asserts `got` equals `want` to `tol` relative (absolute near 0).
    pub fn assert_close(got: [[f64; 2]; 2], want: [[f64; 2]; 2], tol: f64) {
        for (step, (g, w)) in got.iter().zip(&want).enumerate() {
            for k in 0..2 {
                let err = (g[k] - w[k]).abs() / w[k].abs().max(1.0);
                assert!(
                    err <= tol,
                    "step {} coordinate {k}: got {}, want {}",
                    step + 1,
                    g[k],
                    w[k]
                );
            }
        }
    }
}
