//! `results.json` in the work folder: what every build did, per chapter (cache hit or miss,
//! device, compile and run times, a hash of each cell's output), for CI and benchmarks.

use crate::config::Settings;
use crate::exec::{Outcome, Plan};
use crate::run::Segment;
use crate::workspace::atomic_write;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// The whole file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// This preprocessor's version.
    pub preprocessor: String,
    /// The renderer the book was preprocessed for.
    pub renderer: String,
    /// The device setting passed to the programs.
    pub device_setting: String,
    /// Chapters compiled in this build.
    pub compiled: usize,
    /// Chapter programs run in this build.
    pub ran: usize,
    /// One entry per chapter with cells, in book order.
    pub chapters: Vec<ChapterResult>,
}

/// One chapter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChapterResult {
    /// `book/<chapter>.md`.
    pub chapter: String,
    /// `"hit"` or `"miss"`.
    pub cache: String,
    /// `"ok"` or `"error"`.
    pub status: String,
    /// Where its code ran.
    pub device: Option<String>,
    /// Compile time in this build (ms).
    pub compile_ms: u64,
    /// Run time in this build (ms).
    pub run_ms: u64,
    /// Run time when its results were made (ms).
    pub recorded_run_ms: u64,
    /// BLAKE3 of each cell's output (text and figures).
    pub outputs: Vec<String>,
}

/// Writes `results.json` for this build.
///
/// # Errors
/// The work folder cannot be written.
pub fn write(
    settings: &Settings,
    renderer: &str,
    plans: &[Plan],
    outcomes: &[Outcome],
) -> Result<()> {
    let results = Results {
        preprocessor: env!("CARGO_PKG_VERSION").to_owned(),
        renderer: renderer.to_owned(),
        device_setting: settings.device.clone(),
        compiled: outcomes.iter().filter(|o| o.compiled).count(),
        ran: outcomes.iter().filter(|o| o.ran).count(),
        chapters: plans
            .iter()
            .zip(outcomes)
            .map(|(plan, o)| ChapterResult {
                chapter: plan.file.clone(),
                cache: if o.hit { "hit" } else { "miss" }.to_owned(),
                status: if o.error.is_none() { "ok" } else { "error" }.to_owned(),
                device: o.device.clone(),
                compile_ms: o.compile_ms,
                run_ms: o.run_ms,
                recorded_run_ms: o.recorded_run_ms,
                outputs: o.cells.iter().map(|c| hash_output(c)).collect(),
            })
            .collect(),
    };
    let text = serde_json::to_string_pretty(&results).context("cannot encode results.json")?;
    atomic_write(&settings.work_dir.join("results.json"), text.as_bytes())
}

fn hash_output(segments: &[Segment]) -> String {
    let mut h = blake3::Hasher::new();
    for s in segments {
        let cut;
        let (tag, body) = match s {
            Segment::Text(t) => ("text", t),
            Segment::Figure(f) => ("figure", f),
            Segment::Cut { shown, total, file } => {
                cut = format!("{shown} {total} {file}");
                ("cut", &cut)
            }
        };
        h.update(tag.as_bytes());
        h.update(&(body.len() as u64).to_le_bytes());
        h.update(body.as_bytes());
    }
    h.finalize().to_hex().to_string()
}
