//! A function sampled on a regular grid: what landscapes and surfaces draw.

use ndarray::ArrayView2;

use super::FigureError;

/// Values of f(x, y) on an `nx` x `ny` grid over `[x0, x1] x [y0, y1]`, row by row (row `j`
/// holds y = y0 + j (y1 - y0) / (ny - 1)).
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    x: (f64, f64),
    y: (f64, f64),
    nx: usize,
    ny: usize,
    values: Vec<f64>,
}

impl Grid {
    /// Samples `f` on an `n` x `n` grid.
    ///
    /// ```
    /// use descent::figure::Grid;
    /// let g = Grid::sample(|x, y| x * x + y * y, (-1.0, 1.0), (-1.0, 1.0), 3)?;
    /// assert_eq!(g.value(1, 1), 0.0);
    /// # Ok::<(), descent::figure::FigureError>(())
    /// ```
    ///
    /// # Errors
    /// When `n < 2` or a range is empty or not finite.
    pub fn sample(
        f: impl Fn(f64, f64) -> f64,
        x: (f64, f64),
        y: (f64, f64),
        n: usize,
    ) -> Result<Self, FigureError> {
        check_range("x range", x)?;
        check_range("y range", y)?;
        if n < 2 {
            return Err(FigureError::Invalid {
                what: "grid size".into(),
                why: format!("{n} points per side; give at least 2"),
            });
        }
        let at = |r: (f64, f64), i: usize| r.0 + (r.1 - r.0) * i as f64 / (n - 1) as f64;
        let values = (0..n)
            .flat_map(|j| (0..n).map(move |i| (i, j)))
            .map(|(i, j)| f(at(x, i), at(y, j)))
            .collect();
        Ok(Grid {
            x,
            y,
            nx: n,
            ny: n,
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
        x: (f64, f64),
        y: (f64, f64),
    ) -> Result<Self, FigureError> {
        check_range("x range", x)?;
        check_range("y range", y)?;
        let (ny, nx) = values.dim();
        if nx < 2 || ny < 2 {
            return Err(FigureError::Invalid {
                what: "grid values".into(),
                why: format!("{ny} x {nx}; give at least 2 x 2"),
            });
        }
        Ok(Grid {
            x,
            y,
            nx,
            ny,
            values: values.iter().copied().collect(),
        })
    }

    /// Points per row and per column.
    pub fn dim(&self) -> (usize, usize) {
        (self.nx, self.ny)
    }

    /// The x range.
    pub fn x_range(&self) -> (f64, f64) {
        self.x
    }

    /// The y range.
    pub fn y_range(&self) -> (f64, f64) {
        self.y
    }

    /// The value at column `i`, row `j`.
    pub fn value(&self, i: usize, j: usize) -> f64 {
        self.values[j * self.nx + i]
    }

    /// The x of column `i`.
    pub fn xi(&self, i: usize) -> f64 {
        self.x.0 + (self.x.1 - self.x.0) * i as f64 / (self.nx - 1) as f64
    }

    /// The y of row `j`.
    pub fn yj(&self, j: usize) -> f64 {
        self.y.0 + (self.y.1 - self.y.0) * j as f64 / (self.ny - 1) as f64
    }

    /// The smallest and largest finite values (`(0, 1)` when there are none).
    pub fn finite_range(&self) -> (f64, f64) {
        let (lo, hi) = self
            .values
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        if lo > hi { (0.0, 1.0) } else { (lo, hi) }
    }

    /// f at `(x, y)` by bilinear interpolation (clamped to the grid).
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
        let v = |a, b| self.value(a, b);
        (v(i, j) * (1.0 - tx) + v(i + 1, j) * tx) * (1.0 - ty)
            + (v(i, j + 1) * (1.0 - tx) + v(i + 1, j + 1) * tx) * ty
    }

    /// The same function resampled to `n` x `n` points (bilinear), for coarser drawings.
    pub(crate) fn resample(&self, n: usize) -> Grid {
        if self.nx == n && self.ny == n {
            return self.clone();
        }
        let at = |r: (f64, f64), i: usize| r.0 + (r.1 - r.0) * i as f64 / (n - 1) as f64;
        let values = (0..n)
            .flat_map(|j| (0..n).map(move |i| (i, j)))
            .map(|(i, j)| self.at(at(self.x, i), at(self.y, j)))
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
    pub(crate) fn at_most(&self, n: usize) -> Grid {
        if self.nx > n || self.ny > n {
            self.resample(n)
        } else {
            self.clone()
        }
    }

    /// The values mapped through `f` (e.g. a log for colours).
    pub(crate) fn map(&self, f: impl Fn(f64) -> f64) -> Grid {
        Grid {
            values: self.values.iter().map(|&v| f(v)).collect(),
            ..self.clone()
        }
    }
}

fn check_range(what: &str, (a, b): (f64, f64)) -> Result<(), FigureError> {
    if !(a.is_finite() && b.is_finite() && a < b) {
        return Err(FigureError::Invalid {
            what: what.into(),
            why: format!("({a}, {b}); give finite bounds with low < high"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_is_exact_on_planes() {
        let g = Grid::sample(|x, y| 2.0 * x + y, (0.0, 1.0), (0.0, 2.0), 5).unwrap();
        assert!((g.at(0.3, 1.1) - 1.7).abs() < 1e-12);
        assert_eq!(g.resample(3).dim(), (3, 3));
    }

    #[test]
    fn empty_ranges_are_refused() {
        assert!(Grid::sample(|x, _| x, (1.0, 1.0), (0.0, 1.0), 4).is_err());
    }
}
