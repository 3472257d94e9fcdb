//! Progress on stderr while a book builds: a bar on a terminal, plain lines otherwise (CI
//! logs, `mdbook serve`'s output). Stdout is never touched: in preprocessor mode it carries
//! the book back to mdBook.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// Reports what the build is doing.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar when stderr is a terminal, plain lines otherwise.
    pub fn new() -> Self {
        Self {
            bar: std::io::stderr().is_terminal().then(ProgressBar::hidden),
        }
    }

    /// Prints one line.
    pub fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) if !bar.is_hidden() && !bar.is_finished() => {
                bar.println(format!("descent: {text}"));
            }
            _ => eprintln!("descent: {text}"),
        }
    }

    /// Starts counting `total` programs to run.
    pub fn start(&self, total: usize, what: &str) {
        if let Some(bar) = &self.bar {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.set_length(total as u64);
            bar.set_position(0);
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_message(what.to_owned());
            bar.enable_steady_tick(Duration::from_millis(120));
        }
    }

    /// One more program done.
    pub fn advance(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

/// `1234` ms as `1.2 s`, `87` ms as `87 ms`.
pub fn seconds(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(seconds(87), "87 ms");
        assert_eq!(seconds(1234), "1.2 s");
    }
}
