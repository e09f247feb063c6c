//! [`RenderSettings`]: the sample rate, the range, the threads and the tail cap of a render.

use sonic_model::Composition;

use crate::{RenderError, Result};

/// The sample rates a render accepts, Hz.
pub const SAMPLE_RATES: [u32; 3] = [44_100, 48_000, 96_000];

/// The default sample rate (sound.md §0: the original ran at 48 kHz).
pub const DEFAULT_SAMPLE_RATE: u32 = 48_000;

/// The default cap on the tail after the range, seconds.
pub const DEFAULT_MAX_TAIL_SECONDS: f64 = 30.0;

/// Which part of the timeline a render covers.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum RenderRange {
    /// Beat 0 to the end of the last clip, muted clips included (sound.md B14).
    #[default]
    Song,
    /// From beat `from` to beat `to`.
    Beats {
        /// First beat (≥ 0).
        from: f64,
        /// End beat (> `from`).
        to: f64,
    },
    /// The loop region, `loop_start` to `loop_end`, played once.
    Loop,
}

impl RenderRange {
    /// The range's first and end beat for `composition`.
    pub fn beats(&self, composition: &Composition) -> Result<(f64, f64)> {
        match *self {
            RenderRange::Song => Ok((0.0, composition.duration_beats())),
            RenderRange::Loop => Ok((composition.loop_start, composition.loop_end)),
            RenderRange::Beats { from, to } => {
                let ok = from.is_finite() && to.is_finite() && from >= 0.0 && from < to;
                if ok {
                    Ok((from, to))
                } else {
                    Err(RenderError::InvalidRange { from, to })
                }
            }
        }
    }
}

/// How to render.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderSettings {
    /// Sample rate, Hz: one of [`SAMPLE_RATES`].
    pub sample_rate: u32,
    /// What to render.
    pub range: RenderRange,
    /// Threads to render tracks on (0: one per core). The output is the same for any count.
    pub threads: usize,
    /// Longest tail after the range, seconds.
    pub max_tail_seconds: f64,
}

impl Default for RenderSettings {
    fn default() -> Self {
        RenderSettings {
            sample_rate: DEFAULT_SAMPLE_RATE,
            range: RenderRange::Song,
            threads: 0,
            max_tail_seconds: DEFAULT_MAX_TAIL_SECONDS,
        }
    }
}

impl RenderSettings {
    /// Checks the rate and the tail cap.
    pub fn validate(&self) -> Result<()> {
        if !SAMPLE_RATES.contains(&self.sample_rate) {
            return Err(RenderError::UnsupportedSampleRate(self.sample_rate));
        }
        if !(self.max_tail_seconds.is_finite() && self.max_tail_seconds >= 0.0) {
            return Err(RenderError::InvalidTail(self.max_tail_seconds));
        }
        Ok(())
    }

    /// The number of threads to use for `tracks` tracks.
    pub(crate) fn thread_count(&self, tracks: usize) -> usize {
        let wanted = if self.threads == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            self.threads
        };
        wanted.clamp(1, tracks.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_three_rates_and_sane_ranges_are_accepted() {
        let mut s = RenderSettings::default();
        assert!(s.validate().is_ok());
        s.sample_rate = 22_050;
        assert!(matches!(
            s.validate(),
            Err(RenderError::UnsupportedSampleRate(22_050))
        ));
        s.sample_rate = 96_000;
        s.max_tail_seconds = f64::NAN;
        assert!(s.validate().is_err());
        let song = Composition::new("x");
        for (from, to) in [(4.0, 4.0), (-1.0, 2.0), (0.0, f64::INFINITY), (5.0, 1.0)] {
            let range = RenderRange::Beats { from, to };
            assert!(range.beats(&song).unwrap_err().is_bad_input());
        }
        assert_eq!(RenderRange::Loop.beats(&song).unwrap(), (0.0, 16.0));
        assert_eq!(RenderRange::Song.beats(&song).unwrap(), (0.0, 0.0));
    }
}
