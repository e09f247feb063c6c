//! Crash safety: a child process saves, autosaves and restores in a loop and is killed with
//! SIGKILL at random moments; after every kill the data must be intact.
//!
//! Trials: `SONIC_CRASH_TRIALS` (default 200). After each kill it checks that every JSON file
//! parses, `current.json` is the last acknowledged state or the one in flight, history
//! numbers are never reused (a version's content never changes, no number appears twice,
//! acknowledged numbers strictly increase across all trials),
//! no acknowledged save is lost, no temp file is loaded, and the next save works. It prints
//! the figures recorded in docs/BENCHMARKS.md.

#![cfg(unix)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use sonic_e2e::{run_until_killed, Xorshift};
use sonic_model::{Clip, Composition, HistorySource, Id, MidiNote, Track, TrackType};
use sonic_store::{CompositionStore, DataDirLock, StorageConfig};

fn seq_of(value: &serde_json::Value) -> u64 {
    value["metadata"]["seq"].as_u64().unwrap_or(0)
}

/// A composition big enough that writes take a while (4 tracks x 4 clips x 32 notes).
fn song() -> Composition {
    let mut song = Composition::new("Crash test");
    for t in 0..4 {
        let track = Track::new(song.id.clone(), format!("Track {t}"), TrackType::Midi);
        for c in 0..4 {
            let notes = (0..32)
                .map(|n| MidiNote::new(36 + n as u8, f64::from(n) * 0.25, 0.25, 100))
                .collect();
            song.clips.push(Clip::midi(
                track.id.clone(),
                format!("Clip {c}"),
                f64::from(c) * 8.0,
                8.0,
                notes,
            ));
        }
        song.tracks.push(track);
    }
    song
}

fn parse_file(path: &Path) -> serde_json::Value {
    let bytes = std::fs::read(path).unwrap();
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{} does not parse after a kill: {e}", path.display()))
}

#[derive(Default)]
struct Figures {
    trials: u32,
    violations: u32,
    lost_acks: u32,
    acks: u64,
    temp_files_seen: u32,
    in_flight_states: u32,
    kills_mid_write: u32,
}

#[test]
fn sigkill_at_random_moments_never_loses_or_corrupts_acknowledged_work() {
    let trials: u32 = std::env::var("SONIC_CRASH_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let child_bin = env!("CARGO_BIN_EXE_store-crash-child");
    let dir = tempfile::tempdir().unwrap();
    let config = StorageConfig::new(dir.path().join("data"));
    config.ensure_directories().unwrap();
    let mut composition = song();
    let id: Id = composition.id.clone();
    {
        let lock = DataDirLock::acquire(&config, Duration::ZERO).unwrap();
        CompositionStore::open(config.clone(), lock)
            .unwrap()
            .create(&mut composition)
            .unwrap();
    }
    let folder = config.compositions_dir.join(id.as_str());
    let mut rng = Xorshift::from_clock();
    let mut figures = Figures::default();
    // version -> seq of its content, as first seen; must never change.
    let mut versions: BTreeMap<u64, u64> = BTreeMap::new();
    let mut expected_current = 0u64;
    // Acknowledged version numbers, across all trials, must strictly increase.
    let mut last_acked_version = 0u64;
    let started = Instant::now();

    for trial in 0..trials {
        // Kill it somewhere within its next writes, once it is working.
        let seed = rng.next_u64();
        let log = run_until_killed(
            Command::new(child_bin)
                .arg(&config.data_dir)
                .arg(id.as_str())
                .arg(((u64::from(trial) + 1) * 1_000_000).to_string())
                .arg(seed.to_string()),
            Duration::from_micros(rng.next_u64() % 120_000),
        );
        figures.trials += 1;

        // What the child acknowledged, and what it had in flight.
        let mut in_flight = None;
        let mut acked_versions = Vec::new();
        for line in log.lines() {
            let parts: Vec<&str> = line.split(' ').collect();
            match parts.as_slice() {
                ["BEGIN", op, seq] if *op != "autosave" => {
                    in_flight = Some(seq.parse::<u64>().unwrap())
                }
                ["BEGIN", ..] => {}
                ["ACK", "autosave", ..] => figures.acks += 1,
                ["ACK", _, seq, version] => {
                    figures.acks += 1;
                    expected_current = seq.parse().unwrap();
                    let version = version.parse::<u64>().unwrap();
                    if version <= last_acked_version {
                        figures.violations += 1;
                        eprintln!(
                            "trial {trial}: acknowledged version {version} after {last_acked_version}"
                        );
                    }
                    last_acked_version = version;
                    acked_versions.push((version, expected_current));
                    in_flight = None;
                }
                _ => {} // a line cut by the kill
            }
        }

        if log.lines().last().is_some_and(|l| l.starts_with("BEGIN")) {
            figures.kills_mid_write += 1;
        }

        // Every JSON file parses; temp files are only ever .tmp-*.
        let mut history_numbers = Vec::new();
        for entry in std::fs::read_dir(&folder)
            .unwrap()
            .chain(std::fs::read_dir(folder.join("history")).unwrap())
        {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            if name.starts_with(".tmp-") {
                figures.temp_files_seen += 1;
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                continue;
            }
            let value = parse_file(&entry.path());
            if entry.path().parent().unwrap().ends_with("history") {
                let number: u64 = name.split('_').next().unwrap().parse().unwrap();
                assert_eq!(
                    value["version"], number,
                    "{name}: content and name disagree"
                );
                history_numbers.push(number);
                let seq = seq_of(&value["composition"]);
                let first = *versions.entry(number).or_insert(seq);
                if first != seq {
                    figures.violations += 1;
                    eprintln!("trial {trial}: version {number} reused (seq {first} then {seq})");
                }
            }
        }
        history_numbers.sort();
        let before = history_numbers.len();
        history_numbers.dedup();
        if history_numbers.len() != before {
            figures.violations += 1;
            eprintln!("trial {trial}: a history number appears twice");
        }

        // No acknowledged save is lost.
        for (version, seq) in acked_versions {
            if versions.get(&version) != Some(&seq) {
                figures.lost_acks += 1;
                eprintln!("trial {trial}: acknowledged version {version} (seq {seq}) missing");
            }
        }

        // current.json is the last acknowledged state or the one in flight.
        let current = seq_of(&parse_file(&folder.join("current.json")));
        if current == expected_current {
        } else if Some(current) == in_flight {
            figures.in_flight_states += 1;
            expected_current = current;
        } else {
            figures.violations += 1;
            eprintln!("trial {trial}: current seq {current}, expected {expected_current} or {in_flight:?}");
        }

        // The store loads without touching temp files or falling back.
        let reader = CompositionStore::open_read_only(config.clone());
        let loaded = reader.load(&id).unwrap();
        assert!(
            loaded.recovered_from.is_none(),
            "trial {trial}: {:?}",
            loaded.recovered_from
        );
        assert_eq!(
            seq_of(&serde_json::to_value(&loaded.composition).unwrap()),
            current
        );
        assert_eq!(reader.list().unwrap().compositions.len(), 1);
    }

    // The next save works and gets a number above every number ever used.
    let lock = DataDirLock::acquire(&config, Duration::from_secs(5)).unwrap();
    let store = CompositionStore::open(config.clone(), lock).unwrap();
    let mut song = store.load(&id).unwrap().composition;
    let version = store
        .save(&mut song, HistorySource::Manual, "after the storm")
        .unwrap();
    let highest = versions.keys().last().copied().unwrap_or(0);
    assert!(
        u64::from(version) > highest,
        "version {version} <= {highest}"
    );
    let temp_left = std::fs::read_dir(&folder)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
        .count();
    assert_eq!(temp_left, 0, "open() cleans temp files");

    println!(
        "crash safety: {} trials in {:.1}s, {} acknowledged writes, {} versions, {} kills with a \
         write in flight ({} of them had already replaced current.json), {} temp files left by \
         kills, {} violations, {} lost acknowledged saves",
        figures.trials,
        started.elapsed().as_secs_f64(),
        figures.acks,
        versions.len(),
        figures.kills_mid_write,
        figures.in_flight_states,
        figures.temp_files_seen,
        figures.violations,
        figures.lost_acks
    );
    assert_eq!(figures.violations, 0);
    assert_eq!(figures.lost_acks, 0);
}
