//! The preprocessor itself: reads the settings, finds the cells and maths of every chapter,
//! executes the chapters, rewrites their Markdown, writes `results.json`, and fails the build
//! (or renders the errors) when something went wrong.

use crate::config::{OnError, Settings};
use crate::exec::{self, Outcome, Plan};
use crate::linemap::LineMap;
use crate::markdown::{self, Scan};
use crate::progress::Progress;
use crate::render::{self, Edit};
use crate::results;
use crate::{maths, playground, program};
use anyhow::{Result, bail};
use mdbook_preprocessor::book::{Book, BookItem};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// The `descent` preprocessor: runs `rust,run` cells and renders `$maths$`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Descent;

impl Descent {
    /// Its name, as in `[preprocessor.descent]`.
    pub const NAME: &'static str = "descent";
}

impl Preprocessor for Descent {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn run(&self, ctx: &PreprocessorContext, book: Book) -> Result<Book> {
        process(ctx, book)
    }

    fn supports_renderer(&self, _renderer: &str) -> Result<bool> {
        Ok(true)
    }
}

/// One chapter's findings.
struct Found {
    key: PathBuf,
    file: String,
    content: String,
    scan: Scan,
    lines: LineMap,
}

/// Preprocesses `book` for `ctx.renderer`.
///
/// # Errors
/// Bad settings, a chapter that fails (unless `on-error = "render"`), or a build step that
/// cannot run.
pub fn process(ctx: &PreprocessorContext, mut book: Book) -> Result<Book> {
    let settings = Settings::from_context(ctx)?;
    let execute = ctx.renderer != "test";
    let progress = Progress::new();
    // Package names (and so cache entries and binaries) are the book's own: two books that
    // share a target or work folder keep each other's cache.
    let book_tag =
        blake3::hash(settings.book_root.to_string_lossy().as_bytes()).to_hex()[..8].to_owned();
    let mut found = Vec::new();
    for item in book.iter() {
        let BookItem::Chapter(chapter) = item else {
            continue;
        };
        let Some(key) = chapter.path.clone() else {
            continue;
        };
        let source = chapter.source_path.clone().unwrap_or_else(|| key.clone());
        let file = format!(
            "{}/{}",
            settings.src_display.trim_end_matches('/'),
            source.display()
        );
        let scan = markdown::scan(&chapter.content);
        let lines = match std::fs::read_to_string(settings.src_dir.join(&source)) {
            Ok(original) if !scan.cells.is_empty() || !scan.maths.is_empty() => {
                LineMap::new(&chapter.content, &original)
            }
            _ => LineMap::identity(),
        };
        found.push(Found {
            key,
            file,
            content: chapter.content.clone(),
            scan,
            lines,
        });
    }

    let with_cells: Vec<usize> = (0..found.len())
        .filter(|&i| !found[i].scan.cells.is_empty())
        .collect();
    let mut outcomes: HashMap<usize, Outcome> = HashMap::new();
    if execute {
        let mut taken = HashSet::new();
        let plans: Vec<Plan> = with_cells
            .iter()
            .map(|&i| {
                let f = &found[i];
                let mut package = program::package_name(&f.key.to_string_lossy(), &book_tag);
                let mut n = 2;
                while !taken.insert(package.clone()) {
                    package = format!(
                        "{}-{n}",
                        program::package_name(&f.key.to_string_lossy(), &book_tag)
                    );
                    n += 1;
                }
                Plan {
                    file: f.file.clone(),
                    cells: f.scan.cells.clone(),
                    lines: f.lines.clone(),
                    package,
                }
            })
            .collect();
        let results = exec::execute(&settings, &plans, &progress)?;
        results::write(&settings, &ctx.renderer, &plans, &results)?;
        outcomes.extend(with_cells.iter().copied().zip(results));
    }

    // The live playground, built once for every chapter that asks for it (not for a build
    // that its markers' errors fail anyway).
    let mut errors: Vec<String> = Vec::new();
    for f in &found {
        for (line, why) in playground::check(&f.content) {
            errors.push(format!("{}:{}: {why}", f.file, f.lines.original(line)));
        }
    }
    let render_errors = settings.on_error == OnError::Render;
    let playground_block = if execute
        && (errors.is_empty() || render_errors)
        && found.iter().any(|f| playground::wanted(&f.content))
    {
        Some(playground::block(&settings, &progress)?)
    } else {
        None
    };

    let mut pages: HashMap<PathBuf, String> = HashMap::new();
    let mut ids = HashSet::new();
    for (i, f) in found.iter().enumerate() {
        if f.scan.cells.is_empty() && f.scan.maths.is_empty() {
            continue;
        }
        let mut edits: Vec<Edit> = Vec::new();
        for m in &f.scan.maths {
            match maths::render(&m.latex, m.display) {
                Ok(html) => edits.push((m.span.clone(), html)),
                Err(why) => {
                    let message = format!(
                        "{}:{}: cannot render the formula `{}`: {why}; fix the LaTeX, or write \
                         \\$ for a literal dollar sign",
                        f.file,
                        f.lines.original(m.line),
                        m.latex
                    );
                    edits.push((m.span.clone(), render::error_block(&message)));
                    errors.push(message);
                }
            }
        }
        let outcome = outcomes.get(&i);
        let error = outcome.and_then(|o| o.error.as_ref());
        if let Some(e) = error {
            errors.push(e.message.clone());
        }
        let error_cell = error.map(|e| e.cell.unwrap_or(0));
        for (k, cell) in f.scan.cells.iter().enumerate() {
            let output = outcome.and_then(|o| o.cells.get(k)).map(Vec::as_slice);
            let shown_error = error
                .filter(|_| error_cell == Some(k))
                .map(|e| e.message.as_str());
            edits.push((
                cell.span.clone(),
                render::cell(cell, &ctx.renderer, output, shown_error, &mut ids),
            ));
        }
        let mut page = render::splice(&f.content, edits);
        if let Some(o) = outcome.filter(|o| o.error.is_none()) {
            let device = render::device_for_note(o.device.as_deref(), &o.cells);
            page.push_str(&render::note(device, o.recorded_run_ms));
        }
        pages.insert(f.key.clone(), page);
    }

    if let Some(block) = &playground_block {
        for f in found.iter().filter(|f| playground::wanted(&f.content)) {
            let page = pages.remove(&f.key).unwrap_or_else(|| f.content.clone());
            let spliced = playground::splice(&page, block, render::error_block);
            pages.insert(f.key.clone(), spliced);
        }
    }

    if !errors.is_empty() && !render_errors {
        bail!(
            "{}\n(the book was not built; fix the errors above, or set on-error = \"render\" \
             under [preprocessor.descent] in book.toml to show them in the page)",
            errors.join("\n")
        );
    }
    for e in &errors {
        progress.line(&format!("error shown in the page: {}", first_line(e)));
    }
    book.for_each_chapter_mut(|chapter| {
        if let Some(path) = &chapter.path
            && let Some(page) = pages.remove(path)
        {
            chapter.content = page;
        }
    });
    Ok(book)
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}
