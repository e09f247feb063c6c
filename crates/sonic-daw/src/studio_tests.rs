use std::time::{Duration, Instant};

use super::*;
use crate::{song, tracks, Scope};
use sonic_model::TrackType;
use sonic_store::{DataDirLock, StorageConfig};

fn studio(interval: Duration) -> (tempfile::TempDir, Studio) {
    let dir = tempfile::tempdir().unwrap();
    let config = StorageConfig::new(dir.path().join("data"));
    config.ensure_directories().unwrap();
    let lock = DataDirLock::acquire(&config, Duration::ZERO).unwrap();
    let store = CompositionStore::open(config, lock).unwrap();
    let config = StudioConfig {
        autosave_interval: interval,
        undo_limit: 100,
    };
    (dir, Studio::new(store, config))
}

fn autosave_on_disk(dir: &tempfile::TempDir, id: &Id) -> Option<serde_json::Value> {
    let path = dir
        .path()
        .join("data/compositions")
        .join(id.as_str())
        .join("autosave.json");
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

#[test]
fn create_open_edit_save_and_reopen_round_trip_through_the_store() {
    let (_dir, studio) = studio(DEFAULT_AUTOSAVE_INTERVAL);
    let id = studio.create(Composition::new("Song")).unwrap();
    assert!(studio.is_open(&id));
    studio
        .with(&id, |open| {
            open.edit(Scope::Settings, |c| song::set_tempo(c, 99.0))
        })
        .unwrap()
        .unwrap();
    let version = studio.save(&id, HistorySource::Manual, "slower").unwrap();
    assert_eq!(version, 1);
    assert!(!studio.with(&id, |o| o.is_dirty()).unwrap());
    studio.close(&id).unwrap();
    assert!(!studio.is_open(&id));
    let opened = studio.open(&id).unwrap();
    assert!(!opened.already_open && opened.recovered_from.is_none());
    assert_eq!(studio.snapshot(&id).unwrap().tempo, 99.0);
    assert_eq!(
        studio.close(&Id::generate()).unwrap_err().code(),
        "COMPOSITION_NOT_OPEN"
    );
    assert_eq!(
        studio.open(&Id::generate()).unwrap_err().code(),
        "COMPOSITION_NOT_FOUND"
    );
}

#[test]
fn closing_with_unsaved_edits_leaves_an_autosave() {
    let (dir, studio) = studio(DEFAULT_AUTOSAVE_INTERVAL);
    let id = studio.create(Composition::new("Song")).unwrap();
    studio
        .with(&id, |o| {
            o.edit(Scope::Settings, |c| song::set_tempo(c, 77.0))
        })
        .unwrap()
        .unwrap();
    studio.close(&id).unwrap();
    assert_eq!(autosave_on_disk(&dir, &id).unwrap()["tempo"], 77.0);
    assert!(studio.open(&id).unwrap().has_autosave);
}

#[test]
fn edits_to_different_compositions_do_not_wait_for_each_other() {
    let (_dir, studio) = studio(DEFAULT_AUTOSAVE_INTERVAL);
    let a = studio.create(Composition::new("A")).unwrap();
    let b = studio.create(Composition::new("B")).unwrap();
    let (entered, release) = (std::sync::mpsc::channel(), std::sync::mpsc::channel::<()>());
    let blocker = {
        let studio = studio.clone();
        let a = a.clone();
        let (entered, release) = (entered.0, release.1);
        std::thread::spawn(move || {
            studio
                .with(&a, |_| {
                    entered.send(()).unwrap();
                    release.recv().unwrap();
                })
                .unwrap();
        })
    };
    entered.1.recv().unwrap();
    // A is locked by the other thread; B must still be editable right away.
    let started = Instant::now();
    studio
        .with(&b, |o| {
            o.edit(Scope::Settings, |c| {
                tracks::add_track(c, tracks::NewTrack::new("t", TrackType::Midi))
            })
        })
        .unwrap()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(1));
    release.0.send(()).unwrap();
    blocker.join().unwrap();
}

#[test]
fn autosave_writes_changes_within_an_interval_so_a_kill_loses_at_most_one() {
    let interval = Duration::from_millis(100);
    let (dir, studio) = studio(interval);
    let id = studio.create(Composition::new("Song")).unwrap();
    let task = studio.start_autosave();
    for bpm in [90.0, 95.0, 101.0] {
        studio
            .with(&id, |o| {
                o.edit(Scope::Settings, |c| song::set_tempo(c, bpm))
            })
            .unwrap()
            .unwrap();
    }
    // Simulate a kill after more than one interval: only what is on disk counts.
    let deadline = Instant::now() + interval * 3;
    let mut seen = None;
    while Instant::now() < deadline {
        seen = autosave_on_disk(&dir, &id).map(|v| v["tempo"].clone());
        if seen == Some(serde_json::json!(101.0)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(seen, Some(serde_json::json!(101.0)));
    // The write is acknowledged (the dirty mark cleared) right after it lands.
    let deadline = Instant::now() + interval;
    while studio.with(&id, |o| o.is_dirty()).unwrap() {
        assert!(Instant::now() < deadline, "still dirty after the write");
        std::thread::sleep(Duration::from_millis(5));
    }
    // Nothing changed since: the next ticks write nothing.
    let modified = |dir: &tempfile::TempDir| {
        std::fs::metadata(
            dir.path()
                .join("data/compositions")
                .join(id.as_str())
                .join("autosave.json"),
        )
        .unwrap()
        .modified()
        .unwrap()
    };
    let first = modified(&dir);
    std::thread::sleep(interval * 2);
    assert_eq!(modified(&dir), first);
    task.stop();
}

#[test]
fn flush_writes_dirty_compositions_and_a_save_removes_the_stale_autosave() {
    let (dir, studio) = studio(DEFAULT_AUTOSAVE_INTERVAL);
    let id = studio.create(Composition::new("Song")).unwrap();
    assert_eq!(studio.flush().unwrap(), 0);
    studio
        .with(&id, |o| {
            o.edit(Scope::Settings, |c| song::set_tempo(c, 140.0))
        })
        .unwrap()
        .unwrap();
    assert_eq!(studio.flush().unwrap(), 1);
    assert!(autosave_on_disk(&dir, &id).is_some());
    assert_eq!(studio.flush().unwrap(), 0);
    studio.save(&id, HistorySource::Manual, "keep").unwrap();
    assert!(autosave_on_disk(&dir, &id).is_none());
}

#[test]
fn a_kill_at_any_moment_loses_at_most_the_last_interval_of_edits() {
    let interval = Duration::from_millis(150);
    // Room for one durable write on a busy disk.
    let write_time = Duration::from_millis(150);
    let (dir, studio) = studio(interval);
    let id = studio.create(Composition::new("Song")).unwrap();
    let _task = studio.start_autosave();
    let start = Instant::now();
    let mut edits: Vec<(Instant, f64)> = Vec::new();
    let mut checks = 0;
    let mut bpm = 30.0;
    while start.elapsed() < Duration::from_millis(1500) {
        bpm += 1.0;
        studio
            .with(&id, |o| {
                o.edit(Scope::Settings, |c| song::set_tempo(c, bpm))
            })
            .unwrap()
            .unwrap();
        edits.push((Instant::now(), bpm));
        std::thread::sleep(Duration::from_millis(7));
        // Were the process killed now, only the files on disk would survive: they must hold
        // every edit older than one interval (plus the time to write it).
        let now = Instant::now();
        let required = edits
            .iter()
            .rev()
            .find(|(at, _)| *at + interval + write_time <= now)
            .map(|(_, bpm)| *bpm);
        if let Some(required) = required {
            let saved = autosave_on_disk(&dir, &id)
                .and_then(|v| v["tempo"].as_f64())
                .expect("an autosave exists after the first interval");
            assert!(
                saved >= required,
                "on disk {saved} BPM, but {required} BPM is older than an interval"
            );
            checks += 1;
        }
    }
    assert!(checks > 20, "only {checks} checks ran");
}

#[test]
fn a_delete_racing_opens_never_leaves_a_deleted_composition_open() {
    let (_dir, studio) = studio(DEFAULT_AUTOSAVE_INTERVAL);
    for _ in 0..40 {
        let id = studio.create(Composition::new("Doomed")).unwrap();
        studio.close(&id).unwrap();
        let opener = {
            let studio = studio.clone();
            let id = id.clone();
            std::thread::spawn(move || loop {
                match studio.with(&id, |open| open.composition().tracks.len()) {
                    Ok(_) => {}
                    Err(e) if e.code() == "COMPOSITION_NOT_FOUND" => return,
                    Err(e) => panic!("open during a delete failed: {e}"),
                }
                studio.discard(&id);
            })
        };
        std::thread::sleep(Duration::from_micros(300));
        studio.delete(&id).unwrap();
        opener.join().unwrap();
        assert!(!studio.is_open(&id), "a deleted composition stayed open");
        assert_eq!(
            studio.delete(&id).unwrap_err().code(),
            "COMPOSITION_NOT_FOUND"
        );
    }
}

#[test]
fn a_load_that_finishes_after_a_delete_is_not_made_open() {
    // The interleaving a racing open can produce: its load read the files, then the delete
    // ran, then the open tries to make the loaded state open.
    let (_dir, studio) = studio(DEFAULT_AUTOSAVE_INTERVAL);
    let id = studio.create(Composition::new("Doomed")).unwrap();
    studio.close(&id).unwrap();
    let loaded = studio.store().load(&id).unwrap();
    studio.delete(&id).unwrap();
    let err = studio.insert(loaded.composition).err().expect("refused");
    assert_eq!(err.code(), "COMPOSITION_NOT_FOUND");
    assert!(!studio.is_open(&id));
}

#[test]
fn replace_and_save_is_one_undo_step_and_one_version_and_keeps_the_playhead() {
    let (_dir, studio) = studio(DEFAULT_AUTOSAVE_INTERVAL);
    let id = studio.create(Composition::new("Song")).unwrap();
    studio
        .edit(&id, Scope::Settings, |c| song::set_tempo(c, 90.0))
        .unwrap();
    studio.save(&id, HistorySource::Manual, "slower").unwrap();
    studio.with(&id, |o| o.seek(6.0)).unwrap().unwrap();

    let original = studio.store().load_version(&id, 0).unwrap();
    let version = studio
        .replace_and_save(&id, original, HistorySource::Restore, "Restored version 0")
        .unwrap();
    assert_eq!(version, 2);
    let now = studio.snapshot(&id).unwrap();
    assert_eq!((now.tempo, now.current_position), (120.0, 6.0));
    let history = studio.store().history(&id).unwrap();
    assert_eq!(history[2].source, HistorySource::Restore);
    assert_eq!(history[2].message, "Restored version 0");
    assert_eq!(studio.store().load(&id).unwrap().composition.tempo, 120.0);
    assert!(!studio.with(&id, |o| o.is_dirty()).unwrap());

    // The next edit builds on the restored state, and the restore can be undone.
    studio
        .edit(&id, Scope::Settings, |c| song::rename(c, "After"))
        .unwrap();
    studio.save(&id, HistorySource::Manual, "renamed").unwrap();
    let saved = studio.store().load(&id).unwrap().composition;
    assert_eq!((saved.name.as_str(), saved.tempo), ("After", 120.0));
    studio.undo(&id).unwrap();
    studio.undo(&id).unwrap();
    assert_eq!(studio.snapshot(&id).unwrap().tempo, 90.0);

    let mut stranger = Composition::new("Other");
    stranger.id = Id::generate();
    let err = studio
        .replace_and_save(&id, stranger, HistorySource::Restore, "x")
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_VALUE");
    assert_eq!(studio.store().history(&id).unwrap().len(), 4);
}

#[test]
fn an_explicit_autosave_writes_now_and_clears_the_dirty_mark() {
    let (dir, studio) = studio(Duration::from_secs(3600));
    let id = studio.create(Composition::new("Song")).unwrap();
    studio
        .edit(&id, Scope::Settings, |c| song::set_tempo(c, 97.0))
        .unwrap();
    assert!(studio.with(&id, |o| o.is_dirty()).unwrap());
    studio.autosave(&id).unwrap();
    assert_eq!(autosave_on_disk(&dir, &id).unwrap()["tempo"], 97.0);
    assert!(!studio.with(&id, |o| o.is_dirty()).unwrap());
    // A save afterwards removes it: the autosave is never newer than the save.
    studio.save(&id, HistorySource::Manual, "kept").unwrap();
    assert!(autosave_on_disk(&dir, &id).is_none());
    assert_eq!(
        studio.autosave(&Id::generate()).unwrap_err().code(),
        "COMPOSITION_NOT_FOUND"
    );
}
