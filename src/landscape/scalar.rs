//! The number type a landscape is written over: `f64` for plain values, [`Dual`](super::Dual)
//! for values with exact gradients.
//!
//! A function written once as `fn f<S: Scalar>(x: S, y: S) -> S` can be evaluated on a grid
//! (with `S = f64`, the fast path) and differentiated (with `S = Dual<N>`), the role of
//! PyTorch's `backward()`.

use std::fmt::Debug;
use std::iter::Sum;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// A real number type that landscapes are generic over.
///
/// Arithmetic works between two scalars and between a scalar and an `f64` constant on the
/// right (`x * 3.0`, `x - 1.0`); a constant on the left is written `S::from(3.0) * x`.
///
/// ```
/// use descent::landscape::{Dual2, Scalar};
///
/// fn bowl<S: Scalar>(x: S, y: S) -> S {
///     x * x + (y - 1.0).powi(2) * 3.0
/// }
/// assert_eq!(bowl(2.0, 1.0), 4.0);
/// let d = bowl(Dual2::variable(2.0, 0), Dual2::variable(1.0, 1));
/// assert_eq!((d.value(), d.d), (4.0, [4.0, 0.0]));
/// ```
pub trait Scalar:
    Copy
    + Debug
    + Send
    + Sync
    + 'static
    + From<f64>
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
    + Sum
{
    /// The plain value (for a dual number: without its derivatives).
    fn value(self) -> f64;
    /// Sine.
    fn sin(self) -> Self;
    /// Cosine.
    fn cos(self) -> Self;
    /// `e^self`.
    fn exp(self) -> Self;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// Square root.
    fn sqrt(self) -> Self;
    /// Hyperbolic tangent.
    fn tanh(self) -> Self;
    /// Absolute value (its derivative at 0 is 0, as in PyTorch).
    fn abs(self) -> Self;
    /// Integer power.
    fn powi(self, n: i32) -> Self;
    /// Real power with a constant exponent.
    fn powf(self, p: f64) -> Self;
}

// The transcendental functions come from the `libm` crate, not the platform's maths library:
// the same bits natively and in the playground's WebAssembly module, so a path in the page is
// the path of the book.
impl Scalar for f64 {
    #[inline]
    fn value(self) -> f64 {
        self
    }
    #[inline]
    fn sin(self) -> Self {
        libm::sin(self)
    }
    #[inline]
    fn cos(self) -> Self {
        libm::cos(self)
    }
    #[inline]
    fn exp(self) -> Self {
        libm::exp(self)
    }
    #[inline]
    fn ln(self) -> Self {
        libm::log(self)
    }
    #[inline]
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
    #[inline]
    fn tanh(self) -> Self {
        libm::tanh(self)
    }
    #[inline]
    fn abs(self) -> Self {
        f64::abs(self)
    }
    #[inline]
    fn powi(self, n: i32) -> Self {
        f64::powi(self, n)
    }
    #[inline]
    fn powf(self, p: f64) -> Self {
        libm::pow(self, p)
    }
}
