//! Onsets: the onset strength envelope (spectral flux of the log-mel spectrogram, as
//! `librosa.onset.onset_strength`) and peak picking (as `librosa.onset.onset_detect`).

use multiversion::multiversion;

use super::stft::{HOP, N_BINS, N_FFT};

/// Mel bands of the onset spectrogram (librosa's default).
pub(crate) const N_MELS: usize = 128;
/// `power_to_db`'s dynamic range: everything is floored this far below the loudest value.
const TOP_DB: f32 = 80.0;
/// `power_to_db`'s amin.
const AMIN: f32 = 1e-10;

/// A Slaney-style mel filterbank (librosa's default `htk=False, norm="slaney"`), stored
/// as each band's contiguous run of non-zero weights.
pub(crate) struct MelBank {
    /// For each band: its first bin and its weights from there.
    bands: Vec<(usize, Vec<f32>)>,
}

fn hz_to_mel(hz: f64) -> f64 {
    const F_SP: f64 = 200.0 / 3.0;
    const MIN_LOG_HZ: f64 = 1000.0;
    let min_log_mel = MIN_LOG_HZ / F_SP;
    let logstep = 6.4f64.ln() / 27.0;
    if hz >= MIN_LOG_HZ {
        min_log_mel + (hz / MIN_LOG_HZ).ln() / logstep
    } else {
        hz / F_SP
    }
}

fn mel_to_hz(mel: f64) -> f64 {
    const F_SP: f64 = 200.0 / 3.0;
    const MIN_LOG_HZ: f64 = 1000.0;
    let min_log_mel = MIN_LOG_HZ / F_SP;
    let logstep = 6.4f64.ln() / 27.0;
    if mel >= min_log_mel {
        MIN_LOG_HZ * (logstep * (mel - min_log_mel)).exp()
    } else {
        F_SP * mel
    }
}

impl MelBank {
    /// The filterbank from 0 Hz to Nyquist at `sample_rate`.
    pub(crate) fn new(sample_rate: f64) -> Self {
        let max_mel = hz_to_mel(sample_rate / 2.0);
        let edges: Vec<f64> = (0..N_MELS + 2)
            .map(|i| mel_to_hz(max_mel * i as f64 / (N_MELS + 1) as f64))
            .collect();
        let bands = (0..N_MELS)
            .map(|m| {
                let weight = |k: usize| -> f32 {
                    let f = k as f64 * sample_rate / N_FFT as f64;
                    let lower = (f - edges[m]) / (edges[m + 1] - edges[m]);
                    let upper = (edges[m + 2] - f) / (edges[m + 2] - edges[m + 1]);
                    let norm = 2.0 / (edges[m + 2] - edges[m]);
                    (lower.min(upper).max(0.0) * norm) as f32
                };
                // Only bins strictly between the band's outer edges can weigh anything.
                let bin_of = |hz: f64| hz * N_FFT as f64 / sample_rate;
                let lowest = (bin_of(edges[m]).floor().max(0.0) as usize).min(N_BINS);
                let highest = (bin_of(edges[m + 2]).ceil().max(0.0) as usize).min(N_BINS - 1);
                let first = (lowest..=highest)
                    .find(|&k| weight(k) > 0.0)
                    .unwrap_or(N_BINS);
                let last = (first..=highest).rev().find(|&k| weight(k) > 0.0);
                let weights = match last {
                    Some(last) => (first..=last).map(weight).collect(),
                    None => Vec::new(),
                };
                (first, weights)
            })
            .collect();
        MelBank { bands }
    }

    /// Adds `power`'s mel band energies into `bands` (zeroed first).
    pub(crate) fn apply(&self, power: &[f32], bands: &mut [f32; N_MELS]) {
        apply_bank(&self.bands, power, bands);
    }
}

/// [`MelBank::apply`], built for SSE2 and AVX2 (chosen at run time); the eight lanes fix the
/// order of the sums, so both give the same bits.
#[multiversion(targets("x86_64+avx2+fma"))]
fn apply_bank(bank: &[(usize, Vec<f32>)], power: &[f32], bands: &mut [f32; N_MELS]) {
    for (out, (first, weights)) in bands.iter_mut().zip(bank) {
        let mut lanes = [0.0f32; 8];
        let (w, w_tail) = weights.as_chunks::<8>();
        let (p, p_tail) = power[*first..*first + weights.len()].as_chunks::<8>();
        for (wc, pc) in w.iter().zip(p) {
            for i in 0..8 {
                lanes[i] += wc[i] * pc[i];
            }
        }
        let tail: f32 = w_tail.iter().zip(p_tail).map(|(a, b)| a * b).sum();
        *out = lanes.iter().sum::<f32>() + tail;
    }
}

/// Each band's level in dB (floored at [`AMIN`]) into `frame`; returns the largest. Built
/// for SSE2 and AVX2 (chosen at run time), with the same bits from both.
#[multiversion(targets("x86_64+avx2+fma"))]
fn to_decibels(bands: &[f32; N_MELS], frame: &mut [f32; N_MELS]) -> f32 {
    let mut max = [f32::NEG_INFINITY; 8];
    for (out, bands) in frame
        .as_chunks_mut::<8>()
        .0
        .iter_mut()
        .zip(bands.as_chunks::<8>().0)
    {
        for i in 0..8 {
            out[i] = decibels(bands[i].max(AMIN));
            max[i] = if out[i] > max[i] { out[i] } else { max[i] };
        }
    }
    max.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b))
}

/// `10·log10(x)` for a positive `x`, within 1e-5 of libm's (relative; absolute near 0 dB:
/// about 1e-5 dB over the -100..100 dB that mel levels span), with no libm call, so a loop
/// of them vectorises: the exponent comes from the bits, and `ln` of the mantissa (folded
/// into 0.71..1.41) from the series `2·atanh(z)`, `z = (m-1)/(m+1)`, whose first five terms
/// leave an error under 1e-9 there. Infinity reads as about 385 dB.
#[inline(always)]
fn decibels(x: f32) -> f32 {
    use std::f32::consts::{LN_10, LN_2, SQRT_2};
    let bits = x.to_bits();
    let exponent = ((bits >> 23) & 0xff) as i32 - 127;
    let mantissa = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    let (m, e) = if mantissa > SQRT_2 {
        (mantissa * 0.5, exponent + 1)
    } else {
        (mantissa, exponent)
    };
    let z = (m - 1.0) / (m + 1.0);
    let z2 = z * z;
    let series = 1.0 + z2 * (1.0 / 3.0 + z2 * (1.0 / 5.0 + z2 * (1.0 / 7.0 + z2 * (1.0 / 9.0))));
    (e as f32 * LN_2 + 2.0 * z * series) * (10.0 / LN_10)
}

/// Log-mel frames of the whole signal, kept (128 values per frame) because the dB floor
/// depends on the loudest value of all of them.
#[derive(Default)]
pub(crate) struct LogMel {
    values: Vec<f32>,
    max: f32,
}

impl LogMel {
    /// Reserves room for `frames` frames.
    pub(crate) fn with_capacity(frames: usize) -> Self {
        LogMel {
            values: Vec::with_capacity(frames * N_MELS),
            max: f32::NEG_INFINITY,
        }
    }

    /// Appends one frame's mel energies, in dB.
    pub(crate) fn push(&mut self, bands: &[f32; N_MELS]) {
        let mut frame = [0.0f32; N_MELS];
        let max = to_decibels(bands, &mut frame);
        self.max = self.max.max(max);
        self.values.extend_from_slice(&frame);
    }

    /// Onset strength per frame: mean over bands of the positive dB rise since the previous
    /// frame, after flooring at `max - 80 dB`. Frame 0 has strength 0.
    pub(crate) fn onset_strength(&self) -> Vec<f64> {
        let floor = self.max - TOP_DB;
        let frames: Vec<&[f32]> = self.values.chunks_exact(N_MELS).collect();
        let mut envelope = vec![0.0; frames.len()];
        for t in 1..frames.len() {
            let rise: f32 = frames[t]
                .iter()
                .zip(frames[t - 1])
                .map(|(&now, &before)| (now.max(floor) - before.max(floor)).max(0.0))
                .sum();
            envelope[t] = rise as f64 / N_MELS as f64;
        }
        envelope
    }
}

/// Frame indices of onsets, picked as `librosa.onset.onset_detect` does: the envelope is
/// normalised to 0..1, and a peak must be the maximum of the last 30 ms, exceed the mean of
/// ±100 ms by 0.07, and come at least 30 ms after the previous onset.
pub(crate) fn detect_onsets(envelope: &[f64], sample_rate: f64) -> Vec<usize> {
    let min = envelope.iter().copied().fold(f64::INFINITY, f64::min);
    let max = envelope.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if envelope.is_empty() || max - min <= 1e-9 {
        return Vec::new();
    }
    let x: Vec<f64> = envelope.iter().map(|&v| (v - min) / (max - min)).collect();
    let frames_per = |seconds: f64| (seconds * sample_rate / HOP as f64).floor() as usize;
    let (pre_max, post_max) = (frames_per(0.03), 1);
    let (pre_avg, post_avg) = (frames_per(0.10), frames_per(0.10) + 1);
    let wait = frames_per(0.03);
    let window = |n: usize, before: usize, after: usize| {
        &x[n.saturating_sub(before)..(n + after).min(x.len())]
    };
    let mut onsets: Vec<usize> = Vec::new();
    for (n, &value) in x.iter().enumerate() {
        let local_max = window(n, pre_max, post_max)
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let around = window(n, pre_avg, post_avg);
        let mean = around.iter().sum::<f64>() / around.len() as f64;
        let waited = onsets.last().is_none_or(|&last| n > last + wait);
        if value >= local_max && value >= mean + 0.07 && waited {
            onsets.push(n);
        }
    }
    onsets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mel_scale_round_trips_on_both_sides_of_one_kilohertz() {
        for hz in [0.0, 440.0, 999.0, 1000.0, 4000.0, 20_000.0] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() < 1e-6);
        }
        assert!((hz_to_mel(1000.0) - 15.0).abs() < 1e-9);
    }

    #[test]
    fn each_band_holds_exactly_the_bins_the_triangle_covers() {
        for sr in [8_000.0, 22_050.0, 44_100.0, 48_000.0, 96_000.0] {
            let bank = MelBank::new(sr);
            let max_mel = hz_to_mel(sr / 2.0);
            let edges: Vec<f64> = (0..N_MELS + 2)
                .map(|i| mel_to_hz(max_mel * i as f64 / (N_MELS + 1) as f64))
                .collect();
            for (m, (first, weights)) in bank.bands.iter().enumerate() {
                // Every bin, the slow way: positive exactly inside the triangle.
                let inside: Vec<usize> = (0..N_BINS)
                    .filter(|&k| {
                        let f = k as f64 * sr / N_FFT as f64;
                        f > edges[m] && f < edges[m + 2]
                    })
                    .collect();
                let held: Vec<usize> = (*first..first + weights.len()).collect();
                assert_eq!(held, inside, "band {m} at {sr} Hz");
                assert!(weights.iter().all(|&w| w > 0.0));
            }
        }
    }

    #[test]
    fn every_audible_bin_feeds_some_mel_band() {
        let bank = MelBank::new(44_100.0);
        let mut bands = [0.0; N_MELS];
        for k in 1..N_BINS - 1 {
            let mut power = vec![0.0; N_BINS];
            power[k] = 1.0;
            bank.apply(&power, &mut bands);
            assert!(bands.iter().sum::<f32>() > 0.0, "bin {k}");
        }
    }

    #[test]
    fn decibels_agree_with_libm_from_the_floor_to_the_largest_float() {
        let mut x = AMIN;
        while x < f32::MAX / 1.01 {
            let near = [x, x * 1.0001, x * std::f32::consts::SQRT_2, x * 1.9999];
            for v in near.into_iter().filter(|v| v.is_finite()) {
                let want = 10.0 * f64::from(v).log10();
                let got = f64::from(decibels(v));
                assert!(
                    (got - want).abs() < 1e-5 * want.abs().max(1.0),
                    "{v}: {got} vs {want}"
                );
            }
            x *= 1.37;
        }
        assert!(decibels(f32::INFINITY).is_finite());
    }

    #[test]
    fn a_step_in_loudness_is_one_onset() {
        let mut mel = LogMel::with_capacity(100);
        for t in 0..100 {
            let level = if t < 50 { 1e-6 } else { 1.0 };
            mel.push(&[level; N_MELS]);
        }
        let env = mel.onset_strength();
        assert_eq!(detect_onsets(&env, 44_100.0), vec![50]);
    }

    #[test]
    fn a_flat_envelope_has_no_onsets() {
        assert!(detect_onsets(&[0.5; 40], 44_100.0).is_empty());
        assert!(detect_onsets(&[], 44_100.0).is_empty());
    }
}
