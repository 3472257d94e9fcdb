//! Running an optimiser on a 2-D landscape in one call: the path (points, values, gradients,
//! learning rates), which ends where it diverged if it did.

use std::fmt;

use crate::landscape::Landscape;
use crate::plane::{Point, Trace};

use super::{LrScheduler, Optimizer, StepError};

/// An optimiser's path over a landscape.
///
/// `points[0]` is the start and `points[k]` the point after step `k`; `values` and
/// `gradients` are the landscape's at each point; `learning_rates[k]` is the learning rate
/// step `k + 1` used. A path that left the finite numbers ends at its last finite point, and
/// [`Path::diverged`] says where it went.
///
/// Figures take a `&Path` wherever they take points (`.path("Adam", &path)`); a diverged one
/// is drawn up to its last finite point and marked there.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Path {
    /// The finite points visited, the start first.
    pub points: Vec<Point>,
    /// `f` at each point.
    pub values: Vec<f64>,
    /// `∇f` at each point.
    pub gradients: Vec<[f64; 2]>,
    /// The learning rate of each step between two kept points (one fewer than points).
    pub learning_rates: Vec<f64>,
    /// Where the path left the finite numbers, if it did.
    pub diverged: Option<Divergence>,
}

/// Where a path left the finite numbers: the point or the value became infinite or NaN.
///
/// Its `Display` is a sentence for the page: `println!("{d}")`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Divergence {
    /// The step (1-based; 0 for the start) whose point or value is not finite; the path keeps
    /// the `step` points before it.
    pub step: usize,
    /// The point reached at that step.
    pub point: Point,
    /// The value there.
    pub value: f64,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the path diverged at step {}: the point became ({}, {}) with value {}; \
             try a smaller learning rate or another start",
            self.step,
            short(self.point.x),
            short(self.point.y),
            short(self.value)
        )
    }
}

impl Path {
    /// The number of steps kept (between finite points).
    pub fn steps(&self) -> usize {
        self.learning_rates.len()
    }

    /// The last finite point reached.
    pub fn last_point(&self) -> Option<Point> {
        self.points.last().copied()
    }

    /// The last finite value reached.
    pub fn last_value(&self) -> Option<f64> {
        self.values.last().copied()
    }

    /// Whether the path left the finite numbers.
    pub fn is_diverged(&self) -> bool {
        self.diverged.is_some()
    }

    /// The `x` coordinates, for a plot.
    pub fn xs(&self) -> Vec<f64> {
        self.points.iter().map(|p| p.x).collect()
    }

    /// The `y` coordinates, for a plot.
    pub fn ys(&self) -> Vec<f64> {
        self.points.iter().map(|p| p.y).collect()
    }
}

impl From<&Path> for Trace {
    fn from(path: &Path) -> Self {
        Trace::new(path.points.clone(), path.diverged.map(|d| d.step))
    }
}

impl From<Path> for Trace {
    fn from(path: Path) -> Self {
        Trace::new(path.points, path.diverged.map(|d| d.step))
    }
}

/// A number for a message: plain when moderate, in scientific notation when huge or tiny.
fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() || (1e-4..1e6).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:.6e}")
    }
}

/// Runs `opt` for `steps` steps on `f` from `start` (`[x, y]`, `(x, y)` or a [`Point`]) and
/// returns the path. A path that diverges stops there: it keeps its finite part and says
/// where it went in [`Path::diverged`].
///
/// Pass the optimiser by value for a fresh run (`Adam::new(0.1)?`), or as `&mut opt` to
/// continue from its state and learning rate.
///
/// # Errors
/// [`StepError`] if the optimiser holds state for another number of parameters (it was used
/// on the model's weights before).
///
/// ```
/// use descent::landscape::{Peaks, Rosenbrock};
/// use descent::optim::{Adam, Sgd, run};
///
/// let path = run(&Peaks, [0.0, 1.2], Adam::new(0.75)?, 50)?;
/// assert_eq!(path.points.len(), 51);
/// assert!(path.last_value().unwrap() < -1.6);
///
/// // Plain gradient descent with lr 0.01 shoots off the Rosenbrock valley.
/// let path = run(&Rosenbrock::default(), [2.0, -2.0], Sgd::new(0.01)?, 200)?;
/// let diverged = path.diverged.expect("diverged");
/// assert!(diverged.step <= 10);
/// assert_eq!(path.points.len(), diverged.step);
/// println!("{diverged}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run<L, O>(f: &L, start: impl Into<Point>, opt: O, steps: usize) -> Result<Path, StepError>
where
    L: Landscape + ?Sized,
    O: Optimizer<f64>,
{
    walk::<L, O, dyn LrScheduler>(f, start.into(), opt, None, steps)
}

/// Like [`run`], stepping `scheduler` after every optimiser step (PyTorch's order), so the
/// path's learning rates follow the schedule.
///
/// # Errors
/// As [`run`].
///
/// ```
/// use descent::landscape::Fancy;
/// use descent::optim::{CosineAnnealingLr, Sgd, run_scheduled};
///
/// let mut sgd = Sgd::new(1.0)?;
/// let mut cosine = CosineAnnealingLr::new(&sgd, 50, 0.0)?;
/// let path = run_scheduled(&Fancy, [-4.0, 4.0], &mut sgd, &mut cosine, 50)?;
/// assert_eq!(path.learning_rates[0], 1.0);
/// assert!(path.learning_rates[49] < 0.001);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_scheduled<L, O, S>(
    f: &L,
    start: impl Into<Point>,
    opt: O,
    scheduler: &mut S,
    steps: usize,
) -> Result<Path, StepError>
where
    L: Landscape + ?Sized,
    O: Optimizer<f64>,
    S: LrScheduler + ?Sized,
{
    walk(f, start.into(), opt, Some(scheduler), steps)
}

fn walk<L, O, S>(
    f: &L,
    start: Point,
    mut opt: O,
    mut scheduler: Option<&mut S>,
    steps: usize,
) -> Result<Path, StepError>
where
    L: Landscape + ?Sized,
    O: Optimizer<f64>,
    S: LrScheduler + ?Sized,
{
    let mut path = Path {
        points: Vec::with_capacity(steps + 1),
        values: Vec::with_capacity(steps + 1),
        gradients: Vec::with_capacity(steps + 1),
        learning_rates: Vec::with_capacity(steps),
        diverged: None,
    };
    let mut point: [f64; 2] = start.into();
    for step in 0..=steps {
        if step > 0 {
            let gradient = path.gradients[step - 1];
            path.learning_rates.push(opt.lr());
            opt.step(&mut point, &gradient)?;
            if let Some(s) = scheduler.as_deref_mut() {
                s.step(&mut opt);
            }
        }
        let (value, gradient) = f.value_and_gradient(point[0], point[1]);
        if !(point[0].is_finite() && point[1].is_finite() && value.is_finite()) {
            path.learning_rates.truncate(step.saturating_sub(1));
            path.diverged = Some(Divergence {
                step,
                point: point.into(),
                value,
            });
            return Ok(path);
        }
        path.points.push(point.into());
        path.values.push(value);
        path.gradients.push(gradient);
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landscape::{Rosenbrock, from_fn};
    use crate::optim::{ExponentialLr, Sgd};

    #[test]
    fn a_path_records_every_step() {
        let bowl = from_fn(|x, y| x * x + y * y);
        let path = run(&bowl, [1.0, -2.0], Sgd::new(0.25).expect("valid"), 3).expect("finite");
        assert_eq!(
            path.points,
            [[1.0, -2.0], [0.5, -1.0], [0.25, -0.5], [0.125, -0.25]].map(Point::from)
        );
        assert_eq!(path.diverged, None);
        assert_eq!(path.values[1], 1.25);
        assert_eq!(path.gradients[1], [1.0, -2.0]);
        assert_eq!(path.learning_rates, vec![0.25; 3]);
        assert_eq!(path.steps(), 3);
    }

    #[test]
    fn a_schedule_shows_in_the_learning_rates() {
        let bowl = from_fn(|x, y| x * x + y * y);
        let mut sgd = Sgd::new(0.4).expect("valid");
        let mut decay = ExponentialLr::new(&sgd, 0.5).expect("valid");
        let path = run_scheduled(&bowl, [1.0, 1.0], &mut sgd, &mut decay, 3).expect("finite");
        assert_eq!(path.learning_rates, vec![0.4, 0.2, 0.1]);
        // x ← x (1 - 2 lr): 0.2, then 0.12, then 0.096
        assert!((path.points[3].x - 0.096).abs() < 1e-15);
    }

    #[test]
    fn divergence_is_reported_with_the_finite_part() {
        let f = Rosenbrock::default();
        let path = run(&f, [2.0, -2.0], Sgd::new(0.01).expect("valid"), 200).expect("runs");
        let d = path.diverged.expect("a divergence");
        assert!(d.step > 2 && d.step <= 10, "diverged at {}", d.step);
        assert_eq!(path.points.len(), d.step);
        assert_eq!(path.learning_rates.len(), d.step - 1);
        assert!(path.values.iter().all(|v| v.is_finite()));
        assert!(!d.point.is_finite() || !d.value.is_finite());
        assert!(
            d.to_string().starts_with(&format!(
                "the path diverged at step {}: the point became (",
                d.step
            )),
            "{d}"
        );
        let trace = Trace::from(&path);
        assert_eq!(
            (trace.points(), trace.diverged_at()),
            (&path.points[..], Some(d.step))
        );
    }

    #[test]
    fn a_non_finite_start_diverges_at_step_zero() {
        let f = Rosenbrock::default();
        let path = run(&f, (f64::NAN, 0.0), Sgd::new(0.01).expect("valid"), 5).expect("runs");
        assert_eq!(path.diverged.map(|d| d.step), Some(0));
        assert!(path.points.is_empty() && path.last_point().is_none());
    }
}
