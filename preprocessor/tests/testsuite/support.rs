//! The fixture-book helper: writes a small book in a temporary folder, builds it in-process
//! through `mdbook_descent::build`, and reads back pages, `results.json` and cache entries.
//!
//! Fixtures share the worktree's target folder (so `descent` and its dependencies compile
//! once) but each has its own work folder (generated workspace, cache, results).

use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The repository root (the `descent` library).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the preprocessor lives in the repository")
        .to_path_buf()
}

/// Cargo's target folder for this worktree.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo().join("target"), PathBuf::from)
}

/// Which crate a fixture's cells compile against.
pub enum Library {
    /// The real `descent` (for figures and the device note).
    Descent,
    /// A one-function crate `mini` in the fixture's folder: cheap to compile, safe to edit.
    Mini,
}

/// A book in a temporary folder.
pub struct TestBook {
    dir: TempDir,
}

impl TestBook {
    /// A book with `chapters` (`(file name, Markdown)`), listed in SUMMARY.md in order, and
    /// `extra` appended under `[preprocessor.descent]`.
    pub fn new(library: Library, chapters: &[(&str, &str)], extra: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("descent-fixture-")
            .tempdir()
            .expect("temporary folder");
        let book = Self { dir };
        let (library_line, note) = match library {
            Library::Descent => (format!("library = {:?}", repo().display().to_string()), ""),
            Library::Mini => {
                book.write(
                    "mini/Cargo.toml",
                    "[package]\nname = \"mini\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
                );
                book.write(
                    "mini/src/lib.rs",
                    "//! A tiny library for fixtures.\npub fn answer() -> u32 {\n    41\n}\n",
                );
                ("library = \"mini\"".to_owned(), "device-note = \"\"\n")
            }
        };
        book.write(
            "book.toml",
            &format!(
                "[book]\ntitle = \"Fixture\"\nsrc = \"book\"\n\n[build]\nbuild-dir = \"out\"\n\n\
                 [preprocessor.descent]\nafter = [\"links\"]\n{library_line}\ntarget-dir = {:?}\n\
                 work-dir = \"work\"\nprofile = \"dev\"\ndata = []\n{note}{extra}\n",
                target_dir().display().to_string()
            ),
        );
        let mut summary = String::from("# Summary\n\n");
        for (name, content) in chapters {
            summary.push_str(&format!("- [{name}]({name})\n"));
            book.write(&format!("book/{name}"), content);
        }
        book.write("book/SUMMARY.md", &summary);
        book
    }

    /// The book's root folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file under the root.
    pub fn write(&self, rel: &str, content: &str) {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create folder");
        std::fs::write(path, content).expect("write fixture file");
    }

    /// Reads a file under the root.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root().join(rel))
            .unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    /// Replaces `from` by `to` in a file under the root.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// Builds the book; `Err` holds the whole error chain as one string.
    pub fn build(&self) -> Result<(), String> {
        mdbook_descent::build(self.root(), true).map_err(|e| format!("{e:#}"))
    }

    /// Builds the book and panics with the error if it fails.
    pub fn build_ok(&self) -> &Self {
        if let Err(e) = self.build() {
            panic!("the fixture book did not build:\n{e}");
        }
        self
    }

    /// The built HTML page of chapter `name` (`a.md` -> `out/a.html`), `<main>` only.
    pub fn page(&self, name: &str) -> String {
        let html = self.read(&format!("out/{}", name.replace(".md", ".html")));
        let start = html.find("<main>").unwrap_or(0);
        let end = html.find("</main>").unwrap_or(html.len());
        html[start..end].to_owned()
    }

    /// `results.json` of the last build.
    pub fn results(&self) -> serde_json::Value {
        serde_json::from_str(&self.read("work/results.json")).expect("results.json is JSON")
    }

    /// The `cache` field of chapter `file` (`book/a.md`) in `results.json`.
    pub fn cache_state(&self, file: &str) -> String {
        let results = self.results();
        let chapters = results["chapters"].as_array().expect("chapters");
        let chapter = chapters
            .iter()
            .find(|c| c["chapter"] == file)
            .unwrap_or_else(|| panic!("{file} not in results.json: {results}"));
        chapter["cache"].as_str().expect("cache state").to_owned()
    }

    /// How many chapters the last build compiled and ran.
    pub fn compiled_and_ran(&self) -> (u64, u64) {
        let r = self.results();
        (
            r["compiled"].as_u64().expect("compiled"),
            r["ran"].as_u64().expect("ran"),
        )
    }

    /// The cache entry files.
    pub fn cache_entries(&self) -> Vec<PathBuf> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(self.root().join("work/cache"))
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        entries
    }
}

/// `needle` occurs in `haystack` after `anchor`, and before `stop` when given.
pub fn appears_between(haystack: &str, anchor: &str, needle: &str, stop: Option<&str>) -> bool {
    let Some(a) = haystack.find(anchor) else {
        return false;
    };
    let rest = &haystack[a + anchor.len()..];
    let Some(n) = rest.find(needle) else {
        return false;
    };
    stop.is_none_or(|s| rest.find(s).is_some_and(|s| n < s))
}
