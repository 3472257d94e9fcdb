//! The `mdbook-descent` command: picks a mode, calls the library, prints the error chain and
//! sets the exit code.
//!
//! ```text
//! mdbook-descent build [BOOK_DIR]      build the book in-process (no mdbook install needed)
//! mdbook-descent verify [BOOK_DIR]     check the last build: results.json and the site (CI)
//! mdbook-descent watch [BOOK_DIR]      build, then rebuild on every change, saying what re-ran
//! mdbook-descent serve [BOOK_DIR]      watch, and serve the site on localhost with reload
//! mdbook-descent supports <RENDERER>   mdBook's question: exit 0 when supported
//! mdbook-descent                       mdBook's protocol: [context, book] JSON on stdin
//! ```

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Runs a book's Rust cells at build time and puts their output and figures in the page.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Build the book (HTML into its build-dir) with its cells executed.
    Build {
        /// The book's folder, where book.toml is.
        #[arg(default_value = ".")]
        book_dir: PathBuf,
        /// Build without running cells or rendering maths (plain mdBook, for comparisons).
        #[arg(long)]
        plain: bool,
    },
    /// Check the last build for CI: every chapter ran and every checked number held
    /// (results.json, printed), and the built site: SUMMARY.md's pages exist, nothing loads
    /// from the network, each page within its weight budget, internal links resolve.
    Verify {
        /// The book's folder, where book.toml is.
        #[arg(default_value = ".")]
        book_dir: PathBuf,
        /// Largest weight of a page with everything it loads, in KB (1000 bytes).
        #[arg(long, default_value_t = mdbook_descent::verify::DEFAULT_BUDGET / 1000)]
        page_budget_kb: u64,
        /// Check only the site, not results.json.
        #[arg(long)]
        site_only: bool,
    },
    /// Build, then rebuild on every change under the chapters, the library, the lockfile,
    /// the data and book.toml; print which chapters re-ran and why.
    Watch {
        /// The book's folder, where book.toml is.
        #[arg(default_value = ".")]
        book_dir: PathBuf,
    },
    /// Watch, and serve the built site on localhost; open pages reload after each rebuild.
    Serve {
        /// The book's folder, where book.toml is.
        #[arg(default_value = ".")]
        book_dir: PathBuf,
        /// The port to listen on (0: any free port, printed at the start).
        #[arg(short, long, default_value_t = 3000)]
        port: u16,
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        hostname: std::net::IpAddr,
    },
    /// Tell mdBook whether a renderer is supported (exit status 0 = yes).
    Supports {
        /// Renderer name, e.g. html.
        renderer: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Cmd::Build { book_dir, plain }) => mdbook_descent::build(&book_dir, !plain),
        Some(Cmd::Verify {
            book_dir,
            page_budget_kb,
            site_only,
        }) => {
            let options = mdbook_descent::verify::Options {
                budget: page_budget_kb.saturating_mul(1000),
                results: !site_only,
            };
            return match mdbook_descent::verify::verify(&book_dir, &options) {
                Ok(report) => {
                    for line in &report.lines {
                        println!("{line}");
                    }
                    if report.failures.is_empty() {
                        println!("verified");
                        ExitCode::SUCCESS
                    } else {
                        eprintln!("{} problem(s):", report.failures.len());
                        for failure in &report.failures {
                            eprintln!("error: {failure}");
                        }
                        ExitCode::FAILURE
                    }
                }
                Err(error) => {
                    eprintln!("error: {error:#}");
                    ExitCode::FAILURE
                }
            };
        }
        Some(Cmd::Watch { book_dir }) => {
            mdbook_descent::watch::watch(&book_dir, &mdbook_descent::watch::Options::default())
        }
        Some(Cmd::Serve {
            book_dir,
            port,
            hostname,
        }) => mdbook_descent::watch::watch(
            &book_dir,
            &mdbook_descent::watch::Options {
                serve: Some(std::net::SocketAddr::new(hostname, port)),
                ..mdbook_descent::watch::Options::default()
            },
        ),
        Some(Cmd::Supports { renderer }) => {
            return if mdbook_descent::supports(&renderer) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            };
        }
        None => mdbook_descent::preprocess_stdio(std::io::stdin().lock(), std::io::stdout().lock()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
