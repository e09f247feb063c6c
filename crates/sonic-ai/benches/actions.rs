//! Action benchmarks (docs/BENCHMARKS.md): a batch of 100 actions on a 4,096-note composition
//! including the history write, and a single small edit without a save.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use serde_json::{json, Value};
use sonic_ai::{apply_batch, execute_batch, parse_actions, DawAction};
use sonic_daw::{tracks, OpenComposition, Scope, Studio, StudioConfig};
use sonic_model::{Clip, Composition, Id, MidiNote, TrackType};
use sonic_store::{CompositionStore, DataDirLock, StorageConfig};

/// 16 tracks `t0..t15` × 8 MIDI clips `t<i>c<j>` × 32 notes = 4,096 notes.
fn big_composition() -> Composition {
    let mut song = Composition::new("Benchmark");
    for t in 0..16 {
        let mut new = tracks::NewTrack::new(format!("Track {t}"), TrackType::Midi);
        new.id = Some(Id::parse(&format!("t{t}")).unwrap());
        new.instrument = Some("sine".into());
        let track = tracks::add_track(&mut song, new).unwrap();
        for c in 0..8 {
            let notes = (0..32)
                .map(|n| MidiNote::new(36 + (n * 7 % 48) as u8, f64::from(n) * 0.125, 0.25, 90))
                .collect();
            let mut clip = Clip::midi(
                track.clone(),
                format!("Clip {c}"),
                f64::from(c) * 4.0,
                4.0,
                notes,
            );
            clip.id = Id::parse(&format!("t{t}c{c}")).unwrap();
            song.clips.push(clip);
        }
    }
    song.validate().unwrap();
    song
}

/// 100 actions an assistant turn typically sends: ten rounds of the same ten, which use nine
/// distinct actions (`set_track_parameter` twice, for volume and pan).
fn hundred_actions() -> Vec<Value> {
    let mut actions = Vec::new();
    for i in 0..10 {
        let t = format!("t{i}");
        let c = format!("t{i}c{}", i % 8);
        let notes: Vec<Value> = (0..8)
            .map(|n| json!({"n": 60 + n, "s": f64::from(n) * 0.5, "d": 0.5}))
            .collect();
        actions.extend([
            json!({"action": "set_track_parameter", "track_id": t, "parameter": "volume", "value": 0.8}),
            json!({"action": "set_track_parameter", "track_id": t, "parameter": "pan", "value": -0.2}),
            json!({"action": "set_clip_gain", "clip_id": c, "gain": 0.9}),
            json!({"action": "modify_clip", "clip_id": c, "is_muted": false, "start_time": f64::from(i % 8) * 4.0}),
            json!({"action": "create_midi_clip", "id": format!("new{i}"), "track_id": t, "start_time": 64, "duration": 4, "notes": notes}),
            json!({"action": "split_clip", "clip_id": format!("new{i}"), "split_time": 2, "id": format!("half{i}")}),
            json!({"action": "delete_clip", "clip_id": format!("half{i}")}),
            json!({"action": "add_effect", "id": format!("fx{i}"), "track_id": t, "effect_name": "reverb", "parameters": {"mix": 0.3}}),
            json!({"action": "set_effect_parameter", "effect_id": format!("fx{i}"), "parameter": "mix", "value": 0.4}),
            json!({"action": "set_tempo", "tempo": 100 + i}),
        ]);
    }
    actions
}

fn store(dir: &std::path::Path) -> CompositionStore {
    let config = StorageConfig::new(dir);
    config.ensure_directories().unwrap();
    let lock = DataDirLock::acquire(&config, Duration::ZERO).unwrap();
    CompositionStore::open(config, lock).unwrap()
}

fn benches(c: &mut Criterion) {
    let song = big_composition();
    let batch = hundred_actions();
    assert_eq!(batch.len(), 100);

    c.bench_function(
        "batch of 100 actions on 4,096 notes, with history write",
        |b| {
            b.iter_batched(
                || {
                    let dir = tempfile::tempdir().unwrap();
                    let studio = Studio::new(store(dir.path()), StudioConfig::default());
                    let id = studio.create(song.clone()).unwrap();
                    (dir, studio, id, parse_actions(batch.clone()))
                },
                |(dir, studio, id, actions)| {
                    let applied = apply_batch(&studio, &id, actions, true, None).unwrap();
                    assert!(applied.report.all_succeeded, "{:?}", applied.report.results);
                    (dir, applied)
                },
                BatchSize::PerIteration,
            )
        },
    );

    c.bench_function("batch of 100 actions on 4,096 notes, in memory only", |b| {
        let actions: Vec<DawAction> = batch
            .iter()
            .cloned()
            .map(|v| DawAction::from_value(v).unwrap())
            .collect();
        b.iter_batched(
            || OpenComposition::new(song.clone(), 100),
            |mut open| {
                let report = execute_batch(&mut open, &actions, true);
                assert!(report.all_succeeded);
                open
            },
            BatchSize::LargeInput,
        )
    });

    let mut open = OpenComposition::new(song.clone(), 100);
    let track = Id::parse("t3").unwrap();
    // Two volumes in turn: setting the one a track already has would change nothing, which
    // costs no undo step and is not the edit measured here.
    let volumes = [0.7, 0.6].map(|value| {
        DawAction::from_value(json!({"action": "set_track_parameter", "track_id": "t3", "parameter": "volume", "value": value})).unwrap()
    });
    let mut turn = 0;
    c.bench_function("set_track_parameter as a one-action batch, no save", |b| {
        b.iter(|| {
            turn ^= 1;
            let report = execute_batch(&mut open, std::slice::from_ref(&volumes[turn]), true);
            assert!(report.changed);
            black_box(report)
        })
    });
    c.bench_function("set_volume as a sonic-daw edit, no save", |b| {
        b.iter(|| black_box(open.edit(Scope::Settings, |c| tracks::set_volume(c, &track, 0.6))))
    });
}

criterion_group! {
    name = actions;
    config = Criterion::default().sample_size(30);
    targets = benches
}
criterion_main!(actions);
