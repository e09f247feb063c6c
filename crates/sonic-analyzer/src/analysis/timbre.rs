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
