//! Timbre scores (0 to 1) and descriptive tags, derived from the measured features.

use sonic_model::{PitchFeatures, SpectralFeatures, TemporalFeatures, TimbreFeatures};

/// Scores and tags for a sound with these features; all zeros and no tags for silence.
pub(crate) fn describe(
    spectral: &SpectralFeatures,
    temporal: &TemporalFeatures,
    pitch: &PitchFeatures,
    silent: bool,
) -> TimbreFeatures {
    if silent {
        return TimbreFeatures {
            brightness: 0.0,
            warmth: 0.0,
            roughness: 0.0,
            fullness: 0.0,
            tags: vec!["silent".to_string()],
        };
    }
    let bands = [
        spectral.sub_bass,
        spectral.bass,
        spectral.low_mid,
        spectral.mid,
        spectral.high_mid,
        spectral.high,
    ];
    // Brightness: the share of power above 2 kHz. Warmth: 60-500 Hz.
    let brightness = (spectral.high_mid + spectral.high).clamp(0.0, 1.0);
    let warmth = (spectral.bass + spectral.low_mid).clamp(0.0, 1.0);
    // Roughness: noise-likeness, from flatness (sqrt spreads the low, tonal end) and the
    // lack of periodicity.
    let roughness =
        (0.5 * spectral.flatness.sqrt() + 0.5 * (1.0 - pitch.harmonicity)).clamp(0.0, 1.0);
    // Fullness: how evenly the power spreads over the six bands (normalised entropy).
    let entropy: f64 = bands
        .iter()
        .filter(|&&share| share > 0.0)
        .map(|&share| -share * share.ln())
        .sum();
    let fullness = (entropy / 6f64.ln()).clamp(0.0, 1.0);

    let mut tags = Vec::new();
    let mut tag = |on: bool, name: &str| {
        if on {
            tags.push(name.to_string());
        }
    };
    tag(brightness >= 0.5, "bright");
    tag(brightness < 0.05 && spectral.centroid < 500.0, "dark");
    tag(warmth >= 0.5, "warm");
    tag(spectral.sub_bass >= 0.3, "sub-heavy");
    tag(fullness >= 0.6, "full");
    tag(fullness < 0.2, "thin");
    tag(spectral.flatness >= 0.3, "noisy");
    tag(pitch.has_pitch, "tonal");
    tag(roughness >= 0.6 && spectral.flatness < 0.3, "rough");
    tag(temporal.is_percussive, "percussive");
    tag(
        temporal.is_percussive && temporal.attack <= 0.01 && temporal.transient_strength >= 0.6,
        "punchy",
    );
    tag(temporal.is_sustained, "sustained");
    TimbreFeatures {
        brightness,
        warmth,
        roughness,
        fullness,
        tags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spectral(bands: [f64; 6], flatness: f64, centroid: f64) -> SpectralFeatures {
        let [sub_bass, bass, low_mid, mid, high_mid, high] = bands;
        SpectralFeatures {
            centroid,
            rolloff: 0.0,
            flux: 0.0,
            flatness,
            bandwidth: 0.0,
            sub_bass,
            bass,
            low_mid,
            mid,
            high_mid,
            high,
        }
    }

    fn temporal(is_percussive: bool) -> TemporalFeatures {
        TemporalFeatures {
            duration: 1.0,
            attack: 0.002,
            decay: 0.2,
            sustain_level: if is_percussive { 0.1 } else { 0.9 },
            release: 0.0,
            is_percussive,
            is_sustained: !is_percussive,
            transient_strength: if is_percussive { 0.8 } else { 0.1 },
            zcr_mean: 0.0,
            zcr_std: 0.0,
        }
    }

    fn pitch(has_pitch: bool, harmonicity: f64) -> PitchFeatures {
        PitchFeatures {
            has_pitch,
            fundamental_freq: 0.0,
            midi_note: None,
            pitch_confidence: 0.0,
            harmonicity,
        }
    }

    #[test]
    fn flat_high_noise_is_bright_noisy_and_rough() {
        let t = describe(
            &spectral([0.0, 0.01, 0.01, 0.07, 0.09, 0.82], 0.56, 11_000.0),
            &temporal(false),
            &pitch(false, 0.1),
            false,
        );
        assert!(t.brightness > 0.9);
        assert!(t.roughness > 0.7);
        for tag in ["bright", "noisy", "sustained"] {
            assert!(t.tags.contains(&tag.to_string()), "{:?}", t.tags);
        }
        assert!(!t.tags.contains(&"tonal".to_string()));
    }

    #[test]
    fn a_low_pitched_hit_is_warm_tonal_percussive_and_punchy() {
        let t = describe(
            &spectral([0.1, 0.7, 0.15, 0.05, 0.0, 0.0], 0.001, 120.0),
            &temporal(true),
            &pitch(true, 0.9),
            false,
        );
        assert!(t.warmth > 0.8 && t.brightness < 0.05);
        for tag in ["warm", "dark", "tonal", "percussive", "punchy"] {
            assert!(t.tags.contains(&tag.to_string()), "{:?}", t.tags);
        }
    }

    #[test]
    fn silence_scores_zero_and_is_tagged_silent() {
        let t = describe(
            &spectral([0.0; 6], 0.0, 0.0),
            &temporal(false),
            &pitch(false, 0.0),
            true,
        );
        assert_eq!(
            (t.brightness, t.warmth, t.roughness, t.fullness),
            (0.0, 0.0, 0.0, 0.0)
        );
        assert_eq!(t.tags, ["silent"]);
    }
}
