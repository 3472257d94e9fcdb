//! Cells: each cell's output below it, state shared across cells, hidden lines, HTML
//! escaping, figures inlined with ids unique across the book, the note, `results.json`.

use crate::support::{Library, TestBook, appears_between};
use std::sync::OnceLock;

const FIGURE: &str = r##"descent::cell::show_svg("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">\n<circle id=\"dot\" cx=\"5\" cy=\"5\" r=\"4\"/>\n\n<use href=\"#dot\"/></svg>")?;"##;

fn book() -> &'static TestBook {
    static BOOK: OnceLock<TestBook> = OnceLock::new();
    BOOK.get_or_init(|| {
        let a = format!(
            "# A\n\nProse.\n\n```rust,run\nlet greeting = \"hello\";\nprintln!(\"{{greeting}} from cell one\");\n```\n\n\
             Between.\n\n```rust,run\n# let secret = 21;\nprintln!(\"shared: {{greeting}}, doubled {{}}\", secret * 2);\n\
             println!(\"<script>alert(1)</script> & more\");\n```\n\nAfter.\n\n```rust,run,hide-code\n{FIGURE}\n```\n\nEnd.\n"
        );
        let b = format!("# B\n\n```rust,run\n{FIGURE}\nprintln!(\"b done\");\n```\n");
        let book = TestBook::new(Library::Descent, &[("a.md", &a), ("b.md", &b)], "");
        book.build_ok();
        book
    })
}

#[test]
fn each_cells_output_appears_right_below_it() {
    let page = book().page("a.md");
    assert!(
        appears_between(
            &page,
            "from cell one\");",
            "hello from cell one",
            Some("Between.")
        ),
        "{page}"
    );
    assert!(page.contains("<pre class=\"descent-output\"><code>hello from cell one</code></pre>"));
}

#[test]
fn later_cells_see_earlier_variables() {
    let page = book().page("a.md");
    assert!(appears_between(
        &page,
        "Between.",
        "shared: hello, doubled 42",
        Some("After.")
    ));
}

#[test]
fn hidden_lines_are_compiled_but_not_shown() {
    let page = book().page("a.md");
    assert!(!page.contains("secret = 21"), "{page}");
    assert!(page.contains("doubled 42"));
}

#[test]
fn output_is_html_escaped() {
    let page = book().page("a.md");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"),
        "{page}"
    );
    assert!(!page.contains("<script>alert(1)"));
}

#[test]
fn a_figure_is_inlined_on_one_line_after_its_cell() {
    let page = book().page("a.md");
    let line = page
        .lines()
        .find(|l| l.contains("<figure class=\"descent-figure\">"))
        .unwrap_or_else(|| panic!("no figure in {page}"));
    assert!(
        line.contains("<circle") && line.trim_end().ends_with("</svg></figure>"),
        "{line}"
    );
    assert!(appears_between(
        &page,
        "After.",
        "descent-figure",
        Some("End.")
    ));
    assert!(!page.contains("show_svg"), "hide-code shows no code");
}

#[test]
fn figure_ids_are_unique_across_the_book() {
    let a = book().page("a.md");
    let b = book().page("b.md");
    assert!(
        a.contains("id=\"dot\"") && a.contains("href=\"#dot\""),
        "{a}"
    );
    assert!(
        b.contains("id=\"dot-2\"") && b.contains("href=\"#dot-2\""),
        "{b}"
    );
    assert!(appears_between(&b, "descent-figure", "b done", None));
}

#[test]
fn executed_cells_get_no_play_button_and_the_page_a_note() {
    let page = book().page("a.md");
    assert!(page.contains("language-rust noplayground"), "{page}");
    assert!(page.contains("class=\"descent-note\""));
    assert!(page.contains("CPU") || page.contains("GPU") || page.contains("Vulkan"));
}

#[test]
fn results_json_has_a_hash_per_cell() {
    let results = book().results();
    let a = &results["chapters"][0];
    assert_eq!(a["chapter"], "book/a.md");
    assert_eq!(a["outputs"].as_array().map(Vec::len), Some(3));
    assert_eq!(a["status"], "ok");
    assert!(a["device"].is_string());
}
