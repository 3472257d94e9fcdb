//! `A Bᵀ` for two matrices of bytes, exactly, in integers: every entry is `Σ_k a_k b_k` with
//! `a_k b_k <= 255²`, which fits `i32` for rows of up to [`MAX_LEN`] (33 025) bytes. The rows
//! are read in steps of four bytes. With AVX-512 VNNI, `vpdpbusd` multiplies four unsigned
//! bytes of `A` by four signed bytes of `B` and adds the four products into one `i32` lane: 64
//! multiply-adds an instruction, against 16 for an `f32` fused multiply-add. `B`'s bytes go
//! in as `b - 128` (their top bit flipped), and `128 Σ_k a_k` is added back. Without it, AVX2
//! widens the bytes to `i16` and sums them in pairs (`vpmaddwd`, 16 multiply-adds). Being
//! integers, the results are the same on every processor and for any thread count.
//!
//! Tiles of [`ROWS`] rows of `A` by [`COLS`] rows of `B` are summed in registers; each sum is
//! written out through the caller's `fold` (which turns it into whatever the caller needs).

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

use rayon::prelude::*;

/// The longest rows whose products are sure to fit `i32`: `i32::MAX / 255²` bytes.
pub(crate) const MAX_LEN: usize = (i32::MAX / (255 * 255)) as usize;

/// Rows of `A` per tile.
pub(crate) const ROWS: usize = 8;
/// Rows of `B` per tile: two AVX-512 registers of sixteen `i32` lanes.
pub(crate) const COLS: usize = 32;
/// Bytes of a row per step: the four products one `vpdpbusd` lane sums.
const STEP: usize = 4;

/// One operand's rows, each padded with zeros to whole steps, and each row's sum.
struct Rows {
    count: usize,
    steps: usize,
    values: Vec<u8>,
    sums: Vec<i32>,
}

impl Rows {
    fn new(count: usize, row: impl Fn(usize) -> Vec<u8> + Sync) -> Self {
        let len = if count > 0 { row(0).len() } else { 0 };
        let steps = len.div_ceil(STEP);
        let values: Vec<u8> = (0..count)
            .into_par_iter()
            .flat_map_iter(|i| {
                let r = row(i);
                assert_eq!(r.len(), len, "rows of one length");
                r.into_iter()
                    .chain(std::iter::repeat_n(0, STEP * steps - len))
            })
            .collect();
        let mut rows = Self {
            count,
            steps,
            values,
            sums: Vec::with_capacity(count),
        };
        rows.sums = (0..count)
            .map(|i| rows.row(i).iter().map(|&v| i32::from(v)).sum())
            .collect();
        rows
    }

    fn row(&self, i: usize) -> &[u8] {
        &self.values[i * STEP * self.steps..][..STEP * self.steps]
    }
}

/// `B` in panels: for each panel of [`COLS`] rows of `B`, for each step, the four bytes of
/// every row of the panel in turn (zeros past the last row).
struct Panels {
    steps: usize,
    count: usize,
    values: Vec<u8>,
}

impl Panels {
    fn new(b: &Rows) -> Self {
        let count = b.count.div_ceil(COLS);
        let mut values = vec![0u8; count * b.steps * COLS * STEP];
        for j in 0..b.count {
            let (panel, col) = (j / COLS, j % COLS);
            for (s, step) in b.row(j).chunks_exact(STEP).enumerate() {
                let at = ((panel * b.steps + s) * COLS + col) * STEP;
                values[at..at + STEP].copy_from_slice(step);
            }
        }
        Self {
            steps: b.steps,
            count,
            values,
        }
    }

    fn panel(&self, k: usize) -> &[u8] {
        &self.values[k * self.steps * COLS * STEP..][..self.steps * COLS * STEP]
    }
}

/// One band's rows of `A` for a tile: at most [`ROWS`] rows, and each row's sum.
struct Band<'a> {
    rows: Vec<&'a [u8]>,
    sums: &'a [i32],
}

/// Writes `fold(i, j, A[i] · B[j])` into `out[i * b_rows + j]` for the `a_rows` rows `a(i)`
/// and `b_rows` rows `b(j)` (all of one length); bands of [`ROWS`] rows of `A` run in parallel.
pub(crate) fn product_into(
    out: &mut [f32],
    (a_rows, a): (usize, impl Fn(usize) -> Vec<u8> + Sync),
    (b_rows, b): (usize, impl Fn(usize) -> Vec<u8> + Sync),
    fold: impl Fn(usize, usize, i32) -> f32 + Sync,
) {
    assert_eq!(out.len(), a_rows * b_rows, "room for every product");
    if a_rows == 0 || b_rows == 0 {
        return;
    }
    let a = Rows::new(a_rows, a);
    let b = Rows::new(b_rows, b);
    assert_eq!(a.steps, b.steps, "rows of A and B of one length");
    assert!(
        STEP * a.steps <= MAX_LEN,
        "rows of {} bytes: the exact products need rows of at most {MAX_LEN}",
        STEP * a.steps
    );
    let panels = Panels::new(&b);
    let kernel = Kernel::detect();
    out.par_chunks_mut(ROWS * b_rows)
        .enumerate()
        .for_each(|(band, out)| {
            let row0 = band * ROWS;
            let rows = out.len() / b_rows;
            let band = Band {
                rows: (0..rows).map(|r| a.row(row0 + r)).collect(),
                sums: &a.sums[row0..row0 + rows],
            };
            let mut sums = [[0i32; COLS]; ROWS];
            for k in 0..panels.count {
                kernel.tile(&band, panels.panel(k), panels.steps, &mut sums);
                let col0 = k * COLS;
                for (r, row_sums) in sums.iter().enumerate().take(rows) {
                    let cols = COLS.min(b_rows - col0);
                    for (c, &sum) in row_sums.iter().enumerate().take(cols) {
                        out[r * b_rows + col0 + c] = fold(row0 + r, col0 + c, sum);
                    }
                }
            }
        });
}

/// Which instructions compute a tile.
#[derive(Clone, Copy)]
enum Kernel {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Vnni,
}

impl Kernel {
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx512bw")
                && is_x86_feature_detected!("avx512vnni")
            {
                return Self::Vnni;
            }
            if is_x86_feature_detected!("avx2") {
                return Self::Avx2;
            }
        }
        Self::Portable
    }

    /// Fills `sums` with the tile of the band's rows against one panel.
    fn tile(self, a: &Band, panel: &[u8], steps: usize, sums: &mut [[i32; COLS]; ROWS]) {
        assert!(a.rows.len() <= ROWS && a.sums.len() == a.rows.len());
        for r in &a.rows {
            assert_eq!(r.len(), STEP * steps, "a row of A as long as B's");
        }
        assert_eq!(panel.len(), steps * COLS * STEP, "a whole panel");
        match self {
            Self::Portable => portable(&a.rows, panel, steps, sums),
            // SAFETY: the instructions were detected; lengths checked above.
            #[cfg(target_arch = "x86_64")]
            Self::Avx2 => unsafe { avx2(&a.rows, panel, steps, sums) },
            // SAFETY: as above.
            #[cfg(target_arch = "x86_64")]
            Self::Vnni => unsafe { vnni(a, panel, steps, sums) },
        }
    }
}

fn portable(a: &[&[u8]], panel: &[u8], steps: usize, sums: &mut [[i32; COLS]; ROWS]) {
    for (r, row) in a.iter().enumerate() {
        let mut acc = [0i32; COLS];
        for s in 0..steps {
            let x = &row[s * STEP..][..STEP];
            let b = &panel[s * COLS * STEP..][..COLS * STEP];
            for (c, sum) in acc.iter_mut().enumerate() {
                for t in 0..STEP {
                    *sum += i32::from(x[t]) * i32::from(b[c * STEP + t]);
                }
            }
        }
        sums[r] = acc;
    }
}

/// The four bytes of step `s` of `row`, as one `i32`, to broadcast.
///
/// # Safety
/// `4 s + 3 < row.len()`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn step(row: &[u8], s: usize) -> i32 {
    // SAFETY: in bounds (the caller's promise); an unaligned read of four bytes.
    unsafe { row.as_ptr().add(STEP * s).cast::<i32>().read_unaligned() }
}

/// # Safety
/// AVX-512F, AVX-512BW and AVX-512 VNNI; the lengths [`Kernel::tile`] checks.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
unsafe fn vnni(a: &Band, panel: &[u8], steps: usize, sums: &mut [[i32; COLS]; ROWS]) {
    let mut acc = [[_mm512_setzero_si512(); 2]; ROWS];
    let rows = a.rows.len();
    let base = panel.as_ptr();
    // b - 128, as a signed byte: b with its top bit flipped.
    let flip = _mm512_set1_epi8(i8::MIN);
    for s in 0..steps {
        // SAFETY: the panel holds steps * COLS * 4 bytes; a step s < steps.
        unsafe {
            let at = base.add(s * COLS * STEP);
            let b0 = _mm512_xor_si512(_mm512_loadu_si512(at.cast()), flip);
            let b1 = _mm512_xor_si512(_mm512_loadu_si512(at.add(64).cast()), flip);
            for (r, acc) in acc.iter_mut().enumerate() {
                if r < rows {
                    let x = _mm512_set1_epi32(step(a.rows[r], s));
                    acc[0] = _mm512_dpbusd_epi32(acc[0], x, b0);
                    acc[1] = _mm512_dpbusd_epi32(acc[1], x, b1);
                }
            }
        }
    }
    for r in 0..rows {
        // Σ a (b - 128) + 128 Σ a = Σ a b.
        let back = _mm512_set1_epi32(128 * a.sums[r]);
        // SAFETY: a row of sums holds 32 i32.
        unsafe {
            let out = sums[r].as_mut_ptr();
            _mm512_storeu_si512(out.cast(), _mm512_add_epi32(acc[r][0], back));
            _mm512_storeu_si512(out.add(16).cast(), _mm512_add_epi32(acc[r][1], back));
        }
    }
}

/// # Safety
/// AVX2; the lengths [`Kernel::tile`] checks.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn avx2(a: &[&[u8]], panel: &[u8], steps: usize, sums: &mut [[i32; COLS]; ROWS]) {
    // Sixteen rows of B (half of a step's bytes) by two rows of A at a time: each
    // register holds four rows' four bytes widened to i16, and `vpmaddwd` sums them in
    // pairs, so the lanes hold each row's first and second pair, added at the end.
    let base = panel.as_ptr();
    for half in 0..2 {
        for first in (0..a.len()).step_by(2) {
            let rows = (a.len() - first).min(2);
            let mut acc = [[_mm256_setzero_si256(); 4]; 2];
            for s in 0..steps {
                // SAFETY: as in `vnni`; 16 bytes at each of four offsets within the step.
                unsafe {
                    let at = base.add(s * COLS * STEP + half * 64);
                    let b: [__m256i; 4] = std::array::from_fn(|q| {
                        _mm256_cvtepu8_epi16(_mm_loadu_si128(at.add(16 * q).cast()))
                    });
                    for r in 0..rows {
                        let x = step(a[first + r], s).to_le_bytes().map(i64::from);
                        let x = _mm256_set1_epi64x(x[0] | x[1] << 16 | x[2] << 32 | x[3] << 48);
                        for q in 0..4 {
                            acc[r][q] = _mm256_add_epi32(acc[r][q], _mm256_madd_epi16(x, b[q]));
                        }
                    }
                }
            }
            for (r, acc) in acc.iter().enumerate().take(rows) {
                for (q, lanes) in acc.iter().enumerate() {
                    let mut pairs = [0i32; 8];
                    // SAFETY: pairs holds eight i32.
                    unsafe { _mm256_storeu_si256(pairs.as_mut_ptr().cast(), *lanes) };
                    for c in 0..4 {
                        sums[first + r][16 * half + 4 * q + c] = pairs[2 * c] + pairs[2 * c + 1];
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn bytes(n: usize, d: usize, seed: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| {
                (0..d)
                    .map(|j| {
                        if (i + j + seed).is_multiple_of(5) {
                            0
                        } else {
                            ((i * 131 + j * 71 + seed * 17) % 256) as u8
                        }
                    })
                    .collect()
            })
            .collect()
    }

    fn run(kernel: Kernel, a: &[Vec<u8>], b: &[Vec<u8>]) -> Vec<Vec<i32>> {
        let pa = Rows::new(a.len(), |i| a[i].clone());
        let pb = Rows::new(b.len(), |j| b[j].clone());
        let panels = Panels::new(&pb);
        let out = Mutex::new(vec![vec![0i32; b.len()]; a.len()]);
        for band in 0..a.len().div_ceil(ROWS) {
            let rows = ROWS.min(a.len() - band * ROWS);
            let first = band * ROWS;
            let rs = Band {
                rows: (0..rows).map(|r| pa.row(first + r)).collect(),
                sums: &pa.sums[first..first + rows],
            };
            let mut sums = [[0i32; COLS]; ROWS];
            for k in 0..panels.count {
                kernel.tile(&rs, panels.panel(k), panels.steps, &mut sums);
                let mut o = out.lock().unwrap();
                for r in 0..rows {
                    for c in 0..COLS.min(b.len() - k * COLS) {
                        o[band * ROWS + r][k * COLS + c] = sums[r][c];
                    }
                }
            }
        }
        out.into_inner().unwrap()
    }

    #[test]
    fn every_kernel_gives_the_exact_integer_products() {
        // Odd lengths, ragged last band and panel; 255 x 255 products summed past 2^24.
        let (a, b) = (bytes(19, 785, 1), bytes(37, 785, 2));
        let mut big = vec![vec![255u8; 785]; 2];
        big[1][784] = 3;
        let exact = |x: &[Vec<u8>], y: &[Vec<u8>]| -> Vec<Vec<i32>> {
            x.iter()
                .map(|r| {
                    y.iter()
                        .map(|s| {
                            r.iter()
                                .zip(s)
                                .map(|(&u, &v)| i32::from(u) * i32::from(v))
                                .sum()
                        })
                        .collect()
                })
                .collect()
        };
        let mut kernels = vec![Kernel::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") {
                kernels.push(Kernel::Avx2);
            }
            if matches!(Kernel::detect(), Kernel::Vnni) {
                kernels.push(Kernel::Vnni);
            }
        }
        for kernel in kernels {
            assert_eq!(run(kernel, &a, &b), exact(&a, &b));
            assert_eq!(run(kernel, &big, &big), exact(&big, &big));
        }
        assert_eq!(exact(&big, &big)[0][0], 785 * 255 * 255);
    }

    #[test]
    fn rows_of_no_bytes_have_products_of_zero() {
        let mut out = vec![f32::NAN; 3 * 2];
        product_into(
            &mut out,
            (3, |_| Vec::new()),
            (2, |_| Vec::new()),
            |i, j, s| (s + 10 * i as i32 + j as i32) as f32,
        );
        assert_eq!(out, [0.0, 1.0, 10.0, 11.0, 20.0, 21.0]);
    }

    #[test]
    fn product_into_folds_every_entry_in_place() {
        let (a, b) = (bytes(21, 30, 3), bytes(45, 30, 4));
        let mut out = vec![f32::NAN; a.len() * b.len()];
        product_into(
            &mut out,
            (a.len(), |i| a[i].clone()),
            (b.len(), |j| b[j].clone()),
            |i, j, s| s as f32 + (i * 1000 + j) as f32 * 1e-3,
        );
        let want = run(Kernel::Portable, &a, &b);
        for i in 0..a.len() {
            for j in 0..b.len() {
                assert_eq!(
                    out[i * b.len() + j],
                    want[i][j] as f32 + (i * 1000 + j) as f32 * 1e-3
                );
            }
        }
    }
}
