//! Forward-mode dual numbers: a value and its exact partial derivatives, carried through every
//! operation by the chain rule.
//!
//! `Dual<N>` tracks `N` partial derivatives at once, so one evaluation of a function of `N`
//! variables gives its value and its whole gradient. [`Dual2`] is the 2-D case used by the
//! landscapes; [`value_and_gradient`] handles any `N`.

use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

use super::Scalar;

/// A number `v + Σ d[i] ε_i` with `ε_i ε_j = 0`: the value `v` and its partial derivatives `d`.
///
/// ```
/// use descent::landscape::{Dual2, Scalar};
///
/// let x = Dual2::variable(3.0, 0);
/// let y = Dual2::variable(2.0, 1);
/// let f = x * x * y + y.sin();
/// assert_eq!(f.value(), 18.0 + 2f64.sin());
/// assert_eq!(f.d, [12.0, 9.0 + 2f64.cos()]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dual<const N: usize> {
    /// The value.
    pub v: f64,
    /// The partial derivatives with respect to the `N` variables.
    pub d: [f64; N],
}

/// A dual number over two variables `(x, y)`: what a 2-D landscape is evaluated with.
pub type Dual2 = Dual<2>;

impl<const N: usize> Dual<N> {
    /// A constant: value `v`, all derivatives 0.
    #[inline]
    pub const fn constant(v: f64) -> Self {
        Self { v, d: [0.0; N] }
    }

    /// The variable number `index` (0-based) at value `v`: derivative 1 with respect to itself.
    ///
    /// An `index >= N` gives a constant (it is no variable of this number type).
    #[inline]
    pub fn variable(v: f64, index: usize) -> Self {
        let mut d = [0.0; N];
        if let Some(slot) = d.get_mut(index) {
            *slot = 1.0;
        }
        Self { v, d }
    }

    /// The variables `0..N` at the point `at`.
    #[inline]
    pub fn variables(at: [f64; N]) -> [Self; N] {
        std::array::from_fn(|i| Self::variable(at[i], i))
    }

    /// The chain rule for a function `g` with `g(v) = value` and `g'(v) = slope`.
    #[inline]
    fn chain(self, value: f64, slope: f64) -> Self {
        Self {
            v: value,
            d: self.d.map(|d| d * slope),
        }
    }
}

impl<const N: usize> From<f64> for Dual<N> {
    #[inline]
    fn from(v: f64) -> Self {
        Self::constant(v)
    }
}

impl<const N: usize> Default for Dual<N> {
    fn default() -> Self {
        Self::constant(0.0)
    }
}

impl<const N: usize> Add for Dual<N> {
    type Output = Self;
    #[inline]
    fn add(self, o: Self) -> Self {
        Self {
            v: self.v + o.v,
            d: std::array::from_fn(|i| self.d[i] + o.d[i]),
        }
    }
}

impl<const N: usize> Sub for Dual<N> {
    type Output = Self;
    #[inline]
    fn sub(self, o: Self) -> Self {
        Self {
            v: self.v - o.v,
            d: std::array::from_fn(|i| self.d[i] - o.d[i]),
        }
    }
}

impl<const N: usize> Mul for Dual<N> {
    type Output = Self;
    #[inline]
    #[allow(clippy::suspicious_arithmetic_impl, reason = "the product rule")]
    fn mul(self, o: Self) -> Self {
        Self {
            v: self.v * o.v,
            d: std::array::from_fn(|i| self.d[i] * o.v + self.v * o.d[i]),
        }
    }
}

impl<const N: usize> Div for Dual<N> {
    type Output = Self;
    #[inline]
    #[allow(clippy::suspicious_arithmetic_impl, reason = "the quotient rule")]
    fn div(self, o: Self) -> Self {
        let q = self.v / o.v;
        Self {
            v: q,
            d: std::array::from_fn(|i| (self.d[i] - q * o.d[i]) / o.v),
        }
    }
}

impl<const N: usize> Neg for Dual<N> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Self {
            v: -self.v,
            d: self.d.map(|d| -d),
        }
    }
}

impl<const N: usize> Add<f64> for Dual<N> {
    type Output = Self;
    #[inline]
    fn add(self, c: f64) -> Self {
        Self {
            v: self.v + c,
            ..self
        }
    }
}

impl<const N: usize> Sub<f64> for Dual<N> {
    type Output = Self;
    #[inline]
    fn sub(self, c: f64) -> Self {
        Self {
            v: self.v - c,
            ..self
        }
    }
}

impl<const N: usize> Mul<f64> for Dual<N> {
    type Output = Self;
    #[inline]
    fn mul(self, c: f64) -> Self {
        Self {
            v: self.v * c,
            d: self.d.map(|d| d * c),
        }
    }
}

impl<const N: usize> Div<f64> for Dual<N> {
    type Output = Self;
    #[inline]
    fn div(self, c: f64) -> Self {
        Self {
            v: self.v / c,
            d: self.d.map(|d| d / c),
        }
    }
}

impl<const N: usize> Add<Dual<N>> for f64 {
    type Output = Dual<N>;
    #[inline]
    fn add(self, x: Dual<N>) -> Dual<N> {
        x + self
    }
}

impl<const N: usize> Sub<Dual<N>> for f64 {
    type Output = Dual<N>;
    #[inline]
    fn sub(self, x: Dual<N>) -> Dual<N> {
        -x + self
    }
}

impl<const N: usize> Mul<Dual<N>> for f64 {
    type Output = Dual<N>;
    #[inline]
    fn mul(self, x: Dual<N>) -> Dual<N> {
        x * self
    }
}

impl<const N: usize> Div<Dual<N>> for f64 {
    type Output = Dual<N>;
    #[inline]
    fn div(self, x: Dual<N>) -> Dual<N> {
        Dual::constant(self) / x
    }
}

impl<const N: usize> AddAssign for Dual<N> {
    #[inline]
    fn add_assign(&mut self, o: Self) {
        *self = *self + o;
    }
}

impl<const N: usize> SubAssign for Dual<N> {
    #[inline]
    fn sub_assign(&mut self, o: Self) {
        *self = *self - o;
    }
}

impl<const N: usize> MulAssign for Dual<N> {
    #[inline]
    fn mul_assign(&mut self, o: Self) {
        *self = *self * o;
    }
}

impl<const N: usize> Sum for Dual<N> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::constant(0.0), |a, b| a + b)
    }
}

/// The scalar functions, as inherent methods so that a closure over dual numbers needs no
/// `use` of [`Scalar`]; the [`Scalar`] implementation calls these.
impl<const N: usize> Dual<N> {
    /// The value, without its derivatives.
    #[inline]
    pub fn value(self) -> f64 {
        self.v
    }
    /// Sine.
    #[inline]
    pub fn sin(self) -> Self {
        self.chain(Scalar::sin(self.v), Scalar::cos(self.v))
    }
    /// Cosine.
    #[inline]
    pub fn cos(self) -> Self {
        self.chain(Scalar::cos(self.v), -Scalar::sin(self.v))
    }
    /// `e^self`.
    #[inline]
    pub fn exp(self) -> Self {
        let e = Scalar::exp(self.v);
        self.chain(e, e)
    }
    /// Natural logarithm.
    #[inline]
    pub fn ln(self) -> Self {
        self.chain(Scalar::ln(self.v), 1.0 / self.v)
    }
    /// Square root.
    #[inline]
    pub fn sqrt(self) -> Self {
        let r = self.v.sqrt();
        self.chain(r, 0.5 / r)
    }
    /// Hyperbolic tangent.
    #[inline]
    pub fn tanh(self) -> Self {
        let t = Scalar::tanh(self.v);
        self.chain(t, 1.0 - t * t)
    }
    /// Absolute value (derivative 0 at 0, as in PyTorch).
    #[inline]
    pub fn abs(self) -> Self {
        let sign = if self.v > 0.0 {
            1.0
        } else if self.v < 0.0 {
            -1.0
        } else {
            0.0
        };
        self.chain(self.v.abs(), sign)
    }
    /// Integer power.
    #[inline]
    pub fn powi(self, n: i32) -> Self {
        match n {
            0 => Self::constant(1.0),
            1 => self,
            2 => self.chain(self.v * self.v, 2.0 * self.v),
            _ => self.chain(self.v.powi(n), f64::from(n) * self.v.powi(n - 1)),
        }
    }
    /// Real power with a constant exponent.
    #[inline]
    pub fn powf(self, p: f64) -> Self {
        if p == 0.0 {
            return Self::constant(1.0);
        }
        self.chain(Scalar::powf(self.v, p), p * Scalar::powf(self.v, p - 1.0))
    }
}

impl<const N: usize> Scalar for Dual<N> {
    #[inline]
    fn value(self) -> f64 {
        Dual::value(self)
    }
    #[inline]
    fn sin(self) -> Self {
        Dual::sin(self)
    }
    #[inline]
    fn cos(self) -> Self {
        Dual::cos(self)
    }
    #[inline]
    fn exp(self) -> Self {
        Dual::exp(self)
    }
    #[inline]
    fn ln(self) -> Self {
        Dual::ln(self)
    }
    #[inline]
    fn sqrt(self) -> Self {
        Dual::sqrt(self)
    }
    #[inline]
    fn tanh(self) -> Self {
        Dual::tanh(self)
    }
    #[inline]
    fn abs(self) -> Self {
        Dual::abs(self)
    }
    #[inline]
    fn powi(self, n: i32) -> Self {
        Dual::powi(self, n)
    }
    #[inline]
    fn powf(self, p: f64) -> Self {
        Dual::powf(self, p)
    }
}

/// The value and the exact gradient of a function of `N` variables at the point `at`.
///
/// For functions of more than two parameters (a loss over several data points, say) or of
/// parameters that are not called `x` and `y`.
///
/// ```
/// use descent::landscape::{Dual, Scalar, value_and_gradient};
///
/// // f(a, b, c) = a b + c^2 at (1, 2, 3)
/// let (value, gradient) =
///     value_and_gradient(|[a, b, c]: [Dual<3>; 3]| a * b + c.powi(2), [1.0, 2.0, 3.0]);
/// assert_eq!(value, 11.0);
/// assert_eq!(gradient, [2.0, 1.0, 6.0]);
/// ```
pub fn value_and_gradient<const N: usize>(
    f: impl Fn([Dual<N>; N]) -> Dual<N>,
    at: [f64; N],
) -> (f64, [f64; N]) {
    let out = f(Dual::variables(at));
    (out.v, out.d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn each_operation_follows_the_chain_rule() {
        let x = 0.7;
        type Case = (fn(Dual<1>) -> Dual<1>, f64);
        let cases: [Case; 12] = [
            (|u| u.sin(), 0.7f64.cos()),
            (|u| u.cos(), -(0.7f64.sin())),
            (|u| u.exp(), 0.7f64.exp()),
            (|u| u.ln(), 1.0 / 0.7),
            (|u| u.sqrt(), 0.5 / 0.7f64.sqrt()),
            (|u| u.tanh(), 1.0 - 0.7f64.tanh().powi(2)),
            (|u| (-u).abs(), 1.0),
            (|u| u.powi(3), 3.0 * 0.49),
            (|u| u.powf(2.5), 2.5 * 0.7f64.powf(1.5)),
            (|u| 1.0 / u, -1.0 / 0.49),
            (|u| 2.0 - u * 3.0, -3.0),
            (|u| (u + 1.0) / (u - 2.0), -3.0 / 1.69),
        ];
        for (k, (f, slope)) in cases.iter().enumerate() {
            let out = f(Dual::variable(x, 0));
            assert!(close(out.d[0], *slope), "case {k}: {} vs {slope}", out.d[0]);
        }
    }

    #[test]
    fn powers_zero_and_abs_at_zero_have_finite_derivatives() {
        let zero = Dual::<1>::variable(0.0, 0);
        assert_eq!(zero.powi(0).d, [0.0]);
        assert_eq!(zero.powf(0.0).d, [0.0]);
        assert_eq!(zero.abs().d, [0.0]);
        assert_eq!(zero.powi(2).d, [0.0]);
    }

    #[test]
    fn a_variable_index_out_of_range_is_a_constant() {
        assert_eq!(Dual::<2>::variable(1.5, 7), Dual::constant(1.5));
    }

    #[test]
    fn sums_add_derivatives() {
        let [a, b] = Dual::<2>::variables([1.0, 2.0]);
        let s: Dual<2> = [a, b, a * b].into_iter().sum();
        assert_eq!((s.v, s.d), (5.0, [3.0, 2.0]));
    }
}
