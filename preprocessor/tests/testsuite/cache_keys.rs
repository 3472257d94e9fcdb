//! What the cache key covers beyond the cells: local (path) crates the chapters build against,
//! by content; the cells' positions (a cached page never shows a stale line number); and a
//! link loop in the library's sources does not stop the walk.

use crate::support::{Library, TestBook};

#[test]
fn a_changed_path_dependency_reruns_the_chapter() {
    let chapter = "# D\n\n```rust,run\nprintln!(\"helper says {}\", helper::word());\n```\n";
    let book = TestBook::new(
        Library::Mini,
        &[("d.md", chapter)],
        "[preprocessor.descent.dependencies]\nhelper = { path = \"helper\" }\n",
    );
    book.write(
        "helper/Cargo.toml",
        "[package]\nname = \"helper\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    );
    book.write(
        "helper/src/lib.rs",
        "//! A local crate.\npub fn word() -> &'static str {\n    \"old\"\n}\n",
    );
    book.build_ok();
    assert!(book.page("d.md").contains("<code>helper says old</code>"));
    book.edit("helper/src/lib.rs", "\"old\"", "\"new\"");
    book.build_ok();
    assert_eq!(book.cache_state("book/d.md"), "miss");
    let page = book.page("d.md");
    assert!(page.contains("<code>helper says new</code>"), "{page}");
}

#[test]
fn a_cached_page_never_shows_a_line_the_source_contradicts() {
    let chapter = "# L\n\n```rust,run\nprintln!(\"at line {}\", line!());\n```\n";
    let book = TestBook::new(Library::Mini, &[("l.md", chapter)], "");
    book.build_ok();
    assert!(book.page("l.md").contains("<code>at line 4</code>"));
    book.edit("book/l.md", "# L\n", "# L\n\nA new paragraph.\n");
    book.build_ok();
    let page = book.page("l.md");
    assert!(page.contains("<code>at line 6</code>"), "{page}");
    // Prose below the last cell moves nothing: still cached.
    book.edit("book/l.md", "```\n", "```\n\nMore prose.\n");
    book.build_ok();
    assert_eq!(book.cache_state("book/l.md"), "hit");
}

#[cfg(unix)]
#[test]
fn a_link_loop_in_the_library_sources_does_not_stop_the_build() {
    let chapter = "# K\n\n```rust,run\nprintln!(\"{}\", mini::answer());\n```\n";
    let book = TestBook::new(Library::Mini, &[("k.md", chapter)], "");
    std::os::unix::fs::symlink("..", book.root().join("mini/src/up")).expect("link");
    book.build_ok();
    assert!(book.page("k.md").contains("<code>41</code>"));
}
