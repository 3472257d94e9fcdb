//! A path as figures take it: its finite points, and where it diverged if it did.

use super::Point;

/// The points of a path up to its last finite one, and the step at which it left the finite
/// numbers, if it did.
///
/// Figures take `impl Into<Trace>`: an optimiser's [`crate::optim::Path`] (which knows where it
/// diverged), or any slice, array or vector of points (`[f64; 2]`, `(f64, f64)` or
/// [`Point`]), where the first non-finite point marks the divergence.
///
/// ```
/// use descent::plane::Trace;
/// let ok = Trace::from(vec![[0.0, 0.0], [1.0, 1.0]]);
/// assert_eq!((ok.points().len(), ok.diverged_at()), (2, None));
/// let gone = Trace::from(&[(0.0, 0.0), (1e300, 1e300), (f64::NAN, 0.0)]);
/// assert_eq!((gone.points().len(), gone.diverged_at()), (2, Some(2)));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    points: Vec<Point>,
    diverged_at: Option<usize>,
}

impl Trace {
    /// A trace of `points`, cut at the first non-finite one; `diverged_at` is the step (index)
    /// at which the path left the finite numbers, if known (the cut sets it too).
    pub fn new(points: Vec<Point>, diverged_at: Option<usize>) -> Self {
        let mut points = points;
        let cut = points.iter().position(|p| !p.is_finite());
        if let Some(end) = cut {
            points.truncate(end);
        }
        let diverged_at = match (cut, diverged_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Trace {
            points,
            diverged_at,
        }
    }

    /// The finite points, the start first.
    pub fn points(&self) -> &[Point] {
        &self.points
    }

    /// The step at which the path diverged (its first non-finite point), if it did: a figure
    /// ends the path at its last finite point and marks it there.
    pub fn diverged_at(&self) -> Option<usize> {
        self.diverged_at
    }
}

fn collect<P: Copy + Into<Point>>(points: &[P]) -> Trace {
    Trace::new(points.iter().map(|&p| p.into()).collect(), None)
}

impl<P: Copy + Into<Point>> From<&[P]> for Trace {
    fn from(points: &[P]) -> Self {
        collect(points)
    }
}

impl<P: Copy + Into<Point>, const N: usize> From<&[P; N]> for Trace {
    fn from(points: &[P; N]) -> Self {
        collect(points)
    }
}

impl<P: Copy + Into<Point>> From<&Vec<P>> for Trace {
    fn from(points: &Vec<P>) -> Self {
        collect(points)
    }
}

impl<P: Copy + Into<Point>> From<Vec<P>> for Trace {
    fn from(points: Vec<P>) -> Self {
        collect(&points)
    }
}

impl From<&Trace> for Trace {
    fn from(t: &Trace) -> Self {
        t.clone()
    }
}
