//! Audio analysis for Sonic's sample library (to come): decoding every format browsers and
//! producers use (symphonia, plus an Opus decoder), spectral, temporal, pitch, timbre,
//! loudness, tempo and key features computed with librosa's conventions, and the
//! `AnalysisCache` keyed by content hash and analyzer version.
//!
//! It never touches compositions.

mod analysis;
mod cache;
pub mod decode;
mod error;
mod probe;

pub use analysis::{analyze, analyze_all, analyze_file, SILENCE_DB, WAVEFORM_BUCKETS};
pub use cache::{AnalysisCache, CachedAnalysis, ANALYZER_VERSION};
pub use decode::{decode_file, probe_file, AudioInfo, DecodedAudio};
pub use error::AnalyzerError;
pub use probe::SymphoniaProbe;
