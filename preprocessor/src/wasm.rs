//! The playground's WebAssembly module (the library's `playground/` crate): finds a toolchain
//! that can build `wasm32-unknown-unknown`, builds the module with it, and caches it by
//! content under `<work-dir>/wasm/`, like a chapter's results.
//!
//! Two toolchains work: the standard one (a `rustc` with the target's standard library
//! installed, `rustup target add wasm32-unknown-unknown`), or Debian's `rustc-web` with
//! `rust-web-src` and `lld-19` (`scripts/setup.sh`), which has no prebuilt standard library
//! for the target, so the build compiles it from source (`-Zbuild-std`, allowed on a stable
//! compiler by `RUSTC_BOOTSTRAP=1`). With neither, the book is built without the playground.

use crate::config::Settings;
use crate::progress::{Progress, seconds};
use crate::toolchain;
use crate::workspace::{self, atomic_write};
use anyhow::{Context, Result, bail};
use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Changes whenever the way the module is built changes.
const FORMAT: &str = "descent-wasm-v1";

/// The target.
const TARGET: &str = "wasm32-unknown-unknown";

/// The playground crate's package name and the module cargo writes.
const PACKAGE: &str = "descent-playground";
const ARTIFACT: &str = "descent_playground.wasm";

/// Debian's second toolchain (`rustc-web`), its standard library's sources (`rust-web-src`)
/// and the oldest `wasm-ld` that links its objects (`lld-19`).
const DEBIAN_RUSTC: &str = "/usr/bin/rustc";
const DEBIAN_CARGO: &str = "/usr/bin/cargo";
const DEBIAN_STD_SOURCES: &str = "/usr/lib/rustlib/src/rust/library";
const DEBIAN_LINKERS: &[&str] = &[
    "/usr/bin/wasm-ld-21",
    "/usr/bin/wasm-ld-20",
    "/usr/bin/wasm-ld-19",
];

/// What to do when no toolchain is found: the fix, in one line.
pub const HOW_TO_GET_ONE: &str = "run `rustup target add wasm32-unknown-unknown`, or on Debian \
     `bash scripts/setup.sh` (rustc-web, rust-web-src, lld-19)";

/// A toolchain that builds the module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Toolchain {
    /// The `rustc` cargo uses has the target's standard library.
    Standard {
        /// `$RUSTC` or `rustc`.
        rustc: OsString,
    },
    /// Debian's `rustc-web`, building the standard library from `rust-web-src`.
    Debian {
        /// `wasm-ld` of lld 19 or later.
        linker: PathBuf,
    },
}

impl Toolchain {
    /// Finds one: the standard toolchain first, then Debian's; `None` when neither is there.
    pub fn detect() -> Option<Self> {
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let debian = [DEBIAN_RUSTC, DEBIAN_CARGO, DEBIAN_STD_SOURCES].map(Path::new);
        let linkers: Vec<&Path> = DEBIAN_LINKERS.iter().map(Path::new).collect();
        Self::detect_in(rustc, debian, &linkers)
    }

    /// [`Toolchain::detect`] with its places given: `rustc`, Debian's compiler, cargo and std
    /// sources, and the `wasm-ld`s to try, newest first.
    fn detect_in(rustc: OsString, debian: [&Path; 3], linkers: &[&Path]) -> Option<Self> {
        let libdir = Command::new(&rustc)
            .args(["--print", "target-libdir", "--target", TARGET])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
        if libdir.is_some_and(|dir| has_core(&dir)) {
            return Some(Self::Standard { rustc });
        }
        let linker = linkers.iter().find(|p| p.is_file())?;
        debian.iter().all(|p| p.exists()).then(|| Self::Debian {
            linker: linker.to_path_buf(),
        })
    }

    /// In words, for the build's progress line.
    pub fn describe(&self) -> String {
        match self {
            Self::Standard { .. } => format!("the standard {TARGET} target"),
            Self::Debian { linker } => format!(
                "Debian's rustc-web, std built from source, linked by {}",
                linker.display()
            ),
        }
    }

    fn rustc(&self) -> OsString {
        match self {
            Self::Standard { rustc } => rustc.clone(),
            Self::Debian { .. } => DEBIAN_RUSTC.into(),
        }
    }

    /// `cargo build` of the playground crate for the target, into `target_dir`.
    fn command(&self, manifest: &Path, target_dir: &Path) -> Command {
        let mut cmd = match self {
            Self::Standard { .. } => Command::new(workspace::cargo()),
            Self::Debian { .. } => Command::new(DEBIAN_CARGO),
        };
        cmd.arg("build")
            .arg("--manifest-path")
            .arg(manifest)
            .args(["-p", PACKAGE, "--profile", "wasm", "--target", TARGET])
            .arg("--target-dir")
            .arg(target_dir)
            .env("RUSTC", self.rustc())
            .env_remove("RUSTC_WRAPPER")
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS");
        if let Self::Debian { linker } = self {
            cmd.arg("-Zbuild-std=std,panic_abort")
                .env("RUSTC_BOOTSTRAP", "1")
                .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", linker);
        }
        cmd
    }
}

/// [`Toolchain::detect`] and the toolchain's `rustc -vV`, remembered in
/// `<work-dir>/wasm/toolchain` under a fingerprint of what picks them (the chapters' compiler
/// fingerprint, `RUSTC`, Debian's files): an unchanged machine starts no process.
///
/// # Errors
/// The toolchain's `rustc -vV` cannot run.
pub fn detect_remembered(work_dir: &Path) -> Result<Option<(Toolchain, String)>> {
    let mut h = blake3::Hasher::new();
    h.update(toolchain::fingerprint(work_dir).as_bytes());
    h.update(
        std::env::var_os("RUSTC")
            .unwrap_or_default()
            .as_encoded_bytes(),
    );
    for path in [DEBIAN_RUSTC, DEBIAN_CARGO, DEBIAN_STD_SOURCES]
        .iter()
        .chain(DEBIAN_LINKERS)
    {
        h.update(toolchain::stamp(Path::new(path)).as_bytes());
    }
    let fingerprint = h.finalize().to_hex().to_string();
    let memo = work_dir.join("wasm").join("toolchain");
    if let Ok(text) = std::fs::read_to_string(&memo) {
        let mut parts = text.splitn(4, '\n');
        if let (Some(stored), Some(kind), Some(arg), Some(version)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
            && stored == fingerprint
        {
            let found = match kind {
                "standard" => Some(Toolchain::Standard { rustc: arg.into() }),
                "debian" => Some(Toolchain::Debian { linker: arg.into() }),
                _ => None,
            };
            return Ok(found.map(|t| (t, version.to_owned())));
        }
    }
    let found = match Toolchain::detect() {
        None => None,
        Some(t) => {
            let out = Command::new(t.rustc())
                .arg("-vV")
                .output()
                .context("cannot run `rustc -vV` of the WebAssembly toolchain")?;
            Some((t, String::from_utf8_lossy(&out.stdout).into_owned()))
        }
    };
    let (kind, arg, version) = match &found {
        None => ("none", String::new(), ""),
        Some((Toolchain::Standard { rustc }, v)) => {
            ("standard", rustc.to_string_lossy().into_owned(), v.as_str())
        }
        Some((Toolchain::Debian { linker }, v)) => {
            ("debian", linker.display().to_string(), v.as_str())
        }
    };
    atomic_write(
        &memo,
        format!("{fingerprint}\n{kind}\n{arg}\n{version}").as_bytes(),
    )?;
    Ok(found)
}

/// Whether `dir` holds a standard library (`libcore-*.rlib`).
fn has_core(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("libcore-") && name.ends_with(".rlib")
        })
    })
}

/// The playground crate's folder: `playground/` beside the library's `Cargo.toml`.
pub fn crate_dir(settings: &Settings) -> PathBuf {
    settings.library.join("playground")
}

/// The module's bytes: from the cache when its key matches, else built now (and stored).
///
/// # Errors
/// The playground crate is missing, or cargo fails (the error carries cargo's message).
pub fn module(
    settings: &Settings,
    toolchain: &Toolchain,
    version: &str,
    progress: &Progress,
) -> Result<Vec<u8>> {
    let crate_dir = crate_dir(settings);
    if !crate_dir.join("Cargo.toml").is_file() {
        bail!(
            "a chapter asks for the playground, but {} has no Cargo.toml: the playground crate \
             belongs there (see ARCHITECTURE.md)",
            crate_dir.display()
        );
    }
    let dir = settings.work_dir.join("wasm");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let lock_path = dir.join("lock");
    let lock = File::create(&lock_path)
        .with_context(|| format!("cannot create {}", lock_path.display()))?;
    lock.lock()
        .with_context(|| format!("cannot lock {}", lock_path.display()))?;
    let key = key(settings, toolchain, version)?;
    let stored = dir.join(format!("{key}.wasm"));
    if let Ok(bytes) = std::fs::read(&stored) {
        return Ok(bytes);
    }
    progress.line(&format!(
        "building the playground's WebAssembly module with {}",
        toolchain.describe()
    ));
    let started = Instant::now();
    // Cargo's own folder for the module, in the shared target folder: another work folder
    // (a copy of the book, the build bench) recompiles nothing.
    let target_dir = settings.target_dir.join("descent-wasm");
    let out = toolchain
        .command(&settings.library.join("Cargo.toml"), &target_dir)
        .current_dir(&settings.library)
        .output()
        .context("cannot start cargo to build the playground's WebAssembly module")?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(40).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        bail!(
            "the playground's WebAssembly module failed to build ({}):\n{}\n(fix {}, or set \
             DESCENT_PLAYGROUND=off to build the book without the playground)",
            toolchain.describe(),
            tail.join("\n"),
            crate_dir.display()
        );
    }
    let built = target_dir.join(TARGET).join("wasm").join(ARTIFACT);
    let bytes =
        std::fs::read(&built).with_context(|| format!("cannot read {}", built.display()))?;
    atomic_write(&stored, &bytes)?;
    remove_others(&dir, &stored);
    progress.line(&format!(
        "playground module built in {} ({} KB)",
        seconds(started.elapsed().as_millis() as u64),
        bytes.len().div_ceil(1000)
    ));
    Ok(bytes)
}

/// Removes the files in `dir` with `keep`'s extension other than `keep`: the modules (or packed
/// modules) of older keys.
pub(crate) fn remove_others(dir: &Path, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path != keep && path.extension().is_some() && path.extension() == keep.extension() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The module's key: the toolchain (`rustc -vV` and how it is used), the library's sources
/// and `Cargo.toml`, `Cargo.lock`, and the playground crate's manifest and sources.
fn key(settings: &Settings, toolchain: &Toolchain, version: &str) -> Result<String> {
    let mut h = blake3::Hasher::new();
    let mut field = |name: &str, value: &[u8]| {
        h.update(name.as_bytes());
        h.update(&(value.len() as u64).to_le_bytes());
        h.update(value);
    };
    field("format", FORMAT.as_bytes());
    field("toolchain", format!("{toolchain:?}").as_bytes());
    field("rustc", version.as_bytes());
    field(
        "sources",
        crate::cache::hash_tree(&settings.library.join("src"))?.as_bytes(),
    );
    let crate_dir = crate_dir(settings);
    field(
        "playground",
        crate::cache::hash_tree(&crate_dir.join("src"))?.as_bytes(),
    );
    for file in [
        settings.library.join("Cargo.toml"),
        crate_dir.join("Cargo.toml"),
    ] {
        let bytes =
            std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
        field("manifest", &bytes);
    }
    if let Some(lock) = &settings.lockfile {
        let bytes =
            std::fs::read(lock).with_context(|| format!("cannot read {}", lock.display()))?;
        field("lock", &bytes);
    }
    Ok(h.finalize().to_hex().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_target_and_no_debian_toolchain_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let found = Toolchain::detect_in(
            missing.clone().into_os_string(),
            [&missing, &missing, &missing],
            &[&missing],
        );
        assert_eq!(found, None);
    }

    #[test]
    fn debians_toolchain_needs_its_three_parts_and_a_linker() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, "").unwrap();
            p
        };
        let (rustc, cargo, linker) = (file("rustc"), file("cargo"), file("wasm-ld-19"));
        let sources = dir.path().join("library");
        std::fs::create_dir(&sources).unwrap();
        let no_rustc = dir.path().join("no-rustc").into_os_string();
        let found = Toolchain::detect_in(no_rustc.clone(), [&rustc, &cargo, &sources], &[&linker]);
        assert_eq!(
            found,
            Some(Toolchain::Debian {
                linker: linker.clone()
            })
        );
        let without_sources = dir.path().join("no-sources");
        let found = Toolchain::detect_in(no_rustc, [&rustc, &cargo, &without_sources], &[&linker]);
        assert_eq!(found, None, "rust-web-src missing");
    }
}
