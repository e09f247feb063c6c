//! Time-domain features: the frame RMS envelope (as `librosa.feature.rms`), the zero-crossing
//! rate (as `librosa.feature.zero_crossing_rate`), which frames sound at all, and the
//! ADSR-style envelope description.

use sonic_model::TemporalFeatures;

use super::stft::{frame_count, HOP, N_FFT};

/// A frame sounds when its RMS is within this many dB of the loudest frame...
const SOUNDING_RANGE_DB: f64 = 60.0;
/// ...and above this absolute level (dBFS).
const SOUNDING_FLOOR_DB: f64 = -100.0;
/// librosa's `zero_crossings` threshold: smaller magnitudes count as zero (positive).
const ZERO_THRESHOLD: f32 = 1e-10;
/// Envelope level (relative to the peak) where a sound starts and ends.
const ONSET_LEVEL: f64 = 0.1;
/// The longest attack a percussive sound can have, seconds.
const PERCUSSIVE_MAX_ATTACK: f64 = 0.03;
/// A percussive sound falls below this share of its peak for most of its life.
const PERCUSSIVE_MAX_SUSTAIN: f64 = 0.4;
/// Block length of the peak envelope, samples (5.8 ms at 44.1 kHz).
const PEAK_BLOCK: usize = 256;
/// How far ahead the attack looks for a higher level, seconds.
const ATTACK_LOOKAHEAD: f64 = 0.1;
/// A sustained sound holds at least this share of its peak...
const SUSTAINED_MIN_LEVEL: f64 = 0.5;
/// ...for at least this long, seconds.
const SUSTAINED_MIN_SECONDS: f64 = 0.25;

/// Frame RMS and zero-crossing rate, one value per centred STFT frame.
#[derive(Debug, Clone, Default)]
pub(crate) struct Envelope {
    /// RMS of each 2048-sample frame (zero-padded at the ends, as librosa).
    pub rms: Vec<f64>,
    /// Zero crossings per sample in each frame (edge-padded, as librosa).
    pub zcr: Vec<f64>,
    /// Peak magnitude of each 256-sample block, for attack and release timing.
    pub peaks: Vec<f32>,
    /// Sum of the squares of all samples (for the RMS level).
    pub sum_of_squares: f64,
}

impl Envelope {
    /// The largest sample magnitude.
    pub(crate) fn peak(&self) -> f32 {
        self.peaks.iter().copied().fold(0.0, f32::max)
    }
}

impl Envelope {
    /// One pass over the samples: energy and crossings per hop-sized block, then each frame
    /// sums the four blocks it spans (frames are 2048 long, centred on multiples of 512).
    pub(crate) fn compute(samples: &[f32]) -> Self {
        let frames = frame_count(samples.len());
        let blocks = samples.len().div_ceil(HOP);
        let mut energy = vec![0.0f64; blocks];
        let mut crossings = vec![0u32; blocks];
        let negative = |x: f32| x < -ZERO_THRESHOLD;
        for (b, block) in samples.chunks(HOP).enumerate() {
            // Eight f32 lanes per block (vectorises; 512 squares lose nothing that matters).
            let mut lanes = [0.0f32; 8];
            let mut chunks = block.chunks_exact(8);
            for chunk in &mut chunks {
                for (lane, &x) in lanes.iter_mut().zip(chunk) {
                    *lane += x * x;
                }
            }
            let tail: f32 = chunks.remainder().iter().map(|&x| x * x).sum();
            energy[b] = f64::from(lanes.iter().sum::<f32>() + tail);
            // Crossing i is between samples i-1 and i; sample 0 has none.
            let start = (b * HOP).max(1);
            let end = (b * HOP + block.len()).max(start);
            crossings[b] = samples[start..end]
                .iter()
                .zip(&samples[start - 1..end - 1])
                .map(|(&now, &before)| u32::from(negative(now) != negative(before)))
                .sum();
        }
        // Frame t spans samples [t*HOP - N_FFT/2, t*HOP + N_FFT/2): blocks t-2 ..= t+1.
        let blocks_of = |t: usize| (t.saturating_sub(2))..(t + 2).min(blocks);
        let mut rms = Vec::with_capacity(frames);
        let mut zcr = Vec::with_capacity(frames);
        for t in 0..frames {
            let e: f64 = energy[blocks_of(t)].iter().sum();
            rms.push((e / N_FFT as f64).sqrt());
            let mut c: u32 = crossings[blocks_of(t)].iter().sum();
            // The pair straddling the frame's first sample belongs to the frame before.
            let first = (t * HOP).checked_sub(N_FFT / 2);
            if let Some(i) = first.filter(|&i| i > 0 && i < samples.len()) {
                c -= u32::from(negative(samples[i - 1]) != negative(samples[i]));
            }
            zcr.push(c as f64 / N_FFT as f64);
        }
        let peaks = samples
            .chunks(PEAK_BLOCK)
            .map(|block| block.iter().fold(0.0f32, |m, &x| m.max(x.abs())))
            .collect();
        Envelope {
            sum_of_squares: energy.iter().sum(),
            rms,
            zcr,
            peaks,
        }
    }

    /// Which frames sound: within 60 dB of the loudest frame and above -100 dBFS.
    pub(crate) fn sounding(&self) -> Vec<bool> {
        let max = self.rms.iter().copied().fold(0.0, f64::max);
        let relative = max * 10f64.powf(-SOUNDING_RANGE_DB / 20.0);
        let absolute = 10f64.powf(SOUNDING_FLOOR_DB / 20.0);
        let threshold = relative.max(absolute);
        self.rms
            .iter()
            .map(|&r| r > 0.0 && r >= threshold)
            .collect()
    }
}

/// Envelope description, zero-crossing statistics and the percussive/sustained flags.
pub(crate) fn describe(
    envelope: &Envelope,
    sounding: &[bool],
    duration: f64,
    sample_rate: f64,
) -> TemporalFeatures {
    let (zcr_mean, zcr_std) = mean_std(
        envelope
            .zcr
            .iter()
            .zip(sounding)
            .filter(|(_, &s)| s)
            .map(|(&z, _)| z),
    );
    let frame_seconds = HOP as f64 / sample_rate;
    let peak = envelope.rms.iter().copied().fold(0.0, f64::max);
    let quiet = TemporalFeatures {
        duration,
        attack: 0.0,
        decay: 0.0,
        sustain_level: 0.0,
        release: 0.0,
        is_percussive: false,
        is_sustained: false,
        transient_strength: 0.0,
        zcr_mean,
        zcr_std,
    };
    if peak <= 0.0 || !sounding.iter().any(|&s| s) {
        return quiet;
    }
    let level: Vec<f64> = envelope.rms.iter().map(|&r| r / peak).collect();
    let start = level.iter().position(|&l| l >= ONSET_LEVEL).unwrap_or(0);
    let end = level
        .iter()
        .rposition(|&l| l >= ONSET_LEVEL)
        .unwrap_or(start);

    // Attack and release need finer timing than 2048-sample frames: the peak envelope.
    let fine = smoothed_peaks(&envelope.peaks);
    let fine_peak = fine.iter().copied().fold(0.0, f64::max);
    let fine_seconds = PEAK_BLOCK as f64 / sample_rate;
    let fine_start = fine
        .iter()
        .position(|&p| p >= ONSET_LEVEL * fine_peak)
        .unwrap_or(0);
    let fine_end = fine
        .iter()
        .rposition(|&p| p >= ONSET_LEVEL * fine_peak)
        .unwrap_or(fine_start);
    let lookahead = (ATTACK_LOOKAHEAD / fine_seconds).ceil() as usize;
    let attack_end = attack_end(&fine, fine_peak, fine_start, lookahead);
    let attack = (attack_end - fine_start) as f64 * fine_seconds;

    // Decay and sustain from the frame where the attack ends.
    let peak_at = ((attack_end * PEAK_BLOCK + PEAK_BLOCK / 2) / HOP).clamp(start, end);
    let body = &level[peak_at..=end];
    let sustain_level = median(body);
    // Decay: from the peak until the level first comes within 10 % of the sustain level.
    let decay_target = sustain_level + 0.1 * (1.0 - sustain_level);
    let decay_frames = body.iter().position(|&l| l <= decay_target).unwrap_or(0);
    // Release: from the last moment holding the sustain level to the end of the sound
    // (nothing to release when nothing is sustained).
    let release = if sustain_level >= ONSET_LEVEL {
        let hold = 0.9 * sustain_level * fine_peak;
        let from = (attack_end..=fine_end.max(attack_end))
            .rev()
            .find(|&i| fine[i] >= hold)
            .unwrap_or(attack_end);
        fine_end.saturating_sub(from) as f64 * fine_seconds
    } else {
        0.0
    };

    let active = &level[start..=end];
    let mean_level = active.iter().sum::<f64>() / active.len() as f64;
    let transient_strength = (1.0 - mean_level).clamp(0.0, 1.0);
    let held_frames = active.iter().filter(|&&l| l >= SUSTAINED_MIN_LEVEL).count();

    TemporalFeatures {
        attack,
        decay: decay_frames as f64 * frame_seconds,
        sustain_level,
        release,
        is_percussive: attack <= PERCUSSIVE_MAX_ATTACK && sustain_level < PERCUSSIVE_MAX_SUSTAIN,
        is_sustained: sustain_level >= SUSTAINED_MIN_LEVEL
            && held_frames as f64 * frame_seconds >= SUSTAINED_MIN_SECONDS,
        transient_strength,
        ..quiet
    }
}

/// Block peaks smoothed by a running maximum over four blocks (1024 samples), so a block
/// shorter than a low note's half period still sees the note's amplitude.
fn smoothed_peaks(peaks: &[f32]) -> Vec<f64> {
    (0..peaks.len())
        .map(|i| {
            peaks[i.saturating_sub(1)..(i + 3).min(peaks.len())]
                .iter()
                .copied()
                .fold(0.0f32, f32::max) as f64
        })
        .collect()
}

/// Where the attack ends: the first block from `start` that reaches half the peak and is
/// within 10 % of the highest level of the next `lookahead` blocks (so in a train of hits
/// the attack is the first hit's, and a slow swell's attack lasts until it levels off).
fn attack_end(fine: &[f64], peak: f64, start: usize, lookahead: usize) -> usize {
    (start..fine.len())
        .find(|&i| {
            let ahead = fine[i..(i + lookahead).min(fine.len())]
                .iter()
                .copied()
                .fold(0.0, f64::max);
            fine[i] >= 0.5 * peak && fine[i] >= 0.9 * ahead
        })
        .unwrap_or(start)
}

/// Mean and population standard deviation (zeros for no values).
pub(crate) fn mean_std(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let (n, sum) = values
        .clone()
        .fold((0usize, 0.0), |(n, s), v| (n + 1, s + v));
    if n == 0 {
        return (0.0, 0.0);
    }
    let mean = sum / n as f64;
    let var = values.map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64;
    (mean, var.sqrt())
}

/// Median of a non-empty slice (0 for an empty one).
pub(crate) fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        0.5 * (sorted[mid - 1] + sorted[mid])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f32, seconds: f32, sr: f32) -> Vec<f32> {
        (0..(seconds * sr) as usize)
            .map(|n| (2.0 * std::f32::consts::PI * freq * n as f32 / sr).sin())
            .collect()
    }

    #[test]
    fn frame_rms_of_a_full_scale_sine_is_one_over_root_two() {
        let env = Envelope::compute(&sine(440.0, 1.0, 44_100.0));
        let middle = env.rms[env.rms.len() / 2];
        assert!((middle - std::f64::consts::FRAC_1_SQRT_2).abs() < 0.01);
    }

    #[test]
    fn zero_crossing_rate_of_a_sine_is_twice_its_frequency_over_the_rate() {
        let env = Envelope::compute(&sine(1000.0, 1.0, 44_100.0));
        let middle = env.zcr[env.zcr.len() / 2];
        assert!((middle - 2000.0 / 44_100.0).abs() < 0.002, "{middle}");
    }

    #[test]
    fn a_steady_tone_is_sustained_and_never_percussive() {
        let samples = sine(440.0, 2.0, 44_100.0);
        let env = Envelope::compute(&samples);
        let t = describe(&env, &env.sounding(), 2.0, 44_100.0);
        assert!(t.is_sustained);
        assert!(!t.is_percussive);
        assert!(t.sustain_level > 0.9);
    }

    #[test]
    fn a_decaying_hit_is_percussive() {
        let sr = 44_100.0;
        let samples: Vec<f32> = (0..44_100)
            .map(|n| {
                let t = n as f32 / sr;
                (2.0 * std::f32::consts::PI * 60.0 * t).sin() * (-t * 12.0).exp()
            })
            .collect();
        let env = Envelope::compute(&samples);
        let t = describe(&env, &env.sounding(), 1.0, 44_100.0);
        assert!(t.is_percussive, "{t:?}");
        assert!(!t.is_sustained);
        assert!(t.transient_strength > 0.5);
    }

    #[test]
    fn silence_sounds_nowhere_and_describes_as_zeros() {
        let env = Envelope::compute(&[0.0; 5000]);
        let sounding = env.sounding();
        assert!(sounding.iter().all(|&s| !s));
        let t = describe(&env, &sounding, 0.1, 44_100.0);
        assert_eq!(t.sustain_level, 0.0);
        assert!(!t.is_percussive && !t.is_sustained);
    }
}
