//! The floating-point types optimisers update: `f64` for 2-D landscapes, `f32` for the
//! logistic regression's weights.
//!
//! Hyper-parameters are always `f64` (as Python floats are in PyTorch); per-step scalar
//! factors such as Adam's bias corrections are computed in `f64` and rounded to the parameter
//! type where they meet the parameters, which is what PyTorch does for `float32` tensors.

use std::fmt::Debug;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// A floating-point parameter type: implemented for `f32` and `f64`.
pub trait Real:
    Copy
    + Debug
    + PartialOrd
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// Zero.
    const ZERO: Self;
    /// The nearest value of this type to `v`.
    fn from_f64(v: f64) -> Self;
    /// The value as `f64` (exact).
    fn to_f64(self) -> f64;
    /// Square root.
    fn sqrt(self) -> Self;
    /// Absolute value.
    fn abs(self) -> Self;
    /// Whether the value is neither infinite nor NaN.
    fn is_finite(self) -> bool;
    /// Whether the value is NaN.
    fn is_nan(self) -> bool;
}

macro_rules! impl_real {
    ($t:ty) => {
        impl Real for $t {
            const ZERO: Self = 0.0;
            #[inline]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline]
            fn to_f64(self) -> f64 {
                f64::from(self)
            }
            #[inline]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[inline]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
            #[inline]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
        }
    };
}

impl_real!(f32);
impl_real!(f64);

/// `torch.lerp(a, b, w)`: `a + w (b - a)`, computed as PyTorch does (from the nearer end).
#[inline]
pub(crate) fn lerp<T: Real>(a: T, b: T, w: T) -> T {
    let half = T::from_f64(0.5);
    let w_abs = w.abs();
    if w_abs < half {
        a + w * (b - a)
    } else {
        b - (b - a) * (T::from_f64(1.0) - w)
    }
}

/// `torch.maximum(a, b)`: the larger value, NaN if either is NaN.
#[inline]
pub(crate) fn maximum<T: Real>(a: T, b: T) -> T {
    if a.is_nan() || b.is_nan() {
        if a.is_nan() { a } else { b }
    } else if a >= b {
        a
    } else {
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lerp_hits_both_ends_exactly() {
        assert_eq!(lerp(2.0f64, 5.0, 0.0), 2.0);
        assert_eq!(lerp(2.0f64, 5.0, 1.0), 5.0);
        assert_eq!(lerp(2.0f32, 6.0, 0.25), 3.0);
        assert_eq!(lerp(2.0f32, 6.0, 0.75), 5.0);
    }

    #[test]
    fn maximum_propagates_nan() {
        assert!(maximum(f64::NAN, 1.0).is_nan());
        assert!(maximum(1.0, f64::NAN).is_nan());
        assert_eq!(maximum(1.0f32, 2.0), 2.0);
    }
}
