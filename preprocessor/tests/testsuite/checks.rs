//! Checked numbers through the cell protocol (the `check:` marker that
//! `descent::cell::check` prints; here the mini library prints it, so nothing heavy links):
//! recorded in `results.json` with the author's line, kept by the cache, and a failed check
//! fails the build at its line even when the cell ignores the result.

use crate::support::{Library, TestBook};

/// A cell line that reports a check the way `descent::cell::check` does.
fn check_line(name: &str, value: f64, expected: f64, tolerance: f64) -> String {
    format!("mini::check({name:?}, {value:?}, {expected:?}, {tolerance:?}, line!());")
}

fn chapter(value: f64) -> String {
    format!(
        "# C\n\nSome prose.\n\n```rust,run\nprintln!(\"computing\");\n{}\n```\n\nMore prose.\n\n\
         ```rust,run\nlet half = 0.5;\n{}\n```\n",
        check_line("answer", 41.0, 41.0, 0.0),
        check_line("half", value, 0.5, 0.01)
    )
}

#[test]
fn checks_are_recorded_with_the_authors_line_and_survive_the_cache() {
    let book = TestBook::new(Library::Mini, &[("c.md", &chapter(0.505))], "");
    book.build_ok();
    let results = book.results();
    let checks = results["chapters"][0]["checks"].as_array().expect("checks");
    assert_eq!(checks.len(), 2, "{results}");
    assert_eq!(checks[0]["at"], "book/c.md:7");
    assert_eq!(checks[0]["name"], "answer");
    assert_eq!(checks[1]["at"], "book/c.md:14");
    assert_eq!(checks[1]["value"], 0.505);
    assert_eq!(checks[1]["expected"], 0.5);
    assert_eq!(checks[1]["tolerance"], 0.01);
    assert_eq!(checks[1]["ok"], true);
    assert!(
        !book.page("c.md").contains("check:"),
        "no marker on the page"
    );

    // Prose above moves the cells: the chapter re-runs (its positions are in the cache key, so
    // a cached page never shows a stale line), and the checks follow their lines.
    book.edit("book/c.md", "Some prose.", "Some prose,\nnow on two lines.");
    book.build_ok();
    assert_eq!(book.cache_state("book/c.md"), "miss");
    let results = book.results();
    let checks = results["chapters"][0]["checks"].as_array().expect("checks");
    assert_eq!(checks[0]["at"], "book/c.md:8");
    assert_eq!(checks[1]["at"], "book/c.md:15");
}

#[test]
fn a_failed_check_fails_the_build_at_its_line() {
    let book = TestBook::new(Library::Mini, &[("c.md", &chapter(0.7))], "");
    let err = book.build().expect_err("a failed check fails the build");
    assert!(
        err.contains("book/c.md:14: check failed in cell 2: half = 0.7 (expected 0.5 ± 0.01)"),
        "{err}"
    );
    let results = book.results();
    assert_eq!(results["chapters"][0]["status"], "error");
    assert_eq!(results["chapters"][0]["checks"][1]["ok"], false);
    assert!(
        results["chapters"][0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("book/c.md:14")),
        "{results}"
    );
    assert!(
        book.cache_entries().is_empty(),
        "a failed chapter is not cached"
    );
}
