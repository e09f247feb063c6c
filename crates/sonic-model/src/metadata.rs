//! Listing and history records: [`CompositionMetadata`], [`HistoryEntry`], [`HistorySource`].

use serde::{Deserialize, Serialize};

use crate::time::{serde_ts, Timestamp};
use crate::Id;

/// What a composition listing shows, without loading the composition.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompositionMetadata {
    /// Composition id.
    pub id: Id,
    /// Name.
    pub name: String,
    /// Tempo, BPM.
    pub tempo: f64,
    /// Time signature such as `4/4`.
    pub time_signature: String,
    /// Created.
    #[serde(with = "serde_ts")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Last saved.
    #[serde(with = "serde_ts")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    /// Tracks.
    pub track_count: usize,
    /// Clips.
    pub clip_count: usize,
    /// End of the last clip, beats.
    pub duration_beats: f64,
    /// Size of `current.json`, bytes.
    pub file_size_bytes: u64,
    /// An autosave newer than the current state exists.
    pub has_autosave: bool,
    /// Highest history version.
    pub latest_version: u32,
}

/// Why a history entry was written.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistorySource {
    /// The state at creation (version 0).
    Original,
    /// A save by a person.
    Manual,
    /// An AI batch or chat turn.
    Ai,
    /// A restore of an older version.
    Restore,
    /// An autosave promoted to current.
    AutosaveRecovery,
}

impl HistorySource {
    /// The name used on disk.
    pub fn as_str(self) -> &'static str {
        match self {
            HistorySource::Original => "original",
            HistorySource::Manual => "manual",
            HistorySource::Ai => "ai",
            HistorySource::Restore => "restore",
            HistorySource::AutosaveRecovery => "autosave_recovery",
        }
    }
}

impl std::fmt::Display for HistorySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One version in a composition's history.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Version number (0 is the original).
    pub version: u32,
    /// When it was written.
    #[serde(with = "serde_ts")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Why it was written.
    pub source: HistorySource,
    /// What changed, in words.
    pub message: String,
}
