//! Finds what the preprocessor rewrites in a chapter's Markdown: the executable cells
//! (```` ```rust,run ```` blocks) and the maths (`$...$`, `$$...$$`), each with its byte span
//! and line, using pulldown-cmark's offset iterator (never a regex over Markdown).

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;

/// One executable cell of a chapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// Byte span of the whole fenced block (fences included) in the chapter's content.
    pub span: Range<usize>,
    /// The code between the fences, hidden lines included, with a final newline.
    pub code: String,
    /// 1-based line of the first code line in the chapter's content.
    pub first_line: usize,
    /// Options after `rust,run` that the preprocessor does not consume (passed on to mdBook).
    pub extra: Vec<String>,
    /// `hide-code`: show only the output.
    pub hide_code: bool,
    /// What starts each continuation line of the cell's container (list item, block quote):
    /// `"   "` in `1. ```rust,run`, `"> "` in a quote, empty at the top level.
    pub container: String,
}

impl Cell {
    /// The code as compiled: hidden lines (`# ...`) keep their text, `##` becomes `#`.
    pub fn compiled_code(&self) -> String {
        map_lines(&self.code, |line| match hidden(line) {
            LineKind::Hidden(text) | LineKind::Escaped(text) => Some(text),
            LineKind::Shown => Some(line.to_owned()),
        })
    }

    /// The code as shown in the page: hidden lines dropped, `##` becomes `#`.
    pub fn visible_code(&self) -> String {
        map_lines(&self.code, |line| match hidden(line) {
            LineKind::Hidden(_) => None,
            LineKind::Escaped(text) => Some(text),
            LineKind::Shown => Some(line.to_owned()),
        })
    }

    /// Number of lines of code.
    pub fn line_count(&self) -> usize {
        self.code.lines().count()
    }
}

fn map_lines(code: &str, f: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(code.len());
    for line in code.lines() {
        if let Some(text) = f(line) {
            out.push_str(&text);
            out.push('\n');
        }
    }
    out
}

enum LineKind {
    Hidden(String),
    Escaped(String),
    Shown,
}

/// mdBook's and rustdoc's rule: `#` alone or `# ` after indentation hides a line; `##` at the
/// same place stands for a literal `#`.
fn hidden(line: &str) -> LineKind {
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    if trimmed == "#" {
        LineKind::Hidden(indent.to_owned())
    } else if let Some(rest) = trimmed.strip_prefix("# ") {
        LineKind::Hidden(format!("{indent}{rest}"))
    } else if let Some(rest) = trimmed.strip_prefix("##") {
        LineKind::Escaped(format!("{indent}#{rest}"))
    } else {
        LineKind::Shown
    }
}

/// One formula in the prose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Maths {
    /// Byte span of the formula, delimiters included.
    pub span: Range<usize>,
    /// The LaTeX between the delimiters.
    pub latex: String,
    /// `$$...$$` (display) rather than `$...$` (inline).
    pub display: bool,
    /// 1-based line of the opening delimiter.
    pub line: usize,
}

/// What [`scan`] found in one chapter.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scan {
    /// Executable cells, in order.
    pub cells: Vec<Cell>,
    /// Formulas, in order.
    pub maths: Vec<Maths>,
}

/// The options mdBook parses chapters with, plus maths.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_MATH
}

/// Splits an info string into its words (`rust,run hide-code` -> `rust`, `run`, `hide-code`).
pub fn info_words(info: &str) -> Vec<&str> {
    info.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether a fenced block's info string marks an executable cell.
pub fn is_cell(info: &str) -> bool {
    let words = info_words(info);
    words.first() == Some(&"rust") && words.contains(&"run")
}

/// Finds the cells and formulas of a chapter.
///
/// ```
/// let scan = mdbook_descent::markdown::scan("Area $r^2$.\n\n```rust,run\nlet r = 2;\n```\n");
/// assert_eq!(scan.maths[0].latex, "r^2");
/// assert_eq!((scan.cells[0].code.as_str(), scan.cells[0].first_line), ("let r = 2;\n", 4));
/// ```
pub fn scan(content: &str) -> Scan {
    let lines = LineIndex::new(content);
    let mut scan = Scan::default();
    let mut open: Option<(Range<usize>, String, String)> = None;
    for (event, range) in Parser::new_ext(content, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_cell(&info) => {
                open = Some((range, info.to_string(), String::new()));
            }
            Event::Text(text) if open.is_some() => {
                if let Some((_, _, code)) = open.as_mut() {
                    code.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((span, info, mut code)) = open.take() {
                    if !code.is_empty() && !code.ends_with('\n') {
                        code.push('\n');
                    }
                    let words = info_words(&info);
                    scan.cells.push(Cell {
                        first_line: lines.line_of(span.start) + 1,
                        code,
                        extra: words
                            .iter()
                            .filter(|w| !matches!(**w, "rust" | "run" | "hide-code"))
                            .map(|w| (*w).to_owned())
                            .collect(),
                        hide_code: words.contains(&"hide-code"),
                        container: continuation(content, span.start),
                        span,
                    });
                }
            }
            Event::InlineMath(ref latex) | Event::DisplayMath(ref latex) => {
                scan.maths.push(Maths {
                    display: matches!(event, Event::DisplayMath(_)),
                    latex: latex.to_string(),
                    line: lines.line_of(range.start),
                    span: range,
                });
            }
            _ => {}
        }
    }
    scan
}

/// The prefix of a container's continuation lines, from what precedes a block on its first
/// line: block-quote markers stay, list markers become spaces (`"> 1. "` -> `">    "`).
fn continuation(content: &str, start: usize) -> String {
    let line_start = content[..start].rfind('\n').map_or(0, |i| i + 1);
    content[line_start..start]
        .chars()
        .map(|c| if c == '>' || c == '\t' { c } else { ' ' })
        .collect()
}

/// Byte offset to 1-based line number.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cells_with_their_lines_and_options() {
        let md = "# T\n\ntext\n\n```rust,run,hide-code,edition2021\nlet x = 1;\n```\n\n```rust\nno\n```\n";
        let scan = scan(md);
        assert_eq!(scan.cells.len(), 1);
        let cell = &scan.cells[0];
        assert_eq!(cell.first_line, 6);
        assert_eq!(cell.code, "let x = 1;\n");
        assert!(cell.hide_code);
        assert_eq!(cell.extra, vec!["edition2021"]);
        assert_eq!(
            &md[cell.span.clone()],
            "```rust,run,hide-code,edition2021\nlet x = 1;\n```"
        );
    }

    #[test]
    fn hidden_lines_are_compiled_but_not_shown() {
        let cell = Cell {
            span: 0..0,
            code: "# let hidden = 1;\n#\nlet shown = hidden;\n##[derive(Debug)]\n#[test]\n".into(),
            first_line: 1,
            extra: vec![],
            hide_code: false,
            container: String::new(),
        };
        assert_eq!(
            cell.compiled_code(),
            "let hidden = 1;\n\nlet shown = hidden;\n#[derive(Debug)]\n#[test]\n"
        );
        assert_eq!(
            cell.visible_code(),
            "let shown = hidden;\n#[derive(Debug)]\n#[test]\n"
        );
    }

    #[test]
    fn maths_is_found_in_prose_but_not_in_code() {
        let md =
            "a $x^2$ b `$y$`\n\n$$\\frac{1}{2}$$\n\n```rust,run\nlet s = \"$z$\";\n```\n\\$5\n";
        let scan = scan(md);
        let found: Vec<_> = scan
            .maths
            .iter()
            .map(|m| (m.latex.as_str(), m.display, m.line))
            .collect();
        assert_eq!(found, vec![("x^2", false, 1), ("\\frac{1}{2}", true, 3)]);
    }

    #[test]
    fn line_index_counts_from_one() {
        let index = LineIndex::new("a\nb\nc");
        assert_eq!(
            (index.line_of(0), index.line_of(2), index.line_of(4)),
            (1, 2, 3)
        );
    }
}
