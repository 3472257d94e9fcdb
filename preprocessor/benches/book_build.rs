//! Book build timings (BENCHMARKS.md, "Book builds"): the real book copied to a temporary
//! folder, built in-process against the worktree's target folder in release.
//!
//! - cold: the library is compiled, the chapters are not (a fresh work folder);
//! - rebuild with nothing changed, against two plain mdBook builds, interleaved, medians:
//!   mdBook rendering the same pages (the preprocessor swapped for one that hands back the
//!   book this preprocessor produced, outputs and figures included; the ratio must be
//!   <= 1.3), and mdBook rendering the chapters' sources without their outputs;
//! - one chapter's code edited.
//!
//! Run: `cargo bench -p mdbook-descent --bench book_build`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mdbook_descent::Descent;
use mdbook_preprocessor::book::Book;
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

const RUNS: usize = 11;

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repo")
        .to_path_buf();
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo.join("target"), PathBuf::from);
    let scratch = tempfile::tempdir().expect("temporary folder");
    let root = scratch.path();
    copy_dir(&repo.join("book"), &root.join("book"));
    // book.toml's `additional-css` / `additional-js`; the data stays where it is.
    std::fs::create_dir_all(root.join("assets")).expect("assets folder");
    for file in ["figures.css", "figures.js"] {
        std::fs::copy(
            repo.join("assets").join(file),
            root.join("assets").join(file),
        )
        .expect("copy an asset");
    }
    let config = std::fs::read_to_string(repo.join("book.toml")).expect("book.toml");
    let config = config.replace(
        "[preprocessor.descent]\n",
        &format!(
            "[preprocessor.descent]\nlibrary = {:?}\ntarget-dir = {:?}\nwork-dir = \"work\"\ndata = [{:?}]\n",
            repo.display().to_string(),
            target.display().to_string(),
            repo.join("assets/mnist").display().to_string()
        ),
    );
    std::fs::write(root.join("book.toml"), config).expect("write book.toml");

    // Warm-up in another work folder: compiles the library in release if it is not yet.
    let warm = tempfile::tempdir().expect("temporary folder");
    copy_dir(&root.join("book"), &warm.path().join("book"));
    copy_dir(&root.join("assets"), &warm.path().join("assets"));
    std::fs::write(
        warm.path().join("book.toml"),
        std::fs::read_to_string(root.join("book.toml")).expect("config"),
    )
    .expect("write");
    build(warm.path(), true);

    let cold = build(root, true);
    let cold_results = results(root);
    let replay = Replay::default();
    let mut plain = Vec::new();
    let mut same_pages = Vec::new();
    let mut rebuild = Vec::new();
    for _ in 0..RUNS {
        plain.push(build(root, false));
        rebuild.push(build(root, true));
        same_pages.push(replay.build(root));
    }
    let rebuild_results = results(root);
    let mut edits = Vec::new();
    let chapter = root.join("book/mnist.md");
    let mut current = "println!(\"test:  ".to_owned();
    for i in 0..3 {
        let next = format!("println!(\"test #{i}: ");
        let text = std::fs::read_to_string(&chapter).expect("chapter");
        assert!(
            text.contains(&current),
            "the benchmark edits the test-size line of mnist.md"
        );
        std::fs::write(&chapter, text.replacen(&current, &next, 1)).expect("edit chapter");
        current = next;
        edits.push(build(root, true));
    }
    let edit_results = results(root);
    let (p, r) = (median(&mut plain), median(&mut rebuild));
    let same = median(&mut same_pages[1..]);
    println!("| case | time |");
    println!("|---|---|");
    println!(
        "| cold build (library compiled, chapters not) | {} |",
        ms(cold)
    );
    println!(
        "| plain mdBook, the sources without outputs (median of {RUNS}) | {} |",
        ms(p)
    );
    println!(
        "| plain mdBook, the same pages as the rebuild (median of {}) | {} |",
        RUNS - 1,
        ms(same)
    );
    println!(
        "| rebuild, nothing changed (median of {RUNS}) | {} |",
        ms(r)
    );
    println!(
        "| ratio rebuild / plain mdBook with the same pages | {:.2}x |",
        r.as_secs_f64() / same.as_secs_f64()
    );
    println!(
        "| ratio rebuild / plain mdBook without outputs | {:.2}x |",
        r.as_secs_f64() / p.as_secs_f64()
    );
    println!(
        "| one chapter's code edited (median of 3) | {} |",
        ms(median(&mut edits))
    );
    println!();
    println!("cold results.json: {}", summary(&cold_results));
    println!("rebuild results.json: {}", summary(&rebuild_results));
    println!("edit results.json: {}", summary(&edit_results));
}

fn build(root: &Path, execute: bool) -> Duration {
    let start = Instant::now();
    if let Err(e) = mdbook_descent::build(root, execute) {
        panic!("the book did not build: {e:#}");
    }
    start.elapsed()
}

/// A preprocessor named `descent` that runs the real one once and afterwards hands back the
/// book it produced: plain mdBook rendering exactly the pages a rebuild renders.
#[derive(Clone, Default)]
struct Replay(Arc<Mutex<Option<Book>>>);

impl Replay {
    /// One build with this preprocessor; the first one runs the real preprocessor.
    fn build(&self, root: &Path) -> Duration {
        let start = Instant::now();
        let mut book = mdbook_driver::MDBook::load(root).expect("load the book");
        book.with_preprocessor(self.clone());
        if let Err(e) = book.build() {
            panic!("the book did not build: {e:#}");
        }
        start.elapsed()
    }
}

impl Preprocessor for Replay {
    fn name(&self) -> &str {
        Descent::NAME
    }

    fn run(&self, ctx: &PreprocessorContext, book: Book) -> anyhow::Result<Book> {
        let mut kept = self.0.lock().expect("replay lock");
        if let Some(done) = kept.as_ref() {
            return Ok(done.clone());
        }
        let done = Descent.run(ctx, book)?;
        *kept = Some(done.clone());
        Ok(done)
    }
}

fn results(root: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(root.join("work/results.json")).expect("results"))
        .expect("json")
}

fn summary(r: &serde_json::Value) -> String {
    let chapters: Vec<String> = r["chapters"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    format!(
                        "{} {} compile {} ms run {} ms",
                        c["chapter"].as_str().unwrap_or("?"),
                        c["cache"].as_str().unwrap_or("?"),
                        c["compile_ms"],
                        c["run_ms"]
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    format!(
        "compiled {} ran {}; {}",
        r["compiled"],
        r["ran"],
        chapters.join("; ")
    )
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("list") {
        let path = entry.expect("entry").path();
        let dest = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).expect("copy");
        }
    }
}
