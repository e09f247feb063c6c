//! Property tests over the DAW edits that the AI actions do not reach (launcher, faders,
//! trims, notes, effect moves): any sequence keeps the composition valid, failed edits change
//! nothing, and undoing every successful edit returns exactly the start.

use proptest::prelude::*;
use sonic_daw::{clips, effects, launcher, mixer, song, tracks, OpenComposition, Scope};
use sonic_model::{Composition, Id, MidiNote, TrackType};

#[derive(Debug, Clone)]
enum Edit {
    AddTrack(usize, bool),
    DeleteTrack(usize),
    Fader(usize, f64),
    MasterFader(f64),
    Solo(usize, bool),
    AddScene(usize),
    RemoveScene(usize),
    Slot(usize, usize, Option<usize>),
    AddClip(usize, usize, f64, f64),
    Trim(usize, f64, f64),
    Split(usize, f64),
    AddNote(usize, u8, f64),
    RemoveNote(usize, usize),
    AddEffect(usize, usize, Option<u8>),
    MoveEffect(usize, u8),
    RenameEffect(usize, bool),
    Loop(f64, f64),
    Reorder(Vec<usize>),
}

fn id(prefix: &str, i: usize) -> Id {
    Id::parse(&format!("{prefix}{i}")).unwrap()
}

fn edit() -> impl Strategy<Value = Edit> {
    let i = 0..4usize;
    let beat = -1.0..12.0f64;
    prop_oneof![
        (i.clone(), any::<bool>()).prop_map(|(t, midi)| Edit::AddTrack(t, midi)),
        i.clone().prop_map(Edit::DeleteTrack),
        (i.clone(), -70.0..15.0f64).prop_map(|(t, db)| Edit::Fader(t, db)),
        (-70.0..15.0f64).prop_map(Edit::MasterFader),
        (i.clone(), any::<bool>()).prop_map(|(t, on)| Edit::Solo(t, on)),
        i.clone().prop_map(Edit::AddScene),
        i.clone().prop_map(Edit::RemoveScene),
        (i.clone(), i.clone(), prop::option::of(i.clone()))
            .prop_map(|(t, s, c)| Edit::Slot(t, s, c)),
        (i.clone(), i.clone(), beat.clone(), -1.0..6.0f64)
            .prop_map(|(c, t, s, d)| Edit::AddClip(c, t, s, d)),
        (i.clone(), beat.clone(), beat.clone()).prop_map(|(c, s, e)| Edit::Trim(c, s, e)),
        (i.clone(), -1.0..6.0f64).prop_map(|(c, t)| Edit::Split(c, t)),
        (i.clone(), 0..130u8, beat.clone()).prop_map(|(c, n, s)| Edit::AddNote(c, n, s)),
        (i.clone(), 0..5usize).prop_map(|(c, n)| Edit::RemoveNote(c, n)),
        (i.clone(), i.clone(), prop::option::of(0..9u8))
            .prop_map(|(e, t, s)| Edit::AddEffect(e, t, s)),
        (i.clone(), 0..9u8).prop_map(|(e, s)| Edit::MoveEffect(e, s)),
        (i.clone(), any::<bool>()).prop_map(|(e, ok)| Edit::RenameEffect(e, ok)),
        (beat.clone(), beat).prop_map(|(s, e)| Edit::Loop(s, e)),
        prop::collection::vec(i, 0..5).prop_map(Edit::Reorder),
    ]
}

fn apply(open: &mut OpenComposition, edit: &Edit) -> Result<(), sonic_daw::DawError> {
    use Edit::*;
    let settings = Scope::Settings;
    let everything = Scope::Everything;
    match edit.clone() {
        AddTrack(t, midi) => open.edit(settings, |c| {
            let kind = if midi {
                TrackType::Midi
            } else {
                TrackType::Audio
            };
            let mut new = tracks::NewTrack::new(format!("Track {t}"), kind);
            new.id = Some(id("t", t));
            tracks::add_track(c, new).map(drop)
        }),
        DeleteTrack(t) => open.edit(everything, |c| {
            tracks::delete_track(c, &id("t", t)).map(drop)
        }),
        Fader(t, db) => open.edit(settings, |c| mixer::set_fader(c, &id("t", t), db)),
        MasterFader(db) => open.edit(settings, |c| mixer::set_master_fader(c, db)),
        Solo(t, on) => open.edit(settings, |c| tracks::set_solo(c, &id("t", t), on)),
        AddScene(s) => open.edit(settings, |c| {
            launcher::add_scene(c, Some(&id("s", s)), "Scene", None).map(drop)
        }),
        RemoveScene(s) => open.edit(settings, |c| launcher::remove_scene(c, &id("s", s))),
        Slot(t, s, clip) => open.edit(settings, |c| {
            launcher::set_slot(
                c,
                &id("t", t),
                &id("s", s),
                clip.map(|k| id("c", k)).as_ref(),
            )
        }),
        AddClip(k, t, start, duration) => open.edit(everything, |c| {
            let new = clips::NewMidiClip {
                id: Some(id("c", k)),
                track_id: id("t", t),
                name: None,
                start_time: start,
                duration,
                notes: vec![
                    MidiNote::new(60, 0.0, 1.0, 100),
                    MidiNote::new(62, 1.5, 1.0, 90),
                ],
            };
            clips::add_midi_clip(c, new).map(drop)
        }),
        Trim(k, s, e) => open.edit(everything, |c| clips::trim_clip(c, &id("c", k), s, e)),
        Split(k, at) => open.edit(everything, |c| {
            clips::split_clip(c, &id("c", k), at, None).map(drop)
        }),
        AddNote(k, n, s) => open.edit(everything, |c| {
            clips::add_notes(c, &id("c", k), &[MidiNote::new(n, s, 0.5, 80)]).map(drop)
        }),
        RemoveNote(k, n) => open.edit(everything, |c| {
            clips::remove_notes(c, &id("c", k), &[n]).map(drop)
        }),
        AddEffect(e, t, slot) => open.edit(settings, |c| {
            let new = effects::NewEffect {
                id: Some(id("e", e)),
                track_id: id("t", t),
                effect_name: "delay".into(),
                slot_index: slot,
                display_name: None,
                parameters: Default::default(),
            };
            effects::add_effect(c, new).map(drop)
        }),
        MoveEffect(e, slot) => open.edit(settings, |c| effects::move_effect(c, &id("e", e), slot)),
        RenameEffect(e, ok) => open.edit(settings, |c| {
            effects::rename_effect(c, &id("e", e), if ok { "Echo" } else { "" })
        }),
        Loop(s, e) => open.edit(settings, |c| song::set_loop(c, s, e, Some(true))),
        Reorder(order) => open.edit(settings, |c| {
            let order: Vec<Id> = order.iter().map(|t| id("t", *t)).collect();
            tracks::reorder_tracks(c, &order)
        }),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn edits_keep_the_composition_valid_and_undo_returns_exactly_the_start(
        edits in prop::collection::vec(edit(), 1..40)
    ) {
        let mut open = OpenComposition::new(Composition::new("Props"), 100);
        let start = open.composition().clone();
        let mut steps = 0;
        for edit in &edits {
            let before = open.composition().clone();
            let undo_before = open.undo_count();
            match apply(&mut open, edit) {
                // An edit that changed nothing (a value set to what it was) is no undo step.
                Ok(()) if open.composition() == &before => {
                    prop_assert_eq!(open.undo_count(), undo_before, "{:?} changed nothing but is an undo step", edit)
                }
                Ok(()) => steps += 1,
                Err(_) => prop_assert_eq!(open.composition(), &before, "{:?} failed but changed the song", edit),
            }
            prop_assert!(open.composition().validate().is_ok(), "{:?} -> {:?}", edit, open.composition().validate());
        }
        prop_assert_eq!(open.undo_count(), steps);
        for _ in 0..steps {
            open.undo().unwrap();
        }
        prop_assert_eq!(open.composition(), &start);
    }
}
