//! Logistic regression on flattened images: the CPU reference implementation.
//!
//! The model is `p = σ(x·w + b)` with `θ = (w, b)`, 785 parameters for a 784-pixel image, the
//! bias last. The loss is the mean binary cross-entropy, computed in its log-sigmoid form
//! `softplus(z) - t z`, which stays finite when `σ(z)` rounds to 0 or 1 (the tutorial's
//! `t log p + (1 - t) log(1 - p)` gives NaN there).
//!
//! One pass over the rows computes the loss, the gradient and the probabilities together, with
//! no copy of the data (the bias is added, not stored as a column of ones). Rows are cut into
//! fixed chunks that run on all cores and are summed in a fixed order, so results do not depend
//! on the number of threads.
//!
//! The rows are [`Inputs`]: `f32` features, or MNIST's pixel bytes, which the pass reads as
//! torchvision's normalised values without ever storing them as `f32` ([`pixels`]). On bytes
//! the loss terms come from a vectorised log-sigmoid ([`softplus`], within
//! [`softplus::MAX_RELATIVE_ERROR`] of the exact formula).

mod packed;
mod pixels;
pub mod softplus;

pub(crate) use packed::Packed;
pub use packed::PixelRows;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;

/// Rows per chunk of work: results are summed per chunk, then over chunks in order.
const CHUNK_ROWS: usize = 256;

/// The rows a pass reads: one sample a row, one feature a column.
#[derive(Debug, Clone, Copy)]
pub enum Inputs<'a> {
    /// Features as they are.
    Values(ArrayView2<'a, f32>),
    /// MNIST pixel intensities (0 to 255), read as torchvision's normalised values
    /// ([`crate::data::normalise_pixel`]) with the normalisation folded into the arithmetic.
    Pixels(PixelRows<'a>),
}

impl Inputs<'_> {
    /// `(rows, columns)`.
    pub fn dim(&self) -> (usize, usize) {
        match self {
            Self::Values(x) => x.dim(),
            Self::Pixels(v) => v.bytes().dim(),
        }
    }
}

impl<'a> From<ArrayView2<'a, f32>> for Inputs<'a> {
    fn from(x: ArrayView2<'a, f32>) -> Self {
        Self::Values(x)
    }
}

impl<'a> From<&'a Array2<f32>> for Inputs<'a> {
    fn from(x: &'a Array2<f32>) -> Self {
        Self::Values(x.view())
    }
}

impl<'a> From<ArrayView2<'a, u8>> for Inputs<'a> {
    fn from(v: ArrayView2<'a, u8>) -> Self {
        Self::Pixels(PixelRows::new(v))
    }
}

/// Loss, gradient and probabilities of one batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Mean binary cross-entropy over the batch.
    pub loss: f32,
    /// Gradient of the mean loss with respect to `θ` (bias last).
    pub gradient: Array1<f32>,
    /// `σ(x·w + b)` for each row.
    pub probabilities: Array1<f32>,
}

/// Inputs whose shapes do not fit each other.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// `θ` is not one weight per column plus the bias.
    #[error(
        "θ has {found} entries but the images have {cols} pixels: θ needs one weight per pixel \
         plus the bias, {expected} entries"
    )]
    ThetaLength {
        /// Entries given.
        found: usize,
        /// Columns of `x`.
        cols: usize,
        /// Entries needed.
        expected: usize,
    },
    /// `t` is not one target per row of `x`.
    #[error("{targets} targets for {rows} rows; give one target per row")]
    Targets {
        /// Rows of `x`.
        rows: usize,
        /// Targets given.
        targets: usize,
    },
    /// No rows to evaluate.
    #[error("no rows to evaluate; give at least one image")]
    Empty,
    /// A row index past the end of `x`.
    #[error("row {index} does not exist: there are {rows} rows (0 to {})", rows.saturating_sub(1))]
    RowIndex {
        /// The index given.
        index: usize,
        /// Rows of `x`.
        rows: usize,
    },
    /// The gradient buffer is not `θ`'s length.
    #[error("the gradient buffer has {found} entries but θ has {expected}; make them equal")]
    GradientLength {
        /// Entries of the buffer.
        found: usize,
        /// Entries of `θ`.
        expected: usize,
    },
}

fn check(theta: usize, rows: usize, cols: usize, targets: usize) -> Result<(), ShapeError> {
    if theta != cols + 1 {
        return Err(ShapeError::ThetaLength {
            found: theta,
            cols,
            expected: cols + 1,
        });
    }
    if targets != rows {
        return Err(ShapeError::Targets { rows, targets });
    }
    if rows == 0 {
        return Err(ShapeError::Empty);
    }
    Ok(())
}

/// Binary cross-entropy of one sample with logit `z` and target `t`, stable for any `z`.
pub fn sample_loss(z: f64, t: f64) -> f64 {
    // softplus(z) - t z, with softplus(z) = max(z, 0) + ln(1 + e^-|z|)
    z.max(0.0) + (-z.abs()).exp().ln_1p() - t * z
}

/// The logistic function, without overflow for large `|z|`.
pub fn sigmoid(z: f32) -> f32 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// `a · b` with eight running sums, so the compiler vectorises it and the order is fixed.
#[inline(always)]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (a8, a_rest) = a.as_chunks::<8>();
    let (b8, b_rest) = b.as_chunks::<8>();
    for (x, y) in a8.iter().zip(b8) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut sum = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (x, y) in a_rest.iter().zip(b_rest) {
        sum += x * y;
    }
    sum
}

/// What one pass should produce besides the loss.
#[derive(Clone, Copy)]
pub(crate) struct Wants {
    pub(crate) gradient: bool,
    pub(crate) probabilities: bool,
}

/// The rows of one chunk: a range of rows, or some of them by index.
#[derive(Clone, Copy)]
pub(crate) enum RowSet<'a> {
    Range(usize, usize),
    Picked(&'a [usize]),
}

impl RowSet<'_> {
    #[inline(always)]
    fn len(&self) -> usize {
        match self {
            Self::Range(start, end) => end - start,
            Self::Picked(idx) => idx.len(),
        }
    }

    /// The `k`-th row of the set.
    #[inline(always)]
    fn get(&self, k: usize) -> usize {
        match self {
            Self::Range(start, _) => start + k,
            Self::Picked(idx) => idx[k],
        }
    }
}

/// Runs `body` on fixed chunks of the rows (all `rows`, or those `picked` names), in parallel,
/// returning the results in chunk order.
fn over_chunks<P: Send>(
    rows: usize,
    picked: Option<&[usize]>,
    body: impl Fn(RowSet) -> P + Sync,
) -> Vec<P> {
    match picked {
        None if rows <= CHUNK_ROWS => vec![body(RowSet::Range(0, rows))],
        None => (0..rows.div_ceil(CHUNK_ROWS))
            .into_par_iter()
            .map(|c| {
                body(RowSet::Range(
                    c * CHUNK_ROWS,
                    ((c + 1) * CHUNK_ROWS).min(rows),
                ))
            })
            .collect(),
        Some(idx) if idx.len() <= CHUNK_ROWS => vec![body(RowSet::Picked(idx))],
        Some(idx) => idx
            .par_chunks(CHUNK_ROWS)
            .map(|c| body(RowSet::Picked(c)))
            .collect(),
    }
}

/// Partial sums over one chunk of rows.
struct Partial {
    loss: f64,
    gradient: Vec<f32>,
    probabilities: Vec<f32>,
}

/// Runs [`chunk_body`] with 256-bit vectors where the processor has them. Without FMA the
/// arithmetic is the same operation for operation, so the result is bit-identical either way.
fn pass_chunk<'a>(
    theta: &[f32],
    rows: impl Iterator<Item = (&'a [f32], f32)>,
    len: usize,
    wants: Wants,
) -> Partial {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        #[target_feature(enable = "avx")]
        fn with_avx<'a>(
            theta: &[f32],
            rows: impl Iterator<Item = (&'a [f32], f32)>,
            len: usize,
            wants: Wants,
        ) -> Partial {
            chunk_body(theta, rows, len, wants)
        }
        // SAFETY: the processor supports AVX, checked just above.
        return unsafe { with_avx(theta, rows, len, wants) };
    }
    chunk_body(theta, rows, len, wants)
}

#[inline(always)]
fn chunk_body<'a>(
    theta: &[f32],
    rows: impl Iterator<Item = (&'a [f32], f32)>,
    len: usize,
    wants: Wants,
) -> Partial {
    let (w, b) = theta.split_at(theta.len() - 1);
    let cols = w.len();
    let mut partial = Partial {
        loss: 0.0,
        gradient: if wants.gradient {
            vec![0.0; theta.len()]
        } else {
            Vec::new()
        },
        probabilities: Vec::with_capacity(if wants.probabilities { len } else { 0 }),
    };
    for (row, target) in rows {
        let z = dot(row, w) + b[0];
        partial.loss += sample_loss(f64::from(z), f64::from(target));
        let p = sigmoid(z);
        if wants.probabilities {
            partial.probabilities.push(p);
        }
        if wants.gradient {
            let r = p - target;
            let (gw, gb) = partial.gradient.split_at_mut(cols);
            for (g, xi) in gw.iter_mut().zip(row) {
                *g += r * xi;
            }
            gb[0] += r;
        }
    }
    partial
}

/// One pass over the rows of `x` (all of them, or those `picked` names, in that order);
/// returns the mean loss, the mean gradient (summed in f64) and the probabilities.
pub(crate) fn pass(
    theta: ArrayView1<f32>,
    x: Inputs,
    t: ArrayView1<f32>,
    picked: Option<&[usize]>,
    wants: Wants,
) -> Result<(f32, Vec<f32>, Vec<f32>), ShapeError> {
    let (rows, cols) = x.dim();
    check(theta.len(), rows, cols, t.len())?;
    if let Some(&index) = picked.into_iter().flatten().find(|&&i| i >= rows) {
        return Err(ShapeError::RowIndex { index, rows });
    }
    if picked.is_some_and(<[usize]>::is_empty) {
        return Err(ShapeError::Empty);
    }
    let t = t.as_standard_layout();
    let t = t.as_slice().expect("standard layout is contiguous");
    let theta = theta.as_standard_layout();
    let theta = theta.as_slice().expect("standard layout is contiguous");
    let count = picked.map_or(rows, <[usize]>::len);
    let n = count as f64;

    let byte_rows = match x {
        // A few picked rows cost less as they are than the packed copy's reordered weights.
        Inputs::Pixels(p) if picked.is_some_and(|rows| rows.len() < 4) => {
            Some(pixels::ByteRows::new(PixelRows::new(p.bytes())))
        }
        Inputs::Pixels(p) => Some(pixels::ByteRows::new(p)),
        Inputs::Values(_) => None,
    };
    let partials: Vec<Partial> = match (x, &byte_rows) {
        (Inputs::Values(x), _) => {
            let x = x.as_standard_layout();
            let x = x.as_slice().expect("standard layout is contiguous");
            let row = |i: usize| (&x[i * cols..(i + 1) * cols], t[i]);
            over_chunks(rows, picked, |set| {
                pass_chunk(
                    theta,
                    (0..set.len()).map(|k| row(set.get(k))),
                    set.len(),
                    wants,
                )
            })
        }
        (Inputs::Pixels(_), Some(v)) => {
            let folded = v.fold(theta);
            over_chunks(rows, picked, |set| {
                pixels::chunk(
                    &folded,
                    v.slice(),
                    t,
                    set,
                    wants,
                    &mut Vec::with_capacity(set.len()),
                )
            })
        }
        (Inputs::Pixels(_), None) => unreachable!("pixel rows are read as bytes"),
    };

    let loss = partials.iter().map(|p| p.loss).sum::<f64>() / n;
    let mut gradient = Vec::new();
    if wants.gradient {
        // θ's length, or (packed rows) the kept columns and Σ r.
        let mut sum = vec![0.0f64; partials[0].gradient.len()];
        for p in &partials {
            for (s, g) in sum.iter_mut().zip(&p.gradient) {
                *s += f64::from(*g);
            }
        }
        if let Some(v) = &byte_rows {
            // The sums are Σ r v per column of the rows read and Σ r: back in pixel order,
            // then unfold the normalisation.
            sum = v.unpack(sum);
            let (a, c) = (pixels::scale(), pixels::shift());
            let sum_r = sum[cols];
            for s in &mut sum[..cols] {
                *s = a * *s - c * sum_r;
            }
        }
        gradient = sum.into_iter().map(|s| (s / n) as f32).collect();
    }
    let probabilities = if wants.probabilities {
        let read: Vec<f32> = partials.into_iter().flat_map(|p| p.probabilities).collect();
        match (&byte_rows, picked) {
            (Some(v), None) => v.in_row_order(read),
            _ => read,
        }
    } else {
        Vec::new()
    };
    Ok((loss as f32, gradient, probabilities))
}

pub(crate) use pixels::{scale as pixel_scale, shift as pixel_shift};

/// `x·w + b` for every row of `x`, in row order.
pub(crate) fn logits(theta: &[f32], x: Inputs) -> Vec<f32> {
    let (w, b) = theta.split_at(theta.len() - 1);
    match x {
        Inputs::Values(x) => x
            .dot(&ArrayView1::from(w))
            .iter()
            .map(|&z| z + b[0])
            .collect(),
        Inputs::Pixels(p) => {
            let v = pixels::ByteRows::new(p);
            let folded = v.fold(theta);
            let t = vec![0.0f32; x.dim().0];
            let wants = Wants {
                gradient: false,
                probabilities: false,
            };
            let read = over_chunks(x.dim().0, None, |set| {
                let mut z = Vec::with_capacity(set.len());
                pixels::chunk(&folded, v.slice(), &t, set, wants, &mut z);
                z
            })
            .concat();
            v.in_row_order(read)
        }
    }
}

/// Loss, gradient and probabilities of `θ` on the rows of `x` with targets `t`, in one pass.
///
/// ```
/// use ndarray::{array, Array1};
/// let x = array![[1.0f32, 2.0], [-1.0, 0.5]];
/// let t = array![1.0f32, 0.0];
/// let theta = Array1::<f32>::zeros(3);
/// let eval = descent::logistic::evaluate(theta.view(), x.view(), t.view())?;
/// assert!((eval.loss - std::f32::consts::LN_2).abs() < 1e-6);
/// assert_eq!(eval.probabilities, array![0.5, 0.5]);
///
/// // A θ of the wrong length is an error that says what fits, not a panic.
/// let short = Array1::<f32>::zeros(2);
/// let err = descent::logistic::evaluate(short.view(), x.view(), t.view()).unwrap_err();
/// assert!(err.to_string().starts_with("θ has 2 entries but the images have 2 pixels"));
/// # Ok::<(), descent::logistic::ShapeError>(())
/// ```
///
/// # Errors
/// [`ShapeError`] when the shapes disagree (`θ` must have one entry more than `x` has
/// columns, `t` one entry per row) or `x` has no rows.
pub fn evaluate<'a>(
    theta: ArrayView1<f32>,
    x: impl Into<Inputs<'a>>,
    t: ArrayView1<f32>,
) -> Result<Evaluation, ShapeError> {
    let wants = Wants {
        gradient: true,
        probabilities: true,
    };
    let (loss, gradient, probabilities) = pass(theta, x.into(), t, None, wants)?;
    Ok(Evaluation {
        loss,
        gradient: Array1::from(gradient),
        probabilities: Array1::from(probabilities),
    })
}

/// Mean loss of `θ`, writing its gradient into `gradient` (used by training loops).
///
/// # Errors
/// As [`evaluate`], or when `gradient` does not have `θ`'s length.
pub fn loss_and_gradient<'a>(
    theta: ArrayView1<f32>,
    x: impl Into<Inputs<'a>>,
    t: ArrayView1<f32>,
    gradient: &mut [f32],
) -> Result<f32, ShapeError> {
    gradient_into(theta, x.into(), t, None, gradient)
}

fn gradient_into(
    theta: ArrayView1<f32>,
    x: Inputs,
    t: ArrayView1<f32>,
    rows: Option<&[usize]>,
    gradient: &mut [f32],
) -> Result<f32, ShapeError> {
    if gradient.len() != theta.len() {
        return Err(ShapeError::GradientLength {
            found: gradient.len(),
            expected: theta.len(),
        });
    }
    let wants = Wants {
        gradient: true,
        probabilities: false,
    };
    let (loss, g, _) = pass(theta, x, t, rows, wants)?;
    gradient.copy_from_slice(&g);
    Ok(loss)
}

/// As [`loss_and_gradient`], over the rows of `x` that `rows` names (a shuffled batch),
/// without copying them.
///
/// # Errors
/// As [`loss_and_gradient`], or when `rows` is empty or names a row `x` does not have.
pub fn loss_and_gradient_rows<'a>(
    theta: ArrayView1<f32>,
    x: impl Into<Inputs<'a>>,
    t: ArrayView1<f32>,
    rows: &[usize],
    gradient: &mut [f32],
) -> Result<f32, ShapeError> {
    gradient_into(theta, x.into(), t, Some(rows), gradient)
}

/// Mean loss of `θ` on `x`, `t`.
///
/// # Errors
/// As [`evaluate`].
pub fn loss<'a>(
    theta: ArrayView1<f32>,
    x: impl Into<Inputs<'a>>,
    t: ArrayView1<f32>,
) -> Result<f32, ShapeError> {
    let wants = Wants {
        gradient: false,
        probabilities: false,
    };
    Ok(pass(theta, x.into(), t, None, wants)?.0)
}

/// `σ(x·w + b)` for each row of `x`.
///
/// # Errors
/// As [`evaluate`].
pub fn probabilities<'a>(
    theta: ArrayView1<f32>,
    x: impl Into<Inputs<'a>>,
) -> Result<Array1<f32>, ShapeError> {
    let x = x.into();
    let t = Array1::zeros(x.dim().0);
    let wants = Wants {
        gradient: false,
        probabilities: true,
    };
    Ok(Array1::from(pass(theta, x, t.view(), None, wants)?.2))
}

/// How well `θ` classifies a labelled set, under both of the tutorial's definitions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// Mean loss.
    pub loss: f32,
    /// The tutorial's "accuracy", `100 (1 - mean |p - t|)`: a soft score, not a fraction of
    /// correct answers.
    pub soft_accuracy_percent: f64,
    /// Samples on the right side of `p = 0.5`.
    pub correct: usize,
    /// Samples scored.
    pub total: usize,
}

impl Score {
    /// Fraction classified right, in percent.
    pub fn accuracy_percent(&self) -> f64 {
        100.0 * self.correct as f64 / self.total as f64
    }
}

/// Scores `θ` on `x`, `t`.
///
/// # Errors
/// As [`evaluate`].
pub fn score<'a>(
    theta: ArrayView1<f32>,
    x: impl Into<Inputs<'a>>,
    t: ArrayView1<f32>,
) -> Result<Score, ShapeError> {
    let wants = Wants {
        gradient: false,
        probabilities: true,
    };
    let (loss, _, p) = pass(theta, x.into(), t, None, wants)?;
    let abs_error: f64 = p.iter().zip(t).map(|(p, t)| f64::from((p - t).abs())).sum();
    let correct = p
        .iter()
        .zip(t)
        .filter(|&(&p, &t)| (p > 0.5) == (t > 0.5))
        .count();
    Ok(Score {
        loss,
        soft_accuracy_percent: 100.0 * (1.0 - abs_error / p.len() as f64),
        correct,
        total: p.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    /// Loss and gradient in f64 straight from the definitions, for comparison.
    fn reference(theta: &[f32], x: &Array2<f32>, t: &[f32]) -> (f64, Vec<f64>) {
        let n = x.nrows() as f64;
        let mut loss = 0.0;
        let mut grad = vec![0.0; theta.len()];
        for (row, &target) in x.rows().into_iter().zip(t) {
            let z: f64 = row
                .iter()
                .zip(theta)
                .map(|(a, b)| f64::from(*a) * f64::from(*b))
                .sum::<f64>()
                + f64::from(theta[theta.len() - 1]);
            let p = 1.0 / (1.0 + (-z).exp());
            let t = f64::from(target);
            loss -= t * p.ln() + (1.0 - t) * (1.0 - p).ln();
            for (g, xi) in grad.iter_mut().zip(row) {
                *g += (p - t) * f64::from(*xi);
            }
            grad[theta.len() - 1] += p - t;
        }
        (loss / n, grad.into_iter().map(|g| g / n).collect())
    }

    #[test]
    fn matches_the_textbook_formula_across_chunks() {
        let rows = 3 * CHUNK_ROWS + 17;
        let cols = 13;
        let x = Array2::from_shape_fn((rows, cols), |(i, j)| {
            ((i * 7 + j * 3) % 11) as f32 / 5.0 - 1.0
        });
        let t: Vec<f32> = (0..rows).map(|i| (i % 3 == 0) as u8 as f32).collect();
        let theta: Vec<f32> = (0..=cols).map(|j| (j as f32 - 6.0) / 20.0).collect();
        let eval = evaluate(ArrayView1::from(&theta), x.view(), ArrayView1::from(&t)).unwrap();
        let (loss, grad) = reference(&theta, &x, &t);
        assert!((f64::from(eval.loss) - loss).abs() < 1e-6 * loss);
        for (a, b) in eval.gradient.iter().zip(&grad) {
            assert!((f64::from(*a) - b).abs() < 1e-6, "{a} vs {b}");
        }
    }

    #[test]
    fn a_saturated_sample_has_finite_loss_and_gradient() {
        let x = array![[100.0f32, 100.0]];
        let theta = array![1.0f32, 1.0, 0.0];
        for (target, expected_loss) in [(0.0f32, 200.0f32), (1.0, 0.0)] {
            let eval = evaluate(theta.view(), x.view(), array![target].view()).unwrap();
            assert!((eval.loss - expected_loss).abs() < 1e-3, "{}", eval.loss);
            assert!(eval.gradient.iter().all(|g| g.is_finite()));
        }
    }

    #[test]
    fn scores_count_the_right_side_of_one_half() {
        let x = array![[2.0f32], [-2.0], [1.0]];
        let t = array![1.0f32, 0.0, 0.0];
        let score = score(array![1.0f32, 0.0].view(), x.view(), t.view()).unwrap();
        assert_eq!((score.correct, score.total), (2, 3));
    }

    #[test]
    fn wrong_shapes_are_errors_that_name_the_fix() {
        let x = array![[1.0f32, 2.0], [3.0, 4.0]];
        let t = array![1.0f32, 0.0];
        let long = Array1::<f32>::zeros(4);
        let err = evaluate(long.view(), x.view(), t.view()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "θ has 4 entries but the images have 2 pixels: θ needs one weight per pixel plus \
             the bias, 3 entries"
        );
        let theta = Array1::<f32>::zeros(3);
        let err = loss(theta.view(), x.view(), array![1.0f32].view()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "1 targets for 2 rows; give one target per row"
        );
        let mut g = [0.0f32; 3];
        let err = loss_and_gradient_rows(theta.view(), x.view(), t.view(), &[5], &mut g);
        assert_eq!(
            err.unwrap_err().to_string(),
            "row 5 does not exist: there are 2 rows (0 to 1)"
        );
        let empty = ndarray::Array2::<f32>::zeros((0, 2));
        let err = score(theta.view(), empty.view(), Array1::zeros(0).view()).unwrap_err();
        assert_eq!(err, ShapeError::Empty);
    }

    #[test]
    fn the_result_does_not_depend_on_the_number_of_threads() {
        let rows = 5 * CHUNK_ROWS + 3;
        let x = Array2::from_shape_fn((rows, 9), |(i, j)| ((i * 31 + j * 17) % 23) as f32 / 7.0);
        let t = Array1::from_shape_fn(rows, |i| (i % 2) as f32);
        let theta = Array1::from_shape_fn(10, |j| 0.01 * j as f32 - 0.04);
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| evaluate(theta.view(), x.view(), t.view()).unwrap())
        };
        assert_eq!(run(1), run(4));
    }

    #[test]
    fn bytes_give_what_their_normalised_rows_give_for_any_number_of_threads() {
        let rows = 5 * CHUNK_ROWS + 7;
        let cols = 45;
        // A blank border (columns no row inks) and scattered blank pixels, as in digits.
        let v = Array2::from_shape_fn((rows, cols), |(i, j)| {
            let ink = (i * 31 + j * 17) % 256;
            if !(4..40).contains(&j) || ink < 90 {
                0
            } else {
                ink as u8
            }
        });
        let packed = Packed::of(v.view());
        let x = v.mapv(crate::data::normalise_pixel);
        let t = Array1::from_shape_fn(rows, |i| (i % 2) as f32);
        let theta = Array1::from_shape_fn(cols + 1, |j| 0.002 * j as f32 - 0.04);
        let values = evaluate(theta.view(), x.view(), t.view()).unwrap();
        let picked: Vec<usize> = (0..rows).rev().step_by(3).collect();
        let mut g_values = vec![0.0; cols + 1];
        let l_values =
            loss_and_gradient_rows(theta.view(), x.view(), t.view(), &picked, &mut g_values)
                .unwrap();
        for inputs in [
            Inputs::from(v.view()),
            Inputs::Pixels(PixelRows::with_packed(v.view(), &packed)),
        ] {
            let run = |threads| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| evaluate(theta.view(), inputs, t.view()).unwrap())
            };
            let bytes = run(1);
            assert_eq!(bytes, run(3));
            assert!((bytes.loss - values.loss).abs() <= 1e-6 * values.loss);
            for (a, b) in bytes.gradient.iter().zip(&values.gradient) {
                assert!((a - b).abs() <= 1e-6, "{a} vs {b}");
            }
            for (a, b) in bytes.probabilities.iter().zip(&values.probabilities) {
                assert!((a - b).abs() <= 1e-6, "{a} vs {b}");
            }
            let mut g_bytes = vec![0.0; cols + 1];
            let l_bytes =
                loss_and_gradient_rows(theta.view(), inputs, t.view(), &picked, &mut g_bytes)
                    .unwrap();
            assert!((l_bytes - l_values).abs() <= 1e-6 * l_values);
            for (a, b) in g_bytes.iter().zip(&g_values) {
                assert!((a - b).abs() <= 1e-6, "{a} vs {b}");
            }
            // Fewer than four picked rows are read as they are, not packed.
            let few = [rows - 1, 5, 0];
            let (mut g_few, mut g_few_values) = (vec![0.0; cols + 1], vec![0.0; cols + 1]);
            let l_few =
                loss_and_gradient_rows(theta.view(), inputs, t.view(), &few, &mut g_few).unwrap();
            let l_few_values =
                loss_and_gradient_rows(theta.view(), x.view(), t.view(), &few, &mut g_few_values)
                    .unwrap();
            assert!((l_few - l_few_values).abs() <= 1e-6 * l_few_values);
            for (a, b) in g_few.iter().zip(&g_few_values) {
                assert!((a - b).abs() <= 1e-6, "{a} vs {b}");
            }
            let z = logits(theta.as_slice().unwrap(), inputs);
            let z_values = logits(theta.as_slice().unwrap(), x.view().into());
            for (a, b) in z.iter().zip(&z_values) {
                assert!((a - b).abs() <= 1e-5, "{a} vs {b}");
            }
        }
    }
}
