//! The inner loops over bytes with AVX-512: sixteen bytes become sixteen `f32` with one
//! zero-extension and one conversion, then one fused multiply-add, so a block of [`LANES`]
//! pixels takes a third of the instructions it takes with AVX2. The sixteen lanes of one
//! register are the sixteen running sums of the portable loops in `pixels.rs`, added in the
//! same order with the same fused operation, and the blocks they skip add exact zeros there, so
//! the results are bit-identical.

use super::{Group, LANES, Widen, add_tail, dot_tail, reduce};
use std::arch::x86_64::{
    __m512, _mm_loadu_si128, _mm512_add_ps, _mm512_cvtepi32_ps, _mm512_cvtepu8_epi32,
    _mm512_fmadd_ps, _mm512_loadu_ps, _mm512_set1_ps, _mm512_setzero_ps, _mm512_storeu_ps,
};

/// The loops with AVX-512F (and AVX2 and FMA for the log-sigmoid lanes); only used once the
/// processor is known to have them.
pub(super) struct Avx512;

impl Avx512 {
    /// Whether this processor has AVX-512F, AVX2 and FMA.
    pub(super) fn available() -> bool {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
    }
}

impl Widen for Avx512 {
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

/// Sixteen bytes at `p`, as `f32`.
///
/// # Safety
/// AVX-512F, and sixteen readable bytes at `p`.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn widen(p: *const u8) -> __m512 {
    // SAFETY: sixteen bytes are readable at p (the caller's promise); the load is unaligned.
    unsafe { _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128(p.cast()))) }
}

/// # Safety
/// AVX-512F; every row (and row ahead) as long as `w`, marks for its whole blocks only.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn dots<const N: usize>(w: &[f32], group: &Group<N>) -> [f32; N] {
    let rows = group.rows;
    let mut acc = [_mm512_setzero_ps(); N];
    group.for_each_block(true, |j, bytes| {
        // SAFETY: block j is whole, so 16 j + 16 <= w.len(), and each row's bytes of it are
        // at `bytes` (the caller's promise).
        unsafe {
            let wj = _mm512_loadu_ps(w.as_ptr().add(j * LANES));
            for n in 0..N {
                acc[n] = _mm512_fmadd_ps(wj, widen(bytes[n]), acc[n]);
            }
        }
    });
    let mut out = [0.0f32; N];
    for n in 0..N {
        let mut lanes = [0.0f32; LANES];
        // SAFETY: lanes holds 16 f32.
        unsafe { _mm512_storeu_ps(lanes.as_mut_ptr(), acc[n]) };
        out[n] = dot_tail(reduce(&lanes), w, rows[n]);
    }
    out
}

/// # Safety
/// AVX-512F; every row as long as `g`, marks for its whole blocks only.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn add_rows<const N: usize>(g: &mut [f32], r: [f32; N], group: &Group<N>) {
    let rows = group.rows;
    let mut rv = [_mm512_set1_ps(0.0); N];
    for n in 0..N {
        rv[n] = _mm512_set1_ps(r[n]);
    }
    let gp = g.as_mut_ptr();
    group.for_each_block(false, |j, bytes| {
        let at = j * LANES;
        // SAFETY: block j is whole, so at + 16 <= g.len(), and each row's bytes of it are at
        // `bytes` (the caller's promise).
        unsafe {
            let mut s = _mm512_setzero_ps();
            for n in 0..N {
                s = _mm512_fmadd_ps(rv[n], widen(bytes[n]), s);
            }
            _mm512_storeu_ps(gp.add(at), _mm512_add_ps(_mm512_loadu_ps(gp.add(at)), s));
        }
    });
    add_tail(g, r, rows);
}
