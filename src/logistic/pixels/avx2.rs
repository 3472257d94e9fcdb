//! The inner loops over bytes with AVX2 and FMA intrinsics: eight bytes become eight `f32`
//! with one zero-extension and one conversion, then one fused multiply-add. Same operations
//! in the same order as the portable loops in `pixels.rs` (`mul_add`), so the results are
//! bit-identical.

use super::{LANES, Widen, reduce};
use std::arch::x86_64::{
    __m256, _MM_HINT_T0, _mm_loadl_epi64, _mm_prefetch, _mm256_add_ps, _mm256_cvtepi32_ps,
    _mm256_cvtepu8_epi32, _mm256_fmadd_ps, _mm256_loadu_ps, _mm256_set1_ps, _mm256_setzero_ps,
    _mm256_storeu_ps,
};

/// The loops with AVX2 and FMA; only used once the processor is known to have both.
pub(super) struct Avx2;

impl Avx2 {
    /// Whether this processor has AVX2 and FMA.
    pub(super) fn available() -> bool {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
}

impl Widen for Avx2 {
    type Lanes = crate::logistic::softplus::Avx2;

    #[inline(always)]
    unsafe fn dots_unchecked<const N: usize>(
        w: &[f32],
        rows: [&[u8]; N],
        ahead: [&[u8]; N],
    ) -> [f32; N] {
        // SAFETY: the caller's promise (lengths, instructions).
        unsafe { dots(w, rows, ahead) }
    }

    #[inline(always)]
    unsafe fn add_rows_unchecked<const N: usize>(g: &mut [f32], r: [f32; N], rows: [&[u8]; N]) {
        // SAFETY: the caller's promise (lengths, instructions).
        unsafe { add_rows(g, r, rows) }
    }
}

/// Eight bytes at `p`, as `f32`.
///
/// # Safety
/// AVX2, and eight readable bytes at `p`.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn widen(p: *const u8) -> __m256 {
    // SAFETY: eight bytes are readable at p (the caller's promise); the load is unaligned.
    unsafe { _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(p.cast()))) }
}

/// # Safety
/// AVX2 and FMA, and every row (and row ahead) as long as `w`.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn dots<const N: usize>(w: &[f32], rows: [&[u8]; N], ahead: [&[u8]; N]) -> [f32; N] {
    let blocks = w.len() / LANES;
    let mut lo = [_mm256_setzero_ps(); N];
    let mut hi = [_mm256_setzero_ps(); N];
    for j in 0..blocks {
        let at = j * LANES;
        // SAFETY: at + 16 <= w.len() = each row's length.
        unsafe {
            let w_lo = _mm256_loadu_ps(w.as_ptr().add(at));
            let w_hi = _mm256_loadu_ps(w.as_ptr().add(at + 8));
            for n in 0..N {
                if j % 4 == 0 {
                    // One request per 64-byte line.
                    _mm_prefetch::<_MM_HINT_T0>(ahead[n].as_ptr().add(at).cast());
                }
                let p = rows[n].as_ptr().add(at);
                lo[n] = _mm256_fmadd_ps(w_lo, widen(p), lo[n]);
                hi[n] = _mm256_fmadd_ps(w_hi, widen(p.add(8)), hi[n]);
            }
        }
    }
    let mut out = [0.0f32; N];
    for n in 0..N {
        let mut lanes = [0.0f32; LANES];
        // SAFETY: lanes holds 16 f32.
        unsafe {
            _mm256_storeu_ps(lanes.as_mut_ptr(), lo[n]);
            _mm256_storeu_ps(lanes.as_mut_ptr().add(8), hi[n]);
        }
        out[n] = reduce(&lanes);
        for (wk, vk) in w[blocks * LANES..].iter().zip(&rows[n][blocks * LANES..]) {
            out[n] = wk.mul_add(f32::from(*vk), out[n]);
        }
    }
    out
}

/// # Safety
/// AVX2 and FMA, and every row as long as `g`.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn add_rows<const N: usize>(g: &mut [f32], r: [f32; N], rows: [&[u8]; N]) {
    let blocks = g.len() / LANES;
    let rv = r.map(|r| _mm256_set1_ps(r));
    for j in 0..blocks {
        let at = j * LANES;
        // SAFETY: at + 16 <= g.len() = each row's length.
        unsafe {
            let mut s_lo = _mm256_setzero_ps();
            let mut s_hi = _mm256_setzero_ps();
            for n in 0..N {
                let p = rows[n].as_ptr().add(at);
                s_lo = _mm256_fmadd_ps(rv[n], widen(p), s_lo);
                s_hi = _mm256_fmadd_ps(rv[n], widen(p.add(8)), s_hi);
            }
            let gp = g.as_mut_ptr().add(at);
            _mm256_storeu_ps(gp, _mm256_add_ps(_mm256_loadu_ps(gp), s_lo));
            _mm256_storeu_ps(gp.add(8), _mm256_add_ps(_mm256_loadu_ps(gp.add(8)), s_hi));
        }
    }
    for k in blocks * LANES..g.len() {
        let mut s = 0.0f32;
        for n in 0..N {
            s = r[n].mul_add(f32::from(rows[n][k]), s);
        }
        g[k] += s;
    }
}
