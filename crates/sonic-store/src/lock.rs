//! [`DataDirLock`]: the advisory lock on `data/.lock` that keeps writing processes apart.

use std::fs::{File, OpenOptions};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fs4::FileExt;

use crate::config::StorageConfig;
use crate::error::{Result, StoreError};

/// An exclusive advisory lock on `<data_dir>/.lock`, held until the last clone is dropped.
/// The server holds one for its lifetime; CLI commands that write hold one for the command.
///
/// Cloning shares the same lock (one process, one lock: the composition store and the
/// sample library of a server hold clones of it). The data directory must exist.
#[derive(Debug, Clone)]
pub struct DataDirLock {
    _file: Arc<File>,
}

impl DataDirLock {
    /// Takes the lock, waiting up to `wait` for another short-lived holder to finish.
    /// Fails with [`StoreError::Locked`] when it stays taken.
    pub fn acquire(config: &StorageConfig, wait: Duration) -> Result<Self> {
        let path = config.lock_path();
        // The lock file is opened, never written: its content is irrelevant.
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(StoreError::io("open lock file", &path))?;
        let deadline = Instant::now() + wait;
        loop {
            match FileExt::try_lock(&file) {
                Ok(()) => {
                    return Ok(DataDirLock {
                        _file: Arc::new(file),
                    })
                }
                Err(fs4::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(fs4::TryLockError::WouldBlock) => {
                    return Err(StoreError::Locked {
                        path: config.data_dir.clone(),
                    })
                }
                Err(fs4::TryLockError::Error(e)) => {
                    return Err(StoreError::io("lock", &path)(e));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_drops() {
        let tmp = tempfile::tempdir().unwrap();
        let config = StorageConfig::new(tmp.path());
        let first = DataDirLock::acquire(&config, Duration::ZERO).unwrap();
        let clone = first.clone();
        drop(first);
        let second = DataDirLock::acquire(&config, Duration::from_millis(50));
        assert!(matches!(second, Err(StoreError::Locked { .. })));
        drop(clone);
        DataDirLock::acquire(&config, Duration::ZERO).unwrap();
    }
}
