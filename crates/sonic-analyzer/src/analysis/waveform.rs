//! The waveform overview UIs draw: minimum and maximum sample per bucket.

use sonic_model::WaveformOverview;

/// Buckets in an overview (fewer when the signal has fewer samples).
pub const WAVEFORM_BUCKETS: usize = 1000;

/// Min/max per bucket over `samples`, in [`WAVEFORM_BUCKETS`] equal buckets (one per sample
/// for shorter signals, none for an empty one).
pub(crate) fn overview(samples: &[f32]) -> WaveformOverview {
    let buckets = WAVEFORM_BUCKETS.min(samples.len());
    let mut min = Vec::with_capacity(buckets);
    let mut max = Vec::with_capacity(buckets);
    for b in 0..buckets {
        let start = b * samples.len() / buckets;
        let end = (b + 1) * samples.len() / buckets;
        let bucket = &samples[start..end];
        min.push(bucket.iter().copied().fold(f32::INFINITY, f32::min));
        max.push(bucket.iter().copied().fold(f32::NEG_INFINITY, f32::max));
    }
    WaveformOverview { min, max }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_signal_gets_a_thousand_buckets_covering_every_sample() {
        let samples: Vec<f32> = (0..10_007)
            .map(|n| if n == 10_006 { -1.0 } else { 0.5 })
            .collect();
        let w = overview(&samples);
        assert_eq!(w.min.len(), WAVEFORM_BUCKETS);
        assert_eq!(w.max.len(), WAVEFORM_BUCKETS);
        assert_eq!(*w.min.last().unwrap(), -1.0);
        assert!(w.max.iter().all(|&m| m == 0.5));
    }

    #[test]
    fn a_short_signal_gets_one_bucket_per_sample_and_an_empty_one_none() {
        let w = overview(&[0.1, -0.2, 0.3]);
        assert_eq!(w.min, [0.1, -0.2, 0.3]);
        assert_eq!(w.max, [0.1, -0.2, 0.3]);
        assert!(overview(&[]).min.is_empty());
    }
}
