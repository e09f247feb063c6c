//! The short-time Fourier transform every spectral feature reads, with librosa's conventions:
//! `n_fft` 2048, hop 512, periodic Hann window, centre padding with zeros (librosa's default
//! `pad_mode="constant"` since 0.10), so frame `t` is centred on sample `t * HOP`.
//!
//! One FFT plan serves the whole file (two frames per transform, see [`Stft`]) and every
//! buffer is allocated once: the per-frame loop allocates nothing. The window and the FFT
//! run in f64 and the power spectrum is stored as f32, exactly as librosa does (its f64
//! window promotes the frames): the far bins of a pure tone, which weigh heavily in the
//! bandwidth, are then accurate.

use std::sync::{Arc, OnceLock};

use multiversion::multiversion;
use rustfft::num_complex::Complex;
use rustfft::Fft;

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
///
/// Frames go through the FFT in pairs: frame `t` as the real part and frame `t + 1` as the
/// imaginary part of one complex transform `Z`, which is split back by symmetry,
/// `X_t(k) = (Z(k) + Z*(N-k)) / 2` and `X_{t+1}(k) = (Z(k) - Z*(N-k)) / 2i`. One complex
/// FFT of N points costs less than two real ones (each a complex FFT of N/2 and a
/// post-processing pass), and the split is a plain loop that vectorises.
pub(crate) struct Stft {
    fft: Arc<dyn Fft<f64>>,
    window: &'static [f64],
    buffer: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
    power: [Vec<f32>; 2],
    edge: [Vec<f32>; 2],
}

impl Stft {
    /// Plans the FFT and allocates every buffer.
    pub(crate) fn new() -> Self {
        let fft = super::fft::complex_forward_f64(N_FFT);
        Stft {
            buffer: vec![Complex::default(); N_FFT],
            scratch: vec![Complex::default(); fft.get_inplace_scratch_len()],
            power: [vec![0.0; N_BINS], vec![0.0; N_BINS]],
            edge: [vec![0.0; N_FFT], vec![0.0; N_FFT]],
            window: hann(),
            fft,
        }
    }

    /// Runs the transform over `samples` and calls `visit(t, power)` for each frame, where
    /// `power[k] = |X_t(k)|²` for bins `0..N_BINS`.
    #[inline(always)]
    pub(crate) fn for_each_frame(&mut self, samples: &[f32], mut visit: impl FnMut(usize, &[f32])) {
        let frames = frame_count(samples.len());
        let Stft {
            fft,
            window,
            buffer,
            scratch,
            power,
            edge,
        } = self;
        let [edge_a, edge_b] = edge;
        for t in (0..frames).step_by(2) {
            let a = frame(samples, t, edge_a);
            // An odd last frame pairs with silence, which leaves its own spectrum as it is.
            let b = if t + 1 < frames {
                frame(samples, t + 1, edge_b)
            } else {
                edge_b.fill(0.0);
                &edge_b[..]
            };
            windowed_pair(a, b, window, buffer);
            fft.process_with_scratch(buffer, scratch);
            let [power_a, power_b] = power;
            split_power(buffer, power_a, power_b);
            visit(t, power_a);
            if t + 1 < frames {
                visit(t + 1, power_b);
            }
        }
    }
}

/// Frame `t`'s samples: a slice of `samples` inside the signal (nearly every frame), else
/// the centred, zero-padded copy made in `edge`.
fn frame<'a>(samples: &'a [f32], t: usize, edge: &'a mut [f32]) -> &'a [f32] {
    let start = (t * HOP).checked_sub(N_FFT / 2);
    match start.filter(|&s| s + N_FFT <= samples.len()) {
        Some(s) => &samples[s..s + N_FFT],
        None => {
            copy_centred_frame(samples, t, edge);
            edge
        }
    }
}

/// `a · window` into the real parts and `b · window` into the imaginary parts of `out`,
/// widened to f64. Built for SSE2 and AVX2 (chosen at run time), like [`split_power`];
/// both are element-wise, so every build gives the same bits.
#[multiversion(targets("x86_64+avx2+fma"))]
fn windowed_pair(a: &[f32], b: &[f32], window: &[f64], out: &mut [Complex<f64>]) {
    for (((z, &x), &y), &w) in out.iter_mut().zip(a).zip(b).zip(window) {
        *z = Complex::new(f64::from(x) * w, f64::from(y) * w);
    }
}

/// The power spectra of the two real frames packed in `z` (see [`Stft`]), narrowed to f32.
/// With `Z(k) = p + iq` and `Z(N-k) = r + is`: `|X_a(k)|² = ((p+r)² + (q-s)²) / 4` and
/// `|X_b(k)|² = ((p-r)² + (q+s)²) / 4`.
#[multiversion(targets("x86_64+avx2+fma"))]
fn split_power(z: &[Complex<f64>], power_a: &mut [f32], power_b: &mut [f32]) {
    let n = z.len();
    let half = n / 2;
    let pair = |front: Complex<f64>, back: Complex<f64>| {
        let (sum_re, sum_im) = (front.re + back.re, front.im - back.im);
        let (diff_re, diff_im) = (front.re - back.re, front.im + back.im);
        (
            (0.25 * (sum_re * sum_re + sum_im * sum_im)) as f32,
            (0.25 * (diff_re * diff_re + diff_im * diff_im)) as f32,
        )
    };
    // DC and Nyquist are their own mirrors.
    for k in [0, half] {
        (power_a[k], power_b[k]) = pair(z[k], z[k]);
    }
    // Bins 1..half against N-1 down to half+1.
    let mirrored = z[half + 1..].iter().rev();
    for ((front, back), (pa, pb)) in z[1..half]
        .iter()
        .zip(mirrored)
        .zip(power_a[1..half].iter_mut().zip(&mut power_b[1..half]))
    {
        (*pa, *pb) = pair(*front, *back);
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
    fn paired_frames_give_each_frame_its_own_real_fft() {
        // Noise with a loud and a silent stretch, an odd number of frames, edges padded.
        let mut state = 12345u32;
        let samples: Vec<f32> = (0..6 * HOP + 100)
            .map(|n| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let noise = (state >> 8) as f32 / (1 << 24) as f32 - 0.5;
                if (1000..1600).contains(&n) {
                    0.0
                } else {
                    noise * (1.0 + n as f32 / 1000.0)
                }
            })
            .collect();
        let fft = realfft::RealFftPlanner::<f64>::new().plan_fft_forward(N_FFT);
        let mut frame = vec![0.0f32; N_FFT];
        let mut seen = 0;
        Stft::new().for_each_frame(&samples, |t, power| {
            copy_centred_frame(&samples, t, &mut frame);
            let mut input: Vec<f64> = frame
                .iter()
                .zip(hann())
                .map(|(&x, &w)| f64::from(x) * w)
                .collect();
            let mut spectrum = fft.make_output_vec();
            fft.process(&mut input, &mut spectrum).unwrap();
            let want: Vec<f64> = spectrum.iter().map(|c| c.norm_sqr()).collect();
            let scale = want.iter().copied().fold(0.0, f64::max);
            for (k, (&got, &want)) in power.iter().zip(&want).enumerate() {
                let err = (f64::from(got) - want).abs();
                assert!(
                    err <= 1e-6 * want + 1e-12 * scale,
                    "frame {t} bin {k}: {got} vs {want}"
                );
            }
            assert_eq!(t, seen);
            seen += 1;
        });
        assert_eq!(seen, frame_count(samples.len()));
        assert_eq!(seen % 2, 1, "the last frame pairs with silence");
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
