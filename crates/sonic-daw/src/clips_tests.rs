use super::*;
use crate::tracks::{self, NewTrack};

fn setup() -> (Composition, Id, Id) {
    let mut song = Composition::new("Clips");
    let midi = tracks::add_track(&mut song, NewTrack::new("keys", TrackType::Midi)).unwrap();
    let audio = tracks::add_track(&mut song, NewTrack::new("vox", TrackType::Audio)).unwrap();
    (song, midi, audio)
}

fn notes() -> Vec<MidiNote> {
    vec![
        MidiNote::new(60, 0.0, 1.0, 100),
        MidiNote::new(64, 1.5, 1.0, 90),
        MidiNote::new(67, 3.0, 1.0, 80),
    ]
}

fn new_midi(track: &Id) -> NewMidiClip {
    NewMidiClip {
        id: None,
        track_id: track.clone(),
        name: None,
        start_time: 4.0,
        duration: 4.0,
        notes: notes(),
    }
}

#[test]
fn midi_clips_go_on_midi_tracks_only_with_valid_notes() {
    let (mut song, midi, audio) = setup();
    let id = add_midi_clip(&mut song, new_midi(&midi)).unwrap();
    assert_eq!(song.clip(&id).unwrap().name, "MIDI Clip 1");
    let before = song.clone();
    assert_eq!(
        add_midi_clip(&mut song, new_midi(&audio))
            .unwrap_err()
            .code(),
        "NOT_MIDI_TRACK"
    );
    assert_eq!(
        add_midi_clip(&mut song, new_midi(&Id::generate()))
            .unwrap_err()
            .code(),
        "TRACK_NOT_FOUND"
    );
    let mut bad = new_midi(&midi);
    bad.notes[1].velocity = 128;
    assert_eq!(
        add_midi_clip(&mut song, bad).unwrap_err().code(),
        "OUT_OF_RANGE"
    );
    let mut bad = new_midi(&midi);
    bad.duration = 0.0;
    assert!(add_midi_clip(&mut song, bad).is_err());
    let mut dup = new_midi(&midi);
    dup.id = Some(id);
    assert_eq!(
        add_midi_clip(&mut song, dup).unwrap_err().code(),
        "DUPLICATE_ID"
    );
    assert_eq!(song, before);
}

#[test]
fn audio_clips_reference_a_sample_on_an_audio_track() {
    let (mut song, midi, audio) = setup();
    let new = |track: &Id| NewAudioClip {
        id: None,
        track_id: track.clone(),
        name: Some("Take".into()),
        start_time: 0.0,
        duration: 8.0,
        sample_id: Id::parse("sample-1").unwrap(),
        audio_file_path: None,
    };
    let id = add_audio_clip(&mut song, new(&audio)).unwrap();
    assert_eq!(song.clip(&id).unwrap().audio_offset, Some(0.0));
    assert_eq!(
        add_audio_clip(&mut song, new(&midi)).unwrap_err().code(),
        "WRONG_TYPE"
    );
}

#[test]
fn modify_changes_only_the_given_fields_and_honours_mute() {
    let (mut song, midi, audio) = setup();
    let id = add_midi_clip(&mut song, new_midi(&midi)).unwrap();
    let changes = ClipChanges {
        is_muted: Some(true),
        gain: Some(1.5),
        ..ClipChanges::default()
    };
    modify_clip(&mut song, &id, changes).unwrap();
    let clip = song.clip(&id).unwrap();
    assert!(clip.is_muted);
    assert_eq!(
        (clip.gain, clip.start_time, clip.notes().len()),
        (1.5, 4.0, 3)
    );
    let before = song.clone();
    let bad = ClipChanges {
        gain: Some(3.0),
        is_muted: Some(false),
        ..ClipChanges::default()
    };
    assert_eq!(
        modify_clip(&mut song, &id, bad).unwrap_err().code(),
        "OUT_OF_RANGE"
    );
    assert_eq!(song, before);
    let audio_clip = add_audio_clip(
        &mut song,
        NewAudioClip {
            id: None,
            track_id: audio,
            name: None,
            start_time: 0.0,
            duration: 1.0,
            sample_id: Id::parse("s").unwrap(),
            audio_file_path: None,
        },
    )
    .unwrap();
    let notes_on_audio = ClipChanges {
        notes: Some(notes()),
        ..ClipChanges::default()
    };
    assert_eq!(
        modify_clip(&mut song, &audio_clip, notes_on_audio)
            .unwrap_err()
            .code(),
        "WRONG_TYPE"
    );
}

#[test]
fn delete_clears_launcher_slots_and_unknown_clips_are_reported() {
    let (mut song, midi, _) = setup();
    let id = add_midi_clip(&mut song, new_midi(&midi)).unwrap();
    let scene = song.scenes[0].id.clone();
    crate::launcher::set_slot(&mut song, &midi, &scene, Some(&id)).unwrap();
    delete_clip(&mut song, &id).unwrap();
    assert!(song.clips.is_empty());
    assert_eq!(song.clip_slots.as_ref().unwrap()[0][0], None);
    assert_eq!(
        delete_clip(&mut song, &id).unwrap_err().code(),
        "CLIP_NOT_FOUND"
    );
    song.validate().unwrap();
}

#[test]
fn duplicate_copies_every_field_after_the_original() {
    let (mut song, midi, _) = setup();
    let id = add_midi_clip(&mut song, new_midi(&midi)).unwrap();
    song.clips[0].midi_transpose = 5;
    let copy = duplicate_clip(&mut song, &id, None, None).unwrap();
    let (a, b) = (song.clip(&id).unwrap(), song.clip(&copy).unwrap());
    assert_eq!(b.start_time, 8.0);
    assert_eq!(b.midi_transpose, 5);
    assert_eq!(b.notes(), a.notes());
    assert_eq!(b.name, "MIDI Clip 1 (copy)");
    assert!(duplicate_clip(&mut song, &id, Some(-1.0), None).is_err());
    assert_eq!(
        duplicate_clip(&mut song, &Id::generate(), None, None)
            .unwrap_err()
            .code(),
        "CLIP_NOT_FOUND"
    );
}

#[test]
fn move_checks_the_target_track_and_the_start() {
    let (mut song, midi, audio) = setup();
    let other = tracks::add_track(&mut song, NewTrack::new("pad", TrackType::Midi)).unwrap();
    let id = add_midi_clip(&mut song, new_midi(&midi)).unwrap();
    move_clip(&mut song, &id, Some(&other), Some(0.0)).unwrap();
    let clip = song.clip(&id).unwrap();
    assert_eq!((&clip.track_id, clip.start_time), (&other, 0.0));
    assert_eq!(
        move_clip(&mut song, &id, Some(&Id::generate()), None)
            .unwrap_err()
            .code(),
        "TRACK_NOT_FOUND"
    );
    assert_eq!(
        move_clip(&mut song, &id, Some(&audio), None)
            .unwrap_err()
            .code(),
        "NOT_MIDI_TRACK"
    );
    assert_eq!(
        move_clip(&mut song, &id, None, Some(-2.0))
            .unwrap_err()
            .code(),
        "OUT_OF_RANGE"
    );
}

#[test]
fn split_cuts_crossing_notes_and_rebases_the_second_part() {
    let (mut song, midi, _) = setup();
    let id = add_midi_clip(&mut song, new_midi(&midi)).unwrap();
    let given = Id::parse("part-two").unwrap();
    let (first, second) = split_clip(&mut song, &id, 2.0, Some(&given)).unwrap();
    assert_eq!((first.clone(), second.clone()), (id.clone(), given));
    let a = song.clip(&first).unwrap();
    let b = song.clip(&second).unwrap();
    assert_eq!(
        (a.start_time, a.duration, b.start_time, b.duration),
        (4.0, 2.0, 6.0, 2.0)
    );
    let starts = |c: &Clip| {
        c.notes()
            .iter()
            .map(|n| (n.note, n.start_time, n.duration))
            .collect::<Vec<_>>()
    };
    assert_eq!(starts(a), vec![(60, 0.0, 1.0), (64, 1.5, 0.5)]);
    assert_eq!(starts(b), vec![(64, 0.0, 0.5), (67, 1.0, 1.0)]);
    assert_eq!(a.name, "MIDI Clip 1 (1)");
    for bad in [0.0, 2.0, -1.0, f64::NAN] {
        assert_eq!(
            split_clip(&mut song, &second, bad, None)
                .unwrap_err()
                .code(),
            "INVALID_SPLIT_TIME"
        );
    }
    song.validate().unwrap();
}

#[test]
fn splitting_audio_advances_the_file_offset_of_the_second_part() {
    let (mut song, _, audio) = setup();
    let id = add_audio_clip(
        &mut song,
        NewAudioClip {
            id: None,
            track_id: audio,
            name: None,
            start_time: 0.0,
            duration: 8.0,
            sample_id: Id::parse("s").unwrap(),
            audio_file_path: None,
        },
    )
    .unwrap();
    let (_, second) = split_clip(&mut song, &id, 4.0, None).unwrap();
    // 4 beats at 120 BPM are 2 seconds.
    assert_eq!(song.clip(&second).unwrap().audio_offset, Some(2.0));
}

#[test]
fn trim_keeps_notes_in_place_on_the_timeline() {
    let (mut song, midi, _) = setup();
    let id = add_midi_clip(&mut song, new_midi(&midi)).unwrap();
    trim_clip(&mut song, &id, 5.0, 7.5).unwrap();
    let clip = song.clip(&id).unwrap();
    assert_eq!((clip.start_time, clip.duration), (5.0, 2.5));
    let kept: Vec<(u8, f64, f64)> = clip
        .notes()
        .iter()
        .map(|n| (n.note, n.start_time, n.duration))
        .collect();
    assert_eq!(kept, vec![(64, 0.5, 1.0), (67, 2.0, 0.5)]);
    assert!(trim_clip(&mut song, &id, 6.0, 6.0).is_err());
    assert!(trim_clip(&mut song, &id, -1.0, 6.0).is_err());
}

#[test]
fn notes_are_added_and_removed_with_checks() {
    let (mut song, midi, audio) = setup();
    let id = add_midi_clip(&mut song, new_midi(&midi)).unwrap();
    assert_eq!(
        add_notes(&mut song, &id, &[MidiNote::new(72, 3.5, 0.5, 60)]).unwrap(),
        4
    );
    let before = song.clone();
    assert_eq!(
        add_notes(&mut song, &id, &[MidiNote::new(200, 0.0, 1.0, 60)])
            .unwrap_err()
            .code(),
        "OUT_OF_RANGE"
    );
    assert_eq!(
        remove_notes(&mut song, &id, &[0, 9]).unwrap_err().code(),
        "OUT_OF_RANGE"
    );
    assert_eq!(song, before);
    assert_eq!(remove_notes(&mut song, &id, &[0, 2]).unwrap(), 2);
    let left: Vec<u8> = song
        .clip(&id)
        .unwrap()
        .notes()
        .iter()
        .map(|n| n.note)
        .collect();
    assert_eq!(left, vec![64, 72]);
    let audio_clip = add_audio_clip(
        &mut song,
        NewAudioClip {
            id: None,
            track_id: audio,
            name: None,
            start_time: 0.0,
            duration: 1.0,
            sample_id: Id::parse("s").unwrap(),
            audio_file_path: None,
        },
    )
    .unwrap();
    assert_eq!(
        add_notes(&mut song, &audio_clip, &[]).unwrap_err().code(),
        "WRONG_TYPE"
    );
    let fades = ClipChanges {
        fade_in: Some(1.0),
        playback_rate: Some(5.0),
        ..ClipChanges::default()
    };
    assert_eq!(
        modify_clip(&mut song, &audio_clip, fades)
            .unwrap_err()
            .code(),
        "OUT_OF_RANGE"
    );
    let fades = ClipChanges {
        fade_in: Some(1.0),
        pitch_semitones: Some(-3.0),
        ..ClipChanges::default()
    };
    modify_clip(&mut song, &audio_clip, fades).unwrap();
    assert_eq!(song.clip(&audio_clip).unwrap().fade_in, 1.0);
}
