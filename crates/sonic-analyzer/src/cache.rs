//! [`AnalysisCache`]: one JSON file per library sample, `data/samples/cache/<sample_id>.json`,
//! holding `{format_version, analyzer_version, content_hash, analysis}`.
//!
//! An entry is used only when its content hash (BLAKE3 of the audio file's bytes) and its
//! analyzer version both match; anything else (a changed file, a newer analyzer, a corrupt
//! or unreadable entry, a format from a newer Sonic) recomputes and overwrites it. Entries are
//! written with `sonic_store::write_atomic`, so a crash never leaves half an entry. A file
//! stamp (size, modification time, inode) lets a lookup skip re-hashing an unchanged file.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sonic_model::{Id, SampleAnalysis};
use sonic_store::StorageConfig;

use crate::analysis::analyze_file;
use crate::error::AnalyzerError;

/// Version of the analysis code. Bump it whenever a change alters any analysis output:
/// every cached entry written by an older version is then recomputed.
pub const ANALYZER_VERSION: u32 = 3;
/// Version of the cache file's own layout.
const FORMAT_VERSION: u32 = 1;

/// One cache file.
#[derive(Serialize, Deserialize)]
struct CacheEntry {
    format_version: u32,
    analyzer_version: u32,
    content_hash: String,
    /// Present once the file has been seen settled; lets a lookup skip hashing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file_stamp: Option<FileStamp>,
    analysis: SampleAnalysis,
}

/// An analysis and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedAnalysis {
    /// The features.
    pub analysis: SampleAnalysis,
    /// BLAKE3 of the audio file, hex.
    pub content_hash: String,
    /// True when served from the cache, false when computed now.
    pub from_cache: bool,
}

/// The analysis cache of a data directory.
///
/// ```no_run
/// use sonic_analyzer::AnalysisCache;
/// use sonic_model::Id;
///
/// let config = sonic_store::StorageConfig::new("data");
/// let cache = AnalysisCache::new(&config);
/// let id = Id::parse("0b9f7d4e-2c1a-4f6e-9a51-3d2f1c0e8b7a")?;
/// let first = cache.analyze(&id, &config.samples_dir.join(format!("{id}.wav")), false)?;
/// let again = cache.analyze(&id, &config.samples_dir.join(format!("{id}.wav")), false)?;
/// assert!(again.from_cache && again.analysis == first.analysis);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct AnalysisCache {
    dir: PathBuf,
    analyzer_version: u32,
    writable: bool,
}

impl AnalysisCache {
    /// The cache in `config.sample_cache_dir()` (which `ensure_directories` creates).
    pub fn new(config: &StorageConfig) -> Self {
        Self::in_dir(config.sample_cache_dir())
    }

    /// A cache kept in `dir`, which must exist.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        AnalysisCache {
            dir: dir.into(),
            analyzer_version: ANALYZER_VERSION,
            writable: true,
        }
    }

    /// The same cache as seen by analyzer `version` (entries of other versions are stale);
    /// for tests of version changes.
    pub fn with_analyzer_version(mut self, version: u32) -> Self {
        self.analyzer_version = version;
        self
    }

    /// A cache that reads entries but never writes them, for a process that does not own
    /// the data directory (a CLI while the server runs).
    pub fn read_only(mut self) -> Self {
        self.writable = false;
        self
    }

    /// Where sample `id`'s entry lives.
    pub fn entry_path(&self, id: &Id) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// The cached analysis of sample `id` if the entry is valid for `content_hash` and this
    /// analyzer version; `None` for a missing, stale, corrupt or unreadable entry.
    pub fn lookup(&self, id: &Id, content_hash: &str) -> Option<SampleAnalysis> {
        self.read_entry(id)
            .filter(|entry| entry.content_hash == content_hash)
            .map(|entry| entry.analysis)
    }

    /// The entry of `id` if it exists, parses and was written by this format and analyzer
    /// version.
    fn read_entry(&self, id: &Id) -> Option<CacheEntry> {
        let path = self.entry_path(id);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "cannot read cache entry; recomputing");
                return None;
            }
        };
        let entry: CacheEntry = match serde_json::from_slice(&bytes) {
            Ok(entry) => entry,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "corrupt cache entry; recomputing");
                return None;
            }
        };
        (entry.format_version == FORMAT_VERSION && entry.analyzer_version == self.analyzer_version)
            .then_some(entry)
    }

    /// The analysis of library sample `id`, whose audio is at `audio`: from the cache when a
    /// valid entry exists (and `force` is false), else decoded, analysed and cached.
    ///
    /// Validity is decided by the content hash. Hashing a long file costs milliseconds, so
    /// an entry also records the file's size, modification time and inode, and when these
    /// are unchanged the hash is trusted without reading the file, as git's index does.
    /// Only files last modified more than two seconds before they were stamped get a stamp,
    /// so two versions written within one tick of a coarse file-system clock are never
    /// confused.
    pub fn analyze(
        &self,
        id: &Id,
        audio: &Path,
        force: bool,
    ) -> Result<CachedAnalysis, AnalyzerError> {
        // Stamp before reading: a change after this point shows up as a different stamp.
        let stamp = FileStamp::of(audio)?;
        let entry = if force { None } else { self.read_entry(id) };
        if let Some(entry) = &entry {
            if stamp.is_some() && entry.file_stamp == stamp {
                return Ok(CachedAnalysis {
                    analysis: entry.analysis.clone(),
                    content_hash: entry.content_hash.clone(),
                    from_cache: true,
                });
            }
        }
        let content_hash = content_hash(audio)?;
        if let Some(entry) = entry.filter(|e| e.content_hash == content_hash) {
            if stamp.is_some() && self.writable {
                // Same content, new or first stamp: record it so the next lookup is cheap.
                if let Err(e) = self.store(id, &content_hash, stamp, &entry.analysis) {
                    tracing::warn!(error = %e, "cannot refresh cache entry");
                }
            }
            return Ok(CachedAnalysis {
                analysis: entry.analysis,
                content_hash,
                from_cache: true,
            });
        }
        let analysis = analyze_file(audio)?;
        if self.writable {
            self.store(id, &content_hash, stamp, &analysis)?;
        }
        Ok(CachedAnalysis {
            analysis,
            content_hash,
            from_cache: false,
        })
    }

    fn store(
        &self,
        id: &Id,
        content_hash: &str,
        file_stamp: Option<FileStamp>,
        analysis: &SampleAnalysis,
    ) -> Result<(), AnalyzerError> {
        let entry = CacheEntry {
            format_version: FORMAT_VERSION,
            analyzer_version: self.analyzer_version,
            content_hash: content_hash.to_string(),
            file_stamp,
            analysis: analysis.clone(),
        };
        let path = self.entry_path(id);
        let bytes = serde_json::to_vec(&entry).map_err(|e| AnalyzerError::CacheWrite {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        sonic_store::write_atomic(&path, &bytes).map_err(|e| AnalyzerError::CacheWrite {
            path,
            reason: e.to_string(),
        })
    }
}

/// How long after its last modification a file's timestamp is trusted to identify it.
const SETTLE_TIME: Duration = Duration::from_secs(2);

/// Size, modification time and inode of an audio file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct FileStamp {
    size: u64,
    modified_secs: u64,
    modified_nanos: u32,
    inode: u64,
}

impl FileStamp {
    /// The stamp of `path`, or `None` while it is too fresh to trust (or the platform
    /// gives no modification time).
    fn of(path: &Path) -> Result<Option<Self>, AnalyzerError> {
        let meta = std::fs::metadata(path).map_err(|source| AnalyzerError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let Ok(modified) = meta.modified() else {
            return Ok(None);
        };
        let settled = SystemTime::now()
            .duration_since(modified)
            .is_ok_and(|age| age >= SETTLE_TIME);
        let Ok(since_epoch) = modified.duration_since(UNIX_EPOCH) else {
            return Ok(None);
        };
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Ok(settled.then_some(FileStamp {
            size: meta.len(),
            modified_secs: since_epoch.as_secs(),
            modified_nanos: since_epoch.subsec_nanos(),
            inode,
        }))
    }
}

/// BLAKE3 of the file's bytes, hex, read in a stream: the key of an [`AnalysisCache`] entry.
pub fn content_hash(path: &Path) -> Result<String, AnalyzerError> {
    let io_error = |source| AnalyzerError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io_error)?;
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(file).map_err(io_error)?;
    Ok(hasher.finalize().to_hex().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_tone(path: &Path, freq: f32) {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 22_050,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for n in 0..11_025 {
            let x = (2.0 * std::f32::consts::PI * freq * n as f32 / 22_050.0).sin();
            w.write_sample((x * 16_000.0) as i16).unwrap();
        }
        w.finalize().unwrap();
    }

    struct Setup {
        _dir: tempfile::TempDir,
        cache: AnalysisCache,
        id: Id,
        audio: PathBuf,
    }

    fn setup() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let cache_dir = dir.path().join("cache");
        std::fs::create_dir(&cache_dir).unwrap();
        let id = Id::generate();
        let audio = dir.path().join(format!("{id}.wav"));
        write_tone(&audio, 440.0);
        Setup {
            cache: AnalysisCache::in_dir(cache_dir),
            _dir: dir,
            id,
            audio,
        }
    }

    #[test]
    fn the_second_analysis_is_served_from_the_cache() {
        let s = setup();
        let first = s.cache.analyze(&s.id, &s.audio, false).unwrap();
        assert!(!first.from_cache);
        let entry: serde_json::Value =
            serde_json::from_slice(&std::fs::read(s.cache.entry_path(&s.id)).unwrap()).unwrap();
        assert_eq!(entry["format_version"], 1);
        assert_eq!(entry["analyzer_version"], ANALYZER_VERSION);
        assert_eq!(entry["content_hash"], first.content_hash.as_str());
        let second = s.cache.analyze(&s.id, &s.audio, false).unwrap();
        assert!(second.from_cache);
        assert_eq!(second.analysis, first.analysis);
    }

    #[test]
    fn a_modified_file_is_analysed_again() {
        let s = setup();
        s.cache.analyze(&s.id, &s.audio, false).unwrap();
        write_tone(&s.audio, 220.0);
        let again = s.cache.analyze(&s.id, &s.audio, false).unwrap();
        assert!(!again.from_cache);
        assert_eq!(again.analysis.pitch.midi_note, Some(57));
        assert!(s.cache.analyze(&s.id, &s.audio, false).unwrap().from_cache);
    }

    #[test]
    fn a_corrupt_entry_is_recomputed_and_overwritten() {
        let s = setup();
        s.cache.analyze(&s.id, &s.audio, false).unwrap();
        std::fs::write(
            s.cache.entry_path(&s.id),
            b"{\"format_version\": 1, \"analy",
        )
        .unwrap();
        let again = s.cache.analyze(&s.id, &s.audio, false).unwrap();
        assert!(!again.from_cache);
        assert_eq!(again.analysis.pitch.midi_note, Some(69));
        assert!(s.cache.analyze(&s.id, &s.audio, false).unwrap().from_cache);
    }

    #[test]
    fn a_new_analyzer_version_recomputes() {
        let s = setup();
        s.cache.analyze(&s.id, &s.audio, false).unwrap();
        let newer = s.cache.clone().with_analyzer_version(ANALYZER_VERSION + 1);
        assert!(!newer.analyze(&s.id, &s.audio, false).unwrap().from_cache);
        assert!(newer.analyze(&s.id, &s.audio, false).unwrap().from_cache);
        // The old version's entry was replaced, so the old analyzer recomputes too.
        assert!(!s.cache.analyze(&s.id, &s.audio, false).unwrap().from_cache);
    }

    /// Makes the audio file look modified long ago, so it gets a stamp.
    fn settle(path: &Path) {
        let old = SystemTime::now() - Duration::from_secs(60);
        File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }

    #[test]
    fn a_settled_file_is_served_by_its_stamp_without_hashing() {
        let s = setup();
        settle(&s.audio);
        s.cache.analyze(&s.id, &s.audio, false).unwrap();
        let entry: serde_json::Value =
            serde_json::from_slice(&std::fs::read(s.cache.entry_path(&s.id)).unwrap()).unwrap();
        assert!(entry["file_stamp"]["size"].as_u64().unwrap() > 0);
        assert!(s.cache.analyze(&s.id, &s.audio, false).unwrap().from_cache);
    }

    #[test]
    fn a_rewrite_that_keeps_the_size_is_still_noticed() {
        let s = setup();
        settle(&s.audio);
        s.cache.analyze(&s.id, &s.audio, false).unwrap();
        // Same length, different tone: the write moves the modification time, so the
        // stamp no longer matches and the content hash decides.
        write_tone(&s.audio, 220.0);
        let again = s.cache.analyze(&s.id, &s.audio, false).unwrap();
        assert!(!again.from_cache);
        assert_eq!(again.analysis.pitch.midi_note, Some(57));
    }

    #[test]
    fn a_fresh_file_gets_no_stamp_so_it_is_always_hashed() {
        let s = setup();
        s.cache.analyze(&s.id, &s.audio, false).unwrap();
        let entry: serde_json::Value =
            serde_json::from_slice(&std::fs::read(s.cache.entry_path(&s.id)).unwrap()).unwrap();
        assert!(entry.get("file_stamp").is_none());
    }

    #[test]
    fn force_recomputes_a_valid_entry() {
        let s = setup();
        s.cache.analyze(&s.id, &s.audio, false).unwrap();
        assert!(!s.cache.analyze(&s.id, &s.audio, true).unwrap().from_cache);
    }

    #[test]
    fn an_entry_from_a_newer_cache_format_is_not_misread() {
        let s = setup();
        s.cache.analyze(&s.id, &s.audio, false).unwrap();
        let path = s.cache.entry_path(&s.id);
        let mut entry: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        entry["format_version"] = 2.into();
        std::fs::write(&path, serde_json::to_vec(&entry).unwrap()).unwrap();
        assert!(!s.cache.analyze(&s.id, &s.audio, false).unwrap().from_cache);
    }

    #[test]
    fn a_read_only_cache_computes_but_writes_nothing() {
        let s = setup();
        let reader = s.cache.clone().read_only();
        assert!(!reader.analyze(&s.id, &s.audio, false).unwrap().from_cache);
        assert!(!s.cache.entry_path(&s.id).exists());
    }

    #[test]
    fn a_file_that_is_not_audio_is_an_error_and_caches_nothing() {
        let s = setup();
        std::fs::write(&s.audio, b"not audio at all").unwrap();
        let err = s.cache.analyze(&s.id, &s.audio, false).unwrap_err();
        assert!(err.is_bad_input(), "{err}");
        assert!(!s.cache.entry_path(&s.id).exists());
    }
}
