//! [`WavSink`]: a render streamed into a WAV file (16- or 24-bit integer, or 32-bit float),
//! through hound. Only a buffer is held; the header's sizes are patched when it finishes.

use std::io::{Seek, Write};

use super::AudioSink;
use crate::{RenderError, Result};

/// The sample format of a WAV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WavFormat {
    /// 16-bit integer; values beyond ±1 are clipped to full scale.
    Int16,
    /// 24-bit integer; values beyond ±1 are clipped to full scale.
    #[default]
    Int24,
    /// 32-bit float; values beyond ±1 are kept.
    Float32,
}

impl WavFormat {
    /// Bits per sample.
    pub fn bits(self) -> u16 {
        match self {
            WavFormat::Int16 => 16,
            WavFormat::Int24 => 24,
            WavFormat::Float32 => 32,
        }
    }
}

/// Writes a stereo WAV file as a render produces it.
pub struct WavSink<W: Write + Seek> {
    writer: Option<hound::WavWriter<W>>,
    format: WavFormat,
}

fn io_error(e: hound::Error) -> RenderError {
    match e {
        hound::Error::IoError(e) => RenderError::Write(e),
        other => RenderError::Write(std::io::Error::other(other)),
    }
}

impl<W: Write + Seek> WavSink<W> {
    /// Starts a file in `format` at `sample_rate` Hz (writes the header).
    pub fn new(writer: W, format: WavFormat, sample_rate: u32) -> Result<Self> {
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate,
            bits_per_sample: format.bits(),
            sample_format: match format {
                WavFormat::Float32 => hound::SampleFormat::Float,
                _ => hound::SampleFormat::Int,
            },
        };
        let writer = hound::WavWriter::new(writer, spec).map_err(io_error)?;
        Ok(WavSink {
            writer: Some(writer),
            format,
        })
    }
}

impl<W: Write + Seek> AudioSink for WavSink<W> {
    fn write(&mut self, left: &[f32], right: &[f32]) -> Result<()> {
        let Some(writer) = self.writer.as_mut() else {
            return Err(RenderError::Write(std::io::Error::other(
                "the WAV file is already finished",
            )));
        };
        for (&l, &r) in left.iter().zip(right) {
            for x in [l, r] {
                match self.format {
                    WavFormat::Float32 => writer.write_sample(x),
                    WavFormat::Int16 => writer.write_sample(quantise(x, 32_767.0) as i16),
                    WavFormat::Int24 => writer.write_sample(quantise(x, 8_388_607.0)),
                }
                .map_err(io_error)?;
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        match self.writer.take() {
            Some(writer) => writer.finalize().map_err(io_error),
            None => Ok(()),
        }
    }
}

/// `x` clipped to ±1 and scaled to an integer of full scale `full`.
fn quantise(x: f32, full: f32) -> i32 {
    (x.clamp(-1.0, 1.0) * full).round() as i32
}
