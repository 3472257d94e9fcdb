//! `mdbook-descent verify`, the CI check after a build, run as the binary CI runs: a good
//! build passes and prints its checked numbers; a broken site and a failed chapter fail it,
//! each problem named in the last lines of its output.

use crate::support::{Library, TestBook};
use std::process::Command;

const CHAPTER: &str = "# V\n\nSee [the other page](w.md#second).\n\n```rust,run\n\
                       mini::check(\"answer\", 41.0, 41.0, 0.0, line!());\n```\n";
const OTHER: &str = "# W\n\n## Second\n\nBack to [the first](v.md).\n";

fn verify(book: &TestBook, extra: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mdbook-descent"))
        .arg("verify")
        .arg(book.root())
        .args(extra)
        .output()
        .expect("run mdbook-descent verify");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[test]
fn a_good_build_verifies_and_prints_its_checked_numbers() {
    let book = TestBook::new(Library::Mini, &[("v.md", CHAPTER), ("w.md", OTHER)], "");
    book.build_ok();
    let (ok, stdout, stderr) = verify(&book, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("book/v.md:6: answer = 41, expected 41 ± 0: ok"),
        "{stdout}"
    );
    assert!(stdout.contains("internal links checked"), "{stdout}");
    assert!(stdout.trim_end().ends_with("verified"), "{stdout}");

    // A page that loads a script from the network, a broken fragment and a missing page.
    let page = book.read("out/v.html").replace(
        "</head>",
        "<script src=\"https://cdn.example.org/x.js\"></script></head>",
    );
    book.write("out/v.html", &page.replace("w.html#second", "w.html#gone"));
    std::fs::remove_file(book.root().join("out/w.html")).expect("remove a page");
    let (ok, _, stderr) = verify(&book, &[]);
    assert!(!ok);
    let tail = last_lines(&stderr, 1);
    assert!(tail.starts_with("error: "), "{stderr}");
    let tail = &stderr;
    assert!(tail.contains("w.html: missing"), "{stderr}");
    assert!(
        tail.contains("loads \"https://cdn.example.org/x.js\""),
        "{stderr}"
    );
    assert!(tail.contains("link \"w.html#gone\" is broken"), "{stderr}");
}

#[test]
fn a_page_over_its_budget_fails() {
    let book = TestBook::new(Library::Mini, &[("v.md", CHAPTER), ("w.md", OTHER)], "");
    book.build_ok();
    let (ok, _, stderr) = verify(&book, &["--page-budget-kb", "1"]);
    assert!(!ok);
    assert!(stderr.contains("over the budget of 1.0 KB"), "{stderr}");
}

#[test]
fn a_chapter_gets_its_own_budget_from_book_toml() {
    // The default (1 KB) fails both pages; w.md's own 1000 KB lets it pass.
    let book = TestBook::new(
        Library::Mini,
        &[("v.md", CHAPTER), ("w.md", OTHER)],
        "page-budgets = { \"w.md\" = 1000 }\n",
    );
    book.build_ok();
    let (ok, stdout, stderr) = verify(&book, &["--page-budget-kb", "1"]);
    assert!(!ok);
    assert!(stderr.contains("v.html: weighs"), "{stderr}");
    assert!(!stderr.contains("w.html: weighs"), "{stderr}");
    assert!(stdout.contains("1000.0 KB for w.html"), "{stdout}");

    let typo = TestBook::new(
        Library::Mini,
        &[("v.md", CHAPTER)],
        "page-budgets = { \"nope.md\" = 1000 }\n",
    );
    typo.build_ok();
    let (ok, _, stderr) = verify(&typo, &[]);
    assert!(!ok);
    assert!(
        stderr.contains("page-budgets names \"nope.md\""),
        "{stderr}"
    );
}

#[test]
fn a_failed_chapter_rendered_into_the_page_still_fails_verification() {
    let chapter = "# V\n\n```rust,run\nmini::check(\"answer\", 40.0, 41.0, 0.5, line!());\n```\n";
    let book = TestBook::new(
        Library::Mini,
        &[("v.md", chapter)],
        "on-error = \"render\"\n",
    );
    book.build_ok();
    let (ok, stdout, stderr) = verify(&book, &[]);
    assert!(!ok, "{stdout}");
    assert!(
        stdout.contains("book/v.md:4: answer = 40, expected 41 ± 0.5: FAILED"),
        "{stdout}"
    );
    assert!(
        last_lines(&stderr, 3).contains("book/v.md:4: check failed in cell 1"),
        "{stderr}"
    );
}
