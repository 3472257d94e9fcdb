//! Exact gradients from dual numbers against central finite differences, on every landscape
//! the library defines and on the two ways a student writes one (a closure, a `Formula`).

use descent::landscape::{
    Angry, Dual, Fancy, Formula, Landscape, LearnableFunction, Peaks, PointLoss, Rastrigin,
    Rosenbrock, Scalar, from_fn, value_and_gradient,
};

/// Central difference step: truncation error ~h² f''', rounding error ~1e-16 |f| / h.
const H: f64 = 1e-5;

fn central_difference(f: &dyn Landscape, x: f64, y: f64) -> [f64; 2] {
    [
        (f.value(x + H, y) - f.value(x - H, y)) / (2.0 * H),
        (f.value(x, y + H) - f.value(x, y - H)) / (2.0 * H),
    ]
}

/// Points on a 9 × 9 grid over `[-2, 2]²`, shifted off the axes so no point sits on a kink
/// or a symmetry line.
fn points() -> impl Iterator<Item = (f64, f64)> {
    (0..9).flat_map(|i| {
        (0..9).map(move |j| {
            (
                -2.0 + 0.5 * f64::from(i) + 0.0123,
                -2.0 + 0.5 * f64::from(j) - 0.0071,
            )
        })
    })
}

fn check(name: &str, f: &dyn Landscape) {
    for (x, y) in points() {
        let (value, exact) = f.value_and_gradient(x, y);
        assert_eq!(
            value.to_bits(),
            f.value(x, y).to_bits(),
            "{name}: the two values at ({x}, {y}) differ"
        );
        let approx = central_difference(f, x, y);
        // The finite difference is only accurate to about 1e-9 |f| / h relative to the values
        // around, so the tolerance scales with the value as well as the gradient.
        let scale = 1.0 + exact[0].abs().max(exact[1].abs()) + value.abs() * 1e-3;
        for k in 0..2 {
            assert!(
                (exact[k] - approx[k]).abs() <= 1e-6 * scale,
                "{name} at ({x}, {y}), ∂{k}: dual {} vs finite difference {}",
                exact[k],
                approx[k]
            );
        }
    }
}

/// A student's function written once for every scalar type.
struct Saddle;

impl Formula for Saddle {
    fn eval<S: Scalar>(&self, x: S, y: S) -> S {
        (x * x - y * y) * (x * 0.3).tanh() + (x * y).abs().sqrt() + (x * x + 1.0).ln()
    }
}

#[test]
fn named_landscapes() {
    check("peaks", &Peaks);
    check("rastrigin", &Rastrigin::default());
    check("rastrigin a=10", &Rastrigin::default().with_a(10.0));
    check(
        "regularised rastrigin",
        &Rastrigin::default().with_weight_decay(0.3),
    );
    check(
        "shifted regularised rastrigin",
        &Rastrigin::default()
            .shifted(1.0, -0.5)
            .with_weight_decay(0.3),
    );
    check("rosenbrock", &Rosenbrock::default());
    check("fancy", &Fancy);
    check("angry", &Angry);
    check(
        "learnable function",
        &LearnableFunction { theta: [1.3, -0.7] },
    );
    check(
        "point loss",
        &PointLoss {
            x: 0.8,
            y: -0.4,
            target: 0.3,
        },
    );
}

#[test]
fn student_landscapes() {
    check(
        "closure",
        &from_fn(|x, y| 3.0 * x.sin() * y.powi(3) / (1.0 + x * x) - (y / 2.0).exp()),
    );
    check(
        "closure with powf",
        &from_fn(|x, y| (x * x + y * y + 1.0).powf(0.75) - 2.0 / (3.0 + y)),
    );
    check("formula", &Saddle);
}

#[test]
fn a_loss_over_several_parameters() {
    // Mean squared error of a line a + b t + c t² through three points, in three parameters.
    let data = [(0.0, 1.0), (1.0, 2.5), (2.0, 6.0)];
    let loss = |[a, b, c]: [Dual<3>; 3]| {
        data.iter()
            .map(|&(t, z)| (a + b * t + c * (t * t) - z).powi(2))
            .sum::<Dual<3>>()
            / 3.0
    };
    let at = [0.4, -0.2, 1.1];
    let (value, exact) = value_and_gradient(loss, at);
    let plain = |p: [f64; 3]| loss(p.map(Dual::constant)).value();
    assert_eq!(value, plain(at));
    for k in 0..3 {
        let mut up = at;
        let mut down = at;
        up[k] += H;
        down[k] -= H;
        let approx = (plain(up) - plain(down)) / (2.0 * H);
        assert!(
            (exact[k] - approx).abs() < 1e-7 * (1.0 + exact[k].abs()),
            "∂{k}: {} vs {approx}",
            exact[k]
        );
    }
}

/// A landscape with a hand-written gradient: a student may implement `Landscape` directly.
struct HandWritten;

impl Landscape for HandWritten {
    fn value(&self, x: f64, y: f64) -> f64 {
        x * x * y + y.exp()
    }
    fn value_and_gradient(&self, x: f64, y: f64) -> (f64, [f64; 2]) {
        (self.value(x, y), [2.0 * x * y, x * x + y.exp()])
    }
}

#[test]
fn a_hand_written_gradient_passes_the_same_check() {
    check("hand-written", &HandWritten);
    // ... and agrees with the dual numbers of the same formula.
    let dual = from_fn(|x, y| x * x * y + y.exp());
    for (x, y) in points() {
        let (a, b) = (HandWritten.gradient(x, y), dual.gradient(x, y));
        assert!((a[0] - b[0]).abs() < 1e-12 && (a[1] - b[1]).abs() < 1e-12 * (1.0 + b[1].abs()));
    }
}
