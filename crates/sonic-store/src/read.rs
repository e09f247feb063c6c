//! Reading: [`CompositionStore::load`] with its fallback chain, history and versions.

use serde::Serialize;
use sonic_model::{Composition, HistoryEntry, Id};

use crate::diff::{diff_compositions, CompositionDiff};
use crate::error::{Result, StoreError};
use crate::format::{self, IndexedEntry, MetadataDocument, FORMAT_VERSION};
use crate::history;
use crate::store::{autosave_key, current_key, history_dir_key, lock, CompositionStore};

/// A composition as loaded, and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Loaded {
    /// The state.
    pub composition: Composition,
    /// Set when `current.json` was missing or unreadable and an older file was used.
    pub recovered_from: Option<Recovery>,
    /// An `autosave.json` newer than the saved state exists (see `recover_autosave`).
    pub has_autosave: bool,
}

/// Which file a load fell back to, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recovery {
    /// `autosave` or `history`.
    pub source: RecoverySource,
    /// The history version used, when `source` is `history`.
    pub version: Option<u32>,
    /// What was wrong with the files before it in the chain.
    pub reason: String,
}

/// The fallback a load used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecoverySource {
    /// `autosave.json`.
    Autosave,
    /// The newest readable history file.
    History,
}

impl CompositionStore {
    /// Loads the current state. When `current.json` is missing or corrupt it falls back to
    /// `autosave.json`, then to the newest readable history version, and says so in
    /// [`Loaded::recovered_from`]. Nothing is written.
    pub fn load(&self, id: &Id) -> Result<Loaded> {
        let mut problems = Vec::new();
        match self.read_state(id, &current_key(id)) {
            Ok(Some(composition)) => {
                return Ok(Loaded {
                    composition,
                    recovered_from: None,
                    has_autosave: self.has_readable_autosave(id),
                })
            }
            Ok(None) if !self.exists(id) => {
                return Err(StoreError::CompositionNotFound(id.clone()))
            }
            Ok(None) => problems.push("current.json is missing".to_string()),
            Err(e @ StoreError::UnsupportedFormat { .. }) => return Err(e),
            Err(e) => problems.push(e.to_string()),
        }
        match self.read_state(id, &autosave_key(id)) {
            Ok(Some(composition)) => {
                return Ok(Loaded {
                    composition,
                    recovered_from: Some(Recovery {
                        source: RecoverySource::Autosave,
                        version: None,
                        reason: problems.join("; "),
                    }),
                    has_autosave: true,
                })
            }
            Ok(None) => {}
            Err(e) => problems.push(e.to_string()),
        }
        let files = history::sorted_files(self.backend.list(&history_dir_key(id))?);
        for (_, name) in files.iter().rev() {
            let key = format!("{}/{name}", history_dir_key(id));
            let Some(bytes) = self.backend.read(&key)? else {
                continue;
            };
            match format::decode_history(&self.config.data_dir.join(&key), &bytes) {
                Ok(doc) if doc.composition.id == *id => {
                    return Ok(Loaded {
                        composition: doc.composition,
                        recovered_from: Some(Recovery {
                            source: RecoverySource::History,
                            version: Some(doc.entry.version),
                            reason: problems.join("; "),
                        }),
                        has_autosave: false,
                    })
                }
                Ok(_) => problems.push(format!("{key}: belongs to another composition")),
                Err(e) => problems.push(e.to_string()),
            }
        }
        if !self.exists(id) {
            // Deleted while we were reading.
            return Err(StoreError::CompositionNotFound(id.clone()));
        }
        tracing::error!(composition = %id, problems = %problems.join("; "), "nothing readable");
        Err(StoreError::Unrecoverable(id.clone()))
    }

    /// True when `autosave.json` exists and loads: a corrupt one is no work to recover (it
    /// is logged, and the next autosave or save replaces it).
    fn has_readable_autosave(&self, id: &Id) -> bool {
        if !self.backend.exists(&autosave_key(id)) {
            return false;
        }
        match self.read_state(id, &autosave_key(id)) {
            Ok(found) => found.is_some(),
            Err(e) => {
                tracing::warn!(composition = %id, error = %e, "ignoring an unreadable autosave.json");
                false
            }
        }
    }

    /// A state file (`current.json` or `autosave.json`), checked to belong to `id`.
    fn read_state(&self, id: &Id, key: &str) -> Result<Option<Composition>> {
        let Some(bytes) = self.backend.read(key)? else {
            return Ok(None);
        };
        let path = self.config.data_dir.join(key);
        let composition = format::decode_state(&path, &bytes)?;
        if composition.id != *id {
            return Err(format::corrupt(
                &path,
                format_args!("holds composition {} instead", composition.id),
            ));
        }
        Ok(Some(composition))
    }

    /// The history index, oldest first.
    pub fn history(&self, id: &Id) -> Result<Vec<HistoryEntry>> {
        let slot = self.slot(id);
        let mut slot = lock(&slot);
        self.ensure_meta(id, &mut slot)?;
        let meta = slot.meta.as_ref().expect("ensure_meta filled the slot");
        Ok(meta.history.iter().map(|e| e.entry.clone()).collect())
    }

    /// The composition as it was at `version`.
    pub fn load_version(&self, id: &Id, version: u32) -> Result<Composition> {
        let files = history::sorted_files(self.backend.list(&history_dir_key(id))?);
        let Some((_, name)) = files.iter().find(|(v, _)| *v == version) else {
            return Err(if self.exists(id) {
                StoreError::VersionNotFound {
                    id: id.clone(),
                    version,
                }
            } else {
                StoreError::CompositionNotFound(id.clone())
            });
        };
        let key = format!("{}/{name}", history_dir_key(id));
        let path = self.config.data_dir.join(&key);
        let bytes = self
            .backend
            .read(&key)?
            .ok_or_else(|| StoreError::VersionNotFound {
                id: id.clone(),
                version,
            })?;
        let doc = format::decode_history(&path, &bytes)?;
        if doc.composition.id != *id {
            return Err(format::corrupt(&path, "belongs to another composition"));
        }
        Ok(doc.composition)
    }

    /// What changed from version `from` to version `to`.
    pub fn diff(&self, id: &Id, from: u32, to: u32) -> Result<CompositionDiff> {
        let a = self.load_version(id, from)?;
        let b = self.load_version(id, to)?;
        Ok(diff_compositions(&a, &b))
    }

    /// Rebuilds `metadata.json`'s content from the files: the loadable state and every
    /// readable history file (unreadable ones are left out of the index and logged).
    pub(crate) fn rebuild_meta(&self, id: &Id) -> Result<MetadataDocument> {
        let loaded = self.load(id)?;
        let mut history = Vec::new();
        for (version, name) in history::sorted_files(self.backend.list(&history_dir_key(id))?) {
            let key = format!("{}/{name}", history_dir_key(id));
            let Some(bytes) = self.backend.read(&key)? else {
                continue;
            };
            match format::decode_history_entry(&self.config.data_dir.join(&key), &bytes) {
                Ok(entry) if entry.version == version => {
                    history.push(IndexedEntry { entry, file: name })
                }
                Ok(_) => tracing::warn!(%key, "history file number disagrees with its content"),
                Err(e) => tracing::warn!(%key, error = %e, "unreadable history file left out"),
            }
        }
        let latest = history.last().map(|e| e.entry.version).unwrap_or(0);
        let size = self.backend.size(&current_key(id)).unwrap_or(0);
        Ok(MetadataDocument {
            format_version: FORMAT_VERSION,
            listing: loaded
                .composition
                .listing(size, loaded.has_autosave, latest),
            history,
        })
    }
}
