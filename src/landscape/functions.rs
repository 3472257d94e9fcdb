//! The tutorial's test functions, each written once over [`Scalar`] so that it gives values on
//! a grid and exact gradients.
//!
//! The free functions (`peaks`, `rastrigin`, ...) are the formulas, for composing a function of
//! one's own; the types (`Peaks`, `Rastrigin`, ...) are the same formulas as [`Formula`]s, hence
//! [`Landscape`](super::Landscape)s that optimisers and grids accept.

use std::f64::consts::PI;

use super::{Formula, Point, Scalar};

/// The tutorial's `peaks`: MATLAB's `peaks` function divided by 4,
/// `(3(1-x)² e^{-x²-(y+1)²} - 10(x/5 - x³ - y⁵) e^{-x²-y²} - e^{-(x+1)²-y²}/3) / 4`.
///
/// The factor 1/4 is what the tutorial's values show: `peaks(0, 1.2) = 1.47255` in the
/// reference trajectories, where MATLAB's `peaks` gives 5.8902 (the ratio is 4.0000 at every
/// point recorded there).
///
/// ```
/// let v = descent::landscape::peaks(0.0, 1.2);
/// assert!((v - 1.47255).abs() < 1e-5);
/// ```
pub fn peaks<S: Scalar>(x: S, y: S) -> S {
    let one = S::from(1.0);
    let x2 = x * x;
    let y2 = y * y;
    let a = (one - x).powi(2) * 3.0 * (-x2 - (y + 1.0).powi(2)).exp();
    let b = (x / 5.0 - x.powi(3) - y.powi(5)) * 10.0 * (-x2 - y2).exp();
    let c = (-(x + 1.0).powi(2) - y2).exp() / 3.0;
    (a - b - c) * 0.25
}

/// Rastrigin's function in 2-D with amplitude `a`:
/// `2a + (x² - a cos 2πx) + (y² - a cos 2πy)`. Its global minimum is 0 at the origin,
/// surrounded by a local minimum near every point of the integer lattice.
pub fn rastrigin<S: Scalar>(x: S, y: S, a: f64) -> S {
    let wave = |u: S| u * u - (u * (2.0 * PI)).cos() * a;
    wave(x) + wave(y) + 2.0 * a
}

/// Rosenbrock's banana `(a - x)² + b (y - x²)²`, minimum 0 at `(a, a²)`.
pub fn rosenbrock<S: Scalar>(x: S, y: S, a: f64, b: f64) -> S {
    (S::from(a) - x).powi(2) + (y - x * x).powi(2) * b
}

/// The tutorial's `fancy` function `-cos x + sin y + 0.1 (x² + 2y²)`.
pub fn fancy<S: Scalar>(x: S, y: S) -> S {
    -x.cos() + y.sin() + (x * x + y * y * 2.0) * 0.1
}

/// The tutorial's `angry` function `-1 / (1 + x² + y²)`: a single well whose walls flatten out,
/// so far from the origin the gradient almost vanishes.
pub fn angry<S: Scalar>(x: S, y: S) -> S {
    -(S::from(1.0) / (x * x + y * y + 1.0))
}

/// The tutorial's `peaks` (see [`peaks`]) as a landscape.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Peaks;

impl Formula for Peaks {
    fn eval<S: Scalar>(&self, x: S, y: S) -> S {
        peaks(x, y)
    }
}

/// Rastrigin's function (see [`rastrigin`]), optionally shifted and regularised, as the
/// tutorial writes it:
/// `2a + ((x - sx)² - a cos 2πx) + ((y - sy)² - a cos 2πy) + weight_decay (x² + y²)`.
///
/// The shift moves only the quadratic bowl; the cosine ripples stay on the integer lattice of
/// the origin. For integer shifts that is the whole function moved (the minimum is at
/// `(sx, sy)`); for other shifts the bowl's centre falls between ripples and the minimum lies
/// near, not at, `(sx, sy)`.
///
/// The default is the tutorial's: `a = 3`, no shift, no weight decay.
///
/// ```
/// use descent::landscape::{Landscape, Rastrigin};
///
/// let plain = Rastrigin::default();
/// assert_eq!(plain.value(0.0, 0.0), 0.0);
/// // The shifted, regularised version the weight-decay chapter uses: the decay pulls the
/// // minimum from (1, 1) towards the origin.
/// let pulled = Rastrigin::default().shifted(1.0, 1.0).with_weight_decay(0.5);
/// assert_eq!(pulled.value(1.0, 1.0), 1.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rastrigin {
    /// Amplitude of the cosine ripples (the tutorial uses 3; the textbook value is 10).
    pub a: f64,
    /// The centre of the quadratic bowl (the global minimum for integer shifts).
    pub shift: Point,
    /// Factor of the added `x² + y²` term.
    pub weight_decay: f64,
}

impl Default for Rastrigin {
    fn default() -> Self {
        Self {
            a: 3.0,
            shift: Point::new(0.0, 0.0),
            weight_decay: 0.0,
        }
    }
}

impl Rastrigin {
    /// The same function with amplitude `a`.
    pub fn with_a(self, a: f64) -> Self {
        Self { a, ..self }
    }

    /// The same function with its bowl centred on `(sx, sy)`; the ripples stay where they
    /// are (the tutorial's `rastrigin(xx, yy, shift)`).
    pub fn shifted(self, sx: f64, sy: f64) -> Self {
        Self {
            shift: Point::new(sx, sy),
            ..self
        }
    }

    /// The same function plus `weight_decay (x² + y²)`.
    ///
    /// An optimiser's `weight_decay = λ` adds `λθ` to the gradient, which is the gradient of
    /// `(λ/2)‖θ‖²`: the same effect as `with_weight_decay(λ / 2)`.
    pub fn with_weight_decay(self, weight_decay: f64) -> Self {
        Self {
            weight_decay,
            ..self
        }
    }
}

impl Formula for Rastrigin {
    fn eval<S: Scalar>(&self, x: S, y: S) -> S {
        let a = self.a;
        // (u - s)² - a cos 2πu: the bowl moves, the ripples stay (u * 2π as `rastrigin` has it).
        let term = |u: S, s: f64| {
            let d = u - s;
            d * d - (u * (2.0 * PI)).cos() * a
        };
        let base = term(x, self.shift.x) + term(y, self.shift.y) + 2.0 * a;
        if self.weight_decay == 0.0 {
            base
        } else {
            base + (x * x + y * y) * self.weight_decay
        }
    }
}

/// Rosenbrock's function (see [`rosenbrock`]); the default is `a = 1`, `b = 100`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rosenbrock {
    /// The minimum lies at `(a, a²)`.
    pub a: f64,
    /// Steepness of the valley walls.
    pub b: f64,
}

impl Default for Rosenbrock {
    fn default() -> Self {
        Self { a: 1.0, b: 100.0 }
    }
}

impl Formula for Rosenbrock {
    fn eval<S: Scalar>(&self, x: S, y: S) -> S {
        rosenbrock(x, y, self.a, self.b)
    }
}

/// The tutorial's `fancy` function (see [`fancy`]) as a landscape.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Fancy;

impl Formula for Fancy {
    fn eval<S: Scalar>(&self, x: S, y: S) -> S {
        fancy(x, y)
    }
}

/// The tutorial's `angry` function (see [`angry`]) as a landscape.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Angry;

impl Formula for Angry {
    fn eval<S: Scalar>(&self, x: S, y: S) -> S {
        angry(x, y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landscape::Landscape;

    #[test]
    fn values_match_the_reference_trajectories() {
        // (function, x, y, f) rows of tests/data/trajectories.tsv, 6 significant digits.
        let rows: [(&dyn Landscape, f64, f64, f64); 6] = [
            (&Peaks, 0.293704, -1.63899, -1.62619),
            (&Fancy, -4.0, 4.0, 4.69684),
            (&Angry, -2.0, 2.0, -0.111111),
            (&Rastrigin::default(), -2.45, -2.45, 23.7113),
            (&Rosenbrock::default(), 2.0, -2.0, 3601.0),
            (&Rosenbrock::default(), 0.347163, -0.194843, 10.3717),
        ];
        for (f, x, y, want) in rows {
            let got = f.value(x, y);
            assert!(
                (got - want).abs() <= 1e-5 * want.abs(),
                "f({x}, {y}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn minima_are_where_the_formulas_say() {
        assert_eq!(
            Rosenbrock::default().value_and_gradient(1.0, 1.0),
            (0.0, [0.0, 0.0])
        );
        let r = Rastrigin::default().shifted(1.0, -2.0);
        let (v, g) = r.value_and_gradient(1.0, -2.0);
        assert!(v.abs() < 1e-12 && g[0].abs() < 1e-12 && g[1].abs() < 1e-12);
        assert_eq!(Angry.value_and_gradient(0.0, 0.0), (-1.0, [0.0, 0.0]));
    }

    #[test]
    fn the_shift_moves_the_bowl_and_leaves_the_ripples_on_the_lattice() {
        // Integer shifts: the whole function moved.
        let moved = Rastrigin::default().shifted(1.0, -2.0);
        for (x, y) in [(0.3, 0.7), (-1.2, 2.5), (2.0, -2.0)] {
            let want = rastrigin(x - 1.0, y + 2.0, 3.0);
            assert!((moved.value(x, y) - want).abs() < 1e-9, "({x}, {y})");
        }
        // A half shift puts the bowl's centre on a crest of the ripples, as the tutorial's
        // formula does: 6 + (0 - 3 cos π) + (0.25 - 3 cos 0) = 6.25.
        let half = Rastrigin::default().shifted(0.5, 0.5);
        assert!((half.value(0.5, 0.0) - 6.25).abs() < 1e-12);
        // No shift: bit for bit the plain formula.
        assert_eq!(
            Rastrigin::default().value(-2.45, 1.3),
            rastrigin(-2.45, 1.3, 3.0)
        );
    }
}
