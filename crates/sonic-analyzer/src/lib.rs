//! Audio analysis for Sonic's sample library (to come): decoding every format browsers and
//! producers use (symphonia, plus an Opus decoder), spectral, temporal, pitch, timbre,
//! loudness, tempo and key features computed with librosa's conventions, and the
//! `AnalysisCache` keyed by content hash and analyzer version.
//!
//! It never touches compositions.
