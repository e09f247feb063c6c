//! One success test and the failure modes of every action.

use serde_json::json;
use sonic_model::{Composition, Id};

use super::*;

/// A song with a MIDI track `keys` (clip `c1` of three notes, effects `fx1` lpf and `fx2`
/// reverb) and an audio track `vox`.
fn song() -> Composition {
    let mut song = Composition::new("Fixture");
    for action in [
        json!({"action": "create_track", "id": "keys", "name": "Keys", "instrument": "sine"}),
        json!({"action": "create_track", "id": "vox", "name": "Vox", "type": "audio"}),
        json!({"action": "create_midi_clip", "id": "c1", "track_id": "keys", "start_time": 0, "duration": 4,
               "notes": [{"n": 60, "s": 0, "d": 1}, {"n": 64, "s": 1, "d": 1}, {"n": 67, "s": 2, "d": 2}]}),
        json!({"action": "add_effect", "id": "fx1", "track_id": "keys", "effect_name": "lpf"}),
        json!({"action": "add_effect", "id": "fx2", "track_id": "keys", "effect_name": "reverb"}),
    ] {
        run(&mut song, action).unwrap();
    }
    song
}

fn run(song: &mut Composition, action: serde_json::Value) -> Result<Done, ActionError> {
    let action = DawAction::from_value(action).map_err(|e| ActionError {
        code: e.code(),
        message: e.to_string(),
    })?;
    execute(song, &action)
}

/// Runs an action that must fail with `code` and leave the song exactly as it was.
fn fails(action: serde_json::Value, code: &str) {
    let mut song = song();
    let before = song.clone();
    let err = run(&mut song, action.clone()).expect_err(&action.to_string());
    assert_eq!(err.code, code, "{action}: {}", err.message);
    assert_eq!(song, before, "{action} changed the song");
}

fn id(s: &str) -> Id {
    Id::parse(s).unwrap()
}

#[test]
fn create_midi_clip_adds_notes_to_a_midi_track() {
    let mut song = song();
    let done = run(&mut song, json!({"action": "create_midi_clip", "track_id": "keys", "start_time": 4, "duration": 4, "name": "B",
        "notes": [{"n": 72, "s": 0.5, "d": 0.25, "v": 30}]})).unwrap();
    assert_eq!(done.message, "Created MIDI clip 'B' with 1 notes");
    let clip_id = id(done.data.unwrap()["clip_id"].as_str().unwrap());
    let note = &song.clip(&clip_id).unwrap().notes()[0];
    assert_eq!(
        (note.note, note.velocity, note.note_name.as_str()),
        (72, 30, "C5")
    );
}

#[test]
fn create_midi_clip_failures() {
    let clip = |extra: serde_json::Value| {
        let mut base = json!({"action": "create_midi_clip", "track_id": "keys", "start_time": 0, "duration": 4});
        base.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        base
    };
    fails(clip(json!({"track_id": "ghost"})), "TRACK_NOT_FOUND");
    fails(clip(json!({"track_id": "vox"})), "NOT_MIDI_TRACK");
    fails(clip(json!({"start_time": -1})), "OUT_OF_RANGE");
    fails(clip(json!({"duration": 0})), "OUT_OF_RANGE");
    fails(
        clip(json!({"notes": [{"n": 128, "s": 0, "d": 1}]})),
        "OUT_OF_RANGE",
    );
    fails(
        clip(json!({"notes": [{"n": 60, "s": 0, "d": 1, "v": -1}]})),
        "OUT_OF_RANGE",
    );
    fails(
        clip(json!({"notes": [{"n": 60, "s": -0.5, "d": 1}]})),
        "OUT_OF_RANGE",
    );
    fails(
        clip(json!({"notes": [{"n": 60, "s": 0, "d": 0}]})),
        "OUT_OF_RANGE",
    );
    fails(clip(json!({"id": "keys"})), "DUPLICATE_ID");
    fails(clip(json!({"id": "bad id"})), "INVALID_PARAMETERS");
    fails(
        json!({"action": "create_midi_clip", "track_id": "keys", "duration": 4}),
        "INVALID_PARAMETERS",
    );
}

#[test]
fn modify_clip_changes_given_fields_and_honours_mute() {
    let mut song = song();
    run(&mut song, json!({"action": "modify_clip", "clip_id": "c1", "muted": true, "gain": 0.5, "notes": [{"n": 50, "s": 0, "d": 1}]})).unwrap();
    let clip = song.clip(&id("c1")).unwrap();
    assert!(clip.is_muted);
    assert_eq!(
        (clip.gain, clip.notes().len(), clip.duration),
        (0.5, 1, 4.0)
    );
    fails(
        json!({"action": "modify_clip", "clip_id": "ghost", "gain": 1}),
        "CLIP_NOT_FOUND",
    );
    fails(
        json!({"action": "modify_clip", "clip_id": "c1", "gain": 2.5}),
        "OUT_OF_RANGE",
    );
    fails(
        json!({"action": "modify_clip", "clip_id": "c1", "duration": -1}),
        "OUT_OF_RANGE",
    );
    fails(
        json!({"action": "modify_clip", "clip_id": "c1", "is_muted": true, "notes": [{"n": 500, "s": 0, "d": 1}]}),
        "OUT_OF_RANGE",
    );
}

#[test]
fn delete_clip_reports_success() {
    let mut song = song();
    let done = run(&mut song, json!({"action": "delete_clip", "clip_id": "c1"})).unwrap();
    assert_eq!(done.data.unwrap()["clip_id"], "c1");
    assert!(song.clips.is_empty());
    fails(
        json!({"action": "delete_clip", "clip_id": "ghost"}),
        "CLIP_NOT_FOUND",
    );
}

#[test]
fn duplicate_clip_copies_after_the_original() {
    let mut song = song();
    let done = run(
        &mut song,
        json!({"action": "duplicate_clip", "clip_id": "c1", "id": "c2"}),
    )
    .unwrap();
    assert_eq!(
        done.data.unwrap(),
        json!({"clip_id": "c2", "start_time": 4.0})
    );
    assert_eq!(song.clip(&id("c2")).unwrap().notes().len(), 3);
    fails(
        json!({"action": "duplicate_clip", "clip_id": "ghost"}),
        "CLIP_NOT_FOUND",
    );
    fails(
        json!({"action": "duplicate_clip", "clip_id": "c1", "start_time": -4}),
        "OUT_OF_RANGE",
    );
    fails(
        json!({"action": "duplicate_clip", "clip_id": "c1", "id": "fx1"}),
        "DUPLICATE_ID",
    );
}

#[test]
fn move_clip_checks_the_track_exists_and_fits() {
    let mut song = song();
    run(&mut song, json!({"action": "create_track", "id": "pad"})).unwrap();
    let done = run(
        &mut song,
        json!({"action": "move_clip", "clip_id": "c1", "track_id": "pad", "start_time": 8}),
    )
    .unwrap();
    assert_eq!(
        done.data.unwrap(),
        json!({"clip_id": "c1", "track_id": "pad", "start_time": 8.0})
    );
    fails(
        json!({"action": "move_clip", "clip_id": "c1", "track_id": "ghost"}),
        "TRACK_NOT_FOUND",
    );
    fails(
        json!({"action": "move_clip", "clip_id": "c1", "track_id": "vox"}),
        "NOT_MIDI_TRACK",
    );
    fails(
        json!({"action": "move_clip", "clip_id": "c1", "start_time": -1}),
        "OUT_OF_RANGE",
    );
    fails(
        json!({"action": "move_clip", "clip_id": "ghost", "start_time": 1}),
        "CLIP_NOT_FOUND",
    );
}

#[test]
fn split_clip_returns_both_parts() {
    let mut song = song();
    let done = run(
        &mut song,
        json!({"action": "split_clip", "clip_id": "c1", "split_time": 1.5, "id": "c1b"}),
    )
    .unwrap();
    assert_eq!(
        done.data.unwrap(),
        json!({"clip1_id": "c1", "clip2_id": "c1b"})
    );
    assert_eq!(song.clips.len(), 2);
    fails(
        json!({"action": "split_clip", "clip_id": "c1", "split_time": 4}),
        "INVALID_SPLIT_TIME",
    );
    fails(
        json!({"action": "split_clip", "clip_id": "c1", "split_time": 0}),
        "INVALID_SPLIT_TIME",
    );
    fails(
        json!({"action": "split_clip", "clip_id": "ghost", "split_time": 1}),
        "CLIP_NOT_FOUND",
    );
}

#[test]
fn set_clip_gain_enforces_zero_to_two() {
    let mut song = song();
    run(
        &mut song,
        json!({"action": "set_clip_gain", "clip_id": "c1", "gain": 2}),
    )
    .unwrap();
    assert_eq!(song.clip(&id("c1")).unwrap().gain, 2.0);
    fails(
        json!({"action": "set_clip_gain", "clip_id": "c1", "gain": 2.01}),
        "OUT_OF_RANGE",
    );
    fails(
        json!({"action": "set_clip_gain", "clip_id": "c1", "gain": -0.1}),
        "OUT_OF_RANGE",
    );
    fails(
        json!({"action": "set_clip_gain", "clip_id": "ghost", "gain": 1}),
        "CLIP_NOT_FOUND",
    );
}

#[test]
fn create_track_validates_instrument_type_and_id() {
    let mut song = song();
    let done = run(
        &mut song,
        json!({"action": "create_track", "name": "Lead", "instrument": "sine"}),
    )
    .unwrap();
    assert_eq!(done.message, "Created track 'Lead' with instrument 'sine'");
    assert_eq!(song.tracks.len(), 3);
    fails(
        json!({"action": "create_track", "instrument": "kazoo"}),
        "UNKNOWN_INSTRUMENT",
    );
    fails(
        json!({"action": "create_track", "type": "video"}),
        "INVALID_PARAMETERS",
    );
    fails(
        json!({"action": "create_track", "type": "audio", "instrument": "sine"}),
        "NOT_MIDI_TRACK",
    );
    fails(
        json!({"action": "create_track", "id": "c1"}),
        "DUPLICATE_ID",
    );
    fails(
        json!({"action": "create_track", "color": "red"}),
        "INVALID_VALUE",
    );
    fails(
        json!({"action": "create_track", "name": ""}),
        "INVALID_VALUE",
    );
}

#[test]
fn delete_track_takes_its_clips_and_effects() {
    let mut song = song();
    run(
        &mut song,
        json!({"action": "delete_track", "track_id": "keys"}),
    )
    .unwrap();
    assert!(song.clips.is_empty() && song.track_effects.is_empty());
    assert_eq!(song.tracks.len(), 1);
    fails(
        json!({"action": "delete_track", "track_id": "ghost"}),
        "TRACK_NOT_FOUND",
    );
}

#[test]
fn rename_track_needs_a_real_name() {
    let mut song = song();
    run(
        &mut song,
        json!({"action": "rename_track", "track_id": "keys", "name": "Piano"}),
    )
    .unwrap();
    assert_eq!(song.tracks[0].name, "Piano");
    fails(
        json!({"action": "rename_track", "track_id": "keys", "name": "  "}),
        "INVALID_VALUE",
    );
    fails(
        json!({"action": "rename_track", "track_id": "ghost", "name": "x"}),
        "TRACK_NOT_FOUND",
    );
}

#[test]
fn change_track_instrument_validates_the_name() {
    let mut song = song();
    run(
        &mut song,
        json!({"action": "change_track_instrument", "track_id": "keys", "instrument": "sine"}),
    )
    .unwrap();
    fails(
        json!({"action": "change_track_instrument", "track_id": "keys", "instrument": "kazoo"}),
        "UNKNOWN_INSTRUMENT",
    );
    fails(
        json!({"action": "change_track_instrument", "track_id": "vox", "instrument": "sine"}),
        "NOT_MIDI_TRACK",
    );
    fails(
        json!({"action": "change_track_instrument", "track_id": "ghost", "instrument": "sine"}),
        "TRACK_NOT_FOUND",
    );
}

#[test]
fn reorder_tracks_rejects_duplicates() {
    let mut song = song();
    run(
        &mut song,
        json!({"action": "reorder_tracks", "track_order": ["vox", "keys"]}),
    )
    .unwrap();
    assert_eq!(song.tracks[0].id.as_str(), "vox");
    fails(
        json!({"action": "reorder_tracks", "track_order": ["keys", "keys"]}),
        "INVALID_TRACK_ORDER",
    );
    fails(
        json!({"action": "reorder_tracks", "track_order": ["keys"]}),
        "INVALID_TRACK_ORDER",
    );
    fails(
        json!({"action": "reorder_tracks", "track_order": ["keys", "vox", "ghost"]}),
        "INVALID_TRACK_ORDER",
    );
}

#[test]
fn set_track_parameter_checks_type_and_range() {
    let mut song = song();
    for (parameter, value) in [
        ("volume", json!(1.5)),
        ("pan", json!(-1)),
        ("mute", json!(true)),
        ("solo", json!(true)),
    ] {
        run(&mut song, json!({"action": "set_track_parameter", "track_id": "keys", "parameter": parameter, "value": value})).unwrap();
    }
    let track = &song.tracks[0];
    assert_eq!(
        (track.volume, track.pan, track.is_muted, track.is_solo),
        (1.5, -1.0, true, true)
    );
    let set = |parameter: &str, value: serde_json::Value| json!({"action": "set_track_parameter", "track_id": "keys", "parameter": parameter, "value": value});
    fails(set("volume", json!(2.5)), "OUT_OF_RANGE");
    fails(set("pan", json!(1.1)), "OUT_OF_RANGE");
    fails(set("mute", json!(1)), "INVALID_VALUE");
    fails(set("volume", json!(true)), "INVALID_VALUE");
    fails(set("brightness", json!(1)), "INVALID_PARAMETERS");
    fails(
        json!({"action": "set_track_parameter", "track_id": "ghost", "parameter": "mute", "value": true}),
        "TRACK_NOT_FOUND",
    );
}

#[test]
fn set_drum_kit_loads_pads_into_a_midi_track() {
    let mut song = song();
    let done = run(
        &mut song,
        json!({"action": "set_drum_kit", "track_id": "keys", "kit_id": "808-core"}),
    )
    .unwrap();
    assert_eq!(done.data.unwrap()["pad_count"], 15);
    fails(
        json!({"action": "set_drum_kit", "track_id": "keys", "kit_id": "nope"}),
        "KIT_NOT_FOUND",
    );
    fails(
        json!({"action": "set_drum_kit", "track_id": "vox", "kit_id": "808-core"}),
        "NOT_MIDI_TRACK",
    );
    fails(
        json!({"action": "set_drum_kit", "track_id": "ghost", "kit_id": "808-core"}),
        "TRACK_NOT_FOUND",
    );
}

#[test]
fn add_effect_honours_parameters_and_slots() {
    let mut song = song();
    let done = run(&mut song, json!({"action": "add_effect", "track_id": "vox", "effect_name": "delay", "slot_index": 3, "parameters": {"mix": 0.9}})).unwrap();
    assert_eq!(done.data.as_ref().unwrap()["slot_index"], 3);
    let effect_id = id(done.data.unwrap()["effect_id"].as_str().unwrap());
    assert_eq!(
        sonic_daw::effects::effect(&song, &effect_id)
            .unwrap()
            .parameters["mix"],
        0.9
    );
    let add = |extra: serde_json::Value| {
        let mut base = json!({"action": "add_effect", "track_id": "keys", "effect_name": "gain"});
        base.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        base
    };
    fails(add(json!({"effect_name": "wah"})), "UNKNOWN_EFFECT");
    fails(add(json!({"track_id": "ghost"})), "TRACK_NOT_FOUND");
    fails(add(json!({"slot_index": 8})), "OUT_OF_RANGE");
    fails(add(json!({"slot_index": -1})), "OUT_OF_RANGE");
    fails(add(json!({"slot_index": 0})), "SLOT_OCCUPIED");
    fails(add(json!({"parameters": {"gain": 99}})), "OUT_OF_RANGE");
    fails(
        add(json!({"parameters": {"drive": 1}})),
        "UNKNOWN_PARAMETER",
    );
    let mut full = song.clone();
    for _ in 0..6 {
        run(&mut full, add(json!({}))).unwrap();
    }
    assert_eq!(
        run(&mut full, add(json!({}))).unwrap_err().code,
        "CHAIN_FULL"
    );
}

#[test]
fn remove_effect_removes_it() {
    let mut song = song();
    run(
        &mut song,
        json!({"action": "remove_effect", "effect_id": "fx1"}),
    )
    .unwrap();
    assert_eq!(sonic_daw::effects::chain(&song, &id("keys")).len(), 1);
    fails(
        json!({"action": "remove_effect", "effect_id": "ghost"}),
        "EFFECT_NOT_FOUND",
    );
}

#[test]
fn bypass_effect_works() {
    let mut song = song();
    run(
        &mut song,
        json!({"action": "bypass_effect", "effect_id": "fx1", "bypassed": true}),
    )
    .unwrap();
    assert!(
        sonic_daw::effects::effect(&song, &id("fx1"))
            .unwrap()
            .is_bypassed
    );
    fails(
        json!({"action": "bypass_effect", "effect_id": "ghost", "bypassed": true}),
        "EFFECT_NOT_FOUND",
    );
    fails(
        json!({"action": "bypass_effect", "effect_id": "fx1", "bypassed": "yes"}),
        "INVALID_PARAMETERS",
    );
}

#[test]
fn reorder_effects_reorders_the_real_chain() {
    let mut song = song();
    run(
        &mut song,
        json!({"action": "reorder_effects", "track_id": "keys", "effect_order": ["fx2", "fx1"]}),
    )
    .unwrap();
    let chain = sonic_daw::effects::chain(&song, &id("keys"));
    assert_eq!((chain[0].id.as_str(), chain[0].slot_index), ("fx2", 0));
    fails(
        json!({"action": "reorder_effects", "track_id": "keys", "effect_order": ["fx1", "fx1"]}),
        "INVALID_EFFECT_ORDER",
    );
    fails(
        json!({"action": "reorder_effects", "track_id": "vox", "effect_order": ["fx1"]}),
        "INVALID_EFFECT_ORDER",
    );
    fails(
        json!({"action": "reorder_effects", "track_id": "ghost", "effect_order": []}),
        "TRACK_NOT_FOUND",
    );
}

#[test]
fn set_effect_parameter_takes_parameter_and_rejects_out_of_range() {
    let mut song = song();
    run(&mut song, json!({"action": "set_effect_parameter", "effect_id": "fx1", "parameter": "cutoff", "value": 800})).unwrap();
    assert_eq!(
        sonic_daw::effects::effect(&song, &id("fx1"))
            .unwrap()
            .parameters["cutoff"],
        800.0
    );
    fails(
        json!({"action": "set_effect_parameter", "effect_id": "fx1", "parameter": "cutoff", "value": 5}),
        "OUT_OF_RANGE",
    );
    fails(
        json!({"action": "set_effect_parameter", "effect_id": "fx1", "parameter": "drive", "value": 1}),
        "UNKNOWN_PARAMETER",
    );
    fails(
        json!({"action": "set_effect_parameter", "effect_id": "ghost", "parameter": "cutoff", "value": 800}),
        "EFFECT_NOT_FOUND",
    );
}

#[test]
fn set_tempo_enforces_20_to_300() {
    let mut song = song();
    run(&mut song, json!({"action": "set_tempo", "tempo": 20})).unwrap();
    assert_eq!(song.tempo, 20.0);
    fails(
        json!({"action": "set_tempo", "tempo": 19.9}),
        "OUT_OF_RANGE",
    );
    fails(
        json!({"action": "set_tempo", "tempo": 300.5}),
        "OUT_OF_RANGE",
    );
}

#[test]
fn set_time_signature_checks_the_pattern() {
    let mut song = song();
    run(
        &mut song,
        json!({"action": "set_time_signature", "time_signature": "6/8"}),
    )
    .unwrap();
    assert_eq!(song.time_signature, "6/8");
    fails(
        json!({"action": "set_time_signature", "time_signature": "six/8"}),
        "INVALID_VALUE",
    );
    fails(
        json!({"action": "set_time_signature", "time_signature": "4/3"}),
        "INVALID_VALUE",
    );
}

#[test]
fn set_loop_points_needs_end_after_start() {
    let mut song = song();
    run(
        &mut song,
        json!({"action": "set_loop_points", "loop_start": 4, "loop_end": 12, "loop_enabled": true}),
    )
    .unwrap();
    assert_eq!(
        (song.loop_start, song.loop_end, song.loop_enabled),
        (4.0, 12.0, true)
    );
    fails(
        json!({"action": "set_loop_points", "loop_start": 8, "loop_end": 8}),
        "OUT_OF_RANGE",
    );
    fails(
        json!({"action": "set_loop_points", "loop_start": -1, "loop_end": 8}),
        "OUT_OF_RANGE",
    );
}

#[test]
fn seek_to_position_sets_the_position() {
    let mut song = song();
    run(
        &mut song,
        json!({"action": "seek_to_position", "position": 12.5}),
    )
    .unwrap();
    assert_eq!(song.current_position, 12.5);
    fails(
        json!({"action": "seek_to_position", "position": -3}),
        "OUT_OF_RANGE",
    );
}

#[test]
fn rename_composition_needs_a_real_name() {
    let mut song = song();
    run(
        &mut song,
        json!({"action": "rename_composition", "name": "Sunrise"}),
    )
    .unwrap();
    assert_eq!(song.name, "Sunrise");
    fails(
        json!({"action": "rename_composition", "name": ""}),
        "INVALID_VALUE",
    );
}

#[test]
fn clear_composition_reports_what_it_removed() {
    let mut song = song();
    let done = run(&mut song, json!({"action": "clear_composition"})).unwrap();
    assert_eq!(
        done.data.unwrap(),
        json!({"tracks_removed": 2, "clips_removed": 1})
    );
    assert!(
        song.tracks.is_empty()
            && song.track_effects.is_empty()
            && song.mixer_state.channels.is_empty()
    );
    song.validate().unwrap();
    fails(
        json!({"action": "clear_composition", "everything": true}),
        "INVALID_PARAMETERS",
    );
}

#[test]
fn play_and_stop_set_the_transport() {
    let mut song = song();
    let own = song.id.to_string();
    run(
        &mut song,
        json!({"action": "play_composition", "composition_id": own}),
    )
    .unwrap();
    assert!(song.is_playing);
    run(&mut song, json!({"action": "stop_playback"})).unwrap();
    assert!(!song.is_playing);
    fails(
        json!({"action": "play_composition", "composition_id": "other"}),
        "COMPOSITION_MISMATCH",
    );
}
