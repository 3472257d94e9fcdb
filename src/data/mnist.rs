//! The four canonical MNIST files: where they are, that they are the real ones, and their
//! contents as arrays.

use super::DataError;
use super::idx::{self, IMAGES_MAGIC, LABELS_MAGIC};
use ndarray::{Array1, Array2, ArrayView2};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Environment variable that points the loader at another folder of MNIST files.
pub const MNIST_DIR_ENV: &str = "MNIST_DIR";

/// Side of an MNIST image in pixels.
pub const SIDE: usize = 28;

/// One of the four canonical MNIST files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MnistFile {
    /// `train-images-idx3-ubyte`: 60000 training images.
    TrainImages,
    /// `train-labels-idx1-ubyte`: their labels.
    TrainLabels,
    /// `t10k-images-idx3-ubyte`: 10000 test images.
    TestImages,
    /// `t10k-labels-idx1-ubyte`: their labels.
    TestLabels,
}

impl MnistFile {
    /// Canonical file name, without `.gz`.
    pub fn name(self) -> &'static str {
        match self {
            Self::TrainImages => "train-images-idx3-ubyte",
            Self::TrainLabels => "train-labels-idx1-ubyte",
            Self::TestImages => "t10k-images-idx3-ubyte",
            Self::TestLabels => "t10k-labels-idx1-ubyte",
        }
    }

    /// SHA-256 of the decompressed canonical file.
    pub fn sha256(self) -> &'static str {
        match self {
            Self::TrainImages => "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            Self::TrainLabels => "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            Self::TestImages => "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            Self::TestLabels => "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        }
    }

    /// Finds the file in `dir`, gzipped (`NAME.gz`) or raw (`NAME`).
    pub fn locate(self, dir: &Path) -> Result<PathBuf, DataError> {
        let gz = dir.join(format!("{}.gz", self.name()));
        let raw = dir.join(self.name());
        [gz, raw]
            .into_iter()
            .find(|p| p.is_file())
            .ok_or_else(|| DataError::Missing {
                name: self.name(),
                dir: dir.to_owned(),
            })
    }

    /// Reads the file from `dir` and returns its path and decompressed bytes.
    pub fn read(self, dir: &Path) -> Result<(PathBuf, Vec<u8>), DataError> {
        let path = self.locate(dir)?;
        let bytes = idx::read_maybe_gzipped(&path)?;
        Ok((path, bytes))
    }

    /// Checks that `bytes`, read from `path`, are this canonical file.
    pub fn verify(self, path: &Path, bytes: &[u8]) -> Result<(), DataError> {
        let found = hex(&Sha256::digest(bytes));
        if found != self.sha256() {
            return Err(DataError::Checksum {
                path: path.to_owned(),
                expected: self.sha256(),
                found,
            });
        }
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The folder the book's MNIST files are read from: `MNIST_DIR` when set, else the copy
/// shipped in the repository's `assets/mnist`.
pub fn default_dir() -> PathBuf {
    std::env::var_os(MNIST_DIR_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/mnist"))
}

/// One split of MNIST: images as rows of 784 bytes and their digit labels.
#[derive(Debug, Clone)]
pub struct Digits {
    /// `n x 784` pixel intensities, row-major 28 x 28 per image, 0 = background.
    pub images: Array2<u8>,
    /// `n` digit labels, 0 to 9.
    pub labels: Array1<u8>,
}

impl Digits {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the split holds no image.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Image `i` as a 28 x 28 view.
    ///
    /// # Errors
    /// [`DataError::Index`] when `i >= self.len()`.
    pub fn image(&self, i: usize) -> Result<ArrayView2<'_, u8>, DataError> {
        if i >= self.len() {
            return Err(DataError::Index {
                index: i,
                len: self.len(),
            });
        }
        Ok(self
            .images
            .row(i)
            .into_shape_with_order((SIDE, SIDE))
            .expect("a row of 784 pixels is a 28 x 28 image"))
    }

    fn read(images: MnistFile, labels: MnistFile, dir: &Path) -> Result<Self, DataError> {
        let (image_path, image_bytes) = images.read(dir)?;
        let (label_path, label_bytes) = labels.read(dir)?;
        let image_idx = idx::parse(&image_bytes, IMAGES_MAGIC, "images", &image_path)?;
        let label_idx = idx::parse(&label_bytes, LABELS_MAGIC, "labels", &label_path)?;
        let (count, rows, cols) = match image_idx.dims[..] {
            [n, r, c] => (n, r, c),
            _ => unreachable!("magic 0x803 has rank 3"),
        };
        if (rows, cols) != (SIDE, SIDE) {
            return Err(DataError::BadShape {
                path: image_path,
                rows,
                cols,
            });
        }
        if label_idx.dims[0] != count {
            return Err(DataError::CountMismatch {
                images: image_path,
                labels: label_path,
                image_count: count,
                label_count: label_idx.dims[0],
            });
        }
        // Structure first, so a cut or swapped file gets the more telling error.
        images.verify(&image_path, &image_bytes)?;
        labels.verify(&label_path, &label_bytes)?;
        let images = Array2::from_shape_vec((count, SIDE * SIDE), image_idx.data.to_vec())
            .expect("IDX parsing checked the length");
        Ok(Self {
            images,
            labels: Array1::from(label_idx.data.to_vec()),
        })
    }
}

/// The whole MNIST data set, both splits.
#[derive(Debug, Clone)]
pub struct Mnist {
    /// The 60000 training images.
    pub train: Digits,
    /// The 10000 test images.
    pub test: Digits,
}

impl Mnist {
    /// Loads the canonical files from [`default_dir`].
    ///
    /// ```no_run
    /// let mnist = descent::data::Mnist::load()?;
    /// assert_eq!(mnist.train.len(), 60_000);
    /// # Ok::<(), descent::data::DataError>(())
    /// ```
    pub fn load() -> Result<Self, DataError> {
        Self::load_from(&default_dir())
    }

    /// Loads the canonical files from `dir`, checking each one's SHA-256.
    pub fn load_from(dir: &Path) -> Result<Self, DataError> {
        let (train, test) = rayon::join(
            || Digits::read(MnistFile::TrainImages, MnistFile::TrainLabels, dir),
            || Digits::read(MnistFile::TestImages, MnistFile::TestLabels, dir),
        );
        Ok(Self {
            train: train?,
            test: test?,
        })
    }
}
