//! The `extern "C"` functions the page's script calls: numbers in, numbers out through one
//! buffer of `f64` in the module's memory, an error's text through a byte buffer.
//!
//! Hand-written rather than `wasm-bindgen`: a dozen functions over `f64` and `u32` need no
//! generated glue, the module then has no imports at all (the script instantiates it with an
//! empty import object), and the build needs no `wasm-bindgen` CLI matched to the crate's
//! version, which these machines could not download.
//!
//! The module runs on the page's one thread; the buffers live in a `thread_local`.

use std::cell::RefCell;

use crate::setting::{Function, Optimiser, Schedule, Setting};

thread_local! {
    static OUT: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
    static ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Most steps one call walks (the page's slider stops well below).
pub const MAX_STEPS: u32 = 100_000;

/// Most grid points along an axis.
pub const MAX_GRID: u32 = 1_000;

fn fail(message: impl Into<String>) -> i32 {
    ERROR.with(|e| *e.borrow_mut() = message.into());
    OUT.with(|o| o.borrow_mut().clear());
    -1
}

/// Walks one setting and leaves the path in the output buffer: `4 + 3 n` numbers, first the
/// number of points `n`, the divergence step (`-1` for none) and the divergence point
/// (`x`, `y`; `NaN` for none), then `x`, `y`, `f(x, y)` per point, the start first. The
/// divergence value is `f` at the divergence point, via [`descent_divergence_value`].
///
/// Returns `n`, or `-1` with the reason in the error buffer.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn descent_path(
    function: u32,
    optimiser: u32,
    lr: f64,
    momentum: f64,
    beta1: f64,
    beta2: f64,
    weight_decay: f64,
    schedule: u32,
    gamma: f64,
    steps: u32,
    x: f64,
    y: f64,
) -> i32 {
    let Some(function) = Function::from_index(function) else {
        return fail(format!("no function number {function}"));
    };
    let Some(optimiser) = Optimiser::from_index(optimiser) else {
        return fail(format!("no optimiser number {optimiser}"));
    };
    let schedule = match schedule {
        0 => Schedule::None,
        1 => Schedule::Exponential { gamma },
        2 => Schedule::Cosine,
        n => return fail(format!("no schedule number {n}")),
    };
    if steps > MAX_STEPS {
        return fail(format!("at most {MAX_STEPS} steps, asked for {steps}"));
    }
    let setting = Setting {
        function,
        optimiser,
        lr,
        momentum,
        betas: (beta1, beta2),
        weight_decay,
        schedule,
        steps: steps as usize,
        start: (x, y),
    };
    match setting.path() {
        Err(e) => fail(e.to_string()),
        Ok(path) => OUT.with(|o| {
            let mut out = o.borrow_mut();
            out.clear();
            out.push(path.points.len() as f64);
            match path.diverged {
                Some(d) => out.extend([d.step as f64, d.point.x, d.point.y]),
                None => out.extend([-1.0, f64::NAN, f64::NAN]),
            }
            DIVERGED_VALUE.with(|v| *v.borrow_mut() = path.diverged.map_or(f64::NAN, |d| d.value));
            for (p, v) in path.points.iter().zip(&path.values) {
                out.extend([p.x, p.y, *v]);
            }
            path.points.len() as i32
        }),
    }
}

thread_local! {
    static DIVERGED_VALUE: RefCell<f64> = const { RefCell::new(f64::NAN) };
}

/// The value at the last path's divergence point (`NaN` when it did not diverge).
#[unsafe(no_mangle)]
pub extern "C" fn descent_divergence_value() -> f64 {
    DIVERGED_VALUE.with(|v| *v.borrow())
}

/// Samples `function` on `n` x `n` points over `[x0, x1] x [y0, y1]` into the output buffer,
/// row by row (`y` outer). Returns the number of values, or `-1` with the reason.
#[unsafe(no_mangle)]
pub extern "C" fn descent_grid(function: u32, n: u32, x0: f64, x1: f64, y0: f64, y1: f64) -> i32 {
    let Some(function) = Function::from_index(function) else {
        return fail(format!("no function number {function}"));
    };
    if n > MAX_GRID {
        return fail(format!("at most {MAX_GRID} points per axis, asked for {n}"));
    }
    match function.grid((x0, x1), (y0, y1), n as usize) {
        Err(e) => fail(e.to_string()),
        Ok(grid) => OUT.with(|o| {
            let mut out = o.borrow_mut();
            out.clear();
            out.extend_from_slice(grid.values());
            out.len() as i32
        }),
    }
}

/// Where the output buffer starts in the module's memory (valid until the next call).
#[unsafe(no_mangle)]
pub extern "C" fn descent_out() -> *const f64 {
    OUT.with(|o| o.borrow().as_ptr())
}

/// Where the last error's UTF-8 text starts in the module's memory.
#[unsafe(no_mangle)]
pub extern "C" fn descent_error() -> *const u8 {
    ERROR.with(|e| e.borrow().as_ptr())
}

/// The last error's length in bytes.
#[unsafe(no_mangle)]
pub extern "C" fn descent_error_len() -> u32 {
    ERROR.with(|e| e.borrow().len() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_buffer_holds_the_path_and_its_divergence() {
        let n = descent_path(2, 0, 0.01, 0.0, 0.9, 0.999, 0.0, 0, 1.0, 200, 2.0, -2.0);
        assert!(n > 0);
        let out = OUT.with(|o| o.borrow().clone());
        assert_eq!(out.len(), 4 + 3 * n as usize);
        assert_eq!(out[0], n as f64);
        assert!(out[1] >= 1.0, "SGD at lr 0.01 leaves Rosenbrock's valley");
        assert_eq!(&out[4..7], &[2.0, -2.0, 3601.0]);
    }

    #[test]
    fn a_bad_setting_leaves_its_reason() {
        assert_eq!(
            descent_path(9, 0, 0.1, 0.0, 0.9, 0.999, 0.0, 0, 1.0, 10, 0.0, 0.0),
            -1
        );
        assert_eq!(
            descent_path(0, 5, -0.1, 0.0, 0.9, 0.999, 0.0, 0, 1.0, 10, 0.0, 0.0),
            -1
        );
        let text = ERROR.with(|e| e.borrow().clone());
        assert!(text.contains("learning rate"), "{text}");
    }

    #[test]
    fn a_grid_is_the_librarys_grid() {
        assert_eq!(descent_grid(0, 3, -3.0, 3.0, -3.0, 3.0), 9);
        let out = OUT.with(|o| o.borrow().clone());
        let grid = Function::Peaks.grid((-3.0, 3.0), (-3.0, 3.0), 3).unwrap();
        assert_eq!(out, grid.values());
    }
}
