use std::time::Duration;

use proptest::prelude::*;
use serde_json::json;
use sonic_daw::StudioConfig;
use sonic_model::Composition;
use sonic_store::{CompositionStore, DataDirLock, StorageConfig};

use super::*;

fn actions(values: serde_json::Value) -> Vec<DawAction> {
    serde_json::from_value(values).unwrap()
}

fn studio() -> (tempfile::TempDir, Studio, Id) {
    let dir = tempfile::tempdir().unwrap();
    let config = StorageConfig::new(dir.path().join("data"));
    config.ensure_directories().unwrap();
    let lock = DataDirLock::acquire(&config, Duration::ZERO).unwrap();
    let store = CompositionStore::open(config, lock).unwrap();
    let studio = Studio::new(store, StudioConfig::default());
    let id = studio.create(Composition::new("Batch")).unwrap();
    (dir, studio, id)
}

/// Every file of the composition's folder, with its bytes.
fn files(dir: &tempfile::TempDir, id: &Id) -> Vec<(String, Vec<u8>)> {
    let root = dir.path().join("data/compositions").join(id.as_str());
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(&root).unwrap().display().to_string();
                out.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn one_batch_creates_a_track_and_fills_it_as_one_undo_step() {
    let mut open = OpenComposition::new(Composition::new("B"), 100);
    let report = execute_batch(
        &mut open,
        &actions(json!([
            {"action": "create_track", "id": "drums", "name": "Drums"},
            {"action": "set_drum_kit", "track_id": "drums", "kit_id": "808-core"},
            {"action": "create_midi_clip", "track_id": "drums", "start_time": 0, "duration": 4,
             "notes": [{"n": 36, "s": 0, "d": 0.5}, {"n": 38, "s": 1, "d": 0.5}]},
            {"action": "create_midi_clip", "track_id": "drums", "start_time": 4, "duration": 4},
            {"action": "set_tempo", "tempo": 128}
        ])),
        true,
    );
    assert!(report.all_succeeded, "{report:?}");
    assert!(report.changed);
    assert_eq!(
        report.summary(),
        "create_track, set_drum_kit, create_midi_clip ×2, set_tempo"
    );
    assert_eq!(open.undo_count(), 1);
    open.undo().unwrap();
    assert!(open.composition().tracks.is_empty());
    assert_eq!(open.composition().tempo, 120.0);
}

#[test]
fn a_failed_atomic_batch_leaves_files_history_and_undo_untouched() {
    let (dir, studio, id) = studio();
    apply_batch(
        &studio,
        &id,
        parse_actions(vec![json!({"action": "set_tempo", "tempo": 90})]),
        true,
        None,
    )
    .unwrap();
    let before_files = files(&dir, &id);
    let before_state = studio.snapshot(&id).unwrap();
    let before_undo = studio.with(&id, |o| o.undo_count()).unwrap();
    let history = studio.store().history(&id).unwrap();

    let batch = parse_actions(vec![
        json!({"action": "create_track", "id": "t1"}),
        json!({"action": "create_midi_clip", "track_id": "t1", "start_time": 0, "duration": 4}),
        json!({"action": "set_tempo", "tempo": 500}),
    ]);
    let applied = apply_batch(&studio, &id, batch, true, Some("try")).unwrap();
    assert_eq!(applied.version, None);
    assert_eq!(applied.report.failed_count, 3);
    let codes: Vec<_> = applied
        .report
        .results
        .iter()
        .map(|r| r.error.clone().unwrap())
        .collect();
    assert_eq!(codes, ["ROLLED_BACK", "ROLLED_BACK", "OUT_OF_RANGE"]);
    assert_eq!(files(&dir, &id), before_files);
    assert_eq!(studio.store().history(&id).unwrap(), history);
    assert_eq!(studio.with(&id, |o| o.undo_count()).unwrap(), before_undo);
    let after = studio.snapshot(&id).unwrap();
    assert_eq!(
        serde_json::to_vec(&after).unwrap(),
        serde_json::to_vec(&before_state).unwrap()
    );
}

#[test]
fn an_unreadable_action_stops_an_atomic_batch_before_anything_runs() {
    let mut open = OpenComposition::new(Composition::new("B"), 100);
    let parsed = parse_actions(vec![
        json!({"action": "set_tempo", "tempo": 99}),
        json!({"action": "jump"}),
    ]);
    let report = execute_parsed(&mut open, parsed, true);
    let codes: Vec<_> = report
        .results
        .iter()
        .map(|r| r.error.clone().unwrap())
        .collect();
    assert_eq!(codes, ["NOT_EXECUTED", "UNKNOWN_ACTION"]);
    assert_eq!(open.composition().tempo, 120.0);
    assert!(!report.changed && !open.is_dirty());
}

#[test]
fn a_non_atomic_batch_keeps_what_succeeded_and_saves_one_ai_version() {
    let (_dir, studio, id) = studio();
    let batch = parse_actions(vec![
        json!({"action": "create_track", "id": "lead", "instrument": "sine"}),
        json!({"action": "change_track_instrument", "track_id": "lead", "instrument": "kazoo"}),
        json!({"action": "set_tempo", "parameters": {"tempo": 100}}),
        json!({"action": "fly"}),
    ]);
    let applied = apply_batch(&studio, &id, batch, false, Some("sketch")).unwrap();
    let report = &applied.report;
    assert_eq!(report.failed_count, 2);
    assert!(!report.all_succeeded && report.changed);
    assert_eq!(applied.version, Some(1));
    let history = studio.store().history(&id).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].source, HistorySource::Ai);
    assert_eq!(history[1].message, "sketch [create_track, set_tempo]");
    let saved = studio.store().load(&id).unwrap().composition;
    assert_eq!((saved.tempo, saved.tracks.len()), (100.0, 1));
    assert_eq!(studio.with(&id, |o| o.undo_count()).unwrap(), 1);
    assert!(!studio.with(&id, |o| o.is_dirty()).unwrap());
}

#[test]
fn a_batch_that_changes_nothing_writes_nothing() {
    let (_dir, studio, id) = studio();
    let batch = parse_actions(vec![json!({"action": "delete_clip", "clip_id": "ghost"})]);
    let applied = apply_batch(&studio, &id, batch, false, None).unwrap();
    assert_eq!(applied.version, None);
    assert_eq!(studio.store().history(&id).unwrap().len(), 1);
    assert_eq!(studio.with(&id, |o| o.undo_count()).unwrap(), 0);
}

#[test]
fn transport_only_batches_are_saved_but_are_not_undo_steps() {
    let (_dir, studio, id) = studio();
    let batch = parse_actions(vec![
        json!({"action": "play_composition"}),
        json!({"action": "seek_to_position", "position": 8}),
    ]);
    let applied = apply_batch(&studio, &id, batch, true, None).unwrap();
    assert_eq!(applied.version, Some(1));
    assert_eq!(studio.with(&id, |o| o.undo_count()).unwrap(), 0);
    assert_eq!(studio.snapshot(&id).unwrap().current_position, 8.0);
}

#[test]
fn a_batch_leaving_an_invalid_composition_is_rolled_back_as_invalid_state() {
    // A state no action's own check looks at: a track volume out of range, written behind
    // the actions' back. Renaming the composition is valid on its own, so only the
    // whole-composition check at the end of the batch can refuse it.
    let mut song = Composition::new("Broken");
    let mut track = sonic_model::Track::new(song.id.clone(), "Loud", sonic_model::TrackType::Midi);
    track.volume = 5.0;
    song.tracks.push(track);
    let mut open = OpenComposition::new(song, 100);
    let before = open.composition().clone();
    for atomic in [true, false] {
        let report = execute_batch(
            &mut open,
            &actions(json!([
                {"action": "rename_composition", "name": "Renamed"},
                {"action": "set_tempo", "tempo": 99}
            ])),
            atomic,
        );
        let codes: Vec<_> = report.results.iter().map(|r| r.error.as_deref()).collect();
        assert_eq!(codes, [Some("INVALID_STATE"); 2], "{report:?}");
        assert!(report.results[0].message.contains("volume"), "{report:?}");
        assert!(!report.changed && !report.all_succeeded);
        assert_eq!(report.failed_count, 2);
        assert_eq!(open.composition(), &before);
        assert_eq!(open.undo_count(), 0);
        assert!(!open.is_dirty());
    }
}

#[test]
fn actions_that_change_nothing_cost_no_undo_step_and_no_version() {
    let (_dir, studio, id) = studio();
    let no_ops = [
        json!([{"action": "set_tempo", "tempo": 120}]),
        json!([{"action": "clear_composition"}]),
        json!([{"action": "set_time_signature", "time_signature": "4/4"},
               {"action": "set_loop_points", "loop_start": 0, "loop_end": 16},
               {"action": "rename_composition", "name": "Batch"},
               {"action": "stop_playback"}]),
        // A change and its reverse in one batch change nothing either.
        json!([{"action": "set_tempo", "tempo": 90}, {"action": "set_tempo", "tempo": 120}]),
    ];
    for batch in no_ops {
        let applied = apply_batch(
            &studio,
            &id,
            parse_actions(serde_json::from_value(batch.clone()).unwrap()),
            true,
            None,
        )
        .unwrap();
        assert!(
            applied.report.all_succeeded,
            "{batch}: {:?}",
            applied.report
        );
        assert!(!applied.report.changed, "{batch}");
        assert_eq!(applied.version, None, "{batch}");
    }
    // Values set to what they are on a track and its effects.
    let setup = parse_actions(vec![
        json!({"action": "create_track", "id": "keys", "instrument": "sine"}),
        json!({"action": "add_effect", "id": "fx", "track_id": "keys", "effect_name": "lpf"}),
        json!({"action": "create_track", "id": "bare"}),
    ]);
    assert_eq!(
        apply_batch(&studio, &id, setup, true, None)
            .unwrap()
            .version,
        Some(1)
    );
    let again = parse_actions(vec![
        json!({"action": "set_track_parameter", "track_id": "keys", "parameter": "volume", "value": 1.0}),
        json!({"action": "set_track_parameter", "track_id": "keys", "parameter": "pan", "value": 0}),
        json!({"action": "set_track_parameter", "track_id": "keys", "parameter": "mute", "value": false}),
        json!({"action": "set_effect_parameter", "effect_id": "fx", "parameter": "cutoff", "value": 2000}),
        json!({"action": "bypass_effect", "effect_id": "fx", "bypassed": false}),
        json!({"action": "reorder_effects", "track_id": "keys", "effect_order": ["fx"]}),
        json!({"action": "reorder_effects", "track_id": "bare", "effect_order": []}),
        json!({"action": "reorder_tracks", "track_order": ["keys", "bare"]}),
        json!({"action": "change_track_instrument", "track_id": "keys", "instrument": "sine"}),
    ]);
    let before = studio.snapshot(&id).unwrap();
    let applied = apply_batch(&studio, &id, again, false, None).unwrap();
    assert!(applied.report.all_succeeded, "{:?}", applied.report);
    assert!(!applied.report.changed);
    assert_eq!(applied.version, None);
    assert_eq!(studio.snapshot(&id).unwrap(), before);
    assert_eq!(studio.store().history(&id).unwrap().len(), 2);
    assert_eq!(studio.with(&id, |o| o.undo_count()).unwrap(), 1);
    assert!(!studio.with(&id, |o| o.is_dirty()).unwrap());
}

// ---- property tests -------------------------------------------------------------------

const TRACKS: [&str; 3] = ["t0", "t1", "ghost"];
const CLIPS: [&str; 3] = ["c0", "c1", "nope"];
const EFFECTS: [&str; 3] = ["e0", "e1", "missing"];

fn any_action(with_transport: bool) -> BoxedStrategy<serde_json::Value> {
    let track = prop::sample::select(TRACKS.to_vec());
    let clip = prop::sample::select(CLIPS.to_vec());
    let effect = prop::sample::select(EFFECTS.to_vec());
    // Beats around the model's limits too (MAX_BEATS is 1,000,000).
    let beat = prop_oneof![
        4 => 0.0..16.0f64,
        1 => Just(-1.0),
        1 => Just(0.0),
        1 => prop::sample::select(vec![999_999.5, 1_000_000.0, 2e6, 1e300]),
    ];
    let name = prop::sample::select(vec![
        "Bass".to_string(),
        String::new(),
        "  ".into(),
        "tab\there".into(),
        "x".repeat(200),
        "x".repeat(201),
    ]);
    let notes = prop::collection::vec((-2i64..130, -0.5..4.0f64, -0.5..2.0f64, -1i64..130), 0..4)
        .prop_map(|ns| {
            ns.into_iter()
                .map(|(n, s, d, v)| json!({"n": n, "s": s, "d": d, "v": v}))
                .collect::<Vec<_>>()
        });
    let mut choices: Vec<BoxedStrategy<serde_json::Value>> = vec![
        (track.clone(), prop::sample::select(vec!["midi", "audio"]), prop::bool::ANY, prop::option::of(name.clone()), prop::option::of(prop::sample::select(vec!["#ff0000", "red", "#FFF"])))
            .prop_map(|(id, kind, instrument, name, color)| {
                let mut a = json!({"action": "create_track", "id": id, "type": kind});
                if instrument {
                    a["instrument"] = json!("sine");
                }
                if let Some(name) = name { a["name"] = json!(name); }
                if let Some(color) = color { a["color"] = json!(color); }
                a
            })
            .boxed(),
        (clip.clone(), track.clone(), beat.clone(), -1.0..8.0f64, notes.clone())
            .prop_map(|(id, t, s, d, notes)| json!({"action": "create_midi_clip", "id": id, "track_id": t, "start_time": s, "duration": d, "notes": notes}))
            .boxed(),
        (clip.clone(), prop::option::of(beat.clone()), prop::option::of(-0.5..2.5f64), prop::option::of(prop::bool::ANY), prop::option::of(notes), (prop::option::of(beat.clone()), prop::option::of(name.clone())))
            .prop_map(|(c, s, g, m, n, (d, name))| {
                let mut a = json!({"action": "modify_clip", "clip_id": c});
                if let Some(d) = d { a["duration"] = json!(d); }
                if let Some(name) = name { a["name"] = json!(name); }
                if let Some(s) = s { a["start_time"] = json!(s); }
                if let Some(g) = g { a["gain"] = json!(g); }
                if let Some(m) = m { a["is_muted"] = json!(m); }
                if let Some(n) = n { a["notes"] = json!(n); }
                a
            })
            .boxed(),
        clip.clone().prop_map(|c| json!({"action": "delete_clip", "clip_id": c})).boxed(),
        (clip.clone(), prop::option::of(beat.clone())).prop_map(|(c, s)| json!({"action": "duplicate_clip", "clip_id": c, "start_time": s})).boxed(),
        (clip.clone(), prop::option::of(track.clone()), prop::option::of(beat.clone()))
            .prop_map(|(c, t, s)| json!({"action": "move_clip", "clip_id": c, "track_id": t, "start_time": s}))
            .boxed(),
        (clip.clone(), -1.0..6.0f64).prop_map(|(c, t)| json!({"action": "split_clip", "clip_id": c, "split_time": t})).boxed(),
        (clip.clone(), -0.5..2.5f64).prop_map(|(c, g)| json!({"action": "set_clip_gain", "clip_id": c, "gain": g})).boxed(),
        track.clone().prop_map(|t| json!({"action": "delete_track", "track_id": t})).boxed(),
        (track.clone(), name.clone()).prop_map(|(t, n)| json!({"action": "rename_track", "track_id": t, "name": n})).boxed(),
        (track.clone(), prop::sample::select(vec!["sine", "kazoo"])).prop_map(|(t, i)| json!({"action": "change_track_instrument", "track_id": t, "instrument": i})).boxed(),
        prop::collection::vec(track.clone(), 0..4).prop_map(|o| json!({"action": "reorder_tracks", "track_order": o})).boxed(),
        (track.clone(), prop::sample::select(vec!["volume", "pan", "mute", "solo"]), prop_oneof![(-1.5..2.5f64).prop_map(|v| json!(v)), prop::bool::ANY.prop_map(|b| json!(b))])
            .prop_map(|(t, p, v)| json!({"action": "set_track_parameter", "track_id": t, "parameter": p, "value": v}))
            .boxed(),
        (track.clone(), prop::sample::select(vec!["808-core", "nope"])).prop_map(|(t, k)| json!({"action": "set_drum_kit", "track_id": t, "kit_id": k})).boxed(),
        (effect.clone(), track.clone(), prop::sample::select(vec!["lpf", "reverb", "wah"]), prop::option::of(-1i64..9), prop::option::of(name.clone()), prop::option::of((prop::sample::select(vec!["cutoff", "mix", "bypass", "nope"]), -10.0..25000.0f64)))
            .prop_map(|(e, t, n, s, label, param)| {
                let mut a = json!({"action": "add_effect", "id": e, "track_id": t, "effect_name": n, "slot_index": s});
                if let Some(label) = label { a["display_name"] = json!(label); }
                if let Some((p, v)) = param { a["parameters"] = json!({p: v}); }
                a
            })
            .boxed(),
        effect.clone().prop_map(|e| json!({"action": "remove_effect", "effect_id": e})).boxed(),
        (effect.clone(), prop::bool::ANY).prop_map(|(e, b)| json!({"action": "bypass_effect", "effect_id": e, "bypassed": b})).boxed(),
        (track.clone(), prop::collection::vec(effect.clone(), 0..3)).prop_map(|(t, o)| json!({"action": "reorder_effects", "track_id": t, "effect_order": o})).boxed(),
        (effect, prop::sample::select(vec!["cutoff", "mix", "bypass", "nope"]), -10.0..25000.0f64)
            .prop_map(|(e, p, v)| json!({"action": "set_effect_parameter", "effect_id": e, "parameter": p, "value": v}))
            .boxed(),
        prop_oneof![0.0..400.0f64, Just(120.0)].prop_map(|t| json!({"action": "set_tempo", "tempo": t})).boxed(),
        prop::sample::select(vec!["3/4", "7/8", "5/3", "x", "4/4", "65/4", "0/4"]).prop_map(|t| json!({"action": "set_time_signature", "time_signature": t})).boxed(),
        (beat.clone(), beat.clone(), prop::option::of(prop::bool::ANY))
            .prop_map(|(s, e, on)| json!({"action": "set_loop_points", "loop_start": s, "loop_end": e, "loop_enabled": on}))
            .boxed(),
        name.prop_map(|n| json!({"action": "rename_composition", "name": n})).boxed(),
        Just(json!({"action": "clear_composition"})).boxed(),
    ];
    if with_transport {
        choices.push(
            beat.prop_map(|p| json!({"action": "seek_to_position", "position": p}))
                .boxed(),
        );
        choices.push(Just(json!({"action": "play_composition"})).boxed());
        choices.push(Just(json!({"action": "stop_playback"})).boxed());
    }
    prop::strategy::Union::new(choices).boxed()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_valid_and_invalid_actions_never_break_validation(
        steps in prop::collection::vec((prop::collection::vec(any_action(true), 1..4), prop::bool::ANY), 1..25)
    ) {
        let mut open = OpenComposition::new(Composition::new("Prop"), 100);
        for (batch, atomic) in steps {
            let before = open.composition().clone();
            let report = execute_parsed(&mut open, parse_actions(batch.clone()), atomic);
            prop_assert!(open.composition().validate().is_ok(), "{:?}", open.composition().validate());
            // The safety net must never be what caught a bad action: each one is refused
            // by its own check, with its own code.
            let caught = report.results.iter().find(|r| r.error.as_deref() == Some("INVALID_STATE"));
            prop_assert!(caught.is_none(), "{:?} in {}", caught, serde_json::Value::from(batch));
            // `changed` says exactly whether the composition differs (a no-op is no change).
            prop_assert_eq!(report.changed, open.composition() != &before);
        }
    }

    #[test]
    fn n_edits_then_n_undos_return_exactly_the_start(
        batch in prop::collection::vec(any_action(false), 1..30)
    ) {
        let mut open = OpenComposition::new(Composition::new("Undo"), 100);
        let start = open.composition().clone();
        let mut steps = 0;
        for action in batch {
            let report = execute_parsed(&mut open, parse_actions(vec![action]), true);
            if report.changed {
                steps += 1;
            }
        }
        prop_assert_eq!(open.undo_count(), steps);
        let end = open.composition().clone();
        for _ in 0..steps {
            open.undo().unwrap();
        }
        prop_assert_eq!(open.composition(), &start);
        for _ in 0..steps {
            open.redo().unwrap();
        }
        prop_assert_eq!(open.composition(), &end);
    }
}
