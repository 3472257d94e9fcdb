//! `results.json` checked for CI: every chapter with cells ran in the last build and ended
//! without error, and every number its cells checked held. Each checked number goes into the
//! log with its file and line.

use super::Report;
use crate::results::Results;
use std::path::Path;

/// Checks `results` (the file) against the chapters that have cells (`book/x.md`).
pub fn verify(results: &Path, with_cells: &[String], report: &mut Report) {
    let text = match std::fs::read_to_string(results) {
        Ok(text) => text,
        Err(e) => {
            report.failures.push(format!(
                "{}: cannot read it ({e}); build the book first with \
                 `cargo run --release -p mdbook-descent -- build`",
                results.display()
            ));
            return;
        }
    };
    let parsed: Results = match serde_json::from_str(&text) {
        Ok(parsed) => parsed,
        Err(e) => {
            report.failures.push(format!(
                "{}: not a results file of this preprocessor ({e}); build the book again",
                results.display()
            ));
            return;
        }
    };
    judge(&parsed, with_cells, &results.display().to_string(), report);
}

/// The checks on a parsed results file named `name`.
pub fn judge(results: &Results, with_cells: &[String], name: &str, report: &mut Report) {
    if results.renderer != "html" {
        report.failures.push(format!(
            "{name}: written for the {:?} renderer, not html; build the book again",
            results.renderer
        ));
    }
    for file in with_cells {
        if !results.chapters.iter().any(|c| &c.chapter == file) {
            report.failures.push(format!(
                "{file}: has cells but is not in {name}; build the book again"
            ));
        }
    }
    let mut checked = 0;
    for chapter in &results.chapters {
        let cached = if chapter.cache == "hit" {
            "cached"
        } else {
            "ran"
        };
        report.lines.push(format!(
            "{}: {} ({cached}{}), {} checked number{}",
            chapter.chapter,
            chapter.status,
            chapter
                .device
                .as_deref()
                .map(|d| format!(", on {d}"))
                .unwrap_or_default(),
            chapter.checks.len(),
            if chapter.checks.len() == 1 { "" } else { "s" }
        ));
        for check in &chapter.checks {
            checked += 1;
            let value = check
                .value
                .map_or_else(|| "not a finite number".to_owned(), |v| v.to_string());
            let line = format!(
                "  {}: {} = {value}, expected {} ± {}: {}",
                check.at,
                check.name,
                check.expected,
                check.tolerance,
                if check.ok { "ok" } else { "FAILED" }
            );
            report.lines.push(line.clone());
            if !check.ok {
                report.failures.push(line.trim_start().to_owned());
            }
        }
        if chapter.status != "ok" {
            report.failures.push(match &chapter.error {
                Some(error) => error.clone(),
                None => format!("{}: failed in the last build", chapter.chapter),
            });
        }
    }
    report.lines.push(format!(
        "{name}: {} chapter{} with cells, {checked} checked number{}",
        results.chapters.len(),
        if results.chapters.len() == 1 { "" } else { "s" },
        if checked == 1 { "" } else { "s" }
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{ChapterResult, CheckResult};

    fn results(ok: bool) -> Results {
        Results {
            preprocessor: "0".into(),
            renderer: "html".into(),
            device_setting: "cpu".into(),
            compiled: 1,
            ran: 1,
            chapters: vec![ChapterResult {
                chapter: "book/a.md".into(),
                cache: "miss".into(),
                reason: Some("not in the cache".into()),
                status: if ok { "ok" } else { "error" }.into(),
                device: Some("CPU".into()),
                compile_ms: 0,
                run_ms: 0,
                recorded_run_ms: 0,
                outputs: vec![],
                checks: vec![CheckResult {
                    at: "book/a.md:7".into(),
                    name: "loss".into(),
                    value: Some(if ok { 1.0 } else { 2.0 }),
                    expected: 1.0,
                    tolerance: 0.5,
                    ok,
                }],
                error: (!ok).then(|| "book/a.md:7: check failed".into()),
            }],
        }
    }

    #[test]
    fn checked_numbers_are_printed_with_their_line() {
        let mut report = Report::default();
        judge(&results(true), &["book/a.md".into()], "r", &mut report);
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        assert!(
            report
                .lines
                .iter()
                .any(|l| l.contains("book/a.md:7: loss = 1, expected 1 ± 0.5: ok")),
            "{:?}",
            report.lines
        );
    }

    #[test]
    fn a_failed_check_and_an_error_are_failures() {
        let mut report = Report::default();
        judge(&results(false), &["book/a.md".into()], "r", &mut report);
        assert_eq!(report.failures.len(), 2, "{:?}", report.failures);
        assert!(report.failures[0].starts_with("book/a.md:7: loss = 2"));
    }

    #[test]
    fn a_chapter_missing_from_the_results_is_a_failure() {
        let mut report = Report::default();
        judge(&results(true), &["book/b.md".into()], "r", &mut report);
        assert!(report.failures[0].starts_with("book/b.md: has cells"));
    }
}
