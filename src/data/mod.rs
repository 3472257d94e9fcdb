//! The data the book trains on: the canonical MNIST files ([`mnist`]), read from IDX ([`idx`]),
//! and the tutorial's ones-versus-sevens subset ([`subset`]), and its PyTorch run's starting
//! point ([`reference`]).

pub mod idx;
pub mod mnist;
pub mod reference;
pub mod subset;

pub use mnist::{Digits, Mnist, MnistFile};
pub use subset::{OnesSevens, Subset, normalise_pixel};

use std::path::PathBuf;

/// Everything that can go wrong while reading the data, each naming the file and the fix.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// An image index past the end of a split or subset.
    #[error("there is no image {index}: the set holds {len} images (0 to {})", len.saturating_sub(1))]
    Index {
        /// The index asked for.
        index: usize,
        /// Images in the set.
        len: usize,
    },
    /// Neither `NAME.gz` nor `NAME` exists in the data folder.
    #[error(
        "MNIST file {name} not found in {dir} (looked for {name}.gz and {name}); copy the four \
         canonical MNIST files there, or set MNIST_DIR to the folder that holds them"
    )]
    Missing {
        /// Canonical file name, without `.gz`.
        name: &'static str,
        /// Folder that was searched.
        dir: PathBuf,
    },
    /// The file exists but could not be read.
    #[error("cannot read {path}: {source}; check that the file is readable")]
    Io {
        /// File that failed.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The `.gz` file is not valid gzip.
    #[error(
        "{path} is not a readable gzip file ({source}); replace it with the canonical download"
    )]
    Gzip {
        /// File that failed.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The IDX header does not start with the expected magic number.
    #[error(
        "{path} is not an IDX {kind} file: magic number {found:#010x}, expected {expected:#010x}; \
         the file may be swapped with another or damaged"
    )]
    BadMagic {
        /// File that failed.
        path: PathBuf,
        /// "images" or "labels".
        kind: &'static str,
        /// Magic number read.
        found: u32,
        /// Magic number expected.
        expected: u32,
    },
    /// The header announces more bytes than the file holds, or the header itself is cut.
    #[error(
        "{path} is truncated: its header needs {expected} bytes but the file has {found}; \
         download it again"
    )]
    Truncated {
        /// File that failed.
        path: PathBuf,
        /// Bytes the header announces (header included).
        expected: usize,
        /// Bytes present.
        found: usize,
    },
    /// The header's dimensions are not those of MNIST (28 x 28 images).
    #[error("{path} holds {rows}x{cols} images, but MNIST images are 28x28; check the file")]
    BadShape {
        /// File that failed.
        path: PathBuf,
        /// Rows per image.
        rows: usize,
        /// Columns per image.
        cols: usize,
    },
    /// Image and label files of one split disagree on the number of samples.
    #[error(
        "{images} holds {image_count} images but {labels} holds {label_count} labels; the two \
         files must come from the same split of MNIST"
    )]
    CountMismatch {
        /// Image file.
        images: PathBuf,
        /// Label file.
        labels: PathBuf,
        /// Images in the image file.
        image_count: usize,
        /// Labels in the label file.
        label_count: usize,
    },
    /// The decompressed bytes are not the canonical MNIST file.
    #[error(
        "{path} is not the canonical MNIST file: SHA-256 of its contents is {found}, expected \
         {expected}; download it again (the book's numbers hold only for the canonical data)"
    )]
    Checksum {
        /// File that failed.
        path: PathBuf,
        /// SHA-256 expected (hex).
        expected: &'static str,
        /// SHA-256 found (hex).
        found: String,
    },
}
