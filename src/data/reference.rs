//! The PyTorch tutorial's exact starting point for GD versus SGD: its `randn / 100` initial θ
//! and the one-time shuffle of the training and test subsets (`tests/data/gd-sgd/`, recorded
//! from the reference run). With them, a run here takes the very steps the tutorial's took.
//!
//! The files are compiled into the library, so a chapter needs no path to them.

use super::{DataError, OnesSevens};
use ndarray::Array1;

const THETA_INIT: &[u8] = include_bytes!("../../tests/data/gd-sgd/theta_init_f32le.bin");
const TRAIN_PERM: &[u8] = include_bytes!("../../tests/data/gd-sgd/train_perm_i64le.bin");
const TEST_PERM: &[u8] = include_bytes!("../../tests/data/gd-sgd/test_perm_i64le.bin");

/// The tutorial's initial θ: 785 weights (bias last) drawn by PyTorch as `randn(785) / 100`.
pub fn initial_theta() -> Array1<f32> {
    THETA_INIT
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

fn indices(bytes: &[u8]) -> Vec<usize> {
    bytes
        .chunks_exact(8)
        .map(|b| {
            let v = i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
            // Recorded indices are small and non-negative; a negative one would be a damaged
            // file, which `permuted` then reports as out of range.
            usize::try_from(v).unwrap_or(usize::MAX)
        })
        .collect()
}

/// The tutorial's shuffle of the training subset: row `k` of its data is row `train_order()[k]`
/// of [`OnesSevens::load`]'s.
pub fn train_order() -> Vec<usize> {
    indices(TRAIN_PERM)
}

/// The tutorial's shuffle of the test subset.
pub fn test_order() -> Vec<usize> {
    indices(TEST_PERM)
}

/// The ones-versus-sevens data in the tutorial's fixed order (train and test shuffled once, as
/// the PyTorch run did): train on it with `Shuffle::Never` to take the tutorial's batches.
///
/// # Errors
/// [`DataError::Index`] when `data` is not the full tutorial subset (13 007 and 2 163 images).
pub fn tutorial_order(data: &OnesSevens) -> Result<OnesSevens, DataError> {
    Ok(OnesSevens {
        train: data.train.permuted(&train_order())?,
        test: data.test.permuted(&test_order())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_permutation(mut v: Vec<usize>, n: usize) -> bool {
        v.sort_unstable();
        v == (0..n).collect::<Vec<_>>()
    }

    #[test]
    fn the_orders_are_permutations_of_the_subsets() {
        assert!(is_permutation(train_order(), 13007));
        assert!(is_permutation(test_order(), 2163));
    }

    #[test]
    fn the_initial_theta_is_small_and_gaussian_looking() {
        let theta = initial_theta();
        assert_eq!(theta.len(), 785);
        let mean = theta.sum() / 785.0;
        let sd = (theta.mapv(|v| (v - mean) * (v - mean)).sum() / 785.0).sqrt();
        assert!(mean.abs() < 0.002, "mean {mean}");
        assert!((sd - 0.01).abs() < 0.002, "sd {sd}");
    }
}
