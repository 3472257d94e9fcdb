//! Turns a chapter's cells into one Rust program, in order, as a notebook would run them.
//!
//! Each cell's code sits in `main.rs` on the same line number it has in the chapter, so
//! rustc's messages and panic locations carry the chapter's own line numbers. Before each cell
//! the program prints a marker line (the cell protocol of `descent::cell`), so its stdout can
//! be split per cell; at the end it prints the device it ran on.

use crate::markdown::Cell;

/// Prefix of the protocol's marker lines; must equal `descent::cell::MARKER`.
pub const MARKER: &str = "\u{1e}descent:";

/// The source of the marker prefix inside a Rust string literal.
const MARKER_LITERAL: &str = "\\u{1e}descent:";

/// `main.rs` for the cells of one chapter. `device_note` is an expression whose `Display`
/// names the device.
pub fn main_rs(cells: &[Cell], device_note: Option<&str>) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    let mut set = |line: usize, text: &str| {
        if lines.len() <= line {
            lines.resize(line + 1, String::new());
        }
        if !lines[line].is_empty() {
            lines[line].push(' ');
        }
        lines[line].push_str(text);
    };
    set(
        1,
        "#![allow(unused)] fn main() -> ::std::result::Result<(), \
         ::std::boxed::Box<dyn ::std::error::Error>> {",
    );
    let mut end = 2;
    for (k, cell) in cells.iter().enumerate() {
        let first = cell.first_line.max(2);
        set(
            first - 1,
            &format!("::std::println!(\"{MARKER_LITERAL}cell:{k}\");"),
        );
        for (i, code) in cell.compiled_code().lines().enumerate() {
            set(first + i, code);
        }
        end = first + cell.line_count();
    }
    if let Some(expr) = device_note {
        set(
            end,
            &format!("::std::println!(\"{MARKER_LITERAL}device:{{}}\", {expr});"),
        );
    }
    set(
        end,
        &format!("::std::println!(\"{MARKER_LITERAL}end\"); ::std::result::Result::Ok(()) }}"),
    );
    let mut text = lines[1..].join("\n");
    text.push('\n');
    text
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
        assert!(lines[6].contains("cell:1"));
        assert!(lines[0].starts_with("#![allow(unused)] fn main()"));
        assert!(lines[1].contains("cell:0"));
        assert!(lines[8].ends_with("Ok(()) }"));
    }

    #[test]
    fn the_first_cell_may_start_on_line_two() {
        let src = main_rs(&[cell(2, "let a = 1;\n")], Some("x()"));
        let lines: Vec<&str> = src.lines().collect();
        assert!(lines[0].contains("fn main()") && lines[0].contains("cell:0"));
        assert_eq!(lines[1], "let a = 1;");
        assert!(lines[2].contains("device:{}\", x());"));
    }

    #[test]
    fn package_names_are_cargo_safe() {
        assert_eq!(
            package_name("part 1/Intro.md", "ab12"),
            "ch-part-1-intro-ab12"
        );
    }

    #[test]
    fn the_marker_literal_spells_the_marker() {
        assert_eq!(MARKER_LITERAL.replace("\\u{1e}", "\u{1e}"), MARKER);
    }
}
