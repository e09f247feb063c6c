//! [`CompositionStore`]: create, save, autosave, recover, restore, rename, delete.
//! Reading (load with fallback, history, versions) lives in `read.rs`, listing in `listing.rs`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use sonic_model::{time, Composition, CompositionMetadata, HistoryEntry, HistorySource, Id};

use crate::backend::{Backend, LocalFs};
use crate::config::StorageConfig;
use crate::error::{Result, StoreError};
use crate::format::{self, IndexedEntry, MetadataDocument, FORMAT_VERSION};
use crate::history;
use crate::lock::DataDirLock;

/// A composition after a write that made a new version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Saved {
    /// The state now current.
    pub composition: Composition,
    /// The history version written.
    pub version: u32,
}

/// Persists compositions: the current state, an autosave, and a numbered history of complete
/// snapshots, in the layout of docs/STORAGE.md.
///
/// A store opened with [`CompositionStore::open`] holds the data-directory lock and may
/// write; one opened with [`CompositionStore::open_read_only`] reads only (and never
/// repairs). Inside a process, writes to one composition are serialised by a lock per
/// composition; different compositions are written in parallel.
///
/// ```
/// use std::time::Duration;
/// use sonic_model::{Composition, HistorySource};
/// use sonic_store::{CompositionStore, DataDirLock, StorageConfig};
///
/// let dir = tempfile::tempdir().unwrap();
/// let config = StorageConfig::new(dir.path());
/// config.ensure_directories()?;
/// let lock = DataDirLock::acquire(&config, Duration::ZERO)?;
/// let store = CompositionStore::open(config, lock)?;
///
/// let mut song = Composition::new("Demo");
/// store.create(&mut song)?;
/// song.tempo = 96.0;
/// assert_eq!(store.save(&mut song, HistorySource::Manual, "slower")?, 1);
/// assert_eq!(store.load(&song.id)?.composition.tempo, 96.0);
/// assert_eq!(store.history(&song.id)?.len(), 2);
/// # Ok::<(), sonic_store::StoreError>(())
/// ```
pub struct CompositionStore {
    pub(crate) config: StorageConfig,
    pub(crate) backend: Arc<dyn Backend>,
    lock: Option<DataDirLock>,
    slots: Mutex<HashMap<Id, Arc<Mutex<Slot>>>>,
}

/// What a writable store remembers about one composition while it holds the data lock.
#[derive(Default)]
pub(crate) struct Slot {
    pub(crate) meta: Option<MetadataDocument>,
    next_version: Option<u32>,
}

pub(crate) fn dir_key(id: &Id) -> String {
    format!("compositions/{id}")
}
pub(crate) fn current_key(id: &Id) -> String {
    format!("compositions/{id}/current.json")
}
pub(crate) fn autosave_key(id: &Id) -> String {
    format!("compositions/{id}/autosave.json")
}
pub(crate) fn metadata_key(id: &Id) -> String {
    format!("compositions/{id}/metadata.json")
}
pub(crate) fn history_dir_key(id: &Id) -> String {
    format!("compositions/{id}/history")
}

impl CompositionStore {
    /// Opens the store for writing: creates the layout if needed and removes temp files left
    /// by a crash. `lock` proves this process owns the data directory.
    pub fn open(config: StorageConfig, lock: DataDirLock) -> Result<Self> {
        config.ensure_directories()?;
        let store = Self::with_lock(config, Some(lock));
        let removed = store.backend.clean_temp_files("compositions")?;
        for name in store.backend.list("compositions")? {
            if sonic_model::is_valid_id(&name) {
                store
                    .backend
                    .clean_temp_files(&format!("compositions/{name}"))?;
            }
        }
        if removed > 0 {
            tracing::info!(removed, "removed temp files left by an interrupted write");
        }
        Ok(store)
    }

    /// Opens the store for reading only; nothing is created, repaired or written.
    pub fn open_read_only(config: StorageConfig) -> Self {
        Self::with_lock(config, None)
    }

    fn with_lock(config: StorageConfig, lock: Option<DataDirLock>) -> Self {
        CompositionStore {
            backend: Arc::new(LocalFs::new(&config.data_dir)),
            config,
            lock,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// Where the data lives.
    pub fn config(&self) -> &StorageConfig {
        &self.config
    }

    /// True when this store may write.
    pub fn is_writable(&self) -> bool {
        self.lock.is_some()
    }

    /// True when a folder for `id` exists.
    pub fn exists(&self, id: &Id) -> bool {
        self.backend.exists(&dir_key(id))
    }

    /// Writes a new composition: `current.json`, `history/000_original.json` (source
    /// `original`) and `metadata.json`.
    pub fn create(&self, composition: &mut Composition) -> Result<CompositionMetadata> {
        self.writable()?;
        composition.validate()?;
        let slot = self.slot(&composition.id);
        let mut slot = lock(&slot);
        if self.exists(&composition.id) {
            return Err(StoreError::CompositionExists(composition.id.clone()));
        }
        self.backend.create_folder(&dir_key(&composition.id))?;
        self.backend
            .create_folder(&history_dir_key(&composition.id))?;
        let entry = HistoryEntry {
            version: 0,
            created_at: time::now(),
            source: HistorySource::Original,
            message: "Created".into(),
        };
        let meta = self.write_version(composition, entry, None)?;
        slot.next_version = Some(1);
        let listing = meta.listing.clone();
        slot.meta = Some(meta);
        Ok(listing)
    }

    /// Saves `composition` as current with a new history entry; returns its version. Sets
    /// `updated_at`, removes a now-stale `autosave.json`, updates `metadata.json`.
    pub fn save(
        &self,
        composition: &mut Composition,
        source: HistorySource,
        message: &str,
    ) -> Result<u32> {
        self.writable()?;
        composition.validate()?;
        let slot = self.slot(&composition.id);
        let mut slot = lock(&slot);
        self.ensure_meta(&composition.id, &mut slot)?;
        let version = self.next_version(&composition.id, &mut slot)?;
        composition.updated_at = time::now();
        let entry = HistoryEntry {
            version,
            created_at: composition.updated_at,
            source,
            message: message.to_owned(),
        };
        let previous = slot.meta.take();
        match self.write_version(composition, entry, previous.as_ref()) {
            Ok(meta) => {
                slot.meta = Some(meta);
                Ok(version)
            }
            Err(e) => {
                // Files may be half-way through the sequence; re-read them next time.
                slot.meta = None;
                Err(e)
            }
        }
    }

    /// Writes the history file, then `current.json`, drops the autosave, then the metadata.
    /// The order makes every acknowledged current state also a history version.
    fn write_version(
        &self,
        composition: &Composition,
        entry: HistoryEntry,
        previous: Option<&MetadataDocument>,
    ) -> Result<MetadataDocument> {
        let id = &composition.id;
        let json = format::encode_composition(composition);
        let file = history::file_name(entry.version, entry.source, entry.created_at);
        self.backend.write(
            &format!("{}/{file}", history_dir_key(id)),
            &format::history_document(&entry, &json),
        )?;
        let state = format::state_document(&json);
        self.backend.write(&current_key(id), &state)?;
        self.backend.remove(&autosave_key(id))?;

        let mut history = previous.map(|m| m.history.clone()).unwrap_or_default();
        let version = entry.version;
        history.push(IndexedEntry { entry, file });
        let meta = MetadataDocument {
            format_version: FORMAT_VERSION,
            listing: composition.listing(state.len() as u64, false, version),
            history,
        };
        self.backend
            .write(&metadata_key(id), &format::encode_metadata(&meta))?;
        Ok(meta)
    }

    /// Writes `autosave.json` only: no history entry, `current.json` untouched.
    pub fn autosave(&self, composition: &Composition) -> Result<()> {
        self.writable()?;
        composition.validate()?;
        let id = &composition.id;
        let slot = self.slot(id);
        let mut slot = lock(&slot);
        self.ensure_meta(id, &mut slot)?;
        let json = format::encode_composition(composition);
        self.backend
            .write(&autosave_key(id), &format::state_document(&json))?;
        if let Some(meta) = slot.meta.as_mut() {
            if !meta.listing.has_autosave {
                meta.listing.has_autosave = true;
                self.backend
                    .write(&metadata_key(id), &format::encode_metadata(meta))?;
            }
        }
        Ok(())
    }

    /// The state in `autosave.json`, checked like `current.json`.
    pub fn load_autosave(&self, id: &Id) -> Result<Composition> {
        let key = autosave_key(id);
        let Some(bytes) = self.backend.read(&key)? else {
            return Err(if self.exists(id) {
                StoreError::NoAutosave(id.clone())
            } else {
                StoreError::CompositionNotFound(id.clone())
            });
        };
        let path = self.config.data_dir.join(&key);
        let composition = format::decode_state(&path, &bytes)?;
        if composition.id != *id {
            return Err(format::corrupt(&path, "belongs to another composition"));
        }
        Ok(composition)
    }

    /// Promotes `autosave.json` to current, with a history entry of source
    /// `autosave_recovery`.
    pub fn recover_autosave(&self, id: &Id) -> Result<Saved> {
        self.writable()?;
        let mut composition = self.load_autosave(id)?;
        let version = self.save(
            &mut composition,
            HistorySource::AutosaveRecovery,
            "Recovered autosave",
        )?;
        Ok(Saved {
            composition,
            version,
        })
    }

    /// Makes version `version` current again, as a new entry of source `restore`. History
    /// is never rewritten.
    pub fn restore(&self, id: &Id, version: u32) -> Result<Saved> {
        self.writable()?;
        let mut composition = self.load_version(id, version)?;
        let new_version = self.save(
            &mut composition,
            HistorySource::Restore,
            &format!("Restored version {version}"),
        )?;
        Ok(Saved {
            composition,
            version: new_version,
        })
    }

    /// Renames the composition, saving a `manual` version that says so.
    pub fn rename(&self, id: &Id, name: &str) -> Result<Saved> {
        self.writable()?;
        let mut composition = self.load(id)?.composition;
        let message = format!("Renamed from {:?} to {name:?}", composition.name);
        composition.name = name.to_owned();
        let version = self.save(&mut composition, HistorySource::Manual, &message)?;
        Ok(Saved {
            composition,
            version,
        })
    }

    /// Removes the composition's folder with everything in it, at once for readers: the
    /// folder is renamed to a `.tmp-*` name first, so a concurrent load finds the whole
    /// composition or none of it, and a crash half-way leaves only a temp folder that the
    /// next [`CompositionStore::open`] removes.
    pub fn delete(&self, id: &Id) -> Result<()> {
        self.writable()?;
        let slot = self.slot(id);
        let mut slot = lock(&slot);
        let removed = self.backend.remove_all(&dir_key(id))?;
        *slot = Slot::default();
        if removed {
            Ok(())
        } else {
            Err(StoreError::CompositionNotFound(id.clone()))
        }
    }

    fn writable(&self) -> Result<()> {
        if self.is_writable() {
            Ok(())
        } else {
            Err(StoreError::ReadOnly)
        }
    }

    pub(crate) fn slot(&self, id: &Id) -> Arc<Mutex<Slot>> {
        lock(&self.slots).entry(id.clone()).or_default().clone()
    }

    /// The next version number: above every version on disk and every version this process
    /// has handed out, so numbers only grow even after a failed or interrupted save.
    fn next_version(&self, id: &Id, slot: &mut Slot) -> Result<u32> {
        let next = match slot.next_version {
            Some(next) => next,
            None => {
                let on_disk = history::sorted_files(self.backend.list(&history_dir_key(id))?)
                    .last()
                    .map(|(v, _)| v + 1)
                    .unwrap_or(0);
                let indexed = slot
                    .meta
                    .as_ref()
                    .map(|m| m.listing.latest_version + 1)
                    .unwrap_or(0);
                on_disk.max(indexed)
            }
        };
        slot.next_version = Some(next + 1);
        Ok(next)
    }

    /// Makes sure `slot.meta` holds this composition's metadata, read from disk or rebuilt
    /// from the files (and written back). Returns the reason when it had to be rebuilt.
    pub(crate) fn ensure_meta(&self, id: &Id, slot: &mut Slot) -> Result<Option<String>> {
        if slot.meta.is_some() && self.is_writable() {
            return Ok(None);
        }
        let key = metadata_key(id);
        let path = self.config.data_dir.join(&key);
        // Numbers handed out before must never be reused, even when their file is gone.
        let mut handed_out = 0;
        let problem = match self.backend.read(&key)? {
            Some(bytes) => match format::decode_metadata(&path, &bytes) {
                Ok(meta) if self.index_matches_files(id, &meta)? => {
                    slot.meta = Some(meta);
                    return Ok(None);
                }
                Ok(meta) => {
                    handed_out = meta.listing.latest_version;
                    "metadata.json disagreed with the history files".to_string()
                }
                Err(e @ StoreError::UnsupportedFormat { .. }) => return Err(e),
                Err(e) => e.to_string(),
            },
            None if !self.exists(id) => return Err(StoreError::CompositionNotFound(id.clone())),
            None => "metadata.json was missing".to_string(),
        };
        let mut meta = self.rebuild_meta(id)?;
        meta.listing.latest_version = meta.listing.latest_version.max(handed_out);
        if self.is_writable() {
            self.backend.write(&key, &format::encode_metadata(&meta))?;
        }
        tracing::warn!(composition = %id, %problem, "rebuilt metadata.json");
        slot.meta = Some(meta);
        Ok(Some(problem))
    }

    fn index_matches_files(&self, id: &Id, meta: &MetadataDocument) -> Result<bool> {
        let files = history::sorted_files(self.backend.list(&history_dir_key(id))?);
        Ok(files.len() == meta.history.len()
            && files
                .iter()
                .zip(&meta.history)
                .all(|((v, name), e)| *v == e.entry.version && *name == e.file))
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave the files inconsistent (every write is
    // atomic), so a poisoned lock is still safe to use.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
