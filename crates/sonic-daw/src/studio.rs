//! [`Studio`]: the compositions open for editing, each behind its own lock, loaded and written
//! through the [`CompositionStore`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use sonic_model::{Composition, HistorySource, Id};
use sonic_store::{CompositionStore, Recovery};

use crate::autosave::AutosaveTask;
use crate::undo::DEFAULT_UNDO_LIMIT;
use crate::{DawError, OpenComposition, Outcome, Result, Scope};

/// Autosave interval unless configured otherwise.
pub const DEFAULT_AUTOSAVE_INTERVAL: Duration = Duration::from_secs(2);

/// How a [`Studio`] behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudioConfig {
    /// How often the autosave task writes changed compositions (default 2 s).
    pub autosave_interval: Duration,
    /// Undo steps kept per composition (default 100).
    pub undo_limit: usize,
}

impl Default for StudioConfig {
    fn default() -> Self {
        StudioConfig {
            autosave_interval: DEFAULT_AUTOSAVE_INTERVAL,
            undo_limit: DEFAULT_UNDO_LIMIT,
        }
    }
}

/// What opening a composition found.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    /// It was open already (nothing was read).
    pub already_open: bool,
    /// The load fell back to an autosave or a history version (see the store).
    pub recovered_from: Option<Recovery>,
    /// An autosave newer than the saved state exists.
    pub has_autosave: bool,
}

/// One open composition: `edit` guards the state; `write` orders the writes of its files so
/// an older autosave can never land after a newer save.
struct Slot {
    edit: Mutex<OpenComposition>,
    write: Mutex<()>,
}

struct Inner {
    store: CompositionStore,
    config: StudioConfig,
    open: RwLock<HashMap<Id, Arc<Slot>>>,
}

/// The compositions open for editing. Cheap to clone (all clones share the same state).
///
/// Each composition has its own lock: edits to different compositions never wait for each
/// other, and files are written outside the edit lock (from a snapshot).
#[derive(Clone)]
pub struct Studio {
    inner: Arc<Inner>,
}

fn guard<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves the data as it was at the panic; keep serving.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Studio {
    /// A studio over `store` with nothing open. Call [`Studio::start_autosave`] to write
    /// changes in the background.
    pub fn new(store: CompositionStore, config: StudioConfig) -> Self {
        Studio {
            inner: Arc::new(Inner {
                store,
                config,
                open: RwLock::new(HashMap::new()),
            }),
        }
    }

    /// The store behind the studio.
    pub fn store(&self) -> &CompositionStore {
        &self.inner.store
    }

    /// The configuration.
    pub fn config(&self) -> &StudioConfig {
        &self.inner.config
    }

    fn slot(&self, id: &Id) -> Option<Arc<Slot>> {
        let open = self.inner.open.read().unwrap_or_else(|p| p.into_inner());
        open.get(id).cloned()
    }

    /// Makes `composition` open. It is checked to still exist in the store under the map's
    /// write lock, which [`Studio::delete`] also holds: a load that raced a delete never
    /// leaves a ghost open.
    fn insert(&self, composition: Composition) -> Result<Arc<Slot>> {
        let id = composition.id.clone();
        let slot = Arc::new(Slot {
            edit: Mutex::new(OpenComposition::new(
                composition,
                self.inner.config.undo_limit,
            )),
            write: Mutex::new(()),
        });
        let mut open = self.inner.open.write().unwrap_or_else(|p| p.into_inner());
        if !self.inner.store.exists(&id) {
            return Err(sonic_store::StoreError::CompositionNotFound(id).into());
        }
        // Another thread may have opened it meanwhile: keep the first.
        Ok(open.entry(id).or_insert(slot).clone())
    }

    /// Opens a composition through the store (a no-op when it is open already).
    pub fn open(&self, id: &Id) -> Result<Opened> {
        if self.slot(id).is_some() {
            return Ok(Opened {
                already_open: true,
                recovered_from: None,
                has_autosave: false,
            });
        }
        // Loaded outside the map lock so other compositions stay reachable meanwhile.
        let loaded = self.inner.store.load(id)?;
        self.insert(loaded.composition)?;
        Ok(Opened {
            already_open: false,
            recovered_from: loaded.recovered_from,
            has_autosave: loaded.has_autosave,
        })
    }

    /// Creates `composition` in the store and opens it; returns its id.
    pub fn create(&self, mut composition: Composition) -> Result<Id> {
        self.inner.store.create(&mut composition)?;
        let id = composition.id.clone();
        self.insert(composition)?;
        Ok(id)
    }

    /// True when `id` is open.
    pub fn is_open(&self, id: &Id) -> bool {
        self.slot(id).is_some()
    }

    /// The ids of the open compositions, sorted.
    pub fn open_ids(&self) -> Vec<Id> {
        let open = self.inner.open.read().unwrap_or_else(|p| p.into_inner());
        let mut ids: Vec<Id> = open.keys().cloned().collect();
        ids.sort();
        ids
    }

    /// Closes a composition, autosaving its unwritten changes first.
    pub fn close(&self, id: &Id) -> Result<()> {
        let slot = self.slot(id).ok_or_else(|| DawError::NotOpen(id.clone()))?;
        self.autosave_slot(&slot, false)?;
        let mut open = self.inner.open.write().unwrap_or_else(|p| p.into_inner());
        open.remove(id);
        Ok(())
    }

    /// Deletes composition `id` from the store with all its history, and forgets it if open
    /// (unwritten edits go with it). Concurrent requests see it whole or find it gone.
    pub fn delete(&self, id: &Id) -> Result<()> {
        let mut open = self.inner.open.write().unwrap_or_else(|p| p.into_inner());
        open.remove(id);
        Ok(self.inner.store.delete(id)?)
    }

    /// Forgets a composition without writing anything (after it was deleted from the store).
    pub fn discard(&self, id: &Id) {
        let mut open = self.inner.open.write().unwrap_or_else(|p| p.into_inner());
        open.remove(id);
    }

    fn slot_or_open(&self, id: &Id) -> Result<Arc<Slot>> {
        if let Some(slot) = self.slot(id) {
            return Ok(slot);
        }
        // The slot comes from the insert itself: looking it up again could miss it when a
        // delete lands in between.
        let loaded = self.inner.store.load(id)?;
        self.insert(loaded.composition)
    }

    /// Runs `f` on the open composition `id` (opening it first if needed) under its lock.
    pub fn with<T>(&self, id: &Id, f: impl FnOnce(&mut OpenComposition) -> T) -> Result<T> {
        let slot = self.slot_or_open(id)?;
        let mut open = guard(&slot.edit);
        Ok(f(&mut open))
    }

    /// Runs one edit on composition `id` as an undo step (see [`OpenComposition::edit`]).
    pub fn edit<T>(
        &self,
        id: &Id,
        scope: Scope,
        change: impl FnOnce(&mut Composition) -> Result<T>,
    ) -> Result<T> {
        self.with(id, |open| open.edit(scope, change))?
    }

    /// Undoes the last edit of composition `id`.
    pub fn undo(&self, id: &Id) -> Result<()> {
        self.with(id, OpenComposition::undo)?
    }

    /// Redoes the last undone edit of composition `id`.
    pub fn redo(&self, id: &Id) -> Result<()> {
        self.with(id, OpenComposition::redo)?
    }

    /// A copy of the composition as it is now.
    pub fn snapshot(&self, id: &Id) -> Result<Composition> {
        self.with(id, |open| open.composition().clone())
    }

    /// Saves the composition as current with a history entry; returns the version.
    pub fn save(&self, id: &Id, source: HistorySource, message: &str) -> Result<u32> {
        let (_, version) = self.edit_and_save(id, |_| ((), Some((source, message.to_owned()))))?;
        Ok(version.expect("a save was asked for"))
    }

    /// Runs `f` under the composition's lock; when it returns a history source and message,
    /// saves the state it left as one history version before any other write of this
    /// composition. Returns `f`'s value and the version written.
    pub fn edit_and_save<T>(
        &self,
        id: &Id,
        f: impl FnOnce(&mut OpenComposition) -> (T, Option<(HistorySource, String)>),
    ) -> Result<(T, Option<u32>)> {
        let slot = self.slot_or_open(id)?;
        let _write = guard(&slot.write);
        let (value, save, snapshot) = {
            let mut open = guard(&slot.edit);
            let (value, save) = f(&mut open);
            let snapshot = save
                .is_some()
                .then(|| (open.composition().clone(), open.generation()));
            (value, save, snapshot)
        };
        let (Some((source, message)), Some((mut composition, generation))) = (save, snapshot)
        else {
            return Ok((value, None));
        };
        let version = self.inner.store.save(&mut composition, source, &message)?;
        let mut open = guard(&slot.edit);
        open.composition_for_write().updated_at = composition.updated_at;
        open.mark_written(generation);
        Ok((value, Some(version)))
    }

    /// Replaces composition `id` with `replacement` (a history version being restored, say)
    /// as one undo step and saves it as one history version of `source`, all under the
    /// composition's lock: no edit can land between the replacement and its save, and the
    /// next edit builds on the replacement. The playhead stays where it is. Returns the
    /// version written.
    pub fn replace_and_save(
        &self,
        id: &Id,
        replacement: Composition,
        source: HistorySource,
        message: &str,
    ) -> Result<u32> {
        if &replacement.id != id {
            return Err(sonic_model::ModelError::InvalidFormat {
                field: "id".into(),
                value: replacement.id.to_string(),
                expected: format!("the id of composition {id}"),
            }
            .into());
        }
        let (_, version) = self.edit_and_save(id, |open| {
            open.transaction(Scope::Everything, |c| {
                let playhead = (c.is_playing, c.current_position);
                *c = replacement;
                (c.is_playing, c.current_position) = playhead;
                ((), Outcome::Commit)
            });
            ((), Some((source, message.to_owned())))
        })?;
        Ok(version.expect("a save was asked for"))
    }

    /// Writes `autosave.json` for every open composition changed since its last write;
    /// returns how many were written. Call it at shutdown. Every composition is tried; the
    /// first error is returned after the others were written.
    pub fn flush(&self) -> Result<usize> {
        let slots: Vec<Arc<Slot>> = {
            let open = self.inner.open.read().unwrap_or_else(|p| p.into_inner());
            open.values().cloned().collect()
        };
        let mut written = 0;
        let mut first_error = None;
        for slot in slots {
            match self.autosave_slot(&slot, false) {
                Ok(true) => written += 1,
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "autosave failed");
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(written), Err)
    }

    /// Writes `autosave.json` of composition `id` now (opening it if needed), even when
    /// nothing changed since the last write, in order with every other write of it: an
    /// autosave never lands after a newer save.
    pub fn autosave(&self, id: &Id) -> Result<()> {
        let slot = self.slot_or_open(id)?;
        self.autosave_slot(&slot, true)?;
        Ok(())
    }

    /// Writes the slot's `autosave.json` when it changed since its last write (or always,
    /// with `even_if_clean`): snapshot under the edit lock, write outside it, under the
    /// write lock. Returns whether anything was written.
    fn autosave_slot(&self, slot: &Slot, even_if_clean: bool) -> Result<bool> {
        let _write = guard(&slot.write);
        let (composition, generation) = {
            let open = guard(&slot.edit);
            if !even_if_clean && !open.is_dirty() {
                return Ok(false);
            }
            (open.composition().clone(), open.generation())
        };
        self.inner.store.autosave(&composition)?;
        guard(&slot.edit).mark_written(generation);
        Ok(true)
    }

    /// Starts the background task that autosaves changed compositions every
    /// `autosave_interval`. It runs until the returned task is stopped or dropped.
    pub fn start_autosave(&self) -> AutosaveTask {
        AutosaveTask::start(self.clone(), self.inner.config.autosave_interval)
    }
}

#[cfg(test)]
#[path = "studio_tests.rs"]
mod tests;
