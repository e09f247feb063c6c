//! Track actions.

use serde_json::json;

use super::*;

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
    fails(set("volume", json!(-0.1)), "OUT_OF_RANGE");
    fails(set("pan", json!(1.1)), "OUT_OF_RANGE");
    fails(set("pan", json!(-1.01)), "OUT_OF_RANGE");
    fails(set("mute", json!(1)), "INVALID_VALUE");
    fails(set("volume", json!(true)), "INVALID_VALUE");
    fails(set("brightness", json!(1)), "INVALID_PARAMETERS");
    fails(
        json!({"action": "set_track_parameter", "track_id": "ghost", "parameter": "mute", "value": true}),
        "TRACK_NOT_FOUND",
    );
}

#[test]
fn set_track_parameter_errors_name_the_parameter_as_the_action_spells_it() {
    let mut song = song();
    let set = |parameter: &str, value: serde_json::Value| json!({"action": "set_track_parameter", "track_id": "keys", "parameter": parameter, "value": value});
    let err = run(&mut song, set("mute", json!(1))).unwrap_err();
    assert_eq!(err.message, "value for mute must be true or false");
    let err = run(&mut song, set("pan", json!(false))).unwrap_err();
    assert_eq!(err.message, "value for pan must be a number");
    let err = run(&mut song, set("volume", json!(-0.5))).unwrap_err();
    assert!(err.message.contains("volume"), "{}", err.message);
    let done = run(&mut song, set("solo", json!(true))).unwrap();
    assert_eq!(done.message, "Set solo to true on track keys");
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
    let err = run(
        &mut song,
        json!({"action": "set_drum_kit", "track_id": "vox", "kit_id": "808-core"}),
    )
    .unwrap_err();
    assert_eq!(err.message, "vox is an audio track, expected a midi track");
    fails(
        json!({"action": "set_drum_kit", "track_id": "ghost", "kit_id": "808-core"}),
        "TRACK_NOT_FOUND",
    );
}
