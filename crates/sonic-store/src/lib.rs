//! Sonic's store: everything that touches the data directory.
//!
//! - [`StorageConfig`] says where things live; its `ensure_directories()` is the only code
//!   that creates the top-level folders.
//! - [`write_atomic`] / [`AtomicFile`] write every file: temp file, fsync, rename, fsync the
//!   folder. A crash leaves the old file or the new one, never a mix.
//! - [`DataDirLock`] keeps a second writing process (CLI vs. server) out.

pub mod atomic;
mod config;
mod error;
mod lock;

pub use atomic::{write_atomic, AtomicFile};
pub use config::StorageConfig;
pub use error::{Result, StoreError};
pub use lock::DataDirLock;
