//! Where a render goes: an [`AudioSink`] takes the master mix chunk by chunk. [`WavSink`]
//! streams a WAV file to any `Write + Seek`; [`BufferSink`] keeps the audio in memory (tests,
//! short analyses).

mod wav;

pub use wav::{WavFormat, WavSink};

use crate::Result;

/// Receives a render's output, in order, as it is made.
pub trait AudioSink {
    /// Takes the next frames: `left` and `right` have the same length.
    fn write(&mut self, left: &[f32], right: &[f32]) -> Result<()>;

    /// The render is over: flush, patch headers.
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
}

/// Keeps a render in memory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BufferSink {
    /// Left channel.
    pub left: Vec<f32>,
    /// Right channel.
    pub right: Vec<f32>,
}

impl AudioSink for BufferSink {
    fn write(&mut self, left: &[f32], right: &[f32]) -> Result<()> {
        self.left.extend_from_slice(left);
        self.right.extend_from_slice(right);
        Ok(())
    }
}
