//! The process model of chapter programs: each runs in a process group of its own; the whole
//! group is killed when the program exits (a child it left behind dies with it), when it runs
//! past its time limit, and when the build is interrupted (Ctrl-C, SIGTERM, SIGHUP). A build
//! killed outright (SIGKILL) cannot clean up, so the next build that takes the work folder's
//! lock kills whatever still runs from a dead build's run folders and removes those folders.
//!
//! Programs write to files, never to pipes, so a process that outlives its program cannot make
//! the build wait on a pipe.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, ExitStatus};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

/// Process groups of the programs running now (their leaders' ids).
static RUNNING: Mutex<BTreeSet<u32>> = Mutex::new(BTreeSet::new());

/// Runs `command` as the leader of a new process group until it exits or `timeout` passes,
/// then kills the whole group. `None`: it was stopped at the time limit.
///
/// # Errors
/// The program cannot be started or waited for.
pub fn run_group(command: &mut Command, timeout: Duration) -> std::io::Result<Option<ExitStatus>> {
    install_interrupt_handler();
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let start = Instant::now();
    let mut child = {
        let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        let child = command.spawn()?;
        running.insert(child.id());
        child
    };
    let mut pause = Duration::from_millis(1);
    let outcome = loop {
        match exited(&mut child) {
            Ok(true) => break Ok(true),
            Ok(false) => {}
            Err(e) => break Err(e),
        }
        if start.elapsed() >= timeout {
            break Ok(false);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    };
    // The leader is not reaped yet, so its id still names this group.
    kill(child.id());
    let _ = child.kill();
    let status = child.wait();
    RUNNING
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&child.id());
    match outcome {
        Ok(true) => status.map(Some),
        Ok(false) => status.map(|_| None),
        Err(e) => Err(e),
    }
}

/// Whether `child` has exited, without reaping it.
#[cfg(unix)]
fn exited(child: &mut Child) -> std::io::Result<bool> {
    let id = libc::id_t::from(child.id());
    // SAFETY: siginfo_t is plain data, zeroed is a valid value; waitid writes into it.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: `info` is a valid, writable siginfo_t; WNOWAIT leaves the child unreaped.
    let rc = unsafe {
        libc::waitid(
            libc::P_PID,
            id,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: waitid filled `info`; si_pid is 0 when no child changed state.
    Ok(unsafe { info.si_pid() } != 0)
}

#[cfg(not(unix))]
fn exited(child: &mut Child) -> std::io::Result<bool> {
    Ok(child.try_wait()?.is_some())
}

#[cfg(unix)]
fn kill(group: u32) {
    if let Ok(group) = libc::pid_t::try_from(group) {
        // SAFETY: killpg has no memory-safety preconditions; a group that is gone is ESRCH.
        unsafe {
            libc::killpg(group, libc::SIGKILL);
        }
    }
}

#[cfg(not(unix))]
fn kill(_group: u32) {}

fn install_interrupt_handler() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Another handler (an embedding program's) wins; the groups then die with the
        // build only if that handler exits the process group, so this is best effort.
        let _ = ctrlc::set_handler(|| {
            let running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
            for &group in running.iter() {
                kill(group);
            }
            eprintln!("mdbook-descent: interrupted; stopped the chapter programs");
            std::process::exit(130);
        });
    });
}

/// Kills what is left of dead builds' programs (processes whose `DESCENT_PROTOCOL` points into
/// `runs`) and removes their run folders. Call it holding the work folder's lock: no live build
/// of this book then owns anything under `runs`.
pub fn clean_dead_runs(runs: &Path) {
    kill_leftovers(runs);
    let _ = std::fs::remove_dir_all(runs);
}

#[cfg(target_os = "linux")]
fn kill_leftovers(runs: &Path) {
    let mut needle = format!("{}=", crate::program::PROTOCOL_ENV).into_bytes();
    needle.extend_from_slice(runs.as_os_str().as_encoded_bytes());
    needle.push(b'/');
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    let me = std::process::id();
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == me {
            continue;
        }
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        if environ
            .split(|&b| b == 0)
            .any(|var| var.starts_with(&needle))
            && let Ok(pid) = libc::pid_t::try_from(pid)
        {
            // SAFETY: kill has no memory-safety preconditions.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn kill_leftovers(_runs: &Path) {}
