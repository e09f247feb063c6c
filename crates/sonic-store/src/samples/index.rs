//! `data/samples/metadata.json`: `{"format_version": 1, "samples": {id: SampleMeta}}`,
//! read with its version checked, written atomically, rebuilt from the files when damaged.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sonic_model::{Id, SampleMeta, Timestamp};

use super::{AudioProbe, DEFAULT_CATEGORY};
use crate::atomic::{is_temp_name, write_atomic};
use crate::error::{Result, StoreError};
use crate::format::{check_header, corrupt, FORMAT_VERSION};

/// The samples by id.
pub(crate) type Samples = BTreeMap<Id, SampleMeta>;

#[derive(Serialize, Deserialize)]
struct IndexDocument {
    format_version: u32,
    samples: Samples,
}

/// How the index was obtained.
pub(crate) enum Loaded {
    /// Read as written.
    Intact(Samples),
    /// Missing or corrupt, rebuilt from the audio files present; the reason says why.
    Rebuilt(Samples, String),
}

/// Reads the index. A missing file with no sample files is an empty library; a missing or
/// corrupt file is rebuilt by probing the files present. A file of a newer format is an
/// error (rebuilding would throw its data away).
pub(crate) fn load(samples_dir: &Path, probe: &dyn AudioProbe) -> Result<Loaded> {
    let path = samples_dir.join("metadata.json");
    let reason = match std::fs::read(&path) {
        Ok(bytes) => match decode(&path, &bytes) {
            Ok(samples) => return Ok(Loaded::Intact(samples)),
            Err(e @ StoreError::UnsupportedFormat { .. }) => return Err(e),
            Err(e) => e.to_string(),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if audio_files(samples_dir)?.is_empty() {
                return Ok(Loaded::Intact(Samples::new()));
            }
            format!("{} is missing", path.display())
        }
        Err(e) => return Err(StoreError::io("read", &path)(e)),
    };
    tracing::warn!(%reason, "rebuilding the sample index from the files");
    Ok(Loaded::Rebuilt(rebuild(samples_dir, probe)?, reason))
}

fn decode(path: &Path, bytes: &[u8]) -> Result<Samples> {
    check_header(path, bytes)?;
    let doc: IndexDocument = serde_json::from_slice(bytes).map_err(|e| corrupt(path, e))?;
    for (id, meta) in &doc.samples {
        if &meta.id != id {
            return Err(corrupt(
                path,
                format_args!("entry {id} holds sample {}", meta.id),
            ));
        }
    }
    Ok(doc.samples)
}

/// Writes the index atomically.
pub(crate) fn save(samples_dir: &Path, samples: &Samples) -> Result<()> {
    #[derive(Serialize)]
    struct Borrowed<'a> {
        format_version: u32,
        samples: &'a Samples,
    }
    let bytes = serde_json::to_vec_pretty(&Borrowed {
        format_version: FORMAT_VERSION,
        samples,
    })
    .expect("sample metadata always serialises");
    write_atomic(&samples_dir.join("metadata.json"), &bytes)
}

/// `(id, file name)` of every `<id>.<ext>` file in the folder (not temp files, not the
/// index, not folders).
fn audio_files(samples_dir: &Path) -> Result<Vec<(Id, String)>> {
    let entries = match std::fs::read_dir(samples_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StoreError::io("list", samples_dir)(e)),
    };
    let mut files = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_temp_name(&name) || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let Some((stem, _ext)) = name.rsplit_once('.') else {
            continue;
        };
        if let Ok(id) = Id::parse(stem) {
            if name != "metadata.json" {
                files.push((id, name));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Rebuilds the records of the audio files present: format from the probe, hash and size
/// from the bytes, the id as the name, dates from the file. Files that do not probe as
/// audio are left alone and not listed.
fn rebuild(samples_dir: &Path, probe: &dyn AudioProbe) -> Result<Samples> {
    let mut samples = Samples::new();
    for (id, file_name) in audio_files(samples_dir)? {
        let path = samples_dir.join(&file_name);
        let probed = match probe.probe(&path) {
            Ok(probed) => probed,
            Err(reason) => {
                tracing::warn!(file = %path.display(), %reason, "not rebuilt: not audio");
                continue;
            }
        };
        let (content_hash, size) = hash_file(&path)?;
        let modified = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .map(Timestamp::from)
            .unwrap_or_else(|_| sonic_model::time::now());
        samples.insert(
            id.clone(),
            SampleMeta {
                name: id.to_string(),
                id,
                category: DEFAULT_CATEGORY.to_string(),
                duration: probed.duration_secs,
                size,
                file_name,
                sample_rate: probed.sample_rate,
                channels: probed.channels,
                codec: probed.codec,
                content_hash,
                created_at: modified,
                updated_at: modified,
            },
        );
    }
    Ok(samples)
}

/// BLAKE3 (hex) and size of a file, streamed.
pub(crate) fn hash_file(path: &Path) -> Result<(String, u64)> {
    let mut file = std::fs::File::open(path).map_err(StoreError::io("open", path))?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(StoreError::io("read", path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hasher.finalize().to_hex().to_string(), size))
}
