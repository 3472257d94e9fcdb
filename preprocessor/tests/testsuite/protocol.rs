//! mdBook's preprocessor protocol (what `mdbook build` and `mdbook serve` use): `[context,
//! book]` JSON in, the book JSON out; and the `test` renderer gets cells marked `ignore`
//! without running them.

use crate::support::{Library, TestBook};
use mdbook_driver::MDBook;
use mdbook_preprocessor::PreprocessorContext;
use mdbook_preprocessor::book::{Book, BookItem};

const CHAPTER: &str =
    "# P\n\n$x$\n\n```rust,run\nprintln!(\"protocol {}\", mini::answer());\n```\n";

fn preprocess(book: &TestBook, renderer: &str) -> String {
    let loaded = MDBook::load(book.root()).expect("load the fixture");
    let ctx = PreprocessorContext::new(
        book.root().to_path_buf(),
        loaded.config.clone(),
        renderer.to_owned(),
    );
    let input = serde_json::to_vec(&(&ctx, &loaded.book)).expect("encode the input");
    let mut output = Vec::new();
    mdbook_descent::preprocess_stdio(&input[..], &mut output).expect("preprocess");
    let book: Book = serde_json::from_slice(&output).expect("the output is a book");
    book.iter()
        .find_map(|item| match item {
            BookItem::Chapter(c) => Some(c.content.clone()),
            _ => None,
        })
        .expect("a chapter")
}

#[test]
fn json_in_json_out_with_cells_run() {
    let book = TestBook::new(Library::Mini, &[("p.md", CHAPTER)], "");
    let content = preprocess(&book, "html");
    assert!(content.contains("```rust,noplayground\n"), "{content}");
    assert!(content.contains("<code>protocol 41</code>"), "{content}");
    assert!(content.contains("<math"), "{content}");
}

#[test]
fn the_test_renderer_gets_ignored_cells_and_runs_nothing() {
    let book = TestBook::new(Library::Mini, &[("p.md", CHAPTER)], "");
    let content = preprocess(&book, "test");
    assert!(content.contains("```rust,ignore\n"), "{content}");
    assert!(!content.contains("protocol 41"), "{content}");
    assert!(!book.root().join("work/results.json").exists());
}

#[test]
fn every_renderer_is_supported() {
    assert!(mdbook_descent::supports("html"));
    assert!(mdbook_descent::supports("test"));
}

/// What `mdbook build` does: mdBook's driver starts the `command` of book.toml as a child
/// process and talks JSON to it (here with the binary cargo built for these tests).
fn build_through_the_command(chapter: &str) -> (TestBook, anyhow::Result<()>) {
    let command = format!("command = {:?}\n", env!("CARGO_BIN_EXE_mdbook-descent"));
    let book = TestBook::new(Library::Mini, &[("p.md", chapter)], &command);
    let result = MDBook::load(book.root()).and_then(|md| md.build());
    (book, result)
}

#[test]
fn mdbook_runs_the_binary_as_its_preprocessor() {
    let (book, result) = build_through_the_command(CHAPTER);
    result.expect("the book builds through the command");
    assert!(book.page("p.md").contains("<code>protocol 41</code>"));
}

#[test]
fn a_failing_cell_fails_mdbooks_build() {
    let (_book, result) = build_through_the_command("# F\n\n```rust,run\npanic!(\"stop\");\n```\n");
    assert!(result.is_err());
}
