//! Samples: [`SampleMeta`] (the library's record of a file) and [`SampleAnalysis`] (what the
//! analyzer measured in it).

use serde::{Deserialize, Serialize};

use crate::time::{serde_ts, Timestamp};
use crate::Id;

/// Library record of one audio file, stored in `data/samples/metadata.json`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleMeta {
    /// Sample id; the file is `<id>.<ext>`.
    pub id: Id,
    /// Display name.
    pub name: String,
    /// Category, `Uncategorized` by default.
    pub category: String,
    /// Length in seconds.
    pub duration: f64,
    /// File size in bytes.
    pub size: u64,
    /// File name inside `data/samples/`.
    pub file_name: String,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channel count.
    pub channels: u16,
    /// Codec, e.g. `pcm_s16le`, `flac`, `opus`.
    pub codec: String,
    /// BLAKE3 of the file's bytes, hex.
    pub content_hash: String,
    /// Imported.
    #[serde(with = "serde_ts")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Last renamed or recategorised.
    #[serde(with = "serde_ts")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

/// Spectral features, averaged over frames (librosa conventions: n_fft 2048, hop 512, Hann).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpectralFeatures {
    /// Spectral centroid, Hz.
    pub centroid: f64,
    /// 85 % roll-off frequency, Hz.
    pub rolloff: f64,
    /// Mean spectral flux.
    pub flux: f64,
    /// Spectral flatness, 0 (tonal) to 1 (noise).
    pub flatness: f64,
    /// Spectral bandwidth, Hz.
    pub bandwidth: f64,
    /// Share of power below 60 Hz.
    pub sub_bass: f64,
    /// Share of power 60-250 Hz.
    pub bass: f64,
    /// Share of power 250-500 Hz.
    pub low_mid: f64,
    /// Share of power 500-2000 Hz.
    pub mid: f64,
    /// Share of power 2-4 kHz.
    pub high_mid: f64,
    /// Share of power above 4 kHz.
    pub high: f64,
}

/// Envelope and time-domain features.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemporalFeatures {
    /// Length, seconds.
    pub duration: f64,
    /// Attack time, seconds.
    pub attack: f64,
    /// Decay time, seconds.
    pub decay: f64,
    /// Sustain level relative to the peak, 0 to 1.
    pub sustain_level: f64,
    /// Release time, seconds.
    pub release: f64,
    /// Dominated by transients.
    pub is_percussive: bool,
    /// Holds its level.
    pub is_sustained: bool,
    /// Transient strength, 0 to 1.
    pub transient_strength: f64,
    /// Mean zero-crossing rate.
    pub zcr_mean: f64,
    /// Standard deviation of the zero-crossing rate.
    pub zcr_std: f64,
}

/// Pitch features.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PitchFeatures {
    /// A stable pitch was found.
    pub has_pitch: bool,
    /// Fundamental, Hz (0 when unpitched).
    pub fundamental_freq: f64,
    /// Nearest MIDI note, when pitched.
    pub midi_note: Option<u8>,
    /// Share of voiced frames / detector confidence, 0 to 1.
    pub pitch_confidence: f64,
    /// Harmonic share of the signal, 0 to 1.
    pub harmonicity: f64,
}

/// Timbre scores, each 0 to 1, and descriptive tags.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimbreFeatures {
    /// Brightness.
    pub brightness: f64,
    /// Warmth.
    pub warmth: f64,
    /// Roughness.
    pub roughness: f64,
    /// Fullness.
    pub fullness: f64,
    /// Tags such as `bright`, `punchy`, `noisy`.
    pub tags: Vec<String>,
}

/// A waveform overview: min and max per bucket, for drawing.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaveformOverview {
    /// Minimum sample per bucket.
    pub min: Vec<f32>,
    /// Maximum sample per bucket.
    pub max: Vec<f32>,
}

/// Everything the analyzer measures in a sample.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleAnalysis {
    /// Spectral features.
    pub spectral: SpectralFeatures,
    /// Temporal features.
    pub temporal: TemporalFeatures,
    /// Pitch features.
    pub pitch: PitchFeatures,
    /// Timbre.
    pub timbre: TimbreFeatures,
    /// RMS level, dBFS (floor value for silence).
    pub rms_db: f64,
    /// Peak level, dBFS (floor value for silence).
    pub peak_db: f64,
    /// Estimated tempo, BPM (none when no beat is found).
    pub tempo_bpm: Option<f64>,
    /// Detected onsets.
    pub onset_count: u32,
    /// Estimated key such as `A minor`.
    pub key: Option<String>,
    /// Integrated loudness, LUFS (EBU R128).
    pub loudness_lufs: Option<f64>,
    /// Min/max overview.
    pub waveform: WaveformOverview,
    /// One paragraph in plain English for an LLM.
    pub summary: String,
}
