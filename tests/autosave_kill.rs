//! Autosave under a real kill: a child process edits a composition in a `Studio` that
//! autosaves every 100 ms and is killed with SIGKILL at random moments. After each kill the
//! files on disk must hold every edit older than one interval (plus the time one durable
//! write can take on a busy disk), parse, and load without falling back.
//!
//! Trials: `SONIC_AUTOSAVE_TRIALS` (default 12).

#![cfg(unix)]

use std::process::Command;
use std::time::Duration;

use sonic_e2e::{run_until_killed, Xorshift};
use sonic_model::Composition;
use sonic_store::{CompositionStore, DataDirLock, StorageConfig};

const INTERVAL_MS: u64 = 100;
/// Room for one durable write (history-free: autosave.json and metadata.json, each fsync'd
/// with its folder) on a disk shared with other work.
const WRITE_ROOM_MS: u64 = 150;

fn seq_in(path: &std::path::Path) -> Option<u64> {
    let bytes = std::fs::read(path).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{} does not parse after a kill: {e}", path.display()));
    Some(value["metadata"]["seq"].as_u64().unwrap_or(0))
}

#[test]
fn a_kill_loses_at_most_the_last_interval_of_edits() {
    let trials: u32 = std::env::var("SONIC_AUTOSAVE_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let dir = tempfile::tempdir().unwrap();
    let config = StorageConfig::new(dir.path().join("data"));
    config.ensure_directories().unwrap();
    let mut song = Composition::new("Autosaved");
    {
        let lock = DataDirLock::acquire(&config, Duration::ZERO).unwrap();
        CompositionStore::open(config.clone(), lock)
            .unwrap()
            .create(&mut song)
            .unwrap();
    }
    let folder = config.compositions_dir.join(song.id.as_str());
    let mut rng = Xorshift::from_clock();
    let (mut checked, mut lost_room) = (0, Vec::new());
    for trial in 0..trials {
        let log = run_until_killed(
            Command::new(env!("CARGO_BIN_EXE_studio-autosave-child"))
                .arg(&config.data_dir)
                .arg(song.id.as_str())
                .arg(INTERVAL_MS.to_string()),
            Duration::from_millis(300 + rng.next_u64() % 600),
        );

        // (seq, microseconds) of every acknowledged edit; the last one marks the kill
        // (edits come every ~3 ms).
        let edits: Vec<(u64, u64)> = log
            .lines()
            .filter_map(|line| {
                let mut parts = line.split(' ');
                match (parts.next(), parts.next(), parts.next()) {
                    (Some("EDIT"), Some(seq), Some(us)) => {
                        Some((seq.parse().ok()?, us.parse().ok()?))
                    }
                    _ => None, // a line cut by the kill
                }
            })
            .collect();
        let Some(&(_, killed_at)) = edits.last() else {
            continue;
        };
        let deadline = killed_at.saturating_sub((INTERVAL_MS + WRITE_ROOM_MS) * 1000);
        let required = edits
            .iter()
            .rev()
            .find(|(_, at)| *at <= deadline)
            .map(|(seq, _)| *seq);
        let on_disk = seq_in(&folder.join("autosave.json"))
            .max(seq_in(&folder.join("current.json")))
            .unwrap_or(0);
        let newest = edits.last().map_or(0, |e| e.0);
        assert!(
            on_disk <= newest,
            "trial {trial}: {on_disk} on disk, never acknowledged"
        );
        if let Some(required) = required {
            assert!(
                on_disk >= required,
                "trial {trial}: edit {required} is older than an interval but the disk holds {on_disk}"
            );
            checked += 1;
            lost_room.push(newest - on_disk);
        }
        // The store loads what the kill left, without falling back.
        let loaded = CompositionStore::open_read_only(config.clone())
            .load(&song.id)
            .unwrap();
        assert!(loaded.recovered_from.is_none(), "trial {trial}");
        assert!(loaded.has_autosave, "trial {trial}");
    }
    assert!(
        checked >= trials / 2,
        "only {checked} of {trials} trials were checkable"
    );
    eprintln!(
        "autosave kill: {trials} trials, {checked} checked, edits lost per kill (within the last interval): {lost_room:?}"
    );
}
