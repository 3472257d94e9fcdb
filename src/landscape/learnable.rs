//! The loss-landscape chapter's learnable function
//! `f_θ(x, y) = sin(θ₁θ₂) cos(x²)² / (1 + (θ₂ y)²)`, both as a surface over `(x, y)` for a
//! fixed `θ` and as the squared-error loss at a data point, a landscape over `(θ₁, θ₂)`.

use super::{Formula, Scalar};

/// `f_θ(x, y) = sin(θ₁θ₂) cos(x²)² / (1 + (θ₂ y)²)`.
///
/// Generic in every argument, so it serves as a function of `(x, y)` (with `θ` constant) and
/// as a function of `θ` (with `x, y` constant).
pub fn f_theta<S: Scalar>(theta: [S; 2], x: S, y: S) -> S {
    let [t1, t2] = theta;
    (t1 * t2).sin() * (x * x).cos().powi(2) / ((t2 * y).powi(2) + 1.0)
}

/// The surface `(x, y) ↦ f_θ(x, y)` for fixed parameters `θ`: what the model predicts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LearnableFunction {
    /// The parameters `(θ₁, θ₂)`.
    pub theta: [f64; 2],
}

impl Formula for LearnableFunction {
    fn eval<S: Scalar>(&self, x: S, y: S) -> S {
        f_theta([S::from(self.theta[0]), S::from(self.theta[1])], x, y)
    }
}

/// The squared error `(f_θ(x, y) - target)²` at one data point, as a landscape over
/// `(θ₁, θ₂)`: the loss landscape, whose coordinates are the parameters.
///
/// ```
/// use descent::landscape::{Landscape, LearnableFunction, PointLoss};
///
/// let loss = PointLoss { x: 0.5, y: 1.0, target: 0.6 };
/// let fitted = LearnableFunction { theta: [1.0, 1.0] };
/// let error = fitted.value(0.5, 1.0) - 0.6;
/// assert!((loss.value(1.0, 1.0) - error * error).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointLoss {
    /// The data point's `x`.
    pub x: f64,
    /// The data point's `y`.
    pub y: f64,
    /// The value `f_θ(x, y)` should take there.
    pub target: f64,
}

impl Formula for PointLoss {
    fn eval<S: Scalar>(&self, theta1: S, theta2: S) -> S {
        let prediction = f_theta([theta1, theta2], S::from(self.x), S::from(self.y));
        (prediction - self.target).powi(2)
    }
}
