//! Runs one [`DawAction`] on a composition through the `sonic-daw` edits. Every check runs
//! before anything changes, so a failed action leaves the composition as it was.

use serde_json::{json, Value};
use sonic_daw::{clips, effects, song, tracks, DawError};
use sonic_model::{Composition, MidiNote, ModelError, TrackType};

use crate::params::*;
use crate::DawAction;

/// What a successful action reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    /// Human text, e.g. `Created MIDI clip 'Riff' with 8 notes`.
    pub message: String,
    /// Ids and new values.
    pub data: Option<Value>,
}

/// Why an action failed: a stable code and a human message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ActionError {
    /// Stable code such as `TRACK_NOT_FOUND` or `OUT_OF_RANGE`.
    pub code: &'static str,
    /// What went wrong, naming the value.
    pub message: String,
}

impl From<DawError> for ActionError {
    fn from(e: DawError) -> Self {
        ActionError {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

impl From<ModelError> for ActionError {
    fn from(e: ModelError) -> Self {
        DawError::from(e).into()
    }
}

fn out_of_range(field: &str, value: f64, range: &str) -> ActionError {
    ModelError::OutOfRange {
        field: field.into(),
        value,
        range: range.into(),
    }
    .into()
}

fn check(field: &str, value: f64, lo: f64, hi: f64) -> Result<(), ActionError> {
    if value.is_finite() && value >= lo && value <= hi {
        Ok(())
    } else {
        Err(out_of_range(field, value, &format!("{lo} <= x <= {hi}")))
    }
}

/// Converts compact notes to model notes, checking every range.
pub fn expand_notes(notes: &[CompactNote]) -> Result<Vec<MidiNote>, ActionError> {
    notes
        .iter()
        .enumerate()
        .map(|(i, note)| {
            let velocity = note.v.unwrap_or(100);
            let int = |field: &str, value: i64| {
                u8::try_from(value)
                    .ok()
                    .filter(|v| *v <= 127)
                    .ok_or_else(|| {
                        out_of_range(
                            &format!("notes[{i}].{field}"),
                            value as f64,
                            "0 <= x <= 127",
                        )
                    })
            };
            let n = int("n", note.n)?;
            let v = int("v", velocity)?;
            if !(note.s.is_finite() && note.s >= 0.0) {
                return Err(out_of_range(&format!("notes[{i}].s"), note.s, "x >= 0"));
            }
            if !(note.d.is_finite() && note.d > 0.0) {
                return Err(out_of_range(&format!("notes[{i}].d"), note.d, "x > 0"));
            }
            Ok(MidiNote::new(n, note.s, note.d, v))
        })
        .collect()
}

/// Runs `action` on `composition`. On error nothing has changed.
pub fn execute(composition: &mut Composition, action: &DawAction) -> Result<Done, ActionError> {
    let done = |message: String, data: Value| {
        Ok(Done {
            message,
            data: Some(data),
        })
    };
    match action {
        DawAction::CreateMidiClip(p) => {
            let notes = expand_notes(&p.notes)?;
            let count = notes.len();
            let id = clips::add_midi_clip(
                composition,
                clips::NewMidiClip {
                    id: p.id.clone(),
                    track_id: p.track_id.clone(),
                    name: p.name.clone(),
                    start_time: p.start_time,
                    duration: p.duration,
                    notes,
                },
            )?;
            let name = composition
                .clip(&id)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            done(
                format!("Created MIDI clip '{name}' with {count} notes"),
                json!({"clip_id": id, "note_count": count}),
            )
        }
        DawAction::ModifyClip(p) => {
            let notes = p.notes.as_deref().map(expand_notes).transpose()?;
            let changes = clips::ClipChanges {
                name: p.name.clone(),
                start_time: p.start_time,
                duration: p.duration,
                is_muted: p.is_muted,
                gain: p.gain,
                notes,
                ..Default::default()
            };
            clips::modify_clip(composition, &p.clip_id, changes)?;
            done(
                format!("Modified clip {}", p.clip_id),
                json!({"clip_id": p.clip_id}),
            )
        }
        DawAction::DeleteClip(p) => {
            clips::delete_clip(composition, &p.clip_id)?;
            done(
                format!("Deleted clip {}", p.clip_id),
                json!({"clip_id": p.clip_id}),
            )
        }
        DawAction::DuplicateClip(p) => {
            let id = clips::duplicate_clip(composition, &p.clip_id, p.start_time, p.id.as_ref())?;
            let start = composition.clip(&id).map_or(0.0, |c| c.start_time);
            done(
                format!("Duplicated clip {} as {id}", p.clip_id),
                json!({"clip_id": id, "start_time": start}),
            )
        }
        DawAction::MoveClip(p) => {
            clips::move_clip(composition, &p.clip_id, p.track_id.as_ref(), p.start_time)?;
            let clip = composition
                .clip(&p.clip_id)
                .ok_or_else(|| DawError::ClipNotFound(p.clip_id.clone()))?;
            done(
                format!("Moved clip {} to beat {}", p.clip_id, clip.start_time),
                json!({"clip_id": p.clip_id, "track_id": clip.track_id, "start_time": clip.start_time}),
            )
        }
        DawAction::SplitClip(p) => {
            let (a, b) = clips::split_clip(composition, &p.clip_id, p.split_time, p.id.as_ref())?;
            done(
                format!("Split clip {} at {}", p.clip_id, p.split_time),
                json!({"clip1_id": a, "clip2_id": b}),
            )
        }
        DawAction::SetClipGain(p) => {
            check("gain", p.gain, 0.0, 2.0)?;
            let changes = clips::ClipChanges {
                gain: Some(p.gain),
                ..Default::default()
            };
            clips::modify_clip(composition, &p.clip_id, changes)?;
            done(
                format!("Set gain of clip {} to {}", p.clip_id, p.gain),
                json!({"clip_id": p.clip_id, "gain": p.gain}),
            )
        }
        DawAction::CreateTrack(p) => {
            let kind = match p.kind {
                TrackKind::Midi => TrackType::Midi,
                TrackKind::Audio => TrackType::Audio,
            };
            let mut new = tracks::NewTrack::new(p.name.clone(), kind);
            new.id = p.id.clone();
            new.instrument = p.instrument.clone();
            new.color = p.color.clone();
            let id = tracks::add_track(composition, new)?;
            let with = p
                .instrument
                .as_ref()
                .map(|i| format!(" with instrument '{i}'"))
                .unwrap_or_default();
            done(
                format!("Created track '{}'{with}", p.name),
                json!({"track_id": id, "instrument": p.instrument}),
            )
        }
        DawAction::DeleteTrack(p) => {
            let removed = tracks::delete_track(composition, &p.track_id)?;
            done(
                format!(
                    "Deleted track {} with {} clips",
                    p.track_id, removed.clips_removed
                ),
                json!({"track_id": p.track_id, "clips_removed": removed.clips_removed}),
            )
        }
        DawAction::RenameTrack(p) => {
            tracks::rename_track(composition, &p.track_id, &p.name)?;
            done(
                format!("Renamed track to '{}'", p.name),
                json!({"track_id": p.track_id, "name": p.name}),
            )
        }
        DawAction::ChangeTrackInstrument(p) => {
            tracks::set_instrument(composition, &p.track_id, &p.instrument)?;
            done(
                format!(
                    "Changed instrument of track {} to '{}'",
                    p.track_id, p.instrument
                ),
                json!({"track_id": p.track_id, "instrument": p.instrument}),
            )
        }
        DawAction::ReorderTracks(p) => {
            tracks::reorder_tracks(composition, &p.track_order)?;
            done(
                "Reordered tracks".into(),
                json!({"track_order": p.track_order}),
            )
        }
        DawAction::SetTrackParameter(p) => set_track_parameter(composition, p),
        DawAction::SetDrumKit(p) => {
            let kit = tracks::set_drum_kit(composition, &p.track_id, &p.kit_id)?;
            done(
                format!("Applied kit '{}' to track {}", kit.name, p.track_id),
                json!({"track_id": p.track_id, "kit_id": kit.id, "kit_name": kit.name, "pad_count": kit.pads.len()}),
            )
        }
        DawAction::AddEffect(p) => {
            let slot = p
                .slot_index
                .map(|s| {
                    u8::try_from(s)
                        .ok()
                        .filter(|s| *s < 8)
                        .ok_or_else(|| out_of_range("slot_index", s as f64, "0 <= x <= 7"))
                })
                .transpose()?;
            let (id, slot) = effects::add_effect(
                composition,
                effects::NewEffect {
                    id: p.id.clone(),
                    track_id: p.track_id.clone(),
                    effect_name: p.effect_name.clone(),
                    slot_index: slot,
                    display_name: p.display_name.clone(),
                    parameters: p.parameters.clone(),
                },
            )?;
            done(
                format!(
                    "Added {} to track {} in slot {slot}",
                    p.effect_name, p.track_id
                ),
                json!({"effect_id": id, "slot_index": slot}),
            )
        }
        DawAction::RemoveEffect(p) => {
            effects::remove_effect(composition, &p.effect_id)?;
            done(
                format!("Removed effect {}", p.effect_id),
                json!({"effect_id": p.effect_id}),
            )
        }
        DawAction::BypassEffect(p) => {
            effects::set_bypass(composition, &p.effect_id, p.bypassed)?;
            let word = if p.bypassed { "Bypassed" } else { "Enabled" };
            done(
                format!("{word} effect {}", p.effect_id),
                json!({"effect_id": p.effect_id, "bypassed": p.bypassed}),
            )
        }
        DawAction::ReorderEffects(p) => {
            effects::reorder_effects(composition, &p.track_id, &p.effect_order)?;
            done(
                format!("Reordered effects of track {}", p.track_id),
                json!({"track_id": p.track_id, "effect_order": p.effect_order}),
            )
        }
        DawAction::SetEffectParameter(p) => {
            effects::set_parameter(composition, &p.effect_id, &p.parameter, p.value)?;
            done(
                format!(
                    "Set {} to {} on effect {}",
                    p.parameter, p.value, p.effect_id
                ),
                json!({"effect_id": p.effect_id, "parameter": p.parameter, "value": p.value}),
            )
        }
        DawAction::SetTempo(p) => {
            check("tempo", p.tempo, 20.0, 300.0)?;
            song::set_tempo(composition, p.tempo)?;
            done(
                format!("Set tempo to {} BPM", p.tempo),
                json!({"tempo": p.tempo}),
            )
        }
        DawAction::SetTimeSignature(p) => {
            song::set_time_signature(composition, &p.time_signature)?;
            done(
                format!("Set time signature to {}", p.time_signature),
                json!({"time_signature": p.time_signature}),
            )
        }
        DawAction::SetLoopPoints(p) => {
            song::set_loop(composition, p.loop_start, p.loop_end, p.loop_enabled)?;
            done(
                format!("Set loop to {}-{}", p.loop_start, p.loop_end),
                json!({"loop_start": p.loop_start, "loop_end": p.loop_end, "loop_enabled": composition.loop_enabled}),
            )
        }
        DawAction::SeekToPosition(p) => {
            song::seek(composition, p.position)?;
            done(
                format!("Moved the playhead to beat {}", p.position),
                json!({"position": p.position}),
            )
        }
        DawAction::RenameComposition(p) => {
            song::rename(composition, &p.name)?;
            done(
                format!("Renamed the composition to '{}'", p.name),
                json!({"name": p.name}),
            )
        }
        DawAction::ClearComposition(_) => {
            let cleared = song::clear(composition);
            done(
                format!(
                    "Cleared {} tracks and {} clips",
                    cleared.tracks_removed, cleared.clips_removed
                ),
                json!({"tracks_removed": cleared.tracks_removed, "clips_removed": cleared.clips_removed}),
            )
        }
        DawAction::PlayComposition(p) => {
            if let Some(id) = &p.composition_id {
                if id != &composition.id {
                    return Err(ActionError {
                        code: "COMPOSITION_MISMATCH",
                        message: format!(
                            "composition_id {id} is not this composition ({})",
                            composition.id
                        ),
                    });
                }
            }
            let position = song::play(composition, None)?;
            done(
                format!(
                    "Started playback of composition {} at beat {position}",
                    composition.id
                ),
                json!({"composition_id": composition.id, "position": position}),
            )
        }
        DawAction::StopPlayback(_) => {
            song::stop(composition);
            done("Stopped playback".into(), json!({"position": 0.0}))
        }
    }
}

fn set_track_parameter(
    composition: &mut Composition,
    p: &SetTrackParameter,
) -> Result<Done, ActionError> {
    let name = serde_json::to_value(p.parameter).unwrap_or(Value::Null);
    let name = name.as_str().unwrap_or("the parameter");
    let wrong = |expected: &str| ActionError {
        code: "INVALID_VALUE",
        message: format!("value for {name} must be {expected}"),
    };
    match (p.parameter, p.value) {
        (TrackParameter::Volume, ParameterValue::Number(v)) => {
            check("volume", v, 0.0, 2.0)?;
            tracks::set_volume(composition, &p.track_id, v)?;
        }
        (TrackParameter::Pan, ParameterValue::Number(v)) => {
            check("pan", v, -1.0, 1.0)?;
            tracks::set_pan(composition, &p.track_id, v)?;
        }
        (TrackParameter::Mute, ParameterValue::Switch(b)) => {
            tracks::set_mute(composition, &p.track_id, b)?
        }
        (TrackParameter::Solo, ParameterValue::Switch(b)) => {
            tracks::set_solo(composition, &p.track_id, b)?
        }
        (TrackParameter::Volume | TrackParameter::Pan, _) => return Err(wrong("a number")),
        (TrackParameter::Mute | TrackParameter::Solo, _) => return Err(wrong("true or false")),
    }
    let value = serde_json::to_value(p.value).unwrap_or(Value::Null);
    Ok(Done {
        message: format!("Set {name} to {value} on track {}", p.track_id),
        data: Some(json!({"track_id": p.track_id, "parameter": name, "value": value})),
    })
}

#[cfg(test)]
#[path = "execute_tests/mod.rs"]
mod tests;
