//! Child process of the crash-safety test (`tests/crash.rs`).
//!
//! `store-crash-child DATA_DIR COMPOSITION_ID FIRST_SEQ SEED` opens the store, then loops
//! forever over saves, autosaves and restores of the composition, each changing the marker
//! `metadata.seq`. Before each operation it prints `BEGIN <op> <seq the current state will
//! have>` and after it `ACK <op> <seq> <version>`, so the parent, which kills it with SIGKILL
//! at a random moment, knows which writes were acknowledged and which one was in flight.

use std::io::Write;
use std::time::Duration;

use sonic_model::{Composition, HistorySource, Id};
use sonic_store::{CompositionStore, DataDirLock, StorageConfig};

fn seq_of(c: &Composition) -> u64 {
    c.metadata.get("seq").and_then(|v| v.as_u64()).unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, data_dir, id, first_seq, seed] = args.as_slice() else {
        eprintln!("usage: store-crash-child DATA_DIR COMPOSITION_ID FIRST_SEQ SEED");
        std::process::exit(2);
    };
    let id = Id::parse(id).expect("valid id");
    let mut seq: u64 = first_seq.parse().expect("FIRST_SEQ is a number");
    let mut rng: u64 = seed.parse::<u64>().expect("SEED is a number") | 1;
    let config = StorageConfig::new(data_dir);
    let lock = DataDirLock::acquire(&config, Duration::from_secs(10)).expect("lock");
    let store = CompositionStore::open(config, lock).expect("open store");
    let mut song = store.load(&id).expect("load").composition;
    let mut out = std::io::stdout().lock();
    writeln!(out, "READY").unwrap();
    out.flush().unwrap();
    loop {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        seq += 1;
        song.metadata.insert("seq".into(), seq.into());
        song.tempo = 60.0 + (seq % 200) as f64;
        match rng % 6 {
            0 | 1 => {
                writeln!(out, "BEGIN save {seq}").unwrap();
                let v = store
                    .save(&mut song, HistorySource::Manual, &format!("seq {seq}"))
                    .expect("save");
                writeln!(out, "ACK save {seq} {v}").unwrap();
            }
            2 => {
                writeln!(out, "BEGIN ai {seq}").unwrap();
                let v = store
                    .save(&mut song, HistorySource::Ai, &format!("seq {seq}"))
                    .expect("save");
                writeln!(out, "ACK ai {seq} {v}").unwrap();
            }
            3 | 4 => {
                writeln!(out, "BEGIN autosave {seq}").unwrap();
                store.autosave(&song).expect("autosave");
                writeln!(out, "ACK autosave {seq} -").unwrap();
            }
            _ => {
                let history = store.history(&id).expect("history");
                let pick = history[(rng >> 8) as usize % history.len()].version;
                let old = store.load_version(&id, pick).expect("load version");
                let expect = seq_of(&old);
                writeln!(out, "BEGIN restore {expect}").unwrap();
                let saved = store.restore(&id, pick).expect("restore");
                writeln!(out, "ACK restore {expect} {}", saved.version).unwrap();
                song = saved.composition;
            }
        }
        out.flush().unwrap();
    }
}
