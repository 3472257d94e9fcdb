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
//!
//! Rows packed beside their bytes ([`Packed`]: columns and rows reordered so that the ink
//! gathers into few blocks, each row's inked blocks marked) let the SIMD loops visit only the
//! 16-byte blocks some row of the group inks: two in five of a 784-byte row's blocks for
//! MNIST's ones and sevens. A skipped block adds exact zeros in the portable loops, which
//! visit every block, so the bits stay the same. A pass over all packed rows reads each group
//! of four from its stream ([`Packed::quad`]): the blocks it visits, one after the other, so
//! the memory is read front to back and no blank block is fetched (a pass reading the rows
//! themselves touched every line of them). The probabilities come from
//! [`softplus::probability`]'s lanes, eight at a time where the processor has AVX2 and FMA,
//! the same bits either way.

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;

use super::packed::{self, BLOCK, Packed, PixelRows};
use super::{Partial, RowSet, Wants, softplus};
use crate::data::subset::{PIXEL_MEAN, PIXEL_STD};
use std::borrow::Cow;

/// Pixels per block: two 8-lane vectors, so two independent sums per row hide the add latency.
const LANES: usize = BLOCK;

/// `N` rows a sweep reads together, the rows of the next group (to ask the memory for
/// them meanwhile), and the blocks where any of the `N` rows has ink ([`Packed`]'s marks,
/// OR-ed): the SIMD loops visit only those, the portable loops every block. A block without
/// ink adds exact zeros to every sum, so both give the same bits.
pub(super) struct Group<'a, const N: usize> {
    rows: [&'a [u8]; N],
    ahead: [&'a [u8]; N],
    ink: &'a [u64],
    /// The inked blocks once more, one after the other, each as the `N` rows' sixteen bytes
    /// in turn ([`Packed::quad`]): where the SIMD loops then read the blocks, one stream
    /// front to back (`ahead` unused). The portable loops read `rows`, the same bytes.
    stream: Option<&'a [u8]>,
}

/// How far ahead of the block it reads a pass over a stream of blocks asks the memory for
/// the next ones, in bytes.
const STREAM_AHEAD: usize = 512;

impl<const N: usize> Group<'_, N> {
    /// Calls `visit` with each inked block, in increasing order, and where each row's sixteen
    /// bytes of it are; with `fetch`, asks the memory meanwhile for the bytes read next (the
    /// stream's, or the rows ahead).
    #[inline(always)]
    fn for_each_block(&self, fetch: bool, mut visit: impl FnMut(usize, [*const u8; N])) {
        let in_rows = |j: usize| self.rows.map(|r| r.as_ptr().wrapping_add(j * LANES));
        match self.stream {
            Some(stream) => {
                let mut at = stream.as_ptr();
                self.for_each_inked(|j| {
                    if fetch {
                        prefetch(at.wrapping_add(STREAM_AHEAD));
                    }
                    visit(j, std::array::from_fn(|n| at.wrapping_add(n * LANES)));
                    at = at.wrapping_add(N * LANES);
                });
            }
            None if fetch => self.for_each_inked_fetching_ahead(|j| visit(j, in_rows(j))),
            None => self.for_each_inked(|j| visit(j, in_rows(j))),
        }
    }

    /// Calls `visit` with each inked block, in increasing order.
    #[inline(always)]
    fn for_each_inked(&self, mut visit: impl FnMut(usize)) {
        for (word, &marks) in self.ink.iter().enumerate() {
            let mut marks = marks;
            while marks != 0 {
                visit(64 * word + marks.trailing_zeros() as usize);
                marks &= marks - 1;
            }
        }
    }

    /// [`Group::for_each_inked`], asking the memory meanwhile for the rows ahead: line `c` of
    /// each at the `c`-th block visited (the rest after the last), so that the requests are
    /// spread over the work rather than queued all at once.
    #[inline(always)]
    fn for_each_inked_fetching_ahead(&self, mut visit: impl FnMut(usize)) {
        let lines = self.rows[0].len().div_ceil(64);
        let mut line = 0;
        self.for_each_inked(|j| {
            if line < lines {
                self.prefetch_line(line);
                line += 1;
            }
            visit(j);
        });
        for line in line..lines {
            self.prefetch_line(line);
        }
    }

    /// Asks the memory for line `line` (64 bytes) of each row ahead.
    #[inline(always)]
    fn prefetch_line(&self, line: usize) {
        for row in self.ahead {
            prefetch(row.as_ptr().wrapping_add(64 * line));
        }
    }
}

/// Asks the memory for the line holding `at` (anywhere: a prefetch never faults).
#[inline(always)]
fn prefetch(at: *const u8) {
    // SAFETY: a prefetch reads nothing and never faults, whatever the address.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(at.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

/// The two inner loops over a row of bytes, in one instruction set.
trait Widen {
    /// The log-sigmoid lanes that go with these loops.
    type Lanes: softplus::Lanes;

    /// [`Widen::dots`] without its checks.
    ///
    /// # Safety
    /// Every row (and row ahead) is as long as `w`, the marks cover only its whole blocks,
    /// a stream holds every inked block, and the processor has the instructions.
    unsafe fn dots_unchecked<const N: usize>(w: &[f32], group: &Group<N>) -> [f32; N];

    /// [`Widen::add_rows`] without its checks.
    ///
    /// # Safety
    /// Every row is as long as `g`, the marks cover only its whole blocks, a stream holds
    /// every inked block, and the processor has the instructions.
    unsafe fn add_rows_unchecked<const N: usize>(g: &mut [f32], r: [f32; N], group: &Group<N>);

    /// `w · v` for the group's `N` rows of `w.len()` bytes each.
    #[inline(always)]
    fn dots<const N: usize>(w: &[f32], group: &Group<N>) -> [f32; N] {
        check(w.len(), group);
        // SAFETY: checked above; an instruction set is only used once detected.
        unsafe { Self::dots_unchecked(w, group) }
    }

    /// `g += Σ_n r_n v_n` for the group's `N` rows of `g.len()` bytes each.
    #[inline(always)]
    fn add_rows<const N: usize>(g: &mut [f32], r: [f32; N], group: &Group<N>) {
        check(g.len(), group);
        // SAFETY: as in `dots`.
        unsafe { Self::add_rows_unchecked(g, r, group) }
    }
}

/// What the SIMD loops rely on: rows of `len` bytes, marks for their whole blocks only.
#[inline(always)]
fn check<const N: usize>(len: usize, group: &Group<N>) {
    assert!(
        group
            .rows
            .iter()
            .chain(&group.ahead)
            .all(|r| r.len() == len),
        "one byte per weight"
    );
    let blocks = len / LANES;
    let inked: usize = group.ink.iter().map(|w| w.count_ones() as usize).sum();
    assert!(
        group.stream.is_none_or(|s| s.len() == inked * N * LANES),
        "a stream of the inked blocks"
    );
    assert!(
        group.ink.len() == packed::words(len)
            && group
                .ink
                .last()
                .is_none_or(|&w| blocks.is_multiple_of(64) || w >> (blocks % 64) == 0),
        "marks for the rows' blocks"
    );
}

/// The loops in plain Rust.
struct Portable;

impl Widen for Portable {
    type Lanes = softplus::Scalar;

    #[inline(always)]
    unsafe fn dots_unchecked<const N: usize>(w: &[f32], group: &Group<N>) -> [f32; N] {
        dots(w, group.rows)
    }

    #[inline(always)]
    unsafe fn add_rows_unchecked<const N: usize>(g: &mut [f32], r: [f32; N], group: &Group<N>) {
        add_rows(g, r, group.rows)
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

/// What a pass over bytes needs besides the rows: the weights in the rows' column order, and
/// the constant part of every logit, `b - c Σw`.
pub(crate) struct Folded {
    pub(crate) w: Vec<f32>,
    pub(crate) scale: f32,
    pub(crate) offset: f32,
}

/// Pixel rows as a pass reads them: the packed copy when there is one, else the bytes as
/// they are (copied only if they are not one contiguous run).
pub(crate) struct ByteRows<'a> {
    bytes: Cow<'a, [u8]>,
    packed: Option<&'a Packed>,
}

impl<'a> ByteRows<'a> {
    pub(crate) fn new(rows: PixelRows<'a>) -> Self {
        let bytes = match rows.packed() {
            Some(packed) => Cow::Borrowed(packed.bytes()),
            None => rows.bytes().to_slice().map_or_else(
                || Cow::Owned(rows.bytes().iter().copied().collect()),
                Cow::Borrowed,
            ),
        };
        Self {
            bytes,
            packed: rows.packed(),
        }
    }

    /// `θ` folded for these rows: its weights in their column order.
    pub(crate) fn fold(&self, theta: &[f32]) -> Folded {
        let (w, b) = theta.split_at(theta.len() - 1);
        let sum_w: f64 = w.iter().map(|&v| f64::from(v)).sum();
        Folded {
            w: match self.packed {
                Some(packed) => packed.order().iter().map(|&j| w[j]).collect(),
                None => w.to_vec(),
            },
            scale: scale() as f32,
            offset: (f64::from(b[0]) - shift() * sum_w) as f32,
        }
    }

    /// A raw gradient of these rows (one sum per column in their order, then `Σ r`) in pixel
    /// order, with no `Σ r v` for the columns the packed rows left out.
    pub(crate) fn unpack(&self, sums: Vec<f64>) -> Vec<f64> {
        match self.packed {
            Some(packed) => {
                let mut out = vec![0.0; packed.cols() + 1];
                for (p, &j) in packed.order().iter().enumerate() {
                    out[j] = sums[p];
                }
                out[packed.cols()] = sums[packed.order().len()];
                out
            }
            None => sums,
        }
    }

    /// Values a pass over all rows made, one per row in the order it read them, in row
    /// order.
    pub(crate) fn in_row_order(&self, values: Vec<f32>) -> Vec<f32> {
        match self.packed {
            Some(packed) => {
                let mut out = vec![0.0; values.len()];
                for (&i, v) in packed.original().iter().zip(values) {
                    out[i] = v;
                }
                out
            }
            None => values,
        }
    }

    /// What a chunk reads.
    pub(crate) fn slice(&self) -> PixelSlice<'_> {
        PixelSlice {
            bytes: &self.bytes,
            packed: self.packed,
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

/// `sum` (a row's lanes, reduced) plus `w · v` over the bytes past the last whole block, one
/// at a time: how every instruction set ends a row's dot product.
#[inline(always)]
pub(super) fn dot_tail(sum: f32, w: &[f32], row: &[u8]) -> f32 {
    let start = w.len() / LANES * LANES;
    w[start..]
        .iter()
        .zip(&row[start..])
        .fold(sum, |s, (wk, &vk)| wk.mul_add(f32::from(vk), s))
}

/// `g += Σ_n r_n v_n` over the bytes past the last whole block: how every instruction set ends
/// a gradient sweep.
#[inline(always)]
pub(super) fn add_tail<const N: usize>(g: &mut [f32], r: [f32; N], rows: [&[u8]; N]) {
    for k in g.len() / LANES * LANES..g.len() {
        let mut s = 0.0f32;
        for n in 0..N {
            s = r[n].mul_add(f32::from(rows[n][k]), s);
        }
        g[k] += s;
    }
}

/// `w · v` for `N` rows of bytes at once.
#[inline(always)]
fn dots<const N: usize>(w: &[f32], rows: [&[u8]; N]) -> [f32; N] {
    let mut acc = [[0.0f32; LANES]; N];
    let (w16, _) = w.as_chunks::<LANES>();
    let blocks = rows.map(|r| r.as_chunks::<LANES>());
    for (j, wj) in w16.iter().enumerate() {
        for n in 0..N {
            let v = &blocks[n].0[j];
            for k in 0..LANES {
                acc[n][k] = wj[k].mul_add(f32::from(v[k]), acc[n][k]);
            }
        }
    }
    std::array::from_fn(|n| dot_tail(reduce(&acc[n]), w, rows[n]))
}

/// `g += Σ_n r_n v_n` for `N` rows of bytes, the rows added in order.
#[inline(always)]
fn add_rows<const N: usize>(g: &mut [f32], r: [f32; N], rows: [&[u8]; N]) {
    let (g16, _) = g.as_chunks_mut::<LANES>();
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
    add_tail(g, r, rows);
}

/// Up to eight rows of a chunk, in groups of `N`: their logits, then (as wanted) their
/// probabilities, eight lanes at once, and each group's residuals added into the raw gradient
/// in one sweep, the groups in order. Two groups of four share one run of the sigmoid's lanes,
/// whose long chain of operations would otherwise hold up every group.
#[inline(always)]
fn groups<K: Widen, const N: usize>(
    folded: &Folded,
    groups: &[Group<N>],
    targets: &[f32],
    wants: Wants,
    partial: &mut Partial,
    logits: &mut Vec<f32>,
) {
    let n = groups.len() * N;
    assert!(
        n <= 8 && targets.len() == n,
        "up to eight rows, one target each"
    );
    let mut z = [0.0f32; 8];
    for (g, group) in groups.iter().enumerate() {
        let s = K::dots(&folded.w, group);
        for k in 0..N {
            z[g * N + k] = s[k] * folded.scale + folded.offset;
        }
    }
    logits.extend_from_slice(&z[..n]);
    if !(wants.gradient || wants.probabilities) {
        return;
    }
    let p = <K::Lanes as softplus::Lanes>::probabilities(&z);
    if wants.probabilities {
        partial.probabilities.extend_from_slice(&p[..n]);
    }
    if wants.gradient {
        let cols = folded.w.len();
        for (g, group) in groups.iter().enumerate() {
            let mut r = [0.0f32; N];
            for k in 0..N {
                r[k] = p[g * N + k] - targets[g * N + k];
            }
            K::add_rows(&mut partial.gradient[..cols], r, group);
            for rk in r {
                partial.gradient[cols] += rk;
            }
        }
    }
}

/// How many groups ahead the loops ask the memory for rows.
const AHEAD: usize = 2;

/// One chunk's rows: logits, then (as wanted) residuals into the raw gradient, probabilities
/// and the loss. The raw gradient holds `Σ r_i v_i` per pixel and `Σ r_i` last; `logits` is
/// scratch space, left holding the chunk's logits. Over all rows ([`RowSet::Range`]) packed
/// rows go in their packed order, and so do the logits and probabilities
/// ([`ByteRows::in_row_order`] puts them back).
#[inline(always)]
fn chunk_body<K: Widen>(
    folded: &Folded,
    x: PixelSlice,
    t: &[f32],
    rows: RowSet,
    wants: Wants,
    logits: &mut Vec<f32>,
) -> Partial {
    let cols = folded.w.len();
    let len = rows.len();
    // Where the `k`-th row is among the rows read, and its target. A pass over all rows goes
    // in the packed rows' order; picked rows are original rows.
    let (places, targets): (Vec<usize>, Vec<f32>) = (0..len)
        .map(|k| {
            let i = rows.get(k);
            match (rows, x.packed) {
                (RowSet::Range(..), Some(p)) => (i, t[p.original()[i]]),
                (RowSet::Picked(_), Some(p)) => (p.position(i), t[i]),
                (_, None) => (i, t[i]),
            }
        })
        .unzip();
    let row = |k: usize| &x.bytes[places[k] * cols..][..cols];
    let everywhere = packed::everywhere(cols);
    let marks = |k: usize| x.packed.map_or(&everywhere[..], |p| p.marks(places[k]));
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
    // Over all packed rows, the rows four at a time as one stream of their inked blocks.
    let streamed = match (rows, x.packed) {
        (RowSet::Range(start, _), Some(p)) if start % 4 == 0 => Some((p, start / 4)),
        _ => None,
    };
    let mut unions = [everywhere.clone(), everywhere.clone()];
    let quads = len / 4;
    let mut q = 0;
    while q < quads {
        let pair = (quads - q).min(2);
        if streamed.is_none() {
            for (u, union) in unions.iter_mut().enumerate().take(pair) {
                let k = 4 * (q + u);
                for (w, word) in union.iter_mut().enumerate() {
                    *word = marks(k)[w] | marks(k + 1)[w] | marks(k + 2)[w] | marks(k + 3)[w];
                }
            }
        }
        let quad = |u: usize| {
            let k = 4 * (q + u);
            let rows = [row(k), row(k + 1), row(k + 2), row(k + 3)];
            if let Some((stream, ink)) = streamed.and_then(|(p, first)| p.quad(first + q + u)) {
                return Group {
                    rows,
                    ahead: rows,
                    ink,
                    stream: Some(stream),
                };
            }
            let ahead = if q + u + AHEAD < quads {
                let k = k + 4 * AHEAD;
                [row(k), row(k + 1), row(k + 2), row(k + 3)]
            } else {
                rows
            };
            Group {
                rows,
                ahead,
                ink: &unions[u],
                stream: None,
            }
        };
        let two = [quad(0), quad(1.min(pair - 1))];
        let rows = 4 * q..4 * (q + pair);
        groups::<K, 4>(
            folded,
            &two[..pair],
            &targets[rows],
            wants,
            &mut partial,
            logits,
        );
        q += pair;
    }
    for k in 4 * quads..len {
        let one = Group {
            rows: [row(k)],
            ahead: [row(k)],
            ink: marks(k),
            stream: None,
        };
        groups::<K, 1>(folded, &[one], &targets[k..=k], wants, &mut partial, logits);
    }
    partial.loss = softplus::sum_with::<K::Lanes>(logits, &targets);
    partial
}

/// The rows a chunk reads: all the bytes (packed or not), and the marks of packed rows.
#[derive(Clone, Copy)]
pub(crate) struct PixelSlice<'a> {
    bytes: &'a [u8],
    packed: Option<&'a Packed>,
}

/// [`chunk_body`] with AVX-512, or AVX2 and FMA, where the processor has them (same results
/// without).
pub(crate) fn chunk(
    folded: &Folded,
    x: PixelSlice,
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
                x: PixelSlice,
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
    use ndarray::Array2;

    /// `dots` and `add_rows` of every instruction set this processor has, on `group`.
    fn every_set<const N: usize>(
        w: &[f32],
        r: [f32; N],
        group: &Group<N>,
    ) -> Vec<([f32; N], Vec<f32>)> {
        fn run<K: Widen, const N: usize>(
            w: &[f32],
            r: [f32; N],
            group: &Group<N>,
        ) -> ([f32; N], Vec<f32>) {
            let mut g = vec![0.5f32; w.len()];
            K::add_rows(&mut g, r, group);
            (K::dots(w, group), g)
        }
        let mut out = vec![run::<Portable, N>(w, r, group)];
        #[cfg(target_arch = "x86_64")]
        if avx2::Avx2::available() {
            out.push(run::<avx2::Avx2, N>(w, r, group));
        }
        #[cfg(target_arch = "x86_64")]
        if avx512::Avx512::available() {
            out.push(run::<avx512::Avx512, N>(w, r, group));
        }
        out
    }

    #[test]
    fn every_instruction_set_gives_the_portable_bits_and_blank_blocks_may_be_skipped() {
        // Four rows of 16 * 5 + 7 bytes, blocks 1 and 3 blank in all of them.
        let cols = 87;
        let mut x = Array2::from_shape_fn((4, cols), |(i, j)| ((i * 31 + j * 29) % 256) as u8);
        for j in (16..32).chain(48..64) {
            x.column_mut(j).fill(0);
        }
        let w: Vec<f32> = (0..cols).map(|j| (j as f32 - 40.0) / 50.0).collect();
        let rows: Vec<&[u8]> = x.as_slice().unwrap().chunks(cols).collect();
        let four = [rows[0], rows[1], rows[2], rows[3]];
        let r = [0.5, -1.0, 0.25, 2.0];
        let all_blocks = packed::everywhere(cols);
        let inked = vec![0b10101];
        // The inked blocks as one stream, the four rows' bytes of each in turn.
        let stream_of = |marks: &[u64]| -> Vec<u8> {
            (0..cols / LANES)
                .filter(|&j| marks[0] >> j & 1 == 1)
                .flat_map(|j| four.iter().flat_map(move |r| &r[j * LANES..][..LANES]))
                .copied()
                .collect()
        };
        let mut results = Vec::new();
        for marks in [&all_blocks, &inked] {
            let stream = stream_of(marks);
            for stream in [None, Some(&stream[..])] {
                let group = Group {
                    rows: four,
                    ahead: four,
                    ink: marks,
                    stream,
                };
                results.extend(every_set(&w, r, &group));
            }
        }
        let (dots, g) = &results[0];
        for (other_dots, other_g) in &results[1..] {
            assert_eq!(other_dots.map(f32::to_bits), dots.map(f32::to_bits));
            assert_eq!(other_g, g);
        }
        for n in 0..4 {
            let exact: f64 = w
                .iter()
                .zip(rows[n])
                .map(|(a, &b)| f64::from(*a) * f64::from(b))
                .sum();
            assert!(
                (f64::from(dots[n]) - exact).abs() < 1e-3,
                "{} vs {exact}",
                dots[n]
            );
        }
        for j in 0..cols {
            let exact = 0.5
                + (0..4)
                    .map(|n| f64::from(r[n]) * f64::from(rows[n][j]))
                    .sum::<f64>();
            assert!((f64::from(g[j]) - exact).abs() < 1e-3);
        }
    }

    #[test]
    fn one_row_groups_agree_with_four_row_groups() {
        let cols = 37;
        let x: Vec<u8> = (0..4 * cols).map(|i| (i * 29 % 256) as u8).collect();
        let w: Vec<f32> = (0..cols).map(|j| (j as f32 - 18.0) / 50.0).collect();
        let rows: Vec<&[u8]> = x.chunks(cols).collect();
        let marks = packed::everywhere(cols);
        let four = Group {
            rows: [rows[0], rows[1], rows[2], rows[3]],
            ahead: [rows[0]; 4],
            ink: &marks,
            stream: None,
        };
        let four = every_set(&w, [0.0; 4], &four);
        for (n, row) in rows.iter().enumerate() {
            let one = Group {
                rows: [*row],
                ahead: [*row],
                ink: &marks,
                stream: None,
            };
            for (k, (dots, _)) in every_set(&w, [0.0], &one).iter().enumerate() {
                assert_eq!(dots[0].to_bits(), four[k].0[n].to_bits());
            }
        }
    }

    #[test]
    #[should_panic(expected = "marks for the rows' blocks")]
    fn marks_past_the_whole_blocks_are_refused() {
        let row = [1u8; 40]; // two whole blocks
        let marks = [0b100]; // a third
        let group = Group {
            rows: [&row[..]],
            ahead: [&row[..]],
            ink: &marks,
            stream: None,
        };
        Portable::dots(&[0.0; 40], &group);
    }

    #[test]
    #[should_panic(expected = "a stream of the inked blocks")]
    fn a_stream_short_of_the_inked_blocks_is_refused() {
        let row = [1u8; 48];
        let marks = [0b101]; // two blocks, 32 bytes
        let group = Group {
            rows: [&row[..]],
            ahead: [&row[..]],
            ink: &marks,
            stream: Some(&row[..16]),
        };
        Portable::dots(&[0.0; 48], &group);
    }
}
