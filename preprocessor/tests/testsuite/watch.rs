//! `mdbook-descent serve`: the authoring loop on a fixture book. An edit made while it runs
//! gives exactly one rebuild (its own outputs never trigger another), the rebuild names the
//! chapter that re-ran and why, and the server serves the new page with the reload script,
//! which the built file on disk never contains.

use crate::support::{Library, TestBook};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const A: &str = "# A\n\n```rust,run\nprintln!(\"first {}\", mini::answer());\n```\n";
const B: &str = "# B\n\n```rust,run\nprintln!(\"other {}\", mini::answer() + 1);\n```\n";

/// The running command and its stderr, line by line.
struct Running {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    fn start(book: &TestBook) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mdbook-descent"))
            .args(["serve", "--port", "0"])
            .arg(book.root())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start mdbook-descent serve");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a line containing `needle`; panics with everything seen after `limit`.
    fn wait_for(&mut self, needle: &str, limit: Duration) -> String {
        let end = Instant::now() + limit;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no line with {needle:?} within {limit:?}; the output was:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Every line that comes within `quiet`.
    fn drain(&mut self, quiet: Duration) -> Vec<String> {
        let end = Instant::now() + quiet;
        let mut lines = Vec::new();
        while let Ok(line) = self
            .lines
            .recv_timeout(end.saturating_duration_since(Instant::now()))
        {
            self.seen.push(line.clone());
            lines.push(line);
        }
        lines
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET path` on `addr`: the status line and the body.
fn get(addr: &str, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(addr).expect("connect to the server");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send the request");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("read the response");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (
        head.lines().next().unwrap_or("").to_owned(),
        body.to_owned(),
    )
}

#[test]
fn an_edit_while_serving_rebuilds_once_and_says_why() {
    let book = TestBook::new(Library::Mini, &[("a.md", A), ("b.md", B)], "");
    let mut run = Running::start(&book);
    let serving = run.wait_for("serving http://", Duration::from_secs(60));
    let addr = serving
        .split("http://")
        .nth(1)
        .expect("an address")
        .trim_end_matches('/')
        .to_owned();
    run.wait_for("build 0 done", Duration::from_secs(600));

    let (status, page) = get(&addr, "/a.html");
    assert!(status.contains("200"), "{status}");
    assert!(page.contains("first 41"), "{page}");
    assert!(
        page.contains("/__descent/version"),
        "no reload script in the served page"
    );
    let on_disk = book.read("out/a.html");
    assert!(on_disk.contains("first 41"));
    assert!(
        !on_disk.contains("__descent"),
        "the reload script must never be written into the built site"
    );
    assert_eq!(get(&addr, "/__descent/version").1, "1");
    assert!(get(&addr, "/no-such-page.html").0.contains("404"));

    book.edit("book/a.md", "first", "second");
    let changed = run.wait_for("rebuild 1: changed", Duration::from_secs(60));
    assert!(changed.contains("book/a.md"), "{changed}");
    let reran = run.wait_for("re-ran book/a.md", Duration::from_secs(600));
    assert!(reran.contains("changed: cells"), "{reran}");
    let count = run.wait_for("re-ran, ", Duration::from_secs(60));
    assert!(
        count.contains("1 chapter re-ran, 1 from the cache"),
        "{count}"
    );
    run.wait_for("build 1 done", Duration::from_secs(60));

    // Its own outputs (the site, the work folder, results.json) were written: still no
    // second rebuild well after the debounce time.
    let after = run.drain(Duration::from_secs(4));
    assert!(
        !after.iter().any(|l| l.contains("rebuild 2")),
        "a rebuild loop:\n{}",
        run.seen.join("\n")
    );
    assert_eq!(get(&addr, "/__descent/version").1, "2");
    assert!(get(&addr, "/a.html").1.contains("second 41"));
}
