//! `results.json` in the work folder: what every build did, per chapter (cache hit or miss,
//! device, compile and run times, a hash of each cell's output, the numbers its cells checked,
//! the error), for CI (`mdbook-descent verify`) and benchmarks.

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
    /// Why a miss missed: `"not in the cache"`, `"changed: cells, library"` (the key's parts
    /// that differ from the old entry's: cells, library, lockfile, data, device, toolchain,
    /// settings), ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
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
    /// The numbers its cells checked, in the order they were checked.
    #[serde(default)]
    pub checks: Vec<CheckResult>,
    /// The error, when `status` is `"error"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One checked number (`descent::cell::check`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// `book/<chapter>.md:<line>` of the check.
    pub at: String,
    /// The check's name.
    pub name: String,
    /// The computed value; `null` when it was not finite.
    pub value: Option<f64>,
    /// The published number.
    pub expected: f64,
    /// The largest allowed distance.
    pub tolerance: f64,
    /// Whether the value was within the tolerance.
    pub ok: bool,
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
                reason: o.reason.clone(),
                status: if o.error.is_none() { "ok" } else { "error" }.to_owned(),
                device: o.device.clone(),
                compile_ms: o.compile_ms,
                run_ms: o.run_ms,
                recorded_run_ms: o.recorded_run_ms,
                outputs: o.cells.iter().map(|c| hash_output(c)).collect(),
                checks: o
                    .checks
                    .iter()
                    .map(|c| CheckResult {
                        at: c.location(&plan.file, &plan.cells, &plan.lines),
                        name: c.name.clone(),
                        value: c.value,
                        expected: c.expected,
                        tolerance: c.tolerance,
                        ok: c.ok,
                    })
                    .collect(),
                error: o.error.as_ref().map(|e| e.message.clone()),
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
