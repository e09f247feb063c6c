//! The JSON documents of a composition folder and how they are encoded and checked.
//!
//! Every document carries `"format_version": 1` as its first key. A composition is encoded
//! once and spliced into both `current.json` and its history envelope, so a save serialises
//! the (possibly large) composition a single time.

use std::path::Path;

use serde::{de::IgnoredAny, Deserialize, Serialize};
use sonic_model::{Composition, CompositionMetadata, HistoryEntry, HistorySource, Timestamp};

use crate::error::{Result, StoreError};

/// The on-disk format this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Deserialize)]
struct Header {
    format_version: Option<serde_json::Value>,
}

/// Refuses documents of a newer format. A missing `format_version` is read as 1 (files of
/// the original Sonic Claude carry none).
pub(crate) fn check_header(path: &Path, bytes: &[u8]) -> Result<()> {
    let header: Header = serde_json::from_slice(bytes).map_err(|e| corrupt(path, e))?;
    match header.format_version {
        None => Ok(()),
        Some(value) => match value.as_u64() {
            Some(v) if v >= 1 && v <= u64::from(FORMAT_VERSION) => Ok(()),
            Some(v) => Err(StoreError::UnsupportedFormat {
                path: path.to_path_buf(),
                found: v,
                supported: FORMAT_VERSION,
            }),
            None => Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                reason: format!("format_version {value} is not a version number"),
            }),
        },
    }
}

pub(crate) fn corrupt(path: &Path, reason: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// The composition as compact JSON (an object).
pub(crate) fn encode_composition(composition: &Composition) -> Vec<u8> {
    serde_json::to_vec(composition).expect("a Composition always serialises (no non-string keys)")
}

/// `current.json` / `autosave.json`: the composition's fields after `format_version`.
pub(crate) fn state_document(composition_json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(composition_json.len() + 24);
    out.extend_from_slice(br#"{"format_version":1"#);
    splice_fields(&mut out, composition_json);
    out
}

/// A history file: `{format_version, version, created_at, source, message, composition}`.
pub(crate) fn history_document(entry: &HistoryEntry, composition_json: &[u8]) -> Vec<u8> {
    #[derive(Serialize)]
    struct Head<'a> {
        format_version: u32,
        #[serde(flatten)]
        entry: &'a HistoryEntry,
    }
    let head = serde_json::to_vec(&Head {
        format_version: FORMAT_VERSION,
        entry,
    })
    .expect("a history entry always serialises");
    let mut out = Vec::with_capacity(head.len() + composition_json.len() + 16);
    out.extend_from_slice(&head[..head.len() - 1]);
    out.extend_from_slice(br#","composition":"#);
    out.extend_from_slice(composition_json);
    out.push(b'}');
    out
}

/// Appends the fields of the JSON object `object` (after an already written first field).
fn splice_fields(out: &mut Vec<u8>, object: &[u8]) {
    debug_assert!(object.first() == Some(&b'{') && object.last() == Some(&b'}'));
    if object.len() > 2 {
        out.push(b',');
    }
    out.extend_from_slice(&object[1..]);
}

/// Parses and checks `current.json` / `autosave.json` / a composition file.
pub(crate) fn decode_state(path: &Path, bytes: &[u8]) -> Result<Composition> {
    check_header(path, bytes)?;
    let composition: Composition = serde_json::from_slice(bytes).map_err(|e| corrupt(path, e))?;
    composition
        .validate()
        .map_err(|e| corrupt(path, format_args!("invalid composition: {e}")))?;
    Ok(composition)
}

/// A history file, fully parsed.
pub(crate) struct HistoryDocument {
    pub entry: HistoryEntry,
    pub composition: Composition,
}

/// A history file without its composition (for indexing).
#[derive(Deserialize)]
struct HistoryHeadOnly {
    #[serde(flatten)]
    entry: HistoryEntry,
    #[allow(dead_code)]
    composition: IgnoredAny,
}

pub(crate) fn decode_history(path: &Path, bytes: &[u8]) -> Result<HistoryDocument> {
    check_header(path, bytes)?;
    #[derive(Deserialize)]
    struct Doc {
        version: u32,
        #[serde(with = "sonic_model::time::serde_ts")]
        created_at: Timestamp,
        source: HistorySource,
        message: String,
        composition: Composition,
    }
    let doc: Doc = serde_json::from_slice(bytes).map_err(|e| corrupt(path, e))?;
    doc.composition
        .validate()
        .map_err(|e| corrupt(path, format_args!("invalid composition: {e}")))?;
    Ok(HistoryDocument {
        entry: HistoryEntry {
            version: doc.version,
            created_at: doc.created_at,
            source: doc.source,
            message: doc.message,
        },
        composition: doc.composition,
    })
}

pub(crate) fn decode_history_entry(path: &Path, bytes: &[u8]) -> Result<HistoryEntry> {
    check_header(path, bytes)?;
    let head: HistoryHeadOnly = serde_json::from_slice(bytes).map_err(|e| corrupt(path, e))?;
    Ok(head.entry)
}

/// `metadata.json`: the listing record plus the history index.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct MetadataDocument {
    pub format_version: u32,
    #[serde(flatten)]
    pub listing: CompositionMetadata,
    pub history: Vec<IndexedEntry>,
}

/// A history index entry: the entry and the name of its file under `history/`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct IndexedEntry {
    #[serde(flatten)]
    pub entry: HistoryEntry,
    pub file: String,
}

pub(crate) fn encode_metadata(doc: &MetadataDocument) -> Vec<u8> {
    serde_json::to_vec_pretty(doc).expect("metadata always serialises")
}

pub(crate) fn decode_metadata(path: &Path, bytes: &[u8]) -> Result<MetadataDocument> {
    check_header(path, bytes)?;
    serde_json::from_slice(bytes).map_err(|e| corrupt(path, e))
}

pub(crate) fn decode_listing(path: &Path, bytes: &[u8]) -> Result<CompositionMetadata> {
    check_header(path, bytes)?;
    // Unknown keys (format_version, the history index) are skipped without being buffered.
    serde_json::from_slice(bytes).map_err(|e| corrupt(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spliced_documents_parse_back_to_the_same_composition() {
        let song = Composition::new("Splice");
        let json = encode_composition(&song);
        let path = Path::new("x.json");
        let state = state_document(&json);
        assert!(state.starts_with(br#"{"format_version":1,"#));
        assert_eq!(decode_state(path, &state).unwrap(), song);
        let entry = HistoryEntry {
            version: 7,
            created_at: song.created_at,
            source: HistorySource::Manual,
            message: "m".into(),
        };
        let doc = decode_history(path, &history_document(&entry, &json)).unwrap();
        assert_eq!(doc.entry, entry);
        assert_eq!(doc.composition, song);
        assert_eq!(
            decode_history_entry(path, &history_document(&entry, &json)).unwrap(),
            entry
        );
    }

    #[test]
    fn newer_format_versions_are_refused() {
        let path = Path::new("x.json");
        let err = check_header(path, br#"{"format_version":2}"#).unwrap_err();
        assert!(matches!(
            err,
            StoreError::UnsupportedFormat { found: 2, .. }
        ));
        assert!(check_header(path, br#"{"format_version":1}"#).is_ok());
        assert!(check_header(path, br#"{"name":"legacy"}"#).is_ok());
        assert!(matches!(
            check_header(path, br#"{"format_version":"x"}"#),
            Err(StoreError::Corrupt { .. })
        ));
        assert!(matches!(
            check_header(path, b"{trunc"),
            Err(StoreError::Corrupt { .. })
        ));
    }
}
