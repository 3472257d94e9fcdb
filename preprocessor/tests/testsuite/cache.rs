//! The cache: a second build compiles and runs nothing; a code edit re-runs that chapter
//! only; a library edit re-runs everything; a prose edit nothing unless it moves a cell; a
//! damaged entry is re-run;
//! a failed run keeps the last good entry; two builds at once agree.

use crate::support::{Library, TestBook};

fn two_chapters() -> TestBook {
    TestBook::new(
        Library::Mini,
        &[
            (
                "x.md",
                "# X\n\nProse of x.\n\n```rust,run\nprintln!(\"x says {}\", mini::answer());\n```\n",
            ),
            (
                "y.md",
                "# Y\n\n```rust,run\nprintln!(\"y says {}\", mini::answer() + 1);\n```\n",
            ),
        ],
        "",
    )
}

#[test]
fn a_second_build_compiles_and_runs_nothing() {
    let book = two_chapters();
    book.build_ok();
    assert_eq!(book.compiled_and_ran(), (2, 2));
    let first = book.page("x.md");
    book.build_ok();
    assert_eq!(book.compiled_and_ran(), (0, 0));
    assert_eq!(book.cache_state("book/x.md"), "hit");
    assert_eq!(book.cache_state("book/y.md"), "hit");
    assert_eq!(book.page("x.md"), first, "a cached page is byte-identical");
}

#[test]
fn edits_rerun_exactly_what_they_affect() {
    let book = two_chapters();
    book.build_ok();

    book.edit("book/x.md", "Prose of x.", "Prose of x, reworded.");
    book.build_ok();
    assert_eq!(
        book.compiled_and_ran(),
        (0, 0),
        "a prose edit that moves no cell runs nothing"
    );
    assert!(book.page("x.md").contains("reworded"));

    book.edit("book/x.md", "reworded.", "reworded,\nover two lines.");
    book.build_ok();
    assert_eq!(
        book.compiled_and_ran(),
        (1, 1),
        "a prose edit that moves a cell reruns its chapter (its line numbers changed)"
    );
    assert_eq!(book.cache_state("book/y.md"), "hit");

    book.edit("book/x.md", "x says", "x now says");
    book.build_ok();
    assert_eq!(
        book.compiled_and_ran(),
        (1, 1),
        "a code edit runs its chapter only"
    );
    assert_eq!(book.cache_state("book/x.md"), "miss");
    assert_eq!(book.cache_state("book/y.md"), "hit");
    assert!(book.page("x.md").contains("x now says 41"));

    book.edit("mini/src/lib.rs", "41", "50");
    book.build_ok();
    assert_eq!(
        book.compiled_and_ran(),
        (2, 2),
        "a library edit runs every chapter"
    );
    assert!(book.page("x.md").contains("x now says 50"));
    assert!(book.page("y.md").contains("y says 51"));
}

#[test]
fn a_damaged_entry_is_run_again_not_shown() {
    let book = two_chapters();
    book.build_ok();
    let entries = book.cache_entries();
    assert_eq!(entries.len(), 2);
    for entry in &entries {
        let text = std::fs::read_to_string(entry).expect("entry");
        std::fs::write(entry, text.replace("says", "lies")).expect("damage the entry");
    }
    std::fs::write(&entries[1], &b"cut sh"[..]).expect("truncate the entry");
    book.build_ok();
    assert_eq!(book.compiled_and_ran().1, 2);
    assert!(book.page("x.md").contains("x says 41"));
    assert!(!book.page("x.md").contains("lies"));
    assert!(book.page("y.md").contains("y says 42"));
}

#[test]
fn a_failed_run_keeps_the_last_good_entry() {
    let book = two_chapters();
    book.build_ok();
    book.edit("book/x.md", "println!", "panic!(\"no\"); println!");
    assert!(book.build().is_err());
    book.edit("book/x.md", "panic!(\"no\"); println!", "println!");
    book.build_ok();
    assert_eq!(book.cache_state("book/x.md"), "hit");
    assert_eq!(book.compiled_and_ran(), (0, 0));
}

#[test]
fn two_builds_at_once_both_succeed_and_agree() {
    // Two books with the same chapters and one work folder: they take turns on its lock, each
    // rendering to its own folder (each keeps its own entries: package names carry the root).
    let first = two_chapters();
    let work = first.root().join("work").display().to_string();
    let second = TestBook::new(
        Library::Mini,
        &[
            ("x.md", &first.read("book/x.md")),
            ("y.md", &first.read("book/y.md")),
        ],
        "",
    );
    second.edit(
        "book.toml",
        "work-dir = \"work\"",
        &format!("work-dir = {work:?}"),
    );
    second.edit(
        "book.toml",
        "library = \"mini\"",
        &format!(
            "library = {:?}",
            first.root().join("mini").display().to_string()
        ),
    );
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| first.build());
        let b = s.spawn(|| second.build());
        (a.join().expect("thread"), b.join().expect("thread"))
    });
    a.expect("first build");
    b.expect("second build");
    assert!(first.page("x.md").contains("x says 41"));
    assert!(second.page("x.md").contains("x says 41"));
    assert!(second.page("y.md").contains("y says 42"));
    first.build_ok();
    assert_eq!(first.compiled_and_ran(), (0, 0), "the cache is intact");
}
