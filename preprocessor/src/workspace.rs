//! The generated cargo workspace (one package per chapter, under the work folder) and the one
//! `cargo build` that compiles every stale chapter, sharing the library's target folder.
//!
//! Files are written only when their content changes (a rewrite with equal content would bump
//! the mtime and make cargo recompile), each through a temporary file and a rename.

use crate::config::Settings;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One chapter's package in the generated workspace.
#[derive(Debug, Clone)]
pub struct Package {
    /// Package (and binary) name.
    pub name: String,
    /// Source of `src/main.rs`.
    pub main_rs: String,
    /// Whether `main.rs` must be (re)written: the chapter is stale or the file is missing.
    pub write_source: bool,
}

/// One error rustc reported in a chapter's program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Line in `main.rs` (= line in the expanded chapter), when rustc gave one there.
    pub line: Option<usize>,
    /// Column of that line.
    pub column: usize,
    /// rustc's one-line message, e.g. "cannot find value `y` in this scope".
    pub message: String,
    /// rustc's full rendered text.
    pub rendered: String,
}

/// What one cargo call produced.
#[derive(Debug, Default)]
pub struct CompileReport {
    /// Executable per package that built.
    pub binaries: BTreeMap<String, PathBuf>,
    /// Errors per package that did not.
    pub errors: BTreeMap<String, Vec<Diagnostic>>,
    /// Cargo's own stderr, for failures that are not rustc diagnostics.
    pub cargo_stderr: String,
    /// Whether cargo reported success.
    pub success: bool,
}

/// The generated workspace's folder.
pub fn root(settings: &Settings) -> PathBuf {
    settings.work_dir.join("workspace")
}

/// Writes the workspace manifest, `Cargo.lock` and every package (sources only where asked).
///
/// # Errors
/// A file that cannot be written.
pub fn write(settings: &Settings, packages: &[Package]) -> Result<()> {
    let root = root(settings);
    let mut manifest = toml::Table::new();
    let mut workspace = toml::Table::new();
    workspace.insert(
        "members".into(),
        toml::Value::Array(
            packages
                .iter()
                .map(|p| toml::Value::String(p.name.clone()))
                .collect(),
        ),
    );
    workspace.insert("resolver".into(), "3".into());
    manifest.insert("workspace".into(), toml::Value::Table(workspace));
    if let Some(profile) = library_profiles(settings) {
        manifest.insert("profile".into(), profile);
    }
    write_if_changed(&root.join("Cargo.toml"), &to_toml(&manifest)?)?;
    if let Some(lock) = &settings.lockfile {
        let content = std::fs::read_to_string(lock)
            .with_context(|| format!("cannot read {}", lock.display()))?;
        write_if_changed(&root.join("Cargo.lock"), &content)?;
    }
    for package in packages {
        let dir = root.join(&package.name);
        write_if_changed(
            &dir.join("Cargo.toml"),
            &package_manifest(settings, &package.name)?,
        )?;
        let main = dir.join("src/main.rs");
        if package.write_source || !main.is_file() {
            write_if_changed(&main, &package.main_rs)?;
        }
    }
    Ok(())
}

/// The `[profile]` table of the library's workspace, so shared dependencies are built alike.
fn library_profiles(settings: &Settings) -> Option<toml::Value> {
    let dir = settings.lockfile.as_ref()?.parent()?;
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    table.get("profile").cloned()
}

fn package_manifest(settings: &Settings, name: &str) -> Result<String> {
    let mut package = toml::Table::new();
    package.insert("name".into(), name.into());
    package.insert("version".into(), "0.0.0".into());
    package.insert("edition".into(), settings.edition.clone().into());
    package.insert("publish".into(), false.into());
    let mut bin = toml::Table::new();
    bin.insert("name".into(), name.into());
    bin.insert("path".into(), "src/main.rs".into());
    let mut deps = toml::Table::new();
    let mut library = toml::Table::new();
    library.insert("path".into(), settings.library.display().to_string().into());
    deps.insert(
        settings.library_package.clone(),
        toml::Value::Table(library),
    );
    for (k, v) in &settings.dependencies {
        deps.insert(k.clone(), v.clone());
    }
    let mut manifest = toml::Table::new();
    manifest.insert("package".into(), toml::Value::Table(package));
    manifest.insert(
        "bin".into(),
        toml::Value::Array(vec![toml::Value::Table(bin)]),
    );
    manifest.insert("dependencies".into(), toml::Value::Table(deps));
    to_toml(&manifest)
}

fn to_toml(table: &toml::Table) -> Result<String> {
    let mut text = String::from("# Generated by mdbook-descent; edits are overwritten.\n");
    text.push_str(&toml::to_string(table).context("cannot write a generated Cargo.toml")?);
    Ok(text)
}

/// Writes `content` to `path` unless it already holds exactly that, via a temporary file and
/// a rename, so a reader never sees half a file.
///
/// # Errors
/// The folder or file cannot be written.
pub fn write_if_changed(path: &Path, content: &str) -> Result<()> {
    if std::fs::read(path).is_ok_and(|old| old == content.as_bytes()) {
        return Ok(());
    }
    atomic_write(path, content.as_bytes())
}

/// Writes a whole file or nothing: a unique temporary file, then a rename.
///
/// # Errors
/// The folder or file cannot be written.
pub fn atomic_write(path: &Path, content: &[u8]) -> Result<()> {
    let dir = path.parent().context("a file to write has no folder")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = dir.join(format!(
        ".{}.{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        std::process::id(),
        unique()
    ));
    std::fs::write(&tmp, content).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

/// A number unique within this process.
pub fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The cargo binary: the one that started us when there is one.
pub fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// Compiles `names` in one cargo call, with `--keep-going` so one chapter's error does not
/// hide another's; `progress` hears cargo's "Compiling ..." lines.
///
/// # Errors
/// Cargo cannot be started.
pub fn build(
    settings: &Settings,
    names: &[String],
    progress: &(dyn Fn(&str) + Sync),
) -> Result<CompileReport> {
    let root = root(settings);
    let mut cmd = Command::new(cargo());
    cmd.arg("build")
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&settings.target_dir)
        .args(["--profile", &settings.profile])
        .args(["--message-format=json", "--keep-going", "--color=never"]);
    for name in names {
        cmd.args(["-p", name]);
    }
    cmd.current_dir(&root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().with_context(|| {
        format!(
            "cannot run {}; install Rust with rustup or set CARGO to cargo's path",
            cargo().display()
        )
    })?;
    let stderr = child.stderr.take().context("cargo's stderr is not piped")?;
    let stdout = child.stdout.take().context("cargo's stdout is not piped")?;
    let mut report = CompileReport::default();
    let cargo_stderr = std::thread::scope(|scope| -> Result<String> {
        // Cargo's own progress ("Compiling x") goes on to the author: a first build can take
        // minutes.
        let err_thread = scope.spawn(move || {
            let mut text = String::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.trim_start().starts_with("Compiling ") {
                    progress(line.trim());
                }
                text.push_str(&line);
                text.push('\n');
            }
            text
        });
        for line in BufReader::new(stdout).lines() {
            let line = line.context("cannot read cargo's output")?;
            report.absorb(&line, names);
        }
        Ok(err_thread.join().unwrap_or_default())
    })?;
    let status = child.wait().context("cargo did not finish")?;
    report.cargo_stderr = cargo_stderr;
    report.success &= status.success();
    Ok(report)
}

#[derive(Deserialize)]
struct CargoMessage {
    reason: String,
    target: Option<Target>,
    executable: Option<PathBuf>,
    message: Option<RustcMessage>,
    success: Option<bool>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
}

#[derive(Deserialize)]
struct RustcMessage {
    message: String,
    level: String,
    rendered: Option<String>,
    #[serde(default)]
    spans: Vec<Span>,
}

#[derive(Deserialize)]
struct Span {
    file_name: String,
    line_start: usize,
    column_start: usize,
    is_primary: bool,
}

impl CompileReport {
    fn absorb(&mut self, line: &str, names: &[String]) {
        let Ok(msg) = serde_json::from_str::<CargoMessage>(line) else {
            return;
        };
        let target = msg.target.map(|t| t.name).unwrap_or_default();
        match msg.reason.as_str() {
            "compiler-artifact" => {
                if let Some(exe) = msg.executable
                    && names.contains(&target)
                {
                    self.binaries.insert(target, exe);
                }
            }
            "compiler-message" if names.contains(&target) => {
                let Some(m) = msg.message else { return };
                if m.level != "error" || m.message.starts_with("aborting due to") {
                    return;
                }
                let primary = m
                    .spans
                    .iter()
                    .find(|s| s.is_primary && s.file_name.ends_with("src/main.rs"));
                self.errors.entry(target).or_default().push(Diagnostic {
                    line: primary.map(|s| s.line_start),
                    column: primary.map_or(1, |s| s.column_start),
                    message: m.message,
                    rendered: m.rendered.unwrap_or_default(),
                });
            }
            "build-finished" => self.success = msg.success.unwrap_or(false),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rustc_errors_are_kept_per_chapter_with_their_line() {
        let mut report = CompileReport::default();
        let names = vec!["ch-a".to_owned()];
        report.absorb(
            r#"{"reason":"compiler-message","target":{"name":"ch-a"},"message":{"message":"cannot find value `y`","level":"error","rendered":"error[E0425]: ...","spans":[{"file_name":"ch-a/src/main.rs","line_start":7,"column_start":5,"is_primary":true}]}}"#,
            &names,
        );
        report.absorb(
            r#"{"reason":"compiler-message","target":{"name":"ch-a"},"message":{"message":"unused","level":"warning","spans":[]}}"#,
            &names,
        );
        report.absorb(r#"{"reason":"build-finished","success":false}"#, &names);
        let errors = &report.errors["ch-a"];
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].column), (Some(7), 5));
        assert!(!report.success);
    }

    #[test]
    fn write_if_changed_leaves_equal_files_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.txt");
        write_if_changed(&path, "x").unwrap();
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        write_if_changed(&path, "x").unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            before
        );
        write_if_changed(&path, "y").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "y");
    }
}
