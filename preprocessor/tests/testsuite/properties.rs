//! Properties over arbitrary Markdown, with and without cells: the preprocessor never panics,
//! changes no byte outside the cells' and formulas' replacements, and gives the same output
//! on a second run. Through the whole preprocessor with the `test` renderer (no programs run),
//! and through the page splice with arbitrary cell output.

use crate::support::{Library, TestBook};
use mdbook_descent::markdown::scan;
use mdbook_descent::render;
use mdbook_descent::run::Segment;
use mdbook_driver::MDBook;
use mdbook_preprocessor::PreprocessorContext;
use mdbook_preprocessor::book::{Book, BookItem};
use proptest::prelude::*;
use std::collections::HashSet;

/// One piece of a chapter: prose with Markdown's special characters, containers, cells.
fn fragment() -> impl Strategy<Value = String> {
    let prose = "[a-z <>&*_`$#|\\\\\\[\\]()!:-]{0,30}";
    let code = "[a-z0-9 ;=+(){}\"]{0,20}";
    prop_oneof![
        prose.prop_map(|s| s),
        prose.prop_map(|s| format!("# {s}")),
        prose.prop_map(|s| format!("- {s}")),
        prose.prop_map(|s| format!("> {s}")),
        Just(String::new()),
        (
            code,
            prop::sample::select(vec!["", "- ", "> ", "1. ", "   ", "> - "])
        )
            .prop_map(|(c, container)| {
                let inner = if container.starts_with('>') {
                    container.replace(['-', '1', '.'], " ")
                } else {
                    " ".repeat(container.len())
                };
                format!("{container}```rust,run\n{inner}{c}\n{inner}```")
            }),
        code.prop_map(|c| format!("```rust\n{c}\n```")),
        code.prop_map(|c| format!("~~~rust,run,hide-code\n{c}\n~~~")),
    ]
}

fn chapter() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..10).prop_map(|parts| parts.join("\n"))
}

/// The text outside `spans` appears in `out` in order: first as its prefix, last as its
/// suffix.
fn outside_unchanged(input: &str, mut spans: Vec<std::ops::Range<usize>>, out: &str) -> bool {
    spans.sort_by_key(|s| s.start);
    let mut gaps = Vec::new();
    let mut at = 0;
    for span in &spans {
        gaps.push(&input[at..span.start]);
        at = span.end;
    }
    gaps.push(&input[at..]);
    if spans.is_empty() {
        return out == input;
    }
    let (first, last) = (gaps[0], gaps[gaps.len() - 1]);
    if !out.starts_with(first) || !out.ends_with(last) {
        return false;
    }
    let mut pos = first.len();
    for gap in &gaps[1..gaps.len() - 1] {
        match out[pos..].find(gap) {
            Some(i) => pos += i + gap.len(),
            None => return false,
        }
    }
    pos <= out.len() - last.len()
}

fn preprocess_test_renderer(book: &TestBook) -> String {
    let loaded = MDBook::load(book.root()).expect("load the fixture");
    let ctx = PreprocessorContext::new(
        book.root().to_path_buf(),
        loaded.config.clone(),
        "test".into(),
    );
    let input = serde_json::to_vec(&(&ctx, &loaded.book)).expect("encode");
    let mut output = Vec::new();
    mdbook_descent::preprocess_stdio(&input[..], &mut output).expect("preprocess");
    let book: Book = serde_json::from_slice(&output).expect("a book");
    book.iter()
        .find_map(|item| match item {
            BookItem::Chapter(c) => Some(c.content.clone()),
            _ => None,
        })
        .expect("a chapter")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn the_whole_preprocessor_changes_only_cells_and_formulas(md in chapter()) {
        // Bad LaTeX is an error shown in place of its formula, not a failed build.
        let book = TestBook::new(Library::Mini, &[("p.md", &md)], "on-error = \"render\"\n");
        let first = preprocess_test_renderer(&book);
        let second = preprocess_test_renderer(&book);
        prop_assert_eq!(&first, &second);
        let found = scan(&md);
        let spans = found
            .cells
            .iter()
            .map(|c| c.span.clone())
            .chain(found.maths.iter().map(|m| m.span.clone()))
            .collect();
        prop_assert!(outside_unchanged(&md, spans, &first), "{:?}\n=>\n{:?}", md, first);
    }

    #[test]
    fn splicing_output_changes_only_the_cells(
        md in chapter(),
        texts in prop::collection::vec("[a-z<>&\\n\\u{1b}]{0,12}", 0..4),
    ) {
        let page = |_: ()| {
            let found = scan(&md);
            let output: Vec<Segment> = texts.iter().cloned().map(Segment::Text).collect();
            let mut ids = HashSet::new();
            let edits = found
                .cells
                .iter()
                .map(|c| (c.span.clone(), render::cell(c, "html", Some(&output), None, &mut ids)))
                .collect();
            (render::splice(&md, edits), found.cells.iter().map(|c| c.span.clone()).collect())
        };
        let (first, spans) = page(());
        let (second, _) = page(());
        prop_assert_eq!(&first, &second);
        prop_assert!(outside_unchanged(&md, spans, &first), "{:?}\n=>\n{:?}", md, first);
    }
}
