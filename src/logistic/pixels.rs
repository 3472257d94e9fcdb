//! The model on pixel bytes: torchvision's normalisation folded into the arithmetic.
//!
//! With `x̃ = (v / 255 - μ) / σ`, a logit is `θ·x̃ + b = a (w·v) - c Σw + b` with
//! `a = 1 / (255 σ)` and `c = μ / σ`, and the gradient's pixel part is
//! `a Σ r_i v_i - c Σ r_i`: the pass reads one byte per pixel (a quarter of the `f32` matrix)
//! and widens it to `f32` in registers. Rows go four at a time, so each block of weights and
//! of the gradient is loaded once for four images. [`chunk`] runs the inner loops with AVX2
//! and FMA intrinsics where the processor has them (`avx2.rs`: eight bytes widened to eight
//! `f32` in two instructions, one fused multiply-add per eight products) and as plain Rust
//! otherwise, with `mul_add` for the same fused operations in the same order: the results are
//! bit-identical either way. With AVX-512 (`avx512.rs`) one register holds a whole block of
//! sixteen running sums, again the same sums in the same order.

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;

use super::{Partial, RowSet, Wants, sigmoid, softplus};
use crate::data::subset::{PIXEL_MEAN, PIXEL_STD};

/// Pixels per block: two 8-lane vectors, so two independent sums per row hide the add latency.
const LANES: usize = 16;

/// The two inner loops over a row of bytes, in one instruction set.
trait Widen {
    /// The log-sigmoid lanes that go with these loops.
    type Lanes: softplus::Lanes;

    /// [`Widen::dots`] without its length check.
    ///
    /// # Safety
    /// Every row (and row ahead) is as long as `w`, and the processor has the instructions.
    unsafe fn dots_unchecked<const N: usize>(
        w: &[f32],
        rows: [&[u8]; N],
        ahead: [&[u8]; N],
    ) -> [f32; N];

    /// [`Widen::add_rows`] without its length check.
    ///
    /// # Safety
    /// Every row is as long as `g`, and the processor has the instructions.
    unsafe fn add_rows_unchecked<const N: usize>(g: &mut [f32], r: [f32; N], rows: [&[u8]; N]);

    /// `w · v` for `N` rows of `w.len()` bytes each; the SIMD loops meanwhile ask the memory
    /// for the rows `ahead` (the next group's), so that they are in cache when their turn comes.
    #[inline(always)]
    fn dots<const N: usize>(w: &[f32], rows: [&[u8]; N], ahead: [&[u8]; N]) -> [f32; N] {
        assert!(
            rows.iter().chain(&ahead).all(|r| r.len() == w.len()),
            "one byte per weight"
        );
        // SAFETY: lengths checked above; an instruction set is only used once detected.
        unsafe { Self::dots_unchecked(w, rows, ahead) }
    }

    /// `g += Σ_n r_n v_n` for `N` rows of `g.len()` bytes each.
    #[inline(always)]
    fn add_rows<const N: usize>(g: &mut [f32], r: [f32; N], rows: [&[u8]; N]) {
        assert!(
            rows.iter().all(|v| v.len() == g.len()),
            "one byte per entry"
        );
        // SAFETY: as in `dots`.
        unsafe { Self::add_rows_unchecked(g, r, rows) }
    }
}

/// The loops in plain Rust.
struct Portable;

impl Widen for Portable {
    type Lanes = softplus::Scalar;

    #[inline(always)]
    unsafe fn dots_unchecked<const N: usize>(
        w: &[f32],
        rows: [&[u8]; N],
        _ahead: [&[u8]; N],
    ) -> [f32; N] {
        dots(w, rows)
    }

    #[inline(always)]
    unsafe fn add_rows_unchecked<const N: usize>(g: &mut [f32], r: [f32; N], rows: [&[u8]; N]) {
        add_rows(g, r, rows)
    }
}

/// `a = 1 / (255 σ)`: the scale of a raw byte in a normalised dot product.
pub(crate) fn scale() -> f64 {
    1.0 / (255.0 * f64::from(PIXEL_STD))
}

/// `c = μ / σ`: minus the normalised value of a background (zero) pixel.
pub(crate) fn shift() -> f64 {
    f64::from(PIXEL_MEAN) / f64::from(PIXEL_STD)
}

/// What a pass over bytes needs besides the rows: the weights, and the constant part of every
/// logit, `b - c Σw`.
pub(crate) struct Folded<'a> {
    pub(crate) w: &'a [f32],
    pub(crate) scale: f32,
    pub(crate) offset: f32,
}

impl<'a> Folded<'a> {
    pub(crate) fn new(theta: &'a [f32]) -> Self {
        let (w, b) = theta.split_at(theta.len() - 1);
        let sum_w: f64 = w.iter().map(|&v| f64::from(v)).sum();
        Self {
            w,
            scale: scale() as f32,
            offset: (f64::from(b[0]) - shift() * sum_w) as f32,
        }
    }
}

/// Fixed-order sum of one row's lanes.
#[inline(always)]
pub(super) fn reduce(acc: &[f32; LANES]) -> f32 {
    let mut half = [0.0f32; 8];
    for k in 0..8 {
        half[k] = acc[k] + acc[k + 8];
    }
    ((half[0] + half[4]) + (half[1] + half[5])) + ((half[2] + half[6]) + (half[3] + half[7]))
}

/// `w · v` for `N` rows of bytes at once.
#[inline(always)]
fn dots<const N: usize>(w: &[f32], rows: [&[u8]; N]) -> [f32; N] {
    let mut acc = [[0.0f32; LANES]; N];
    let (w16, w_rest) = w.as_chunks::<LANES>();
    let blocks = rows.map(|r| r.as_chunks::<LANES>());
    for (j, wj) in w16.iter().enumerate() {
        for n in 0..N {
            let v = &blocks[n].0[j];
            for k in 0..LANES {
                acc[n][k] = wj[k].mul_add(f32::from(v[k]), acc[n][k]);
            }
        }
    }
    let mut out = [0.0f32; N];
    for n in 0..N {
        out[n] = reduce(&acc[n]);
        for (wk, vk) in w_rest.iter().zip(blocks[n].1) {
            out[n] = wk.mul_add(f32::from(*vk), out[n]);
        }
    }
    out
}

/// `g += Σ_n r_n v_n` for `N` rows of bytes, the rows added in order.
#[inline(always)]
fn add_rows<const N: usize>(g: &mut [f32], r: [f32; N], rows: [&[u8]; N]) {
    let (g16, g_rest) = g.as_chunks_mut::<LANES>();
    let blocks = rows.map(|r| r.as_chunks::<LANES>());
    for (j, gj) in g16.iter_mut().enumerate() {
        let mut s = [0.0f32; LANES];
        for n in 0..N {
            let v = &blocks[n].0[j];
            for k in 0..LANES {
                s[k] = r[n].mul_add(f32::from(v[k]), s[k]);
            }
        }
        for k in 0..LANES {
            gj[k] += s[k];
        }
    }
    for (k, gk) in g_rest.iter_mut().enumerate() {
        let mut s = 0.0f32;
        for n in 0..N {
            s = r[n].mul_add(f32::from(blocks[n].1[k]), s);
        }
        *gk += s;
    }
}

/// `N` rows of one chunk: their logits, then (as wanted) probabilities, and the residuals
/// added into the raw gradient in one sweep.
#[inline(always)]
fn group<K: Widen, const N: usize>(
    folded: &Folded,
    rows: [&[u8]; N],
    ahead: [&[u8]; N],
    targets: [f32; N],
    wants: Wants,
    partial: &mut Partial,
    logits: &mut Vec<f32>,
) {
    let s = K::dots(folded.w, rows, ahead);
    let z = s.map(|s| s * folded.scale + folded.offset);
    logits.extend_from_slice(&z);
    if !(wants.gradient || wants.probabilities) {
        return;
    }
    let mut r = [0.0f32; N];
    for k in 0..N {
        let p = sigmoid(z[k]);
        if wants.probabilities {
            partial.probabilities.push(p);
        }
        r[k] = p - targets[k];
    }
    if wants.gradient {
        let cols = folded.w.len();
        K::add_rows(&mut partial.gradient[..cols], r, rows);
        for rk in r {
            partial.gradient[cols] += rk;
        }
    }
}

/// One chunk's rows: logits, then (as wanted) residuals into the raw gradient, probabilities
/// and the loss. The raw gradient holds `Σ r_i v_i` per pixel and `Σ r_i` last; `logits` is
/// scratch space, left holding the chunk's logits.
#[inline(always)]
fn chunk_body<K: Widen>(
    folded: &Folded,
    x: &[u8],
    t: &[f32],
    rows: RowSet,
    wants: Wants,
    logits: &mut Vec<f32>,
) -> Partial {
    let cols = folded.w.len();
    let len = rows.len();
    let row = |k: usize| &x[rows.get(k) * cols..][..cols];
    let target = |k: usize| t[rows.get(k)];
    let mut partial = Partial {
        loss: 0.0,
        gradient: if wants.gradient {
            vec![0.0; cols + 1]
        } else {
            Vec::new()
        },
        probabilities: Vec::with_capacity(if wants.probabilities { len } else { 0 }),
    };
    logits.clear();
    let quads = len / 4;
    for q in 0..quads {
        let k = 4 * q;
        let rows = [row(k), row(k + 1), row(k + 2), row(k + 3)];
        let ahead = if q + 1 < quads {
            [row(k + 4), row(k + 5), row(k + 6), row(k + 7)]
        } else {
            rows
        };
        let targets = [target(k), target(k + 1), target(k + 2), target(k + 3)];
        group::<K, 4>(folded, rows, ahead, targets, wants, &mut partial, logits);
    }
    for k in 4 * quads..len {
        let one = [row(k)];
        group::<K, 1>(folded, one, one, [target(k)], wants, &mut partial, logits);
    }
    let targets: Vec<f32> = (0..len).map(target).collect();
    partial.loss = softplus::sum_with::<K::Lanes>(logits, &targets);
    partial
}

/// [`chunk_body`] with AVX-512, or AVX2 and FMA, where the processor has them (same results
/// without).
pub(crate) fn chunk(
    folded: &Folded,
    x: &[u8],
    t: &[f32],
    rows: RowSet,
    wants: Wants,
    logits: &mut Vec<f32>,
) -> Partial {
    // `chunk_body` compiled for an instruction set, so its inlined loops use it.
    #[cfg(target_arch = "x86_64")]
    macro_rules! with {
        ($features:literal, $kernel:ty) => {{
            #[target_feature(enable = $features)]
            fn run(
                folded: &Folded,
                x: &[u8],
                t: &[f32],
                rows: RowSet,
                wants: Wants,
                logits: &mut Vec<f32>,
            ) -> Partial {
                chunk_body::<$kernel>(folded, x, t, rows, wants, logits)
            }
            // SAFETY: the processor has these features, checked by the caller just before.
            return unsafe { run(folded, x, t, rows, wants, logits) };
        }};
    }
    #[cfg(target_arch = "x86_64")]
    if avx512::Avx512::available() {
        with!("avx512f,avx2,fma", avx512::Avx512);
    }
    #[cfg(target_arch = "x86_64")]
    if avx2::Avx2::available() {
        with!("avx2,fma", avx2::Avx2);
    }
    chunk_body::<Portable>(folded, x, t, rows, wants, logits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_rows_give_what_single_rows_give() {
        let cols = 37;
        let x: Vec<u8> = (0..4 * cols).map(|i| (i * 29 % 256) as u8).collect();
        let w: Vec<f32> = (0..cols).map(|j| (j as f32 - 18.0) / 50.0).collect();
        let rows: Vec<&[u8]> = x.chunks(cols).collect();
        let four = dots(&w, [rows[0], rows[1], rows[2], rows[3]]);
        for (n, row) in rows.iter().enumerate() {
            let exact: f64 = w
                .iter()
                .zip(*row)
                .map(|(a, &b)| f64::from(*a) * f64::from(b))
                .sum();
            assert!(
                (f64::from(four[n]) - exact).abs() < 1e-4,
                "{} vs {exact}",
                four[n]
            );
            assert_eq!(four[n], dots(&w, [*row])[0]);
            #[cfg(target_arch = "x86_64")]
            if avx2::Avx2::available() {
                use avx2::Avx2;
                let simd = Avx2::dots(&w, [rows[0], rows[1], rows[2], rows[3]], [rows[0]; 4]);
                assert_eq!(simd[n].to_bits(), four[n].to_bits());
                assert_eq!(
                    Avx2::dots(&w, [*row], [*row])[0].to_bits(),
                    four[n].to_bits()
                );
            }
            #[cfg(target_arch = "x86_64")]
            if avx512::Avx512::available() {
                use avx512::Avx512;
                let simd = Avx512::dots(&w, [rows[0], rows[1], rows[2], rows[3]], [rows[0]; 4]);
                assert_eq!(simd[n].to_bits(), four[n].to_bits());
                assert_eq!(
                    Avx512::dots(&w, [*row], [*row])[0].to_bits(),
                    four[n].to_bits()
                );
            }
        }
        let mut g = vec![0.0f32; cols];
        add_rows(
            &mut g,
            [0.5, -1.0, 0.25, 2.0],
            [rows[0], rows[1], rows[2], rows[3]],
        );
        for (j, gj) in g.iter().enumerate() {
            let exact = 0.5 * f32::from(rows[0][j]) - f32::from(rows[1][j])
                + 0.25 * f32::from(rows[2][j])
                + 2.0 * f32::from(rows[3][j]);
            assert!((gj - exact).abs() < 1e-3);
        }
        #[cfg(target_arch = "x86_64")]
        if avx2::Avx2::available() {
            use avx2::Avx2;
            let mut simd = vec![0.0f32; cols];
            Avx2::add_rows(
                &mut simd,
                [0.5, -1.0, 0.25, 2.0],
                [rows[0], rows[1], rows[2], rows[3]],
            );
            assert_eq!(simd, g);
        }
        #[cfg(target_arch = "x86_64")]
        if avx512::Avx512::available() {
            use avx512::Avx512;
            let mut simd = vec![0.0f32; cols];
            Avx512::add_rows(
                &mut simd,
                [0.5, -1.0, 0.25, 2.0],
                [rows[0], rows[1], rows[2], rows[3]],
            );
            assert_eq!(simd, g);
        }
    }
}
