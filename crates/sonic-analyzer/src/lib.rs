//! Audio analysis for Sonic's sample library: decoding every format browsers and producers
//! use (symphonia, plus an Opus decoder) into one mono buffer, measuring spectral,
//! temporal, pitch, timbre, loudness, tempo and key features with librosa's conventions
//! ([`analyze`], [`analyze_file`], [`analyze_all`] for parallel batches), and the
//! [`AnalysisCache`] of `data/samples/cache/`, keyed by content hash and
//! [`ANALYZER_VERSION`].
//!
//! It never touches compositions, never writes anything but cache entries (atomically,
//! through `sonic_store::write_atomic`), and never panics on what it is given: empty,
//! silent, tiny, clipped or damaged audio gives finite numbers or a typed
//! [`AnalyzerError`].
//!
//! ```
//! let sr = 44_100;
//! let a4: Vec<f32> = (0..sr)
//!     .map(|n| 0.5 * (2.0 * std::f32::consts::PI * 440.0 * n as f32 / sr as f32).sin())
//!     .collect();
//! let analysis = sonic_analyzer::analyze(&a4, sr as u32);
//! assert!(analysis.pitch.has_pitch);
//! assert_eq!(analysis.pitch.midi_note, Some(69));
//! assert!(analysis.summary.contains("A4"));
//! ```

mod analysis;
mod cache;
pub mod decode;
mod error;
mod probe;

pub use analysis::{
    analyze, analyze_all, analyze_file, integrated_loudness, LoudnessMeter, SILENCE_DB,
    WAVEFORM_BUCKETS,
};
pub use cache::{content_hash, AnalysisCache, CachedAnalysis, ANALYZER_VERSION};
pub use decode::{decode_file, probe_file, AudioInfo, DecodedAudio};
pub use error::AnalyzerError;
pub use probe::SymphoniaProbe;
