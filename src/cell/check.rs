//! Checked numbers: a cell states that a value it computed matches a published number within a
//! tolerance. In the book the check is also reported to the preprocessor (one `check:` marker
//! on the protocol channel with the name, value, expected value, tolerance and the caller's
//! line), so `results.json`
//! and CI logs show what was verified, not only that the build passed.

use serde::Serialize;
use std::panic::Location;

/// A number that is not where the chapter says it is, or a check that cannot be made.
#[derive(Clone, PartialEq, thiserror::Error)]
pub enum CheckError {
    /// The value is further from the expected number than the tolerance allows (or is not
    /// finite).
    #[error(
        "check {name:?} failed: {value} is not within {tolerance} of {expected} \
         (off by {off}); the published number no longer holds: find what changed, or update \
         the number and the prose that quotes it"
    )]
    OutOfTolerance {
        /// The check's name.
        name: String,
        /// The value the cell computed.
        value: f64,
        /// The published number.
        expected: f64,
        /// The largest allowed distance.
        tolerance: f64,
        /// `|value - expected|`.
        off: f64,
    },
    /// The expected number or the tolerance is not a finite number, or the tolerance is
    /// negative.
    #[error(
        "check {name:?} cannot be made: expected {expected} and tolerance {tolerance} must be \
         finite, and the tolerance at least 0"
    )]
    BadBounds {
        /// The check's name.
        name: String,
        /// The expected number as given.
        expected: f64,
        /// The tolerance as given.
        tolerance: f64,
    },
}

/// `main` returning `Err` prints the error's `Debug`: make it the readable message.
impl std::fmt::Debug for CheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// What the preprocessor receives for one check.
#[derive(Serialize)]
struct Report<'a> {
    name: &'a str,
    /// `None` (JSON `null`) when the value is not finite.
    value: Option<f64>,
    expected: f64,
    tolerance: f64,
    ok: bool,
    file: &'a str,
    line: u32,
}

/// Checks that `value` is within `tolerance` of `expected` (`|value - expected| <= tolerance`)
/// and returns the value, so a cell can write `let loss = check("loss", loss, 1.1268, 1e-4)?;`.
///
/// In a book build the check is reported to the preprocessor with the caller's line, and a
/// failed check fails the chapter at that line even if the cell ignores the error.
///
/// # Errors
/// [`CheckError::OutOfTolerance`] when the value is too far off or not finite,
/// [`CheckError::BadBounds`] when `expected` or `tolerance` is not finite or the tolerance is
/// negative.
#[track_caller]
pub fn check(
    name: &str,
    value: impl Into<f64>,
    expected: f64,
    tolerance: f64,
) -> Result<f64, CheckError> {
    let value = value.into();
    let caller = Location::caller();
    let result = judge(name, value, expected, tolerance);
    if super::in_book() {
        let report = Report {
            name,
            value: value.is_finite().then_some(value),
            expected,
            tolerance,
            ok: result.is_ok(),
            file: caller.file(),
            line: caller.line(),
        };
        // A lost report is not the cell's failure; the check's result still is.
        if let Ok(json) = serde_json::to_string(&report) {
            let _ = super::send("check", &json);
        }
    }
    result
}

fn judge(name: &str, value: f64, expected: f64, tolerance: f64) -> Result<f64, CheckError> {
    if !expected.is_finite() || !tolerance.is_finite() || tolerance < 0.0 {
        return Err(CheckError::BadBounds {
            name: name.to_owned(),
            expected,
            tolerance,
        });
    }
    let off = (value - expected).abs();
    if off <= tolerance {
        Ok(value)
    } else {
        Err(CheckError::OutOfTolerance {
            name: name.to_owned(),
            value,
            expected,
            tolerance,
            off,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_within_tolerance_passes_and_is_returned() {
        assert_eq!(judge("loss", 1.12681, 1.1268, 1e-4), Ok(1.12681));
        assert_eq!(judge("exact", 2.0, 2.0, 0.0), Ok(2.0));
    }

    #[test]
    fn a_value_out_of_tolerance_names_the_check_and_the_numbers() {
        let err = judge("loss", 1.2, 1.1268, 1e-4).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("\"loss\"") && text.contains("1.2") && text.contains("1.1268"));
        assert_eq!(format!("{err:?}"), text, "main's `Error:` line is readable");
    }

    #[test]
    fn nan_never_passes() {
        assert!(matches!(
            judge("loss", f64::NAN, 1.0, 1.0),
            Err(CheckError::OutOfTolerance { .. })
        ));
    }

    #[test]
    fn bad_bounds_are_an_error_not_a_pass() {
        assert!(matches!(
            judge("x", 1.0, 1.0, -1.0),
            Err(CheckError::BadBounds { .. })
        ));
        assert!(matches!(
            judge("x", 1.0, f64::INFINITY, 1.0),
            Err(CheckError::BadBounds { .. })
        ));
    }

    #[test]
    fn f32_values_are_accepted() {
        assert!(check("f32", 0.5f32, 0.5, 0.0).is_ok());
    }
}
