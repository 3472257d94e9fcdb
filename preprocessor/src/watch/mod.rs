//! `mdbook-descent watch` / `serve`: the authoring loop. Builds the book, then rebuilds it
//! whenever a watched file changes (`paths.rs`: chapters, the library, the lockfile, data,
//! `book.toml`; never the build's own outputs), debounced, and says which chapters re-ran
//! and why (the cache-miss reason from `results.json`). `serve` also serves the site on
//! localhost and reloads open pages after each rebuild (`server.rs`).

pub mod paths;
pub mod server;

use crate::config::Settings;
use crate::results::Results;
use anyhow::{Context, Result};
use mdbook_driver::MDBook;
use notify_debouncer_full::notify::EventKind;
use notify_debouncer_full::notify::event::{MetadataKind, ModifyKind};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use paths::Watched;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

/// How the loop runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Serve the site on this address (port 0: any free port); `None`: only rebuild.
    pub serve: Option<SocketAddr>,
    /// How long the files must be quiet before a rebuild (an editor's save is several events).
    pub debounce: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            serve: None,
            debounce: Duration::from_millis(300),
        }
    }
}

/// Builds the book at `root`, then rebuilds it on every change until the process is stopped.
/// A failed build is reported and the loop goes on (the site keeps its last good pages).
///
/// # Errors
/// The book cannot be loaded at the start, its settings are bad, the watcher cannot start,
/// or the address cannot be served.
pub fn watch(root: &Path, options: &Options) -> Result<()> {
    let book = MDBook::load(root)
        .with_context(|| format!("cannot load the book at {}", root.display()))?;
    let settings = Settings::from_config(&book.config, &book.root)?;
    let watched = Watched::of(&book, &settings);
    let site = match options.serve {
        Some(addr) => {
            let site = server::Site::start(addr, book.build_dir_for("html"), 4)?;
            say(&format!("serving http://{}/", site.addr()));
            Some(site)
        }
        None => None,
    };
    let (tx, rx) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(options.debounce, None, tx).context("cannot watch files")?;
    for (folder, mode) in watched.roots() {
        debouncer
            .watch(&folder, mode)
            .with_context(|| format!("cannot watch {}", folder.display()))?;
    }
    let results = settings.work_dir.join("results.json");
    rebuild(root, &results, 0, site.as_ref());
    say("watching for changes (Ctrl-C stops)");
    let mut number = 0;
    while let Ok(first) = rx.recv() {
        let mut changed = relevant(&watched, first);
        // Events that came during the wait belong to the same rebuild.
        while let Ok(more) = rx.try_recv() {
            changed.extend(relevant(&watched, more));
        }
        changed.sort();
        changed.dedup();
        if changed.is_empty() {
            continue;
        }
        number += 1;
        let names: Vec<String> = changed
            .iter()
            .map(|p| {
                p.strip_prefix(&settings.book_root)
                    .unwrap_or(p)
                    .display()
                    .to_string()
            })
            .collect();
        say(&format!("rebuild {number}: changed {}", names.join(", ")));
        rebuild(root, &results, number, site.as_ref());
    }
    Ok(())
}

/// The changed paths of one batch of events that call for a rebuild: files created, written,
/// renamed or removed. Reads never count (the build itself opens every chapter), nor do
/// access-time updates.
fn relevant(watched: &Watched, events: DebounceEventResult) -> Vec<PathBuf> {
    match events {
        Ok(events) => events
            .into_iter()
            .filter(|e| is_change(&e.kind))
            .flat_map(|e| e.event.paths)
            .filter(|p| watched.counts(p))
            .collect(),
        Err(errors) => {
            for error in errors {
                say(&format!("file watching reported: {error}"));
            }
            Vec::new()
        }
    }
}

/// Whether an event kind changes a file's contents, name or existence.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) | EventKind::Any => true,
        EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::AccessTime | MetadataKind::Ownership | MetadataKind::Permissions,
        )) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(_) | EventKind::Other => false,
    }
}

/// One build (the book reloaded, so `SUMMARY.md` and `book.toml` edits count), then what it
/// did: each chapter that ran with its reason, how many came from the cache.
fn rebuild(root: &Path, results: &Path, number: usize, site: Option<&server::Site>) {
    let before = modified(results);
    let start = Instant::now();
    let built = crate::build(root, true);
    let elapsed = start.elapsed().as_secs_f64();
    if modified(results) != before
        && let Some(summary) = std::fs::read_to_string(results)
            .ok()
            .and_then(|text| serde_json::from_str::<Results>(&text).ok())
    {
        for line in summary_lines(&summary) {
            say(&line);
        }
    }
    match built {
        Ok(()) => {
            // Pages reload first: whoever reads the line below sees the new version.
            if let Some(site) = site {
                site.rebuilt();
            }
            say(&format!("build {number} done in {elapsed:.1} s"));
        }
        Err(error) => say(&format!(
            "build {number} failed in {elapsed:.1} s (the site keeps its last pages):\n{error:#}"
        )),
    }
}

/// `re-ran book/a.md (changed: cells)` per chapter that ran, and the count served from the
/// cache.
pub fn summary_lines(results: &Results) -> Vec<String> {
    let mut lines: Vec<String> = results
        .chapters
        .iter()
        .filter(|c| c.cache != "hit")
        .map(|c| {
            format!(
                "re-ran {} ({}){}",
                c.chapter,
                c.reason.as_deref().unwrap_or("not cached"),
                if c.status == "ok" { "" } else { ": failed" }
            )
        })
        .collect();
    let hits = results.chapters.iter().filter(|c| c.cache == "hit").count();
    lines.push(format!(
        "{} chapter{} re-ran, {hits} from the cache",
        lines.len(),
        if lines.len() == 1 { "" } else { "s" }
    ));
    lines
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// One line of the loop's own output, on stderr like the build's progress.
fn say(text: &str) {
    eprintln!("descent watch: {text}");
}
