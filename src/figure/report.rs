//! The size report: every figure's size in bytes and the total, for the budget in
//! BENCHMARKS.md. Figures shown in this process are recorded; others can be added by name.

use std::fmt;
use std::sync::Mutex;

static SHOWN: Mutex<Vec<(String, usize)>> = Mutex::new(Vec::new());

/// Records a shown figure under its title.
pub(crate) fn record(svg: &str) {
    let title = svg
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
        .map_or("untitled", |(t, _)| t)
        .to_owned();
    if let Ok(mut shown) = SHOWN.lock() {
        shown.push((title, svg.len()));
    }
}

/// Names and sizes of figures, printable as a table with a total.
///
/// ```
/// use descent::figure::SizeReport;
/// let mut report = SizeReport::default();
/// report.add("loss", "<svg/>");
/// assert_eq!(report.total(), 6);
/// assert!(report.to_string().contains("total"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SizeReport {
    entries: Vec<(String, usize)>,
}

impl SizeReport {
    /// The figures shown so far in this process (by [`super::Figure::show`]).
    pub fn shown() -> Self {
        let entries = SHOWN.lock().map(|s| s.clone()).unwrap_or_default();
        SizeReport { entries }
    }

    /// Adds a figure by name.
    pub fn add(&mut self, name: &str, svg: &str) {
        self.entries.push((name.to_owned(), svg.len()));
    }

    /// Every figure's name and size in bytes.
    pub fn entries(&self) -> &[(String, usize)] {
        &self.entries
    }

    /// The sum of all sizes in bytes.
    pub fn total(&self) -> usize {
        self.entries.iter().map(|e| e.1).sum()
    }
}

impl fmt::Display for SizeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .entries
            .iter()
            .map(|e| e.0.len())
            .max()
            .unwrap_or(5)
            .max(5);
        for (name, size) in &self.entries {
            writeln!(f, "{name:<width$}  {:>8.1} KB", *size as f64 / 1000.0)?;
        }
        writeln!(
            f,
            "{:<width$}  {:>8.1} KB",
            "total",
            self.total() as f64 / 1000.0
        )
    }
}
