//! [`DataDirLock`]: the advisory lock on `data/.lock` that keeps writing processes apart.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::backend::{Backend, LocalFs, LockGuard};
use crate::config::StorageConfig;
use crate::error::{Result, StoreError};

/// The lock's key in the data directory.
const LOCK_KEY: &str = ".lock";

/// An exclusive advisory lock on `<data_dir>/.lock`, held until the last clone is dropped.
/// The server holds one for its lifetime; CLI commands that write hold one for the command.
///
/// Cloning shares the same lock (one process, one lock: the composition store and the
/// sample library of a server hold clones of it). The data directory must exist.
#[derive(Clone)]
pub struct DataDirLock {
    _guard: Arc<LockGuard>,
}

impl std::fmt::Debug for DataDirLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataDirLock")
    }
}

impl DataDirLock {
    /// Takes the lock, waiting up to `wait` for another short-lived holder to finish.
    /// Fails with [`StoreError::Locked`] when it stays taken.
    pub fn acquire(config: &StorageConfig, wait: Duration) -> Result<Self> {
        let backend = LocalFs::new(&config.data_dir);
        let deadline = Instant::now() + wait;
        loop {
            match backend.try_lock(LOCK_KEY)? {
                Some(guard) => {
                    return Ok(DataDirLock {
                        _guard: Arc::new(guard),
                    })
                }
                None if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                None => {
                    return Err(StoreError::Locked {
                        path: config.data_dir.clone(),
                    })
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
