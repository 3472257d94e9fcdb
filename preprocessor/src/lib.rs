//! `mdbook-descent`: an mdBook preprocessor that compiles and runs a book's Rust cells at
//! build time and puts their output and figures in the page, with maths rendered to MathML.
//!
//! A cell is a fenced block with the info string `rust,run`. All cells of a chapter form one
//! program, run in order; each cell's stdout and figures appear below it. Results are cached
//! under a key that covers everything that could change them. See `ARCHITECTURE.md`.
//!
//! The binary's entry points are [`build`] (build a book in-process, no `mdbook` needed),
//! [`supports`] and [`preprocess_stdio`] (mdBook's preprocessor protocol).
#![warn(missing_docs)]

pub mod cache;
pub mod check;
pub mod config;
pub mod data_hash;
pub mod diagnose;
pub mod exec;
pub mod linemap;
pub mod markdown;
pub mod maths;
pub mod playground;
pub mod preprocess;
pub mod process;
pub mod program;
pub mod progress;
pub mod protocol;
pub mod render;
pub mod results;
pub mod run;
pub mod svg;
pub mod toolchain;
pub mod verify;
pub mod wasm;
pub mod watch;
pub mod workspace;

pub use preprocess::Descent;

/// The library's own parser of the device setting (`descent::device::DeviceChoice`), the same
/// file compiled here, so the preprocessor accepts exactly what the library does.
#[allow(dead_code)]
#[path = "../../src/device/choice.rs"]
mod device_choice;

use anyhow::{Context, Result};
use mdbook_driver::MDBook;
use mdbook_preprocessor::book::Book;
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};
use std::path::Path;

/// Builds the book at `root` in-process, with this preprocessor registered (after `links`,
/// so `{{#include}}` is expanded first). With `execute = false` the preprocessor is replaced
/// by one that changes nothing: plain mdBook, for comparisons.
///
/// # Errors
/// The book cannot be loaded, a chapter fails, or a renderer fails.
pub fn build(root: &Path, execute: bool) -> Result<()> {
    let mut book = MDBook::load(root)
        .with_context(|| format!("cannot load the book at {}", root.display()))?;
    if execute {
        book.with_preprocessor(Descent);
    } else {
        book.with_preprocessor(Unchanged);
    }
    book.build()
        .with_context(|| format!("building the book at {} failed", root.display()))
}

/// A preprocessor named `descent` that returns the book as it is.
struct Unchanged;

impl Preprocessor for Unchanged {
    fn name(&self) -> &str {
        Descent::NAME
    }

    fn run(&self, _ctx: &PreprocessorContext, book: Book) -> Result<Book> {
        Ok(book)
    }
}

/// Whether the preprocessor supports `renderer` (all of them: `test` gets its cells marked
/// `ignore`, the others get executed cells).
pub fn supports(renderer: &str) -> bool {
    Descent.supports_renderer(renderer).unwrap_or(false)
}

/// mdBook's preprocessor protocol: `[context, book]` as JSON on `input`, the book on `output`.
///
/// # Errors
/// Unreadable input, or the preprocessing fails.
pub fn preprocess_stdio(input: impl std::io::Read, output: impl std::io::Write) -> Result<()> {
    let (ctx, book) =
        mdbook_preprocessor::parse_input(input).context("cannot read the book from mdBook")?;
    let book = Descent.run(&ctx, book)?;
    serde_json::to_writer(output, &book).context("cannot hand the book back to mdBook")
}
