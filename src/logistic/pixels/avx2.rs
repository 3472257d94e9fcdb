//! The inner loops over bytes with AVX2 and FMA intrinsics: eight bytes become eight `f32`
//! with one zero-extension and one conversion, then one fused multiply-add. Same operations
//! in the same order as the portable loops in `pixels.rs` (`mul_add`), skipping only blocks
//! that add exact zeros there, so the results are bit-identical.

use super::{Group, LANES, Widen, add_tail, dot_tail, reduce};
use std::arch::x86_64::{
    __m256, _mm_loadl_epi64, _mm256_add_ps, _mm256_cvtepi32_ps, _mm256_cvtepu8_epi32,
    _mm256_fmadd_ps, _mm256_loadu_ps, _mm256_set1_ps, _mm256_setzero_ps, _mm256_storeu_ps,
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
    type Lanes = crate::logistic::softplus::Avx2Fma;

    #[inline(always)]
    unsafe fn dots_unchecked<const N: usize>(w: &[f32], group: &Group<N>) -> [f32; N] {
        // SAFETY: the caller's promise (lengths, marks, instructions).
        unsafe { dots(w, group) }
    }

    #[inline(always)]
    unsafe fn add_rows_unchecked<const N: usize>(g: &mut [f32], r: [f32; N], group: &Group<N>) {
        // SAFETY: the caller's promise (lengths, marks, instructions).
        unsafe { add_rows(g, r, group) }
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
/// AVX2 and FMA; every row (and row ahead) as long as `w`, marks for its whole blocks only.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn dots<const N: usize>(w: &[f32], group: &Group<N>) -> [f32; N] {
    let rows = group.rows;
    let mut lo = [_mm256_setzero_ps(); N];
    let mut hi = [_mm256_setzero_ps(); N];
    group.for_each_block(true, |j, bytes| {
        let at = j * LANES;
        // SAFETY: block j is whole, so at + 16 <= w.len(), and each row's bytes of it are at
        // `bytes` (the caller's promise).
        unsafe {
            let w_lo = _mm256_loadu_ps(w.as_ptr().add(at));
            let w_hi = _mm256_loadu_ps(w.as_ptr().add(at + 8));
            for n in 0..N {
                let p = bytes[n];
                lo[n] = _mm256_fmadd_ps(w_lo, widen(p), lo[n]);
                hi[n] = _mm256_fmadd_ps(w_hi, widen(p.add(8)), hi[n]);
            }
        }
    });
    let mut out = [0.0f32; N];
    for n in 0..N {
        let mut lanes = [0.0f32; LANES];
        // SAFETY: lanes holds 16 f32.
        unsafe {
            _mm256_storeu_ps(lanes.as_mut_ptr(), lo[n]);
            _mm256_storeu_ps(lanes.as_mut_ptr().add(8), hi[n]);
        }
        out[n] = dot_tail(reduce(&lanes), w, rows[n]);
    }
    out
}

/// # Safety
/// AVX2 and FMA; every row as long as `g`, marks for its whole blocks only.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn add_rows<const N: usize>(g: &mut [f32], r: [f32; N], group: &Group<N>) {
    let rows = group.rows;
    let mut rv = [_mm256_set1_ps(0.0); N];
    for n in 0..N {
        rv[n] = _mm256_set1_ps(r[n]);
    }
    let gp = g.as_mut_ptr();
    group.for_each_block(false, |j, bytes| {
        let at = j * LANES;
        // SAFETY: block j is whole, so at + 16 <= g.len(), and each row's bytes of it are at
        // `bytes` (the caller's promise).
        unsafe {
            let mut s_lo = _mm256_setzero_ps();
            let mut s_hi = _mm256_setzero_ps();
            for n in 0..N {
                let p = bytes[n];
                s_lo = _mm256_fmadd_ps(rv[n], widen(p), s_lo);
                s_hi = _mm256_fmadd_ps(rv[n], widen(p.add(8)), s_hi);
            }
            let g_lo = gp.add(at);
            let g_hi = gp.add(at + 8);
            _mm256_storeu_ps(g_lo, _mm256_add_ps(_mm256_loadu_ps(g_lo), s_lo));
            _mm256_storeu_ps(g_hi, _mm256_add_ps(_mm256_loadu_ps(g_hi), s_hi));
        }
    });
    add_tail(g, r, rows);
}
