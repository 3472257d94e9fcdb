//! How a running book cell hands its figures to the `mdbook-descent` preprocessor.
//!
//! The preprocessor runs each chapter as one program with [`FIGURE_DIR_ENV`] set to a folder
//! of its own. [`show_svg`] writes each figure there and prints a marker line on stdout, so the
//! preprocessor can put the figure into the page right after the output that came before it.
//! Outside the book (no [`FIGURE_DIR_ENV`]) the SVG is printed as it is.
//!
//! The whole protocol, all on stdout, one marker per line ([`MARKER`] then a message): the
//! program the preprocessor generates prints `cell:<k>` before cell `k`, `device:<text>` and
//! `end` after the last cell; [`show_svg`] prints `figure:<file name>`. The preprocessor
//! (`mdbook-descent`, `program.rs`) spells the same prefix; change both together.
//! [`check`] prints `check:<JSON>` (a checked number, see [`check`]'s module).

mod check;

pub use check::{CheckError, check};

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Environment variable naming the folder a cell's figures are written to.
pub const FIGURE_DIR_ENV: &str = "DESCENT_FIGURE_DIR";

/// Prefix of the stdout lines that carry messages to the preprocessor. It starts with an
/// ASCII record separator, which ordinary cell output never prints.
pub const MARKER: &str = "\u{1e}descent:";

static FIGURES_SHOWN: AtomicUsize = AtomicUsize::new(0);

/// Hands one SVG figure to the page.
///
/// # Errors
/// When the figure file cannot be written or stdout is closed.
pub fn show_svg(svg: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    let Some(dir) = std::env::var_os(FIGURE_DIR_ENV) else {
        writeln!(stdout, "{svg}")?;
        return stdout.flush();
    };
    let index = FIGURES_SHOWN.fetch_add(1, Ordering::Relaxed);
    let name = format!("figure-{index:04}.svg");
    let dir = PathBuf::from(dir);
    let partial = dir.join(format!("{name}.partial"));
    std::fs::write(&partial, svg)?;
    std::fs::rename(&partial, dir.join(&name))?;
    writeln!(stdout, "{MARKER}figure:{name}")?;
    stdout.flush()
}
