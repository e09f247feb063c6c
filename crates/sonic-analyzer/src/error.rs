//! [`AnalyzerError`]: everything the analyzer can report.

use std::path::PathBuf;

use thiserror::Error;

/// An error from decoding or analysing a file. [`AnalyzerError::is_bad_input`] tells a file
/// that is not usable audio (the caller's problem: exit code 2, HTTP 415) from a failure of
/// the machine (exit code 1, HTTP 500).
#[derive(Debug, Error)]
pub enum AnalyzerError {
    /// The file cannot be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// No container format Sonic knows recognises the file, or it holds no audio track.
    #[error("{path} is not an audio file Sonic can read: {reason}")]
    NotAudio {
        /// The file.
        path: PathBuf,
        /// Why it was refused.
        reason: String,
    },
    /// The container is known but its codec has no decoder here.
    #[error("{path}: unsupported codec {codec}: {reason}")]
    UnsupportedCodec {
        /// The file.
        path: PathBuf,
        /// Codec as the container names it.
        codec: String,
        /// What the decoder said.
        reason: String,
    },
    /// The audio stream is damaged beyond what skipping a packet can fix.
    #[error("{path}: cannot decode the audio: {reason}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// An analysis could not be written to the cache.
    #[error("cannot write the analysis cache entry {path}: {reason}")]
    CacheWrite {
        /// The cache entry.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

impl AnalyzerError {
    /// True when the file itself is the problem (not audio, unsupported, damaged, missing),
    /// false for failures of the machine (an I/O error on a file that exists).
    pub fn is_bad_input(&self) -> bool {
        match self {
            AnalyzerError::Io { source, .. } => matches!(
                source.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::IsADirectory
            ),
            AnalyzerError::NotAudio { .. }
            | AnalyzerError::UnsupportedCodec { .. }
            | AnalyzerError::Decode { .. } => true,
            AnalyzerError::CacheWrite { .. } => false,
        }
    }

    /// The file the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            AnalyzerError::Io { path, .. }
            | AnalyzerError::NotAudio { path, .. }
            | AnalyzerError::UnsupportedCodec { path, .. }
            | AnalyzerError::Decode { path, .. }
            | AnalyzerError::CacheWrite { path, .. } => path,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_bad_input_but_a_permission_error_is_a_failure() {
        let missing = AnalyzerError::Io {
            path: "x.wav".into(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        let denied = AnalyzerError::Io {
            path: "x.wav".into(),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        };
        assert!(missing.is_bad_input());
        assert!(!denied.is_bad_input());
    }

    #[test]
    fn the_message_names_the_file() {
        let err = AnalyzerError::NotAudio {
            path: "notes.txt".into(),
            reason: "no known container".into(),
        };
        assert!(err.to_string().contains("notes.txt"));
        assert_eq!(err.path(), std::path::Path::new("notes.txt"));
    }
}
