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

/// Spectral features, averaged over the frames that sound (within 60 dB of the loudest),
/// with librosa's conventions: n_fft 2048, hop 512, Hann window, centre padding.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpectralFeatures {
    /// Spectral centroid of the magnitude spectrum, Hz.
    pub centroid: f64,
    /// 85 % roll-off frequency of the magnitude spectrum, Hz.
    pub rolloff: f64,
    /// Mean spectral flux: librosa's onset strength (mean positive rise of the log-mel
    /// spectrum between frames, dB).
    pub flux: f64,
    /// Spectral flatness, 0 (tonal) to 1 (noise).
    pub flatness: f64,
    /// Spectral bandwidth (second moment around the centroid), Hz.
    pub bandwidth: f64,
    /// Share of power below 60 Hz. The six shares are of the total spectral power and sum
    /// to 1 (0 for silence).
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
    /// Attack time: from 10 % of the peak to where the level settles near its first
    /// maximum, seconds.
    pub attack: f64,
    /// Decay time: from the end of the attack to within 10 % of the sustain level, seconds.
    pub decay: f64,
    /// Sustain level: median frame RMS after the attack, relative to the peak, 0 to 1.
    pub sustain_level: f64,
    /// Release time: from the last moment at the sustain level to 10 % of the peak, seconds.
    pub release: f64,
    /// A hit: attack within 30 ms and sustain below 40 % of the peak. Never a steady tone.
    pub is_percussive: bool,
    /// Holds at least half its peak for at least 0.25 s.
    pub is_sustained: bool,
    /// Transient strength, 0 to 1: one minus the mean level (relative to the peak) over the
    /// sounding part; near 1 for hits that die away, near 0 for held sounds.
    pub transient_strength: f64,
    /// Mean zero-crossing rate (crossings per sample, librosa's definition).
    pub zcr_mean: f64,
    /// Standard deviation of the zero-crossing rate.
    pub zcr_std: f64,
}

/// Pitch features.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PitchFeatures {
    /// At least half of the sounding frames are voiced (YIN aperiodicity below 0.2).
    pub has_pitch: bool,
    /// Median YIN fundamental over the voiced frames, C2..C7, Hz (0 when unpitched).
    pub fundamental_freq: f64,
    /// Nearest MIDI note (rounded), when pitched.
    pub midi_note: Option<u8>,
    /// Share of voiced frames times their median periodicity, 0 to 1 (0 for noise and
    /// silence).
    pub pitch_confidence: f64,
    /// Mean periodicity (1 - YIN aperiodicity) of the sounding frames, 0 to 1.
    pub harmonicity: f64,
}

/// Timbre scores, each 0 to 1, and descriptive tags.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimbreFeatures {
    /// Brightness: share of power above 2 kHz.
    pub brightness: f64,
    /// Warmth: share of power in 60-500 Hz.
    pub warmth: f64,
    /// Roughness: noise-likeness, from flatness and the lack of periodicity.
    pub roughness: f64,
    /// Fullness: how evenly power spreads over the six bands (normalised entropy).
    pub fullness: f64,
    /// Tags such as `bright`, `dark`, `warm`, `noisy`, `tonal`, `percussive`, `punchy`,
    /// `sustained`, `silent`.
    pub tags: Vec<String>,
}

/// A waveform overview: min and max sample per bucket, for drawing. 1,000 equal buckets
/// (one per sample for shorter signals, none for an empty one).
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
    /// RMS level of the whole signal, dBFS (-160 for silence, never -inf).
    pub rms_db: f64,
    /// Sample peak, dBFS (-160 for silence, never -inf).
    pub peak_db: f64,
    /// Estimated tempo, BPM (none when no steady beat is found).
    pub tempo_bpm: Option<f64>,
    /// Detected onsets (librosa's peak picking on the onset strength).
    pub onset_count: u32,
    /// Estimated key such as `A minor` (chroma against Krumhansl profiles); none for
    /// unpitched sounds, single notes and ambiguous chroma.
    pub key: Option<String>,
    /// Integrated loudness, LUFS (EBU R128; the mono channel weighted 1). None when
    /// shorter than one 400 ms block or silent.
    pub loudness_lufs: Option<f64>,
    /// Min/max overview.
    pub waveform: WaveformOverview,
    /// One paragraph in plain English for an LLM.
    pub summary: String,
}
