//! A small PNG encoder (8-bit greyscale or RGB, deflate through `flate2`) and base64, so an
//! image or a heat map is one `<image>` of a few hundred bytes instead of hundreds of rects.
//!
//! The browser scales the picture; `image-rendering: pixelated` keeps pixels crisp where that
//! matters (digits, weights), smooth scaling suits a landscape's colour field.

use flate2::Compression;
use flate2::write::ZlibEncoder;
use std::io::Write;

/// Pixel layout of an encoded picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Channels {
    /// One byte per pixel.
    Grey,
    /// Three bytes per pixel.
    Rgb,
}

impl Channels {
    fn bytes(self) -> usize {
        match self {
            Channels::Grey => 1,
            Channels::Rgb => 3,
        }
    }
}

fn crc32(chunks: &[&[u8]]) -> u32 {
    let mut crc = 0xffff_ffff_u32;
    for chunk in chunks {
        for &b in *chunk {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
    }
    !crc
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// Filters one row with each of PNG's five filters and keeps the one with the smallest sum of
/// absolute values (the usual heuristic).
fn filter_row(row: &[u8], prev: &[u8], bpp: usize, out: &mut Vec<u8>) {
    let mut best: Option<(u64, u8, Vec<u8>)> = None;
    for kind in 0..5u8 {
        let f: Vec<u8> = (0..row.len())
            .map(|i| {
                let a = if i >= bpp { row[i - bpp] } else { 0 };
                let b = prev[i];
                let c = if i >= bpp { prev[i - bpp] } else { 0 };
                let pred = match kind {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                    _ => paeth(a, b, c),
                };
                row[i].wrapping_sub(pred)
            })
            .collect();
        let cost: u64 = f.iter().map(|&v| u64::from((v as i8).unsigned_abs())).sum();
        if best.as_ref().is_none_or(|(c, _, _)| cost < *c) {
            best = Some((cost, kind, f));
        }
    }
    if let Some((_, kind, f)) = best {
        out.push(kind);
        out.extend_from_slice(&f);
    }
}

/// Encodes `pixels` (row by row, `width * height * channels` bytes) as a PNG file.
pub(crate) fn encode(width: usize, height: usize, channels: Channels, pixels: &[u8]) -> Vec<u8> {
    let bpp = channels.bytes();
    let stride = width * bpp;
    let mut raw = Vec::with_capacity((stride + 1) * height);
    let zero = vec![0u8; stride];
    for r in 0..height {
        let row = &pixels[r * stride..(r + 1) * stride];
        let prev = if r == 0 {
            &zero[..]
        } else {
            &pixels[(r - 1) * stride..r * stride]
        };
        filter_row(row, prev, bpp, &mut raw);
    }
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    // Writing into a Vec cannot fail.
    let _ = z.write_all(&raw);
    let data = z.finish().unwrap_or_default();
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&u32::try_from(width).unwrap_or(0).to_be_bytes());
    ihdr.extend_from_slice(&u32::try_from(height).unwrap_or(0).to_be_bytes());
    ihdr.extend_from_slice(&[8, if channels == Channels::Grey { 0 } else { 2 }, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &data);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// Standard base64 with padding.
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let b = [
            group[0],
            *group.get(1).unwrap_or(&0),
            *group.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= group.len() {
                out.push(ALPHABET[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A `data:` URI holding the PNG of `pixels`.
pub(crate) fn data_uri(width: usize, height: usize, channels: Channels, pixels: &[u8]) -> String {
    format!(
        "data:image/png;base64,{}",
        base64(&encode(width, height, channels, pixels))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_png_specification_example() {
        assert_eq!(crc32(&[b"IEND"]), 0xae42_6082);
    }

    #[test]
    fn base64_pads_like_the_standard() {
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"M"), "TQ==");
    }

    #[test]
    fn encoded_png_inflates_back_to_the_filtered_rows() {
        use std::io::Read;
        let pixels: Vec<u8> = (0..12).map(|i| (i * 20) as u8).collect();
        let png = encode(4, 3, Channels::Grey, &pixels);
        assert_eq!(&png[1..4], b"PNG");
        let idat_len = u32::from_be_bytes([png[33], png[34], png[35], png[36]]) as usize;
        let mut raw = Vec::new();
        flate2::read::ZlibDecoder::new(&png[41..41 + idat_len])
            .read_to_end(&mut raw)
            .expect("valid zlib");
        assert_eq!(raw.len(), 3 * 5);
    }
}
