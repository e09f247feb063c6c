//! [`RenderError`]: what planning or running a render can report.

use thiserror::Error;

/// An error from the sound engine.
#[derive(Debug, Error)]
pub enum RenderError {
    /// The sample rate is not one the engine renders at.
    #[error("sample rate {0} Hz is not supported: use 44100, 48000 or 96000")]
    UnsupportedSampleRate(u32),
    /// The beat range is empty, reversed, negative or not finite.
    #[error("render range {from}..{to} is not valid: beats from 0, with from < to")]
    InvalidRange {
        /// First beat.
        from: f64,
        /// Last beat.
        to: f64,
    },
    /// The tail cap is negative or not finite.
    #[error("max_tail_seconds {0} is not valid: 0 or more seconds")]
    InvalidTail(f64),
    /// The composition breaks a rule of the model.
    #[error("the composition is not valid: {0}")]
    InvalidComposition(#[from] sonic_model::ModelError),
    /// An audio clip's source could not be prepared (its sample is missing or unreadable).
    #[error("audio clip {clip}: {message}")]
    ClipAudio {
        /// The clip's id.
        clip: String,
        /// What went wrong.
        message: String,
    },
    /// Writing the output failed.
    #[error("writing the audio failed: {0}")]
    Write(#[from] std::io::Error),
    /// A render thread stopped unexpectedly (a bug).
    #[error("a render thread failed: {0}")]
    Engine(String),
}

impl RenderError {
    /// True when the caller's input is at fault (rate, range, composition, a clip's sample),
    /// false for failures of the output or the engine.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, RenderError::Write(_) | RenderError::Engine(_))
    }
}

/// Result alias of this crate.
pub type Result<T, E = RenderError> = std::result::Result<T, E>;
