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

/// `[preprocessor.descent]` of every fixture on the real library (the `cells` fixtures and
/// the copy of the real book): the repository as the library, this worktree's target folder,
/// a work folder of its own, the `dev` profile, and the dependency set of the real book.
/// All of them have the same dependency set, so `descent` compiles once for all of them.
pub fn descent_settings() -> toml::Table {
    let repo_str = |p: PathBuf| toml::Value::String(p.display().to_string());
    let mut table = toml::Table::new();
    table.insert("library".into(), repo_str(repo()));
    table.insert("target-dir".into(), repo_str(target_dir()));
    table.insert("work-dir".into(), "work".into());
    table.insert("profile".into(), "dev".into());
    table.insert(
        "data".into(),
        toml::Value::Array(vec![repo_str(repo().join("assets/mnist"))]),
    );
    let mut dependencies = real_book_dependencies();
    for (name, spec) in test_build_dependencies() {
        dependencies.entry(name).or_insert(spec);
    }
    table.insert("dependencies".into(), dependencies.into());
    table
}

/// Every crate `cargo test --workspace` builds besides the two members: the library's
/// dev-dependencies and the preprocessor's dependencies and dev-dependencies. The fixture
/// chapters depend on them too (unused, so not linked) only so that Cargo unifies the same
/// features as the test build did: then `descent`'s dependencies (wgpu, naga, ...) are the
/// test build's artefacts, reused, and only `descent` itself compiles for the fixtures.
fn test_build_dependencies() -> toml::Table {
    let manifest = |path: PathBuf| -> toml::Table {
        let text = std::fs::read_to_string(&path).expect("read a manifest");
        toml::from_str(&text).expect("a manifest is TOML")
    };
    let library = manifest(repo().join("Cargo.toml"));
    let preprocessor = manifest(repo().join("preprocessor/Cargo.toml"));
    let mut all = toml::Table::new();
    for (table, key) in [
        (&library, "dev-dependencies"),
        (&preprocessor, "dependencies"),
        (&preprocessor, "dev-dependencies"),
    ] {
        if let Some(deps) = table.get(key).and_then(toml::Value::as_table) {
            for (name, spec) in deps {
                all.entry(name.clone()).or_insert_with(|| spec.clone());
            }
        }
    }
    all
}

/// The crates the real book's cells may use: its `[preprocessor.descent.dependencies]`.
fn real_book_dependencies() -> toml::Table {
    let text = std::fs::read_to_string(repo().join("book.toml")).expect("read book.toml");
    let config: toml::Table = toml::from_str(&text).expect("book.toml is TOML");
    config
        .get("preprocessor")
        .and_then(|p| p.get("descent"))
        .and_then(|d| d.get("dependencies"))
        .and_then(toml::Value::as_table)
        .cloned()
        .unwrap_or_default()
}

/// Which crate a fixture's cells compile against.
pub enum Library {
    /// The real `descent` (for figures and the device note).
    Descent,
    /// A one-function crate `mini` in the fixture's folder: cheap to compile, safe to edit.
    Mini,
}

/// The mini library: an answer, and a check reported the way `descent::cell::check` reports
/// it (one `check` message on the protocol channel), so the protocol is tested without linking
/// `descent`.
const MINI_LIB: &str = r#"//! A tiny library for fixtures.
use std::io::{Seek, Write};

pub fn answer() -> u32 {
    41
}

/// Reports a checked number as `descent::cell::check` does.
pub fn check(name: &str, value: f64, expected: f64, tolerance: f64, line: u32) {
    let ok = (value - expected).abs() <= tolerance;
    let payload = format!(
        "{{\"name\":{name:?},\"value\":{value:?},\"expected\":{expected:?},\"tolerance\":{tolerance:?},\"ok\":{ok},\"file\":\"src/main.rs\",\"line\":{line}}}"
    );
    let Some(channel) = std::env::var_os("DESCENT_PROTOCOL") else { return };
    std::io::stdout().flush().unwrap();
    let offset = {
        use std::os::fd::AsFd;
        let fd = std::io::stdout().as_fd().try_clone_to_owned().unwrap();
        std::fs::File::from(fd).stream_position().unwrap()
    };
    let record = format!("{offset} check {}:{payload}\n", payload.len());
    std::fs::OpenOptions::new()
        .append(true)
        .open(channel)
        .unwrap()
        .write_all(record.as_bytes())
        .unwrap();
}
"#;

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
            Library::Descent => (String::new(), ""),
            Library::Mini => {
                book.write(
                    "mini/Cargo.toml",
                    "[package]\nname = \"mini\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
                );
                book.write("mini/src/lib.rs", MINI_LIB);
                ("library = \"mini\"".to_owned(), "device-note = \"\"\n")
            }
        };
        let settings = match library {
            Library::Descent => {
                let mut table = toml::Table::new();
                table.insert(
                    "preprocessor".into(),
                    toml::Value::Table(toml::Table::from_iter([(
                        "descent".to_owned(),
                        toml::Value::Table(descent_settings()),
                    )])),
                );
                // The table comes last, after `extra`'s keys.
                toml::to_string(&table)
                    .expect("settings")
                    .replace("[preprocessor.descent]\n", "")
            }
            Library::Mini => format!(
                "{library_line}\ntarget-dir = {:?}\nwork-dir = \"work\"\nprofile = \"dev\"\n\
                 data = []\n{note}",
                target_dir().display().to_string()
            ),
        };
        // `extra` may open a sub-table (`[preprocessor.descent.dependencies]`): plain keys go
        // before it. The real library's settings end in their own sub-table, so they go last.
        let (first, last) = match library {
            Library::Descent => (extra, settings.as_str()),
            Library::Mini => (settings.as_str(), extra),
        };
        book.write(
            "book.toml",
            &format!(
                "[book]\ntitle = \"Fixture\"\nsrc = \"book\"\n\n[build]\nbuild-dir = \"out\"\n\n\
                 [preprocessor.descent]\nafter = [\"links\"]\n{first}\n{last}\n"
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
