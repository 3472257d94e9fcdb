//! The exact compiler (`rustc -vV`), part of every cache key, remembered in the work folder
//! under a cheap fingerprint so a rebuild with nothing changed spawns no process.
//!
//! The fingerprint covers what picks the compiler: `RUSTC`, rustup's environment and
//! settings, `rust-toolchain(.toml)` files above the work folder, the `rustc` found on `PATH`
//! and each installed toolchain's `rustc` (size and modification time). When any of them
//! changes, `rustc -vV` runs again.

use crate::workspace::atomic_write;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// The `rustc -vV` text of the compiler cargo will use for the generated workspace.
///
/// # Errors
/// `rustc` cannot be run.
pub fn version(work_dir: &Path) -> Result<String> {
    let fingerprint = fingerprint(work_dir);
    let memo = work_dir.join("toolchain");
    if let Ok(text) = std::fs::read_to_string(&memo)
        && let Some((stored, version)) = text.split_once('\n')
        && stored == fingerprint
    {
        return Ok(version.to_owned());
    }
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let cwd = work_dir
        .ancestors()
        .find(|d| d.is_dir())
        .unwrap_or(Path::new("."));
    let out = std::process::Command::new(&rustc)
        .arg("-vV")
        .current_dir(cwd)
        .output()
        .context("cannot run `rustc -vV`; install Rust with rustup or set RUSTC")?;
    let version = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() && std::fs::create_dir_all(work_dir).is_ok() {
        atomic_write(&memo, format!("{fingerprint}\n{version}").as_bytes())?;
    }
    Ok(version)
}

pub(crate) fn fingerprint(work_dir: &Path) -> String {
    let mut h = blake3::Hasher::new();
    for var in [
        "RUSTC",
        "RUSTUP_TOOLCHAIN",
        "RUSTUP_HOME",
        "CARGO_HOME",
        "PATH",
    ] {
        h.update(var.as_bytes());
        h.update(std::env::var_os(var).unwrap_or_default().as_encoded_bytes());
        h.update(b"\0");
    }
    let rustup_home = std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".rustup")));
    if let Some(home) = rustup_home {
        h.update(&std::fs::read(home.join("settings.toml")).unwrap_or_default());
        let mut toolchains: Vec<PathBuf> = std::fs::read_dir(home.join("toolchains"))
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        toolchains.sort();
        for dir in toolchains {
            h.update(stamp(&dir.join("bin/rustc")).as_bytes());
        }
    }
    for dir in work_dir.ancestors() {
        for name in ["rust-toolchain", "rust-toolchain.toml"] {
            let file = dir.join(name);
            if let Ok(bytes) = std::fs::read(&file) {
                h.update(file.as_os_str().as_encoded_bytes());
                h.update(&bytes);
            }
        }
    }
    if let Some(path) = std::env::var_os("PATH")
        && let Some(rustc) = std::env::split_paths(&path)
            .map(|d| d.join("rustc"))
            .find(|f| f.is_file())
    {
        h.update(stamp(&rustc).as_bytes());
    }
    h.finalize().to_hex().to_string()
}

/// `path size mtime` of a file (empty fields when it is missing).
pub fn stamp(path: &Path) -> String {
    let meta = std::fs::metadata(path).ok();
    let size = meta.as_ref().map(std::fs::Metadata::len).unwrap_or(0);
    let mtime = meta
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{} {size} {mtime}\n", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_remembered_and_names_rustc() {
        let dir = tempfile::tempdir().unwrap();
        let first = version(dir.path()).unwrap();
        assert!(first.starts_with("rustc "), "{first}");
        assert!(dir.path().join("toolchain").is_file());
        assert_eq!(version(dir.path()).unwrap(), first);
    }

    #[test]
    fn a_stamp_changes_with_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "a").unwrap();
        let before = stamp(&file);
        std::fs::write(&file, "ab").unwrap();
        assert_ne!(stamp(&file), before);
    }
}
