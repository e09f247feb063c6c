//! Pitch with YIN, with `librosa.yin`'s parameters: 2048-sample centred frames, the
//! cumulative mean normalised difference over periods C2..C7, the first trough under 0.1
//! (else the global minimum), parabolic refinement. The difference function is YIN's own
//! (de Cheveigné & Kawahara 2002, eq. 6 over the whole overlap).
//!
//! Unlike the original Sonic, voicing is real: a frame is voiced only when the difference
//! function's minimum (its *aperiodicity*) is low, and silent frames are never analysed, so
//! noise and silence have no pitch.

use std::sync::Arc;

use multiversion::multiversion;
use rustfft::num_complex::Complex;
use rustfft::Fft;
use sonic_model::PitchFeatures;

use super::stft::{copy_centred_frame, frame_count};
use super::temporal::median;

/// Lowest pitch searched: C2.
pub(crate) const FMIN: f64 = 65.406_391_325_149_66;
/// Highest pitch searched: C7.
pub(crate) const FMAX: f64 = 2_093.004_522_404_789;
/// YIN frame length in samples (librosa's default).
const FRAME: usize = 2048;
/// librosa's trough threshold.
const TROUGH_THRESHOLD: f64 = 0.1;
/// A frame is voiced when its aperiodicity is below this.
const VOICED_APERIODICITY: f64 = 0.2;
/// A sound has a pitch when at least this share of its sounding frames is voiced.
const PITCHED_SHARE: f64 = 0.5;
/// At most this many frames are analysed (evenly spread): enough for a stable estimate of
/// a long file's pitch at a bounded cost.
const MAX_FRAMES: usize = 500;
/// Every fourth sounding frame at least (a 46 ms hop at 44.1 kHz, each frame 46 ms long,
/// so every moment is still seen): the summary is a median and a voiced share, which need
/// no finer grid, and YIN is the costliest feature per frame.
const MIN_STRIDE: usize = 4;

/// Pitch estimate of one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FramePitch {
    /// Fundamental, Hz.
    pub f0: f64,
    /// Normalised difference at the chosen period: 0 perfectly periodic, ~1 noise.
    pub aperiodicity: f64,
}

/// YIN with one FFT plan pair and fixed buffers.
///
/// Frames go through the transforms in pairs, as the STFT's do: frame `a` as the real and
/// frame `b` as the imaginary part of one complex FFT, split by symmetry into the two power
/// spectra, which go back together (`|A|² + i|B|²`) through one inverse FFT whose real and
/// imaginary parts are the two autocorrelations. Each frame is first scaled to unit energy
/// (YIN's normalised difference does not depend on scale), so the rounding one frame leaves
/// in the other is relative to the other's own energy, as if it had been transformed alone.
pub(crate) struct Yin {
    sample_rate: f64,
    min_period: usize,
    max_period: usize,
    forward: Arc<dyn Fft<f32>>,
    inverse: Arc<dyn Fft<f32>>,
    frames: [Vec<f32>; 2],
    buffer: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    /// Running sums of the difference function, and each lag as a float.
    running: Vec<f64>,
    lags: Vec<f64>,
    cmnd: Vec<f64>,
}

impl Yin {
    /// Plans the transforms for `sample_rate`; `None` when the rate is too low for C7.
    pub(crate) fn new(sample_rate: f64) -> Option<Self> {
        let min_period = (sample_rate / FMAX).floor() as usize;
        let max_period = ((sample_rate / FMIN).ceil() as usize).min(FRAME - 1);
        if min_period < 1 || min_period + 2 > max_period {
            return None;
        }
        // Linear (not circular) autocorrelation up to max_period needs this much padding.
        let n = fast_fft_len(FRAME + max_period + 1);
        let forward = super::fft::complex_forward_f32(n);
        let inverse = super::fft::complex_inverse_f32(n);
        let scratch_len = forward
            .get_inplace_scratch_len()
            .max(inverse.get_inplace_scratch_len());
        Some(Yin {
            sample_rate,
            min_period,
            max_period,
            frames: [vec![0.0; FRAME], vec![0.0; FRAME]],
            buffer: vec![Complex::default(); n],
            scratch: vec![Complex::default(); scratch_len],
            running: vec![0.0; max_period + 1],
            lags: (0..=max_period).map(|k| k as f64).collect(),
            cmnd: vec![0.0; max_period + 1],
            forward,
            inverse,
        })
    }

    /// Estimates the pitch of centred frames `a` and `b` (when given) of `samples`.
    pub(crate) fn pitch_pair(
        &mut self,
        samples: &[f32],
        a: usize,
        b: Option<usize>,
    ) -> (FramePitch, Option<FramePitch>) {
        let [frame_a, frame_b] = &mut self.frames;
        copy_centred_frame(samples, a, frame_a);
        match b {
            Some(b) => copy_centred_frame(samples, b, frame_b),
            None => frame_b.fill(0.0),
        }
        to_unit_energy(frame_a);
        to_unit_energy(frame_b);
        pack(frame_a, frame_b, &mut self.buffer);
        self.forward
            .process_with_scratch(&mut self.buffer, &mut self.scratch);
        powers_to_pair(&mut self.buffer);
        self.inverse
            .process_with_scratch(&mut self.buffer, &mut self.scratch);
        let first = self.frame_pitch(0);
        let second = b.map(|_| self.frame_pitch(1));
        (first, second)
    }

    /// YIN on `frames[which]`, whose autocorrelation (times the FFT length) is the real
    /// (0) or imaginary (1) part of `buffer`.
    fn frame_pitch(&mut self, which: usize) -> FramePitch {
        let frame = &self.frames[which];
        let acf_of = |c: &Complex<f32>| if which == 0 { c.re } else { c.im };
        // d(k) = Σ_{m<N-k} (y(m) - y(m+k))² = E[0, N-k) + E[k, N) - 2 acf(k): YIN's
        // difference over the whole overlap, exactly 0 at the period of a periodic frame
        // (librosa 0.11 drops the E[N-k, N) term, which biases low notes sharp).
        // E[0, N-k) = total - tail and E[k, N) = total - head, where head and tail are the
        // energies of the frame's first and last k samples: running sums kept in registers
        // over max_period samples, not a prefix table over the whole frame.
        let max = self.max_period;
        let total = energy(frame);
        let scale = 1.0 / self.buffer.len() as f64;
        let (mut head, mut tail, mut running) = (0.0f64, 0.0f64, 0.0f64);
        let steps = frame[..max]
            .iter()
            .zip(frame[FRAME - max..].iter().rev())
            .zip(&self.buffer[1..=max])
            .zip(
                self.cmnd[1..=max]
                    .iter_mut()
                    .zip(&mut self.running[1..=max]),
            );
        for (((&first, &last), acf), (d, sum)) in steps {
            head += first as f64 * first as f64;
            tail += last as f64 * last as f64;
            let acf = acf_of(acf) as f64 * scale;
            *d = ((total - tail) + (total - head) - 2.0 * acf).max(0.0);
            running += *d;
            *sum = running;
        }
        // The divisions apart from the running sum, so they vectorise.
        normalise(
            &mut self.cmnd[1..=max],
            &self.running[1..=max],
            &self.lags[1..=max],
        );
        let yin = &self.cmnd[self.min_period..=self.max_period];

        let is_trough = |i: usize| {
            if i == 0 {
                yin[0] < yin[1]
            } else if i + 1 == yin.len() {
                yin[i] <= yin[i - 1]
            } else {
                yin[i] <= yin[i - 1] && yin[i] <= yin[i + 1]
            }
        };
        let best = (0..yin.len())
            .find(|&i| is_trough(i) && yin[i] < TROUGH_THRESHOLD)
            .unwrap_or_else(|| {
                (0..yin.len())
                    .min_by(|&a, &b| yin[a].total_cmp(&yin[b]))
                    .unwrap_or(0)
            });
        let shift = if best > 0 && best + 1 < yin.len() {
            parabolic_shift(yin[best - 1], yin[best], yin[best + 1])
        } else {
            0.0
        };
        let period = (self.min_period + best) as f64 + shift;
        FramePitch {
            f0: self.sample_rate / period,
            aperiodicity: yin[best].clamp(0.0, 1.0),
        }
    }
}

/// Scales `frame` to unit energy. Silence stays silent, and so does a frame too faint for
/// its scale to be an f32 (YIN only sees frames above -100 dBFS, far from that).
fn to_unit_energy(frame: &mut [f32]) {
    let scale = (1.0 / energy(frame).sqrt()) as f32;
    if scale.is_finite() {
        frame.iter_mut().for_each(|y| *y *= scale);
    }
}

/// `a` into the real and `b` into the imaginary parts of `out`, zero-padded.
fn pack(a: &[f32], b: &[f32], out: &mut [Complex<f32>]) {
    let (head, padding) = out.split_at_mut(a.len());
    for ((z, &x), &y) in head.iter_mut().zip(a).zip(b) {
        *z = Complex::new(x, y);
    }
    padding.fill(Complex::default());
}

/// Turns the FFT `Z` of two packed real frames into `|A(k)|² + i|B(k)|²`, in place, where
/// `A(k) = (Z(k) + Z*(n-k)) / 2` and `B(k) = (Z(k) - Z*(n-k)) / 2i`. Both power spectra are
/// real and even, so the inverse FFT of the result has `a ⋆ a` as its real part and `b ⋆ b`
/// as its imaginary part.
#[multiversion(targets("x86_64+avx2+fma"))]
fn powers_to_pair(z: &mut [Complex<f32>]) {
    let n = z.len();
    let half = n / 2;
    let powers = |front: Complex<f32>, back: Complex<f32>| {
        let (sum_re, sum_im) = (front.re + back.re, front.im - back.im);
        let (diff_re, diff_im) = (front.re - back.re, front.im + back.im);
        Complex::new(
            0.25 * (sum_re * sum_re + sum_im * sum_im),
            0.25 * (diff_re * diff_re + diff_im * diff_im),
        )
    };
    // DC and Nyquist are their own mirrors.
    for k in [0, half] {
        z[k] = powers(z[k], z[k]);
    }
    // Bins 1..half against n-1 down to half+1: both get the same (even) value.
    let (front, back) = z.split_at_mut(half + 1);
    for (f, b) in front[1..half].iter_mut().zip(back.iter_mut().rev()) {
        let p = powers(*f, *b);
        (*f, *b) = (p, p);
    }
}

/// YIN's cumulative mean normalisation: each difference `d[k]` over the mean of `d[1..=k]`
/// (`running[k] / k`). Built for SSE2 and AVX2 (chosen at run time), element-wise, so both
/// give the same bits.
#[multiversion(targets("x86_64+avx2+fma"))]
fn normalise(d: &mut [f64], running: &[f64], lags: &[f64]) {
    for ((d, &sum), &k) in d.iter_mut().zip(running).zip(lags) {
        *d /= sum / k + f64::MIN_POSITIVE;
    }
}

/// Sum of squares of `frame` in f64, in four lanes (the adds overlap instead of waiting on
/// each other).
fn energy(frame: &[f32]) -> f64 {
    let mut lanes = [0.0f64; 4];
    let (quads, rest) = frame.as_chunks::<4>();
    for q in quads {
        for i in 0..4 {
            lanes[i] += q[i] as f64 * q[i] as f64;
        }
    }
    lanes.iter().sum::<f64>() + rest.iter().map(|&y| y as f64 * y as f64).sum::<f64>()
}

/// The smallest length at least `len` of the form 2^a or 3·2^a (a ≥ 1): lengths the FFT
/// runs fastest, and up to a quarter shorter than the next power of two.
fn fast_fft_len(len: usize) -> usize {
    let power = len.next_power_of_two();
    let three = 3 * (power / 4);
    if three >= len && three.is_multiple_of(2) {
        three
    } else {
        power
    }
}

/// Offset of a parabola's vertex through three equally spaced points (0 when it would leave
/// the middle bin, as librosa).
fn parabolic_shift(left: f64, middle: f64, right: f64) -> f64 {
    let a = right + left - 2.0 * middle;
    let b = (right - left) / 2.0;
    if b.abs() >= a.abs() {
        0.0
    } else {
        -b / a
    }
}

/// Pitch of the whole sound from the sounding frames (every fourth one, at most
/// [`MAX_FRAMES`] of them).
pub(crate) fn analyse(samples: &[f32], sample_rate: f64, sounding: &[bool]) -> PitchFeatures {
    let unpitched = PitchFeatures {
        has_pitch: false,
        fundamental_freq: 0.0,
        midi_note: None,
        pitch_confidence: 0.0,
        harmonicity: 0.0,
    };
    let Some(mut yin) = Yin::new(sample_rate) else {
        return unpitched;
    };
    let candidates: Vec<usize> = (0..frame_count(samples.len()).min(sounding.len()))
        .filter(|&t| sounding[t])
        .collect();
    if candidates.is_empty() {
        return unpitched;
    }
    let stride = candidates.len().div_ceil(MAX_FRAMES).max(MIN_STRIDE);
    let chosen: Vec<usize> = candidates.iter().copied().step_by(stride).collect();
    let mut frames: Vec<FramePitch> = Vec::with_capacity(chosen.len());
    for pair in chosen.chunks(2) {
        let (first, second) = yin.pitch_pair(samples, pair[0], pair.get(1).copied());
        frames.push(first);
        frames.extend(second);
    }

    let harmonicity =
        frames.iter().map(|p| 1.0 - p.aperiodicity).sum::<f64>() / frames.len() as f64;
    let voiced: Vec<&FramePitch> = frames
        .iter()
        .filter(|p| p.aperiodicity < VOICED_APERIODICITY)
        .collect();
    let voiced_share = voiced.len() as f64 / frames.len() as f64;
    if voiced.is_empty() {
        return PitchFeatures {
            harmonicity,
            ..unpitched
        };
    }
    let f0 = median(&voiced.iter().map(|p| p.f0).collect::<Vec<_>>());
    let periodicity = 1.0 - median(&voiced.iter().map(|p| p.aperiodicity).collect::<Vec<_>>());
    let has_pitch = voiced_share >= PITCHED_SHARE;
    PitchFeatures {
        has_pitch,
        fundamental_freq: if has_pitch { f0 } else { 0.0 },
        midi_note: if has_pitch { midi_note(f0) } else { None },
        pitch_confidence: (voiced_share * periodicity).clamp(0.0, 1.0),
        harmonicity: harmonicity.clamp(0.0, 1.0),
    }
}

/// Nearest MIDI note (A4 = 440 Hz = 69), if within 0..=127.
pub(crate) fn midi_note(freq: f64) -> Option<u8> {
    if !(freq > 0.0 && freq.is_finite()) {
        return None;
    }
    let note = (69.0 + 12.0 * (freq / 440.0).log2()).round();
    (0.0..=127.0).contains(&note).then_some(note as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_reads_the_same_paired_with_a_loud_one_as_alone() {
        let sr = 44_100.0;
        // A loud A4, then an A3 60 dB quieter.
        let mut samples = tone(440.0, 1.0, sr);
        samples.extend(tone(220.0, 1.0, sr).iter().map(|x| x * 0.001));
        let mut yin = Yin::new(sr).unwrap();
        let (loud, quiet) = yin.pitch_pair(&samples, 20, Some(130));
        let quiet = quiet.unwrap();
        let (alone, none) = yin.pitch_pair(&samples, 130, None);
        assert!(none.is_none());
        assert!((loud.f0 - 440.0).abs() < 1.0, "{loud:?}");
        assert!((quiet.f0 - 220.0).abs() < 0.5, "{quiet:?}");
        assert!(
            (quiet.f0 - alone.f0).abs() < 1e-4 * alone.f0,
            "{quiet:?} vs {alone:?}"
        );
        assert!((quiet.aperiodicity - alone.aperiodicity).abs() < 1e-4);
    }

    #[test]
    fn frames_scale_to_unit_energy_unless_silent_or_too_faint() {
        let mut faint = vec![1e-20f32; FRAME];
        to_unit_energy(&mut faint);
        assert!((energy(&faint) - 1.0).abs() < 1e-6);
        for value in [0.0, f32::from_bits(1)] {
            let mut frame = vec![value; FRAME];
            to_unit_energy(&mut frame);
            assert!(frame.iter().all(|&y| y == value));
        }
    }

    #[test]
    fn fft_lengths_cover_the_need_and_stay_even() {
        assert_eq!(fast_fft_len(2724), 3072);
        assert_eq!(fast_fft_len(3073), 4096);
        assert_eq!(fast_fft_len(2048), 2048);
        assert_eq!(fast_fft_len(1537), 2048);
        for len in 2..10_000 {
            let n = fast_fft_len(len);
            assert!(
                n >= len && n.is_multiple_of(2) && n <= len.next_power_of_two(),
                "{len} -> {n}"
            );
        }
    }

    fn tone(freq: f64, seconds: f64, sr: f64) -> Vec<f32> {
        (0..(seconds * sr) as usize)
            .map(|n| (2.0 * std::f64::consts::PI * freq * n as f64 / sr).sin() as f32 * 0.5)
            .collect()
    }

    fn all_sounding(samples: &[f32]) -> Vec<bool> {
        vec![true; frame_count(samples.len())]
    }

    #[test]
    fn midi_note_rounds_to_the_nearest_note() {
        assert_eq!(midi_note(440.0), Some(69));
        assert_eq!(midi_note(82.41), Some(40));
        // 452 Hz is 0.47 semitones above A4: still A4; 455 Hz is 0.58 above: A#4.
        assert_eq!(midi_note(452.0), Some(69));
        assert_eq!(midi_note(455.0), Some(70));
        assert_eq!(midi_note(0.0), None);
    }

    #[test]
    fn a_440_hz_sine_is_pitched_at_a4_within_half_a_percent() {
        let samples = tone(440.0, 1.0, 44_100.0);
        let p = analyse(&samples, 44_100.0, &all_sounding(&samples));
        assert!(p.has_pitch);
        assert!((p.fundamental_freq - 440.0).abs() < 2.2, "{p:?}");
        assert_eq!(p.midi_note, Some(69));
        assert!(p.pitch_confidence > 0.9);
    }

    #[test]
    fn low_e_is_found_at_other_sample_rates_too() {
        let samples = tone(82.41, 1.0, 48_000.0);
        let p = analyse(&samples, 48_000.0, &all_sounding(&samples));
        assert_eq!(p.midi_note, Some(40), "{p:?}");
    }

    #[test]
    fn white_noise_has_no_pitch() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let samples: Vec<f32> = (0..44_100)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
            })
            .collect();
        let p = analyse(&samples, 44_100.0, &all_sounding(&samples));
        assert!(!p.has_pitch, "{p:?}");
        assert_eq!(p.midi_note, None);
        assert!(p.pitch_confidence < 0.3);
        assert!(p.harmonicity < 0.5);
    }

    #[test]
    fn a_rate_too_low_for_the_range_gives_no_pitch_instead_of_panicking() {
        let samples = tone(100.0, 0.5, 2_000.0);
        let p = analyse(&samples, 2_000.0, &all_sounding(&samples));
        assert!(!p.has_pitch);
    }
}
