//! Runs chapter programs (several at once, each with a time limit) and splits what each
//! printed into per-cell output: text and figures, in the order the cell produced them.

use crate::program::MARKER;
use serde::{Deserialize, Serialize};
use std::io::Read;
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
    /// Whether the program printed its end marker.
    pub reached_end: bool,
    /// Its stderr.
    pub stderr: String,
    /// Exit status; `None` when it was killed at the time limit.
    pub status: Option<ExitStatus>,
    /// Wall time.
    pub elapsed: Duration,
    /// A figure named by a marker that could not be read.
    pub missing_figure: Option<String>,
    /// Checked numbers (`descent::cell::check`), each with the cell running when it came.
    pub checks: Vec<(usize, crate::check::Reported)>,
}

/// A program to run.
#[derive(Debug, Clone)]
pub struct Job {
    /// The executable.
    pub exe: PathBuf,
    /// Cells in the chapter.
    pub cells: usize,
    /// Folder for its figures (created, then removed).
    pub figure_dir: PathBuf,
}

/// Runs `jobs` with at most `parallel` at once; `done` is told as each finishes.
pub fn run_all(
    jobs: &[Job],
    parallel: usize,
    cwd: &Path,
    env: &[(&str, &str)],
    timeout: Duration,
    done: &(dyn Fn(usize, &std::io::Result<Finished>) + Sync),
) -> Vec<std::io::Result<Finished>> {
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<Option<std::io::Result<Finished>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..parallel.clamp(1, jobs.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let index = {
                        let mut n = next.lock().unwrap_or_else(|e| e.into_inner());
                        let i = *n;
                        *n += 1;
                        i
                    };
                    let Some(job) = jobs.get(index) else { break };
                    let result = run_one(job, cwd, env, timeout);
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

fn run_one(
    job: &Job,
    cwd: &Path,
    env: &[(&str, &str)],
    timeout: Duration,
) -> std::io::Result<Finished> {
    std::fs::create_dir_all(&job.figure_dir)?;
    let start = Instant::now();
    let mut child = Command::new(&job.exe)
        .current_dir(cwd)
        .envs(env.iter().copied())
        .env(FIGURE_DIR_ENV, &job.figure_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut out = child
        .stdout
        .take()
        .ok_or_else(|| std::io::Error::other("no stdout"))?;
    let mut err = child
        .stderr
        .take()
        .ok_or_else(|| std::io::Error::other("no stderr"))?;
    let out_thread = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = out.read_to_end(&mut bytes);
        bytes
    });
    let err_thread = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = err.read_to_end(&mut bytes);
        bytes
    });
    let mut pause = Duration::from_millis(1);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if start.elapsed() >= timeout {
            child.kill()?;
            child.wait()?;
            break None;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    };
    let elapsed = start.elapsed();
    let stdout = out_thread.join().unwrap_or_default();
    let stderr = err_thread.join().unwrap_or_default();
    let mut finished = split(
        &String::from_utf8_lossy(&stdout),
        job.cells,
        &job.figure_dir,
    );
    finished.stderr = String::from_utf8_lossy(&stderr).into_owned();
    finished.status = status;
    finished.elapsed = elapsed;
    let _ = std::fs::remove_dir_all(&job.figure_dir);
    Ok(finished)
}

/// Splits a program's stdout at its marker lines, reading figures from `figure_dir`.
pub fn split(stdout: &str, cells: usize, figure_dir: &Path) -> Finished {
    let mut finished = Finished {
        cells: vec![Vec::new(); cells.max(1)],
        device: None,
        last_cell: 0,
        reached_end: false,
        stderr: String::new(),
        status: None,
        elapsed: Duration::ZERO,
        missing_figure: None,
        checks: Vec::new(),
    };
    let mut current = 0usize;
    for line in stdout.split_inclusive('\n') {
        let (text, marker) = match line.find(MARKER) {
            Some(at) => (&line[..at], Some(line[at + MARKER.len()..].trim_end())),
            None => (line, None),
        };
        if !text.is_empty() {
            push_text(&mut finished.cells[current], text);
        }
        let Some(marker) = marker else { continue };
        if let Some(k) = marker.strip_prefix("cell:") {
            if let Ok(k) = k.parse::<usize>()
                && k < finished.cells.len()
            {
                current = k;
            }
        } else if let Some(name) = marker.strip_prefix("figure:") {
            let valid = !name.is_empty() && !name.contains(['/', '\\']) && name != "..";
            match std::fs::read_to_string(figure_dir.join(name)) {
                Ok(svg) if valid => finished.cells[current].push(Segment::Figure(svg)),
                _ => finished.missing_figure = Some(name.to_owned()),
            }
        } else if let Some(json) = marker.strip_prefix(crate::check::MARKER_KIND) {
            let report = crate::check::Reported::parse(json);
            finished.checks.push((current, report));
        } else if let Some(device) = marker.strip_prefix("device:") {
            finished.device = Some(device.to_owned());
        } else if marker == "end" {
            finished.reached_end = true;
        }
    }
    finished.cells.truncate(cells);
    finished.last_cell = current;
    finished
}

fn push_text(output: &mut CellOutput, text: &str) {
    if let Some(Segment::Text(last)) = output.last_mut() {
        last.push_str(text);
    } else {
        output.push(Segment::Text(text.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_split_per_cell() {
        let out = "\u{1e}descent:cell:0\na\nb\n\u{1e}descent:cell:1\nc\u{1e}descent:cell:2\n\u{1e}descent:device:CPU\n\u{1e}descent:end\n";
        let f = split(out, 3, Path::new("/nonexistent"));
        assert_eq!(f.cells[0], vec![Segment::Text("a\nb\n".into())]);
        assert_eq!(f.cells[1], vec![Segment::Text("c".into())]);
        assert!(f.cells[2].is_empty());
        assert_eq!(f.device.as_deref(), Some("CPU"));
        assert!(f.reached_end);
        assert_eq!(f.last_cell, 2);
    }

    #[test]
    fn figures_are_read_in_order_with_the_text() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f.svg"), "<svg/>").unwrap();
        let out = "\u{1e}descent:cell:0\nbefore\n\u{1e}descent:figure:f.svg\nafter\n";
        let f = split(out, 1, dir.path());
        assert_eq!(
            f.cells[0],
            vec![
                Segment::Text("before\n".into()),
                Segment::Figure("<svg/>".into()),
                Segment::Text("after\n".into())
            ]
        );
        assert!(!f.reached_end);
    }

    #[test]
    fn checks_are_kept_with_the_running_cell() {
        let out = "\u{1e}descent:cell:1\n\u{1e}descent:check:{\"name\":\"x\",\"value\":1.0,\"expected\":1.0,\"tolerance\":0.0,\"ok\":true,\"file\":\"a/src/main.rs\",\"line\":4}\n";
        let f = split(out, 2, Path::new("/nonexistent"));
        assert_eq!(f.checks.len(), 1);
        assert_eq!(f.checks[0].0, 1);
        assert!(f.checks[0].1.ok && f.checks[0].1.line == 4);
        assert!(f.cells[1].is_empty(), "a check prints nothing on the page");
    }

    #[test]
    fn a_figure_name_cannot_escape_its_folder() {
        let f = split("\u{1e}descent:figure:../x\n", 1, Path::new("/tmp"));
        assert_eq!(f.missing_figure.as_deref(), Some("../x"));
    }
}
