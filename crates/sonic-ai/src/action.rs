//! [`DawAction`]: the 27 actions an AI (or a script) can run on a composition.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::params::*;

macro_rules! actions {
    ($( $(#[$doc:meta])* $name:literal => $variant:ident($params:ident), clips: $clips:literal; )*) => {
        /// One action on a composition, tagged by `action`:
        /// `{"action": "set_tempo", "tempo": 96}`. The original's envelope
        /// `{"action": "set_tempo", "parameters": {"tempo": 96}}` is read too.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(remote = "Self", tag = "action")]
        #[schemars(rename = "DawAction")]
        pub enum DawAction {
            $( $(#[$doc])* #[serde(rename = $name)] $variant($params), )*
        }

        /// Every action name, in the order of the reference table.
        pub const ACTION_NAMES: &[&str] = &[$($name),*];

        impl DawAction {
            /// The action's name, e.g. `create_midi_clip`.
            pub fn name(&self) -> &'static str {
                match self { $( DawAction::$variant(_) => $name, )* }
            }

            /// True when the action may change clips (so an undo step must copy them).
            pub fn touches_clips(&self) -> bool {
                match self { $( DawAction::$variant(_) => $clips, )* }
            }
        }

        /// Each action's name and the JSON Schema of its parameters.
        pub(crate) fn parameter_schemas() -> Vec<(&'static str, schemars::Schema)> {
            vec![$(($name, crate::tools::schema_of::<$params>())),*]
        }
    };
}

actions! {
    /// Add a MIDI clip with notes.
    "create_midi_clip" => CreateMidiClip(CreateMidiClip), clips: true;
    /// Change a clip.
    "modify_clip" => ModifyClip(ModifyClip), clips: true;
    /// Delete a clip.
    "delete_clip" => DeleteClip(DeleteClip), clips: true;
    /// Copy a clip.
    "duplicate_clip" => DuplicateClip(DuplicateClip), clips: true;
    /// Move a clip.
    "move_clip" => MoveClip(MoveClip), clips: true;
    /// Split a clip.
    "split_clip" => SplitClip(SplitClip), clips: true;
    /// Set a clip's gain.
    "set_clip_gain" => SetClipGain(SetClipGain), clips: true;
    /// Add a track.
    "create_track" => CreateTrack(CreateTrack), clips: false;
    /// Delete a track.
    "delete_track" => DeleteTrack(DeleteTrack), clips: true;
    /// Rename a track.
    "rename_track" => RenameTrack(RenameTrack), clips: false;
    /// Change a MIDI track's instrument.
    "change_track_instrument" => ChangeTrackInstrument(ChangeTrackInstrument), clips: false;
    /// Reorder the tracks.
    "reorder_tracks" => ReorderTracks(ReorderTracks), clips: false;
    /// Set volume, pan, mute or solo.
    "set_track_parameter" => SetTrackParameter(SetTrackParameter), clips: false;
    /// Load a drum kit.
    "set_drum_kit" => SetDrumKit(SetDrumKit), clips: false;
    /// Add an effect.
    "add_effect" => AddEffect(AddEffect), clips: false;
    /// Remove an effect.
    "remove_effect" => RemoveEffect(RemoveEffect), clips: false;
    /// Bypass an effect.
    "bypass_effect" => BypassEffect(BypassEffect), clips: false;
    /// Reorder a chain.
    "reorder_effects" => ReorderEffects(ReorderEffects), clips: false;
    /// Set an effect parameter.
    "set_effect_parameter" => SetEffectParameter(SetEffectParameter), clips: false;
    /// Set the tempo.
    "set_tempo" => SetTempo(SetTempo), clips: false;
    /// Set the time signature.
    "set_time_signature" => SetTimeSignature(SetTimeSignature), clips: false;
    /// Set the loop region.
    "set_loop_points" => SetLoopPoints(SetLoopPoints), clips: false;
    /// Move the playhead.
    "seek_to_position" => SeekToPosition(SeekToPosition), clips: false;
    /// Rename the composition.
    "rename_composition" => RenameComposition(RenameComposition), clips: false;
    /// Remove every track and clip.
    "clear_composition" => ClearComposition(ClearComposition), clips: true;
    /// Start playback.
    "play_composition" => PlayComposition(PlayComposition), clips: false;
    /// Stop playback.
    "stop_playback" => StopPlayback(StopPlayback), clips: false;
}

impl DawAction {
    /// True for transport actions (play, stop, seek): live state, not an undo step.
    pub fn is_transport(&self) -> bool {
        matches!(
            self,
            DawAction::SeekToPosition(_)
                | DawAction::PlayComposition(_)
                | DawAction::StopPlayback(_)
        )
    }

    /// Reads one action from JSON, flat or in the original envelope. The error says what is
    /// wrong: an unknown action name, a missing or mistyped field.
    pub fn from_value(value: Value) -> Result<Self, ParseError> {
        let Value::Object(mut map) = value else {
            return Err(ParseError::NotAnObject);
        };
        let name = match map.get("action") {
            Some(Value::String(name)) => name.clone(),
            _ => return Err(ParseError::MissingAction),
        };
        if !ACTION_NAMES.contains(&name.as_str()) {
            return Err(ParseError::UnknownAction(name));
        }
        // The envelope is exactly `{action, parameters}`; any other key means the flat form
        // (where `parameters` can be add_effect's own field).
        let envelope = map.len() == 2 && map.contains_key("parameters");
        if let Some(parameters) = envelope.then(|| map.remove("parameters")).flatten() {
            // Python clients send `None` for "no parameters".
            let parameters = match parameters {
                Value::Null => Value::Object(Map::new()),
                other => other,
            };
            let Value::Object(parameters) = parameters else {
                return Err(ParseError::Invalid {
                    action: name,
                    reason: "`parameters` must be an object".into(),
                });
            };
            if parameters.contains_key("action") {
                return Err(ParseError::Invalid {
                    action: name,
                    reason: "`parameters` cannot hold an `action`".into(),
                });
            }
            map.extend(parameters);
        }
        DawAction::deserialize(Value::Object(map)).map_err(|e| ParseError::Invalid {
            action: name,
            reason: e.to_string(),
        })
    }
}

impl<'de> Deserialize<'de> for DawAction {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Map::<String, Value>::deserialize(deserializer)?;
        DawAction::from_value(Value::Object(value)).map_err(serde::de::Error::custom)
    }
}

impl Serialize for DawAction {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        DawAction::serialize(self, serializer)
    }
}

/// Why a JSON value is not an action.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    /// The value is not a JSON object.
    #[error("an action must be a JSON object")]
    NotAnObject,
    /// No `action` name.
    #[error("an action needs an `action` name")]
    MissingAction,
    /// The name is not one of the 27 actions.
    #[error("unknown action {0:?}")]
    UnknownAction(String),
    /// The parameters do not fit the action.
    #[error("{action}: {reason}")]
    Invalid {
        /// Action name.
        action: String,
        /// What serde reported.
        reason: String,
    },
}

impl ParseError {
    /// `UNKNOWN_ACTION` or `INVALID_PARAMETERS`.
    pub fn code(&self) -> &'static str {
        match self {
            ParseError::UnknownAction(_) => "UNKNOWN_ACTION",
            _ => "INVALID_PARAMETERS",
        }
    }

    /// The action name, when one was given.
    pub fn action(&self) -> &str {
        match self {
            ParseError::UnknownAction(name) | ParseError::Invalid { action: name, .. } => name,
            _ => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn there_are_27_actions_with_unique_names() {
        assert_eq!(ACTION_NAMES.len(), 27);
        let mut names = ACTION_NAMES.to_vec();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 27);
    }

    #[test]
    fn flat_and_envelope_forms_read_the_same() {
        let flat: DawAction =
            serde_json::from_value(json!({"action": "set_tempo", "tempo": 96})).unwrap();
        let wrapped: DawAction =
            serde_json::from_value(json!({"action": "set_tempo", "parameters": {"tempo": 96}}))
                .unwrap();
        assert_eq!(flat, wrapped);
        assert_eq!(flat.name(), "set_tempo");
        let back = serde_json::to_value(&flat).unwrap();
        assert_eq!(back, json!({"action": "set_tempo", "tempo": 96.0}));
        let cleared: DawAction =
            serde_json::from_value(json!({"action": "clear_composition", "parameters": {}}))
                .unwrap();
        assert_eq!(cleared, DawAction::ClearComposition(ClearComposition {}));
    }

    #[test]
    fn add_effect_keeps_its_own_parameters_field_in_both_forms() {
        let flat = DawAction::from_value(json!({"action": "add_effect", "track_id": "t", "effect_name": "delay", "parameters": {"mix": 0.9}})).unwrap();
        let wrapped = DawAction::from_value(json!({"action": "add_effect", "parameters": {"track_id": "t", "effect_name": "delay", "parameters": {"mix": 0.9}}})).unwrap();
        assert_eq!(flat, wrapped);
        let DawAction::AddEffect(p) = flat else {
            panic!("wrong variant")
        };
        assert_eq!(p.parameters["mix"], 0.9);
    }

    #[test]
    fn original_spellings_are_accepted() {
        let a = DawAction::from_value(json!({"action": "set_effect_parameter", "parameters": {"effect_id": "e1", "parameter_name": "mix", "value": 0.5}})).unwrap();
        let DawAction::SetEffectParameter(p) = a else {
            panic!("wrong variant")
        };
        assert_eq!(p.parameter, "mix");
        let m =
            DawAction::from_value(json!({"action": "modify_clip", "clip_id": "c1", "muted": true}))
                .unwrap();
        let DawAction::ModifyClip(p) = m else {
            panic!("wrong variant")
        };
        assert_eq!(p.is_muted, Some(true));
        let t = DawAction::from_value(json!({"action": "create_track", "type": "sample"})).unwrap();
        let DawAction::CreateTrack(p) = t else {
            panic!("wrong variant")
        };
        assert_eq!((p.kind, p.name.as_str()), (TrackKind::Audio, "AI Track"));
    }

    #[test]
    fn whole_number_floats_read_as_integers_but_fractions_do_not() {
        let clip = DawAction::from_value(json!({"action": "create_midi_clip", "track_id": "t", "start_time": 0, "duration": 4,
            "notes": [{"n": 60.0, "s": 0, "d": 1, "v": 100.0}, {"n": 62, "s": 1, "d": 1, "v": null}]}))
        .unwrap();
        let DawAction::CreateMidiClip(p) = clip else {
            panic!("wrong variant")
        };
        assert_eq!((p.notes[0].n, p.notes[0].v), (60, Some(100)));
        assert_eq!((p.notes[1].n, p.notes[1].v), (62, None));
        let effect = DawAction::from_value(json!({"action": "add_effect", "track_id": "t", "effect_name": "lpf", "slot_index": 2.0, "parameters": null})).unwrap();
        let DawAction::AddEffect(p) = effect else {
            panic!("wrong variant")
        };
        assert_eq!(p.slot_index, Some(2));
        assert!(p.parameters.is_empty());

        for (action, field) in [
            (
                json!({"action": "create_midi_clip", "track_id": "t", "start_time": 0, "duration": 4, "notes": [{"n": 60.5, "s": 0, "d": 1}]}),
                "`n` must be a whole number, not 60.5",
            ),
            (
                json!({"action": "create_midi_clip", "track_id": "t", "start_time": 0, "duration": 4, "notes": [{"n": 60, "s": 0, "d": 1, "v": 99.9}]}),
                "`v` must be a whole number, not 99.9",
            ),
            (
                json!({"action": "add_effect", "track_id": "t", "effect_name": "lpf", "slot_index": 1.5}),
                "`slot_index` must be a whole number, not 1.5",
            ),
            (
                json!({"action": "add_effect", "track_id": "t", "effect_name": "lpf", "slot_index": "1"}),
                "`slot_index` must be a whole number, not \"1\"",
            ),
        ] {
            let err = DawAction::from_value(action).unwrap_err();
            assert_eq!(err.code(), "INVALID_PARAMETERS");
            assert!(err.to_string().contains(field), "{err}");
        }
    }

    #[test]
    fn a_null_envelope_means_no_parameters() {
        let stop = DawAction::from_value(json!({"action": "stop_playback", "parameters": null}));
        assert_eq!(stop.unwrap(), DawAction::StopPlayback(StopPlayback {}));
        let err =
            DawAction::from_value(json!({"action": "set_tempo", "parameters": null})).unwrap_err();
        assert!(err.to_string().contains("missing field `tempo`"), "{err}");
    }

    #[test]
    fn malformed_actions_say_what_is_wrong() {
        let err = DawAction::from_value(json!({"action": "fly"})).unwrap_err();
        assert_eq!(err.code(), "UNKNOWN_ACTION");
        let err = DawAction::from_value(json!({"action": "set_tempo"})).unwrap_err();
        assert_eq!(err.code(), "INVALID_PARAMETERS");
        assert!(err.to_string().contains("tempo"), "{err}");
        let err = DawAction::from_value(json!({"action": "set_tempo", "tempo": 90, "bpm": 3}))
            .unwrap_err();
        assert!(err.to_string().contains("bpm"), "{err}");
        let err =
            DawAction::from_value(json!({"action": "delete_clip", "clip_id": "../x"})).unwrap_err();
        assert!(err.to_string().contains("invalid id"), "{err}");
        assert_eq!(
            DawAction::from_value(json!([1])).unwrap_err(),
            ParseError::NotAnObject
        );
        assert_eq!(
            DawAction::from_value(json!({})).unwrap_err(),
            ParseError::MissingAction
        );
        let err = DawAction::from_value(
            json!({"action": "set_tempo", "tempo": 1, "parameters": {"tempo": 2}}),
        )
        .unwrap_err();
        assert!(err.to_string().contains("parameters"), "{err}");
    }
}
