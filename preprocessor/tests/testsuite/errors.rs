//! Errors: a compile error and a panic name the author's file and line, a time-out names
//! the chapter and the limit, a bad key lists the valid ones; `on-error = "render"` shows
//! the error in the page instead of failing.

use crate::support::{Library, TestBook};
use std::time::{Duration, Instant};

#[test]
fn a_compile_error_names_the_authors_line_with_rustcs_message() {
    let chapter = "# Bad\n\n```rust,run\nlet a = 1;\n```\n\nText.\n\n```rust,run\nlet n: u32 = \"text\";\n```\n";
    let book = TestBook::new(Library::Mini, &[("bad.md", chapter)], "");
    let err = book.build().expect_err("must fail");
    assert!(err.contains("book/bad.md:10:"), "{err}");
    assert!(err.contains("mismatched types"), "{err}");
}

#[test]
fn a_compile_error_after_an_include_still_names_the_authors_line() {
    let chapter = "# Inc\n\n```rust,run\n{{#include lib.rs}}\n```\n\n```rust,run\nlet n: u32 = nothing_here;\n```\n";
    let book = TestBook::new(Library::Mini, &[("inc.md", chapter)], "");
    book.write(
        "book/lib.rs",
        "fn one() -> u32 {\n    1\n}\nlet a = one();\n",
    );
    let err = book.build().expect_err("must fail");
    assert!(err.contains("book/inc.md:8:"), "{err}");
    assert!(err.contains("cannot find value `nothing_here`"), "{err}");
}

#[test]
fn a_panic_names_the_cell_its_line_and_message() {
    let chapter = "# P\n\n```rust,run\nprintln!(\"fine\");\n```\n\n```rust,run\nlet v = mini::answer();\nassert_eq!(v, 7, \"the answer moved\");\n```\n";
    let book = TestBook::new(Library::Mini, &[("p.md", chapter)], "");
    let err = book.build().expect_err("must fail");
    assert!(err.contains("book/p.md:9: cell 2 panicked"), "{err}");
    assert!(err.contains("the answer moved"), "{err}");
}

#[test]
fn an_error_returned_by_a_cell_names_it() {
    let chapter = "# E\n\n```rust,run\nlet n: u32 = \"x\".parse()?;\n```\n";
    let book = TestBook::new(Library::Mini, &[("e.md", chapter)], "");
    let err = book.build().expect_err("must fail");
    assert!(
        err.contains("book/e.md:4: cell 1 returned an error"),
        "{err}"
    );
}

#[test]
fn a_time_out_names_the_chapter_and_the_limit() {
    let chapter =
        "# T\n\n```rust,run\nstd::thread::sleep(std::time::Duration::from_secs(60));\n```\n";
    let book = TestBook::new(Library::Mini, &[("t.md", chapter)], "timeout = 1\n");
    let start = Instant::now();
    let err = book.build().expect_err("must fail");
    assert!(err.contains("book/t.md"), "{err}");
    assert!(err.contains("time limit of 1 s"), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(50),
        "the program was stopped"
    );
}

#[test]
fn an_unknown_key_lists_the_valid_ones() {
    let book = TestBook::new(Library::Mini, &[("a.md", "# A\n")], "tiemout = 5\n");
    let err = book.build().expect_err("must fail");
    assert!(err.contains("tiemout"), "{err}");
    assert!(err.contains("valid keys are: library"), "{err}");
}

#[test]
fn an_ill_typed_key_is_an_error() {
    let book = TestBook::new(Library::Mini, &[("a.md", "# A\n")], "timeout = \"ten\"\n");
    let err = book.build().expect_err("must fail");
    assert!(err.contains("valid keys are"), "{err}");
}

#[test]
fn on_error_render_shows_the_error_in_the_page() {
    let chapter = "# R\n\n```rust,run\nprintln!(\"before\");\n```\n\n```rust,run\npanic!(\"shown <here>\");\n```\n\nAfter.\n";
    let book = TestBook::new(
        Library::Mini,
        &[("r.md", chapter)],
        "on-error = \"render\"\n",
    );
    book.build_ok();
    let page = book.page("r.md");
    assert!(page.contains("<code>before</code>"), "{page}");
    assert!(page.contains("class=\"descent-error\""), "{page}");
    assert!(
        page.contains("book/r.md:8: cell 2 panicked: shown &lt;here&gt;"),
        "{page}"
    );
}

#[test]
fn a_playground_marker_with_a_wrong_setting_names_the_line_and_what_it_takes() {
    let chapter = "# Play\n\nText.\n\n<!-- descent:playground optimiser=adam lr=fast -->\n";
    let book = TestBook::new(Library::Mini, &[("play.md", chapter)], "");
    let err = book.build().expect_err("must fail");
    assert!(
        err.contains("book/play.md:5: the playground's lr must be a number, not `fast`"),
        "{err}"
    );
}
