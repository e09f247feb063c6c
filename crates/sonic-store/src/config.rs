//! [`StorageConfig`]: where the data lives, and the one place that creates its folders.

use std::path::{Path, PathBuf};

use crate::error::{Result, StoreError};

/// Paths of the data directory (see docs/STORAGE.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageConfig {
    /// The root, `./data` by default.
    pub data_dir: PathBuf,
    /// `<data_dir>/samples`.
    pub samples_dir: PathBuf,
    /// `<data_dir>/compositions`.
    pub compositions_dir: PathBuf,
}

impl StorageConfig {
    /// The standard layout under `data_dir`.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        let data_dir = data_dir.into();
        StorageConfig {
            samples_dir: data_dir.join("samples"),
            compositions_dir: data_dir.join("compositions"),
            data_dir,
        }
    }

    /// `<samples_dir>/cache`, where analyses are cached.
    pub fn sample_cache_dir(&self) -> PathBuf {
        self.samples_dir.join("cache")
    }

    /// `<data_dir>/.lock`, the advisory lock of the whole directory.
    pub fn lock_path(&self) -> PathBuf {
        self.data_dir.join(".lock")
    }

    /// Creates `data/`, `data/compositions/`, `data/samples/` and `data/samples/cache/` if
    /// missing. Nothing else in Sonic creates top-level folders.
    pub fn ensure_directories(&self) -> Result<()> {
        for dir in [
            &self.data_dir,
            &self.compositions_dir,
            &self.samples_dir,
            &self.sample_cache_dir(),
        ] {
            std::fs::create_dir_all(dir).map_err(StoreError::io("create folder", dir))?;
        }
        Ok(())
    }

    /// True when the layout exists (so read-only commands need not create it).
    pub fn exists(&self) -> bool {
        is_dir(&self.compositions_dir)
    }
}

fn is_dir(path: &Path) -> bool {
    path.is_dir()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_directories_creates_the_layout_once() {
        let tmp = tempfile::tempdir().unwrap();
        let config = StorageConfig::new(tmp.path().join("data"));
        assert!(!config.exists());
        config.ensure_directories().unwrap();
        config.ensure_directories().unwrap();
        assert!(config.compositions_dir.is_dir());
        assert!(config.sample_cache_dir().is_dir());
    }
}
