//! Key estimate: a chroma vector (STFT power folded onto the 12 pitch classes, each frame
//! normalised to its maximum as `librosa.feature.chroma_stft` does) correlated with the
//! Krumhansl-Kessler major and minor profiles in all twelve transpositions.

use super::spectral::slice_sum;
use super::stft::{N_BINS, N_FFT};

/// Pitch-class names, C first.
const NAMES: [&str; 12] = [
    "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
];
/// Krumhansl-Kessler probe-tone profiles, tonic first.
const MAJOR: [f64; 12] = [
    6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88,
];
const MINOR: [f64; 12] = [
    6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17,
];
/// Bins outside this range (Hz) say little about pitch class.
const MIN_HZ: f64 = 50.0;
const MAX_HZ: f64 = 5000.0;
/// A pitch class counts as present at this share of the strongest one.
const MIN_CLASS_SHARE: f64 = 0.3;
/// The best profile must correlate at least this well.
const MIN_CORRELATION: f64 = 0.5;

/// Folds spectra onto pitch classes.
pub(crate) struct Chroma {
    /// Runs of consecutive bins that belong to one pitch class.
    runs: Vec<(std::ops::Range<usize>, usize)>,
    sum: [f64; 12],
    frames: usize,
}

impl Chroma {
    /// Bin-to-class runs at `sample_rate` (bins outside 50 Hz..5 kHz are ignored).
    pub(crate) fn new(sample_rate: f64) -> Self {
        let class_of = |k: usize| {
            let f = k as f64 * sample_rate / N_FFT as f64;
            if !(MIN_HZ..=MAX_HZ).contains(&f) {
                return None;
            }
            let midi = (69.0 + 12.0 * (f / 440.0).log2()).round() as i64;
            Some(midi.rem_euclid(12) as usize)
        };
        let mut runs: Vec<(std::ops::Range<usize>, usize)> = Vec::new();
        for k in 0..N_BINS {
            let Some(class) = class_of(k) else { continue };
            match runs.last_mut() {
                Some((range, c)) if *c == class && range.end == k => range.end = k + 1,
                _ => runs.push((k..k + 1, class)),
            }
        }
        Chroma {
            runs,
            sum: [0.0; 12],
            frames: 0,
        }
    }

    /// Adds one frame's power spectrum, normalised to its strongest class.
    #[inline]
    pub(crate) fn add(&mut self, power: &[f32]) {
        let mut frame = [0.0f64; 12];
        for (range, class) in &self.runs {
            frame[*class] += slice_sum(&power[range.clone()]) as f64;
        }
        let max = frame.iter().copied().fold(0.0, f64::max);
        if max > f64::MIN_POSITIVE {
            for (s, v) in self.sum.iter_mut().zip(frame) {
                *s += v / max;
            }
            self.frames += 1;
        }
    }

    /// Mean chroma over the frames added.
    pub(crate) fn mean(&self) -> [f64; 12] {
        if self.frames == 0 {
            return [0.0; 12];
        }
        self.sum.map(|s| s / self.frames as f64)
    }
}

/// The best-matching key such as `A minor`, with its correlation; `None` when the chroma is
/// empty or matches no profile well.
pub(crate) fn estimate(chroma: &[f64; 12]) -> Option<(String, f64)> {
    // One pitch class alone (a single pure note) does not define a key.
    let max = chroma.iter().copied().fold(0.0, f64::max);
    if chroma
        .iter()
        .filter(|&&c| c >= MIN_CLASS_SHARE * max)
        .count()
        < 2
    {
        return None;
    }
    let mut best: Option<(usize, bool, f64)> = None;
    for tonic in 0..12 {
        for (is_minor, profile) in [(false, &MAJOR), (true, &MINOR)] {
            let rotated: [f64; 12] = std::array::from_fn(|i| profile[(i + 12 - tonic) % 12]);
            let r = correlation(chroma, &rotated)?;
            if best.is_none_or(|(_, _, b)| r > b) {
                best = Some((tonic, is_minor, r));
            }
        }
    }
    let (tonic, is_minor, r) = best?;
    (r >= MIN_CORRELATION).then(|| {
        let mode = if is_minor { "minor" } else { "major" };
        (format!("{} {mode}", NAMES[tonic]), r)
    })
}

/// Pearson correlation; `None` when either side is constant.
fn correlation(a: &[f64; 12], b: &[f64; 12]) -> Option<f64> {
    let mean_a = a.iter().sum::<f64>() / 12.0;
    let mean_b = b.iter().sum::<f64>() / 12.0;
    let (mut cov, mut var_a, mut var_b) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        cov += (x - mean_a) * (y - mean_b);
        var_a += (x - mean_a).powi(2);
        var_b += (y - mean_b).powi(2);
    }
    let denominator = (var_a * var_b).sqrt();
    (denominator > 1e-12).then(|| cov / denominator)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chroma_of(notes: &[(usize, f64)]) -> [f64; 12] {
        let mut c = [0.0; 12];
        for &(class, weight) in notes {
            c[class] += weight;
        }
        c
    }

    #[test]
    fn a_c_major_scale_weighted_to_the_triad_is_c_major() {
        let c = chroma_of(&[
            (0, 1.0),
            (2, 0.4),
            (4, 0.8),
            (5, 0.4),
            (7, 0.9),
            (9, 0.4),
            (11, 0.3),
        ]);
        assert_eq!(estimate(&c).unwrap().0, "C major");
    }

    #[test]
    fn an_a_minor_triad_is_a_minor() {
        let c = chroma_of(&[(9, 1.0), (0, 0.8), (4, 0.9), (2, 0.2), (11, 0.2)]);
        assert_eq!(estimate(&c).unwrap().0, "A minor");
    }

    #[test]
    fn a_flat_chroma_or_a_single_note_has_no_key() {
        assert_eq!(estimate(&[1.0; 12]), None);
        assert_eq!(
            estimate(&chroma_of(&[(9, 1.0), (8, 0.05), (10, 0.05)])),
            None
        );
        assert_eq!(estimate(&[0.0; 12]), None);
    }

    #[test]
    fn spectra_fold_onto_their_pitch_class() {
        let mut chroma = Chroma::new(44_100.0);
        let mut power = vec![0.0; N_BINS];
        // Bin 20 is 430.7 Hz, nearest note A4.
        power[20] = 1.0;
        chroma.add(&power);
        let mean = chroma.mean();
        assert_eq!(mean[9], 1.0);
        assert_eq!(mean.iter().sum::<f64>(), 1.0);
    }
}
