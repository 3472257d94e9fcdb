//! Executes a book's chapters: looks each up in the cache, compiles the stale ones in one
//! cargo call, runs them in parallel, stores what succeeded and explains what did not.
//!
//! The work folder is locked for the whole compile-and-run phase, so two builds of one book
//! at once take turns (the second then finds the first's results in the cache).

use crate::cache::{self, Entry, Lookup};
use crate::check::{self as checks, Check};
use crate::config::Settings;
use crate::diagnose::{ChapterError, Place};
use crate::linemap::LineMap;
use crate::markdown::Cell;
use crate::program;
use crate::progress::{Progress, seconds};
use crate::run::{self, CellOutput, Job};
use crate::workspace::{self, Package};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::fs::File;
use std::time::Instant;

/// A chapter to execute.
#[derive(Debug, Clone)]
pub struct Plan {
    /// `book/<chapter>.md`, for messages.
    pub file: String,
    /// Its cells.
    pub cells: Vec<Cell>,
    /// Expanded-to-original lines.
    pub lines: LineMap,
    /// Its package in the generated workspace.
    pub package: String,
}

/// What happened to one chapter.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Output per cell (partial when the program failed).
    pub cells: Vec<CellOutput>,
    /// Where it ran.
    pub device: Option<String>,
    /// How long its program ran when its results were made (ms).
    pub recorded_run_ms: u64,
    /// Time spent running it in this build (ms; 0 on a cache hit).
    pub run_ms: u64,
    /// Time of the cargo call that compiled it in this build (ms; 0 when not compiled).
    pub compile_ms: u64,
    /// Served from the cache.
    pub hit: bool,
    /// Compiled in this build.
    pub compiled: bool,
    /// Run in this build.
    pub ran: bool,
    /// Why it failed.
    pub error: Option<ChapterError>,
    /// The numbers its cells checked (`descent::cell::check`).
    pub checks: Vec<Check>,
    /// Why it was not served from the cache (`changed: cells, library`, ...); `None` on a hit.
    pub reason: Option<String>,
}

/// Executes `plans` (in book order), returning one outcome each.
///
/// # Errors
/// Infrastructure failures only (no cargo, an unwritable work folder); a chapter's own
/// failure is in its [`Outcome`].
pub fn execute(settings: &Settings, plans: &[Plan], progress: &Progress) -> Result<Vec<Outcome>> {
    let mut outcomes = vec![Outcome::default(); plans.len()];
    if plans.is_empty() {
        return Ok(outcomes);
    }
    let global = cache::global_key(settings)?;
    let sources: Vec<String> = plans
        .iter()
        .map(|p| program::main_rs(&p.cells, settings.device_note.as_deref()))
        .collect();
    // The key covers the program as compiled, cell positions included: a cached page never
    // shows a line number (`line!()`, a caught panic's location) the chapter contradicts.
    let keys: Vec<String> = sources
        .iter()
        .map(|main_rs| cache::chapter_key(&global.key, std::slice::from_ref(main_rs)))
        .collect();
    let parts: Vec<_> = sources
        .iter()
        .map(|main_rs| cache::chapter_parts(&global, std::slice::from_ref(main_rs)))
        .collect();
    let mut stale = look_up(settings, plans, &keys, &mut outcomes, progress, true);
    for &i in &stale {
        if outcomes[i].reason.is_some() {
            continue;
        }
        let old = match cache::lookup(&cache::entry_path(settings, &plans[i].package), &keys[i]) {
            Lookup::Miss(old) => old,
            _ => None,
        };
        let reason = cache::miss_reason(old.as_deref(), &parts[i]);
        progress.line(&format!("{} runs ({reason})", plans[i].file));
        outcomes[i].reason = Some(reason);
    }
    let keys: Vec<(String, BTreeMap<String, String>)> = keys.into_iter().zip(parts).collect();
    stale.retain(|&i| {
        let plan = &plans[i];
        let Some((k, line)) = program::misplaced_main(&plan.cells) else {
            return true;
        };
        outcomes[i].error = Some(ChapterError {
            cell: Some(k),
            message: format!(
                "{}:{}: cell {} defines `fn main`, which would never be called: the cells of a \
                 chapter are already the statements of its program's main; write the \
                 statements directly in the cell",
                plan.file,
                plan.lines.original(line),
                k + 1
            ),
        });
        progress.line(&format!("{} failed", plan.file));
        false
    });
    if stale.is_empty() {
        return Ok(outcomes);
    }
    std::fs::create_dir_all(&settings.work_dir)
        .with_context(|| format!("cannot create {}", settings.work_dir.display()))?;
    let lock_path = settings.work_dir.join("lock");
    let lock = File::create(&lock_path)
        .with_context(|| format!("cannot create {}", lock_path.display()))?;
    if lock.try_lock().is_err() {
        progress.line("waiting for another build of this book to finish");
        lock.lock()
            .with_context(|| format!("cannot lock {}", lock_path.display()))?;
    }
    // Holding the lock, nothing under runs/ belongs to a live build of this book.
    crate::process::clean_dead_runs(&settings.work_dir.join("runs"));
    // Another build may have produced some entries while we waited.
    let rechecked: Vec<Plan> = stale.iter().map(|&i| plans[i].clone()).collect();
    let rekeys: Vec<String> = stale.iter().map(|&i| keys[i].0.clone()).collect();
    let mut reoutcomes = vec![Outcome::default(); stale.len()];
    let still = look_up(
        settings,
        &rechecked,
        &rekeys,
        &mut reoutcomes,
        progress,
        false,
    );
    for (j, &i) in stale.iter().enumerate() {
        if reoutcomes[j].hit {
            progress.line(&format!(
                "{} cached (by another build of this book)",
                plans[i].file
            ));
            outcomes[i] = reoutcomes[j].clone();
        }
    }
    stale = still.iter().map(|&j| stale[j]).collect();
    if !stale.is_empty() {
        compile_and_run(
            settings,
            plans,
            &sources,
            &keys,
            &stale,
            &mut outcomes,
            progress,
        )?;
    }
    drop(lock);
    Ok(outcomes)
}

/// Fills hits into `outcomes`; returns the indices of the misses.
fn look_up(
    settings: &Settings,
    plans: &[Plan],
    keys: &[String],
    outcomes: &mut [Outcome],
    progress: &Progress,
    report: bool,
) -> Vec<usize> {
    // Reading and checking the entries (megabytes of figures) is most of a rebuild that
    // changed nothing: one thread per chapter.
    let lookups: Vec<Lookup> = std::thread::scope(|scope| {
        let readers: Vec<_> = plans
            .iter()
            .zip(keys)
            .map(|(plan, key)| {
                scope.spawn(move || cache::lookup(&cache::entry_path(settings, &plan.package), key))
            })
            .collect();
        readers
            .into_iter()
            .map(|reader| reader.join().expect("a cache lookup panicked"))
            .collect()
    });
    let mut stale = Vec::new();
    for (i, (plan, lookup)) in plans.iter().zip(lookups).enumerate() {
        match lookup {
            Lookup::Hit(entry) => {
                if report {
                    progress.line(&format!("{} cached", plan.file));
                }
                outcomes[i] = Outcome {
                    cells: entry.cells,
                    device: entry.device,
                    recorded_run_ms: entry.run_ms,
                    checks: entry.checks,
                    hit: true,
                    ..Outcome::default()
                };
            }
            Lookup::Miss(_) => stale.push(i),
            Lookup::Damaged(why) => {
                if report {
                    progress.line(&format!(
                        "{}: the cache entry is damaged ({why}); running the chapter again",
                        plan.file
                    ));
                }
                outcomes[i].reason = Some(format!("its cache entry is damaged ({why})"));
                stale.push(i);
            }
        }
    }
    stale
}

fn compile_and_run(
    settings: &Settings,
    plans: &[Plan],
    sources: &[String],
    keys: &[(String, BTreeMap<String, String>)],
    stale: &[usize],
    outcomes: &mut [Outcome],
    progress: &Progress,
) -> Result<()> {
    let packages: Vec<Package> = plans
        .iter()
        .enumerate()
        .map(|(i, p)| Package {
            name: p.package.clone(),
            main_rs: sources[i].clone(),
            write_source: stale.contains(&i),
        })
        .collect();
    workspace::write(settings, &packages)?;
    let names: Vec<String> = stale.iter().map(|&i| plans[i].package.clone()).collect();
    progress.line(&format!(
        "compiling {} chapter{} (profile {})",
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        settings.profile
    ));
    let start = Instant::now();
    let report = workspace::build(settings, &names, &|line| progress.line(line))?;
    let compile_ms = start.elapsed().as_millis() as u64;
    progress.line(&format!("compiled in {}", seconds(compile_ms)));
    let mut jobs = Vec::new();
    let mut job_chapter = Vec::new();
    for &i in stale {
        let plan = &plans[i];
        let place = Place {
            file: &plan.file,
            cells: &plan.cells,
            lines: &plan.lines,
        };
        outcomes[i].compile_ms = compile_ms;
        outcomes[i].compiled = true;
        match report.binaries.get(&plan.package) {
            Some(exe) if !report.errors.contains_key(&plan.package) => {
                let keep_stdout = settings
                    .work_dir
                    .join("output")
                    .join(format!("{}.txt", plan.package));
                jobs.push(Job {
                    exe: exe.clone(),
                    cells: plan.cells.len(),
                    run_dir: settings.work_dir.join("runs").join(format!(
                        "{}-{}-{}",
                        plan.package,
                        std::process::id(),
                        workspace::unique()
                    )),
                    keep_display: keep_stdout
                        .strip_prefix(&settings.book_root)
                        .unwrap_or(&keep_stdout)
                        .display()
                        .to_string(),
                    keep_stdout,
                });
                job_chapter.push(i);
            }
            _ => {
                let diagnostics = report
                    .errors
                    .get(&plan.package)
                    .cloned()
                    .unwrap_or_default();
                outcomes[i].error = Some(place.compile_errors(&diagnostics, &report.cargo_stderr));
                progress.line(&format!("{} failed to compile", plan.file));
            }
        }
    }
    if jobs.is_empty() {
        return Ok(());
    }
    progress.start(jobs.len(), "running chapters");
    let env = [("DESCENT_DEVICE", settings.device.as_str())];
    let limits = run::Limits {
        parallel: settings.jobs,
        timeout: settings.timeout,
        output: settings.output_limit,
    };
    let results = run::run_all(&jobs, &limits, &settings.book_root, &env, &|_, _| {
        progress.advance()
    });
    progress.finish();
    for (result, &i) in results.into_iter().zip(&job_chapter) {
        let plan = &plans[i];
        let place = Place {
            file: &plan.file,
            cells: &plan.cells,
            lines: &plan.lines,
        };
        let outcome = &mut outcomes[i];
        outcome.ran = true;
        let finished =
            result.with_context(|| format!("cannot run the program of {}", plan.file))?;
        outcome.run_ms = finished.elapsed.as_millis() as u64;
        outcome.recorded_run_ms = outcome.run_ms;
        outcome.cells = finished.cells.clone();
        outcome.device = finished.device.clone();
        outcome.checks = finished
            .checks
            .iter()
            .map(|(running, r)| Check::place(r.clone(), &plan.cells, *running))
            .collect();
        outcome.error = place.run_error(&finished, settings.timeout);
        if let Some(failed) =
            checks::failures(&outcome.checks, &plan.file, &plan.cells, &plan.lines)
        {
            // A failed check names its own line; the program's error (often that check's
            // `Err` returned through `?`) follows when it says something else.
            let cell = outcome.checks.iter().find(|c| !c.ok).map(|c| c.cell);
            let message = match &outcome.error {
                Some(e) if !e.message.contains("check \"") => format!("{failed}\n{}", e.message),
                _ => failed,
            };
            outcome.error = Some(ChapterError { cell, message });
        }
        match &outcome.error {
            None => {
                progress.line(&format!(
                    "{} ran in {}{}",
                    plan.file,
                    seconds(outcome.run_ms),
                    outcome
                        .device
                        .as_deref()
                        .map(|d| format!(" on {d}"))
                        .unwrap_or_default()
                ));
                let entry = Entry {
                    key: keys[i].0.clone(),
                    device: outcome.device.clone(),
                    run_ms: outcome.run_ms,
                    cells: outcome.cells.clone(),
                    checks: outcome.checks.clone(),
                    parts: keys[i].1.clone(),
                };
                cache::store(&cache::entry_path(settings, &plan.package), &entry)?;
            }
            Some(_) => progress.line(&format!("{} failed", plan.file)),
        }
    }
    Ok(())
}
