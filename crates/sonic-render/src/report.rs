//! [`RenderReport`]: what a render made, measured on the way out (the `Meter`): its length,
//! its sample peak, how many samples went beyond full scale, and its integrated loudness
//! through the analyzer's `LoudnessMeter`.

use serde::Serialize;
use sonic_analyzer::{LoudnessMeter, SILENCE_DB};

/// What a render made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RenderReport {
    /// Sample rate, Hz.
    pub sample_rate: u32,
    /// Frames written (per channel).
    pub frames: u64,
    /// Length, seconds.
    pub seconds: f64,
    /// First beat of the range.
    pub from_beat: f64,
    /// End beat of the range.
    pub to_beat: f64,
    /// Frames of the range itself; the rest is the tail.
    pub range_frames: u64,
    /// Frames of tail after the range.
    pub tail_frames: u64,
    /// Largest sample magnitude, dBFS (−160 for silence).
    pub peak_dbfs: f64,
    /// Samples (either channel) beyond ±1: kept in float output, clipped in integer output.
    pub over_range: u64,
    /// Integrated loudness (EBU R128), LUFS; `None` under 400 ms or for silence.
    pub lufs: Option<f64>,
    /// Voice names the composition uses that the engine does not play (yet).
    pub missing_voices: Vec<String>,
    /// Effect names the composition uses that the engine passes through (yet).
    pub missing_effects: Vec<String>,
    /// Audio clips left silent because the render had no clip audio.
    pub skipped_audio_clips: usize,
}

/// Measures what is written: peak, over-range count, loudness.
pub(crate) struct Meter {
    peak: f32,
    over: u64,
    frames: u64,
    loudness: Option<LoudnessMeter>,
}

impl Meter {
    /// A meter for a stereo render at `rate`, with room for `frames` frames.
    pub(crate) fn new(rate: u32, frames: u64) -> Self {
        let mut loudness = LoudnessMeter::new(2, rate);
        if let Some(meter) = loudness.as_mut() {
            meter.reserve(usize::try_from(frames).unwrap_or(usize::MAX / 2));
        }
        Meter {
            peak: 0.0,
            over: 0,
            frames: 0,
            loudness,
        }
    }

    /// Measures frames as they are written.
    pub(crate) fn add(&mut self, left: &[f32], right: &[f32]) {
        for &x in left.iter().chain(right) {
            let a = x.abs();
            self.peak = self.peak.max(a);
            self.over += u64::from(a > 1.0);
        }
        self.frames += left.len() as u64;
        if let Some(meter) = self.loudness.as_mut() {
            meter.add_planar(&[left, right]);
        }
    }

    /// Frames measured.
    pub(crate) fn frames(&self) -> u64 {
        self.frames
    }

    /// Peak (dBFS), over-range count and loudness.
    pub(crate) fn finish(&self) -> (f64, u64, Option<f64>) {
        let peak = if self.peak > 0.0 {
            (20.0 * f64::from(self.peak).log10()).max(SILENCE_DB)
        } else {
            SILENCE_DB
        };
        let lufs = self.loudness.as_ref().and_then(LoudnessMeter::integrated);
        (peak, self.over, lufs)
    }
}
