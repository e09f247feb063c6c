//! Name → implementation: the [`VoiceSpec`] of every instrument and drum voice the engine
//! plays ([`crate::instruments`], [`crate::drums`]) and the [`EffectSpec`] of every effect
//! ([`crate::effects`]). A catalogue name without an entry here is silent (a voice) or passed
//! through (an effect), and named in the render report.

use crate::effects::{EffectSpec, EFFECTS};
use crate::voice::VoiceSpec;
use crate::{drums, instruments};

/// Every voice the engine implements: instruments first, then drum voices.
pub fn voices() -> impl Iterator<Item = &'static VoiceSpec> {
    instruments::VOICES
        .iter()
        .chain(drums::VOICES.iter())
        .flat_map(|category| category.iter())
}

/// The voice called `name` (an instrument or a kit pad's SynthDef).
pub fn voice(name: &str) -> Option<&'static VoiceSpec> {
    voices().find(|v| v.name == name)
}

/// Every effect the engine implements.
pub fn effects() -> impl Iterator<Item = &'static EffectSpec> {
    EFFECTS.iter().flat_map(|category| category.iter())
}

/// The effect called `name`.
pub fn effect(name: &str) -> Option<&'static EffectSpec> {
    effects().find(|e| e.name == name)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::testing;
    use crate::voice::VoiceKind;

    #[test]
    fn every_voice_is_a_catalogue_name_registered_once() {
        let mut seen = BTreeSet::new();
        for spec in voices() {
            assert!(seen.insert(spec.name), "{} registered twice", spec.name);
            let def = sonic_catalog::instrument(spec.name)
                .unwrap_or_else(|_| panic!("{} is not in the catalogue", spec.name));
            let is_drum = matches!(def.category.as_str(), "Drums" | "Percussion");
            assert_eq!(
                spec.kind == VoiceKind::Drum,
                is_drum,
                "{}: kind {:?}, category {}",
                spec.name,
                spec.kind,
                def.category
            );
        }
        for spec in effects() {
            assert!(seen.insert(spec.name), "{} registered twice", spec.name);
            assert!(sonic_catalog::effect(spec.name).is_ok(), "{}", spec.name);
        }
    }

    #[test]
    fn declared_arguments_are_the_synthdefs_with_its_defaults() {
        for spec in voices() {
            let def = sonic_catalog::instrument(spec.name).unwrap();
            assert!(
                spec.params.len() <= crate::voice::MAX_PARAMS,
                "{}",
                spec.name
            );
            for (name, default) in spec.params {
                let want = def
                    .synthdef_args
                    .get(*name)
                    .unwrap_or_else(|| panic!("{} has no SynthDef argument {name}", spec.name));
                assert_eq!(
                    f64::from(*default),
                    *want as f32 as f64,
                    "{}.{name}",
                    spec.name
                );
            }
        }
    }

    #[test]
    fn pad_params_a_voice_ignores_are_not_synthdef_arguments() {
        for kit in sonic_catalog::drum_kits() {
            for pad in kit.pads.values() {
                let Some(spec) = voice(&pad.synthdef) else {
                    continue;
                };
                let def = sonic_catalog::instrument(&pad.synthdef).unwrap();
                for name in pad.params.keys() {
                    let declared = spec.default_of(name).is_some();
                    let argument = def.synthdef_args.contains_key(name);
                    assert_eq!(declared, argument, "{} pad param {name}", spec.name);
                }
            }
        }
    }

    #[test]
    fn a_reused_voice_renders_the_same_bits_as_a_fresh_one() {
        for spec in voices() {
            let fresh = testing::voice_bits(spec, &[69]);
            let reused = testing::voice_bits(spec, &[45, 81, 69]);
            assert_eq!(fresh, reused, "{}: start() leaves state behind", spec.name);
        }
    }
}
