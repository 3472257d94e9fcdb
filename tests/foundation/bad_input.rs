//! The loader on damaged copies of MNIST: each fault gets an error that names the file and
//! says what to do, never a panic.

use descent::data::{DataError, Mnist, MnistFile};
use flate2::read::GzDecoder;
use std::io::Read;
use std::path::{Path, PathBuf};

const ALL: [MnistFile; 4] = [
    MnistFile::TrainImages,
    MnistFile::TrainLabels,
    MnistFile::TestImages,
    MnistFile::TestLabels,
];

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/mnist")
}

fn decompressed(file: MnistFile) -> Vec<u8> {
    let gz = std::fs::read(assets().join(format!("{}.gz", file.name()))).unwrap();
    let mut out = Vec::new();
    GzDecoder::new(gz.as_slice()).read_to_end(&mut out).unwrap();
    out
}

/// A folder holding the canonical files, with `damaged` replaced by `raw` bytes written
/// under `name` (or left out when `raw` is `None`).
fn folder_with(damaged: MnistFile, name: &str, raw: Option<Vec<u8>>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ALL.into_iter().filter(|&f| f != damaged) {
        let gz = format!("{}.gz", file.name());
        std::fs::copy(assets().join(&gz), dir.path().join(&gz)).unwrap();
    }
    if let Some(bytes) = raw {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

fn load_error(dir: &tempfile::TempDir) -> (DataError, String) {
    let err = Mnist::load_from(dir.path()).expect_err("a damaged folder must not load");
    let message = err.to_string();
    (err, message)
}

#[test]
fn a_missing_file_is_named_with_the_folder_and_mnist_dir() {
    let dir = folder_with(MnistFile::TrainLabels, "", None);
    let (err, message) = load_error(&dir);
    assert!(matches!(
        err,
        DataError::Missing {
            name: "train-labels-idx1-ubyte",
            ..
        }
    ));
    assert!(
        message.contains(&dir.path().display().to_string()),
        "{message}"
    );
    assert!(message.contains("MNIST_DIR"), "{message}");
}

#[test]
fn a_label_file_in_place_of_images_has_the_wrong_magic() {
    let name = MnistFile::TestImages.name();
    let dir = folder_with(
        MnistFile::TestImages,
        name,
        Some(decompressed(MnistFile::TestLabels)),
    );
    let (err, message) = load_error(&dir);
    assert!(
        matches!(
            err,
            DataError::BadMagic {
                found: 0x801,
                expected: 0x803,
                ..
            }
        ),
        "{message}"
    );
    assert!(message.contains(name), "{message}");
}

#[test]
fn a_truncated_file_says_how_much_is_missing() {
    let mut bytes = decompressed(MnistFile::TestImages);
    let full = bytes.len();
    bytes.truncate(full / 2);
    let name = MnistFile::TestImages.name();
    let dir = folder_with(MnistFile::TestImages, name, Some(bytes));
    let (err, message) = load_error(&dir);
    assert!(
        matches!(err, DataError::Truncated { expected, found, .. } if expected == full && found == full / 2),
        "{message}"
    );
    assert!(message.contains("download it again"), "{message}");
}

#[test]
fn images_and_labels_of_different_lengths_are_a_mismatch() {
    let mut bytes = decompressed(MnistFile::TestLabels);
    bytes[4..8].copy_from_slice(&9999u32.to_be_bytes());
    bytes.pop();
    let name = MnistFile::TestLabels.name();
    let dir = folder_with(MnistFile::TestLabels, name, Some(bytes));
    let (err, message) = load_error(&dir);
    assert!(
        matches!(
            err,
            DataError::CountMismatch {
                image_count: 10000,
                label_count: 9999,
                ..
            }
        ),
        "{message}"
    );
}

#[test]
fn one_changed_pixel_fails_the_checksum() {
    let mut bytes = decompressed(MnistFile::TestImages);
    bytes[16 + 400] ^= 0xff;
    let name = MnistFile::TestImages.name();
    let dir = folder_with(MnistFile::TestImages, name, Some(bytes));
    let (err, message) = load_error(&dir);
    assert!(
        matches!(&err, DataError::Checksum { expected, .. } if *expected == MnistFile::TestImages.sha256()),
        "{message}"
    );
    assert!(message.contains(name), "{message}");
}

#[test]
fn a_gz_file_that_is_not_gzip_is_reported() {
    let name = format!("{}.gz", MnistFile::TrainLabels.name());
    let dir = folder_with(
        MnistFile::TrainLabels,
        &name,
        Some(b"not gzip at all".to_vec()),
    );
    let (err, message) = load_error(&dir);
    assert!(matches!(err, DataError::Gzip { .. }), "{message}");
    assert!(message.contains(&name), "{message}");
}

#[test]
fn a_cut_gzip_stream_is_reported() {
    let name = format!("{}.gz", MnistFile::TestLabels.name());
    let gz = std::fs::read(assets().join(&name)).unwrap();
    let dir = folder_with(
        MnistFile::TestLabels,
        &name,
        Some(gz[..gz.len() / 2].to_vec()),
    );
    let (err, message) = load_error(&dir);
    assert!(matches!(err, DataError::Gzip { .. }), "{message}");
}

#[test]
fn raw_files_load_as_well_as_gzipped_ones() {
    let name = MnistFile::TestLabels.name();
    let dir = folder_with(
        MnistFile::TestLabels,
        name,
        Some(decompressed(MnistFile::TestLabels)),
    );
    let mnist = Mnist::load_from(dir.path()).unwrap();
    assert_eq!(mnist.test.len(), 10_000);
    assert_eq!(mnist.train.image(42).unwrap().dim(), (28, 28));
    assert_eq!(
        mnist.train.image(60_000).unwrap_err().to_string(),
        "there is no image 60000: the set holds 60000 images (0 to 59999)"
    );
}
