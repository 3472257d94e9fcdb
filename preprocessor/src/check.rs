//! Checked numbers: what `descent::cell::check` reports through the cell protocol (one
//! `check` message with a JSON payload per check), kept with the chapter's outputs and cache entry, written
//! to `results.json`, and turned into a build error at the check's line when one failed.
//!
//! A check's place is stored relative to its cell (cell index, line offset in the cell), so a
//! cached check still points at the right line after prose above it moved.

use crate::linemap::LineMap;
use crate::markdown::Cell;
use serde::{Deserialize, Serialize};

/// The protocol message's kind; its payload is the JSON report.
pub const KIND: &str = "check";

/// One check as the running program reported it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Reported {
    /// The check's name, e.g. `"loss"`.
    pub name: String,
    /// The computed value; `None` when it was not finite.
    pub value: Option<f64>,
    /// The published number.
    pub expected: f64,
    /// The largest allowed distance.
    pub tolerance: f64,
    /// Whether the value was within the tolerance.
    pub ok: bool,
    /// The caller's source file (`.../src/main.rs` for a cell).
    pub file: String,
    /// The caller's line in that file.
    pub line: usize,
}

impl Reported {
    /// Parses a report; an unreadable one becomes a failed check that says so.
    pub fn parse(json: &str) -> Self {
        serde_json::from_str(json).unwrap_or_else(|e| Self {
            name: format!("(unreadable check report: {e})"),
            value: None,
            expected: 0.0,
            tolerance: 0.0,
            ok: false,
            file: String::new(),
            line: 0,
        })
    }
}

/// A check as stored with the chapter's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// The check's name.
    pub name: String,
    /// The computed value; `None` when it was not finite.
    pub value: Option<f64>,
    /// The published number.
    pub expected: f64,
    /// The largest allowed distance.
    pub tolerance: f64,
    /// Whether the value was within the tolerance.
    pub ok: bool,
    /// 0-based cell it ran in.
    pub cell: usize,
    /// Line offset inside that cell (0 = the cell's first code line), when the check was
    /// called from the cell's own code.
    pub offset: Option<usize>,
}

impl Check {
    /// Places a report: the cell holding its line when it came from the chapter's program,
    /// else `running_cell` (the cell that was running when it was printed).
    pub fn place(reported: Reported, cells: &[Cell], running_cell: usize) -> Self {
        let in_program = reported.file.ends_with("src/main.rs");
        let holder = cells.iter().rposition(|c| {
            c.first_line <= reported.line && reported.line < c.first_line + c.line_count().max(1)
        });
        let (cell, offset) = match holder {
            Some(k) if in_program => (k, Some(reported.line - cells[k].first_line)),
            _ => (running_cell, None),
        };
        Self {
            name: reported.name,
            value: reported.value,
            expected: reported.expected,
            tolerance: reported.tolerance,
            ok: reported.ok,
            cell,
            offset,
        }
    }

    /// `book/x.md:<line>`: the author's line of the check (of its cell when not known).
    pub fn location(&self, file: &str, cells: &[Cell], lines: &LineMap) -> String {
        let first = cells.get(self.cell).map_or(1, |c| c.first_line);
        format!(
            "{file}:{}",
            lines.original(first + self.offset.unwrap_or(0))
        )
    }

    /// `loss = 1.1268 (expected 1.1268 ± 0.0001)`.
    pub fn describe(&self) -> String {
        let value = self
            .value
            .map_or_else(|| "not a finite number".to_owned(), |v| v.to_string());
        format!(
            "{} = {value} (expected {} ± {})",
            self.name, self.expected, self.tolerance
        )
    }
}

/// The error of a chapter whose checks failed: one line per failed check, each starting
/// with its author's file and line; `None` when all passed.
pub fn failures(checks: &[Check], file: &str, cells: &[Cell], lines: &LineMap) -> Option<String> {
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| {
            format!(
                "{}: check failed in cell {}: {}; the published number no longer holds",
                c.location(file, cells, lines),
                c.cell + 1,
                c.describe()
            )
        })
        .collect();
    (!failed.is_empty()).then(|| failed.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(first_line: usize, code: &str) -> Cell {
        Cell {
            span: 0..0,
            code: code.into(),
            first_line,
            extra: vec![],
            hide_code: false,
            container: String::new(),
        }
    }

    fn report(line: usize, ok: bool) -> Reported {
        Reported::parse(&format!(
            r#"{{"name":"loss","value":1.5,"expected":1.1268,"tolerance":0.0001,"ok":{ok},"file":"ch-a/src/main.rs","line":{line}}}"#
        ))
    }

    #[test]
    fn a_check_is_placed_in_the_cell_holding_its_line() {
        let cells = [cell(3, "a\nb\n"), cell(8, "c\nd\ne\n")];
        let check = Check::place(report(9, false), &cells, 0);
        assert_eq!((check.cell, check.offset), (1, Some(1)));
        assert_eq!(
            check.location("book/a.md", &cells, &LineMap::identity()),
            "book/a.md:9"
        );
    }

    #[test]
    fn a_check_called_from_elsewhere_belongs_to_the_running_cell() {
        let cells = [cell(3, "a\n")];
        let mut r = report(3, true);
        r.file = "/lib/src/helper.rs".into();
        let check = Check::place(r, &cells, 0);
        assert_eq!((check.cell, check.offset), (0, None));
    }

    #[test]
    fn failures_name_the_line_and_the_numbers() {
        let cells = [cell(3, "a\nb\n")];
        let checks = [
            Check::place(report(3, true), &cells, 0),
            Check::place(report(4, false), &cells, 0),
        ];
        let message = failures(&checks, "book/a.md", &cells, &LineMap::identity()).unwrap();
        assert!(message.starts_with("book/a.md:4: check failed in cell 1: loss = 1.5"));
        assert!(message.contains("expected 1.1268 ± 0.0001"), "{message}");
        assert_eq!(message.lines().count(), 1);
        assert!(failures(&checks[..1], "book/a.md", &cells, &LineMap::identity()).is_none());
    }

    #[test]
    fn an_unreadable_report_is_a_failed_check() {
        let r = Reported::parse("{not json");
        assert!(!r.ok && r.name.contains("unreadable"));
    }
}
