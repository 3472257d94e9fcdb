//! 2-D landscapes with exact gradients: the surfaces the optimisers of [`crate::optim`] walk on.
//!
//! A function is written once, generic over a [`Scalar`]. Evaluated with `f64` it gives values
//! (for a [`Grid`] of a figure); evaluated with the dual number [`Dual2`] it gives the value
//! and the exact gradient in one pass (forward-mode automatic differentiation, the role of
//! PyTorch's `backward()`).
//!
//! Three ways to get a [`Landscape`]:
//! - the tutorial's functions: [`Peaks`], [`Rastrigin`] (optionally shifted and regularised),
//!   [`Rosenbrock`], [`Fancy`], [`Angry`], and for the loss-landscape chapter
//!   [`LearnableFunction`] and [`PointLoss`];
//! - a closure over dual numbers, through [`from_fn`];
//! - a type of one's own implementing [`Formula`] (one generic method), which is as fast as the
//!   built-in functions on a grid.
//!
//! ```
//! use descent::landscape::{Landscape, Peaks, from_fn};
//!
//! let (value, gradient) = Peaks.value_and_gradient(0.0, 1.2);
//! assert!((value - 1.47255).abs() < 1e-5);
//!
//! // A student's own function: constants on the left are fine with dual numbers.
//! let bowl = from_fn(|x, y| 0.5 * x.powi(2) + 2.0 * (y - 1.0).powi(2));
//! assert_eq!(bowl.value_and_gradient(2.0, 0.0), (4.0, [2.0, -4.0]));
//! # let _ = gradient;
//! ```

mod dual;
mod functions;
mod learnable;
mod sampling;
mod scalar;

pub use dual::{Dual, Dual2, value_and_gradient};
pub use functions::{
    Angry, Fancy, Peaks, Rastrigin, Rosenbrock, angry, fancy, peaks, rastrigin, rosenbrock,
};
pub use learnable::{LearnableFunction, PointLoss, f_theta};
pub use scalar::Scalar;

pub use crate::plane::{Grid, GridError, Point};

use std::ops::RangeInclusive;

/// A function of two variables with its exact gradient: what optimisers walk on and grids
/// sample.
///
/// Object safe, so landscapes of different types can share a list
/// (`Vec<Box<dyn Landscape>>`). Implemented by every [`Formula`] and by [`FromFn`].
pub trait Landscape: Sync {
    /// `f(x, y)`.
    fn value(&self, x: f64, y: f64) -> f64;

    /// `f(x, y)` and its gradient `[∂f/∂x, ∂f/∂y]`, exact up to rounding.
    ///
    /// For every [`Formula`] and [`from_fn`] closure the value is bit for bit the one
    /// [`Landscape::value`] gives, so a path and a grid of the same function agree.
    fn value_and_gradient(&self, x: f64, y: f64) -> (f64, [f64; 2]);

    /// The gradient `[∂f/∂x, ∂f/∂y]` alone.
    fn gradient(&self, x: f64, y: f64) -> [f64; 2] {
        self.value_and_gradient(x, y).1
    }

    /// The values on `n` x `n` evenly spaced points over `x` and `y` (ends included), one
    /// rayon task per row: the [`Grid`] a figure draws.
    ///
    /// ```
    /// use descent::landscape::{Landscape, Peaks};
    /// let grid = Peaks.grid(-3.0..=3.0, -3.0..=3.0, 61)?;
    /// assert_eq!(grid.dim(), (61, 61));
    /// # Ok::<(), descent::landscape::GridError>(())
    /// ```
    ///
    /// # Errors
    /// [`GridError`] when `n < 2` or a range is empty, reversed or not finite.
    fn grid(
        &self,
        x: RangeInclusive<f64>,
        y: RangeInclusive<f64>,
        n: usize,
    ) -> Result<Grid, GridError> {
        Grid::sample(|x, y| self.value(x, y), x, y, n)
    }

    /// Like [`Landscape::grid`], with the gradient at every point too, in the grid's order
    /// (for arrows, or a check).
    ///
    /// # Errors
    /// As [`Landscape::grid`].
    fn grid_with_gradients(
        &self,
        x: RangeInclusive<f64>,
        y: RangeInclusive<f64>,
        n: usize,
    ) -> Result<(Grid, Vec<[f64; 2]>), GridError> {
        sampling::with_gradients(self, x, y, n)
    }
}

/// A function of two variables written once for every [`Scalar`] type.
///
/// Implementing it makes a type a [`Landscape`]: values come from `eval::<f64>`, gradients
/// from `eval::<Dual2>`.
///
/// ```
/// use descent::landscape::{Formula, Landscape, Scalar};
///
/// /// A tilted valley, with its tilt as a parameter.
/// struct Valley {
///     tilt: f64,
/// }
///
/// impl Formula for Valley {
///     fn eval<S: Scalar>(&self, x: S, y: S) -> S {
///         y * y + x * self.tilt
///     }
/// }
///
/// assert_eq!(Valley { tilt: 0.5 }.value_and_gradient(1.0, 3.0), (9.5, [0.5, 6.0]));
/// ```
pub trait Formula: Sync {
    /// The function's value at `(x, y)` in the number type `S`.
    fn eval<S: Scalar>(&self, x: S, y: S) -> S;
}

impl<F: Formula> Landscape for F {
    #[inline]
    fn value(&self, x: f64, y: f64) -> f64 {
        self.eval(x, y)
    }

    #[inline]
    fn value_and_gradient(&self, x: f64, y: f64) -> (f64, [f64; 2]) {
        let out = self.eval(Dual2::variable(x, 0), Dual2::variable(y, 1));
        (out.v, out.d)
    }
}

/// A landscape defined by a closure over dual numbers; made by [`from_fn`].
#[derive(Clone, Copy)]
pub struct FromFn<F> {
    f: F,
}

impl<F> std::fmt::Debug for FromFn<F> {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        out.write_str("FromFn(<closure>)")
    }
}

/// A landscape from a closure `|x, y| ...` over [`Dual2`] numbers.
///
/// A closure cannot be generic, so it is written for dual numbers, which carry their value:
/// the same closure gives values (for grids) and gradients (for optimisers). Constants mix
/// freely (`3.0 * x`, `x.powi(2) - 1.0`); scalar functions are methods (`x.sin()`,
/// `(x * y).exp()`, `x.abs()`; see [`Dual`]).
///
/// ```
/// use descent::landscape::{Dual2, Landscape, f_theta, from_fn};
///
/// // The mean squared error of f_θ over three data points, as a function of (θ₁, θ₂).
/// let data = [(0.5, 1.0, 0.6), (1.0, 0.0, 0.2), (-0.5, 2.0, 0.1)];
/// let loss = from_fn(move |t1, t2| {
///     let errors = data.iter().map(|&(x, y, z)| {
///         (f_theta([t1, t2], Dual2::from(x), Dual2::from(y)) - z).powi(2)
///     });
///     errors.sum::<Dual2>() / 3.0
/// });
/// let (value, gradient) = loss.value_and_gradient(1.0, 1.0);
/// assert!(value > 0.0 && gradient.iter().all(|g| g.is_finite()));
/// ```
pub fn from_fn<F>(f: F) -> FromFn<F>
where
    F: Fn(Dual2, Dual2) -> Dual2 + Sync,
{
    FromFn { f }
}

impl<F> Landscape for FromFn<F>
where
    F: Fn(Dual2, Dual2) -> Dual2 + Sync,
{
    #[inline]
    fn value(&self, x: f64, y: f64) -> f64 {
        (self.f)(Dual2::constant(x), Dual2::constant(y)).v
    }

    #[inline]
    fn value_and_gradient(&self, x: f64, y: f64) -> (f64, [f64; 2]) {
        let out = (self.f)(Dual2::variable(x, 0), Dual2::variable(y, 1));
        (out.v, out.d)
    }
}
