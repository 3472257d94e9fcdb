//! A landscape's values and gradients on a grid, in one pass on every core.
//!
//! One rayon task per row and no reduction across threads: bit-identical for any number of
//! threads; the values are bit for bit those of [`Landscape::grid`].

use std::ops::RangeInclusive;

use super::Landscape;
use crate::plane::{Grid, GridError};

/// The grid of `f`'s values and `∇f` at every point, row by row like the values.
pub(super) fn with_gradients<L: Landscape + ?Sized>(
    f: &L,
    x: RangeInclusive<f64>,
    y: RangeInclusive<f64>,
    n: usize,
) -> Result<(Grid, Vec<[f64; 2]>), GridError> {
    Grid::sample_with(|x, y| f.value_and_gradient(x, y), x, y, n, n)
}

#[cfg(test)]
mod tests {
    use crate::landscape::{Landscape, Peaks, Rosenbrock};

    #[test]
    fn grids_agree_with_pointwise_evaluation() {
        let f = Rosenbrock::default();
        let (g, grads) = f
            .grid_with_gradients(-2.0..=2.0, -1.0..=3.0, 17)
            .expect("valid");
        assert_eq!(g, f.grid(-2.0..=2.0, -1.0..=3.0, 17).expect("valid"));
        for (j, &y) in g.ys().iter().enumerate() {
            for (i, &x) in g.xs().iter().enumerate() {
                let k = j * 17 + i;
                assert_eq!((g.values()[k], grads[k]), f.value_and_gradient(x, y));
            }
        }
    }

    #[test]
    fn results_do_not_depend_on_the_number_of_threads() {
        let many = Peaks.grid_with_gradients(-3.0..=3.0, -3.0..=3.0, 40);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a pool");
        let one = pool.install(|| Peaks.grid_with_gradients(-3.0..=3.0, -3.0..=3.0, 40));
        assert_eq!(many, one);
    }

    #[test]
    fn a_landscape_behind_dyn_samples_too() {
        let f: Box<dyn Landscape> = Box::new(Peaks);
        let g = f.grid(-3.0..=3.0, -3.0..=3.0, 61).expect("valid");
        let (low, high) = g.range().expect("finite values");
        assert!(low < -1.6 && high > 2.0);
    }
}
