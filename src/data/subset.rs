//! The tutorial's binary task: ones against sevens, normalised as torchvision does.
//!
//! A [`Subset`] keeps MNIST's pixels as the bytes they are (10.2 MB for the training ones and
//! sevens, against 40.8 MB as `f32`): training and evaluation read the bytes and fold the
//! normalisation into their arithmetic (see [`crate::logistic::Inputs`]). The normalised
//! `f32` rows a chapter reads ([`Subset::x`], [`Subset::row`]) are built on first use.

use super::{DataError, Digits, Mnist};
use crate::logistic::{Inputs, Packed, PixelRows};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use std::sync::OnceLock;

/// Mean of MNIST's training pixels (after scaling to [0, 1]), as in the tutorial.
pub const PIXEL_MEAN: f32 = 0.1307;
/// Standard deviation of MNIST's training pixels (after scaling to [0, 1]).
pub const PIXEL_STD: f32 = 0.3081;

/// Normalises one pixel exactly as `ToTensor()` then `Normalize((0.1307,), (0.3081,))` do in
/// float32: `(v / 255 - 0.1307) / 0.3081`.
pub fn normalise_pixel(v: u8) -> f32 {
    (f32::from(v) / 255.0 - PIXEL_MEAN) / PIXEL_STD
}

/// What a subset's rows are made of.
#[derive(Debug, Clone)]
enum Features {
    /// Pixel bytes, their copy packed for training (the ink gathered into few blocks), and
    /// their normalised `f32` copy once something asked for it.
    Pixels {
        bytes: Array2<u8>,
        packed: Box<Packed>,
        normalised: OnceLock<Array2<f32>>,
    },
    /// Any `f32` features (synthetic data, a narrowed copy).
    Values(Array2<f32>),
}

/// Inputs and targets of a binary classification task.
#[derive(Debug, Clone)]
pub struct Subset {
    features: Features,
    /// `n` targets: 1.0 for the positive class, 0.0 for the negative one.
    pub t: Array1<f32>,
    /// Index of each row in the split it was taken from.
    pub source_index: Vec<usize>,
}

impl Subset {
    /// A subset of MNIST pixels (`n x 784` bytes, 0 = background), read as torchvision's
    /// normalised values ([`normalise_pixel`]).
    pub fn from_pixels(pixels: Array2<u8>, t: Array1<f32>, source_index: Vec<usize>) -> Self {
        Self {
            features: Features::Pixels {
                packed: Box::new(Packed::of(pixels.view())),
                bytes: pixels,
                normalised: OnceLock::new(),
            },
            t,
            source_index,
        }
    }

    /// A subset of arbitrary `f32` features, one sample a row.
    pub fn from_values(x: Array2<f32>, t: Array1<f32>, source_index: Vec<usize>) -> Self {
        Self {
            features: Features::Values(x),
            t,
            source_index,
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.t.len()
    }

    /// Whether the subset holds no sample.
    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }

    /// Rows of features (one per sample, if the subset is well formed).
    pub fn nrows(&self) -> usize {
        self.inputs().dim().0
    }

    /// Features per sample: 784 pixels for MNIST.
    pub fn ncols(&self) -> usize {
        self.inputs().dim().1
    }

    /// The `n x 784` normalised pixels as `f32`, one image a row. For a subset of pixels this
    /// copy (four bytes a pixel) is built on the first call and kept; training never needs it.
    pub fn x(&self) -> &Array2<f32> {
        match &self.features {
            Features::Pixels {
                bytes, normalised, ..
            } => normalised.get_or_init(|| bytes.mapv(normalise_pixel)),
            Features::Values(x) => x,
        }
    }

    /// The pixel bytes, if the subset holds pixels.
    pub fn pixels(&self) -> Option<ArrayView2<'_, u8>> {
        match &self.features {
            Features::Pixels { bytes, .. } => Some(bytes.view()),
            Features::Values(_) => None,
        }
    }

    /// The rows as the model reads them: the bytes when the subset holds pixels.
    pub fn inputs(&self) -> Inputs<'_> {
        match &self.features {
            Features::Pixels { bytes, packed, .. } => {
                Inputs::Pixels(PixelRows::with_packed(bytes.view(), packed))
            }
            Features::Values(x) => Inputs::Values(x.view()),
        }
    }

    fn select_rows(&self, rows: &[usize]) -> Features {
        match &self.features {
            Features::Pixels { bytes, .. } => {
                let bytes = bytes.select(Axis(0), rows);
                Features::Pixels {
                    packed: Box::new(Packed::of(bytes.view())),
                    bytes,
                    normalised: OnceLock::new(),
                }
            }
            Features::Values(x) => Features::Values(x.select(Axis(0), rows)),
        }
    }

    /// The samples in the order `perm` gives (`perm[k]` is the row that becomes row `k`).
    ///
    /// # Errors
    /// [`DataError::Index`] when an index is out of range.
    pub fn permuted(&self, perm: &[usize]) -> Result<Subset, DataError> {
        self.check(perm.iter().copied().max())?;
        Ok(Subset {
            features: self.select_rows(perm),
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
        let first: Vec<usize> = (0..n).collect();
        Subset {
            features: self.select_rows(&first),
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
        Ok(self.x().row(i))
    }
}

/// Keeps the images of `positive` (target 1) and `negative` (target 0), in file order.
pub fn binary_subset(digits: &Digits, positive: u8, negative: u8) -> Subset {
    let source_index: Vec<usize> = (0..digits.len())
        .filter(|&i| digits.labels[i] == positive || digits.labels[i] == negative)
        .collect();
    let pixels = digits.images.select(Axis(0), &source_index);
    let t = source_index
        .iter()
        .map(|&i| f32::from(u8::from(digits.labels[i] == positive)))
        .collect();
    Subset::from_pixels(pixels, t, source_index)
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
    /// // Training reads the bytes; the normalised rows are there for reading.
    /// assert_eq!(data.train.pixels().unwrap().dim(), (13007, 784));
    /// assert_eq!(data.train.x().dim(), (13007, 784));
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

    #[test]
    fn the_f32_view_is_the_normalised_bytes_and_follows_selection() {
        let bytes = Array2::from_shape_fn((5, 3), |(i, j)| (i * 50 + j * 7) as u8);
        let subset = Subset::from_pixels(bytes.clone(), Array1::zeros(5), (0..5).collect());
        assert_eq!(subset.x(), &bytes.mapv(normalise_pixel));
        let picked = subset.permuted(&[4, 1]).unwrap();
        assert_eq!(picked.pixels().unwrap(), bytes.select(Axis(0), &[4, 1]));
        assert_eq!(picked.row(0).unwrap(), subset.row(4).unwrap());
        assert_eq!(subset.head(2).x(), &subset.x().slice(ndarray::s![..2, ..]));
        assert_eq!((subset.nrows(), subset.ncols()), (5, 3));
    }
}
