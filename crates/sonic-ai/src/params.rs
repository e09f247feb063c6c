//! The parameters of each action. Doc comments become the tool descriptions an LLM reads, and
//! the `schemars` attributes become the ranges in its JSON Schema.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use sonic_model::Id;

/// An integer field as Python clients send it: `60` or `60.0` (a whole-number float), never
/// `60.5`. Out-of-range values pass through (saturated) for the action's own range check.
fn whole<E: serde::de::Error>(field: &str, value: serde_json::Value) -> Result<i64, E> {
    let whole = match &value {
        serde_json::Value::Number(number) => number.as_i64().or_else(|| {
            // `as` saturates: a huge whole number still fails the range check, naming its
            // value.
            number
                .as_f64()
                .filter(|float| float.fract() == 0.0)
                .map(|float| float as i64)
        }),
        _ => None,
    };
    whole.ok_or_else(|| E::custom(format!("`{field}` must be a whole number, not {value}")))
}

fn whole_field<'de, D: Deserializer<'de>>(d: D, field: &str) -> Result<i64, D::Error> {
    whole(field, serde_json::Value::deserialize(d)?)
}

fn optional_whole_field<'de, D: Deserializer<'de>>(
    d: D,
    field: &str,
) -> Result<Option<i64>, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(None),
        value => whole(field, value).map(Some),
    }
}

fn note_number<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    whole_field(d, "n")
}

fn note_velocity<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    optional_whole_field(d, "v")
}

fn slot_index<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    optional_whole_field(d, "slot_index")
}

/// `null` reads as no values, as Python clients send `None`.
fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, f64>, D::Error> {
    Ok(Option::deserialize(d)?.unwrap_or_default())
}

/// A note in compact form: `n` MIDI note 0-127 (60 = C4), `s` start in beats from the clip
/// start (>= 0), `d` length in beats (> 0), `v` velocity 0-127 (default 100).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompactNote {
    /// MIDI note number, 0-127 (60 = C4).
    #[serde(deserialize_with = "note_number")]
    #[schemars(range(min = 0, max = 127))]
    pub n: i64,
    /// Start in beats from the clip start, >= 0.
    #[schemars(range(min = 0))]
    pub s: f64,
    /// Length in beats, > 0.
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub d: f64,
    /// Velocity 0-127, default 100.
    #[serde(
        default,
        deserialize_with = "note_velocity",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(range(min = 0, max = 127))]
    pub v: Option<i64>,
}

/// Track kind: `midi` plays notes, `audio` plays samples (`sample` is read as `audio`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TrackKind {
    /// Notes played by an instrument or drum kit.
    #[default]
    Midi,
    /// Audio clips from the sample library.
    #[serde(alias = "sample")]
    Audio,
}

/// Add a MIDI clip with notes to a MIDI track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMidiClip {
    /// Id for the new clip (letters, digits, '-', '_'; unique in the composition). Generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub id: Option<Id>,
    /// The MIDI track that gets the clip.
    #[schemars(with = "String")]
    pub track_id: Id,
    /// Start on the timeline in beats, >= 0.
    #[schemars(range(min = 0))]
    pub start_time: f64,
    /// Length in beats, > 0.
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub duration: f64,
    /// Notes, times relative to the clip start.
    #[serde(default)]
    pub notes: Vec<CompactNote>,
    /// Clip name; `MIDI Clip N` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Change a clip: only the fields given change. `notes` replaces every note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModifyClip {
    /// The clip.
    #[schemars(with = "String")]
    pub clip_id: Id,
    /// New start in beats, >= 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub start_time: Option<f64>,
    /// New length in beats, > 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub duration: Option<f64>,
    /// Mute or unmute the clip (`muted` is accepted too).
    #[serde(default, alias = "muted", skip_serializing_if = "Option::is_none")]
    pub is_muted: Option<bool>,
    /// Clip gain 0-2 (1 = unity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 2))]
    pub gain: Option<f64>,
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Replaces all notes (MIDI clips only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<CompactNote>>,
}

/// Delete a clip (and empty the launcher slots that held it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteClip {
    /// The clip.
    #[schemars(with = "String")]
    pub clip_id: Id,
}

/// Copy a clip with all its notes and settings to the same track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DuplicateClip {
    /// Id for the copy; generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub id: Option<Id>,
    /// The clip to copy.
    #[schemars(with = "String")]
    pub clip_id: Id,
    /// Start of the copy in beats (>= 0); right after the original when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub start_time: Option<f64>,
}

/// Move a clip to another track of the same kind and/or another start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveClip {
    /// The clip.
    #[schemars(with = "String")]
    pub clip_id: Id,
    /// Target track; unchanged when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub track_id: Option<Id>,
    /// New start in beats (>= 0); unchanged when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub start_time: Option<f64>,
}

/// Split a clip in two at a point inside it; notes crossing the point are cut.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitClip {
    /// Id for the second part; generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub id: Option<Id>,
    /// The clip.
    #[schemars(with = "String")]
    pub clip_id: Id,
    /// Split point in beats from the clip start, 0 < t < duration.
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub split_time: f64,
}

/// Set a clip's gain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetClipGain {
    /// The clip.
    #[schemars(with = "String")]
    pub clip_id: Id,
    /// Gain 0-2 (1 = unity).
    #[schemars(range(min = 0, max = 2))]
    pub gain: f64,
}

/// Add a track (with its mixer channel).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTrack {
    /// Id for the new track, so later actions of the same batch can use it; generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub id: Option<Id>,
    /// Track name (default `AI Track`).
    #[serde(default = "ai_track")]
    pub name: String,
    /// `midi` (default) or `audio`.
    #[serde(default, rename = "type")]
    pub kind: TrackKind,
    /// Instrument SynthDef name for MIDI tracks, from the instrument registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instrument: Option<String>,
    /// Hex colour such as `#3b82f6`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

fn ai_track() -> String {
    "AI Track".into()
}

/// Delete a track with its clips, mixer channel and effects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteTrack {
    /// The track.
    #[schemars(with = "String")]
    pub track_id: Id,
}

/// Rename a track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameTrack {
    /// The track.
    #[schemars(with = "String")]
    pub track_id: Id,
    /// New name.
    pub name: String,
}

/// Change the instrument of a MIDI track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeTrackInstrument {
    /// The MIDI track.
    #[schemars(with = "String")]
    pub track_id: Id,
    /// Instrument SynthDef name from the registry.
    pub instrument: String,
}

/// Put the tracks in a new order; list every track id exactly once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReorderTracks {
    /// Every track id, in the new order.
    #[schemars(with = "Vec<String>")]
    pub track_order: Vec<Id>,
}

/// Which track setting [`SetTrackParameter`] changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TrackParameter {
    /// Linear volume 0-2 (number).
    Volume,
    /// Pan -1 (left) to 1 (right) (number).
    Pan,
    /// Mute (true/false).
    Mute,
    /// Solo (true/false).
    Solo,
}

/// A number (volume, pan) or a switch (mute, solo).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ParameterValue {
    /// On or off.
    Switch(bool),
    /// A number.
    Number(f64),
}

/// Set a track's volume (0-2), pan (-1..1), mute or solo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTrackParameter {
    /// The track.
    #[schemars(with = "String")]
    pub track_id: Id,
    /// `volume`, `pan`, `mute` or `solo`.
    pub parameter: TrackParameter,
    /// A number for volume (0-2) and pan (-1..1), true/false for mute and solo.
    pub value: ParameterValue,
}

/// Load a drum kit's pads into a MIDI track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetDrumKit {
    /// The MIDI track.
    #[schemars(with = "String")]
    pub track_id: Id,
    /// Drum kit id, e.g. `808-core`.
    pub kit_id: String,
}

/// Add an insert effect to a track's chain (at most 8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddEffect {
    /// Id for the new effect; generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub id: Option<Id>,
    /// The track.
    #[schemars(with = "String")]
    pub track_id: Id,
    /// Effect name: lpf, hpf, bpf, eq3, compressor, limiter, gate, distortion, reverb, delay, chorus, flanger, phaser, gain, stereoWidth.
    pub effect_name: String,
    /// Slot 0-7; the first free slot when absent.
    #[serde(
        default,
        deserialize_with = "slot_index",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(range(min = 0, max = 7))]
    pub slot_index: Option<i64>,
    /// Label; `<Effect> <slot+1>` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Parameter values instead of the defaults, each within its range.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub parameters: BTreeMap<String, f64>,
}

/// Remove an effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveEffect {
    /// The effect.
    #[schemars(with = "String")]
    pub effect_id: Id,
}

/// Bypass an effect (signal passes unprocessed) or bring it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BypassEffect {
    /// The effect.
    #[schemars(with = "String")]
    pub effect_id: Id,
    /// True to bypass.
    pub bypassed: bool,
}

/// Reorder a track's effect chain; list every effect of the chain exactly once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReorderEffects {
    /// The track.
    #[schemars(with = "String")]
    pub track_id: Id,
    /// Every effect id of the chain, in signal order.
    #[schemars(with = "Vec<String>")]
    pub effect_order: Vec<Id>,
}

/// Set one effect parameter, within the parameter's range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetEffectParameter {
    /// The effect.
    #[schemars(with = "String")]
    pub effect_id: Id,
    /// Parameter name, e.g. `cutoff` or `mix` (`parameter_name` is accepted too).
    #[serde(alias = "parameter_name")]
    pub parameter: String,
    /// New value, within the parameter's min and max.
    pub value: f64,
}

/// Set the tempo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTempo {
    /// Beats per minute, 20-300.
    #[schemars(range(min = 20, max = 300))]
    pub tempo: f64,
}

/// Set the time signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTimeSignature {
    /// `N/D`, e.g. `4/4`, `6/8`, `7/8`.
    #[schemars(regex(pattern = r"^\d+/\d+$"))]
    pub time_signature: String,
}

/// Set the loop region and optionally switch looping on or off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetLoopPoints {
    /// Loop start in beats, >= 0.
    #[schemars(range(min = 0))]
    pub loop_start: f64,
    /// Loop end in beats, > loop_start.
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub loop_end: f64,
    /// Looping on or off; unchanged when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loop_enabled: Option<bool>,
}

/// Move the playhead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeekToPosition {
    /// Position in beats, >= 0.
    #[schemars(range(min = 0))]
    pub position: f64,
}

/// Rename the composition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameComposition {
    /// New name.
    pub name: String,
}

/// Remove every track and clip (destructive; can be undone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClearComposition {}

/// Start playback from the start (or the loop start when looping).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlayComposition {
    /// Must be this composition's id when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub composition_id: Option<Id>,
}

/// Stop playback and rewind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StopPlayback {}
