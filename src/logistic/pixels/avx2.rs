//! The inner loops over bytes with AVX2 and FMA intrinsics: eight bytes become eight `f32`
//! with one zero-extension and one conversion, then one fused multiply-add. Same operations
//! in the same order as the portable loops in `pixels.rs` (`mul_add`), so the results are
//! bit-identical.

use super::{LANES, PREFETCH_AHEAD, Widen, reduce};
use std::arch::x86_64::{
    __m256, _MM_HINT_T0, _mm_loadl_epi64, _mm_prefetch, _mm256_cvtepi32_ps, _mm256_cvtepu8_epi32,
    _mm256_fmadd_ps, _mm256_loadu_ps, _mm256_setzero_ps, _mm256_storeu_ps,
};

/// The loops with AVX2 and FMA; only used once the processor is known to have both.
pub(super) struct Avx2;

impl Avx2 {
    /// Whether this processor has AVX2 and FMA.
    #[cfg(test)]
    pub(super) fn available() -> bool {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
}

impl Widen for Avx2 {
    type Lanes = crate::logistic::softplus::Avx2;

    #[inline(always)]
    fn dots<const N: usize, const STAGE: bool>(
        w: &[f32],
        rows: [&[u8]; N],
        stage: &mut [f32],
    ) -> [f32; N] {
        assert!(
            rows.iter().all(|r| r.len() == w.len()),
            "one byte per weight"
        );
        assert!(
            !STAGE || stage.len() >= N * w.len(),
            "room to stage every row"
        );
        // SAFETY: only reached after the caller checked the instructions; lengths checked above.
        unsafe { dots::<N, STAGE>(w, rows, stage) }
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
/// AVX2 and FMA, and every row as long as `w`.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn dots<const N: usize, const STAGE: bool>(
    w: &[f32],
    rows: [&[u8]; N],
    stage: &mut [f32],
) -> [f32; N] {
    let cols = w.len();
    let blocks = w.len() / LANES;
    let mut lo = [_mm256_setzero_ps(); N];
    let mut hi = [_mm256_setzero_ps(); N];
    for j in 0..blocks {
        let at = j * LANES;
        // SAFETY: at + 16 <= w.len() = each row's length; stage holds N rows when STAGE.
        unsafe {
            let w_lo = _mm256_loadu_ps(w.as_ptr().add(at));
            let w_hi = _mm256_loadu_ps(w.as_ptr().add(at + 8));
            for n in 0..N {
                let p = rows[n].as_ptr().add(at);
                if j % 4 == 0 {
                    _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(PREFETCH_AHEAD).cast());
                }
                let (v_lo, v_hi) = (widen(p), widen(p.add(8)));
                if STAGE {
                    let q = stage.as_mut_ptr().add(n * cols + at);
                    _mm256_storeu_ps(q, v_lo);
                    _mm256_storeu_ps(q.add(8), v_hi);
                }
                lo[n] = _mm256_fmadd_ps(w_lo, v_lo, lo[n]);
                hi[n] = _mm256_fmadd_ps(w_hi, v_hi, hi[n]);
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
        for k in blocks * LANES..cols {
            let v = f32::from(rows[n][k]);
            if STAGE {
                stage[n * cols + k] = v;
            }
            out[n] = w[k].mul_add(v, out[n]);
        }
    }
    out
}
