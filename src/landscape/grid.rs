//! Sampling a landscape on a regular grid for a figure, on every core.
//!
//! Each row of the grid is one task for rayon; every cell is computed on its own, with no
//! reduction across threads, so the result is bit-identical for any number of threads.

use std::ops::RangeInclusive;

use rayon::prelude::*;

use super::Landscape;

/// Why a grid could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GridError {
    /// Fewer than two points along an axis.
    #[error("a grid needs at least 2 points along {axis}, got {points}: ask for more points")]
    TooFewPoints {
        /// `"x"` or `"y"`.
        axis: &'static str,
        /// The number asked for.
        points: usize,
    },
    /// An empty, reversed or non-finite range.
    #[error(
        "the {axis} range {start}..={end} is not a finite range with start < end: \
         write it as low..=high"
    )]
    InvalidRange {
        /// `"x"` or `"y"`.
        axis: &'static str,
        /// The range's start.
        start: f64,
        /// The range's end.
        end: f64,
    },
}

/// Values (and optionally gradients) of a landscape on a regular grid.
///
/// Stored row by row: the value at `(xs[i], ys[j])` is `values[j * xs.len() + i]`.
///
/// ```
/// use descent::landscape::{Grid, Peaks};
///
/// let grid = Grid::sample(&Peaks, -3.0..=3.0, -3.0..=3.0, 61, 61)?;
/// assert_eq!(grid.values.len(), 61 * 61);
/// let (low, high) = grid.range();
/// assert!(low < -1.6 && high > 2.0);
/// # Ok::<(), descent::landscape::GridError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The `x` coordinates, evenly spaced, both ends included.
    pub xs: Vec<f64>,
    /// The `y` coordinates, evenly spaced, both ends included.
    pub ys: Vec<f64>,
    /// `f(xs[i], ys[j])` at index `j * xs.len() + i`.
    pub values: Vec<f64>,
    /// The gradients, in the same order, when asked for with [`Grid::sample_with_gradients`].
    pub gradients: Option<Vec<[f64; 2]>>,
}

fn axis(name: &'static str, range: &RangeInclusive<f64>, n: usize) -> Result<Vec<f64>, GridError> {
    let (start, end) = (*range.start(), *range.end());
    if n < 2 {
        return Err(GridError::TooFewPoints {
            axis: name,
            points: n,
        });
    }
    if !(start.is_finite() && end.is_finite() && start < end) {
        return Err(GridError::InvalidRange {
            axis: name,
            start,
            end,
        });
    }
    let step = (end - start) / (n - 1) as f64;
    Ok((0..n)
        .map(|i| {
            if i == n - 1 {
                end
            } else {
                start + step * i as f64
            }
        })
        .collect())
}

impl Grid {
    /// The values of `f` on `nx × ny` points spanning `x` and `y` (ends included).
    ///
    /// # Errors
    /// [`GridError`] when an axis has fewer than 2 points or its range is empty or not finite.
    pub fn sample<L: Landscape + ?Sized>(
        f: &L,
        x: RangeInclusive<f64>,
        y: RangeInclusive<f64>,
        nx: usize,
        ny: usize,
    ) -> Result<Self, GridError> {
        let xs = axis("x", &x, nx)?;
        let ys = axis("y", &y, ny)?;
        let mut values = vec![0.0; nx * ny];
        values
            .par_chunks_mut(nx)
            .zip(ys.par_iter())
            .for_each(|(row, &yv)| {
                for (cell, &xv) in row.iter_mut().zip(&xs) {
                    *cell = f.value(xv, yv);
                }
            });
        Ok(Self {
            xs,
            ys,
            values,
            gradients: None,
        })
    }

    /// Like [`Grid::sample`], with the gradient at every point too (for arrows or a check).
    ///
    /// # Errors
    /// As [`Grid::sample`].
    pub fn sample_with_gradients<L: Landscape + ?Sized>(
        f: &L,
        x: RangeInclusive<f64>,
        y: RangeInclusive<f64>,
        nx: usize,
        ny: usize,
    ) -> Result<Self, GridError> {
        let xs = axis("x", &x, nx)?;
        let ys = axis("y", &y, ny)?;
        let mut values = vec![0.0; nx * ny];
        let mut gradients = vec![[0.0; 2]; nx * ny];
        values
            .par_chunks_mut(nx)
            .zip(gradients.par_chunks_mut(nx))
            .zip(ys.par_iter())
            .for_each(|((row, grow), &yv)| {
                for ((cell, g), &xv) in row.iter_mut().zip(grow.iter_mut()).zip(&xs) {
                    (*cell, *g) = f.value_and_gradient(xv, yv);
                }
            });
        Ok(Self {
            xs,
            ys,
            values,
            gradients: Some(gradients),
        })
    }

    /// The value at column `i` (along x) and row `j` (along y), if inside the grid.
    pub fn value(&self, i: usize, j: usize) -> Option<f64> {
        if i < self.xs.len() && j < self.ys.len() {
            self.values.get(j * self.xs.len() + i).copied()
        } else {
            None
        }
    }

    /// The smallest and the largest finite value (`(inf, -inf)` if there is none): the colour
    /// scale of a figure.
    pub fn range(&self) -> (f64, f64) {
        self.values
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landscape::{Peaks, Rosenbrock, from_fn};

    #[test]
    fn grid_points_include_both_ends_and_follow_row_order() {
        let plane = from_fn(|x, y| x + y * 10.0);
        let g = Grid::sample(&plane, -1.0..=1.0, 0.0..=2.0, 3, 5).expect("valid grid");
        assert_eq!(g.xs, vec![-1.0, 0.0, 1.0]);
        assert_eq!(g.ys, vec![0.0, 0.5, 1.0, 1.5, 2.0]);
        assert_eq!(g.value(2, 1), Some(1.0 + 5.0));
        assert_eq!(g.value(3, 0), None);
    }

    #[test]
    fn gradients_agree_with_pointwise_evaluation() {
        let f = Rosenbrock::default();
        let g = Grid::sample_with_gradients(&f, -2.0..=2.0, -1.0..=3.0, 17, 9).expect("valid");
        let grads = g.gradients.as_ref().expect("asked for gradients");
        for (j, &y) in g.ys.iter().enumerate() {
            for (i, &x) in g.xs.iter().enumerate() {
                let k = j * g.xs.len() + i;
                assert_eq!((g.values[k], grads[k]), f.value_and_gradient(x, y));
            }
        }
    }

    #[test]
    fn results_do_not_depend_on_the_number_of_threads() {
        let many = Grid::sample_with_gradients(&Peaks, -3.0..=3.0, -3.0..=3.0, 40, 33);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a pool");
        let one =
            pool.install(|| Grid::sample_with_gradients(&Peaks, -3.0..=3.0, -3.0..=3.0, 40, 33));
        assert_eq!(many, one);
    }

    #[test]
    fn bad_axes_are_errors() {
        assert_eq!(
            Grid::sample(&Peaks, 0.0..=1.0, 0.0..=1.0, 1, 5),
            Err(GridError::TooFewPoints {
                axis: "x",
                points: 1
            })
        );
        assert!(matches!(
            Grid::sample(&Peaks, 0.0..=1.0, 1.0..=-1.0, 5, 5),
            Err(GridError::InvalidRange { axis: "y", .. })
        ));
        assert!(Grid::sample(&Peaks, f64::NAN..=1.0, 0.0..=1.0, 5, 5).is_err());
    }
}
