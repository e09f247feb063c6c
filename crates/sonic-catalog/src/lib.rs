//! The built-in catalogue of Sonic: the 15 insert effects, the 171 instruments and the 61 drum
//! kits of the original Sonic Claude (`data/*.json`, the reference registries), embedded at
//! build time and parsed once. The editing services (`sonic-daw`) check names and ranges
//! against it; the sound engine (`sonic-render`) looks up what a name plays.
//!
//! It is data only: no I/O, no editing, no sound.
//!
//! ```
//! let sine = sonic_catalog::instrument("sine")?;
//! assert_eq!(sine.category, "Basic");
//! let kit = sonic_catalog::drum_kit("808-core")?;
//! assert_eq!(kit.pads["36"].synthdef, "kick808");
//! assert!(sonic_catalog::effect("wah").is_err());
//! # Ok::<(), sonic_catalog::CatalogError>(())
//! ```

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use sonic_model::{DrumPad, EffectDefinition};
use thiserror::Error;

/// A name the catalogue does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CatalogError {
    /// The instrument is not one of the catalogue's SynthDefs.
    #[error("unknown instrument {name:?}: choose one of the {count} instruments in the categories {categories}")]
    UnknownInstrument {
        /// The rejected name.
        name: String,
        /// How many instruments exist.
        count: usize,
        /// The categories, comma-separated.
        categories: String,
    },
    /// No drum kit with this id.
    #[error("drum kit {0:?} not found")]
    KitNotFound(String),
    /// No effect definition with this name.
    #[error("unknown effect {0:?}")]
    UnknownEffect(String),
}

/// One parameter of an instrument SynthDef. The registry gives names only; the default comes
/// from the SynthDef (absent when it lacks the argument).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstrumentParameter {
    /// Argument name, e.g. `cutoff`.
    pub name: String,
    /// Default value in the SynthDef.
    #[serde(default)]
    pub default: Option<f64>,
}

/// An instrument a MIDI track can play.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstrumentDefinition {
    /// SynthDef name, the value of `Track::instrument`.
    pub name: String,
    /// Label for people.
    pub display_name: String,
    /// Category such as `Bass` or `Pad`.
    pub category: String,
    /// One-line description.
    pub description: String,
    /// Arguments.
    pub parameters: Vec<InstrumentParameter>,
    /// Every argument of the SynthDef that plays, with its default (`sc_args` in the
    /// reference data). These defaults are the sound: the original sends a voice only `freq`,
    /// `amp`, `gate` and a kit pad's params.
    #[serde(alias = "sc_args", default)]
    pub synthdef_args: BTreeMap<String, f64>,
}

/// A drum kit: SynthDef pads keyed by MIDI note, and a one-bar demo pattern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrumKit {
    /// Kit id, e.g. `808-core`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Category such as `Classic`.
    pub category: String,
    /// One-line description.
    pub description: String,
    /// MIDI note (as text) → pad.
    pub pads: BTreeMap<String, DrumPad>,
    /// Tempo the demo is meant for.
    pub demo_bpm: f64,
    /// Demo hits: `[beat, note, velocity, duration_beats]`.
    pub demo: Vec<[f64; 4]>,
}

#[derive(Deserialize)]
struct EffectsFile {
    effects: Vec<EffectDefinition>,
}

#[derive(Deserialize)]
struct InstrumentsFile {
    categories: Vec<String>,
    instruments: Vec<InstrumentDefinition>,
}

#[derive(Deserialize)]
struct KitsFile {
    kits: Vec<DrumKit>,
}

static EFFECTS: LazyLock<Vec<EffectDefinition>> = LazyLock::new(|| {
    serde_json::from_str::<EffectsFile>(include_str!("../data/effects.json"))
        .expect("the embedded effects.json is checked by a unit test")
        .effects
});

static INSTRUMENTS: LazyLock<InstrumentsFile> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../data/instruments.json"))
        .expect("the embedded instruments.json is checked by a unit test")
});

static KITS: LazyLock<Vec<DrumKit>> = LazyLock::new(|| {
    serde_json::from_str::<KitsFile>(include_str!("../data/drumkits.json"))
        .expect("the embedded drumkits.json is checked by a unit test")
        .kits
});

/// The 15 effect definitions, in the original's order.
pub fn effects() -> &'static [EffectDefinition] {
    &EFFECTS
}

/// The effect definition called `name`.
pub fn effect(name: &str) -> Result<&'static EffectDefinition, CatalogError> {
    EFFECTS
        .iter()
        .find(|e| e.name == name)
        .ok_or_else(|| CatalogError::UnknownEffect(name.into()))
}

/// Every instrument, in the original's order.
pub fn instruments() -> &'static [InstrumentDefinition] {
    &INSTRUMENTS.instruments
}

/// The instrument categories.
pub fn instrument_categories() -> &'static [String] {
    &INSTRUMENTS.categories
}

/// The instrument called `name`; the error lists how many exist and their categories.
pub fn instrument(name: &str) -> Result<&'static InstrumentDefinition, CatalogError> {
    INSTRUMENTS
        .instruments
        .iter()
        .find(|i| i.name == name)
        .ok_or_else(|| CatalogError::UnknownInstrument {
            name: name.into(),
            count: INSTRUMENTS.instruments.len(),
            categories: INSTRUMENTS.categories.join(", "),
        })
}

/// Every drum kit, in the original's order.
pub fn drum_kits() -> &'static [DrumKit] {
    &KITS
}

/// The drum kit with id `id`.
pub fn drum_kit(id: &str) -> Result<&'static DrumKit, CatalogError> {
    KITS.iter()
        .find(|k| k.id == id)
        .ok_or_else(|| CatalogError::KitNotFound(id.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalogues_parse_with_their_full_counts() {
        assert_eq!(effects().len(), 15);
        assert_eq!(instruments().len(), 171);
        assert_eq!(instrument_categories().len(), 15);
        assert_eq!(drum_kits().len(), 61);
    }

    #[test]
    fn every_effect_has_a_bypass_parameter_and_sane_ranges() {
        for def in effects() {
            assert!(def.parameter("bypass").is_some(), "{}", def.name);
            for p in &def.parameters {
                assert!(
                    p.min <= p.default && p.default <= p.max,
                    "{}.{}",
                    def.name,
                    p.name
                );
            }
        }
    }

    #[test]
    fn unknown_names_are_reported_with_what_exists() {
        assert_eq!(instrument("sine").unwrap().category, "Basic");
        let err = instrument("kazoo").unwrap_err();
        assert!(matches!(err, CatalogError::UnknownInstrument { .. }));
        assert!(err.to_string().contains("171"));
        assert_eq!(drum_kit("808-core").unwrap().pads.len(), 15);
        assert_eq!(
            drum_kit("nope").unwrap_err(),
            CatalogError::KitNotFound("nope".into())
        );
        assert_eq!(effect("reverb").unwrap().category, "Time-Based");
        assert_eq!(
            effect("wah").unwrap_err(),
            CatalogError::UnknownEffect("wah".into())
        );
    }

    #[test]
    fn synthdef_arguments_carry_their_defaults() {
        let kick = instrument("kick808").unwrap();
        assert_eq!(kick.synthdef_args["freq"], 60.0);
        assert_eq!(kick.synthdef_args["pitchRatio"], 2.5);
        // The Basic "triangle" is the drum file's SynthDef (sound.md B12).
        assert_eq!(instrument("triangle").unwrap().synthdef_args["decay"], 1.0);
        assert!(instruments()
            .iter()
            .all(|i| i.synthdef_args.contains_key("out")));
    }

    #[test]
    fn every_kit_pad_plays_a_catalogue_instrument() {
        for kit in drum_kits() {
            for (note, pad) in &kit.pads {
                assert!(note.parse::<u8>().is_ok_and(|n| n <= 127), "{}", kit.id);
                assert!(
                    instrument(&pad.synthdef).is_ok(),
                    "{} {}",
                    kit.id,
                    pad.synthdef
                );
            }
        }
    }
}
