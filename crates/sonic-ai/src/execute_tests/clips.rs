//! Clip actions.

use serde_json::json;

use super::*;

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
        json!({"action": "modify_clip", "clip_id": "c1", "start_time": -0.5}),
        "OUT_OF_RANGE",
    );
    fails(
        json!({"action": "modify_clip", "clip_id": "c1", "is_muted": true, "notes": [{"n": 500, "s": 0, "d": 1}]}),
        "OUT_OF_RANGE",
    );
}

#[test]
fn modify_clip_refuses_notes_on_an_audio_clip() {
    let mut song = song();
    sonic_daw::clips::add_audio_clip(
        &mut song,
        sonic_daw::clips::NewAudioClip {
            id: Some(id("take")),
            track_id: id("vox"),
            name: Some("Take".into()),
            start_time: 0.0,
            duration: 8.0,
            sample_id: id("s1"),
            audio_file_path: None,
        },
    )
    .unwrap();
    let before = song.clone();
    let action = json!({"action": "modify_clip", "clip_id": "take", "gain": 0.5, "notes": [{"n": 60, "s": 0, "d": 1}]});
    let err = run(&mut song, action).unwrap_err();
    assert_eq!(err.code, "WRONG_TYPE");
    assert_eq!(err.message, "take is an audio clip, expected a midi clip");
    assert_eq!(song, before, "nothing changed, not even the gain");
    // The same clip takes the fields that fit it.
    run(
        &mut song,
        json!({"action": "modify_clip", "clip_id": "take", "gain": 0.5, "is_muted": true}),
    )
    .unwrap();
    let take = song.clip(&id("take")).unwrap();
    assert_eq!((take.gain, take.is_muted), (0.5, true));
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
