use super::*;

fn song() -> Composition {
    Composition::new("Tracks")
}

fn midi(song: &mut Composition, name: &str) -> Id {
    add_track(song, NewTrack::new(name, TrackType::Midi)).unwrap()
}

#[test]
fn a_new_track_gets_a_mixer_channel_and_a_checked_instrument_and_kit() {
    let mut song = song();
    let mut new = NewTrack::new("Drums", TrackType::Midi);
    new.instrument = Some("sine".into());
    new.kit_id = Some("808-core".into());
    new.id = Some(Id::parse("drums").unwrap());
    let id = add_track(&mut song, new).unwrap();
    assert_eq!(id.as_str(), "drums");
    let track = &song.tracks[0];
    assert_eq!(track.kit_id.as_deref(), Some("808-core"));
    assert_eq!(track.kit.as_ref().unwrap().len(), 15);
    assert!(song.mixer_state.channel_for_track(&id).is_some());
    song.validate().unwrap();
}

#[test]
fn bad_new_tracks_are_refused_without_changes() {
    let mut song = song();
    let taken = midi(&mut song, "a");
    let before = song.clone();
    let mut unknown = NewTrack::new("x", TrackType::Midi);
    unknown.instrument = Some("kazoo".into());
    assert_eq!(
        add_track(&mut song, unknown).unwrap_err().code(),
        "UNKNOWN_INSTRUMENT"
    );
    let mut audio = NewTrack::new("x", TrackType::Audio);
    audio.instrument = Some("sine".into());
    assert_eq!(
        add_track(&mut song, audio).unwrap_err().code(),
        "NOT_MIDI_TRACK"
    );
    let mut dup = NewTrack::new("x", TrackType::Midi);
    dup.id = Some(taken);
    assert_eq!(
        add_track(&mut song, dup).unwrap_err().code(),
        "DUPLICATE_ID"
    );
    let mut color = NewTrack::new("x", TrackType::Midi);
    color.color = Some("blue".into());
    assert_eq!(
        add_track(&mut song, color).unwrap_err().code(),
        "INVALID_VALUE"
    );
    let mut kit = NewTrack::new("x", TrackType::Midi);
    kit.kit_id = Some("nope".into());
    assert_eq!(
        add_track(&mut song, kit).unwrap_err().code(),
        "KIT_NOT_FOUND"
    );
    assert_eq!(song, before);
}

#[test]
fn deleting_a_track_takes_its_clips_channel_chain_and_assignment() {
    let mut song = song();
    let a = midi(&mut song, "a");
    let b = midi(&mut song, "b");
    song.clips
        .push(sonic_model::Clip::midi(a.clone(), "c", 0.0, 1.0, vec![]));
    song.clips
        .push(sonic_model::Clip::midi(b.clone(), "d", 0.0, 1.0, vec![]));
    crate::effects::add_effect(
        &mut song,
        crate::effects::NewEffect {
            id: None,
            track_id: a.clone(),
            effect_name: "reverb".into(),
            slot_index: None,
            display_name: None,
            parameters: Default::default(),
        },
    )
    .unwrap();
    song.sample_assignments.insert(a.clone(), "x.wav".into());
    let removed = delete_track(&mut song, &a).unwrap();
    assert_eq!(removed.clips_removed, 1);
    assert_eq!(removed.effects_removed, 1);
    assert_eq!(song.tracks.len(), 1);
    assert_eq!(song.clips.len(), 1);
    assert!(song.track_effects.is_empty());
    assert_eq!(song.mixer_state.channels.len(), 1);
    assert!(song.sample_assignments.is_empty());
    assert_eq!(
        delete_track(&mut song, &a).unwrap_err().code(),
        "TRACK_NOT_FOUND"
    );
    song.validate().unwrap();
}

#[test]
fn reorder_needs_every_track_exactly_once() {
    let mut song = song();
    let a = midi(&mut song, "a");
    let b = midi(&mut song, "b");
    let c = midi(&mut song, "c");
    let err = reorder_tracks(&mut song, &[a.clone(), a.clone(), b.clone()]).unwrap_err();
    assert_eq!(err.code(), "INVALID_TRACK_ORDER");
    assert!(reorder_tracks(&mut song, &[a.clone(), b.clone()]).is_err());
    assert!(reorder_tracks(&mut song, &[a.clone(), b.clone(), Id::generate()]).is_err());
    reorder_tracks(&mut song, &[c.clone(), a.clone(), b.clone()]).unwrap();
    let order: Vec<Id> = song.tracks.iter().map(|t| t.id.clone()).collect();
    assert_eq!(order, vec![c, a, b]);
}

#[test]
fn parameters_are_range_checked_and_mirrored_to_the_channel() {
    let mut song = song();
    let a = midi(&mut song, "a");
    set_volume(&mut song, &a, 1.5).unwrap();
    assert_eq!(
        set_volume(&mut song, &a, 2.5).unwrap_err().code(),
        "OUT_OF_RANGE"
    );
    assert!(set_pan(&mut song, &a, -1.5).is_err());
    set_pan(&mut song, &a, 0.25).unwrap();
    set_mute(&mut song, &a, true).unwrap();
    set_solo(&mut song, &a, true).unwrap();
    set_armed(&mut song, &a, true).unwrap();
    let channel = song.mixer_state.channel_for_track(&a).unwrap();
    assert_eq!(
        (channel.pan, channel.mute, channel.solo, channel.armed),
        (0.25, true, true, true)
    );
    assert_eq!(song.tracks[0].volume, 1.5);
    rename_track(&mut song, &a, "Lead").unwrap();
    assert_eq!(song.mixer_state.channel_for_track(&a).unwrap().name, "Lead");
    assert!(rename_track(&mut song, &a, "").is_err());
    set_color(&mut song, &a, "#fff").unwrap();
    assert_eq!(
        set_mute(&mut song, &Id::generate(), true)
            .unwrap_err()
            .code(),
        "TRACK_NOT_FOUND"
    );
}

#[test]
fn instruments_and_kits_need_a_midi_track_and_a_known_name() {
    let mut song = song();
    let a = midi(&mut song, "a");
    let audio = add_track(&mut song, NewTrack::new("vox", TrackType::Audio)).unwrap();
    set_instrument(&mut song, &a, "sine").unwrap();
    assert_eq!(
        set_instrument(&mut song, &a, "nope").unwrap_err().code(),
        "UNKNOWN_INSTRUMENT"
    );
    assert_eq!(
        set_instrument(&mut song, &audio, "sine")
            .unwrap_err()
            .code(),
        "NOT_MIDI_TRACK"
    );
    let kit = set_drum_kit(&mut song, &a, "808-core").unwrap();
    assert_eq!(kit.name, "808 Core Kit");
    assert_eq!(
        set_drum_kit(&mut song, &audio, "808-core")
            .unwrap_err()
            .code(),
        "NOT_MIDI_TRACK"
    );
    assert_eq!(
        set_drum_kit(&mut song, &a, "x").unwrap_err().code(),
        "KIT_NOT_FOUND"
    );
    clear_drum_kit(&mut song, &a).unwrap();
    assert!(song.tracks[0].kit.is_none());
}
