//! The tutorial's binary task: ones against sevens, normalised as torchvision does.

use super::{DataError, Digits, Mnist};
use ndarray::{Array1, Array2, ArrayView1, Axis};

/// Mean of MNIST's training pixels (after scaling to [0, 1]), as in the tutorial.
pub const PIXEL_MEAN: f32 = 0.1307;
/// Standard deviation of MNIST's training pixels (after scaling to [0, 1]).
pub const PIXEL_STD: f32 = 0.3081;

/// Normalises one pixel exactly as `ToTensor()` then `Normalize((0.1307,), (0.3081,))` do in
/// float32: `(v / 255 - 0.1307) / 0.3081`.
pub fn normalise_pixel(v: u8) -> f32 {
    (f32::from(v) / 255.0 - PIXEL_MEAN) / PIXEL_STD
}

/// Inputs and targets of a binary classification task.
#[derive(Debug, Clone)]
pub struct Subset {
    /// `n x 784` normalised pixels, one image a row.
    pub x: Array2<f32>,
    /// `n` targets: 1.0 for the positive class, 0.0 for the negative one.
    pub t: Array1<f32>,
    /// Index of each row in the split it was taken from.
    pub source_index: Vec<usize>,
}

impl Subset {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.t.len()
    }

    /// Whether the subset holds no sample.
    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }

    /// The samples in the order `perm` gives (`perm[k]` is the row that becomes row `k`).
    ///
    /// # Errors
    /// [`DataError::Index`] when an index is out of range.
    pub fn permuted(&self, perm: &[usize]) -> Result<Subset, DataError> {
        self.check(perm.iter().copied().max())?;
        Ok(Subset {
            x: self.x.select(Axis(0), perm),
            t: self.t.select(Axis(0), perm),
            source_index: perm.iter().map(|&i| self.source_index[i]).collect(),
        })
    }

    fn check(&self, index: Option<usize>) -> Result<(), DataError> {
        match index {
            Some(index) if index >= self.len() => Err(DataError::Index {
                index,
                len: self.len(),
            }),
            _ => Ok(()),
        }
    }

    /// The first `n` samples (all of them when `n` exceeds the length).
    pub fn head(&self, n: usize) -> Subset {
        let n = n.min(self.len());
        Subset {
            x: self.x.slice(ndarray::s![..n, ..]).to_owned(),
            t: self.t.slice(ndarray::s![..n]).to_owned(),
            source_index: self.source_index[..n].to_vec(),
        }
    }

    /// Sample `i`'s normalised pixels.
    ///
    /// # Errors
    /// [`DataError::Index`] when there is no sample `i`.
    pub fn row(&self, i: usize) -> Result<ArrayView1<'_, f32>, DataError> {
        self.check(Some(i))?;
        Ok(self.x.row(i))
    }
}

/// Keeps the images of `positive` (target 1) and `negative` (target 0), in file order.
pub fn binary_subset(digits: &Digits, positive: u8, negative: u8) -> Subset {
    let source_index: Vec<usize> = (0..digits.len())
        .filter(|&i| digits.labels[i] == positive || digits.labels[i] == negative)
        .collect();
    let x = digits
        .images
        .select(Axis(0), &source_index)
        .mapv(normalise_pixel);
    let t = source_index
        .iter()
        .map(|&i| f32::from(u8::from(digits.labels[i] == positive)))
        .collect();
    Subset { x, t, source_index }
}

/// The tutorial's data: ones (target 1) against sevens (target 0), train and test.
#[derive(Debug, Clone)]
pub struct OnesSevens {
    /// 13007 training images (6742 ones, 6265 sevens).
    pub train: Subset,
    /// 2163 test images (1135 ones, 1028 sevens).
    pub test: Subset,
}

impl OnesSevens {
    /// Takes the ones and sevens of both splits, in file order.
    pub fn from_mnist(mnist: &Mnist) -> Self {
        Self {
            train: binary_subset(&mnist.train, 1, 7),
            test: binary_subset(&mnist.test, 1, 7),
        }
    }

    /// Loads MNIST (see [`Mnist::load`]) and keeps the ones and sevens.
    ///
    /// ```no_run
    /// let data = descent::data::OnesSevens::load()?;
    /// assert_eq!((data.train.len(), data.test.len()), (13007, 2163));
    /// # Ok::<(), descent::data::DataError>(())
    /// ```
    pub fn load() -> Result<Self, DataError> {
        Ok(Self::from_mnist(&Mnist::load()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_like_torchvision() {
        assert!((normalise_pixel(0) - -0.424_213).abs() < 1e-6);
        assert!((normalise_pixel(255) - 2.821_49).abs() < 1e-5);
    }
}
