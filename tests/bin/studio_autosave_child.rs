//! Child process of the autosave kill test (`tests/autosave_kill.rs`).
//!
//! `studio-autosave-child DATA_DIR COMPOSITION_ID INTERVAL_MS` opens the composition in a
//! `Studio` whose background task autosaves every `INTERVAL_MS`, then edits it every few
//! milliseconds forever, each edit raising the marker `metadata.seq` by one. After each edit
//! it prints `EDIT <seq> <microseconds since READY>`, so the parent, which kills it with
//! SIGKILL, knows which edits were acknowledged and when.

use std::io::Write;
use std::time::{Duration, Instant};

use sonic_daw::{Scope, Studio, StudioConfig};
use sonic_model::Id;
use sonic_store::{CompositionStore, DataDirLock, StorageConfig};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, data_dir, id, interval_ms] = args.as_slice() else {
        eprintln!("usage: studio-autosave-child DATA_DIR COMPOSITION_ID INTERVAL_MS");
        std::process::exit(2);
    };
    let id = Id::parse(id).expect("valid id");
    let interval = Duration::from_millis(interval_ms.parse().expect("INTERVAL_MS is a number"));
    let config = StorageConfig::new(data_dir);
    let lock = DataDirLock::acquire(&config, Duration::from_secs(10)).expect("lock");
    let store = CompositionStore::open(config, lock).expect("open store");
    let studio = Studio::new(
        store,
        StudioConfig {
            autosave_interval: interval,
            ..StudioConfig::default()
        },
    );
    studio.open(&id).expect("open");
    let mut seq = studio
        .snapshot(&id)
        .expect("open")
        .metadata
        .get("seq")
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    let _autosave = studio.start_autosave();
    let mut out = std::io::stdout().lock();
    writeln!(out, "READY").unwrap();
    out.flush().unwrap();
    let start = Instant::now();
    loop {
        seq += 1;
        studio
            .edit(&id, Scope::Settings, |c| {
                c.metadata.insert("seq".into(), seq.into());
                Ok(())
            })
            .expect("edit");
        writeln!(out, "EDIT {seq} {}", start.elapsed().as_micros()).unwrap();
        out.flush().unwrap();
        std::thread::sleep(Duration::from_millis(3));
    }
}
