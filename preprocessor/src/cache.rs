//! The results cache: a chapter's outputs are reused only while nothing that could change them
//! changed. The key hashes the chapter's cells with everything outside them that matters: the
//! library's sources, `Cargo.lock`, the toolchain (`rustc -vV`), this preprocessor's version,
//! the device setting, the build settings and the data files (by content, see `data_hash.rs`).
//!
//! One entry per chapter, written whole or not at all (temporary file + rename), with a hash
//! of its body checked on every read: a damaged entry is a miss, never shown. A failed run
//! writes nothing, so the previous good entry stays. The body is a short JSON document and
//! the figures' SVG after it, as they are: a rebuild reads megabytes of figures at the speed
//! of a copy, not of a JSON string parser.

use crate::check::Check;
use crate::config::Settings;
use crate::data_hash;
use crate::run::{CellOutput, Segment};
use crate::toolchain;
use crate::workspace::atomic_write;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// Changes whenever the entry format or the meaning of a key changes.
const FORMAT: &str = "descent-cache-v3";

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
    /// A hash per part of the key ([`chapter_parts`]: `cells`, `library`, ...), so a later
    /// miss can say which part changed. Not part of the key itself.
    #[serde(default)]
    pub parts: BTreeMap<String, String>,
}

/// Result of looking an entry up.
#[derive(Debug)]
pub enum Lookup {
    /// A valid entry under the wanted key.
    Hit(Entry),
    /// No entry (`None`), or one under another key (the old entry, to say what changed).
    Miss(Option<Box<Entry>>),
    /// An entry that fails its check (cut short, edited, not ours).
    Damaged(String),
}

/// The part of every chapter's key that does not depend on the chapter, with a hash per
/// group of its fields (what a cache miss names as its reason).
#[derive(Debug, Clone)]
pub struct GlobalKey {
    /// The hash that goes into every chapter's key.
    pub key: String,
    /// Group name (`library`, `lockfile`, `data`, `device`, `toolchain`, `settings`) to the
    /// hash of that group's fields.
    pub parts: BTreeMap<String, String>,
}

/// Which group a field of the global key belongs to, for the miss reason.
fn group(field: &str) -> &'static str {
    match field {
        "device" | "device-note" => "device",
        "profile" | "edition" | "dependencies" | "library" | "package" => "settings",
        "sources" | "Cargo.toml" | "build.rs" | "path-dependency" | "path-dependency-files" => {
            "library"
        }
        "lock" => "lockfile",
        "data" | "data-env" => "data",
        _ => "toolchain",
    }
}

/// The part of every chapter's key that does not depend on the chapter.
///
/// # Errors
/// A library or data file that cannot be read, or no `rustc`.
pub fn global_key(settings: &Settings) -> Result<GlobalKey> {
    let mut h = blake3::Hasher::new();
    let mut groups: BTreeMap<&'static str, blake3::Hasher> = BTreeMap::new();
    let mut field = |name: &str, value: &[u8]| {
        for hasher in [&mut h, groups.entry(group(name)).or_default()] {
            hasher.update(name.as_bytes());
            hasher.update(&(value.len() as u64).to_le_bytes());
            hasher.update(value);
        }
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
        hash_tree(&settings.library.join("src"))?.as_bytes(),
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
    for (name, folder) in path_dependencies(settings) {
        field("path-dependency", name.as_bytes());
        field("path-dependency-files", hash_crate(&folder)?.as_bytes());
    }
    let mut memo = data_hash::Memo::open(&settings.work_dir);
    for data in &settings.data {
        field("data", hash_tree_with(data, Data(&mut memo))?.as_bytes());
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV) {
        field(
            "data-env",
            hash_tree_with(Path::new(&dir), Data(&mut memo))?.as_bytes(),
        );
    }
    memo.save();
    field(
        "toolchain",
        toolchain::version(&settings.work_dir)?.as_bytes(),
    );
    Ok(GlobalKey {
        key: h.finalize().to_hex().to_string(),
        parts: groups
            .into_iter()
            .map(|(name, hasher)| (name.to_owned(), hasher.finalize().to_hex().to_string()))
            .collect(),
    })
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

/// A chapter's key parts: the global key's groups and `cells`, the hash of its cells' code.
pub fn chapter_parts(global: &GlobalKey, cells: &[String]) -> BTreeMap<String, String> {
    let mut parts = global.parts.clone();
    parts.insert("cells".to_owned(), chapter_key("", cells));
    parts
}

/// Why a chapter missed the cache, in words: the groups whose hash differs from the old
/// entry's (`cells`, `library`, `lockfile`, `data`, `device`, `toolchain`, `settings`), or
/// that there was no entry.
pub fn miss_reason(old: Option<&Entry>, parts: &BTreeMap<String, String>) -> String {
    let Some(old) = old else {
        return "not in the cache".to_owned();
    };
    if old.parts.is_empty() {
        return "its cache entry is from an older build (no key parts recorded)".to_owned();
    }
    let changed: Vec<&str> = parts
        .iter()
        .filter(|(name, hash)| old.parts.get(*name) != Some(hash))
        .map(|(name, _)| name.as_str())
        .chain(
            old.parts
                .keys()
                .filter(|name| !parts.contains_key(*name))
                .map(String::as_str),
        )
        .collect();
    if changed.is_empty() {
        // Same groups, other key: only a field outside the groups could do this.
        "its key changed".to_owned()
    } else {
        format!("changed: {}", changed.join(", "))
    }
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

/// Folders of the `path = ...` crates among the extra dependencies, sorted by name.
fn path_dependencies(settings: &Settings) -> Vec<(String, PathBuf)> {
    settings
        .dependencies
        .iter()
        .filter_map(|(name, value)| {
            let path = value.as_table()?.get("path")?.as_str()?;
            Some((name.clone(), PathBuf::from(path)))
        })
        .collect()
}

/// Hash of a local crate's files by content: everything under its folder but build output
/// (`target/`) and version-control folders.
fn hash_crate(folder: &Path) -> Result<String> {
    hash_files(folder, Contents, &|name| {
        !matches!(name, "target" | ".git" | ".hg" | ".svn")
    })
}

/// Hash of every file under `path` (names and contents or metadata, in sorted order); a
/// missing path hashes as empty.
fn hash_tree_with(path: &Path, part: Part<'_>) -> Result<String> {
    hash_files(path, part, &|_| true)
}

/// Hash of every file under `path` by name and contents, in sorted order; a missing path
/// hashes as empty.
///
/// # Errors
/// A file that cannot be read.
pub fn hash_tree(path: &Path) -> Result<String> {
    hash_tree_with(path, Contents)
}

/// [`hash_tree`] over the entries whose names `keep` accepts. Symbolic links are followed; a
/// link back to a folder above it (a loop) is hashed by its name only.
fn hash_files(path: &Path, mut part: Part<'_>, keep: &dyn Fn(&str) -> bool) -> Result<String> {
    let mut h = blake3::Hasher::new();
    if !path.exists() {
        return Ok(h.finalize().to_hex().to_string());
    }
    let walk = WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || e.file_name().to_str().is_none_or(keep));
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) if e.loop_ancestor().is_some() => {
                let link = e.path().unwrap_or(path);
                let rel = link.strip_prefix(path).unwrap_or(link);
                h.update(b"loop\0");
                h.update(rel.to_string_lossy().as_bytes());
                h.update(b"\0");
                continue;
            }
            Err(e) => {
                let at = e.path().unwrap_or(path).display().to_string();
                return Err(anyhow::Error::new(e).context(format!("cannot read {at}")));
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let file = entry.path();
        let rel = file.strip_prefix(path).unwrap_or(file);
        h.update(rel.to_string_lossy().as_bytes());
        h.update(b"\0");
        match &mut part {
            Contents => {
                let bytes = std::fs::read(file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                h.update(&(bytes.len() as u64).to_le_bytes());
                h.update(&bytes);
            }
            Data(memo) => {
                h.update(memo.hash(file)?.as_bytes());
            }
        }
    }
    Ok(h.finalize().to_hex().to_string())
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
        return Lookup::Miss(None);
    };
    match decode(&bytes) {
        Ok(entry) if entry.key == key => Lookup::Hit(entry),
        Ok(entry) => Lookup::Miss(Some(Box::new(entry))),
        Err(why) => Lookup::Damaged(why),
    }
}

/// An entry as stored: its figures emptied, their lengths in bytes in order (the SVG follows
/// the JSON).
#[derive(Serialize, Deserialize)]
struct Stored {
    entry: Entry,
    figures: Vec<usize>,
}

fn figures_mut(entry: &mut Entry) -> impl Iterator<Item = &mut String> {
    entry.cells.iter_mut().flatten().filter_map(|s| match s {
        Segment::Figure(svg) => Some(svg),
        _ => None,
    })
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
    let (length, rest) = body.split_once('\n').ok_or("no length line")?;
    let length: usize = length.parse().map_err(|_| "bad length line")?;
    let json = rest.get(..length).ok_or("shorter than its JSON")?;
    let Stored { mut entry, figures } =
        serde_json::from_str(json).map_err(|e| format!("unreadable body: {e}"))?;
    let mut svg = &rest[length..];
    let mut lengths = figures.into_iter();
    for figure in figures_mut(&mut entry) {
        let n = lengths.next().ok_or("fewer figure lengths than figures")?;
        let (this, after) = svg
            .split_at_checked(n)
            .ok_or("a figure's length runs past the end or into a character")?;
        this.clone_into(figure);
        svg = after;
    }
    if lengths.next().is_some() || !svg.is_empty() {
        return Err("figures left over".to_owned());
    }
    Ok(entry)
}

/// Stores `entry` at `path`, whole or not at all.
///
/// # Errors
/// The cache folder cannot be written.
pub fn store(path: &Path, entry: &Entry) -> Result<()> {
    let mut stored = Stored {
        entry: entry.clone(),
        figures: Vec::new(),
    };
    let mut svg = String::new();
    for figure in figures_mut(&mut stored.entry) {
        stored.figures.push(figure.len());
        svg.push_str(&std::mem::take(figure));
    }
    let json = serde_json::to_string(&stored).context("cannot encode a cache entry")?;
    let body = format!("{}\n{json}{svg}", json.len());
    let text = format!(
        "{FORMAT} {}\n{body}",
        blake3::hash(body.as_bytes()).to_hex()
    );
    atomic_write(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            key: "k".into(),
            device: Some("CPU".into()),
            run_ms: 3,
            cells: vec![
                vec![
                    Segment::Text("hi\n".into()),
                    Segment::Figure("<svg aria-label=\"x ≤ 1\">\n</svg>".into()),
                ],
                vec![],
                vec![Segment::Figure("<svg/>".into()), Segment::Text("é".into())],
            ],
            checks: vec![],
            parts: BTreeMap::from([("cells".to_owned(), "1".to_owned())]),
        }
    }

    #[test]
    fn an_entry_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c/x.entry");
        store(&path, &entry()).unwrap();
        assert!(matches!(lookup(&path, "k"), Lookup::Hit(e) if e == entry()));
        assert!(matches!(lookup(&path, "other"), Lookup::Miss(Some(e)) if *e == entry()));
        assert!(matches!(
            lookup(&dir.path().join("none"), "k"),
            Lookup::Miss(None)
        ));
    }

    #[test]
    fn a_miss_names_the_parts_that_changed() {
        let old = Entry {
            parts: BTreeMap::from([
                ("cells".to_owned(), "a".to_owned()),
                ("library".to_owned(), "b".to_owned()),
                ("data".to_owned(), "c".to_owned()),
            ]),
            ..entry()
        };
        let mut now = old.parts.clone();
        assert_eq!(miss_reason(Some(&old), &now), "its key changed");
        now.insert("library".to_owned(), "B".to_owned());
        now.insert("cells".to_owned(), "A".to_owned());
        assert_eq!(miss_reason(Some(&old), &now), "changed: cells, library");
        now.remove("data");
        assert_eq!(
            miss_reason(Some(&old), &now),
            "changed: cells, library, data"
        );
        assert_eq!(miss_reason(None, &now), "not in the cache");
    }

    #[test]
    fn every_key_field_has_its_group() {
        for (field, part) in [
            ("sources", "library"),
            ("lock", "lockfile"),
            ("data-env", "data"),
            ("device", "device"),
            ("toolchain", "toolchain"),
            ("preprocessor", "toolchain"),
            ("profile", "settings"),
        ] {
            assert_eq!(group(field), part, "{field}");
        }
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
    fn figure_lengths_that_do_not_fit_are_an_error_not_a_panic() {
        let with_hash = |body: &str| {
            format!(
                "{FORMAT} {}\n{body}",
                blake3::hash(body.as_bytes()).to_hex()
            )
            .into_bytes()
        };
        let json = |lengths: &str| {
            format!(
                "{{\"entry\":{{\"key\":\"k\",\"device\":null,\"run_ms\":1,\"cells\":\
                 [[{{\"figure\":\"\"}}]]}},\"figures\":[{lengths}]}}"
            )
        };
        let good = json("2");
        assert!(decode(&with_hash(&format!("{}\n{good}<a", good.len()))).is_ok());
        for (lengths, svg) in [
            ("9", "<a"),
            ("1", "é"),
            ("1", "<a"),
            ("", "<a"),
            ("2,1", "<a"),
        ] {
            let j = json(lengths);
            let got = decode(&with_hash(&format!("{}\n{j}{svg}", j.len())));
            assert!(got.is_err(), "{lengths} {svg}: {got:?}");
        }
        assert!(decode(&with_hash("99\n{}")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_loop_ends_and_still_hashes_the_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/x.rs"), "1").unwrap();
        std::os::unix::fs::symlink("..", dir.path().join("a/up")).unwrap();
        let before = hash_tree(dir.path()).unwrap();
        std::fs::write(dir.path().join("a/x.rs"), "2").unwrap();
        assert_ne!(before, hash_tree(dir.path()).unwrap());
    }

    #[test]
    fn a_crate_hash_skips_its_build_output() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("lib.rs"), "1").unwrap();
        let before = hash_crate(dir.path()).unwrap();
        std::fs::create_dir_all(dir.path().join("target")).unwrap();
        std::fs::write(dir.path().join("target/x"), "junk").unwrap();
        assert_eq!(before, hash_crate(dir.path()).unwrap());
        std::fs::write(dir.path().join("lib.rs"), "2").unwrap();
        assert_ne!(before, hash_crate(dir.path()).unwrap());
    }

    #[test]
    fn the_chapter_key_depends_on_every_cell() {
        let a = chapter_key("g", &["x".into(), "y".into()]);
        assert_ne!(a, chapter_key("g", &["xy".into()]));
        assert_ne!(a, chapter_key("h", &["x".into(), "y".into()]));
        assert_eq!(a, chapter_key("g", &["x".into(), "y".into()]));
    }
}
