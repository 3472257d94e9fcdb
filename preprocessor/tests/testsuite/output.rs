//! What a cell shows: output past the limit is cut with a note saying where the whole output
//! is, control characters are visible escapes, `fn main` in a cell is refused at its line,
//! inner attributes are hoisted, and a compile failure has its progress line.

use crate::support::{Library, TestBook};
use std::process::Command;

#[test]
fn output_past_the_limit_is_cut_and_kept_whole_under_the_work_folder() {
    let chapter = "# O\n\n```rust,run\nfor i in 0..2000 {\n    println!(\"line {i:05}\");\n}\n```\n\n```rust,run\nprintln!(\"small\");\n```\n";
    let book = TestBook::new(Library::Mini, &[("o.md", chapter)], "output-limit = 1100\n");
    book.build_ok();
    let page = book.page("o.md");
    assert!(page.contains("line 00000"), "cut at the end, not the start");
    assert!(page.contains("line 00099</code>"), "{page}");
    assert!(
        !page.contains("line 00100"),
        "1100 bytes are 100 lines of 11"
    );
    let kept: Vec<_> = std::fs::read_dir(book.root().join("work/output"))
        .expect("output folder")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("kept output"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert!(kept[0].contains("line 01999\n"), "the whole output is kept");
    let note = "The cell printed 21 KiB; the page shows the first 1100 bytes. The whole output \
                of this chapter is in <code>work/output/";
    assert!(page.contains(note), "{page}");
    assert!(page.contains("<code>small</code>"), "{page}");
}

#[test]
fn the_default_limit_keeps_a_huge_output_out_of_the_page_and_the_cache() {
    let chapter = "# H\n\n```rust,run\nlet line = \"x\".repeat(1023);\nfor _ in 0..20_000 {\n    println!(\"{line}\");\n}\n```\n";
    let book = TestBook::new(Library::Mini, &[("h.md", chapter)], "");
    book.build_ok();
    let page = book.page("h.md");
    assert!(page.len() < 400 * 1024, "{} bytes", page.len());
    assert!(page.contains("The cell printed 19.5 MiB; the page shows the first 256 KiB"));
    let entries = book.cache_entries();
    let size = std::fs::metadata(&entries[0]).expect("entry").len();
    assert!(size < 400 * 1024, "cache entry of {size} bytes");
    let kept = std::fs::read_dir(book.root().join("work/output"))
        .expect("output folder")
        .map(|e| e.expect("entry").metadata().expect("metadata").len())
        .max();
    assert_eq!(kept, Some(20_000 * 1024));
}

#[test]
fn control_characters_are_shown_as_visible_escapes() {
    let chapter =
        "# C\n\n```rust,run\nprintln!(\"\\u{1b}[31mred\\u{1b}[0m \\u{7} \\u{1e}\");\n```\n";
    let book = TestBook::new(Library::Mini, &[("c.md", chapter)], "");
    book.build_ok();
    let page = book.page("c.md");
    assert!(
        page.contains("<code>\\u{1b}[31mred\\u{1b}[0m \\u{7} \\u{1e}</code>"),
        "{page}"
    );
    assert!(!page.contains('\u{1b}') && !page.contains('\u{7}') && !page.contains('\u{1e}'));
}

#[test]
fn fn_main_in_a_cell_is_refused_at_its_line() {
    let chapter =
        "# M\n\n```rust,run\nuse std::fmt;\nfn main() {\n    println!(\"never\");\n}\n```\n";
    let book = TestBook::new(Library::Mini, &[("m.md", chapter)], "");
    let err = book.build().expect_err("must fail");
    assert!(
        err.contains("book/m.md:5: cell 1 defines `fn main`, which would never be called"),
        "{err}"
    );
    assert!(err.contains("statements of its program's main"), "{err}");
}

#[test]
fn an_inner_attribute_in_a_cell_applies_to_the_program() {
    let chapter = "# A\n\nText.\n\n```rust,run\n#![deny(unused_must_use)]\nprintln!(\"ok\");\n```\n\n```rust,run\nlet r: Result<u32, String> = Ok(1);\nr.map(|x| x + 1);\n```\n";
    let book = TestBook::new(Library::Mini, &[("a.md", chapter)], "");
    let err = book
        .build()
        .expect_err("the hoisted deny applies to the second cell");
    assert!(err.contains("book/a.md:12:"), "{err}");
    assert!(err.contains("unused `Result`"), "{err}");
}

#[test]
fn a_compile_failure_prints_its_failed_line() {
    let chapter = "# B\n\n```rust,run\nlet n: u32 = \"text\";\n```\n";
    let book = TestBook::new(Library::Mini, &[("b.md", chapter)], "");
    let out = Command::new(env!("CARGO_BIN_EXE_mdbook-descent"))
        .arg("build")
        .arg(book.root())
        .output()
        .expect("run mdbook-descent");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("book/b.md failed to compile"), "{stderr}");
}
