//! Behaviour of the composition store: semantics, corruption, concurrency.

use std::sync::Arc;
use std::time::Duration;

use sonic_model::{Clip, Composition, HistorySource, Id, MidiNote, Track, TrackType};

use crate::*;

fn store() -> (tempfile::TempDir, CompositionStore) {
    let dir = tempfile::tempdir().unwrap();
    let config = StorageConfig::new(dir.path().join("data"));
    config.ensure_directories().unwrap();
    let lock = DataDirLock::acquire(&config, Duration::ZERO).unwrap();
    let store = CompositionStore::open(config, lock).unwrap();
    (dir, store)
}

fn song_with_a_clip() -> Composition {
    let mut song = Composition::new("Song");
    let track = Track::new(song.id.clone(), "Bass", TrackType::Midi);
    song.clips.push(Clip::midi(
        track.id.clone(),
        "Riff",
        0.0,
        8.0,
        vec![MidiNote::new(40, 0.0, 1.0, 100)],
    ));
    song.tracks.push(track);
    song
}

fn comp_file(store: &CompositionStore, id: &Id, name: &str) -> std::path::PathBuf {
    store.config().compositions_dir.join(id.as_str()).join(name)
}

fn history_files(store: &CompositionStore, id: &Id) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(comp_file(store, id, "history"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn create_writes_current_metadata_and_the_original_version() {
    let (_dir, store) = store();
    let mut song = song_with_a_clip();
    let listing = store.create(&mut song).unwrap();
    assert_eq!((listing.track_count, listing.clip_count), (1, 1));
    assert_eq!(listing.duration_beats, 8.0);
    assert!(comp_file(&store, &song.id, "current.json").is_file());
    assert!(comp_file(&store, &song.id, "metadata.json").is_file());
    let files = history_files(&store, &song.id);
    assert_eq!(files.len(), 1);
    assert_eq!(files, ["000_original.json"]);
    let history = store.history(&song.id).unwrap();
    assert_eq!(history[0].source, HistorySource::Original);
    assert!(matches!(
        store.create(&mut song),
        Err(StoreError::CompositionExists(_))
    ));
}

#[test]
fn save_appends_versions_and_drops_the_stale_autosave() {
    let (_dir, store) = store();
    let mut song = song_with_a_clip();
    store.create(&mut song).unwrap();
    song.tempo = 90.0;
    store.autosave(&song).unwrap();
    assert!(store.load(&song.id).unwrap().has_autosave);
    assert!(store.list().unwrap().compositions[0].has_autosave);
    assert_eq!(store.load(&song.id).unwrap().composition.tempo, 120.0);

    assert_eq!(
        store
            .save(&mut song, HistorySource::Manual, "slower")
            .unwrap(),
        1
    );
    assert_eq!(
        store.save(&mut song, HistorySource::Ai, "again").unwrap(),
        2
    );
    assert!(!comp_file(&store, &song.id, "autosave.json").exists());
    let loaded = store.load(&song.id).unwrap();
    assert_eq!(loaded.composition, song);
    assert!(!loaded.has_autosave && loaded.recovered_from.is_none());
    let listing = &store.list().unwrap().compositions[0];
    assert_eq!((listing.latest_version, listing.has_autosave), (2, false));
    let sources: Vec<_> = store
        .history(&song.id)
        .unwrap()
        .iter()
        .map(|e| e.source)
        .collect();
    assert_eq!(
        sources,
        [
            HistorySource::Original,
            HistorySource::Manual,
            HistorySource::Ai
        ]
    );
}

#[test]
fn recover_autosave_promotes_it_with_a_history_entry() {
    let (_dir, store) = store();
    let mut song = song_with_a_clip();
    store.create(&mut song).unwrap();
    assert!(matches!(
        store.recover_autosave(&song.id),
        Err(StoreError::NoAutosave(_))
    ));
    song.name = "Unsaved work".into();
    store.autosave(&song).unwrap();
    let saved = store.recover_autosave(&song.id).unwrap();
    assert_eq!(
        (saved.version, saved.composition.name.as_str()),
        (1, "Unsaved work")
    );
    assert_eq!(
        store.history(&song.id).unwrap()[1].source,
        HistorySource::AutosaveRecovery
    );
    assert_eq!(
        store.load(&song.id).unwrap().composition.name,
        "Unsaved work"
    );
}

#[test]
fn restore_creates_a_new_entry_and_keeps_history() {
    let (_dir, store) = store();
    let mut song = song_with_a_clip();
    store.create(&mut song).unwrap();
    song.tempo = 140.0;
    store
        .save(&mut song, HistorySource::Manual, "faster")
        .unwrap();
    let saved = store.restore(&song.id, 0).unwrap();
    assert_eq!((saved.version, saved.composition.tempo), (2, 120.0));
    assert_eq!(store.load(&song.id).unwrap().composition.tempo, 120.0);
    assert_eq!(store.history(&song.id).unwrap().len(), 3);
    assert_eq!(store.load_version(&song.id, 1).unwrap().tempo, 140.0);
    let diff = store.diff(&song.id, 1, 2).unwrap();
    assert_eq!(diff.properties[0].field, "tempo");
    assert!(matches!(
        store.restore(&song.id, 9),
        Err(StoreError::VersionNotFound { version: 9, .. })
    ));
}

#[test]
fn rename_and_delete() {
    let (_dir, store) = store();
    let mut song = song_with_a_clip();
    store.create(&mut song).unwrap();
    let saved = store.rename(&song.id, "Better name").unwrap();
    assert_eq!(saved.version, 1);
    assert_eq!(store.list().unwrap().compositions[0].name, "Better name");
    assert!(store.rename(&song.id, "  ").unwrap_err().is_bad_input());
    store.delete(&song.id).unwrap();
    assert!(store.list().unwrap().compositions.is_empty());
    assert!(matches!(
        store.load(&song.id),
        Err(StoreError::CompositionNotFound(_))
    ));
    assert!(matches!(
        store.delete(&song.id),
        Err(StoreError::CompositionNotFound(_))
    ));
}

#[test]
fn unknown_ids_and_versions_are_bad_input() {
    let (_dir, store) = store();
    let id = Id::generate();
    for err in [
        store.load(&id).unwrap_err(),
        store.history(&id).unwrap_err(),
        store.load_version(&id, 0).unwrap_err(),
        store.restore(&id, 0).unwrap_err(),
    ] {
        assert!(matches!(err, StoreError::CompositionNotFound(_)), "{err}");
        assert!(err.is_bad_input());
    }
}

#[test]
fn a_read_only_store_reads_but_never_writes() {
    let (_dir, store) = store();
    let mut song = song_with_a_clip();
    store.create(&mut song).unwrap();
    let reader = CompositionStore::open_read_only(store.config().clone());
    assert_eq!(reader.load(&song.id).unwrap().composition, song);
    assert!(matches!(
        reader.save(&mut song, HistorySource::Manual, "x"),
        Err(StoreError::ReadOnly)
    ));
    std::fs::remove_file(comp_file(&store, &song.id, "metadata.json")).unwrap();
    assert_eq!(reader.list().unwrap().compositions.len(), 1);
    assert!(!comp_file(&store, &song.id, "metadata.json").exists());
}

#[test]
fn newer_format_versions_are_refused_not_misread() {
    let (_dir, store) = store();
    let mut song = song_with_a_clip();
    store.create(&mut song).unwrap();
    let path = comp_file(&store, &song.id, "current.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("\"format_version\":1", "\"format_version\":7", 1),
    )
    .unwrap();
    assert!(matches!(
        store.load(&song.id),
        Err(StoreError::UnsupportedFormat { found: 7, .. })
    ));
}

#[test]
fn a_corrupt_current_falls_back_to_autosave_then_history() {
    let (_dir, store) = store();
    let mut song = song_with_a_clip();
    store.create(&mut song).unwrap();
    song.tempo = 100.0;
    store.save(&mut song, HistorySource::Manual, "v1").unwrap();
    song.tempo = 110.0;
    store.autosave(&song).unwrap();

    let current = comp_file(&store, &song.id, "current.json");
    let bytes = std::fs::read(&current).unwrap();
    std::fs::write(&current, &bytes[..bytes.len() / 2]).unwrap();
    let loaded = store.load(&song.id).unwrap();
    let recovery = loaded.recovered_from.unwrap();
    assert_eq!(recovery.source, RecoverySource::Autosave);
    assert!(
        recovery.reason.contains("current.json"),
        "{}",
        recovery.reason
    );
    assert_eq!(loaded.composition.tempo, 110.0);

    std::fs::write(comp_file(&store, &song.id, "autosave.json"), b"\0garbage").unwrap();
    let loaded = store.load(&song.id).unwrap();
    let recovery = loaded.recovered_from.unwrap();
    assert_eq!(
        (recovery.source, recovery.version),
        (RecoverySource::History, Some(1))
    );
    assert_eq!(loaded.composition.tempo, 100.0);

    let newest = comp_file(&store, &song.id, "history").join(&history_files(&store, &song.id)[1]);
    std::fs::write(&newest, b"{\"format_version\":1,\"version\":1").unwrap();
    let loaded = store.load(&song.id).unwrap();
    assert_eq!(loaded.recovered_from.unwrap().version, Some(0));
    assert_eq!(loaded.composition.tempo, 120.0);

    // The next save still works and never reuses a number.
    assert_eq!(
        store
            .save(&mut song, HistorySource::Manual, "after")
            .unwrap(),
        2
    );
    assert!(store.load(&song.id).unwrap().recovered_from.is_none());
}

#[test]
fn a_corrupt_autosave_beside_a_good_current_is_not_offered_for_recovery() {
    let (_dir, store) = store();
    let mut song = song_with_a_clip();
    store.create(&mut song).unwrap();
    song.tempo = 90.0;
    store.autosave(&song).unwrap();
    assert!(store.load(&song.id).unwrap().has_autosave);

    let autosave = comp_file(&store, &song.id, "autosave.json");
    let bytes = std::fs::read(&autosave).unwrap();
    std::fs::write(&autosave, &bytes[..bytes.len() / 3]).unwrap();
    let loaded = store.load(&song.id).unwrap();
    assert!(!loaded.has_autosave);
    assert!(loaded.recovered_from.is_none());
    assert_eq!(loaded.composition.tempo, 120.0);
    // Recovering it is refused as corrupt (a failure, not a silent success), and nothing
    // else changes.
    assert!(matches!(
        store.recover_autosave(&song.id),
        Err(StoreError::Corrupt { .. })
    ));
    assert_eq!(store.history(&song.id).unwrap().len(), 1);
}

#[test]
fn corrupt_or_missing_metadata_is_rebuilt_and_listing_says_so() {
    let (_dir, store) = store();
    let mut a = song_with_a_clip();
    let mut b = Composition::new("Other");
    store.create(&mut a).unwrap();
    store.create(&mut b).unwrap();
    store.save(&mut a, HistorySource::Manual, "v1").unwrap();
    std::fs::write(comp_file(&store, &a.id, "metadata.json"), b"[1,2").unwrap();
    std::fs::remove_file(comp_file(&store, &b.id, "metadata.json")).unwrap();

    let fresh = CompositionStore::open_read_only(store.config().clone());
    let listing = fresh.list().unwrap();
    assert_eq!(listing.compositions.len(), 2);
    assert_eq!(listing.notes.len(), 2);
    assert!(listing.notes.iter().all(|n| n.rebuilt));
    let rebuilt = listing.compositions.iter().find(|c| c.id == a.id).unwrap();
    assert_eq!((rebuilt.track_count, rebuilt.latest_version), (1, 1));

    // A writable store writes the rebuilt file back; the next listing is clean.
    store.list().unwrap();
    assert!(store.list().unwrap().notes.is_empty());
    assert_eq!(store.history(&a.id).unwrap().len(), 2);
}

#[test]
fn a_corrupt_history_file_is_left_out_and_everything_else_works() {
    let (_dir, store) = store();
    let mut song = song_with_a_clip();
    store.create(&mut song).unwrap();
    store.save(&mut song, HistorySource::Manual, "v1").unwrap();
    store.save(&mut song, HistorySource::Manual, "v2").unwrap();
    let v1 = comp_file(&store, &song.id, "history").join(&history_files(&store, &song.id)[1]);
    std::fs::write(&v1, b"not json").unwrap();
    std::fs::remove_file(comp_file(&store, &song.id, "metadata.json")).unwrap();

    let fresh = CompositionStore::open_read_only(store.config().clone());
    let versions: Vec<u32> = fresh
        .history(&song.id)
        .unwrap()
        .iter()
        .map(|e| e.version)
        .collect();
    assert_eq!(versions, [0, 2]);
    assert!(matches!(
        fresh.load_version(&song.id, 1),
        Err(StoreError::Corrupt { .. })
    ));
    assert!(fresh.load(&song.id).unwrap().recovered_from.is_none());
    assert_eq!(fresh.list().unwrap().compositions.len(), 1);
}

#[test]
fn a_folder_with_nothing_readable_is_skipped_by_list_and_reported() {
    let (_dir, store) = store();
    let mut good = Composition::new("Good");
    store.create(&mut good).unwrap();
    let bad = Id::generate();
    let folder = store.config().compositions_dir.join(bad.as_str());
    std::fs::create_dir_all(folder.join("history")).unwrap();
    std::fs::write(folder.join("current.json"), b"{").unwrap();
    std::fs::create_dir_all(store.config().compositions_dir.join("..bad")).unwrap();

    let listing = store.list().unwrap();
    assert_eq!(listing.compositions.len(), 1);
    assert_eq!(listing.notes.len(), 1);
    assert!(!listing.notes[0].rebuilt);
    assert!(matches!(
        store.load(&bad),
        Err(StoreError::Unrecoverable(_))
    ));
}

#[test]
fn temp_files_are_never_loaded_and_are_cleaned_on_open() {
    let (_dir, store) = store();
    let mut song = song_with_a_clip();
    store.create(&mut song).unwrap();
    let folder = store.config().compositions_dir.join(song.id.as_str());
    std::fs::write(folder.join(".tmp-crash"), b"{\"half").unwrap();
    std::fs::write(folder.join("history/.tmp-999_20260101_000000.json"), b"x").unwrap();
    assert_eq!(store.history(&song.id).unwrap().len(), 1);
    assert_eq!(
        store.save(&mut song, HistorySource::Manual, "v").unwrap(),
        1
    );

    let config = store.config().clone();
    drop(store);
    let store = CompositionStore::open(
        config,
        DataDirLock::acquire(
            &StorageConfig::new(folder.parent().unwrap().parent().unwrap()),
            Duration::ZERO,
        )
        .unwrap(),
    )
    .unwrap();
    assert!(!folder.join(".tmp-crash").exists());
    assert!(!folder
        .join("history/.tmp-999_20260101_000000.json")
        .exists());
    assert_eq!(store.list().unwrap().compositions.len(), 1);
}

#[test]
fn a_load_racing_a_delete_finds_the_whole_composition_or_none() {
    // Before deletes were atomic, a load could find current.json already gone but the folder
    // still there, and report the composition as unrecoverable (a 500 in the server).
    let (_dir, store) = store();
    let store = Arc::new(store);
    for _ in 0..10 {
        let mut song = song_with_a_clip();
        store.create(&mut song).unwrap();
        store.save(&mut song, HistorySource::Manual, "v1").unwrap();
        // Files a removal has to get through, to widen the window a reader could fall into.
        let folder = store.config().compositions_dir.join(song.id.as_str());
        for i in 0..200 {
            std::fs::write(folder.join(format!("extra-{i}")), b"").unwrap();
        }
        let reader = {
            let store = Arc::clone(&store);
            let id = song.id.clone();
            std::thread::spawn(move || loop {
                match store.load(&id) {
                    Ok(loaded) => assert_eq!(loaded.recovered_from, None),
                    Err(StoreError::CompositionNotFound(_)) => return,
                    Err(e) => panic!("a load during a delete failed: {e}"),
                }
            })
        };
        std::thread::sleep(Duration::from_micros(500));
        store.delete(&song.id).unwrap();
        reader.join().unwrap();
    }
    assert!(store.list().unwrap().compositions.is_empty());
}

#[test]
fn a_delete_cut_off_half_way_leaves_nothing_listed_and_is_finished_on_open() {
    let (_dir, store) = store();
    let mut kept = song_with_a_clip();
    store.create(&mut kept).unwrap();
    // What remains when a process dies between the rename and the removal of a delete.
    let compositions = store.config().compositions_dir.clone();
    let trash = compositions.join(".tmp-removed-0123-1-2-3");
    std::fs::create_dir_all(trash.join("history")).unwrap();
    std::fs::write(trash.join("current.json"), b"{}").unwrap();
    std::fs::write(trash.join("history/000_20260101_000000.json"), b"{}").unwrap();
    let listing = store.list().unwrap();
    assert_eq!(listing.compositions.len(), 1);

    let config = store.config().clone();
    drop(store);
    let lock = DataDirLock::acquire(&config, Duration::ZERO).unwrap();
    let store = CompositionStore::open(config, lock).unwrap();
    assert!(!trash.exists());
    assert_eq!(store.list().unwrap().compositions.len(), 1);
    assert_eq!(std::fs::read_dir(&compositions).unwrap().count(), 1);
}

#[test]
fn thirty_two_threads_saving_one_composition_get_contiguous_versions() {
    let (_dir, store) = store();
    let store = Arc::new(store);
    let mut song = song_with_a_clip();
    store.create(&mut song).unwrap();
    let threads: Vec<_> = (0..32)
        .map(|i| {
            let store = Arc::clone(&store);
            let mut song = song.clone();
            std::thread::spawn(move || {
                song.tempo = 60.0 + f64::from(i);
                store
                    .save(&mut song, HistorySource::Manual, &format!("thread {i}"))
                    .unwrap()
            })
        })
        .collect();
    let mut versions: Vec<u32> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    versions.sort();
    assert_eq!(versions, (1..=32).collect::<Vec<_>>());

    let files = history_files(&store, &song.id);
    assert_eq!(files.len(), 33);
    let index = store.history(&song.id).unwrap();
    assert_eq!(
        index.iter().map(|e| e.version).collect::<Vec<_>>(),
        (0..=32).collect::<Vec<_>>()
    );
    // metadata.json on disk names exactly the files on disk, each with its own entry.
    let meta: serde_json::Value = serde_json::from_slice(
        &std::fs::read(comp_file(&store, &song.id, "metadata.json")).unwrap(),
    )
    .unwrap();
    let indexed: Vec<&str> = meta["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_str().unwrap())
        .collect();
    assert_eq!(indexed, files);
    for entry in meta["history"].as_array().unwrap() {
        let path = comp_file(&store, &song.id, "history").join(entry["file"].as_str().unwrap());
        let file: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        assert_eq!(file["version"], entry["version"]);
        assert_eq!(file["message"], entry["message"]);
        assert_eq!(file["created_at"], entry["created_at"]);
    }
    let reader = CompositionStore::open_read_only(store.config().clone());
    assert_eq!(reader.history(&song.id).unwrap(), index);
    let listing = &reader.list().unwrap().compositions[0];
    assert_eq!(listing.latest_version, 32);
    // current.json is the state of whichever save got version 32.
    let last = &index[32];
    let current = reader.load(&song.id).unwrap().composition;
    assert_eq!(
        format!("thread {}", current.tempo as u32 - 60),
        last.message
    );
}

#[test]
fn versions_keep_growing_after_a_history_file_is_lost() {
    let (_dir, store) = store();
    let mut song = song_with_a_clip();
    store.create(&mut song).unwrap();
    store.save(&mut song, HistorySource::Manual, "v1").unwrap();
    store.save(&mut song, HistorySource::Manual, "v2").unwrap();
    let v2 = comp_file(&store, &song.id, "history").join(&history_files(&store, &song.id)[2]);
    std::fs::remove_file(v2).unwrap();
    assert_eq!(
        store.save(&mut song, HistorySource::Manual, "v3").unwrap(),
        3
    );
    let config = store.config().clone();
    drop(store);
    let lock = DataDirLock::acquire(&config, Duration::ZERO).unwrap();
    let store = CompositionStore::open(config, lock).unwrap();
    assert_eq!(
        store.save(&mut song, HistorySource::Manual, "v4").unwrap(),
        4
    );
}

#[test]
fn create_never_recreates_a_deleted_top_level_folder() {
    let (_dir, store) = store();
    std::fs::remove_dir_all(&store.config().compositions_dir).unwrap();
    let err = store.create(&mut Composition::new("x")).unwrap_err();
    assert!(matches!(err, StoreError::Io { .. }), "{err}");
    assert!(!store.config().compositions_dir.exists());
}
