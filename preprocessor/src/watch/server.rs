//! The authoring server: serves the built site from its folder over HTTP on localhost and
//! reloads open pages after each rebuild. The reload script is added to HTML as it is sent,
//! never written to the built files, so the published site has none of it.
//!
//! A page's script asks [`VERSION_PATH`] for the build number every 700 ms and reloads when it
//! changes: plain requests, no WebSocket, nothing that outlives the page.

use anyhow::{Context, Result};
use percent_encoding::percent_decode_str;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tiny_http::{Header, Request, Response, Server};

/// The endpoint the reload script polls: the number of finished builds, as text.
pub const VERSION_PATH: &str = "/__descent/version";

/// What is added before `</body>` of every HTML page served.
pub const RELOAD_SCRIPT: &str = "<script>/* mdbook-descent watch: live reload */\
(function(){var v=null;setInterval(function(){fetch('/__descent/version',{cache:'no-store'})\
.then(function(r){return r.text();}).then(function(t){if(v!==null&&t!==v){location.reload();}\
v=t;}).catch(function(){});},700);})();</script>";

/// A running server; it stops when the process ends.
pub struct Site {
    addr: SocketAddr,
    version: Arc<AtomicU64>,
}

impl Site {
    /// Starts serving `dir` on `addr` (port 0: any free port) with `threads` request threads.
    ///
    /// # Errors
    /// The address cannot be bound (in use, not local).
    pub fn start(addr: SocketAddr, dir: PathBuf, threads: usize) -> Result<Self> {
        let server = Server::http(addr)
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("cannot serve on {addr}; pick another port with --port"))?;
        let addr = server
            .server_addr()
            .to_ip()
            .context("the server has no IP address")?;
        let server = Arc::new(server);
        let version = Arc::new(AtomicU64::new(0));
        let dir = Arc::new(dir);
        for _ in 0..threads.max(1) {
            let (server, version, dir) = (server.clone(), version.clone(), dir.clone());
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    respond(request, &dir, &version);
                }
            });
        }
        Ok(Self { addr, version })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Tells open pages to reload.
    pub fn rebuilt(&self) {
        self.version.fetch_add(1, Ordering::SeqCst);
    }
}

fn respond(request: Request, dir: &Path, version: &AtomicU64) {
    let url = request
        .url()
        .split(['?', '#'])
        .next()
        .unwrap_or("/")
        .to_owned();
    let response = if url == VERSION_PATH {
        text(
            200,
            &version.load(Ordering::SeqCst).to_string(),
            "text/plain",
        )
    } else {
        match file_for(dir, &url) {
            Some(path) => serve_file(&path, 200),
            None => match dir.join("404.html") {
                page if page.is_file() => serve_file(&page, 404),
                _ => text(404, "not found", "text/plain"),
            },
        }
    };
    // The client may have gone; nothing to do then.
    let _ = request.respond(response);
}

/// The file a URL path names under `dir`: percent-decoded, no `..`, a folder's `index.html`.
fn file_for(dir: &Path, url: &str) -> Option<PathBuf> {
    let decoded = percent_decode_str(url).decode_utf8().ok()?;
    let rel = Path::new(decoded.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let path = dir.join(rel);
    let path = if path.is_dir() {
        path.join("index.html")
    } else {
        path
    };
    path.is_file().then_some(path)
}

fn serve_file(path: &Path, status: u16) -> Response<std::io::Cursor<Vec<u8>>> {
    let Ok(bytes) = std::fs::read(path) else {
        return text(404, "not found", "text/plain");
    };
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let bytes = if mime.subtype() == mime_guess::mime::HTML {
        with_reload(bytes)
    } else {
        bytes
    };
    let kind = if mime.type_() == mime_guess::mime::TEXT
        || mime.subtype() == mime_guess::mime::JAVASCRIPT
    {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    };
    bytes_response(status, bytes, &kind)
}

/// `page` with [`RELOAD_SCRIPT`] before its last `</body>` (at its end if it has none).
fn with_reload(mut page: Vec<u8>) -> Vec<u8> {
    let at = page
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(page.len());
    page.splice(at..at, RELOAD_SCRIPT.bytes());
    page
}

fn text(status: u16, body: &str, kind: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    bytes_response(status, body.as_bytes().to_vec(), kind)
}

fn bytes_response(status: u16, body: Vec<u8>, kind: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    let mut response = Response::from_data(body).with_status_code(status);
    for (name, value) in [("Content-Type", kind), ("Cache-Control", "no-store")] {
        if let Ok(header) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_before_the_end_of_the_body() {
        let page = with_reload(b"<html><body><p>x</p></BODY></html>".to_vec());
        let page = String::from_utf8(page).unwrap();
        assert!(page.starts_with("<html><body><p>x</p><script>"));
        assert!(page.ends_with("</script></BODY></html>"));
        let bare = String::from_utf8(with_reload(b"<p>x</p>".to_vec())).unwrap();
        assert!(bare.ends_with("</script>"));
    }

    #[test]
    fn urls_stay_inside_the_site() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a b")).unwrap();
        std::fs::write(dir.path().join("a b/index.html"), "x").unwrap();
        std::fs::write(dir.path().join("c.css"), "x").unwrap();
        assert_eq!(
            file_for(dir.path(), "/a%20b/"),
            Some(dir.path().join("a b/index.html"))
        );
        assert_eq!(
            file_for(dir.path(), "/c.css"),
            Some(dir.path().join("c.css"))
        );
        assert_eq!(file_for(dir.path(), "/../c.css"), None);
        assert_eq!(file_for(dir.path(), "/a%20b/../../etc/passwd"), None);
        assert_eq!(file_for(dir.path(), "/missing.html"), None);
    }
}
