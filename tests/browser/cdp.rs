//! Headless Chromium driven over the DevTools protocol (`--remote-debugging-pipe`: commands on
//! fd 3, replies on fd 4, each a JSON text ended by a NUL byte), for checks that need the page
//! to run in real time: animation frames are only produced then, and SMIL's event-based
//! timing (a click that ends an animation) is lost when a script seeks the clock instead.

use std::io::{BufRead, BufReader, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

/// One Chromium with one page open, killed on drop.
pub struct Session {
    child: Child,
    commands: std::io::PipeWriter,
    replies: mpsc::Receiver<Value>,
    next_id: u64,
    page: String,
    /// Events that arrived while waiting for a reply.
    events: Vec<Value>,
    _profile: tempfile::TempDir,
}

impl Session {
    /// Starts `chromium` (headless, real time), opens `url` and waits for its `load` event.
    pub fn open(chromium: &Path, url: &str) -> Session {
        let (to_chrome_read, to_chrome_write) = std::io::pipe().expect("pipe");
        let (from_chrome_read, from_chrome_write) = std::io::pipe().expect("pipe");
        let (cmd_fd, reply_fd): (OwnedFd, OwnedFd) =
            (to_chrome_read.into(), from_chrome_write.into());
        let (cmd_raw, reply_raw) = (cmd_fd.as_raw_fd(), reply_fd.as_raw_fd());
        let profile = tempfile::tempdir().expect("profile dir");
        let mut cmd = Command::new(chromium);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--remote-debugging-pipe",
            "--window-size=1000,1400",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("about:blank")
        .env("XDG_RUNTIME_DIR", "/tmp")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        // SAFETY: only async-signal-safe calls (fcntl, dup2) between fork and exec. The pipe
        // ends are first copied above 9, so that moving one onto 3 or 4 cannot close the other.
        unsafe {
            cmd.pre_exec(move || {
                let high = |fd| libc::fcntl(fd, libc::F_DUPFD, 10);
                let (cmd_high, reply_high) = (high(cmd_raw), high(reply_raw));
                if cmd_high < 0
                    || reply_high < 0
                    || libc::dup2(cmd_high, 3) < 0
                    || libc::dup2(reply_high, 4) < 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("start chromium");
        drop((cmd_fd, reply_fd));
        let (send, replies) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(from_chrome_read);
            let mut message = Vec::new();
            while reader.read_until(0, &mut message).is_ok_and(|n| n > 0) {
                message.pop_if(|b| *b == 0);
                if let Ok(value) = serde_json::from_slice(&message)
                    && send.send(value).is_err()
                {
                    return;
                }
                message.clear();
            }
        });
        let mut session = Session {
            child,
            commands: to_chrome_write,
            replies,
            next_id: 0,
            page: String::new(),
            events: Vec::new(),
            _profile: profile,
        };
        let targets = session.call("Target.getTargets", json!({}), None);
        let target = targets["targetInfos"]
            .as_array()
            .and_then(|all| all.iter().find(|t| t["type"] == "page"))
            .and_then(|t| t["targetId"].as_str())
            .expect("a page target")
            .to_string();
        let attached = session.call(
            "Target.attachToTarget",
            json!({"targetId": target, "flatten": true}),
            None,
        );
        session.page = attached["sessionId"].as_str().expect("session").to_string();
        let page = session.page.clone();
        session.call("Page.enable", json!({}), Some(&page));
        session.call("Page.navigate", json!({"url": url}), Some(&page));
        session.wait_for("Page.loadEventFired");
        session
    }

    /// Waits for the page's event `method`.
    fn wait_for(&mut self, method: &str) {
        let seen = |v: &Value| v["method"] == method;
        if let Some(i) = self.events.iter().position(seen) {
            self.events.remove(i);
            return;
        }
        while !seen(&self.receive(method)) {}
    }

    fn receive(&self, waiting_for: &str) -> Value {
        self.replies
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|e| panic!("no word from chromium on {waiting_for}: {e}"))
    }

    /// Runs `expression` in the page (awaiting it when it is a promise) and returns its value.
    /// A thrown error fails the test with the page's message.
    pub fn evaluate(&mut self, expression: &str) -> Value {
        let page = self.page.clone();
        let reply = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "awaitPromise": true, "returnByValue": true}),
            Some(&page),
        );
        assert!(
            reply.get("exceptionDetails").is_none(),
            "the page threw: {}",
            reply["exceptionDetails"]
        );
        reply["result"]["value"].clone()
    }

    fn call(&mut self, method: &str, params: Value, session: Option<&str>) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            message["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&message).expect("json");
        bytes.push(0);
        self.commands.write_all(&bytes).expect("send to chromium");
        loop {
            let reply = self.receive(method);
            if reply.get("method").is_some() {
                self.events.push(reply);
            } else if reply["id"] == id {
                if let Some(error) = reply.get("error") {
                    panic!("chromium refused {method}: {error}");
                }
                return reply["result"].clone();
            }
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
