//! Tempo from the onset strength envelope: its autocorrelation over lags of 30..300 BPM,
//! weighted by librosa's log-normal prior around 120 BPM (one octave wide), refined by
//! parabolic interpolation.

use super::stft::HOP;

/// Tempo search range, BPM.
const MIN_BPM: f64 = 30.0;
const MAX_BPM: f64 = 300.0;
/// Centre of the prior, BPM (librosa's `start_bpm`).
const PRIOR_BPM: f64 = 120.0;
/// The normalised autocorrelation at the chosen lag must reach this for a beat to count.
const MIN_PERIODICITY: f64 = 0.3;
/// Fewer onsets than this is not a rhythm.
const MIN_ONSETS: usize = 3;

/// Estimated tempo in BPM, or `None` when the envelope shows no steady beat.
pub(crate) fn estimate(envelope: &[f64], onset_count: usize, sample_rate: f64) -> Option<f64> {
    if onset_count < MIN_ONSETS || envelope.len() < 8 {
        return None;
    }
    let frame_rate = sample_rate / HOP as f64;
    let bpm_of = |lag: f64| 60.0 * frame_rate / lag;
    let min_lag = (60.0 * frame_rate / MAX_BPM).floor().max(1.0) as usize;
    // At least two periods must fit in the envelope.
    let max_lag = ((60.0 * frame_rate / MIN_BPM).ceil() as usize).min(envelope.len() / 2);
    if min_lag + 2 > max_lag {
        return None;
    }

    let mean = envelope.iter().sum::<f64>() / envelope.len() as f64;
    let centred: Vec<f64> = envelope.iter().map(|&v| v - mean).collect();
    let energy: f64 = centred.iter().map(|v| v * v).sum();
    if energy <= f64::MIN_POSITIVE {
        return None;
    }
    // Normalised autocorrelation, unbiased so long lags are not penalised by fewer terms.
    let n = centred.len();
    let ac: Vec<f64> = (0..=max_lag + 1)
        .map(|lag| {
            let sum: f64 = centred[..n - lag]
                .iter()
                .zip(&centred[lag..])
                .map(|(a, b)| a * b)
                .sum();
            sum / energy * n as f64 / (n - lag) as f64
        })
        .collect();

    let prior = |lag: usize| {
        let octaves = (bpm_of(lag as f64) / PRIOR_BPM).log2();
        (-0.5 * octaves * octaves).exp()
    };
    let is_peak = |lag: usize| ac[lag] >= ac[lag - 1] && ac[lag] >= ac[lag + 1];
    let best = (min_lag.max(1)..=max_lag)
        .filter(|&lag| is_peak(lag) && ac[lag] > 0.0)
        .max_by(|&a, &b| (ac[a] * prior(a)).total_cmp(&(ac[b] * prior(b))))?;
    if ac[best] < MIN_PERIODICITY {
        return None;
    }
    let (left, middle, right) = (ac[best - 1], ac[best], ac[best + 1]);
    let curvature = left + right - 2.0 * middle;
    let shift = if curvature.abs() > f64::MIN_POSITIVE {
        (0.5 * (left - right) / curvature).clamp(-0.5, 0.5)
    } else {
        0.0
    };
    Some(bpm_of(best as f64 + shift))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pulses(period_frames: f64, frames: usize) -> Vec<f64> {
        let mut env = vec![0.0; frames];
        let mut t = 0.0f64;
        while (t as usize) < frames {
            env[t.round() as usize % frames] = 1.0;
            t += period_frames;
        }
        env
    }

    #[test]
    fn pulses_every_half_second_are_120_bpm() {
        let frame_rate = 44_100.0 / HOP as f64;
        let env = pulses(0.5 * frame_rate, 600);
        let bpm = estimate(&env, 14, 44_100.0).unwrap();
        assert!((bpm - 120.0).abs() < 1.5, "{bpm}");
    }

    #[test]
    fn the_prior_prefers_the_beat_near_120_over_its_half() {
        let frame_rate = 44_100.0 / HOP as f64;
        let env = pulses(60.0 / 100.0 * frame_rate, 800);
        let bpm = estimate(&env, 14, 44_100.0).unwrap();
        assert!((bpm - 100.0).abs() < 1.5, "{bpm}");
    }

    #[test]
    fn no_onsets_means_no_tempo() {
        assert_eq!(estimate(&[0.0; 500], 0, 44_100.0), None);
        assert_eq!(estimate(&[1.0; 500], 10, 44_100.0), None);
    }
}
