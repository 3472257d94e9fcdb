//! The results cache: a chapter's outputs are reused only while nothing that could change them
//! changed. The key hashes the chapter's cells with everything outside them that matters: the
//! library's sources, `Cargo.lock`, the toolchain (`rustc -vV`), this preprocessor's version,
//! the device setting, the build settings and the data files (by content, see `data_hash.rs`).
//!
//! One entry per chapter, written whole or not at all (temporary file + rename), with a hash
//! of its body checked on every read: a damaged entry is a miss, never shown. A failed run
//! writes nothing, so the previous good entry stays.

use crate::check::Check;
use crate::config::Settings;
use crate::data_hash;
use crate::run::CellOutput;
use crate::toolchain;
use crate::workspace::atomic_write;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Changes whenever the entry format or the meaning of a key changes.
const FORMAT: &str = "descent-cache-v2";

/// Environment variable the library reads its data folder from.
const DATA_DIR_ENV: &str = "MNIST_DIR";

/// What a chapter's run left, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The key it was made under.
    pub key: String,
    /// Where it ran, as the program said.
    pub device: Option<String>,
    /// How long the program ran, in milliseconds.
    pub run_ms: u64,
    /// Output per cell.
    pub cells: Vec<CellOutput>,
    /// The numbers its cells checked.
    #[serde(default)]
    pub checks: Vec<Check>,
}

/// Result of looking an entry up.
#[derive(Debug)]
pub enum Lookup {
    /// A valid entry under the wanted key.
    Hit(Entry),
    /// No entry, or one under another key.
    Miss,
    /// An entry that fails its check (cut short, edited, not ours).
    Damaged(String),
}

/// The part of every chapter's key that does not depend on the chapter.
///
/// # Errors
/// A library or data file that cannot be read, or no `rustc`.
pub fn global_key(settings: &Settings) -> Result<String> {
    let mut h = blake3::Hasher::new();
    let mut field = |name: &str, value: &[u8]| {
        h.update(name.as_bytes());
        h.update(&(value.len() as u64).to_le_bytes());
        h.update(value);
    };
    field("format", FORMAT.as_bytes());
    field("preprocessor", env!("CARGO_PKG_VERSION").as_bytes());
    field("device", settings.device.as_bytes());
    field("profile", settings.profile.as_bytes());
    field("edition", settings.edition.as_bytes());
    field("library", settings.library.display().to_string().as_bytes());
    field("package", settings.library_package.as_bytes());
    field(
        "dependencies",
        toml::to_string(&settings.dependencies)
            .unwrap_or_default()
            .as_bytes(),
    );
    field(
        "device-note",
        settings.device_note.as_deref().unwrap_or("").as_bytes(),
    );
    field(
        "sources",
        hash_tree(&settings.library.join("src"), Contents)?.as_bytes(),
    );
    for file in ["Cargo.toml", "build.rs"] {
        if let Ok(bytes) = std::fs::read(settings.library.join(file)) {
            field(file, &bytes);
        }
    }
    if let Some(lock) = &settings.lockfile {
        let bytes =
            std::fs::read(lock).with_context(|| format!("cannot read {}", lock.display()))?;
        field("lock", &bytes);
    }
    let mut memo = data_hash::Memo::open(&settings.work_dir);
    for data in &settings.data {
        field("data", hash_tree(data, Data(&mut memo))?.as_bytes());
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV) {
        field(
            "data-env",
            hash_tree(Path::new(&dir), Data(&mut memo))?.as_bytes(),
        );
    }
    memo.save();
    field(
        "toolchain",
        toolchain::version(&settings.work_dir)?.as_bytes(),
    );
    Ok(h.finalize().to_hex().to_string())
}

/// A chapter's key: the global key and its cells' code, as compiled.
pub fn chapter_key(global: &str, cells: &[String]) -> String {
    let mut h = blake3::Hasher::new();
    h.update(global.as_bytes());
    for code in cells {
        h.update(&(code.len() as u64).to_le_bytes());
        h.update(code.as_bytes());
    }
    h.finalize().to_hex().to_string()
}

/// How a file takes part in a hash.
enum Part<'a> {
    /// Its bytes (sources: small, and edited often with the same size).
    Contents,
    /// Its contents' hash, remembered under its size and modification time (data files:
    /// large, rarely changed).
    Data(&'a mut data_hash::Memo),
}
use Part::{Contents, Data};

/// Hash of every file under `path` (names and contents or metadata, in sorted order); a
/// missing path hashes as empty.
fn hash_tree(path: &Path, mut part: Part<'_>) -> Result<String> {
    let mut files = Vec::new();
    collect(path, &mut files)?;
    files.sort();
    let mut h = blake3::Hasher::new();
    for file in files {
        let rel = file.strip_prefix(path).unwrap_or(&file);
        h.update(rel.to_string_lossy().as_bytes());
        h.update(b"\0");
        match &mut part {
            Contents => {
                let bytes = std::fs::read(&file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                h.update(&(bytes.len() as u64).to_le_bytes());
                h.update(&bytes);
            }
            Data(memo) => {
                h.update(memo.hash(&file)?.as_bytes());
            }
        }
    }
    Ok(h.finalize().to_hex().to_string())
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    if meta.is_file() {
        files.push(path.to_path_buf());
    } else if meta.is_dir() {
        for entry in
            std::fs::read_dir(path).with_context(|| format!("cannot list {}", path.display()))?
        {
            collect(&entry?.path(), files)?;
        }
    }
    Ok(())
}

/// The file holding a chapter's entry.
pub fn entry_path(settings: &Settings, package: &str) -> PathBuf {
    settings
        .work_dir
        .join("cache")
        .join(format!("{package}.entry"))
}

/// Looks up the entry at `path` for `key`.
pub fn lookup(path: &Path, key: &str) -> Lookup {
    let Ok(bytes) = std::fs::read(path) else {
        return Lookup::Miss;
    };
    match decode(&bytes) {
        Ok(entry) if entry.key == key => Lookup::Hit(entry),
        Ok(_) => Lookup::Miss,
        Err(why) => Lookup::Damaged(why),
    }
}

fn decode(bytes: &[u8]) -> Result<Entry, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8".to_owned())?;
    let (header, body) = text.split_once('\n').ok_or("no header line")?;
    let (format, hash) = header.split_once(' ').ok_or("bad header line")?;
    if format != FORMAT {
        return Err(format!("format {format:?}, expected {FORMAT:?}"));
    }
    if blake3::hash(body.as_bytes()).to_hex().as_str() != hash {
        return Err("its checksum does not match its contents".to_owned());
    }
    serde_json::from_str(body).map_err(|e| format!("unreadable body: {e}"))
}

/// Stores `entry` at `path`, whole or not at all.
///
/// # Errors
/// The cache folder cannot be written.
pub fn store(path: &Path, entry: &Entry) -> Result<()> {
    let body = serde_json::to_string(entry).context("cannot encode a cache entry")?;
    let text = format!(
        "{FORMAT} {}\n{body}",
        blake3::hash(body.as_bytes()).to_hex()
    );
    atomic_write(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::Segment;

    fn entry() -> Entry {
        Entry {
            key: "k".into(),
            device: Some("CPU".into()),
            run_ms: 3,
            cells: vec![vec![Segment::Text("hi\n".into())]],
            checks: vec![],
        }
    }

    #[test]
    fn an_entry_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c/x.entry");
        store(&path, &entry()).unwrap();
        assert!(matches!(lookup(&path, "k"), Lookup::Hit(e) if e == entry()));
        assert!(matches!(lookup(&path, "other"), Lookup::Miss));
    }

    #[test]
    fn a_damaged_entry_is_never_a_hit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.entry");
        store(&path, &entry()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap().replace("hi", "ho");
        std::fs::write(&path, text).unwrap();
        assert!(matches!(lookup(&path, "k"), Lookup::Damaged(_)));
        std::fs::write(&path, b"\xff\xfe").unwrap();
        assert!(matches!(lookup(&path, "k"), Lookup::Damaged(_)));
    }

    #[test]
    fn the_chapter_key_depends_on_every_cell() {
        let a = chapter_key("g", &["x".into(), "y".into()]);
        assert_ne!(a, chapter_key("g", &["xy".into()]));
        assert_ne!(a, chapter_key("h", &["x".into(), "y".into()]));
        assert_eq!(a, chapter_key("g", &["x".into(), "y".into()]));
    }
}
