//! Runs chapter programs (several at once, each with a time limit, each in a process group of
//! its own: `process.rs`) and splits what each printed into per-cell output (`protocol.rs`).
//!
//! A program runs in a run folder of its own: stdout and stderr go to files there, its figures
//! to `figures/`, its protocol messages to `channel`. Afterwards its whole stdout is kept at
//! the job's `keep_stdout` path (a page shows at most the output limit per cell) and the run
//! folder is removed.

use crate::process;
use crate::program::PROTOCOL_ENV;
use crate::protocol;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Environment variable naming the folder figures are written to (`descent::cell`).
pub const FIGURE_DIR_ENV: &str = "DESCENT_FIGURE_DIR";

/// One piece of a cell's output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Segment {
    /// Printed text.
    Text(String),
    /// An SVG figure, as the cell produced it.
    Figure(String),
    /// The cell printed more than the output limit: `shown` of `total` bytes are in the page,
    /// all of them in `file`.
    Cut {
        /// Bytes shown.
        shown: u64,
        /// Bytes the cell printed.
        total: u64,
        /// Where the whole output of the chapter's program is kept.
        file: String,
    },
}

/// Everything one cell put on the page.
pub type CellOutput = Vec<Segment>;

/// What a finished program left.
#[derive(Debug, Clone)]
pub struct Finished {
    /// Output per cell (as many as the chapter has cells).
    pub cells: Vec<CellOutput>,
    /// The device the program said it ran on.
    pub device: Option<String>,
    /// Index of the cell that was running last.
    pub last_cell: usize,
    /// Whether the program said it finished its last cell.
    pub reached_end: bool,
    /// The error a cell returned, as the program reported it (Display and causes).
    pub returned_error: Option<String>,
    /// Messages of kinds this preprocessor does not use, in order.
    pub other: Vec<(String, String)>,
    /// Its stderr.
    pub stderr: String,
    /// Exit status; `None` when it was killed at the time limit.
    pub status: Option<ExitStatus>,
    /// Wall time.
    pub elapsed: Duration,
    /// A figure named by a message that could not be read.
    pub missing_figure: Option<String>,
}

impl Finished {
    /// Nothing yet, for a program of `cells` cells.
    pub fn empty(cells: usize) -> Self {
        Self {
            cells: vec![Vec::new(); cells.max(1)],
            device: None,
            last_cell: 0,
            reached_end: false,
            returned_error: None,
            other: Vec::new(),
            stderr: String::new(),
            status: None,
            elapsed: Duration::ZERO,
            missing_figure: None,
        }
    }

    /// Whether the program ran to its end: it said so and exited with status 0.
    pub fn complete(&self) -> bool {
        self.reached_end && self.status.is_some_and(|s| s.success())
    }
}

/// A program to run.
#[derive(Debug, Clone)]
pub struct Job {
    /// The executable.
    pub exe: PathBuf,
    /// Cells in the chapter.
    pub cells: usize,
    /// Its run folder (created, then removed).
    pub run_dir: PathBuf,
    /// Where its whole stdout is kept after the run.
    pub keep_stdout: PathBuf,
    /// `keep_stdout` as a page names it.
    pub keep_display: String,
}

/// How programs are run.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Programs at once.
    pub parallel: usize,
    /// Time limit per program.
    pub timeout: Duration,
    /// Bytes of text shown per cell.
    pub output: u64,
}

/// Runs `jobs` in `cwd` with `env`; `done` is told as each finishes.
pub fn run_all(
    jobs: &[Job],
    limits: &Limits,
    cwd: &Path,
    env: &[(&str, &str)],
    done: &(dyn Fn(usize, &std::io::Result<Finished>) + Sync),
) -> Vec<std::io::Result<Finished>> {
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<Option<std::io::Result<Finished>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..limits.parallel.clamp(1, jobs.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let index = {
                        let mut n = next.lock().unwrap_or_else(|e| e.into_inner());
                        let i = *n;
                        *n += 1;
                        i
                    };
                    let Some(job) = jobs.get(index) else { break };
                    let result = run_one(job, limits, cwd, env);
                    let _ = std::fs::remove_dir_all(&job.run_dir);
                    done(index, &result);
                    results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(std::io::Error::other("the program was not run"))))
        .collect()
}

/// Bytes of a program's stderr read back (its end: where a panic or an error is).
const STDERR_TAIL: u64 = 256 * 1024;

/// The last `n` bytes of the file at `path`, as text.
fn tail_of(path: &Path, n: u64) -> std::io::Result<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    let length = file.metadata()?.len();
    file.seek(SeekFrom::Start(length.saturating_sub(n)))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn run_one(
    job: &Job,
    limits: &Limits,
    cwd: &Path,
    env: &[(&str, &str)],
) -> std::io::Result<Finished> {
    let figures = job.run_dir.join("figures");
    std::fs::create_dir_all(&figures)?;
    let stdout = job.run_dir.join("stdout");
    let stderr = job.run_dir.join("stderr");
    let channel = job.run_dir.join("channel");
    std::fs::File::create(&channel)?;
    let start = Instant::now();
    let status = process::run_group(
        Command::new(&job.exe)
            .current_dir(cwd)
            .envs(env.iter().copied())
            .env(FIGURE_DIR_ENV, &figures)
            .env(PROTOCOL_ENV, &channel)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout)?)
            .stderr(std::fs::File::create(&stderr)?),
        limits.timeout,
    )?;
    let elapsed = start.elapsed();
    let mut finished = protocol::split(
        &stdout,
        &std::fs::read(&channel)?,
        job.cells,
        &figures,
        limits.output,
        &job.keep_display,
    )?;
    finished.stderr = tail_of(&stderr, STDERR_TAIL)?;
    finished.status = status;
    finished.elapsed = elapsed;
    if let Some(dir) = job.keep_stdout.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::rename(&stdout, &job.keep_stdout)?;
    Ok(finished)
}
