//! Sonic's store: everything that touches the data directory (layout and rules in
//! docs/STORAGE.md).
//!
//! - [`StorageConfig`] says where things live; its `ensure_directories()` is the only code
//!   that creates the top-level folders.
//! - [`write_atomic`] / [`AtomicFile`] write every file: temp file, fsync, rename, fsync the
//!   folder. A crash leaves the old file or the new one, never a mix.
//! - [`CompositionStore`] keeps each composition's current state, autosave and numbered
//!   history; loads fall back to the autosave or history when a file is damaged.
//! - [`SampleLibrary`] stores imported audio as sent, with its records in
//!   `samples/metadata.json`; an [`AudioProbe`] passed in says what is audio.
//! - [`DataDirLock`] keeps a second writing process (CLI vs. server) out.
//!
//! The store never interprets music: it validates with `sonic-model` and persists. It
//! creates no folder outside a composition's own except in `ensure_directories()`.
//!
//! ```
//! use std::time::Duration;
//! use sonic_model::Composition;
//! use sonic_store::{CompositionStore, DataDirLock, StorageConfig};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let config = StorageConfig::new(dir.path().join("data"));
//! config.ensure_directories()?;
//! let store = CompositionStore::open(config.clone(), DataDirLock::acquire(&config, Duration::ZERO)?)?;
//! let mut song = Composition::new("First");
//! store.create(&mut song)?;
//! assert_eq!(store.list()?.compositions[0].name, "First");
//! # Ok::<(), sonic_store::StoreError>(())
//! ```

pub mod atomic;
mod backend;
mod config;
mod diff;
mod error;
mod format;
mod history;
mod listing;
mod lock;
mod read;
mod samples;
mod store;

pub use atomic::{write_atomic, AtomicFile};
pub use config::StorageConfig;
pub use diff::{
    diff_compositions, CompositionDiff, FieldChange, ItemChange, ItemChanges, ItemRef, NoteChanges,
};
pub use error::{Result, StoreError};
pub use format::FORMAT_VERSION;
pub use listing::{Listing, ListingNote};
pub use lock::DataDirLock;
pub use read::{Loaded, Recovery, RecoverySource};
pub use samples::{
    AudioProbe, ProbedAudio, SampleLibrary, SampleListing, DEFAULT_CATEGORY,
    DEFAULT_MAX_SAMPLE_BYTES,
};
pub use store::{CompositionStore, Saved};

#[cfg(test)]
mod tests;
