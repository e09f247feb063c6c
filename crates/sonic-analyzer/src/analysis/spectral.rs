//! Spectral shape per STFT frame (centroid, bandwidth, 85 % roll-off, flatness) computed the
//! way librosa does, and the six band-energy shares.

use sonic_model::SpectralFeatures;

use super::stft::{N_BINS, N_FFT};

/// librosa's `amin` for spectral flatness: power values are floored here before the logs.
const FLATNESS_AMIN: f64 = 1e-10;
/// Roll-off: the frequency below which this share of the magnitude lies.
const ROLL_PERCENT: f64 = 0.85;
/// Upper edges (Hz) of the sub-bass, bass, low-mid, mid and high-mid bands; above the last
/// edge is "high".
const BAND_EDGES: [f64; 5] = [60.0, 250.0, 500.0, 2000.0, 4000.0];

/// Shape of one frame's spectrum.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct FrameShape {
    pub centroid: f32,
    pub bandwidth: f32,
    pub rolloff: f32,
    pub flatness: f32,
}

/// Per-bin lookup tables for one sample rate.
pub(crate) struct SpectralTables {
    freqs: Vec<f64>,
    band_of: Vec<u8>,
}

impl SpectralTables {
    /// Bin centre frequencies and band membership at `sample_rate`.
    pub(crate) fn new(sample_rate: f64) -> Self {
        let freqs: Vec<f64> = (0..N_BINS)
            .map(|k| k as f64 * sample_rate / N_FFT as f64)
            .collect();
        let band_of = freqs
            .iter()
            .map(|&f| BAND_EDGES.iter().take_while(|&&edge| f >= edge).count() as u8)
            .collect();
        SpectralTables { freqs, band_of }
    }
}

/// Centroid, bandwidth (p = 2) and roll-off from the magnitude spectrum, flatness from the
/// power spectrum, as `librosa.feature.spectral_*` compute them. A silent frame gives zeros
/// (librosa gives flatness 1 there; a silent frame is never averaged in anyway).
pub(crate) fn frame_shape(power: &[f32], tables: &SpectralTables) -> FrameShape {
    let mut sum = 0.0f64;
    let mut sum_f = 0.0f64;
    let mut sum_f2 = 0.0f64;
    for (&p, &f) in power.iter().zip(&tables.freqs) {
        let s = (p as f64).sqrt();
        sum += s;
        sum_f += s * f;
        sum_f2 += s * f * f;
    }
    if sum <= f64::MIN_POSITIVE {
        return FrameShape::default();
    }
    let centroid = sum_f / sum;
    // Σ s (f - c)² / Σ s, expanded so one pass suffices.
    let variance = (sum_f2 / sum - centroid * centroid).max(0.0);

    let threshold = ROLL_PERCENT * sum;
    let mut cumulative = 0.0f64;
    let mut rolloff = tables.freqs[N_BINS - 1];
    for (&p, &f) in power.iter().zip(&tables.freqs) {
        cumulative += (p as f64).sqrt();
        if cumulative >= threshold {
            rolloff = f;
            break;
        }
    }

    FrameShape {
        centroid: centroid as f32,
        bandwidth: variance.sqrt() as f32,
        rolloff: rolloff as f32,
        flatness: flatness(power) as f32,
    }
}

/// Geometric over arithmetic mean of the floored power spectrum. Products of eight values
/// (each within 1e-10..1e7) stay inside f64's range, so one logarithm serves eight bins.
fn flatness(power: &[f32]) -> f64 {
    let mut log_sum = 0.0f64;
    let mut sum = 0.0f64;
    let mut chunks = power.chunks_exact(8);
    for chunk in &mut chunks {
        let mut product = 1.0f64;
        for &p in chunk {
            let v = (p as f64).max(FLATNESS_AMIN);
            product *= v;
            sum += v;
        }
        log_sum += product.ln();
    }
    for &p in chunks.remainder() {
        let v = (p as f64).max(FLATNESS_AMIN);
        log_sum += v.ln();
        sum += v;
    }
    let n = power.len() as f64;
    let arithmetic = sum / n;
    ((log_sum / n).exp() / arithmetic).clamp(0.0, 1.0)
}

/// Power per band summed over the frames that sound.
#[derive(Debug, Clone, Default)]
pub(crate) struct BandEnergy {
    power: [f64; 6],
}

impl BandEnergy {
    /// Adds one frame's power spectrum.
    pub(crate) fn add(&mut self, power: &[f32], tables: &SpectralTables) {
        for (&p, &band) in power.iter().zip(&tables.band_of) {
            self.power[band as usize] += p as f64;
        }
    }

    /// Each band's share of the total power (all zeros for silence).
    pub(crate) fn shares(&self) -> [f64; 6] {
        let total: f64 = self.power.iter().sum();
        if total <= f64::MIN_POSITIVE {
            return [0.0; 6];
        }
        self.power.map(|p| p / total)
    }
}

/// Averages the shapes of the frames marked in `sounding`, and fills in the band shares and
/// the mean spectral flux.
pub(crate) fn summarise(
    shapes: &[FrameShape],
    sounding: &[bool],
    bands: &BandEnergy,
    flux: f64,
) -> SpectralFeatures {
    let mut sums = [0.0f64; 4];
    let mut count = 0usize;
    for (shape, _) in shapes.iter().zip(sounding).filter(|(_, &s)| s) {
        sums[0] += shape.centroid as f64;
        sums[1] += shape.rolloff as f64;
        sums[2] += shape.flatness as f64;
        sums[3] += shape.bandwidth as f64;
        count += 1;
    }
    let mean = |s: f64| if count == 0 { 0.0 } else { s / count as f64 };
    let [sub_bass, bass, low_mid, mid, high_mid, high] = bands.shares();
    SpectralFeatures {
        centroid: mean(sums[0]),
        rolloff: mean(sums[1]),
        flux,
        flatness: mean(sums[2]),
        bandwidth: mean(sums[3]),
        sub_bass,
        bass,
        low_mid,
        mid,
        high_mid,
        high,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables() -> SpectralTables {
        SpectralTables::new(44_100.0)
    }

    #[test]
    fn a_single_bin_has_its_frequency_as_centroid_and_no_bandwidth() {
        let mut power = vec![0.0f32; N_BINS];
        power[100] = 4.0;
        let shape = frame_shape(&power, &tables());
        let f = 100.0 * 44_100.0 / N_FFT as f32;
        assert!((shape.centroid - f).abs() < 1e-3);
        assert!(shape.bandwidth < 1e-2);
        assert!((shape.rolloff - f).abs() < 1e-3);
        assert!(shape.flatness < 1e-6);
    }

    #[test]
    fn a_flat_spectrum_is_perfectly_flat_and_centred_at_half_nyquist() {
        let power = vec![1.0f32; N_BINS];
        let shape = frame_shape(&power, &tables());
        assert!((shape.flatness - 1.0).abs() < 1e-6);
        assert!((shape.centroid - 11_025.0).abs() < 1.0);
    }

    #[test]
    fn a_silent_frame_gives_zeros_not_nan() {
        let shape = frame_shape(&vec![0.0; N_BINS], &tables());
        assert_eq!(shape, FrameShape::default());
    }

    #[test]
    fn band_shares_are_shares_of_power_so_white_noise_reads_as_mostly_high() {
        let t = tables();
        let mut bands = BandEnergy::default();
        bands.add(&vec![1.0; N_BINS], &t);
        let shares = bands.shares();
        assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        // Above 4 kHz lies 18 of the 22 kHz: that share of a flat spectrum's power.
        assert!((shares[5] - (22_050.0 - 4_000.0) / 22_050.0).abs() < 0.01);
    }
}
