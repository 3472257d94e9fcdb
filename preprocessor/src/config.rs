//! `[preprocessor.descent]` in `book.toml`: the keys an author may set, their defaults, and
//! the [`Settings`] a build resolves from them (absolute paths, the device, the time limit).

use crate::device_choice::DeviceChoice;
use anyhow::{Context, Result, bail};
use mdbook_preprocessor::PreprocessorContext;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Environment variable that picks the compute device; it wins over the `device` key.
pub const DEVICE_ENV: &str = "DESCENT_DEVICE";

/// Every key `[preprocessor.descent]` accepts, with its type, for error messages.
pub const VALID_KEYS: &str = "library (path), target-dir (path), work-dir (path), profile (string), \
     device (\"auto\" | \"gpu\" | \"cpu\"), timeout (seconds), jobs (integer), \
     on-error (\"fail\" | \"render\"), output-limit (bytes per cell), data (list of paths), device-note (Rust expression), \
     page-budgets (table: chapter file = KB, for verify), \
     dependencies (table, Cargo syntax), and mdBook's own command, before, after, renderers, optional";

/// Bytes of output a cell shows in the page unless `output-limit` says otherwise.
pub const DEFAULT_OUTPUT_LIMIT: u64 = 256 * 1024;

/// What a failing cell does to the build.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnError {
    /// Report the error and make the build fail (the default; what CI wants).
    #[default]
    Fail,
    /// Show the error in the page and let the build succeed (meant for `mdbook serve`).
    Render,
}

/// The table under `[preprocessor.descent]`, exactly as written in `book.toml`.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    /// mdBook's: the command that runs the preprocessor.
    pub command: Option<String>,
    /// mdBook's: preprocessors this one runs before.
    #[serde(default)]
    pub before: Vec<String>,
    /// mdBook's: preprocessors this one runs after.
    #[serde(default)]
    pub after: Vec<String>,
    /// mdBook's: renderers this preprocessor runs for.
    pub renderers: Option<Vec<String>>,
    /// mdBook's: whether a missing command is only a warning.
    #[serde(default)]
    pub optional: bool,
    /// The crate the cells compile against (a folder with `Cargo.toml`); default: the book root.
    pub library: Option<PathBuf>,
    /// Cargo's target folder shared with the library; default `$CARGO_TARGET_DIR` or `target`.
    pub target_dir: Option<PathBuf>,
    /// Where the generated workspace, the cache and `results.json` live; default
    /// `<target-dir>/descent`.
    pub work_dir: Option<PathBuf>,
    /// Cargo profile the chapter programs are built with; default `release`.
    pub profile: Option<String>,
    /// Compute device passed to the programs as `DESCENT_DEVICE`; default `auto`.
    pub device: Option<String>,
    /// Time limit for one chapter's program, in seconds; default 600.
    pub timeout: Option<u64>,
    /// Chapter programs run at once; default: the number of cores.
    pub jobs: Option<usize>,
    /// What a failing cell does; default `fail`.
    pub on_error: Option<OnError>,
    /// Bytes of output a cell shows in the page; default 262144 (256 KiB).
    pub output_limit: Option<u64>,
    /// Files or folders whose contents key the cache (data the library reads); default
    /// `["assets/mnist"]`.
    pub data: Option<Vec<PathBuf>>,
    /// Rust expression whose `Display` names the device in each chapter's note; `""` for none.
    pub device_note: Option<String>,
    /// Extra crates the cells may use, in Cargo's `[dependencies]` syntax.
    #[serde(default)]
    pub dependencies: toml::Table,
    /// `verify`'s page weight budget per chapter, in KB (1000 bytes), keyed by the chapter's
    /// file as SUMMARY.md names it (`"mnist.md" = 2500`); other pages get the default.
    #[serde(default)]
    pub page_budgets: std::collections::BTreeMap<String, u64>,
}

impl RawConfig {
    /// Reads `[preprocessor.descent]` from the book's configuration (absent: all defaults).
    ///
    /// # Errors
    /// An unknown or ill-typed key, with the list of valid keys.
    pub fn from_book(config: &mdbook_preprocessor::config::Config) -> Result<Self> {
        let raw: Option<toml::Value> = config
            .get("preprocessor.descent")
            .context("cannot read [preprocessor.descent] from book.toml")?;
        match raw {
            None => Ok(Self::default()),
            Some(value) => Self::from_toml(value),
        }
    }

    /// Parses the table's value.
    ///
    /// # Errors
    /// An unknown or ill-typed key, with the list of valid keys.
    pub fn from_toml(value: toml::Value) -> Result<Self> {
        Self::deserialize(value).map_err(|e| {
            anyhow::anyhow!(
                "invalid [preprocessor.descent] in book.toml: {e}; valid keys are: {VALID_KEYS}"
            )
        })
    }
}

/// Everything a build needs to know, resolved from [`RawConfig`], the environment and mdBook's
/// context. Paths are absolute.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The book's root folder (where `book.toml` is).
    pub book_root: PathBuf,
    /// The chapters' folder (`[book] src`).
    pub src_dir: PathBuf,
    /// `src_dir` as written relative to the book root, for messages (`book`).
    pub src_display: String,
    /// The folder of the library crate.
    pub library: PathBuf,
    /// The library's package name as Cargo spells it.
    pub library_package: String,
    /// `Cargo.lock` of the library's workspace, when there is one.
    pub lockfile: Option<PathBuf>,
    /// Cargo's target folder.
    pub target_dir: PathBuf,
    /// The preprocessor's own folder (generated workspace, cache, results).
    pub work_dir: PathBuf,
    /// Cargo profile for chapter programs.
    pub profile: String,
    /// `auto`, `gpu` or `cpu`.
    pub device: String,
    /// Time limit per chapter program.
    pub timeout: Duration,
    /// Programs run at once.
    pub jobs: usize,
    /// What a failing cell does.
    pub on_error: OnError,
    /// Bytes of output a cell shows in the page.
    pub output_limit: u64,
    /// Data files or folders that key the cache.
    pub data: Vec<PathBuf>,
    /// Expression printed as the device in each note, if any.
    pub device_note: Option<String>,
    /// Extra dependencies, with relative `path`s made absolute.
    pub dependencies: toml::Table,
    /// Rust edition of the chapter programs.
    pub edition: String,
}

impl Settings {
    /// Resolves the settings of the book being preprocessed.
    ///
    /// # Errors
    /// A bad key in `book.toml`, a bad `DESCENT_DEVICE`, or a library folder without a
    /// readable `Cargo.toml`.
    pub fn from_context(ctx: &PreprocessorContext) -> Result<Self> {
        Self::from_config(&ctx.config, &ctx.root)
    }

    /// Resolves the settings of the book at `root` with the configuration `config` (its
    /// `book.toml`), as a build of it would.
    ///
    /// # Errors
    /// See [`Settings::from_context`].
    pub fn from_config(config: &mdbook_preprocessor::config::Config, root: &Path) -> Result<Self> {
        let raw = RawConfig::from_book(config)?;
        let edition = config
            .rust
            .edition
            .and_then(|e| serde_json::to_value(e).ok())
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "2024".to_owned());
        let src = config.book.src.clone();
        Self::resolve(raw, root, &src, edition, std::env::var(DEVICE_ENV).ok())
    }

    /// Resolves `raw` for a book at `root` whose chapters are in `root/src`.
    ///
    /// # Errors
    /// See [`Settings::from_context`].
    pub fn resolve(
        raw: RawConfig,
        root: &Path,
        src: &Path,
        edition: String,
        device_env: Option<String>,
    ) -> Result<Self> {
        let book_root = absolute(root, Path::new("."))?;
        let at_root = |p: &Path| absolute(&book_root, p);
        let library = at_root(raw.library.as_deref().unwrap_or(Path::new(".")))?;
        let library_package = package_name(&library)?;
        let target_dir = match (&raw.target_dir, std::env::var_os("CARGO_TARGET_DIR")) {
            (Some(dir), _) => at_root(dir)?,
            (None, Some(env)) => at_root(Path::new(&env))?,
            (None, None) => at_root(Path::new("target"))?,
        };
        let work_dir = match &raw.work_dir {
            Some(dir) => at_root(dir)?,
            None => target_dir.join("descent"),
        };
        let src_dir = at_root(src)?;
        refuse_inside(
            &src_dir,
            src,
            &target_dir,
            "the target folder",
            raw.target_dir.is_some(),
        )?;
        refuse_inside(
            &src_dir,
            src,
            &work_dir,
            "the work folder",
            raw.work_dir.is_some(),
        )?;
        let device = match device_env.filter(|d| !d.is_empty()) {
            Some(env) => check_device(&env, "the environment variable DESCENT_DEVICE")?,
            None => check_device(
                raw.device.as_deref().unwrap_or("auto"),
                "[preprocessor.descent] device in book.toml",
            )?,
        };
        let timeout = raw.timeout.unwrap_or(600);
        if timeout == 0 {
            bail!("[preprocessor.descent] timeout in book.toml must be at least 1 (seconds)");
        }
        let jobs = match raw.jobs {
            Some(0) => bail!("[preprocessor.descent] jobs in book.toml must be at least 1"),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let data = raw
            .data
            .unwrap_or_else(|| vec![PathBuf::from("assets/mnist")])
            .iter()
            .map(|p| at_root(p))
            .collect::<Result<Vec<_>>>()?;
        let device_note = match raw.device_note {
            Some(expr) if expr.trim().is_empty() => None,
            Some(expr) => Some(expr),
            None => Some("descent::device::describe_default()".to_owned()),
        };
        let mut dependencies = raw.dependencies;
        absolutise_paths(&mut dependencies, &book_root);
        Ok(Self {
            src_dir,
            src_display: src.display().to_string(),
            lockfile: find_lockfile(&library),
            library,
            library_package,
            target_dir,
            work_dir,
            profile: raw.profile.unwrap_or_else(|| "release".to_owned()),
            device,
            timeout: Duration::from_secs(timeout),
            jobs,
            on_error: raw.on_error.unwrap_or_default(),
            output_limit: raw.output_limit.unwrap_or(DEFAULT_OUTPUT_LIMIT),
            data,
            device_note,
            dependencies,
            edition,
            book_root,
        })
    }

    /// The folder Cargo puts the profile's binaries in.
    pub fn profile_dir(&self) -> PathBuf {
        let name = match self.profile.as_str() {
            "dev" | "test" => "debug",
            "bench" => "release",
            other => other,
        };
        self.target_dir.join(name)
    }
}

/// Refuses a folder the preprocessor writes to that lies inside the chapters' folder
/// (`mdbook serve` would rebuild forever, and the book would fill with build files).
fn refuse_inside(
    src_dir: &Path,
    src: &Path,
    dir: &Path,
    what: &str,
    from_book_toml: bool,
) -> Result<()> {
    if !dir.starts_with(src_dir) {
        return Ok(());
    }
    let (setting, key) = match what {
        "the work folder" => ("[preprocessor.descent] work-dir in book.toml", "work-dir"),
        _ if from_book_toml => (
            "[preprocessor.descent] target-dir in book.toml",
            "target-dir",
        ),
        _ => ("the environment variable CARGO_TARGET_DIR", "target-dir"),
    };
    let setting = if what == "the work folder" && !from_book_toml {
        "the target folder (the work folder's default parent)"
    } else {
        setting
    };
    bail!(
        "{what} {} is inside the chapters' folder {}, set by {setting}; the build must never \
         write there (mdbook serve would rebuild forever): choose a folder outside {} (e.g. \
         set {key} in [preprocessor.descent] to \"target\")",
        dir.display(),
        src.display(),
        src.display()
    )
}

/// The device setting's canonical name, parsed as the library parses it.
fn check_device(value: &str, source: &str) -> Result<String> {
    match DeviceChoice::parse(value) {
        Some(choice) => Ok(choice.name().to_owned()),
        None => bail!("{source} is {value:?}; use {}", DeviceChoice::VALID),
    }
}

/// `path` made absolute against `base` (not canonicalised: it may not exist yet).
fn absolute(base: &Path, path: &Path) -> Result<PathBuf> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::path::absolute(base)
            .with_context(|| format!("cannot make {} absolute", base.display()))?
            .join(path)
    };
    Ok(normalise(&joined))
}

/// Removes `.` and resolves `..` lexically.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The package name in `dir/Cargo.toml`.
fn package_name(dir: &Path) -> Result<String> {
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).with_context(|| {
        format!(
            "cannot read {}; set [preprocessor.descent] library in book.toml to the folder of the \
             crate the cells use",
            manifest.display()
        )
    })?;
    let value: toml::Table = toml::from_str(&text)
        .with_context(|| format!("{} is not valid TOML", manifest.display()))?;
    value
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(toml::Value::as_str)
        .map(str::to_owned)
        .with_context(|| {
            format!(
                "{} has no [package] name; [preprocessor.descent] library must name a crate",
                manifest.display()
            )
        })
}

/// The nearest `Cargo.lock` at or above `dir`.
fn find_lockfile(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join("Cargo.lock"))
        .find(|p| p.is_file())
}

/// Makes every relative `path = "..."` of a dependency table absolute against `root`.
fn absolutise_paths(deps: &mut toml::Table, root: &Path) {
    for (_, value) in deps.iter_mut() {
        if let Some(table) = value.as_table_mut()
            && let Some(toml::Value::String(path)) = table.get_mut("path")
            && Path::new(path.as_str()).is_relative()
        {
            let absolute = normalise(&root.join(path.as_str())).display().to_string();
            *path = absolute;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<RawConfig> {
        RawConfig::from_toml(toml::from_str::<toml::Value>(text)?)
    }

    #[test]
    fn an_empty_table_is_all_defaults() {
        assert_eq!(parse("").unwrap(), RawConfig::default());
    }

    #[test]
    fn every_key_parses() {
        let raw = parse(
            r#"
            command = "x"
            after = ["links"]
            library = "lib"
            target-dir = "t"
            work-dir = "w"
            profile = "dev"
            device = "cpu"
            timeout = 5
            jobs = 2
            on-error = "render"
            data = ["d"]
            device-note = ""
            [dependencies]
            rand = "0.9"
            "#,
        )
        .unwrap();
        assert_eq!(raw.on_error, Some(OnError::Render));
        assert_eq!(raw.timeout, Some(5));
        assert!(raw.dependencies.contains_key("rand"));
    }

    #[test]
    fn an_unknown_key_lists_the_valid_ones() {
        let err = parse("tiemout = 5").unwrap_err().to_string();
        assert!(err.contains("tiemout"), "{err}");
        assert!(err.contains("valid keys are"), "{err}");
    }

    #[test]
    fn an_ill_typed_key_is_an_error() {
        let err = parse("timeout = \"ten\"").unwrap_err().to_string();
        assert!(err.contains("valid keys are"), "{err}");
    }

    #[test]
    fn relative_dependency_paths_become_absolute() {
        let mut deps: toml::Table = toml::from_str(r#"x = { path = "../x" }"#).unwrap();
        absolutise_paths(&mut deps, Path::new("/book/root"));
        assert_eq!(deps["x"]["path"].as_str(), Some("/book/x"));
    }

    #[test]
    fn a_bad_device_says_what_is_allowed() {
        let err = check_device("tpu", "DESCENT_DEVICE")
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"cpu\""), "{err}");
    }

    #[test]
    fn the_device_is_read_as_the_library_reads_it() {
        assert_eq!(check_device(" GPU ", "x").unwrap(), "gpu");
        assert_eq!(check_device("", "x").unwrap(), "auto");
    }
}
