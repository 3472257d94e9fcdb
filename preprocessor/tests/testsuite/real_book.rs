//! End to end on the real book and the real library: a copy of `book/` with its own
//! `book.toml`, built by the `mdbook-descent` binary as CI builds it. A checked number broken
//! in the copy makes the build fail with the chapter's file and line in its last lines.
//!
//! The copy differs from the real book only where it must: its own output and work folders,
//! the repository as the library, the test profile's dependency set (see `support.rs`).

use crate::support::{self, repo};
use std::path::Path;
use std::process::Command;
use tempfile::TempDir;

/// A copy of the real book in a temporary folder.
fn copy_of_the_book() -> TempDir {
    let dir = tempfile::Builder::new()
        .prefix("descent-real-book-")
        .tempdir()
        .expect("temporary folder");
    let root = dir.path();
    copy_dir(&repo().join("book"), &root.join("book"));
    // The data and the figure assets, shared (never written).
    std::os::unix::fs::symlink(repo().join("assets"), root.join("assets")).expect("link assets");
    let text = std::fs::read_to_string(repo().join("book.toml")).expect("read book.toml");
    let mut config: toml::Table = toml::from_str(&text).expect("book.toml is TOML");
    let table = |config: &mut toml::Table, key: &str| -> toml::Table {
        config
            .get(key)
            .and_then(toml::Value::as_table)
            .cloned()
            .unwrap_or_default()
    };
    let mut build = table(&mut config, "build");
    build.insert("build-dir".into(), "out".into());
    config.insert("build".into(), build.into());
    let mut preprocessors = table(&mut config, "preprocessor");
    let mut descent = preprocessors
        .get("descent")
        .and_then(toml::Value::as_table)
        .cloned()
        .expect("book.toml has [preprocessor.descent]");
    descent.remove("command");
    for (key, value) in support::descent_settings() {
        descent.insert(key, value);
    }
    preprocessors.insert("descent".into(), descent.into());
    config.insert("preprocessor".into(), preprocessors.into());
    std::fs::write(
        root.join("book.toml"),
        toml::to_string(&config).expect("write book.toml"),
    )
    .expect("write book.toml");
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("list folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy file");
        }
    }
}

/// Runs the binary as CI does; returns success and stderr.
fn mdbook_descent(args: &[&str], root: &Path) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mdbook-descent"))
        .args(args)
        .arg(root)
        .output()
        .expect("run mdbook-descent");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_broken_check_in_the_real_book_fails_with_its_file_and_line() {
    let copy = copy_of_the_book();
    let chapter = copy.path().join("book/mnist.md");
    let text = std::fs::read_to_string(&chapter).expect("read mnist.md");
    let needle = "\"initial loss\", eval.loss, 1.1268, 1e-4";
    let line = 1 + text[..text.find(needle).expect("the loss check is in mnist.md")]
        .matches('\n')
        .count();
    std::fs::write(
        &chapter,
        text.replace(needle, "\"initial loss\", eval.loss, 1.2268, 1e-4"),
    )
    .expect("break the check");

    let (ok, _, stderr) = mdbook_descent(&["build"], copy.path());
    assert!(!ok, "the build must fail:\n{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    let tail = lines[lines.len().saturating_sub(3)..].join("\n");
    assert!(
        tail.contains(&format!("book/mnist.md:{line}: check failed")),
        "line {line} not in the last lines:\n{tail}"
    );
    assert!(tail.contains("initial loss = 1.126"), "{tail}");

    // The unbroken copy builds and verifies, with the checked numbers in the log.
    std::fs::write(&chapter, text).expect("restore the check");
    let (ok, _, stderr) = mdbook_descent(&["build"], copy.path());
    assert!(ok, "{stderr}");
    let (ok, stdout, stderr) = mdbook_descent(&["verify"], copy.path());
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("book/mnist.md:{line}: initial loss = 1.126")),
        "{stdout}"
    );
}
