//! The sample library: audio files under `data/samples/` stored as sent (`<id>.<ext>`) and
//! their [`SampleMeta`] records in `data/samples/metadata.json`.
//!
//! Importing streams the bytes through an [`AtomicFile`] in `data/samples/`, hashing them
//! (BLAKE3) and counting them against a size limit on the way, then asks an [`AudioProbe`]
//! whether they are decodable audio. Anything refused (too large, not audio) leaves nothing
//! behind. The store does not decode audio itself: the probe is passed in (the analyzer
//! implements it), so this crate does not depend on the analyzer.
//!
//! The index is read, changed and written back under an in-process mutex, so concurrent
//! imports in one process never lose an entry; between processes the [`DataDirLock`] the
//! library was opened with keeps other writers out.

mod index;
#[cfg(test)]
mod tests;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use sonic_model::{Id, ModelError, SampleMeta};

use crate::atomic::{clean_temp_files, AtomicFile};
use crate::config::StorageConfig;
use crate::error::{Result, StoreError};
use crate::lock::DataDirLock;
use crate::store::CompositionStore;

/// Default size limit of an imported file: 100 MiB.
pub const DEFAULT_MAX_SAMPLE_BYTES: u64 = 100 * 1024 * 1024;
/// Category of a sample imported without one.
pub const DEFAULT_CATEGORY: &str = "Uncategorized";
/// Longest name or category, in characters.
const MAX_LABEL_CHARS: usize = 200;
/// Longest duration a client may report, in seconds (24 hours).
const MAX_DURATION_SECS: f64 = 86_400.0;

/// What a probe found in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbedAudio {
    /// Length in seconds.
    pub duration_secs: f64,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channel count.
    pub channels: u16,
    /// Codec, e.g. `pcm_s16le`, `flac`, `opus`.
    pub codec: String,
    /// Container, e.g. `wav`, `ogg`, `webm`.
    pub container: String,
    /// Extension to store the file under (from the content, not the file's name).
    pub extension: String,
}

/// Tells whether a file is decodable audio and what it holds. Implemented by the analyzer
/// (`sonic_analyzer::SymphoniaProbe`); the error is a human-readable reason.
pub trait AudioProbe: Send + Sync {
    /// Probes the file at `path`.
    fn probe(&self, path: &Path) -> std::result::Result<ProbedAudio, String>;
}

/// The library's listing.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleListing {
    /// Every sample, by name then id.
    pub samples: Vec<SampleMeta>,
    /// Set when `metadata.json` was missing or corrupt and the records were rebuilt from
    /// the files (names and categories are then lost): why.
    pub rebuilt: Option<String>,
}

/// The sample library of one data directory.
///
/// ```
/// use std::{path::Path, sync::Arc, time::Duration};
/// use sonic_store::{AudioProbe, DataDirLock, ProbedAudio, SampleLibrary, StorageConfig};
///
/// /// Takes anything starting with `RIFF` for one second of WAV (Sonic's real probe,
/// /// `sonic_analyzer::SymphoniaProbe`, decodes a packet).
/// struct RiffProbe;
/// impl AudioProbe for RiffProbe {
///     fn probe(&self, path: &Path) -> Result<ProbedAudio, String> {
///         let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
///         if !bytes.starts_with(b"RIFF") {
///             return Err("not a RIFF file".into());
///         }
///         Ok(ProbedAudio {
///             duration_secs: 1.0,
///             sample_rate: 44_100,
///             channels: 1,
///             codec: "pcm_s16le".into(),
///             container: "wav".into(),
///             extension: "wav".into(),
///         })
///     }
/// }
///
/// let dir = tempfile::tempdir().unwrap();
/// let config = StorageConfig::new(dir.path().join("data"));
/// config.ensure_directories()?;
/// let lock = DataDirLock::acquire(&config, Duration::ZERO)?;
/// let library = SampleLibrary::open(config, lock, Arc::new(RiffProbe))?;
/// let kick = library.import_reader(&b"RIFF....WAVE"[..], "kick.mp3", None, Some("Drums"))?;
/// assert_eq!(kick.name, "kick");
/// assert_eq!(kick.file_name, format!("{}.wav", kick.id)); // named by content, not by name
/// assert!(library.import_reader(&b"hello"[..], "notes.txt", None, None).is_err());
/// assert_eq!(library.list()?.samples, vec![kick]);
/// # Ok::<(), sonic_store::StoreError>(())
/// ```
pub struct SampleLibrary {
    config: StorageConfig,
    lock: Option<DataDirLock>,
    probe: Arc<dyn AudioProbe>,
    max_bytes: u64,
    index_lock: Mutex<()>,
}

impl SampleLibrary {
    /// Opens the library for writing: creates the layout if needed and removes temp files
    /// of interrupted imports. `lock` proves this process owns the data directory.
    pub fn open(
        config: StorageConfig,
        lock: DataDirLock,
        probe: Arc<dyn AudioProbe>,
    ) -> Result<Self> {
        config.ensure_directories()?;
        let removed = clean_temp_files(&config.samples_dir)?;
        if removed > 0 {
            tracing::info!(removed, "removed temp files of interrupted imports");
        }
        Ok(Self::with_lock(config, Some(lock), probe))
    }

    /// Opens the library for reading only: nothing is created, repaired or written.
    pub fn open_read_only(config: StorageConfig, probe: Arc<dyn AudioProbe>) -> Self {
        Self::with_lock(config, None, probe)
    }

    fn with_lock(
        config: StorageConfig,
        lock: Option<DataDirLock>,
        probe: Arc<dyn AudioProbe>,
    ) -> Self {
        SampleLibrary {
            config,
            lock,
            probe,
            max_bytes: DEFAULT_MAX_SAMPLE_BYTES,
            index_lock: Mutex::new(()),
        }
    }

    /// Sets the size limit of imported files, in bytes.
    pub fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// The size limit of imported files, in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Where a sample's audio file is.
    pub fn file_path(&self, meta: &SampleMeta) -> PathBuf {
        self.config.samples_dir.join(&meta.file_name)
    }

    /// Imports the file at `path`. `name` defaults to the file's stem, `category` to
    /// [`DEFAULT_CATEGORY`].
    pub fn import_file(
        &self,
        path: &Path,
        name: Option<&str>,
        category: Option<&str>,
    ) -> Result<SampleMeta> {
        let refused = |reason: &str| StoreError::NotAudio {
            file: path.display().to_string(),
            reason: reason.to_string(),
        };
        match std::fs::metadata(path) {
            Ok(m) if !m.is_file() => return Err(refused("not a regular file")),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(refused("no such file"))
            }
            Err(e) => return Err(StoreError::io("stat", path)(e)),
        }
        let file = std::fs::File::open(path).map_err(StoreError::io("open", path))?;
        // Errors name the file as the caller gave it; the default name is its stem.
        let file_name = path.display().to_string();
        self.import_reader(file, &file_name, name, category)
    }

    /// Imports audio read from `source` (an upload), named `file_name` by the sender. The
    /// bytes are stored as sent, under an extension taken from their content.
    pub fn import_reader(
        &self,
        mut source: impl Read,
        file_name: &str,
        name: Option<&str>,
        category: Option<&str>,
    ) -> Result<SampleMeta> {
        self.writable()?;
        let default_name = Path::new(file_name)
            .file_stem()
            .map_or("sample".into(), |s| s.to_string_lossy());
        let name = label("name", name.unwrap_or(&default_name))?;
        let category = label("category", category.unwrap_or(DEFAULT_CATEGORY))?;
        let id = Id::generate();
        let samples_dir = &self.config.samples_dir;

        // The final name needs the probed extension: write under the id, rename later.
        let mut temp = AtomicFile::new(&samples_dir.join(id.as_str()))?;
        let mut hasher = blake3::Hasher::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut size = 0u64;
        loop {
            let n = match source.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(StoreError::io("read", file_name)(e)),
            };
            size += n as u64;
            if size > self.max_bytes {
                return Err(StoreError::SampleTooLarge {
                    file: file_name.to_string(),
                    limit: self.max_bytes,
                });
            }
            hasher.update(&buf[..n]);
            temp.write_all(&buf[..n])
                .map_err(StoreError::io("write", temp.temp_path()))?;
        }
        temp.flush()
            .map_err(StoreError::io("write", temp.temp_path()))?;
        let probed = self
            .probe
            .probe(temp.temp_path())
            .map_err(|reason| StoreError::NotAudio {
                file: file_name.to_string(),
                reason,
            })?;

        let stored_name = format!("{id}.{}", probed.extension);
        let now = sonic_model::time::now();
        let meta = SampleMeta {
            id: id.clone(),
            name,
            category,
            duration: probed.duration_secs,
            size,
            file_name: stored_name.clone(),
            sample_rate: probed.sample_rate,
            channels: probed.channels,
            codec: probed.codec,
            content_hash: hasher.finalize().to_hex().to_string(),
            created_at: now,
            updated_at: now,
        };
        let target = samples_dir.join(&stored_name);
        // Under the index lock, read the index before the file appears and record it right
        // after: no reader (they take the same lock) ever sees a file without its record,
        // and the first import into an empty library is not mistaken for a lost index.
        let _guard = self.lock_index();
        let mut samples = match index::load(samples_dir, &*self.probe)? {
            index::Loaded::Intact(samples) | index::Loaded::Rebuilt(samples, _) => samples,
        };
        temp.commit_as(&target)?;
        samples.insert(id.clone(), meta.clone());
        if let Err(e) = index::save(samples_dir, &samples) {
            // Nothing left behind: no file without a record.
            let _ = std::fs::remove_file(&target);
            return Err(e);
        }
        Ok(meta)
    }

    /// Every sample, by name then id, rebuilt from the files when the index is damaged
    /// (and written back when the library is writable).
    pub fn list(&self) -> Result<SampleListing> {
        let _guard = self.lock_index();
        let (samples, rebuilt) = match index::load(&self.config.samples_dir, &*self.probe)? {
            index::Loaded::Intact(samples) => (samples, None),
            index::Loaded::Rebuilt(samples, reason) => {
                if self.lock.is_some() {
                    index::save(&self.config.samples_dir, &samples)?;
                }
                (samples, Some(reason))
            }
        };
        let mut samples: Vec<SampleMeta> = samples.into_values().collect();
        samples.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        Ok(SampleListing { samples, rebuilt })
    }

    /// One sample's record.
    pub fn get(&self, id: &Id) -> Result<SampleMeta> {
        let _guard = self.lock_index();
        let samples = match index::load(&self.config.samples_dir, &*self.probe)? {
            index::Loaded::Intact(samples) | index::Loaded::Rebuilt(samples, _) => samples,
        };
        samples
            .get(id)
            .cloned()
            .ok_or_else(|| StoreError::SampleNotFound(id.clone()))
    }

    /// Renames and/or recategorises a sample.
    pub fn update(
        &self,
        id: &Id,
        name: Option<&str>,
        category: Option<&str>,
    ) -> Result<SampleMeta> {
        self.writable()?;
        let name = name.map(|n| label("name", n)).transpose()?;
        let category = category.map(|c| label("category", c)).transpose()?;
        self.change_index(|samples| {
            let meta = samples
                .get_mut(id)
                .ok_or_else(|| StoreError::SampleNotFound(id.clone()))?;
            if let Some(name) = name {
                meta.name = name;
            }
            if let Some(category) = category {
                meta.category = category;
            }
            meta.updated_at = sonic_model::time::now();
            Ok(meta.clone())
        })
    }

    /// Records the length a client measured itself (the original web client decodes uploads
    /// and reports their duration): finite, 0 to 24 hours.
    pub fn set_duration(&self, id: &Id, seconds: f64) -> Result<SampleMeta> {
        self.writable()?;
        if !(seconds.is_finite() && (0.0..=MAX_DURATION_SECS).contains(&seconds)) {
            return Err(StoreError::Invalid(ModelError::OutOfRange {
                field: "duration".into(),
                value: seconds,
                range: format!("0 <= x <= {MAX_DURATION_SECS}"),
            }));
        }
        self.change_index(|samples| {
            let meta = samples
                .get_mut(id)
                .ok_or_else(|| StoreError::SampleNotFound(id.clone()))?;
            meta.duration = seconds;
            meta.updated_at = sonic_model::time::now();
            Ok(meta.clone())
        })
    }

    /// The compositions using sample `id` (a track's or a clip's `sample_id`), as
    /// `name (id)`. Compositions that cannot be loaded are skipped with a warning.
    pub fn users(&self, id: &Id, compositions: &CompositionStore) -> Result<Vec<String>> {
        let mut users = Vec::new();
        for listed in compositions.list()?.compositions {
            let loaded = match compositions.load(&listed.id) {
                Ok(loaded) => loaded,
                Err(e) => {
                    tracing::warn!(composition = %listed.id, error = %e, "cannot check sample use");
                    continue;
                }
            };
            let song = loaded.composition;
            let uses = song.uses_sample(id);
            if uses {
                users.push(format!("{} ({})", song.name, song.id));
            }
        }
        Ok(users)
    }

    /// Deletes a sample: its record, its file and its cached analysis
    /// (`samples/cache/<id>.json`). Refused with [`StoreError::SampleInUse`] while a
    /// composition uses it, unless `force`. Returns the compositions that used it.
    pub fn delete(
        &self,
        id: &Id,
        compositions: &CompositionStore,
        force: bool,
    ) -> Result<Vec<String>> {
        self.writable()?;
        let users = self.users(id, compositions)?;
        if !users.is_empty() && !force {
            return Err(StoreError::SampleInUse {
                id: id.clone(),
                compositions: users,
            });
        }
        // The record goes first: a crash after it leaves an unlisted file, never a record
        // pointing at nothing.
        let meta = self.change_index(|samples| {
            samples
                .remove(id)
                .ok_or_else(|| StoreError::SampleNotFound(id.clone()))
        })?;
        for path in [
            self.file_path(&meta),
            self.config.sample_cache_dir().join(format!("{id}.json")),
        ] {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(StoreError::io("remove", &path)(e)),
            }
        }
        Ok(users)
    }

    /// Reads the index, applies `change`, writes it back, all under the index lock.
    fn change_index<T>(&self, change: impl FnOnce(&mut index::Samples) -> Result<T>) -> Result<T> {
        let _guard = self.lock_index();
        let mut samples = match index::load(&self.config.samples_dir, &*self.probe)? {
            index::Loaded::Intact(samples) | index::Loaded::Rebuilt(samples, _) => samples,
        };
        let result = change(&mut samples)?;
        index::save(&self.config.samples_dir, &samples)?;
        Ok(result)
    }

    fn lock_index(&self) -> MutexGuard<'_, ()> {
        // The guarded data is on disk, written atomically: a panic elsewhere cannot have
        // left it half-changed, so a poisoned lock is safe to take.
        self.index_lock.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn writable(&self) -> Result<()> {
        match self.lock {
            Some(_) => Ok(()),
            None => Err(StoreError::ReadOnly),
        }
    }
}

/// A name or category: trimmed, 1 to 200 characters, no control characters.
fn label(field: &str, value: &str) -> Result<String> {
    let trimmed = value.trim();
    let count = trimmed.chars().count();
    if count == 0 || count > MAX_LABEL_CHARS || trimmed.chars().any(char::is_control) {
        return Err(StoreError::Invalid(ModelError::InvalidFormat {
            field: field.to_string(),
            value: value.to_string(),
            expected: format!("1 to {MAX_LABEL_CHARS} characters, no control characters"),
        }));
    }
    Ok(trimmed.to_string())
}
