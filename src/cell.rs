//! How a running book cell hands its figures to the `mdbook-descent` preprocessor.
//!
//! The preprocessor runs each chapter as one program with its stdout redirected to a file,
//! [`FIGURE_DIR_ENV`] set to a folder of its own and [`PROTOCOL_ENV`] naming a second file,
//! the protocol channel. [`show_svg`] writes each figure to the folder and sends a `figure`
//! message on the channel, so the preprocessor can put the figure into the page right after
//! the output that came before it. Outside the book (no [`PROTOCOL_ENV`]) the SVG is printed
//! as it is.
//!
//! The protocol: each message is one record appended to the channel file,
//! `<offset> <kind> <length>:<payload>\n`, where `offset` is the byte position of stdout when
//! the message was sent (stdout flushed first) and `length` the payload's length in bytes.
//! Kinds: the program the preprocessor generates sends `cell` (payload `k`) before cell `k`,
//! `error` (an error a cell returned, as text), `device` and `end` after the last cell;
//! [`show_svg`] sends `figure` (a file name). The preprocessor ignores kinds it does not know,
//! so new kinds can be added by either side. Nothing a cell prints on stdout can forge a
//! message. The preprocessor (`mdbook-descent`, `program.rs` and `run.rs`) spells the same
//! format: change both together.

use std::io::{Seek, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Environment variable naming the folder a cell's figures are written to.
pub const FIGURE_DIR_ENV: &str = "DESCENT_FIGURE_DIR";

/// Environment variable naming the protocol channel (a file messages are appended to).
pub const PROTOCOL_ENV: &str = "DESCENT_PROTOCOL";

static FIGURES_SHOWN: AtomicUsize = AtomicUsize::new(0);

/// Whether the program runs inside a book build (the protocol channel is open to it).
pub fn in_book() -> bool {
    std::env::var_os(PROTOCOL_ENV).is_some()
}

/// Sends one protocol message of `kind` (a word without spaces) with `payload`, positioned
/// after everything printed on stdout so far. Outside a book build it does nothing.
///
/// # Errors
/// When stdout cannot be flushed or the channel cannot be written.
pub fn send(kind: &str, payload: &str) -> std::io::Result<()> {
    let Some(channel) = std::env::var_os(PROTOCOL_ENV) else {
        return Ok(());
    };
    let offset = stdout_offset()?;
    let record = format!("{offset} {kind} {}:{payload}\n", payload.len());
    std::fs::OpenOptions::new()
        .append(true)
        .open(channel)?
        .write_all(record.as_bytes())
}

/// The byte position of stdout (a file in a book build), after flushing what is buffered.
fn stdout_offset() -> std::io::Result<u64> {
    std::io::stdout().flush()?;
    #[cfg(unix)]
    let handle = {
        use std::os::fd::AsFd;
        std::io::stdout().as_fd().try_clone_to_owned()?
    };
    #[cfg(windows)]
    let handle = {
        use std::os::windows::io::AsHandle;
        std::io::stdout().as_handle().try_clone_to_owned()?
    };
    std::fs::File::from(handle).stream_position()
}

/// Hands one SVG figure to the page.
///
/// # Errors
/// When the figure file cannot be written, stdout is closed or the channel cannot be written.
pub fn show_svg(svg: &str) -> std::io::Result<()> {
    let dir = std::env::var_os(FIGURE_DIR_ENV);
    let (Some(dir), true) = (dir, in_book()) else {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{svg}")?;
        return stdout.flush();
    };
    let index = FIGURES_SHOWN.fetch_add(1, Ordering::Relaxed);
    let name = format!("figure-{index:04}.svg");
    let dir = PathBuf::from(dir);
    let partial = dir.join(format!("{name}.partial"));
    std::fs::write(&partial, svg)?;
    std::fs::rename(&partial, dir.join(&name))?;
    send("figure", &name)
}
