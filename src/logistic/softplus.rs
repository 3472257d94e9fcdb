//! The loss `softplus(z) - t z` of many logits at once, in `f32` lanes that the compiler turns
//! into vector instructions: a test-loss pass evaluates it for 2163 logits after every
//! training step, where a scalar `exp` and `ln_1p` in `f64` per logit cost more than the
//! 784-pixel dot product that made the logit.
//!
//! `e^-|z|` comes from Cephes' `expf` (range reduction by `ln 2`, a degree-5 polynomial, the
//! power of two put into the exponent bits); `ln(1 + e)` for `e` in `[0, 1]` from
//! `2 atanh(s)` with `s = e / (2 + e) <= 1/3`, seven terms of its series. The sum
//! `(max(z, 0) - t z) + ln(1 + e^-|z|)` adds two non-negative numbers for `t` in `{0, 1}`, so
//! the result keeps its relative accuracy even where the loss is tiny. The tests bound the
//! error against the `f64` formula ([`super::sample_loss`]) by [`MAX_RELATIVE_ERROR`].
//!
//! The same `e^-|z|` gives the passes over bytes their probabilities ([`probability`]),
//! without a call into the maths library for every image.

/// The largest relative error of [`loss`] against the exact loss, for targets 0 and 1 and
/// any logit (checked by the tests over `[-120, 120]`), where the exact loss is at least
/// [`TINY`]; below it the error is at most [`TINY`].
pub const MAX_RELATIVE_ERROR: f64 = 3e-7;

/// The smallest normal `f32`, about `1.2e-38`: losses below it may come out as 0.
pub const TINY: f64 = f32::MIN_POSITIVE as f64;

const LOG2E: f32 = std::f32::consts::LOG2_E;
/// `1.5 * 2^23`: adding it rounds to an integer, which then sits in the low mantissa bits.
const ROUNDER: f32 = 12_582_912.0;
/// `ln 2` in two parts; the first has few enough bits that `k * LN2_HI` is exact.
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
/// Below `-87.4` `e^x` is below the smallest normal `f32` ([`TINY`]), and taken as 0.
const EXP_FLOOR: f32 = -87.4;
/// Cephes `expf`'s polynomial, highest degree first.
const EXP_POLY: [f32; 6] = [
    1.987_569_1e-4,
    1.398_199_9e-3,
    8.333_452e-3,
    4.166_579_6e-2,
    1.666_666_5e-1,
    0.5,
];

/// `2 atanh`'s series in `u = s²`, `1/13` down to `1`.
const SERIES: [f32; 7] = [
    1.0 / 13.0,
    1.0 / 11.0,
    1.0 / 9.0,
    1.0 / 7.0,
    1.0 / 5.0,
    1.0 / 3.0,
    1.0,
];

/// `2^k` for `y = k + ROUNDER`: `y`'s low bits hold `k + 2^22`, so add `127 - (bits of
/// ROUNDER)` and shift into the exponent.
#[inline(always)]
fn power_of_two(y: f32) -> f32 {
    f32::from_bits(
        y.to_bits()
            .wrapping_sub(ROUNDER.to_bits())
            .wrapping_add(127)
            << 23,
    )
}

/// `e^-|z|`, 0 below [`EXP_FLOOR`]: Cephes' `expf` in plain `f32` operations.
#[inline(always)]
fn exp_minus_abs(z: f32) -> f32 {
    let x = -z.abs();
    let clamped = x.max(EXP_FLOOR);
    let y = clamped * LOG2E + ROUNDER;
    let k = y - ROUNDER;
    let two_k = power_of_two(y);
    let r = (clamped - k * LN2_HI) - k * LN2_LO;
    let mut p = EXP_POLY[0];
    for c in &EXP_POLY[1..] {
        p = p * r + c;
    }
    let e = ((p * r) * r + r + 1.0) * two_k;
    if x < EXP_FLOOR { 0.0 } else { e }
}

/// `e^-|z|` as [`exp_minus_abs`] computes it, with fused multiply-adds and the polynomial in
/// Estrin's order: its longest chain of operations is half as long, which matters where the
/// result is waited for (the probabilities of a pass over bytes).
#[inline(always)]
fn exp_minus_abs_fused(z: f32) -> f32 {
    let x = -z.abs();
    let clamped = x.max(EXP_FLOOR);
    let y = clamped.mul_add(LOG2E, ROUNDER);
    let k = y - ROUNDER;
    let two_k = power_of_two(y);
    let r = (-k).mul_add(LN2_LO, (-k).mul_add(LN2_HI, clamped));
    let (r2, [c0, c1, c2, c3, c4, c5]) = (r * r, EXP_POLY);
    let r4 = r2 * r2;
    let (a, b, c) = (c0.mul_add(r, c1), c2.mul_add(r, c3), c4.mul_add(r, c5));
    let p = a.mul_add(r4, b.mul_add(r2, c));
    let e = p.mul_add(r2, r + 1.0) * two_k;
    if x < EXP_FLOOR { 0.0 } else { e }
}

/// `σ(z) = 1 / (1 + e^-z)` from `e^-|z|` (Cephes' `expf`, as for [`loss`]): within
/// [`MAX_PROBABILITY_ERROR`] of the exact value (relative), 0 or 1 exactly where `e^-|z|`
/// is below [`TINY`]. Plain `f32` operations, no call, so the compiler can run a group's
/// logits side by side and every processor gets the same bits.
#[inline(always)]
pub(crate) fn probability(z: f32) -> f32 {
    let e = exp_minus_abs_fused(z);
    let q = 1.0 / (1.0 + e);
    let p = if z >= 0.0 { q } else { e * q };
    // A diverged logit stays NaN (the clamp above would have made it a number).
    if z.is_nan() { z } else { p }
}

/// The largest relative error of [`probability`] (checked by the tests over `[-87, 87]`).
pub const MAX_PROBABILITY_ERROR: f64 = 3e-7;

/// The loss of one logit `z` with target `t`, as the vector lanes compute it.
#[inline(always)]
pub fn loss(z: f32, t: f32) -> f32 {
    let e = exp_minus_abs(z);
    // ln(1 + e) = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = e / (2 + e) in [0, 1/3].
    let s = e / (2.0 + e);
    let u = s * s;
    let mut q = SERIES[0];
    for c in &SERIES[1..] {
        q = q * u + c;
    }
    let log1p = 2.0 * s * q;
    (z.max(0.0) - t * z) + log1p
}

/// Eight losses at once: plain Rust ([`Scalar`]) or AVX2 and FMA intrinsics (`Avx2Fma`), the
/// same operations in the same order, so bit-identical.
pub(crate) trait Lanes {
    /// `loss(z[k], t[k])` for each of the eight lanes.
    fn losses(z: &[f32; 8], t: &[f32; 8]) -> [f32; 8];

    /// `probability(z[k])` for each of the eight lanes.
    fn probabilities(z: &[f32; 8]) -> [f32; 8];
}

/// Lane by lane with [`loss`].
pub(crate) struct Scalar;

impl Lanes for Scalar {
    #[inline(always)]
    fn losses(z: &[f32; 8], t: &[f32; 8]) -> [f32; 8] {
        let mut out = [0.0; 8];
        for k in 0..8 {
            out[k] = loss(z[k], t[k]);
        }
        out
    }

    #[inline(always)]
    fn probabilities(z: &[f32; 8]) -> [f32; 8] {
        let mut out = [0.0; 8];
        for k in 0..8 {
            out[k] = probability(z[k]);
        }
        out
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) use avx2::Avx2Fma;

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{EXP_FLOOR, EXP_POLY, LN2_HI, LN2_LO, LOG2E, Lanes, ROUNDER, SERIES};
    use std::arch::x86_64::{
        __m256, _CMP_GE_OQ, _CMP_LT_OQ, _CMP_UNORD_Q, _mm256_add_epi32, _mm256_add_ps,
        _mm256_andnot_ps, _mm256_blendv_ps, _mm256_castps_si256, _mm256_castsi256_ps,
        _mm256_cmp_ps, _mm256_div_ps, _mm256_fmadd_ps, _mm256_fnmadd_ps, _mm256_loadu_ps,
        _mm256_max_ps, _mm256_mul_ps, _mm256_or_ps, _mm256_set1_epi32, _mm256_set1_ps,
        _mm256_setzero_ps, _mm256_slli_epi32, _mm256_storeu_ps, _mm256_sub_epi32, _mm256_sub_ps,
    };

    /// [`super::loss`] and [`super::probability`] on eight lanes with AVX2 and FMA; only used
    /// once the processor has both.
    pub(crate) struct Avx2Fma;

    impl Avx2Fma {
        /// Whether this processor has AVX2 and FMA.
        pub(crate) fn available() -> bool {
            std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
        }
    }

    impl Lanes for Avx2Fma {
        #[inline(always)]
        fn losses(z: &[f32; 8], t: &[f32; 8]) -> [f32; 8] {
            // SAFETY: only reached after the caller checked for AVX2 and FMA.
            unsafe { losses(z, t) }
        }

        #[inline(always)]
        fn probabilities(z: &[f32; 8]) -> [f32; 8] {
            // SAFETY: only reached after the caller checked for AVX2 and FMA.
            unsafe { probabilities(z) }
        }
    }

    /// [`super::power_of_two`] on eight lanes.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn power_of_two(y: __m256) -> __m256 {
        let bits = _mm256_sub_epi32(
            _mm256_castps_si256(y),
            _mm256_set1_epi32(ROUNDER.to_bits() as i32),
        );
        _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_add_epi32(
            bits,
            _mm256_set1_epi32(127),
        )))
    }

    /// [`super::exp_minus_abs_fused`] on eight lanes.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn exp_minus_abs_fused(z: __m256) -> __m256 {
        let splat = _mm256_set1_ps;
        let x = _mm256_or_ps(z, splat(-0.0));
        let clamped = _mm256_max_ps(x, splat(EXP_FLOOR));
        let y = _mm256_fmadd_ps(clamped, splat(LOG2E), splat(ROUNDER));
        let k = _mm256_sub_ps(y, splat(ROUNDER));
        let two_k = power_of_two(y);
        let r = _mm256_fnmadd_ps(
            k,
            splat(LN2_LO),
            _mm256_fnmadd_ps(k, splat(LN2_HI), clamped),
        );
        let r2 = _mm256_mul_ps(r, r);
        let r4 = _mm256_mul_ps(r2, r2);
        let c: [__m256; 6] = std::array::from_fn(|i| splat(EXP_POLY[i]));
        let [c0, c1, c2, c3, c4, c5] = c;
        let a = _mm256_fmadd_ps(c0, r, c1);
        let b = _mm256_fmadd_ps(c2, r, c3);
        let low = _mm256_fmadd_ps(c4, r, c5);
        let p = _mm256_fmadd_ps(a, r4, _mm256_fmadd_ps(b, r2, low));
        let e = _mm256_fmadd_ps(p, r2, _mm256_add_ps(r, splat(1.0)));
        let e = _mm256_mul_ps(e, two_k);
        _mm256_andnot_ps(_mm256_cmp_ps::<_CMP_LT_OQ>(x, splat(EXP_FLOOR)), e)
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn probabilities(z: &[f32; 8]) -> [f32; 8] {
        let splat = _mm256_set1_ps;
        // SAFETY: the array holds eight f32; the rest is register arithmetic.
        let z = unsafe { _mm256_loadu_ps(z.as_ptr()) };
        let e = exp_minus_abs_fused(z);
        let q = _mm256_div_ps(splat(1.0), _mm256_add_ps(splat(1.0), e));
        let p = _mm256_blendv_ps(
            _mm256_mul_ps(e, q),
            q,
            _mm256_cmp_ps::<_CMP_GE_OQ>(z, _mm256_setzero_ps()),
        );
        let p = _mm256_blendv_ps(p, z, _mm256_cmp_ps::<_CMP_UNORD_Q>(z, z));
        let mut out = [0.0f32; 8];
        // SAFETY: out holds eight f32.
        unsafe { _mm256_storeu_ps(out.as_mut_ptr(), p) };
        out
    }

    /// [`super::exp_minus_abs`] on eight lanes.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn exp_minus_abs(z: __m256) -> __m256 {
        let splat = _mm256_set1_ps;
        let x = _mm256_or_ps(z, splat(-0.0));
        let clamped = _mm256_max_ps(x, splat(EXP_FLOOR));
        let y = _mm256_add_ps(_mm256_mul_ps(clamped, splat(LOG2E)), splat(ROUNDER));
        let k = _mm256_sub_ps(y, splat(ROUNDER));
        let two_k = power_of_two(y);
        let r = _mm256_sub_ps(
            _mm256_sub_ps(clamped, _mm256_mul_ps(k, splat(LN2_HI))),
            _mm256_mul_ps(k, splat(LN2_LO)),
        );
        let mut p = splat(EXP_POLY[0]);
        for &c in &EXP_POLY[1..] {
            p = _mm256_add_ps(_mm256_mul_ps(p, r), splat(c));
        }
        let e = _mm256_add_ps(
            _mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(p, r), r), r),
            splat(1.0),
        );
        let e = _mm256_mul_ps(e, two_k);
        _mm256_andnot_ps(_mm256_cmp_ps::<_CMP_LT_OQ>(x, splat(EXP_FLOOR)), e)
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn losses(z: &[f32; 8], t: &[f32; 8]) -> [f32; 8] {
        let splat = _mm256_set1_ps;
        // SAFETY: both arrays hold eight f32; the rest is register arithmetic.
        let z = unsafe { _mm256_loadu_ps(z.as_ptr()) };
        let t = unsafe { _mm256_loadu_ps(t.as_ptr()) };
        let e = exp_minus_abs(z);
        let s = _mm256_div_ps(e, _mm256_add_ps(splat(2.0), e));
        let u = _mm256_mul_ps(s, s);
        let mut q = splat(SERIES[0]);
        for &c in &SERIES[1..] {
            q = _mm256_add_ps(_mm256_mul_ps(q, u), splat(c));
        }
        let log1p = _mm256_mul_ps(_mm256_mul_ps(splat(2.0), s), q);
        let m = _mm256_sub_ps(_mm256_max_ps(z, _mm256_setzero_ps()), _mm256_mul_ps(t, z));
        let mut out = [0.0f32; 8];
        // SAFETY: out holds eight f32.
        unsafe { _mm256_storeu_ps(out.as_mut_ptr(), _mm256_add_ps(m, log1p)) };
        out
    }
}

/// `Σ softplus(z_i) - t_i z_i` over pairs of logits and targets, each term in `f32`, the sum
/// in `f64` over eight lanes in a fixed order; with AVX2 and FMA where the processor has them
/// (the same operations either way, so the same results).
pub fn loss_sum(z: &[f32], t: &[f32]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if Avx2Fma::available() {
        #[target_feature(enable = "avx2,fma")]
        fn with_avx2(z: &[f32], t: &[f32]) -> f64 {
            sum_with::<Avx2Fma>(z, t)
        }
        // SAFETY: the processor supports AVX2 and FMA, checked just above.
        return unsafe { with_avx2(z, t) };
    }
    sum_with::<Scalar>(z, t)
}

/// [`loss_sum`] with the lanes `L`, for callers that already chose them.
#[inline(always)]
pub(crate) fn sum_with<L: Lanes>(z: &[f32], t: &[f32]) -> f64 {
    assert_eq!(z.len(), t.len(), "one target per logit");
    let mut acc = [0.0f64; 8];
    let (z8, z_rest) = z.as_chunks::<8>();
    let (t8, t_rest) = t.as_chunks::<8>();
    for (zc, tc) in z8.iter().zip(t8) {
        let l = L::losses(zc, tc);
        for k in 0..8 {
            acc[k] += f64::from(l[k]);
        }
    }
    let mut sum = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (&z, &t) in z_rest.iter().zip(t_rest) {
        sum += f64::from(loss(z, t));
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The loss in f64, summed so that no term cancels another (`sample_loss`'s order loses
    /// everything below `1e-16 |z|` for t = 1 and large z).
    fn sample_loss(z: f64, t: f64) -> f64 {
        (z.max(0.0) - t * z) + (-z.abs()).exp().ln_1p()
    }

    fn relative_error(z: f32, t: f32) -> f64 {
        let exact = sample_loss(f64::from(z), f64::from(t));
        let found = f64::from(loss(z, t));
        if exact < TINY {
            assert!((found - exact).abs() <= TINY, "z = {z}: {found} vs {exact}");
            0.0
        } else {
            ((found - exact) / exact).abs()
        }
    }

    #[test]
    fn the_error_bound_holds_for_any_logit() {
        let mut worst = 0.0f64;
        for i in -120 * 512..=120 * 512 {
            // Steps of 1/512, plus an odd offset so that logits fall between grid points.
            let z = i as f32 / 512.0 + 1.0 / 7919.0;
            for t in [0.0, 1.0] {
                worst = worst.max(relative_error(z, t));
            }
        }
        println!("worst relative error {worst:e}");
        assert!(
            worst <= MAX_RELATIVE_ERROR,
            "worst relative error {worst:e}"
        );
        // Tiny logits and the exp floor's edges.
        for z in [
            0.0f32, 1e-30, -1e-30, 1e-8, -87.39, -87.41, 87.5, -88.0, -103.0,
        ] {
            for t in [0.0, 1.0] {
                assert!(
                    relative_error(z, t) <= MAX_RELATIVE_ERROR,
                    "z = {z}, t = {t}"
                );
            }
        }
    }

    #[test]
    fn probabilities_stay_within_their_bound() {
        let mut worst = 0.0f64;
        for i in -87 * 512..=87 * 512 {
            let z = i as f32 / 512.0 + 1.0 / 7919.0;
            let exact = 1.0 / (1.0 + (-f64::from(z)).exp());
            let found = f64::from(probability(z));
            worst = worst.max(((found - exact) / exact).abs());
        }
        println!("worst relative error {worst:e}");
        assert!(worst <= MAX_PROBABILITY_ERROR, "{worst:e}");
        assert_eq!(probability(0.0), 0.5);
        assert_eq!(probability(200.0), 1.0);
        assert_eq!(probability(-200.0), 0.0);
        assert_eq!(probability(f32::MAX), 1.0);
        assert_eq!(probability(f32::MIN), 0.0);
        assert!(probability(f32::NAN).is_nan());
    }

    #[test]
    fn targets_between_zero_and_one_stay_close_too() {
        for i in -2000..=2000 {
            let z = i as f32 / 37.0;
            let exact = sample_loss(f64::from(z), 0.25);
            let found = f64::from(loss(z, 0.25));
            assert!(
                (found - exact).abs() <= 1e-6 * exact.abs().max(1.0),
                "z = {z}"
            );
        }
    }

    #[test]
    fn the_sum_adds_every_term_in_order() {
        let z: Vec<f32> = (0..21).map(|i| i as f32 / 3.0 - 3.0).collect();
        let t: Vec<f32> = (0..21).map(|i| (i % 2) as f32).collect();
        let sum = loss_sum(&z, &t);
        let exact: f64 = z
            .iter()
            .zip(&t)
            .map(|(&z, &t)| sample_loss(f64::from(z), f64::from(t)))
            .sum();
        assert!((sum - exact).abs() <= MAX_RELATIVE_ERROR * exact);
        assert_eq!(sum.to_bits(), sum_with::<Scalar>(&z, &t).to_bits());
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx2_lanes_are_the_scalar_lanes_bit_for_bit() {
        if !Avx2Fma::available() {
            return;
        }
        for i in -3000..3000 {
            let z: [f32; 8] = std::array::from_fn(|k| (i * 8 + k as i32) as f32 / 61.0);
            let t: [f32; 8] = std::array::from_fn(|k| (k % 2) as f32);
            let (a, b) = (Avx2Fma::losses(&z, &t), Scalar::losses(&z, &t));
            assert_eq!(a.map(f32::to_bits), b.map(f32::to_bits), "{z:?}");
            let (p, q) = (Avx2Fma::probabilities(&z), Scalar::probabilities(&z));
            assert_eq!(p.map(f32::to_bits), q.map(f32::to_bits), "{z:?}");
        }
        let edges = [f32::NAN, -87.39, -87.41, 87.5, -200.0, 0.0, -0.0, f32::MAX];
        let (p, q) = (
            Avx2Fma::probabilities(&edges),
            Scalar::probabilities(&edges),
        );
        assert_eq!(p.map(f32::to_bits), q.map(f32::to_bits));
    }
}
