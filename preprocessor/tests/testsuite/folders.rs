//! Where the build writes: never under the chapters' folder (refused with a clear error), and
//! two books sharing one target and work folder keep each other's cache.

use crate::support::{Library, TestBook};
use std::process::Command;

const CHAPTER: &str = "# A\n\n```rust,run\nprintln!(\"{}\", mini::answer());\n```\n";

#[test]
fn a_work_folder_inside_the_chapters_is_refused() {
    let book = TestBook::new(Library::Mini, &[("a.md", CHAPTER)], "");
    book.edit(
        "book.toml",
        "work-dir = \"work\"",
        "work-dir = \"book/work\"",
    );
    let err = book.build().expect_err("must be refused");
    assert!(err.contains("is inside the chapters' folder book"), "{err}");
    assert!(err.contains("work-dir in book.toml"), "{err}");
    assert!(!book.root().join("book/work").exists());
}

#[test]
fn a_target_folder_inside_the_chapters_is_refused() {
    let book = TestBook::new(Library::Mini, &[("a.md", CHAPTER)], "");
    let text = book.read("book.toml");
    let start = text.find("target-dir = ").expect("target-dir");
    let end = start + text[start..].find('\n').expect("line end");
    book.write(
        "book.toml",
        &format!("{}target-dir = \"book/t\"{}", &text[..start], &text[end..]),
    );
    let err = book.build().expect_err("must be refused");
    assert!(err.contains("target-dir in book.toml"), "{err}");
    assert!(!book.root().join("book/t").exists());
}

#[test]
fn cargo_target_dir_inside_the_chapters_is_refused() {
    let book = TestBook::new(Library::Mini, &[("a.md", CHAPTER)], "");
    let text = book.read("book.toml");
    let start = text.find("target-dir = ").expect("target-dir");
    let end = start + text[start..].find('\n').expect("line end");
    book.write(
        "book.toml",
        &format!("{}{}", &text[..start], &text[end + 1..]),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_mdbook-descent"))
        .arg("build")
        .arg(book.root())
        .env("CARGO_TARGET_DIR", book.root().join("book/target"))
        .output()
        .expect("run mdbook-descent");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("CARGO_TARGET_DIR"), "{stderr}");
    assert!(!book.root().join("book/target").exists());
}

#[test]
fn two_books_sharing_a_work_folder_both_stay_cached() {
    let shared = tempfile::tempdir().expect("shared folder");
    let work = format!("work-dir = {:?}", shared.path().display().to_string());
    let first = TestBook::new(Library::Mini, &[("a.md", CHAPTER)], "");
    let second = TestBook::new(Library::Mini, &[("a.md", CHAPTER)], "");
    for book in [&first, &second] {
        book.edit("book.toml", "work-dir = \"work\"", &work);
        book.build_ok();
    }
    let results = || -> serde_json::Value {
        serde_json::from_str(
            &std::fs::read_to_string(shared.path().join("results.json")).expect("results.json"),
        )
        .expect("JSON")
    };
    for book in [&first, &second] {
        book.build_ok();
        assert_eq!(results()["chapters"][0]["cache"], "hit", "{}", results());
    }
    assert_eq!(
        std::fs::read_dir(shared.path().join("cache"))
            .expect("cache")
            .count(),
        2
    );
}
