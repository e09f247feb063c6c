//! Levels: RMS and sample peak in dBFS (with a floor for silence, never -inf or NaN), and
//! integrated loudness in LUFS (EBU R128 / ITU-R BS.1770 with the `ebur128` crate).

use ebur128::{EbuR128, Mode};

/// What silence reads as, dBFS: the level of one LSB of 24-bit audio is about -144 dB, so
/// nothing real is quieter.
pub const SILENCE_DB: f64 = -160.0;

/// RMS and peak of a whole signal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Levels {
    /// RMS, dBFS.
    pub rms_db: f64,
    /// Sample peak, dBFS.
    pub peak_db: f64,
}

/// Converts an amplitude to dBFS, flooring at [`SILENCE_DB`].
pub(crate) fn amplitude_db(amplitude: f64) -> f64 {
    if amplitude > 0.0 && amplitude.is_finite() {
        (20.0 * amplitude.log10()).max(SILENCE_DB)
    } else {
        SILENCE_DB
    }
}

/// RMS and sample peak of a signal of `len` samples from its sum of squares and its largest
/// magnitude (both measured in the envelope pass, so the samples are not read again).
pub(crate) fn levels(sum_of_squares: f64, len: usize, peak: f32) -> Levels {
    let rms = if len == 0 {
        0.0
    } else {
        (sum_of_squares / len as f64).sqrt()
    };
    Levels {
        rms_db: amplitude_db(rms),
        peak_db: amplitude_db(peak as f64),
    }
}

/// Integrated loudness of a mono signal, LUFS. The one channel is weighted as a front
/// channel (gain 1), so a 1 kHz sine peaking at -20 dBFS reads -23.0 LUFS. `None` when the
/// signal is shorter than one 400 ms gating block, silent, or the rate is unsupported.
pub(crate) fn integrated_lufs(samples: &[f32], sample_rate: u32) -> Option<f64> {
    let mut meter = EbuR128::new(1, sample_rate, Mode::I).ok()?;
    meter.add_frames_f32(samples).ok()?;
    meter.loudness_global().ok().filter(|l| l.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels_of(samples: &[f32]) -> Levels {
        let sum: f64 = samples.iter().map(|&x| (x as f64) * (x as f64)).sum();
        let peak = samples.iter().fold(0.0f32, |m, &x| m.max(x.abs()));
        levels(sum, samples.len(), peak)
    }

    fn sine(freq: f64, amplitude: f64, seconds: f64, sr: u32) -> Vec<f32> {
        (0..(seconds * sr as f64) as usize)
            .map(|n| {
                (amplitude * (2.0 * std::f64::consts::PI * freq * n as f64 / sr as f64).sin())
                    as f32
            })
            .collect()
    }

    #[test]
    fn a_sine_at_minus_20_dbfs_peaks_at_minus_20_with_rms_3_db_lower() {
        let samples = sine(1000.0, 0.1, 2.0, 48_000);
        let l = levels_of(&samples);
        assert!((l.peak_db + 20.0).abs() < 0.01, "{l:?}");
        assert!((l.rms_db + 23.01).abs() < 0.01, "{l:?}");
    }

    #[test]
    fn a_1_khz_sine_at_minus_20_dbfs_is_minus_23_lufs() {
        let lufs = integrated_lufs(&sine(1000.0, 0.1, 3.0, 48_000), 48_000).unwrap();
        assert!((lufs + 23.0).abs() < 0.1, "{lufs}");
    }

    #[test]
    fn silence_and_empty_signals_read_the_floor_not_minus_infinity() {
        for samples in [&[][..], &[0.0; 1000][..]] {
            let l = levels_of(samples);
            assert_eq!(l.rms_db, SILENCE_DB);
            assert_eq!(l.peak_db, SILENCE_DB);
            assert_eq!(integrated_lufs(samples, 44_100), None);
        }
    }

    #[test]
    fn an_unsupported_rate_gives_no_loudness_instead_of_an_error() {
        assert_eq!(integrated_lufs(&[0.5; 100], 0), None);
    }
}
