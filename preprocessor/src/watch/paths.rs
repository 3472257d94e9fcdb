//! What `watch` watches: the chapters' folder, the library's sources and manifest (and the
//! playground crate's), the
//! lockfile, the data folders, the path crates the cells use, the theme, `book.toml`'s extra
//! watch folders and extra CSS/JS, and `book.toml` itself. Never the target, work or build
//! folder: the build writes there, and watching them would rebuild forever.

use crate::config::Settings;
use mdbook_driver::MDBook;
use notify_debouncer_full::notify::RecursiveMode;
use std::path::{Path, PathBuf};

/// The watched folders and files of one book.
#[derive(Debug, Clone, Default)]
pub struct Watched {
    /// Folders whose every file counts (recursively).
    trees: Vec<PathBuf>,
    /// Single files that count (watched through their folder).
    files: Vec<PathBuf>,
    /// Folders whose changes never count: the build's own outputs.
    ignored: Vec<PathBuf>,
}

impl Watched {
    /// What to watch for the book `book` with the resolved `settings`.
    pub fn of(book: &MDBook, settings: &Settings) -> Self {
        let root = &settings.book_root;
        let html = book.config.html_config().unwrap_or_default();
        let mut trees = vec![
            settings.src_dir.clone(),
            settings.library.join("src"),
            // The live playground's crate: its Rust sources, script and styles.
            crate::wasm::crate_dir(settings).join("src"),
            crate::wasm::crate_dir(settings).join("web"),
            book.theme_dir(),
        ];
        trees.extend(settings.data.iter().cloned());
        trees.extend(
            book.config
                .build
                .extra_watch_dirs
                .iter()
                .map(|dir| root.join(dir)),
        );
        trees.extend(path_crates(settings));
        let mut files = vec![
            root.join("book.toml"),
            settings.library.join("Cargo.toml"),
            settings.library.join("build.rs"),
            crate::wasm::crate_dir(settings).join("Cargo.toml"),
        ];
        files.extend(settings.lockfile.iter().cloned());
        files.extend(html.additional_css.iter().map(|f| root.join(f)));
        files.extend(html.additional_js.iter().map(|f| root.join(f)));
        let ignored = vec![
            settings.target_dir.clone(),
            settings.work_dir.clone(),
            book.build_dir_for("html"),
            root.join(&book.config.build.build_dir),
        ];
        let canonical = |paths: Vec<PathBuf>| -> Vec<PathBuf> {
            let mut out: Vec<PathBuf> = paths.iter().map(|p| canonical(p)).collect();
            out.sort();
            out.dedup();
            out
        };
        Self {
            trees: canonical(trees),
            files: canonical(files),
            ignored: canonical(ignored),
        }
    }

    /// The folders to hand to the watcher, each with its mode: the trees that exist
    /// (recursively) and the folders of the single files (not recursively).
    pub fn roots(&self) -> Vec<(PathBuf, RecursiveMode)> {
        let mut roots: Vec<(PathBuf, RecursiveMode)> = self
            .trees
            .iter()
            .filter(|t| t.is_dir() && !self.is_ignored(t))
            .map(|t| (t.clone(), RecursiveMode::Recursive))
            .collect();
        for file in &self.files {
            let Some(folder) = file.parent() else {
                continue;
            };
            let covered = roots.iter().any(|(r, _)| folder.starts_with(r));
            if folder.is_dir() && !covered {
                roots.push((folder.to_path_buf(), RecursiveMode::NonRecursive));
            }
        }
        roots.sort_by(|a, b| a.0.cmp(&b.0));
        roots.dedup_by(|a, b| a.0 == b.0);
        roots
    }

    /// Whether a change of `path` calls for a rebuild: a file of a watched tree or a watched
    /// file, not under the build's outputs, not an editor's temporary file, not inside a
    /// `target` or version-control folder of a watched crate.
    pub fn counts(&self, path: &Path) -> bool {
        let path = canonical(path);
        if self.is_ignored(&path) || is_scratch(&path) {
            return false;
        }
        if self.files.contains(&path) {
            return true;
        }
        self.trees.iter().any(|tree| {
            path.strip_prefix(tree).is_ok_and(|rel| {
                !rel.components().any(|c| {
                    matches!(
                        c.as_os_str().to_str(),
                        Some("target" | ".git" | ".hg" | ".svn")
                    )
                })
            })
        })
    }

    fn is_ignored(&self, path: &Path) -> bool {
        self.ignored.iter().any(|i| path.starts_with(i))
    }
}

/// Folders of the `path = ...` crates among the cells' extra dependencies.
fn path_crates(settings: &Settings) -> Vec<PathBuf> {
    settings
        .dependencies
        .values()
        .filter_map(|spec| Some(PathBuf::from(spec.as_table()?.get("path")?.as_str()?)))
        .collect()
}

/// `path` with links resolved as far as it exists (a deleted file keeps its name under its
/// folder's real path), so events and settings compare equal.
fn canonical(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if parent != path => canonical(parent).join(name),
        _ => path.to_path_buf(),
    }
}

/// Editors' swap, backup and probe files: saving a chapter makes several of them, and only
/// the chapter itself matters.
fn is_scratch(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name.ends_with('~')
        || name.starts_with(".#")
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name == "4913"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watched(dir: &Path) -> Watched {
        std::fs::create_dir_all(dir.join("book")).unwrap();
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::create_dir_all(dir.join("target/book")).unwrap();
        Watched {
            trees: vec![canonical(&dir.join("book")), canonical(&dir.join("src"))],
            files: vec![canonical(&dir.join("book.toml"))],
            ignored: vec![canonical(&dir.join("target"))],
        }
    }

    #[test]
    fn chapters_and_sources_count_outputs_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let w = watched(dir.path());
        assert!(w.counts(&dir.path().join("book/a.md")));
        assert!(w.counts(&dir.path().join("src/x/y.rs")));
        assert!(w.counts(&dir.path().join("book.toml")));
        assert!(!w.counts(&dir.path().join("target/book/a.html")));
        assert!(!w.counts(&dir.path().join("Cargo.toml.bak")));
        assert!(!w.counts(&dir.path().join("book/.a.md.swp")));
        assert!(!w.counts(&dir.path().join("book/a.md~")));
        assert!(!w.counts(&dir.path().join("src/target/x")));
    }

    #[test]
    fn single_files_are_watched_through_their_folder() {
        let dir = tempfile::tempdir().unwrap();
        let w = watched(dir.path());
        let roots = w.roots();
        let root = canonical(dir.path());
        assert!(roots.contains(&(root.join("book"), RecursiveMode::Recursive)));
        assert!(roots.contains(&(root.clone(), RecursiveMode::NonRecursive)));
        assert!(
            !roots
                .iter()
                .any(|(r, _)| r.starts_with(root.join("target")))
        );
    }
}
