//! `mdbook-descent verify`: what CI checks after the book command built the book.
//!
//! Two parts, each collecting every problem before reporting: [`chapters`] reads
//! `results.json` (every chapter ran without error, every checked number held; the checked
//! numbers are printed, so a CI log shows what was verified) and [`site`] reads the built HTML
//! (every page of SUMMARY.md exists, nothing is loaded from the network, each page within its
//! weight budget, every internal link and fragment resolves).

pub mod chapters;
pub mod site;

use crate::config::{DEVICE_ENV, RawConfig, Settings};
use anyhow::{Context, Result};
use mdbook_driver::MDBook;
use mdbook_preprocessor::book::BookItem;
use std::path::{Path, PathBuf};

/// Default page weight budget: 1.5 MB (1.5 x 10^6 bytes) per page, its HTML (figures inline)
/// and what it loads beyond the files every page shares (mdBook's theme, cached once).
pub const DEFAULT_BUDGET: u64 = 1_500_000;

/// What to verify.
#[derive(Debug, Clone)]
pub struct Options {
    /// Largest page weight in bytes, the page and every local file it loads, for every page
    /// that `page-budgets` in book.toml does not name.
    pub budget: u64,
    /// Check `results.json` (off to check only a site built elsewhere).
    pub results: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            budget: DEFAULT_BUDGET,
            results: true,
        }
    }
}

/// What verification found: lines to print, then the failures (empty = verified).
#[derive(Debug, Default)]
pub struct Report {
    /// What was verified, for the log.
    pub lines: Vec<String>,
    /// Every problem, each naming its file (and line where there is one).
    pub failures: Vec<String>,
}

/// Verifies the last build of the book at `root`.
///
/// # Errors
/// The book or its settings cannot be read (problems with the build itself are failures in
/// the [`Report`]).
pub fn verify(root: &Path, options: &Options) -> Result<Report> {
    let book = MDBook::load(root)
        .with_context(|| format!("cannot load the book at {}", root.display()))?;
    let raw = RawConfig::from_book(&book.config)?;
    let page_budgets = raw.page_budgets.clone();
    let settings = Settings::resolve(
        raw,
        &book.root,
        &book.config.book.src,
        "2024".to_owned(),
        std::env::var(DEVICE_ENV).ok(),
    )?;
    let mut pages = Vec::new();
    let mut with_cells = Vec::new();
    for item in book.book.iter() {
        let BookItem::Chapter(chapter) = item else {
            continue;
        };
        let Some(path) = &chapter.path else { continue };
        pages.push(path.with_extension("html"));
        if !crate::markdown::scan(&chapter.content).cells.is_empty() {
            let source = chapter.source_path.as_ref().unwrap_or(path);
            with_cells.push(format!(
                "{}/{}",
                settings.src_display.trim_end_matches('/'),
                source.display()
            ));
        }
    }
    let mut report = Report::default();
    let mut budget = site::Budget::all(options.budget);
    for (chapter, kb) in page_budgets {
        let page = Path::new(&chapter).with_extension("html");
        if pages.contains(&page) {
            budget.pages.insert(page, kb.saturating_mul(1000));
        } else {
            report.failures.push(format!(
                "book.toml: [preprocessor.descent] page-budgets names {chapter:?}, which is not \
                 a chapter of SUMMARY.md; use a chapter's file as SUMMARY.md links it (\"mnist.md\")"
            ));
        }
    }
    if options.results {
        chapters::verify(
            &settings.work_dir.join("results.json"),
            &with_cells,
            &mut report,
        );
    }
    let site = site_dir(&book);
    site::verify(&site, &pages, &budget, &mut report);
    Ok(report)
}

/// The HTML renderer's output folder.
fn site_dir(book: &MDBook) -> PathBuf {
    book.build_dir_for("html")
}
