//! Property test: any valid composition survives a JSON round trip unchanged.

use proptest::prelude::*;

use crate::*;

fn finite(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    prop_oneof![Just(lo), Just(hi), lo..=hi]
}

fn note() -> impl Strategy<Value = MidiNote> {
    (
        0u8..=127,
        finite(0.0, 64.0),
        0.001f64..16.0,
        0u8..=127,
        0u8..=15,
    )
        .prop_map(|(n, s, d, v, ch)| {
            let mut note = MidiNote::new(n, s, d, v);
            note.channel = ch;
            note
        })
}

prop_compose! {
    fn composition()(
        name in "[A-Za-z][A-Za-z0-9 ]{0,20}",
        tempo in 1.0f64..=300.0,
        tracks in prop::collection::vec((any::<bool>(), finite(0.0, 2.0), finite(-1.0, 1.0)), 0..5),
        clips in prop::collection::vec(
            (any::<prop::sample::Index>(), finite(0.0, 512.0), 0.01f64..64.0, prop::collection::vec(note(), 0..20), finite(0.0, 2.0)),
            0..8),
        effects in prop::collection::vec((any::<prop::sample::Index>(), 0u8..8, -100.0f64..20000.0), 0..6),
        metadata_value in any::<f64>().prop_filter("finite", |v| v.is_finite()),
        loop_end in 0.5f64..1000.0,
    ) -> Composition {
        let mut song = Composition::new(name);
        song.tempo = tempo;
        song.loop_end = loop_end;
        song.metadata.insert("x".into(), serde_json::json!(metadata_value));
        for (i, (midi, volume, pan)) in tracks.into_iter().enumerate() {
            let kind = if midi { TrackType::Midi } else { TrackType::Audio };
            let mut track = Track::new(song.id.clone(), format!("T{i}"), kind);
            track.volume = volume;
            track.pan = pan;
            song.mixer_state.channels.push(MixerChannel::for_track(track.id.clone(), format!("T{i}")));
            song.tracks.push(track);
        }
        if !song.tracks.is_empty() {
            for (i, (index, start, dur, notes, gain)) in clips.into_iter().enumerate() {
                let track = index.get(&song.tracks).id.clone();
                let mut clip = Clip::midi(track, format!("C{i}"), start, dur, notes);
                clip.gain = gain;
                song.clips.push(clip);
            }
            for (index, slot, value) in effects {
                let track = index.get(&song.tracks).id.clone();
                let pos = match song.track_effects.iter().position(|c| c.track_id == track) {
                    Some(pos) => pos,
                    None => {
                        song.track_effects.push(TrackEffectChain::new(track.clone()));
                        song.track_effects.len() - 1
                    }
                };
                let chain = &mut song.track_effects[pos];
                if chain.effects.iter().all(|e| e.slot_index != slot) {
                    let def = EffectDefinition {
                        name: "lpf".into(), display_name: "Low-Pass Filter".into(),
                        category: "Filter".into(), description: String::new(),
                        parameters: vec![EffectParameter {
                            name: "cutoff".into(), display_name: "Cutoff".into(), param_type: "float".into(),
                            default: value, min: 20.0, max: 20000.0, unit: Some("Hz".into()), options: None,
                        }],
                        is_stereo: true, latency_ms: 0.0,
                    };
                    chain.effects.push(EffectInstance::new(&def, track, slot));
                }
            }
        }
        song
    }
}

proptest! {
    #[test]
    fn any_valid_composition_round_trips_through_json(song in composition()) {
        prop_assert!(song.validate().is_ok(), "{:?}", song.validate());
        let json = serde_json::to_string(&song).unwrap();
        let back: Composition = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &song);
        let pretty = serde_json::to_vec_pretty(&song).unwrap();
        prop_assert_eq!(serde_json::from_slice::<Composition>(&pretty).unwrap(), song);
    }
}

#[test]
fn validation_names_the_field_and_value() {
    let mut song = Composition::new("s");
    let track = Track::new(song.id.clone(), "t", TrackType::Midi);
    let track_id = track.id.clone();
    song.tracks.push(track);
    song.tracks[0].volume = 3.0;
    let err = song.validate().unwrap_err();
    assert_eq!(err.field(), "tracks[0].volume");
    assert!(err.to_string().contains('3'), "{err}");
    song.tracks[0].volume = 1.0;

    song.clips
        .push(Clip::midi(Id::generate(), "c", 0.0, 1.0, vec![]));
    assert!(matches!(
        song.validate(),
        Err(ModelError::UnknownReference { kind: "track", .. })
    ));
    song.clips[0].track_id = track_id.clone();
    assert!(song.validate().is_ok());

    let dup = song.clips[0].clone();
    song.clips.push(dup);
    assert!(matches!(song.validate(), Err(ModelError::Duplicate { .. })));
    song.clips.pop();

    for bad in ["4", "0/4", "4/3", "x/4", "4/4/4", "", "4/0"] {
        song.time_signature = bad.into();
        assert_eq!(
            song.validate().unwrap_err().field(),
            "time_signature",
            "{bad}"
        );
    }
    song.time_signature = "7/8".into();
    song.loop_end = song.loop_start;
    assert_eq!(song.validate().unwrap_err().field(), "loop_end");
}

#[test]
fn a_minimal_original_style_document_loads_with_defaults() {
    let json = r#"{"id":"abc","name":"Old","tracks":[{"id":"t1","name":"Drums","composition_id":"abc","type":"sample"}],
        "clips":[],"created_at":"2026-02-18T14:30:22.123456","updated_at":"2026-02-18T14:30:22.123456"}"#;
    let song: Composition = serde_json::from_str(json).unwrap();
    assert_eq!(song.tempo, 120.0);
    assert_eq!(song.tracks[0].track_type, TrackType::Audio);
    assert_eq!(song.loop_end, 16.0);
    assert_eq!(song.mixer_state.master.id.as_str(), "master");
    assert!(song.validate().is_ok());
}

#[test]
fn sample_use_is_found_on_tracks_and_clips() {
    let mut song = Composition::new("s");
    let mut track = Track::new(song.id.clone(), "t", TrackType::Audio);
    let (a, b) = (Id::generate(), Id::generate());
    track.sample_id = Some(a.clone());
    song.clips
        .push(Clip::audio(track.id.clone(), "c", 0.0, 1.0, b.clone()));
    song.clips
        .push(Clip::audio(track.id.clone(), "d", 1.0, 1.0, a.clone()));
    song.tracks.push(track);
    assert_eq!(song.sample_ids(), vec![&a, &b]);
    assert!(song.uses_sample(&b));
    assert!(!song.uses_sample(&Id::generate()));
}
