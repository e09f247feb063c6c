//! Locks: [`DataDirLock`], the advisory lock on `data/.lock` that keeps writing processes
//! apart, and the in-process lock per composition.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fs4::FileExt;
use sonic_model::Id;

use crate::config::StorageConfig;
use crate::error::{Result, StoreError};

/// An exclusive advisory lock on `<data_dir>/.lock`, held until dropped. The server holds
/// one for its lifetime; CLI commands that write hold one for the command.
///
/// Cloning shares the same lock (one process, one lock: the composition store and the
/// sample library of a server hold clones of it).
#[derive(Debug, Clone)]
pub struct DataDirLock {
    _file: Arc<File>,
}

impl DataDirLock {
    /// Takes the lock, waiting up to `wait` for another short-lived holder to finish.
    /// Fails with [`StoreError::Locked`] when it stays taken.
    pub fn acquire(config: &StorageConfig, wait: Duration) -> Result<Self> {
        let path = config.lock_path();
        // Opening (not writing) the lock file: its content is never read.
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

/// One mutex per composition id, so saves of one composition are serialised inside a
/// process while different compositions proceed in parallel.
#[derive(Default)]
#[allow(dead_code)] // used by the composition store, next commit
pub(crate) struct CompositionLocks {
    locks: Mutex<HashMap<Id, Arc<Mutex<()>>>>,
}

#[allow(dead_code)]
impl CompositionLocks {
    pub(crate) fn get(&self, id: &Id) -> Arc<Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(id.clone()).or_default().clone()
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
        let second = DataDirLock::acquire(&config, Duration::from_millis(50));
        assert!(matches!(second, Err(StoreError::Locked { .. })));
        drop(first);
        DataDirLock::acquire(&config, Duration::ZERO).unwrap();
    }
}
