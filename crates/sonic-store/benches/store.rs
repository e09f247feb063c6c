//! Store benchmarks (docs/BENCHMARKS.md): save with history, load and list, on the real
//! file system with every fsync the atomic writer does.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use sonic_model::{Clip, Composition, HistorySource, MidiNote, Track, TrackType};
use sonic_store::{CompositionStore, DataDirLock, StorageConfig};

/// 16 tracks x 8 MIDI clips x 32 notes = 4,096 notes.
fn big_composition() -> Composition {
    let mut song = Composition::new("Benchmark");
    for t in 0..16 {
        let track = Track::new(song.id.clone(), format!("Track {t}"), TrackType::Midi);
        for c in 0..8 {
            let notes = (0..32)
                .map(|n| MidiNote::new(36 + (n * 7 % 48) as u8, f64::from(n) * 0.125, 0.25, 90))
                .collect();
            song.clips.push(Clip::midi(
                track.id.clone(),
                format!("Clip {c}"),
                f64::from(c) * 4.0,
                4.0,
                notes,
            ));
        }
        song.tracks.push(track);
    }
    song
}

fn open(dir: &std::path::Path) -> CompositionStore {
    let config = StorageConfig::new(dir);
    config.ensure_directories().unwrap();
    let lock = DataDirLock::acquire(&config, Duration::ZERO).unwrap();
    CompositionStore::open(config, lock).unwrap()
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("data"));
    let mut song = big_composition();
    store.create(&mut song).unwrap();
    let size = std::fs::metadata(
        store
            .config()
            .compositions_dir
            .join(song.id.as_str())
            .join("current.json"),
    )
    .unwrap()
    .len();
    println!("4,096-note composition: current.json is {size} bytes");

    c.bench_function("save_with_history_4096_notes", |b| {
        b.iter(|| {
            store
                .save(&mut song, HistorySource::Manual, "bench")
                .unwrap()
        })
    });
    c.bench_function("load_4096_notes", |b| {
        b.iter(|| black_box(store.load(&song.id).unwrap()))
    });
    c.bench_function("serialize_4096_notes", |b| {
        b.iter(|| black_box(serde_json::to_vec(&song).unwrap()))
    });

    let many = tempfile::tempdir().unwrap();
    let store = open(&many.path().join("data"));
    for i in 0..1000 {
        let mut small = Composition::new(format!("Song {i}"));
        store.create(&mut small).unwrap();
    }
    let reader = CompositionStore::open_read_only(store.config().clone());
    c.bench_function("list_1000_compositions", |b| {
        b.iter(|| {
            let listing = reader.list().unwrap();
            assert_eq!(listing.compositions.len(), 1000);
            black_box(listing)
        })
    });
}

criterion_group! {
    name = store;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = benches
}
criterion_main!(store);
