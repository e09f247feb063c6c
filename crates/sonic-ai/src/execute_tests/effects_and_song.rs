//! Effect, composition and transport actions.

use serde_json::json;

use super::*;

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
