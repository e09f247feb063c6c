//! Effects: the catalogue's [`EffectDefinition`]s and a track's [`TrackEffectChain`] of
//! [`EffectInstance`]s.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::check;
use crate::time::{self, serde_ts, Timestamp};
use crate::{Id, ModelError};

/// Insert slots per track.
pub const MAX_EFFECT_SLOTS: usize = 8;

/// One parameter of an effect definition.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectParameter {
    /// Parameter key, e.g. `cutoff`.
    pub name: String,
    /// Label for people.
    pub display_name: String,
    /// Value type (`float` for every built-in effect).
    #[serde(rename = "type")]
    pub param_type: String,
    /// Default value.
    pub default: f64,
    /// Lowest value.
    pub min: f64,
    /// Highest value.
    pub max: f64,
    /// Unit such as `Hz` or `dB`.
    #[serde(default)]
    pub unit: Option<String>,
    /// Choices for enumerated parameters.
    #[serde(default)]
    pub options: Option<Vec<String>>,
}

/// A kind of insert effect, as listed by the catalogue.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectDefinition {
    /// Key, e.g. `lpf`.
    pub name: String,
    /// Label for people.
    pub display_name: String,
    /// Category such as `Filter`.
    pub category: String,
    /// One-line description.
    pub description: String,
    /// Parameters with ranges and defaults.
    pub parameters: Vec<EffectParameter>,
    /// Processes in stereo.
    #[serde(default = "yes")]
    pub is_stereo: bool,
    /// Added latency in milliseconds.
    #[serde(default)]
    pub latency_ms: f64,
}

fn yes() -> bool {
    true
}

impl EffectDefinition {
    /// The parameter called `name`.
    pub fn parameter(&self, name: &str) -> Option<&EffectParameter> {
        self.parameters.iter().find(|p| p.name == name)
    }

    /// Every parameter at its default.
    pub fn default_parameters(&self) -> BTreeMap<String, f64> {
        self.parameters
            .iter()
            .map(|p| (p.name.clone(), p.default))
            .collect()
    }
}

/// An effect placed in a slot of a track's chain.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectInstance {
    /// Effect id.
    pub id: Id,
    /// Definition key, e.g. `reverb`.
    pub effect_name: String,
    /// Label, by default `<Display Name> <slot+1>`.
    pub display_name: String,
    /// The track whose chain holds it.
    pub track_id: Id,
    /// Slot, 0 to 7.
    pub slot_index: u8,
    /// Parameter values by name.
    #[serde(default)]
    pub parameters: BTreeMap<String, f64>,
    /// Bypassed (signal passes through unprocessed).
    #[serde(default)]
    pub is_bypassed: bool,
    /// Enabled.
    #[serde(default = "yes")]
    pub is_enabled: bool,
    /// Audio engine node (kept for the original client).
    #[serde(default)]
    pub sc_node_id: Option<i64>,
    /// Audio engine input bus (kept for the original client).
    #[serde(default)]
    pub sc_bus_in: Option<i64>,
    /// Audio engine output bus (kept for the original client).
    #[serde(default)]
    pub sc_bus_out: Option<i64>,
    /// Created.
    #[serde(with = "serde_ts", default = "time::now")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Last changed.
    #[serde(with = "serde_ts", default = "time::now")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

impl EffectInstance {
    /// An instance of `definition` in `slot_index` of `track_id`'s chain, every parameter at
    /// its default.
    pub fn new(definition: &EffectDefinition, track_id: Id, slot_index: u8) -> Self {
        let now = time::now();
        EffectInstance {
            id: Id::generate(),
            effect_name: definition.name.clone(),
            display_name: format!("{} {}", definition.display_name, slot_index + 1),
            track_id,
            slot_index,
            parameters: definition.default_parameters(),
            is_bypassed: false,
            is_enabled: true,
            sc_node_id: None,
            sc_bus_in: None,
            sc_bus_out: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// The insert chain of one track.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackEffectChain {
    /// The track.
    pub track_id: Id,
    /// Effects in slot order.
    #[serde(default)]
    pub effects: Vec<EffectInstance>,
    /// Always 8.
    #[serde(default = "max_slots")]
    pub max_slots: u8,
}

fn max_slots() -> u8 {
    MAX_EFFECT_SLOTS as u8
}

impl TrackEffectChain {
    /// An empty chain.
    pub fn new(track_id: Id) -> Self {
        TrackEffectChain {
            track_id,
            effects: Vec::new(),
            max_slots: max_slots(),
        }
    }

    /// Checks the slot count, slot indices and that every effect belongs to this track.
    /// Parameter ranges depend on the catalogue and are checked by the DAW services.
    pub fn validate(&self) -> Result<(), ModelError> {
        check::int_range(
            "max_slots",
            self.max_slots.into(),
            1,
            MAX_EFFECT_SLOTS as i64,
        )?;
        if self.effects.len() > usize::from(self.max_slots) {
            return Err(ModelError::OutOfRange {
                field: "effects".into(),
                value: self.effects.len() as f64,
                range: format!("at most {} effects", self.max_slots),
            });
        }
        let mut slots = [false; MAX_EFFECT_SLOTS];
        for (i, effect) in self.effects.iter().enumerate() {
            let at = |e: ModelError| e.at(format_args!("effects[{i}]"));
            check::int_range(
                "slot_index",
                effect.slot_index.into(),
                0,
                i64::from(self.max_slots) - 1,
            )
            .map_err(at)?;
            let slot = &mut slots[usize::from(effect.slot_index)];
            if std::mem::replace(slot, true) {
                return Err(at(ModelError::Duplicate {
                    field: "slot_index".into(),
                    value: effect.slot_index.to_string(),
                }));
            }
            if effect.track_id != self.track_id {
                return Err(at(ModelError::InvalidFormat {
                    field: "track_id".into(),
                    value: effect.track_id.to_string(),
                    expected: format!("the chain's track {}", self.track_id),
                }));
            }
            check::name("display_name", &effect.display_name).map_err(at)?;
            for (name, value) in &effect.parameters {
                check::finite(&format!("parameters.{name}"), *value).map_err(at)?;
            }
        }
        Ok(())
    }
}
