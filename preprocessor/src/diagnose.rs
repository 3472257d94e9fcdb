//! Turns what went wrong in a chapter's program (rustc errors, a panic, an error returned by a
//! cell, a time-out, a crash) into a message that names the author's file and line.

use crate::linemap::LineMap;
use crate::markdown::Cell;
use crate::run::Finished;
use crate::workspace::Diagnostic;
use std::time::Duration;

/// A failed chapter: the message, and the cell to show it at when errors are rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChapterError {
    /// 0-based cell the error belongs to, if known.
    pub cell: Option<usize>,
    /// The whole message, starting with `book/<chapter>.md:<line>`.
    pub message: String,
}

/// Where a chapter lives, for messages.
pub struct Place<'a> {
    /// `book/<chapter>.md`.
    pub file: &'a str,
    /// The chapter's cells.
    pub cells: &'a [Cell],
    /// Expanded-to-original line map.
    pub lines: &'a LineMap,
}

impl Place<'_> {
    /// The cell holding expanded line `line`.
    fn cell_at(&self, line: usize) -> Option<usize> {
        self.cells
            .iter()
            .rposition(|c| c.first_line <= line && line < c.first_line + c.line_count().max(1))
    }

    /// `book/x.md:<first line of cell k>`.
    fn cell_location(&self, k: usize) -> String {
        let line = self.cells.get(k).map_or(1, |c| c.first_line);
        format!("{}:{}", self.file, self.lines.original(line))
    }

    /// The compile errors of a chapter, each at its author's line with rustc's text.
    pub fn compile_errors(&self, diagnostics: &[Diagnostic], cargo_stderr: &str) -> ChapterError {
        if diagnostics.is_empty() {
            return ChapterError {
                cell: None,
                message: format!(
                    "{}: the chapter's program did not compile, and cargo said:\n{}",
                    self.file,
                    tail(cargo_stderr, 40)
                ),
            };
        }
        let mut message = String::new();
        let mut cell = None;
        for d in diagnostics {
            let at = match d.line {
                Some(line) => {
                    cell = cell.or(self.cell_at(line));
                    format!("{}:{}:{}", self.file, self.lines.original(line), d.column)
                }
                None => self.file.to_owned(),
            };
            message.push_str(&format!("{at}: error: {}\n", d.message));
            let rendered = self.relocate(&d.rendered);
            for line in rendered.lines() {
                message.push_str("    ");
                message.push_str(line);
                message.push('\n');
            }
        }
        ChapterError {
            cell,
            message: message.trim_end().to_owned(),
        }
    }

    /// rustc's text with `.../src/main.rs:L:C` rewritten to the chapter's file and line.
    fn relocate(&self, rendered: &str) -> String {
        let mut out = String::new();
        for line in rendered.lines() {
            let mapped = line.find("src/main.rs:").and_then(|at| {
                let start = line[..at].rfind(' ').map_or(0, |s| s + 1);
                let rest = &line[at + "src/main.rs:".len()..];
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                let n: usize = digits.parse().ok()?;
                Some(format!(
                    "{}{}:{}{}",
                    &line[..start],
                    self.file,
                    self.lines.original(n),
                    &rest[digits.len()..]
                ))
            });
            out.push_str(mapped.as_deref().unwrap_or(line));
            out.push('\n');
        }
        out
    }

    /// Why a finished program failed, or `None` when it succeeded.
    pub fn run_error(&self, run: &Finished, timeout: Duration) -> Option<ChapterError> {
        let k = run.last_cell;
        let Some(status) = run.status else {
            return Some(ChapterError {
                cell: Some(k),
                message: format!(
                    "{}: the chapter's program ran past its time limit of {} s (it was in cell {}, \
                     {}) and was stopped; make the cell faster or raise [preprocessor.descent] \
                     timeout in book.toml",
                    self.file,
                    timeout.as_secs(),
                    k + 1,
                    self.cell_location(k)
                ),
            });
        };
        if run.complete() {
            return run.missing_figure.as_ref().map(|name| ChapterError {
                cell: Some(k),
                message: format!(
                    "{}: cell {} showed figure {name:?}, but its file could not be read from \
                     DESCENT_FIGURE_DIR; show figures with descent::cell::show_svg",
                    self.cell_location(k),
                    k + 1
                ),
            });
        }
        if status.success() {
            return Some(ChapterError {
                cell: Some(k),
                message: format!(
                    "{}: the chapter's program exited early, in cell {}, without finishing its \
                     last cell; cells must not call std::process::exit or return from main",
                    self.cell_location(k),
                    k + 1
                ),
            });
        }
        if let (Some(error), Some(1)) = (&run.returned_error, status.code()) {
            return Some(ChapterError {
                cell: Some(k),
                message: format!(
                    "{}: cell {} returned an error: {error}",
                    self.cell_location(k),
                    k + 1
                ),
            });
        }
        if let Some(panic) = parse_panic(&run.stderr) {
            let (cell, at) = match panic.location.as_ref() {
                Some((file, line)) if file.ends_with("src/main.rs") => {
                    let cell = self.cell_at(*line).unwrap_or(k);
                    (
                        cell,
                        format!("{}:{}", self.file, self.lines.original(*line)),
                    )
                }
                _ => (k, self.cell_location(k)),
            };
            let inside = match &panic.location {
                Some((file, line)) if !file.ends_with("src/main.rs") => {
                    format!(" (inside {file}:{line})")
                }
                _ => String::new(),
            };
            return Some(ChapterError {
                cell: Some(cell),
                message: format!(
                    "{at}: cell {} panicked{inside}: {}",
                    cell + 1,
                    panic.message
                ),
            });
        }
        Some(ChapterError {
            cell: Some(k),
            message: format!(
                "{}: the chapter's program stopped with {status} in cell {}; its stderr \
                 ends with:\n{}",
                self.cell_location(k),
                k + 1,
                tail(&run.stderr, 20)
            ),
        })
    }
}

/// A panic as the default hook prints it.
#[derive(Debug, PartialEq, Eq)]
struct Panic {
    location: Option<(String, usize)>,
    message: String,
}

/// The last panic in `stderr` (earlier ones may have been caught).
fn parse_panic(stderr: &str) -> Option<Panic> {
    let at = stderr.rfind("panicked at ")?;
    let rest = &stderr[at + "panicked at ".len()..];
    let (head, body) = rest.split_once('\n').unwrap_or((rest, ""));
    let head = head.trim_end().trim_end_matches(':');
    // head = "path:line:col"
    let location = head.rsplitn(3, ':').collect::<Vec<_>>();
    let location = match location.as_slice() {
        [_col, line, file] => line.parse().ok().map(|l| ((*file).to_owned(), l)),
        _ => None,
    };
    let message = body
        .lines()
        .take_while(|l| !l.starts_with("note: run with") && !l.starts_with("stack backtrace"))
        .collect::<Vec<_>>()
        .join("\n");
    Some(Panic {
        location,
        message: message.trim().to_owned(),
    })
}

/// The last `n` lines of `text`.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_gives_its_location_and_message() {
        let stderr = "thread 'main' (77) panicked at ch-a/src/main.rs:12:5:\nassertion failed: x\nleft: 1\nnote: run with `RUST_BACKTRACE=1`\n";
        let panic = parse_panic(stderr).unwrap();
        assert_eq!(panic.location, Some(("ch-a/src/main.rs".into(), 12)));
        assert_eq!(panic.message, "assertion failed: x\nleft: 1");
    }

    #[test]
    fn rustc_locations_point_at_the_chapter() {
        let cells = [];
        let lines = LineMap::identity();
        let place = Place {
            file: "book/a.md",
            cells: &cells,
            lines: &lines,
        };
        assert_eq!(
            place.relocate("  --> ch-a-x/src/main.rs:7:5\n"),
            "  --> book/a.md:7:5\n"
        );
    }
}
