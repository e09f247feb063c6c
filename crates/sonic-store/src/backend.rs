//! The narrow file interface the store is built on: [`Backend`], and [`LocalFs`], its
//! implementation on a local file system.
//!
//! Everything the composition store does to storage goes through these few operations on
//! keys relative to the data directory (`compositions/<id>/current.json`). An object-store
//! backend (S3-compatible, `object_store` with conditional puts) can implement the same
//! trait; docs/STORAGE.md sketches how.

use std::io;
use std::path::{Path, PathBuf};

use crate::atomic::{self, is_temp_name};
use crate::error::{Result, StoreError};

/// Storage operations on keys relative to the data directory, `/`-separated.
pub(crate) trait Backend: Send + Sync {
    /// The bytes at `key`, or `None` when absent.
    fn read(&self, key: &str) -> Result<Option<Vec<u8>>>;
    /// Replaces `key` with `bytes` atomically and durably.
    fn write(&self, key: &str, bytes: &[u8]) -> Result<()>;
    /// Names directly under the folder `prefix` (files and folders), temp files excluded;
    /// empty when the folder does not exist.
    fn list(&self, prefix: &str) -> Result<Vec<String>>;
    /// True when `key` exists.
    fn exists(&self, key: &str) -> bool;
    /// Size of `key` in bytes, if it exists.
    fn size(&self, key: &str) -> Option<u64>;
    /// Removes the file `key`; absent is fine.
    fn remove(&self, key: &str) -> Result<()>;
    /// Removes everything under the folder `prefix`, at once for readers (they see all of it
    /// or none); returns false when there was nothing.
    fn remove_all(&self, prefix: &str) -> Result<bool>;
    /// Makes the folder `prefix` inside an existing parent (a composition's own folders;
    /// never top-level ones).
    fn create_folder(&self, prefix: &str) -> Result<()>;
    /// Removes stray temp files under `prefix` and its direct sub-folders.
    fn clean_temp_files(&self, prefix: &str) -> Result<usize>;
    /// Takes the exclusive, advisory, process-wide lock named `key` without waiting: `None`
    /// while another process holds it. Released when the guard is dropped.
    fn try_lock(&self, key: &str) -> Result<Option<LockGuard>>;
}

/// A lock taken with [`Backend::try_lock`]; dropping it releases the lock.
pub(crate) type LockGuard = Box<dyn std::any::Any + Send + Sync>;

/// [`Backend`] on the local file system, rooted at the data directory.
pub(crate) struct LocalFs {
    root: PathBuf,
}

impl LocalFs {
    pub(crate) fn new(root: &Path) -> Self {
        LocalFs {
            root: root.to_path_buf(),
        }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }
}

impl Backend for LocalFs {
    fn read(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let path = self.path(key);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::io("read", path)(e)),
        }
    }

    fn write(&self, key: &str, bytes: &[u8]) -> Result<()> {
        atomic::write_atomic(&self.path(key), bytes)
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>> {
        let dir = self.path(prefix);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(StoreError::io("list", dir)(e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(StoreError::io("list", &dir))?;
            if let Ok(name) = entry.file_name().into_string() {
                if !is_temp_name(&name) {
                    names.push(name);
                }
            }
        }
        Ok(names)
    }

    fn exists(&self, key: &str) -> bool {
        self.path(key).exists()
    }

    fn size(&self, key: &str) -> Option<u64> {
        std::fs::metadata(self.path(key)).ok().map(|m| m.len())
    }

    fn remove(&self, key: &str) -> Result<()> {
        let path = self.path(key);
        match std::fs::remove_file(&path) {
            Ok(()) => atomic::sync_dir(path.parent().unwrap_or(&self.root)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::io("remove", path)(e)),
        }
    }

    fn remove_all(&self, prefix: &str) -> Result<bool> {
        atomic::remove_dir_atomic(&self.path(prefix))
    }

    fn create_folder(&self, prefix: &str) -> Result<()> {
        // Not create_dir_all: a missing parent (say, a deleted `compositions/`) is an error,
        // because only `StorageConfig::ensure_directories()` creates top-level folders.
        let path = self.path(prefix);
        match std::fs::create_dir(&path) {
            Ok(()) => atomic::sync_dir(path.parent().unwrap_or(&self.root)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(StoreError::io("create folder", path)(e)),
        }
    }

    fn clean_temp_files(&self, prefix: &str) -> Result<usize> {
        let dir = self.path(prefix);
        let mut removed = atomic::clean_temp_files(&dir)?;
        for name in self.list(prefix)? {
            let sub = dir.join(&name);
            if sub.is_dir() {
                removed += atomic::clean_temp_files(&sub)?;
            }
        }
        Ok(removed)
    }

    fn try_lock(&self, key: &str) -> Result<Option<LockGuard>> {
        let path = self.path(key);
        // The lock file is opened, never written: its content is irrelevant.
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(StoreError::io("open lock file", &path))?;
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => Ok(Some(Box::new(file))),
            Err(fs4::TryLockError::WouldBlock) => Ok(None),
            Err(fs4::TryLockError::Error(e)) => Err(StoreError::io("lock", &path)(e)),
        }
    }
}
