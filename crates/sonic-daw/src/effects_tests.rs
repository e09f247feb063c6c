use super::*;
use crate::tracks::{self, NewTrack};
use sonic_model::TrackType;

fn setup() -> (Composition, Id) {
    let mut song = Composition::new("Fx");
    let track = tracks::add_track(&mut song, NewTrack::new("t", TrackType::Midi)).unwrap();
    (song, track)
}

fn new(track: &Id, name: &str) -> NewEffect {
    NewEffect {
        id: None,
        track_id: track.clone(),
        effect_name: name.into(),
        slot_index: None,
        display_name: None,
        parameters: BTreeMap::new(),
    }
}

#[test]
fn add_takes_the_first_free_slot_and_honours_parameters() {
    let (mut song, track) = setup();
    let mut reverb = new(&track, "reverb");
    reverb.parameters.insert("mix".into(), 0.8);
    let (id, slot) = add_effect(&mut song, reverb).unwrap();
    assert_eq!(slot, 0);
    let fx = effect(&song, &id).unwrap();
    assert_eq!(fx.parameters["mix"], 0.8);
    assert_eq!(fx.display_name, "Reverb 1");
    let mut at5 = new(&track, "lpf");
    at5.slot_index = Some(5);
    assert_eq!(add_effect(&mut song, at5).unwrap().1, 5);
    assert_eq!(add_effect(&mut song, new(&track, "hpf")).unwrap().1, 1);
    song.validate().unwrap();
}

#[test]
fn bad_effects_are_refused_before_anything_changes() {
    let (mut song, track) = setup();
    let mut taken = new(&track, "lpf");
    taken.slot_index = Some(2);
    add_effect(&mut song, taken.clone()).unwrap();
    let before = song.clone();
    assert_eq!(
        add_effect(&mut song, new(&track, "wah"))
            .unwrap_err()
            .code(),
        "UNKNOWN_EFFECT"
    );
    assert_eq!(
        add_effect(&mut song, new(&Id::generate(), "lpf"))
            .unwrap_err()
            .code(),
        "TRACK_NOT_FOUND"
    );
    assert_eq!(
        add_effect(&mut song, taken).unwrap_err().code(),
        "SLOT_OCCUPIED"
    );
    let mut far = new(&track, "lpf");
    far.slot_index = Some(8);
    assert_eq!(
        add_effect(&mut song, far).unwrap_err().code(),
        "OUT_OF_RANGE"
    );
    let mut loud = new(&track, "lpf");
    loud.parameters.insert("cutoff".into(), 30000.0);
    assert_eq!(
        add_effect(&mut song, loud).unwrap_err().code(),
        "OUT_OF_RANGE"
    );
    let mut odd = new(&track, "lpf");
    odd.parameters.insert("size".into(), 1.0);
    assert_eq!(
        add_effect(&mut song, odd).unwrap_err().code(),
        "UNKNOWN_PARAMETER"
    );
    assert_eq!(song, before);
}

#[test]
fn a_chain_holds_at_most_eight_effects() {
    let (mut song, track) = setup();
    for _ in 0..8 {
        add_effect(&mut song, new(&track, "gain")).unwrap();
    }
    assert_eq!(
        add_effect(&mut song, new(&track, "gain"))
            .unwrap_err()
            .code(),
        "CHAIN_FULL"
    );
}

#[test]
fn parameters_and_bypass_are_checked_and_kept_in_step() {
    let (mut song, track) = setup();
    let (id, _) = add_effect(&mut song, new(&track, "delay")).unwrap();
    set_parameter(&mut song, &id, "feedback", 0.7).unwrap();
    assert_eq!(
        set_parameter(&mut song, &id, "feedback", 2.0)
            .unwrap_err()
            .code(),
        "OUT_OF_RANGE"
    );
    assert_eq!(
        set_parameter(&mut song, &id, "nope", 0.0)
            .unwrap_err()
            .code(),
        "UNKNOWN_PARAMETER"
    );
    assert_eq!(
        set_parameter(&mut song, &Id::generate(), "mix", 0.0)
            .unwrap_err()
            .code(),
        "EFFECT_NOT_FOUND"
    );
    set_bypass(&mut song, &id, true).unwrap();
    let fx = effect(&song, &id).unwrap();
    assert!(fx.is_bypassed);
    assert_eq!(fx.parameters["bypass"], 1.0);
    set_parameter(&mut song, &id, "bypass", 0.0).unwrap();
    assert!(!effect(&song, &id).unwrap().is_bypassed);
    rename_effect(&mut song, &id, "Echo").unwrap();
    assert!(rename_effect(&mut song, &id, "").is_err());
}

#[test]
fn move_and_reorder_change_the_real_slots() {
    let (mut song, track) = setup();
    let a = add_effect(&mut song, new(&track, "lpf")).unwrap().0;
    let b = add_effect(&mut song, new(&track, "reverb")).unwrap().0;
    let c = add_effect(&mut song, new(&track, "delay")).unwrap().0;
    assert_eq!(
        move_effect(&mut song, &a, 1).unwrap_err().code(),
        "SLOT_OCCUPIED"
    );
    assert!(move_effect(&mut song, &a, 8).is_err());
    move_effect(&mut song, &a, 6).unwrap();
    let order = |song: &Composition| {
        chain(song, &track)
            .iter()
            .map(|e| (e.id.clone(), e.slot_index))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        order(&song),
        vec![(b.clone(), 1), (c.clone(), 2), (a.clone(), 6)]
    );
    reorder_effects(&mut song, &track, &[c.clone(), a.clone(), b.clone()]).unwrap();
    assert_eq!(
        order(&song),
        vec![(c.clone(), 0), (a.clone(), 1), (b.clone(), 2)]
    );
    let err = reorder_effects(&mut song, &track, &[c.clone(), c.clone(), b.clone()]).unwrap_err();
    assert_eq!(err.code(), "INVALID_EFFECT_ORDER");
    assert!(reorder_effects(&mut song, &track, std::slice::from_ref(&c)).is_err());
    remove_effect(&mut song, &a).unwrap();
    assert_eq!(
        remove_effect(&mut song, &a).unwrap_err().code(),
        "EFFECT_NOT_FOUND"
    );
    assert_eq!(clear_effects(&mut song, &track).unwrap(), 2);
    assert!(song.track_effects.is_empty());
    song.validate().unwrap();
}
