//! The IDX format of the MNIST files: a big-endian magic number, the dimensions, then the
//! bytes. Files may be gzipped (`.gz`) or raw.

use super::DataError;
use flate2::read::GzDecoder;
use std::io::Read;
use std::path::Path;

/// Magic number of an IDX file of unsigned bytes with three dimensions (images).
pub const IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an IDX file of unsigned bytes with one dimension (labels).
pub const LABELS_MAGIC: u32 = 0x0000_0801;

/// Reads a file, decompressing it when its name ends in `.gz`.
pub fn read_maybe_gzipped(path: &Path) -> Result<Vec<u8>, DataError> {
    let raw = std::fs::read(path).map_err(|source| DataError::Io {
        path: path.to_owned(),
        source,
    })?;
    if path.extension().is_some_and(|ext| ext == "gz") {
        let mut bytes = Vec::with_capacity(raw.len() * 5);
        GzDecoder::new(raw.as_slice())
            .read_to_end(&mut bytes)
            .map_err(|source| DataError::Gzip {
                path: path.to_owned(),
                source,
            })?;
        Ok(bytes)
    } else {
        Ok(raw)
    }
}

/// An IDX file parsed: its dimensions and its data bytes.
#[derive(Debug)]
pub struct Idx<'a> {
    /// Size of each dimension.
    pub dims: Vec<usize>,
    /// The data, `dims.iter().product()` bytes.
    pub data: &'a [u8],
}

/// Parses IDX bytes whose magic must be `expected_magic`; `kind` names the file in errors.
pub fn parse<'a>(
    bytes: &'a [u8],
    expected_magic: u32,
    kind: &'static str,
    path: &Path,
) -> Result<Idx<'a>, DataError> {
    let truncated = |expected: usize| DataError::Truncated {
        path: path.to_owned(),
        expected,
        found: bytes.len(),
    };
    let word = |i: usize| -> Option<u32> {
        let b = bytes.get(4 * i..4 * i + 4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let magic = word(0).ok_or_else(|| truncated(4))?;
    if magic != expected_magic {
        return Err(DataError::BadMagic {
            path: path.to_owned(),
            kind,
            found: magic,
            expected: expected_magic,
        });
    }
    let rank = (magic & 0xff) as usize;
    let header = 4 * (1 + rank);
    let dims = (1..=rank)
        .map(|i| word(i).map(|d| d as usize))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| truncated(header))?;
    let len = dims.iter().product::<usize>();
    let data = bytes
        .get(header..header + len)
        .ok_or_else(|| truncated(header + len))?;
    Ok(Idx { dims, data })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx_bytes(magic: u32, dims: &[u32], data: &[u8]) -> Vec<u8> {
        let mut out = magic.to_be_bytes().to_vec();
        for d in dims {
            out.extend(d.to_be_bytes());
        }
        out.extend(data);
        out
    }

    #[test]
    fn parses_dimensions_and_data() {
        let bytes = idx_bytes(IMAGES_MAGIC, &[2, 1, 3], &[1, 2, 3, 4, 5, 6]);
        let idx = parse(&bytes, IMAGES_MAGIC, "images", Path::new("x")).unwrap();
        assert_eq!(idx.dims, vec![2, 1, 3]);
        assert_eq!(idx.data, &[1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn rejects_a_label_file_read_as_images() {
        let bytes = idx_bytes(LABELS_MAGIC, &[2], &[1, 7]);
        let err = parse(&bytes, IMAGES_MAGIC, "images", Path::new("x")).unwrap_err();
        assert!(matches!(
            err,
            DataError::BadMagic {
                found: LABELS_MAGIC,
                ..
            }
        ));
    }

    #[test]
    fn reports_how_many_bytes_a_cut_file_lacks() {
        let bytes = idx_bytes(LABELS_MAGIC, &[5], &[1, 7]);
        let err = parse(&bytes, LABELS_MAGIC, "labels", Path::new("x")).unwrap_err();
        assert!(matches!(
            err,
            DataError::Truncated {
                expected: 13,
                found: 10,
                ..
            }
        ));
        let err = parse(&bytes[..6], LABELS_MAGIC, "labels", Path::new("x")).unwrap_err();
        assert!(matches!(err, DataError::Truncated { expected: 8, .. }));
    }
}
