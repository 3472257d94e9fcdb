//! Data files take part in the cache key by content, so an entry made from the same data is a
//! hit in a fresh checkout too (CI restores the cache into a clone whose files all have new
//! modification times). Hashing 11 MB on every build would cost more than the rest of a
//! rebuild, so each file's hash is remembered in the work folder (`data-hashes.json`) under
//! its stamp (path, size, modification time) and recomputed only when the stamp changes.

use crate::toolchain;
use crate::workspace::atomic_write;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Remembered hashes: stamp -> BLAKE3 of the contents.
pub struct Memo {
    path: PathBuf,
    hashes: BTreeMap<String, String>,
    used: BTreeMap<String, String>,
}

impl Memo {
    /// The memo of the work folder `work_dir` (empty when missing or unreadable).
    pub fn open(work_dir: &Path) -> Self {
        let path = work_dir.join("data-hashes.json");
        let hashes = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        Self {
            path,
            hashes,
            used: BTreeMap::new(),
        }
    }

    /// The content hash of `file`, from the memo when its stamp is unchanged.
    ///
    /// # Errors
    /// The file cannot be read.
    pub fn hash(&mut self, file: &Path) -> Result<String> {
        let stamp = toolchain::stamp(file);
        let hash = match self.hashes.get(&stamp) {
            Some(hash) => hash.clone(),
            None => {
                let reader = std::fs::File::open(file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                let mut h = blake3::Hasher::new();
                h.update_reader(reader)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                h.finalize().to_hex().to_string()
            }
        };
        self.used.insert(stamp, hash.clone());
        Ok(hash)
    }

    /// Writes the memo back, holding only the files hashed since it was opened, when it
    /// changed (a failure to write only costs a rehash next time).
    pub fn save(self) {
        if self.used != self.hashes
            && let Ok(text) = serde_json::to_string_pretty(&self.used)
            && let Some(dir) = self.path.parent()
            && std::fs::create_dir_all(dir).is_ok()
        {
            let _ = atomic_write(&self.path, text.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_contents_hash_equal_whatever_the_modification_time() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, "same bytes").unwrap();
        let mut memo = Memo::open(dir.path());
        let first = memo.hash(&a).unwrap();
        memo.save();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&b, "same bytes").unwrap();
        let mut memo = Memo::open(dir.path());
        assert_eq!(memo.hash(&b).unwrap(), first);
        assert_eq!(memo.hash(&a).unwrap(), first, "from the memo");
        std::fs::write(&a, "other bytes").unwrap();
        assert_ne!(memo.hash(&a).unwrap(), first, "a new stamp is hashed again");
    }

    #[test]
    fn the_memo_is_kept_in_the_work_folder() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data.bin");
        std::fs::write(&file, [1u8, 2, 3]).unwrap();
        let mut memo = Memo::open(dir.path());
        let hash = memo.hash(&file).unwrap();
        memo.save();
        let text = std::fs::read_to_string(dir.path().join("data-hashes.json")).unwrap();
        assert!(text.contains(&hash), "{text}");
    }
}
