//! The cell protocol cannot be forged from a cell's stdout, a run counts only when the program
//! says it finished and exits 0, a caught panic is no failure, and an error a cell returns
//! reaches the author as written: its Display text and its causes, each once.

use crate::support::{Library, TestBook, appears_between};

#[test]
fn marker_text_printed_by_a_cell_stays_in_that_cell() {
    let chapter = "# F\n\n```rust,run\nprint!(\"mid \\u{1e}descent:cell:1\\n\");\nprintln!(\"0 cell 1:1\");\nprintln!(\"still-first\");\n```\n\nBETWEEN\n\n```rust,run\nprintln!(\"second\");\n```\n";
    let book = TestBook::new(Library::Mini, &[("f.md", chapter)], "");
    book.build_ok();
    let page = book.page("f.md");
    assert!(
        appears_between(&page, "still-first", "BETWEEN", None),
        "{page}"
    );
    assert!(
        appears_between(&page, "mid ", "still-first", Some("BETWEEN")),
        "{page}"
    );
    assert!(appears_between(&page, "BETWEEN", "second", None), "{page}");
}

#[test]
fn a_forged_end_then_exit_fails_the_build_and_caches_nothing() {
    let chapter = "# E\n\n```rust,run\nprintln!(\"\\u{1e}descent:end\");\nprintln!(\"0 end 0:\");\nstd::process::exit(0);\n```\n\n```rust,run\nprintln!(\"never\");\n```\n";
    let book = TestBook::new(Library::Mini, &[("e.md", chapter)], "");
    let err = book.build().expect_err("a cut-short run must fail");
    assert!(
        err.contains("book/e.md:4: the chapter's program exited early"),
        "{err}"
    );
    assert!(
        book.cache_entries().is_empty(),
        "{:?}",
        book.cache_entries()
    );
}

#[test]
fn a_caught_panic_does_not_fail_the_book() {
    let chapter = "# C\n\n```rust,run\nlet caught = std::panic::catch_unwind(|| panic!(\"caught inside\"));\nprintln!(\"recovered: {}\", caught.is_err());\n```\n";
    let book = TestBook::new(Library::Mini, &[("c.md", chapter)], "");
    book.build_ok();
    let page = book.page("c.md");
    assert!(page.contains("<code>recovered: true</code>"), "{page}");
    assert!(!page.contains("panicked"), "{page}");
}

#[test]
fn a_panic_after_a_caught_one_names_the_real_one() {
    let chapter = "# C\n\n```rust,run\nlet _ = std::panic::catch_unwind(|| panic!(\"first, caught\"));\n```\n\n```rust,run\npanic!(\"second, real\");\n```\n";
    let book = TestBook::new(Library::Mini, &[("c.md", chapter)], "");
    let err = book.build().expect_err("must fail");
    assert!(
        err.contains("book/c.md:8: cell 2 panicked: second, real"),
        "{err}"
    );
}

const ERROR_CHAIN: &str = r#"# R

```rust,run
use std::fmt;
#[derive(Debug)]
struct Missing;
impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "assets/mnist/train.gz is missing; run scripts/fetch.sh")
    }
}
impl std::error::Error for Missing {}
#[derive(Debug)]
struct Load(Missing);
impl fmt::Display for Load {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "cannot load the data")
    }
}
impl std::error::Error for Load {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}
#[derive(Debug)]
struct Train(Load);
impl fmt::Display for Train {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "training failed: {}", self.0)
    }
}
impl std::error::Error for Train {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}
Err(Train(Load(Missing)))?;
```
"#;

#[test]
fn a_returned_error_shows_its_display_and_each_cause_once() {
    let book = TestBook::new(Library::Mini, &[("r.md", ERROR_CHAIN)], "");
    let err = book.build().expect_err("must fail");
    let expected = "book/r.md:4: cell 1 returned an error: training failed: cannot load the data\n\
                    caused by: assets/mnist/train.gz is missing; run scripts/fetch.sh\n";
    assert!(err.contains(expected), "{err}");
    assert_eq!(err.matches("cannot load the data").count(), 1, "{err}");
    assert!(!err.contains("Train("), "Debug text: {err}");
}

#[test]
fn a_returned_error_is_rendered_in_the_page_as_written() {
    let book = TestBook::new(
        Library::Mini,
        &[("r.md", ERROR_CHAIN)],
        "on-error = \"render\"\n",
    );
    book.build_ok();
    let page = book.page("r.md");
    assert!(
        page.contains(
            "cell 1 returned an error: training failed: cannot load the data\ncaused by: \
             assets/mnist/train.gz is missing; run scripts/fetch.sh"
        ),
        "{page}"
    );
}
