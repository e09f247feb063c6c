//! Spectral shape per STFT frame (centroid, bandwidth, 85 % roll-off, flatness) computed the
//! way librosa does, and the six band-energy shares.

use multiversion::multiversion;
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

/// Per-bin tables for one sample rate, and the scratch buffer of the per-frame pass.
pub(crate) struct SpectralTables {
    freqs: Vec<f32>,
    band_ranges: [std::ops::Range<usize>; 6],
    magnitude: Vec<f32>,
    block_sums: Vec<f32>,
}

impl SpectralTables {
    /// Bin centre frequencies and band ranges at `sample_rate`.
    pub(crate) fn new(sample_rate: f64) -> Self {
        let freq = |k: usize| k as f64 * sample_rate / N_FFT as f64;
        let band_of = |k: usize| {
            BAND_EDGES
                .iter()
                .take_while(|&&edge| freq(k) >= edge)
                .count()
        };
        // Bands are contiguous runs of bins, so each is a slice of the spectrum.
        let band_ranges = std::array::from_fn(|band| {
            let start = (0..N_BINS).find(|&k| band_of(k) >= band).unwrap_or(N_BINS);
            let end = (0..N_BINS).find(|&k| band_of(k) > band).unwrap_or(N_BINS);
            start..end.max(start)
        });
        SpectralTables {
            freqs: (0..N_BINS).map(|k| freq(k) as f32).collect(),
            band_ranges,
            magnitude: vec![0.0; N_BINS],
            block_sums: vec![0.0; N_BINS / ROLLOFF_BLOCK],
        }
    }
}

/// Sum of `values` in eight lanes, over exact chunks (vectorises).
#[inline]
pub(crate) fn slice_sum(values: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let mut chunks = values.chunks_exact(8);
    for chunk in &mut chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane += v;
        }
    }
    lanes.iter().sum::<f32>() + chunks.remainder().iter().sum::<f32>()
}

/// Bins per roll-off search block.
const ROLLOFF_BLOCK: usize = 32;

/// Centroid, bandwidth (p = 2) and roll-off from the magnitude spectrum, flatness from the
/// power spectrum, as `librosa.feature.spectral_*` compute them. A silent frame gives zeros
/// (librosa gives flatness 1 there; a silent frame is never averaged in anyway).
///
/// The loops run in eight f32 lanes over 32-bin blocks so they vectorise; the last
/// (Nyquist) bin is added on its own. The lanes fix the order of every sum, so the AVX2
/// build (chosen at run time where the CPU has it) gives the same bits as the SSE2 one.
#[multiversion(targets("x86_64+avx2+fma"))]
pub(crate) fn frame_shape(power: &[f32], tables: &mut SpectralTables) -> FrameShape {
    let SpectralTables {
        freqs,
        magnitude,
        block_sums,
        ..
    } = tables;
    let mut sum_lanes = [0.0f32; 8];
    let mut weighted_lanes = [0.0f32; 8];
    // Fixed-size blocks: the compiler sees every length, so the lane loops vectorise.
    let (p_blocks, _) = power.as_chunks::<ROLLOFF_BLOCK>();
    let blocks = p_blocks.len();
    let (m_blocks, _) = magnitude.as_chunks_mut::<ROLLOFF_BLOCK>();
    let (f_blocks, _) = freqs.as_chunks::<ROLLOFF_BLOCK>();
    for (((p, m), f), block_sum) in p_blocks
        .iter()
        .zip(m_blocks.iter_mut())
        .zip(f_blocks)
        .zip(block_sums.iter_mut())
    {
        let mut block_lanes = [0.0f32; 8];
        for j in (0..ROLLOFF_BLOCK).step_by(8) {
            for i in 0..8 {
                m[j + i] = p[j + i].sqrt();
                block_lanes[i] += m[j + i];
                weighted_lanes[i] += m[j + i] * f[j + i];
            }
        }
        for i in 0..8 {
            sum_lanes[i] += block_lanes[i];
        }
        *block_sum = block_lanes.iter().sum();
    }
    let mut sum = sum_lanes.iter().sum::<f32>() as f64;
    let mut sum_f = weighted_lanes.iter().sum::<f32>() as f64;
    for k in blocks * ROLLOFF_BLOCK..power.len() {
        magnitude[k] = power[k].sqrt();
        sum += magnitude[k] as f64;
        sum_f += (magnitude[k] * freqs[k]) as f64;
    }
    if sum <= f64::from(f32::MIN_POSITIVE) {
        return FrameShape::default();
    }
    let centroid = (sum_f / sum) as f32;

    // Second pass around the centroid: no cancellation for narrow, high spectra.
    let mut spread_lanes = [0.0f32; 8];
    let (m_chunks, m_tail) = magnitude[..power.len()].as_chunks::<8>();
    let (f_chunks, f_tail) = freqs[..power.len()].as_chunks::<8>();
    for (m, f) in m_chunks.iter().zip(f_chunks) {
        for i in 0..8 {
            let d = f[i] - centroid;
            spread_lanes[i] += m[i] * d * d;
        }
    }
    let tail: f32 = m_tail
        .iter()
        .zip(f_tail)
        .map(|(&m, &f)| m * (f - centroid) * (f - centroid))
        .sum();
    let spread = (spread_lanes.iter().sum::<f32>() + tail) as f64;

    // Roll-off: the block where the cumulative sum crosses, then the bin inside it.
    let threshold = (ROLL_PERCENT * sum) as f32;
    let mut cumulative = 0.0f32;
    let mut rolloff = freqs[power.len() - 1];
    let mut from = blocks * ROLLOFF_BLOCK;
    for (b, &block_sum) in block_sums[..blocks].iter().enumerate() {
        if cumulative + block_sum >= threshold {
            from = b * ROLLOFF_BLOCK;
            break;
        }
        cumulative += block_sum;
    }
    for k in from..power.len() {
        cumulative += magnitude[k];
        if cumulative >= threshold {
            rolloff = freqs[k];
            break;
        }
    }

    FrameShape {
        centroid,
        bandwidth: (spread / sum).max(0.0).sqrt() as f32,
        rolloff,
        flatness: flatness(power) as f32,
    }
}

/// Splits a positive normal f64 into a mantissa in 1..2 and a power of two.
fn split_exponent(x: f64) -> (f64, i64) {
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mantissa = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    (mantissa, exponent)
}

/// Geometric over arithmetic mean of the floored power spectrum. The logarithms are summed
/// as products: eight lanes multiply 8 values each (within 1e-80..1e96, safe in f64),
/// then move their powers of two into an integer, so one logarithm serves a whole frame.
#[inline(always)]
fn flatness(power: &[f32]) -> f64 {
    const LANES: usize = 8;
    let mut product = [1.0f64; LANES];
    let mut exponent = 0i64;
    let mut sum = [0.0f64; LANES];
    let (blocks, rest) = power.as_chunks::<64>();
    for block in blocks {
        for j in (0..64).step_by(LANES) {
            for lane in 0..LANES {
                let v = (block[j + lane] as f64).clamp(FLATNESS_AMIN, 1e12);
                product[lane] *= v;
                sum[lane] += v;
            }
        }
        for lane in &mut product {
            let (mantissa, e) = split_exponent(*lane);
            *lane = mantissa;
            exponent += e;
        }
    }
    let mut log_sum =
        exponent as f64 * std::f64::consts::LN_2 + product.iter().map(|p| p.ln()).sum::<f64>();
    let mut total = sum.iter().sum::<f64>();
    for &p in rest {
        let v = (p as f64).clamp(FLATNESS_AMIN, 1e12);
        log_sum += v.ln();
        total += v;
    }
    let n = power.len() as f64;
    ((log_sum / n).exp() / (total / n)).clamp(0.0, 1.0)
}

/// Power per band summed over the frames that sound.
#[derive(Debug, Clone, Default)]
pub(crate) struct BandEnergy {
    power: [f64; 6],
}

impl BandEnergy {
    /// Adds one frame's power spectrum.
    #[inline]
    pub(crate) fn add(&mut self, power: &[f32], tables: &SpectralTables) {
        for (total, range) in self.power.iter_mut().zip(&tables.band_ranges) {
            *total += slice_sum(&power[range.clone()]) as f64;
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
        let shape = frame_shape(&power, &mut tables());
        let f = 100.0 * 44_100.0 / N_FFT as f32;
        assert!((shape.centroid - f).abs() < 1e-3);
        assert!(shape.bandwidth < 1e-2);
        assert!((shape.rolloff - f).abs() < 1e-3);
        assert!(shape.flatness < 1e-6);
    }

    #[test]
    fn a_flat_spectrum_is_perfectly_flat_and_centred_at_half_nyquist() {
        let power = vec![1.0f32; N_BINS];
        let shape = frame_shape(&power, &mut tables());
        assert!((shape.flatness - 1.0).abs() < 1e-6);
        assert!((shape.centroid - 11_025.0).abs() < 1.0);
    }

    #[test]
    fn flatness_matches_the_direct_formula_on_an_uneven_spectrum() {
        let power: Vec<f32> = (0..N_BINS).map(|k| 1e-6 + (k % 37) as f32 * 3.5).collect();
        let n = power.len() as f64;
        let floored = power.iter().map(|&p| (p as f64).max(FLATNESS_AMIN));
        let log_mean = floored.clone().map(f64::ln).sum::<f64>() / n;
        let expected = log_mean.exp() / (floored.sum::<f64>() / n);
        assert!((flatness(&power) - expected).abs() < 1e-9 * expected.max(1.0));
    }

    #[test]
    fn a_silent_frame_gives_zeros_not_nan() {
        let shape = frame_shape(&vec![0.0; N_BINS], &mut tables());
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
