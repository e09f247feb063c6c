//! The atomic writer: every file Sonic writes goes through [`write_atomic`] or [`AtomicFile`].
//!
//! A write goes to a temp file in the target's folder (named `.tmp-*`), which is flushed and
//! fsync'd, renamed over the target, and then the folder itself is fsync'd so the rename is
//! durable. A crash leaves either the old file or the new one, plus at most a stray temp file
//! that no reader looks at and [`clean_temp_files`] removes.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::{Result, StoreError};

/// Prefix of every temp file; readers skip names that start with it.
pub const TEMP_PREFIX: &str = ".tmp-";

/// Writes `bytes` to `path` atomically and durably.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("a.json");
/// sonic_store::write_atomic(&path, b"{}").unwrap();
/// assert_eq!(std::fs::read(&path).unwrap(), b"{}");
/// ```
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = AtomicFile::new(path)?;
    file.write_all(bytes)
        .map_err(StoreError::io("write", file.temp_path()))?;
    file.commit()
}

/// A file being written atomically: write to it, then [`AtomicFile::commit`]. Dropping it
/// without committing removes the temp file and leaves the target untouched.
pub struct AtomicFile {
    temp: tempfile::NamedTempFile,
    target: PathBuf,
}

impl AtomicFile {
    /// Starts a write that will replace `target`. The target's folder must exist.
    pub fn new(target: &Path) -> Result<Self> {
        let dir = parent(target);
        let temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(dir)
            .map_err(StoreError::io("create temp file in", dir))?;
        Ok(AtomicFile {
            temp,
            target: target.to_path_buf(),
        })
    }

    /// Where the bytes go until the commit.
    pub fn temp_path(&self) -> &Path {
        self.temp.path()
    }

    /// Bytes written so far.
    pub fn len(&self) -> Result<u64> {
        self.temp
            .as_file()
            .metadata()
            .map(|m| m.len())
            .map_err(StoreError::io("stat", self.temp.path()))
    }

    /// True when nothing was written yet.
    pub fn is_empty(&self) -> Result<bool> {
        self.len().map(|n| n == 0)
    }

    /// Flushes, fsyncs, renames over the target and fsyncs the folder.
    pub fn commit(self) -> Result<()> {
        let AtomicFile { temp, target } = self;
        temp.as_file()
            .sync_all()
            .map_err(StoreError::io("fsync", temp.path()))?;
        temp.persist(&target).map_err(|e| StoreError::Io {
            op: "rename into place",
            path: target.clone(),
            source: e.error,
        })?;
        sync_dir(parent(&target))
    }

    /// Renames the finished temp file to `target` instead of the original target (used when
    /// the final name is only known after the content, e.g. a probed file extension).
    pub fn commit_as(mut self, target: &Path) -> Result<()> {
        self.target = target.to_path_buf();
        self.commit()
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.temp.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.temp.flush()
    }
}

/// Fsyncs a folder so renames and removals inside it survive a power cut.
pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(StoreError::io("fsync folder", dir))
}

/// Removes stray `.tmp-*` files left in `dir` by a crash. Returns how many were removed.
pub fn clean_temp_files(dir: &Path) -> Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(StoreError::io("list", dir)(e)),
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        if is_temp_name(&entry.file_name().to_string_lossy()) {
            if let Err(e) = std::fs::remove_file(entry.path()) {
                tracing::warn!(path = %entry.path().display(), error = %e, "cannot remove temp file");
            } else {
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// True for names the atomic writer uses for temp files.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with(TEMP_PREFIX)
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_replaces_the_target_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn dropping_an_uncommitted_file_keeps_the_old_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        write_atomic(&path, b"old").unwrap();
        {
            let mut file = AtomicFile::new(&path).unwrap();
            file.write_all(b"half").unwrap();
        }
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn stray_temp_files_are_cleaned() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".tmp-abc"), b"partial").unwrap();
        std::fs::write(dir.path().join("keep.json"), b"{}").unwrap();
        assert_eq!(clean_temp_files(dir.path()).unwrap(), 1);
        assert!(dir.path().join("keep.json").exists());
    }
}
