//! The waveform overview UIs draw: minimum and maximum sample per bucket.

use multiversion::multiversion;
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
        let (lo, hi) = min_max(&samples[start..end]);
        min.push(lo);
        max.push(hi);
    }
    WaveformOverview { min, max }
}

/// Smallest and largest of `samples` (finite, as `analyze` makes them). Compared as
/// [`order_key`]s: integer minima and maxima vectorise where float ones (with their NaN
/// rules) do not. Built for SSE2 and AVX2 (chosen at run time).
#[multiversion(targets("x86_64+avx2+fma"))]
fn min_max(samples: &[f32]) -> (f32, f32) {
    let (lo, hi) = samples.iter().fold((i32::MAX, i32::MIN), |(lo, hi), &x| {
        let key = order_key(x);
        (lo.min(key), hi.max(key))
    });
    (from_order_key(lo), from_order_key(hi))
}

/// An integer that orders as the float does (for non-NaN values, with -0 just below +0):
/// a positive float's bits already do; a negative one's magnitude bits are flipped.
#[inline(always)]
fn order_key(x: f32) -> i32 {
    let bits = x.to_bits() as i32;
    bits ^ ((bits >> 31) & 0x7fff_ffff)
}

/// The float of an [`order_key`] (the flip is its own inverse).
fn from_order_key(key: i32) -> f32 {
    f32::from_bits((key ^ ((key >> 31) & 0x7fff_ffff)) as u32)
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
    fn integer_keys_order_floats_as_the_floats_order() {
        let values = [
            f32::MIN,
            -3.5,
            -1.0,
            -1e-30,
            -0.0,
            0.0,
            1e-30,
            0.25,
            1.0,
            7e20,
            f32::MAX,
        ];
        for pair in values.windows(2) {
            assert!(order_key(pair[0]) < order_key(pair[1]), "{pair:?}");
        }
        for &v in &values {
            assert_eq!(from_order_key(order_key(v)).to_bits(), v.to_bits());
        }
        let noise: Vec<f32> = (0..1001)
            .map(|n| ((n * 7919) % 2003) as f32 / 1000.0 - 1.0)
            .collect();
        let want = noise
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            });
        assert_eq!(min_max(&noise), want);
    }

    #[test]
    fn a_short_signal_gets_one_bucket_per_sample_and_an_empty_one_none() {
        let w = overview(&[0.1, -0.2, 0.3]);
        assert_eq!(w.min, [0.1, -0.2, 0.3]);
        assert_eq!(w.max, [0.1, -0.2, 0.3]);
        assert!(overview(&[]).min.is_empty());
    }
}
