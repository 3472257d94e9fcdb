//! Running an optimiser on a 2-D landscape in one call: the path (points, values, gradients,
//! learning rates) for a figure, or the step at which it diverged.

use crate::landscape::Landscape;

use super::{LrScheduler, Optimizer, StepError};

/// An optimiser's path over a landscape.
///
/// `points[0]` is the start and `points[k]` the point after step `k`; `values` and
/// `gradients` are the landscape's at each point; `learning_rates[k]` is the learning rate
/// step `k + 1` used.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Path {
    /// The points visited, the start first.
    pub points: Vec<[f64; 2]>,
    /// `f` at each point.
    pub values: Vec<f64>,
    /// `∇f` at each point.
    pub gradients: Vec<[f64; 2]>,
    /// The learning rate of each step (one fewer than points).
    pub learning_rates: Vec<f64>,
}

impl Path {
    /// The number of steps taken.
    pub fn steps(&self) -> usize {
        self.learning_rates.len()
    }

    /// The last point reached.
    pub fn last_point(&self) -> Option<[f64; 2]> {
        self.points.last().copied()
    }

    /// The last value reached.
    pub fn last_value(&self) -> Option<f64> {
        self.values.last().copied()
    }

    /// The `x` coordinates, for a plot.
    pub fn xs(&self) -> Vec<f64> {
        self.points.iter().map(|p| p[0]).collect()
    }

    /// The `y` coordinates, for a plot.
    pub fn ys(&self) -> Vec<f64> {
        self.points.iter().map(|p| p[1]).collect()
    }
}

/// A path that left the finite numbers: the point or the value became infinite or NaN.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "the path diverged at step {step}: the point became ({x}, {y}) with value {value}; \
     try a smaller learning rate or another start (the {finite} finite steps before are kept)",
    x = short(point[0]),
    y = short(point[1]),
    finite = path.steps()
)]
pub struct Diverged {
    /// The step (1-based; 0 for the start) whose point or value is not finite.
    pub step: usize,
    /// The point reached at that step.
    pub point: [f64; 2],
    /// The value there.
    pub value: f64,
    /// The path up to the last finite point, for a figure.
    pub path: Path,
}

/// A number for a message: plain when moderate, in scientific notation when huge or tiny.
fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() || (1e-4..1e6).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:.6e}")
    }
}

/// Why [`run`] stopped early.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    /// The path diverged; the finite part is inside.
    #[error(transparent)]
    Diverged(Box<Diverged>),
    /// The optimiser refused the step (its state was made for another number of parameters).
    #[error(transparent)]
    Step(#[from] StepError),
}

impl RunError {
    /// The divergence, if that is what happened.
    pub fn diverged(&self) -> Option<&Diverged> {
        match self {
            Self::Diverged(d) => Some(d),
            Self::Step(_) => None,
        }
    }
}

/// Runs `opt` for `steps` steps on `f` from `start` and returns the path.
///
/// Pass the optimiser by value for a fresh run (`Adam::new(0.1)?`), or as `&mut opt` to
/// continue from its state and learning rate.
///
/// # Errors
/// [`RunError::Diverged`] at the first step whose point or value is infinite or NaN, with the
/// finite part of the path; [`RunError::Step`] if the optimiser holds state for another number
/// of parameters.
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
/// let err = run(&Rosenbrock::default(), [2.0, -2.0], Sgd::new(0.01)?, 200).unwrap_err();
/// let diverged = err.diverged().expect("diverged");
/// assert!(diverged.step <= 10);
/// assert_eq!(diverged.path.points.len(), diverged.step);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run<L, O>(f: &L, start: [f64; 2], opt: O, steps: usize) -> Result<Path, RunError>
where
    L: Landscape + ?Sized,
    O: Optimizer<f64>,
{
    walk::<L, O, dyn LrScheduler>(f, start, opt, None, steps)
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
    start: [f64; 2],
    opt: O,
    scheduler: &mut S,
    steps: usize,
) -> Result<Path, RunError>
where
    L: Landscape + ?Sized,
    O: Optimizer<f64>,
    S: LrScheduler + ?Sized,
{
    walk(f, start, opt, Some(scheduler), steps)
}

fn walk<L, O, S>(
    f: &L,
    start: [f64; 2],
    mut opt: O,
    mut scheduler: Option<&mut S>,
    steps: usize,
) -> Result<Path, RunError>
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
    };
    let mut point = start;
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
            return Err(RunError::Diverged(Box::new(Diverged {
                step,
                point,
                value,
                path,
            })));
        }
        path.points.push(point);
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
            vec![[1.0, -2.0], [0.5, -1.0], [0.25, -0.5], [0.125, -0.25]]
        );
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
        assert!((path.points[3][0] - 0.096).abs() < 1e-15);
    }

    #[test]
    fn divergence_is_reported_with_the_finite_part() {
        let f = Rosenbrock::default();
        let err = run(&f, [2.0, -2.0], Sgd::new(0.01).expect("valid"), 200).expect_err("diverges");
        let d = err.diverged().expect("a divergence");
        assert!(d.step > 2 && d.step <= 10, "diverged at {}", d.step);
        assert_eq!(d.path.points.len(), d.step);
        assert_eq!(d.path.learning_rates.len(), d.step - 1);
        assert!(d.path.values.iter().all(|v| v.is_finite()));
        assert!(
            err.to_string()
                .contains(&format!("diverged at step {}", d.step))
        );
    }

    #[test]
    fn a_non_finite_start_diverges_at_step_zero() {
        let f = Rosenbrock::default();
        let err = run(&f, [f64::NAN, 0.0], Sgd::new(0.01).expect("valid"), 5).expect_err("nan");
        assert_eq!(err.diverged().map(|d| d.step), Some(0));
    }
}
