//! A function of two variables sampled on a regular grid: what landscapes are sampled into and
//! what figures draw.
//!
//! Sampling runs one rayon task per row; every cell is computed on its own, with no reduction
//! across threads, so a grid is bit-identical for any number of threads.

use std::ops::RangeInclusive;

use ndarray::ArrayView2;
#[cfg(feature = "parallel")]
use rayon::prelude::*;

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
    /// Precomputed values that do not fill the grid.
    #[error("the grid has {got} values but {nx} x {ny} points need {expected}: check nx and ny")]
    Shape {
        /// Points along x.
        nx: usize,
        /// Points along y.
        ny: usize,
        /// `nx * ny`.
        expected: usize,
        /// Values given.
        got: usize,
    },
}

/// Values of f(x, y) on `nx` x `ny` evenly spaced points over `x` and `y` (ends included), row
/// by row: the value at `(xs[i], ys[j])` is `values[j * nx + i]`.
///
/// ```
/// use descent::plane::Grid;
///
/// let grid = Grid::sample(|x, y| x + 10.0 * y, -1.0..=1.0, 0.0..=2.0, 3)?;
/// assert_eq!(grid.xs(), vec![-1.0, 0.0, 1.0]);
/// assert_eq!(grid.value(2, 1), Some(1.0 + 10.0));
/// assert_eq!(grid.value(3, 0), None);
/// assert_eq!(grid.range(), Some((-1.0, 21.0)));
/// # Ok::<(), descent::plane::GridError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    x: (f64, f64),
    y: (f64, f64),
    nx: usize,
    ny: usize,
    values: Vec<f64>,
}

fn check(
    axis: &'static str,
    range: &RangeInclusive<f64>,
    n: usize,
) -> Result<(f64, f64), GridError> {
    let (start, end) = (*range.start(), *range.end());
    if n < 2 {
        return Err(GridError::TooFewPoints { axis, points: n });
    }
    if !(start.is_finite() && end.is_finite() && start < end) {
        return Err(GridError::InvalidRange { axis, start, end });
    }
    Ok((start, end))
}

/// The `i`-th of `n` evenly spaced points over `r`.
fn at(r: (f64, f64), i: usize, n: usize) -> f64 {
    r.0 + (r.1 - r.0) * i as f64 / (n - 1) as f64
}

impl Grid {
    /// The values of `f` on `n` x `n` points spanning `x` and `y`, one row per rayon task.
    ///
    /// To sample a [`crate::landscape::Landscape`], call its `grid` method (`Peaks.grid(...)`).
    ///
    /// # Errors
    /// [`GridError`] when `n < 2` or a range is empty, reversed or not finite.
    pub fn sample(
        f: impl Fn(f64, f64) -> f64 + Sync,
        x: RangeInclusive<f64>,
        y: RangeInclusive<f64>,
        n: usize,
    ) -> Result<Self, GridError> {
        Self::sample_xy(f, x, y, n, n)
    }

    /// Like [`Grid::sample`], with `nx` points along x and `ny` along y.
    ///
    /// # Errors
    /// As [`Grid::sample`].
    pub fn sample_xy(
        f: impl Fn(f64, f64) -> f64 + Sync,
        x: RangeInclusive<f64>,
        y: RangeInclusive<f64>,
        nx: usize,
        ny: usize,
    ) -> Result<Self, GridError> {
        let x = check("x", &x, nx)?;
        let y = check("y", &y, ny)?;
        let mut values = vec![0.0; nx * ny];
        #[cfg(feature = "parallel")]
        let rows = values.par_chunks_mut(nx);
        #[cfg(not(feature = "parallel"))]
        let rows = values.chunks_mut(nx);
        rows.enumerate().for_each(|(j, row)| {
            let yv = at(y, j, ny);
            for (i, cell) in row.iter_mut().enumerate() {
                *cell = f(at(x, i, nx), yv);
            }
        });
        Ok(Grid {
            x,
            y,
            nx,
            ny,
            values,
        })
    }

    /// Like [`Grid::sample_xy`], for an `f` that gives a value and something more per point
    /// (a gradient): the grid of values and the extras in the grid's order, in one pass.
    pub(crate) fn sample_with<T: Copy + Default + Send>(
        f: impl Fn(f64, f64) -> (f64, T) + Sync,
        x: RangeInclusive<f64>,
        y: RangeInclusive<f64>,
        nx: usize,
        ny: usize,
    ) -> Result<(Self, Vec<T>), GridError> {
        let x = check("x", &x, nx)?;
        let y = check("y", &y, ny)?;
        let mut values = vec![0.0; nx * ny];
        let mut extras = vec![T::default(); nx * ny];
        #[cfg(feature = "parallel")]
        let rows = values.par_chunks_mut(nx).zip(extras.par_chunks_mut(nx));
        #[cfg(not(feature = "parallel"))]
        let rows = values.chunks_mut(nx).zip(extras.chunks_mut(nx));
        rows.enumerate().for_each(|(j, (row, extra))| {
            let yv = at(y, j, ny);
            for (i, (cell, e)) in row.iter_mut().zip(extra.iter_mut()).enumerate() {
                (*cell, *e) = f(at(x, i, nx), yv);
            }
        });
        let grid = Grid {
            x,
            y,
            nx,
            ny,
            values,
        };
        Ok((grid, extras))
    }

    /// A grid of precomputed values, row by row (`values[j * nx + i]` at the `i`-th x and the
    /// `j`-th y).
    ///
    /// # Errors
    /// When there are not `nx * ny` values, fewer than 2 points along an axis, or a range is
    /// empty or not finite.
    pub fn from_values(
        values: Vec<f64>,
        x: RangeInclusive<f64>,
        y: RangeInclusive<f64>,
        nx: usize,
        ny: usize,
    ) -> Result<Self, GridError> {
        let x = check("x", &x, nx)?;
        let y = check("y", &y, ny)?;
        if values.len() != nx * ny {
            return Err(GridError::Shape {
                nx,
                ny,
                expected: nx * ny,
                got: values.len(),
            });
        }
        Ok(Grid {
            x,
            y,
            nx,
            ny,
            values,
        })
    }

    /// A grid of precomputed values: `values[[row, col]]` is f at the `col`-th x and the
    /// `row`-th y.
    ///
    /// # Errors
    /// When the array has fewer than 2 rows or columns, or a range is empty or not finite.
    pub fn from_array(
        values: ArrayView2<'_, f64>,
        x: RangeInclusive<f64>,
        y: RangeInclusive<f64>,
    ) -> Result<Self, GridError> {
        let (ny, nx) = values.dim();
        Self::from_values(values.iter().copied().collect(), x, y, nx, ny)
    }

    /// Points along x and along y.
    pub fn dim(&self) -> (usize, usize) {
        (self.nx, self.ny)
    }

    /// The x range.
    pub fn x_range(&self) -> RangeInclusive<f64> {
        self.x.0..=self.x.1
    }

    /// The y range.
    pub fn y_range(&self) -> RangeInclusive<f64> {
        self.y.0..=self.y.1
    }

    /// The x coordinates, evenly spaced, both ends included.
    pub fn xs(&self) -> Vec<f64> {
        (0..self.nx).map(|i| self.xi(i)).collect()
    }

    /// The y coordinates, evenly spaced, both ends included.
    pub fn ys(&self) -> Vec<f64> {
        (0..self.ny).map(|j| self.yj(j)).collect()
    }

    /// Every value, row by row (`values()[j * nx + i]`).
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The value at column `i` (along x) and row `j` (along y), if inside the grid.
    pub fn value(&self, i: usize, j: usize) -> Option<f64> {
        (i < self.nx && j < self.ny).then(|| self.values[j * self.nx + i])
    }

    /// The smallest and the largest finite value, if there is one: a figure's colour scale.
    pub fn range(&self) -> Option<(f64, f64)> {
        let (lo, hi) = self
            .values
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        (lo <= hi).then_some((lo, hi))
    }

    /// f at `(x, y)` by bilinear interpolation between the grid's points (clamped to the grid).
    pub fn at(&self, x: f64, y: f64) -> f64 {
        let fx = ((x - self.x.0) / (self.x.1 - self.x.0) * (self.nx - 1) as f64)
            .clamp(0.0, (self.nx - 1) as f64);
        let fy = ((y - self.y.0) / (self.y.1 - self.y.0) * (self.ny - 1) as f64)
            .clamp(0.0, (self.ny - 1) as f64);
        let (i, j) = (
            (fx.floor() as usize).min(self.nx - 2),
            (fy.floor() as usize).min(self.ny - 2),
        );
        let (tx, ty) = (fx - i as f64, fy - j as f64);
        let v = |a, b| self.get(a, b);
        (v(i, j) * (1.0 - tx) + v(i + 1, j) * tx) * (1.0 - ty)
            + (v(i, j + 1) * (1.0 - tx) + v(i + 1, j + 1) * tx) * ty
    }

    /// The value at column `i`, row `j`, for indices the caller knows are inside.
    pub(crate) fn get(&self, i: usize, j: usize) -> f64 {
        self.values[j * self.nx + i]
    }

    /// The x of column `i`.
    #[cfg_attr(not(feature = "native"), allow(dead_code))]
    pub(crate) fn xi(&self, i: usize) -> f64 {
        at(self.x, i, self.nx)
    }

    /// The y of row `j`.
    #[cfg_attr(not(feature = "native"), allow(dead_code))]
    pub(crate) fn yj(&self, j: usize) -> f64 {
        at(self.y, j, self.ny)
    }

    /// The x range as a pair.
    #[cfg_attr(not(feature = "native"), allow(dead_code))]
    pub(crate) fn x_pair(&self) -> (f64, f64) {
        self.x
    }

    /// The y range as a pair.
    #[cfg_attr(not(feature = "native"), allow(dead_code))]
    pub(crate) fn y_pair(&self) -> (f64, f64) {
        self.y
    }

    /// The smallest and largest finite values (`(0, 1)` when there are none).
    #[cfg_attr(not(feature = "native"), allow(dead_code))]
    pub(crate) fn finite_range(&self) -> (f64, f64) {
        self.range().unwrap_or((0.0, 1.0))
    }

    /// The same function resampled to `n` x `n` points (bilinear), for coarser drawings.
    #[cfg_attr(not(feature = "native"), allow(dead_code))]
    pub(crate) fn resample(&self, n: usize) -> Grid {
        if self.nx == n && self.ny == n {
            return self.clone();
        }
        let values = (0..n)
            .flat_map(|j| (0..n).map(move |i| (i, j)))
            .map(|(i, j)| self.at(at(self.x, i, n), at(self.y, j, n)))
            .collect();
        Grid {
            x: self.x,
            y: self.y,
            nx: n,
            ny: n,
            values,
        }
    }

    /// The grid, resampled to `n` x `n` when it is finer than that.
    #[cfg_attr(not(feature = "native"), allow(dead_code))]
    pub(crate) fn at_most(&self, n: usize) -> Grid {
        if self.nx > n || self.ny > n {
            self.resample(n)
        } else {
            self.clone()
        }
    }

    /// The values mapped through `f` (e.g. a log for colours).
    #[cfg_attr(not(feature = "native"), allow(dead_code))]
    pub(crate) fn map(&self, f: impl Fn(f64) -> f64) -> Grid {
        Grid {
            values: self.values.iter().map(|&v| f(v)).collect(),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_is_exact_on_planes() {
        let g = Grid::sample(|x, y| 2.0 * x + y, 0.0..=1.0, 0.0..=2.0, 5).unwrap();
        assert!((g.at(0.3, 1.1) - 1.7).abs() < 1e-12);
        assert_eq!(g.resample(3).dim(), (3, 3));
    }

    #[test]
    fn grid_points_include_both_ends_and_follow_row_order() {
        let g = Grid::sample_xy(|x, y| x + y * 10.0, -1.0..=1.0, 0.0..=2.0, 3, 5).unwrap();
        assert_eq!(g.xs(), vec![-1.0, 0.0, 1.0]);
        assert_eq!(g.ys(), vec![0.0, 0.5, 1.0, 1.5, 2.0]);
        assert_eq!(g.value(2, 1), Some(6.0));
        assert_eq!(g.values()[5], 6.0);
    }

    #[test]
    fn results_do_not_depend_on_the_number_of_threads() {
        let f = |x: f64, y: f64| (x * 3.0).sin() * (y * 2.0).cos() + x * y;
        let many = Grid::sample_xy(f, -3.0..=3.0, -3.0..=3.0, 40, 33);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a pool");
        let one = pool.install(|| Grid::sample_xy(f, -3.0..=3.0, -3.0..=3.0, 40, 33));
        assert_eq!(many, one);
    }

    #[test]
    fn bad_axes_and_shapes_are_errors_that_say_what_to_do() {
        let f = |x: f64, _: f64| x;
        assert_eq!(
            Grid::sample_xy(f, 0.0..=1.0, 0.0..=1.0, 1, 5),
            Err(GridError::TooFewPoints {
                axis: "x",
                points: 1
            })
        );
        let err = Grid::sample(f, 0.0..=1.0, 1.0..=-1.0, 5).unwrap_err();
        assert!(matches!(err, GridError::InvalidRange { axis: "y", .. }));
        assert!(err.to_string().contains("low..=high"), "{err}");
        assert!(Grid::sample(f, f64::NAN..=1.0, 0.0..=1.0, 5).is_err());
        let err = Grid::from_values(vec![0.0; 5], 0.0..=1.0, 0.0..=1.0, 2, 3).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the grid has 5 values but 2 x 3 points need 6: check nx and ny"
        );
    }
}
