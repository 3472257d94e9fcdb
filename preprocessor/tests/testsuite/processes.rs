//! The process model: a chapter program runs in a process group of its own, which is killed
//! when the program exits, at the time limit, when the build gets SIGTERM, and (after a
//! SIGKILL of the build) when the next build starts; nothing waits on inherited pipes.

use crate::support::{Library, TestBook};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A cell that starts `sleep 60` as a child, writes its own and the child's process id to
/// `pids.txt` in the book root (the programs' working folder); then, on its first run only and
/// while the book root holds a file `block`, it sleeps itself.
const SPAWNER: &str = "# S\n\n```rust,run\nlet child = std::process::Command::new(\"sleep\").arg(\"60\").spawn()?;\nstd::fs::write(\"pids.txt.tmp\", format!(\"{} {}\", std::process::id(), child.id()))?;\nstd::fs::rename(\"pids.txt.tmp\", \"pids.txt\")?;\nif !std::path::Path::new(\"ran-once\").exists() {\n    std::fs::write(\"ran-once\", \"\")?;\n    while std::path::Path::new(\"block\").exists() {\n        std::thread::sleep(std::time::Duration::from_millis(50));\n    }\n}\nprintln!(\"spawned\");\n```\n";

fn pids(book: &TestBook) -> Vec<i32> {
    book.read("pids.txt")
        .split_whitespace()
        .map(|p| p.parse().expect("a process id"))
        .collect()
}

fn wait_for(path: &Path, limit: Duration) {
    let start = Instant::now();
    while !path.exists() {
        assert!(start.elapsed() < limit, "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether process `pid` still runs (a zombie waiting to be reaped counts as gone).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

fn all_gone(pids: &[i32]) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if pids.iter().all(|&p| !alive(p)) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn a_child_left_running_does_not_hang_the_build_and_is_killed() {
    let book = TestBook::new(Library::Mini, &[("s.md", SPAWNER)], "");
    let start = Instant::now();
    book.build_ok();
    assert!(
        start.elapsed() < Duration::from_secs(50),
        "{:?}",
        start.elapsed()
    );
    assert!(book.page("s.md").contains("<code>spawned</code>"));
    assert!(all_gone(&pids(&book)), "{:?} still run", pids(&book));
}

#[test]
fn the_time_limit_bounds_a_program_that_waits_for_its_child() {
    let chapter =
        "# T\n\n```rust,run\nstd::process::Command::new(\"sleep\").arg(\"60\").status()?;\n```\n";
    let book = TestBook::new(Library::Mini, &[("t.md", chapter)], "timeout = 2\n");
    // Compile first, so the clock below measures the run.
    let start = Instant::now();
    let err = book.build().expect_err("must time out");
    assert!(err.contains("time limit of 2 s"), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(50),
        "{:?}",
        start.elapsed()
    );
}

fn build_command(book: &TestBook) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_mdbook-descent"))
        .arg("build")
        .arg(book.root())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start mdbook-descent")
}

fn signal(pid: u32, signal: i32) {
    // SAFETY: kill has no memory-safety preconditions.
    let rc = unsafe { libc::kill(pid as i32, signal) };
    assert_eq!(rc, 0, "kill failed");
}

#[test]
fn sigterm_stops_the_build_and_its_programs() {
    let book = TestBook::new(Library::Mini, &[("s.md", SPAWNER)], "");
    book.write("block", "");
    let mut build = build_command(&book);
    wait_for(&book.root().join("pids.txt"), Duration::from_secs(300));
    signal(build.id(), libc::SIGTERM);
    let start = Instant::now();
    let status = build.wait().expect("wait for the build");
    assert!(!status.success());
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(all_gone(&pids(&book)), "{:?} still run", pids(&book));
}

#[test]
fn after_a_killed_build_the_next_build_stops_its_programs_and_removes_its_folders() {
    let book = TestBook::new(Library::Mini, &[("s.md", SPAWNER)], "");
    book.write("block", "");
    let mut build = build_command(&book);
    wait_for(&book.root().join("pids.txt"), Duration::from_secs(300));
    signal(build.id(), libc::SIGKILL);
    build.wait().expect("reap the build");
    let old = pids(&book);
    assert!(
        old.iter().all(|&p| alive(p)),
        "the programs outlive a SIGKILL"
    );
    let runs = book.root().join("work/runs");
    assert_eq!(std::fs::read_dir(&runs).expect("runs").count(), 1);
    book.build_ok();
    assert!(all_gone(&old), "{old:?} still run");
    assert_eq!(std::fs::read_dir(&runs).map_or(0, |d| d.count()), 0);
}
