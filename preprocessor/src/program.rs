//! Turns a chapter's cells into one Rust program, in order, as a notebook would run them.
//!
//! Each cell's code sits in `main.rs` on the same line number it has in the chapter, so
//! rustc's messages and panic locations carry the chapter's own line numbers. The cells are
//! the body of `__descent_cells`, which `main` calls; before each cell the program sends a
//! `cell` message on the protocol channel (the format of `descent::cell`, spelled again here
//! with `std` only, so chapters compile against any library), at the end `device` and `end`.
//! An error a cell returns is printed with its cause chain (Display, not Debug), sent as an
//! `error` message, and the program exits with status 1.
//!
//! Crate-level inner attributes (`#![...]` at the start of a line) are hoisted to line 1;
//! `fn main` in a cell is refused ([`misplaced_main`]): cells are statements of the program.

use crate::markdown::Cell;

/// Environment variable naming the protocol channel; must equal `descent::cell::PROTOCOL_ENV`.
pub const PROTOCOL_ENV: &str = "DESCENT_PROTOCOL";

/// The protocol's sender and the error report, appended after the chapter's last line.
const SUPPORT: &str = r#"
#[allow(dead_code)]
mod __descent {
    use ::std::io::{Seek as _, Write as _};

    pub fn send(kind: &str, payload: &str) {
        let Some(channel) = ::std::env::var_os("DESCENT_PROTOCOL") else {
            return;
        };
        let offset = offset().unwrap_or(u64::MAX);
        let record = ::std::format!("{offset} {kind} {}:{payload}\n", payload.len());
        if let Ok(mut file) = ::std::fs::OpenOptions::new().append(true).open(channel) {
            let _ = file.write_all(record.as_bytes());
        }
    }

    fn offset() -> ::std::io::Result<u64> {
        ::std::io::stdout().flush()?;
        #[cfg(unix)]
        let handle = {
            use ::std::os::fd::AsFd as _;
            ::std::io::stdout().as_fd().try_clone_to_owned()?
        };
        #[cfg(windows)]
        let handle = {
            use ::std::os::windows::io::AsHandle as _;
            ::std::io::stdout().as_handle().try_clone_to_owned()?
        };
        ::std::fs::File::from(handle).stream_position()
    }

    pub fn chain(error: &dyn ::std::error::Error) -> ::std::string::String {
        let mut text = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            let line = cause.to_string();
            if !text.contains(&line) {
                text.push_str("\ncaused by: ");
                text.push_str(&line);
            }
            source = cause.source();
        }
        text
    }

    pub fn fail(error: &dyn ::std::error::Error) -> ! {
        let text = chain(error);
        send("error", &text);
        ::std::eprintln!("Error: {text}");
        ::std::process::exit(1)
    }
}
"#;

/// `main.rs` for the cells of one chapter. `device_note` is an expression whose `Display`
/// names the device.
pub fn main_rs(cells: &[Cell], device_note: Option<&str>) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    let mut hoisted: Vec<String> = Vec::new();
    let mut set = |line: usize, text: &str| {
        if lines.len() <= line {
            lines.resize(line + 1, String::new());
        }
        if !lines[line].is_empty() {
            lines[line].push(' ');
        }
        lines[line].push_str(text);
    };
    let mut end = 2;
    for (k, cell) in cells.iter().enumerate() {
        let first = cell.first_line.max(2);
        set(first - 1, &format!("__descent::send(\"cell\", \"{k}\");"));
        for (i, code) in cell.compiled_code().lines().enumerate() {
            if is_inner_attribute(code) {
                hoisted.push(code.trim().to_owned());
            } else {
                set(first + i, code);
            }
        }
        end = first + cell.line_count();
    }
    if let Some(expr) = device_note {
        set(
            end,
            &format!("__descent::send(\"device\", &::std::format!(\"{{}}\", {expr}));"),
        );
    }
    set(
        end,
        "__descent::send(\"end\", \"\"); ::std::result::Result::Ok(()) }",
    );
    let mut head = String::from("#![allow(unused)] ");
    for attribute in &hoisted {
        head.push_str(attribute);
        head.push(' ');
    }
    head.push_str(
        "fn main() { if let ::std::result::Result::Err(e) = __descent_cells() { \
         __descent::fail(&*e) } } fn __descent_cells() -> ::std::result::Result<(), \
         ::std::boxed::Box<dyn ::std::error::Error>> {",
    );
    let first_cell_line = std::mem::take(&mut lines[1]);
    lines[1] = if first_cell_line.is_empty() {
        head
    } else {
        format!("{head} {first_cell_line}")
    };
    let mut text = lines[1..].join("\n");
    text.push('\n');
    text.push_str(SUPPORT);
    text
}

/// A crate-level inner attribute on a line of its own, unindented (`#![allow(...)]`).
fn is_inner_attribute(line: &str) -> bool {
    line.starts_with("#![") && line.trim_end().ends_with(']')
}

/// The first cell that defines `fn main` (unindented), with the 1-based expanded line: such
/// a function would never be called, since cells are already the body of the program's main.
pub fn misplaced_main(cells: &[Cell]) -> Option<(usize, usize)> {
    cells.iter().enumerate().find_map(|(k, cell)| {
        cell.compiled_code()
            .lines()
            .position(|line| {
                let words: Vec<&str> = line
                    .split(|c: char| c.is_whitespace() || c == '(' || c == '<')
                    .filter(|w| !w.is_empty())
                    .collect();
                let rest = match words.as_slice() {
                    ["pub", rest @ ..] | rest => rest,
                };
                let rest = match rest {
                    ["async" | "unsafe", rest @ ..] | rest => rest,
                };
                matches!(rest, ["fn", "main", ..]) && !line.starts_with(char::is_whitespace)
            })
            .map(|i| (k, cell.first_line + i))
    })
}

/// A Cargo package name for a chapter (`part/Intro.md` -> `part-intro`), unique per book
/// through `book_tag`, since all books share the target folder's binary names.
pub fn package_name(source_path: &str, book_tag: &str) -> String {
    let mut slug = String::new();
    let stem = source_path.strip_suffix(".md").unwrap_or(source_path);
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    format!("ch-{}-{book_tag}", slug.trim_matches('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(first_line: usize, code: &str) -> Cell {
        Cell {
            span: 0..0,
            code: code.into(),
            first_line,
            extra: vec![],
            hide_code: false,
            container: String::new(),
        }
    }

    #[test]
    fn cells_keep_their_chapter_line_numbers() {
        let src = main_rs(
            &[
                cell(3, "let a = 1;\n# let b = a;\n"),
                cell(8, "println!(\"{b}\");\n"),
            ],
            None,
        );
        let lines: Vec<&str> = src.lines().collect();
        assert_eq!(lines[2], "let a = 1;");
        assert_eq!(lines[3], "let b = a;");
        assert_eq!(lines[7], "println!(\"{b}\");");
        assert!(lines[6].contains("send(\"cell\", \"1\")"));
        assert!(lines[0].starts_with("#![allow(unused)] fn main()"));
        assert!(lines[1].contains("send(\"cell\", \"0\")"));
        assert!(lines[8].ends_with("Ok(()) }"));
        assert!(src.contains("mod __descent"));
    }

    #[test]
    fn the_first_cell_may_start_on_line_two() {
        let src = main_rs(&[cell(2, "let a = 1;\n")], Some("x()"));
        let lines: Vec<&str> = src.lines().collect();
        assert!(lines[0].contains("fn main()") && lines[0].contains("\"cell\", \"0\""));
        assert_eq!(lines[1], "let a = 1;");
        assert!(lines[2].contains("send(\"device\", &::std::format!(\"{}\", x()));"));
    }

    #[test]
    fn inner_attributes_are_hoisted_to_the_first_line() {
        let src = main_rs(&[cell(3, "#![allow(dead_code)]\nlet a = 1;\n")], None);
        let lines: Vec<&str> = src.lines().collect();
        assert!(lines[0].starts_with("#![allow(unused)] #![allow(dead_code)] fn main()"));
        assert_eq!(lines[2], "");
        assert_eq!(lines[3], "let a = 1;");
    }

    #[test]
    fn a_main_function_in_a_cell_is_found_at_its_line() {
        let cells = [
            cell(3, "let a = 1;\n"),
            cell(6, "use x;\npub fn main() {\n}\n"),
        ];
        assert_eq!(misplaced_main(&cells), Some((1, 7)));
        assert_eq!(misplaced_main(&[cell(3, "fn main_menu() {}\n")]), None);
        assert_eq!(
            misplaced_main(&[cell(3, "mod m {\n    fn main() {}\n}\n")]),
            None
        );
    }

    #[test]
    fn package_names_are_cargo_safe() {
        assert_eq!(
            package_name("part 1/Intro.md", "ab12"),
            "ch-part-1-intro-ab12"
        );
    }
}
