//! Writes what a chapter produced back into its Markdown: each cell's code (hidden lines
//! dropped), its output as an HTML-escaped block, its figures inline, maths as MathML, errors
//! (when the book renders them) and the note of where the chapter ran. Edits are byte spans of
//! the original content, spliced from the end so earlier spans stay valid.

use crate::markdown::Cell;
use crate::run::Segment;
use crate::svg;
use std::collections::HashSet;
use std::ops::Range;

/// One replacement in a chapter's content.
pub type Edit = (Range<usize>, String);

/// Applies `edits` (non-overlapping) to `content`.
pub fn splice(content: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|(span, _)| span.start);
    let grown: usize = edits.iter().map(|(_, text)| text.len()).sum();
    let mut out = String::with_capacity(content.len() + grown);
    let mut done = 0;
    for (span, text) in edits {
        out.push_str(&content[done..span.start]);
        out.push_str(&text);
        done = span.end;
    }
    out.push_str(&content[done..]);
    out
}

/// `&`, `<`, `>` and `"` as character references.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// How cells' code blocks are marked for a renderer.
pub fn code_info(renderer: &str) -> &'static str {
    match renderer {
        // `mdbook test` must not compile cells: they are not standalone programs.
        "test" => "rust,ignore",
        // No Play button: the playground cannot run code that needs `descent`.
        "html" => "rust,noplayground",
        _ => "rust",
    }
}

/// The Markdown that replaces a cell: its code, then its output and figures, then an error.
pub fn cell(
    cell: &Cell,
    renderer: &str,
    output: Option<&[Segment]>,
    error: Option<&str>,
    ids: &mut HashSet<String>,
) -> String {
    let mut out = String::new();
    if !cell.hide_code {
        let code = cell.visible_code();
        let fence = "`".repeat(longest_backtick_run(&code).max(2) + 1);
        let mut info = code_info(renderer).to_owned();
        for extra in &cell.extra {
            info.push(',');
            info.push_str(extra);
        }
        out.push_str(&format!("{fence}{info}\n{code}{fence}\n"));
    }
    for segment in output.unwrap_or_default() {
        match segment {
            Segment::Text(text) => {
                let text = text.strip_suffix('\n').unwrap_or(text);
                out.push_str(&format!(
                    "\n<pre class=\"descent-output\"><code>{}</code></pre>\n",
                    escape(&visible_controls(text))
                ));
            }
            Segment::Cut { shown, total, file } => {
                out.push_str(&format!(
                    "\n<p class=\"descent-cut\"><small>The cell printed {}; the page shows the \
                     first {}. The whole output of this chapter is in <code>{}</code>.</small></p>\n",
                    bytes(*total),
                    bytes(*shown),
                    escape(file)
                ));
            }
            Segment::Figure(figure) => {
                let svg = svg::inline(figure, ids);
                let caption = figure_title(&svg)
                    .map(|t| format!("<figcaption>{t}</figcaption>"))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "\n<figure class=\"descent-figure\">{svg}{caption}</figure>\n"
                ));
            }
        }
    }
    if let Some(error) = error {
        out.push_str(&error_block(error));
    }
    out.push('\n');
    if cell.container.is_empty() {
        out
    } else {
        // The original's newline after the closing fence ends the last line.
        in_container(out.strip_suffix('\n').unwrap_or(&out), &cell.container)
    }
}

/// The text of a figure's first `<title>` (the figure's own, already escaped), shown as its
/// caption; `None` for an SVG without one.
pub fn figure_title(svg: &str) -> Option<&str> {
    let start = svg.find("<title>")? + "<title>".len();
    let end = svg[start..].find("</title>")?;
    let title = svg[start..start + end].trim();
    (!title.is_empty() && !title.contains('<')).then_some(title)
}

/// `markdown` with every line but the first prefixed by `container` (a cell inside a list
/// item or a block quote stays inside it); blank lines get the prefix without trailing spaces.
pub fn in_container(markdown: &str, container: &str) -> String {
    let blank = container.trim_end();
    let mut out = String::with_capacity(markdown.len());
    for (i, line) in markdown.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(if line.trim().is_empty() {
                blank
            } else {
                container
            });
        }
        out.push_str(line);
    }
    out
}

/// An error shown in the page (`on-error = "render"`).
pub fn error_block(message: &str) -> String {
    format!(
        "\n<pre class=\"descent-error\"><code>{}</code></pre>\n",
        escape(&visible_controls(message))
    )
}

/// Control characters (ESC, BEL, record separators, DEL, C1...) as visible Rust escapes
/// (`\u{1b}`); newlines and tabs stay, a carriage return before a newline is dropped.
pub fn visible_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' => out.push(c),
            '\r' if chars.peek() == Some(&'\n') => {}
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// A byte count for people: `1100 bytes`, `256 KiB`, `47.7 MiB`.
fn bytes(n: u64) -> String {
    match n {
        0..10_240 => format!("{n} bytes"),
        10_240..1_048_576 => format!("{:.0} KiB", n as f64 / 1024.0),
        _ => format!("{:.1} MiB", n as f64 / 1_048_576.0),
    }
}

/// The device the page's note names: none when a cell already printed it (the introduction
/// does), so a reader is not told twice.
pub fn device_for_note<'a>(device: Option<&'a str>, cells: &[Vec<Segment>]) -> Option<&'a str> {
    let printed = |device: &str| {
        cells
            .iter()
            .flatten()
            .any(|s| matches!(s, Segment::Text(t) if t.contains(device.trim())))
    };
    device.filter(|d| d.trim().is_empty() || !printed(d))
}

/// The note at the end of an executed chapter.
pub fn note(device: Option<&str>, run_ms: u64) -> String {
    let place = device
        .map(|d| format!(" on {}", escape(d)))
        .unwrap_or_default();
    format!(
        "\n\n<p class=\"descent-note\"><small>The code of this page ran{place} in {} while \
         the book was built.</small></p>\n",
        crate::progress::seconds(run_ms)
    )
}

fn longest_backtick_run(code: &str) -> usize {
    code.lines()
        .map(|l| l.trim_start().chars().take_while(|&c| c == '`').count())
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a_cell(code: &str) -> Cell {
        Cell {
            span: 0..0,
            code: code.into(),
            first_line: 2,
            extra: vec!["edition2021".into()],
            hide_code: false,
            container: String::new(),
        }
    }

    #[test]
    fn output_is_escaped_and_follows_the_code() {
        let out = cell(
            &a_cell("# let x = 1;\nprintln!(\"<b>\");\n"),
            "html",
            Some(&[Segment::Text("<script>&\n".into())]),
            None,
            &mut HashSet::new(),
        );
        assert_eq!(
            out,
            "```rust,noplayground,edition2021\nprintln!(\"<b>\");\n```\n\n<pre class=\"descent-output\"><code>&lt;script&gt;&amp;</code></pre>\n\n"
        );
    }

    #[test]
    fn a_figure_gets_its_title_as_a_caption() {
        let svg = "<svg role=\"img\"><title>Loss &amp; steps</title><desc>d</desc></svg>";
        let out = cell(
            &a_cell("x\n"),
            "html",
            Some(&[Segment::Figure(svg.into())]),
            None,
            &mut HashSet::new(),
        );
        assert!(
            out.contains(&format!(
                "<figure class=\"descent-figure\">{svg}<figcaption>Loss &amp; steps</figcaption></figure>"
            )),
            "{out}"
        );
        assert_eq!(figure_title("<svg><g/></svg>"), None);
    }

    #[test]
    fn the_note_does_not_repeat_a_printed_device() {
        let device = "CPU (8 threads)";
        let printed = vec![vec![Segment::Text(
            "This book was built on CPU (8 threads)\n".into(),
        )]];
        let other = vec![vec![Segment::Text("loss 0.3\n".into())]];
        assert_eq!(device_for_note(Some(device), &printed), None);
        assert_eq!(device_for_note(Some(device), &other), Some(device));
        assert!(!note(None, 1200).contains(" on "));
    }

    #[test]
    fn control_characters_become_visible_escapes() {
        assert_eq!(
            visible_controls("a\u{1b}[31mb\u{7}\u{1e}\u{7f}\tc\r\n"),
            "a\\u{1b}[31mb\\u{7}\\u{1e}\\u{7f}\tc\n"
        );
        assert_eq!(bytes(300 * 1024), "300 KiB");
    }

    #[test]
    fn test_renderer_gets_ignored_blocks() {
        let out = cell(&a_cell("x\n"), "test", None, None, &mut HashSet::new());
        assert!(out.starts_with("```rust,ignore,edition2021\n"));
    }

    #[test]
    fn a_longer_fence_protects_backticks_in_code() {
        let out = cell(&a_cell("```\n"), "html", None, None, &mut HashSet::new());
        assert!(out.starts_with("````rust"));
    }

    #[test]
    fn splicing_keeps_earlier_spans_valid() {
        assert_eq!(
            splice("abcdef", vec![(0..1, "X".into()), (4..6, "YZW".into())]),
            "XbcdYZW"
        );
        assert_eq!(
            splice("abcdef", vec![(5..5, "!".into()), (1..3, String::new())]),
            "ade!f"
        );
    }
}
