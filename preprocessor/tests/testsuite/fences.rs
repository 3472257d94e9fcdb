//! Cells inside list items and block quotes (indented fences) run, and their code and output
//! stay inside their container: the list goes on after them, the quote holds them.

use crate::support::{Library, TestBook, appears_between};

#[test]
fn a_cell_in_a_list_item_runs_and_the_list_goes_on() {
    let chapter = "# L\n\n1. First step:\n\n   ```rust,run\n   let x = 2;\n   println!(\"in <list> {}\", x * 21);\n   ```\n\n2. Second step.\n3. Third step.\n\nAfter the list.\n";
    let book = TestBook::new(Library::Mini, &[("l.md", chapter)], "");
    book.build_ok();
    let page = book.page("l.md");
    assert!(
        appears_between(
            &page,
            "First step",
            "<code>in &lt;list&gt; 42</code>",
            Some("</li>")
        ),
        "{page}"
    );
    assert!(page.contains("<code class=\"language-rust"), "{page}");
    assert!(!page.contains("```"), "{page}");
    assert_eq!(page.matches("<li>").count(), 3, "{page}");
    assert!(
        appears_between(&page, "</ol>", "After the list.", None),
        "{page}"
    );
}

#[test]
fn a_cell_in_a_block_quote_runs_inside_the_quote() {
    let chapter = "# Q\n\n> Note:\n>\n> ```rust,run\n> println!(\"quoted <b>\");\n> println!(\"second line\");\n> ```\n>\n> End of note.\n\nOutside.\n";
    let book = TestBook::new(Library::Mini, &[("q.md", chapter)], "");
    book.build_ok();
    let page = book.page("q.md");
    assert!(
        appears_between(
            &page,
            "<blockquote>",
            "<code>quoted &lt;b&gt;\nsecond line</code>",
            Some("</blockquote>")
        ),
        "{page}"
    );
    assert!(
        appears_between(&page, "second line", "End of note.", Some("</blockquote>")),
        "{page}"
    );
    assert!(
        appears_between(&page, "</blockquote>", "Outside.", None),
        "{page}"
    );
}

#[test]
fn a_cell_in_a_list_inside_a_quote_keeps_both() {
    let chapter =
        "# N\n\n> - item:\n>\n>   ```rust,run\n>   println!(\"nested\");\n>   ```\n> - next item\n";
    let book = TestBook::new(Library::Mini, &[("n.md", chapter)], "");
    book.build_ok();
    let page = book.page("n.md");
    assert!(
        appears_between(&page, "<blockquote>", "<code>nested</code>", Some("</li>")),
        "{page}"
    );
    assert!(
        appears_between(
            &page,
            "<code>nested</code>",
            "next item",
            Some("</blockquote>")
        ),
        "{page}"
    );
}

#[test]
fn an_error_in_a_listed_cell_names_the_authors_line() {
    let chapter = "# E\n\n- step:\n\n  ```rust,run\n  let n: u32 = nothing;\n  ```\n";
    let book = TestBook::new(Library::Mini, &[("e.md", chapter)], "");
    let err = book.build().expect_err("must fail");
    assert!(err.contains("book/e.md:6:"), "{err}");
}
