//! The book's source folder is never written to (it would make `mdbook serve` rebuild
//! forever): not by a build, nor by a failing one.

use crate::support::{Library, TestBook};
use std::collections::BTreeMap;
use std::path::Path;

fn snapshot(dir: &Path) -> BTreeMap<String, (Vec<u8>, std::time::SystemTime)> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("list the source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            for (k, v) in snapshot(&path) {
                out.insert(format!("{}/{k}", path.display()), v);
            }
        } else {
            let meta = std::fs::metadata(&path).expect("metadata");
            out.insert(
                path.display().to_string(),
                (
                    std::fs::read(&path).expect("read"),
                    meta.modified().expect("mtime"),
                ),
            );
        }
    }
    out
}

#[test]
fn nothing_is_written_under_the_source_folder() {
    let book = TestBook::new(
        Library::Mini,
        &[
            (
                "ok.md",
                "# Ok\n\n$x$\n\n```rust,run\nprintln!(\"{}\", mini::answer());\n```\n",
            ),
            (
                "sub/inc.md",
                "# Inc\n\n```rust,run\n{{#include ../snippet.rs}}\n```\n",
            ),
        ],
        "",
    );
    book.write("book/snippet.rs", "println!(\"included\");\n");
    let source = book.root().join("book");
    let before = snapshot(&source);
    book.build_ok();
    assert_eq!(snapshot(&source), before);
    assert!(book.page("sub/inc.md").contains("<code>included</code>"));
    book.edit("book/ok.md", "mini::answer()", "mini::nope()");
    let before = snapshot(&source);
    assert!(book.build().is_err());
    assert_eq!(snapshot(&source), before);
}
