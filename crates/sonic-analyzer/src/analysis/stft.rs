//! The short-time Fourier transform every spectral feature reads, with librosa's conventions:
//! `n_fft` 2048, hop 512, periodic Hann window, centre padding with zeros (librosa's default
//! `pad_mode="constant"` since 0.10), so frame `t` is centred on sample `t * HOP`.
//!
//! One real-FFT plan serves the whole file and every buffer is allocated once: the per-frame
//! loop allocates nothing. The window and the FFT run in f64 and the power spectrum is
//! stored as f32, exactly as librosa does (its f64 window promotes the frames): the far
//! bins of a pure tone, which weigh heavily in the bandwidth, are then accurate.

use std::sync::{Arc, OnceLock};

use multiversion::multiversion;
use realfft::num_complex::Complex;
use realfft::RealToComplex;

/// FFT length (and frame length) in samples.
pub(crate) const N_FFT: usize = 2048;
/// Distance between frame centres in samples.
pub(crate) const HOP: usize = 512;
/// Frequency bins per frame, DC to Nyquist.
pub(crate) const N_BINS: usize = N_FFT / 2 + 1;

/// Number of centred frames librosa produces for `len` samples (`1 + len / HOP`); none for
/// an empty signal.
pub(crate) fn frame_count(len: usize) -> usize {
    if len == 0 {
        0
    } else {
        1 + len / HOP
    }
}

/// Copies frame `t` of `samples` (centred, zero-padded outside the signal) into `out`,
/// which must be `frame_len` long, centred on `t * HOP`.
pub(crate) fn copy_centred_frame(samples: &[f32], t: usize, out: &mut [f32]) {
    let half = out.len() / 2;
    let centre = t * HOP;
    // Index range of the signal that falls inside the frame.
    let start = centre as isize - half as isize;
    let first = start.max(0) as usize;
    let last = ((start + out.len() as isize).max(0) as usize).min(samples.len());
    out.fill(0.0);
    if first < last {
        let offset = (first as isize - start) as usize;
        out[offset..offset + (last - first)].copy_from_slice(&samples[first..last]);
    }
}

/// The periodic ("fftbins=True") Hann window of `N_FFT` points, as
/// `scipy.signal.get_window('hann', n_fft)` gives; computed once per process.
fn hann() -> &'static [f64] {
    static WINDOW: OnceLock<Vec<f64>> = OnceLock::new();
    WINDOW.get_or_init(|| {
        (0..N_FFT)
            .map(|n| {
                let phase = 2.0 * std::f64::consts::PI * n as f64 / N_FFT as f64;
                0.5 - 0.5 * phase.cos()
            })
            .collect()
    })
}

/// A reusable STFT: one plan, one window, fixed buffers.
pub(crate) struct Stft {
    fft: Arc<dyn RealToComplex<f64>>,
    window: &'static [f64],
    input: Vec<f64>,
    spectrum: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
    power: Vec<f32>,
    edge: Vec<f32>,
}

impl Stft {
    /// Plans the FFT and allocates every buffer.
    pub(crate) fn new() -> Self {
        let fft = super::fft::forward_f64(N_FFT);
        Stft {
            input: fft.make_input_vec(),
            spectrum: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            power: vec![0.0; N_BINS],
            edge: vec![0.0; N_FFT],
            window: hann(),
            fft,
        }
    }

    /// Runs the transform over `samples` and calls `visit(t, power)` for each frame, where
    /// `power[k] = |X_t(k)|²` for bins `0..N_BINS`.
    #[inline(always)]
    pub(crate) fn for_each_frame(&mut self, samples: &[f32], mut visit: impl FnMut(usize, &[f32])) {
        for t in 0..frame_count(samples.len()) {
            let start = (t * HOP).checked_sub(N_FFT / 2);
            match start.filter(|&s| s + N_FFT <= samples.len()) {
                // Inside the signal (nearly every frame): window straight from the samples.
                Some(s) => windowed(&samples[s..s + N_FFT], self.window, &mut self.input),
                None => {
                    copy_centred_frame(samples, t, &mut self.edge);
                    windowed(&self.edge, self.window, &mut self.input);
                }
            }
            // The buffers have the lengths the plan asked for, so this cannot fail.
            self.fft
                .process_with_scratch(&mut self.input, &mut self.spectrum, &mut self.scratch)
                .expect("buffers are sized by the plan");
            power_of(&self.spectrum, &mut self.power);
            visit(t, &self.power);
        }
    }
}

/// `frame · window`, widened to f64, into `out`. Built for SSE2 and AVX2 (chosen at run
/// time), like [`power_of`]; both are element-wise, so every build gives the same bits.
#[multiversion(targets("x86_64+avx2+fma"))]
fn windowed(frame: &[f32], window: &[f64], out: &mut [f64]) {
    for ((x, &y), &w) in out.iter_mut().zip(frame).zip(window) {
        *x = f64::from(y) * w;
    }
}

/// `|c|²` of each bin, narrowed to f32, into `power`.
#[multiversion(targets("x86_64+avx2+fma"))]
fn power_of(spectrum: &[Complex<f64>], power: &mut [f32]) {
    for (p, c) in power.iter_mut().zip(spectrum) {
        *p = (c.re * c.re + c.im * c.im) as f32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_count_follows_librosa_centre_padding() {
        assert_eq!(frame_count(0), 0);
        assert_eq!(frame_count(1), 1);
        assert_eq!(frame_count(511), 1);
        assert_eq!(frame_count(512), 2);
        assert_eq!(frame_count(44_100), 87);
    }

    #[test]
    fn centred_frames_are_zero_padded_at_both_ends() {
        let samples: Vec<f32> = (1..=10).map(|x| x as f32).collect();
        let mut frame = vec![9.0; 8];
        copy_centred_frame(&samples, 0, &mut frame);
        assert_eq!(frame, [0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0]);
    }

    #[test]
    fn a_sine_on_a_bin_puts_its_power_in_that_bin() {
        let bin = 40;
        let samples: Vec<f32> = (0..8192)
            .map(|n| (2.0 * std::f32::consts::PI * bin as f32 * n as f32 / N_FFT as f32).sin())
            .collect();
        let mut stft = Stft::new();
        let mut peaks = Vec::new();
        stft.for_each_frame(&samples, |_, power| {
            let (k, _) =
                power.iter().enumerate().fold(
                    (0, 0.0),
                    |best, (k, &p)| if p > best.1 { (k, p) } else { best },
                );
            peaks.push(k);
        });
        assert_eq!(peaks.len(), frame_count(samples.len()));
        assert!(peaks.iter().all(|&k| k == bin), "{peaks:?}");
    }
}
