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

/// Removes stray `.tmp-*` files left in `dir` by a crash, and `.tmp-*` folders left by a
/// [`remove_dir_atomic`] that was cut off. Returns how many were removed.
pub fn clean_temp_files(dir: &Path) -> Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(StoreError::io("list", dir)(e)),
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        if is_temp_name(&entry.file_name().to_string_lossy()) {
            let path = entry.path();
            let result = match entry.file_type() {
                Ok(kind) if kind.is_dir() => std::fs::remove_dir_all(&path),
                _ => std::fs::remove_file(&path),
            };
            if let Err(e) = result {
                tracing::warn!(path = %path.display(), error = %e, "cannot remove temp file");
            } else {
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// Removes the folder `dir` and everything in it so that readers see it whole or not at all:
/// it is first renamed to a `.tmp-*` sibling (one atomic, fsync'd step, after which it is
/// gone for every reader and for [`clean_temp_files`]-aware listings), then deleted. A crash
/// between the two leaves only a temp folder that [`clean_temp_files`] removes. Returns
/// false when `dir` did not exist.
pub fn remove_dir_atomic(dir: &Path) -> Result<bool> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let parent = parent(dir);
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let count = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let trash = parent.join(format!(
        "{TEMP_PREFIX}removed-{name}-{}-{nanos}-{count}",
        std::process::id()
    ));
    match std::fs::rename(dir, &trash) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(StoreError::io("remove", dir)(e)),
    }
    sync_dir(parent)?;
    // Already invisible: a failure from here on only leaves a temp folder for the next open.
    if let Err(e) = std::fs::remove_dir_all(&trash) {
        tracing::warn!(path = %trash.display(), error = %e, "cannot remove a deleted folder");
    }
    Ok(true)
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

    #[test]
    fn a_folder_left_by_an_interrupted_removal_is_cleaned() {
        let dir = tempfile::tempdir().unwrap();
        let trash = dir.path().join(".tmp-removed-x-1");
        std::fs::create_dir_all(trash.join("history")).unwrap();
        std::fs::write(trash.join("history/001.json"), b"{}").unwrap();
        std::fs::create_dir(dir.path().join("kept")).unwrap();
        assert_eq!(clean_temp_files(dir.path()).unwrap(), 1);
        assert!(!trash.exists());
        assert!(dir.path().join("kept").is_dir());
    }

    #[test]
    fn removing_a_folder_leaves_nothing_and_reports_absence() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("c");
        std::fs::create_dir_all(target.join("history")).unwrap();
        std::fs::write(target.join("current.json"), b"{}").unwrap();
        assert!(remove_dir_atomic(&target).unwrap());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert!(!remove_dir_atomic(&target).unwrap());
    }
}
