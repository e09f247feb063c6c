//! End-to-end: `sonic sample import|list|rm|edit` as a process on a temp data directory,
//! with the committed audio fixtures (tests/fixtures/audio).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use sonic_e2e::Sandbox;
use sonic_model::{Composition, Id, Track, TrackType};
use sonic_store::{CompositionStore, DataDirLock, StorageConfig};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/audio")
        .join(name)
        .display()
        .to_string()
}

/// Names in `data/samples/` other than the cache folder.
fn sample_files(sandbox: &Sandbox) -> Vec<String> {
    let dir: PathBuf = sandbox.data_dir().join("samples");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n != "cache")
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn listed(sandbox: &Sandbox) -> Vec<Value> {
    let out = sandbox.sonic(&["--json", "sample", "list"]).json();
    out["samples"].as_array().unwrap().clone()
}

#[test]
fn imported_files_are_stored_as_sent_and_listed() {
    let sandbox = Sandbox::new();
    let files = [
        fixture("tone.flac"),
        fixture("tone.opus"),
        fixture("tone-opus.webm"),
    ];
    let mut args = vec!["--json", "sample", "import", "--category", "Tones"];
    args.extend(files.iter().map(String::as_str));
    let report = sandbox.sonic(&args).json();
    let imported = report["imported"].as_array().unwrap();
    assert_eq!(imported.len(), 3);
    assert_eq!(report["failed"].as_array().unwrap().len(), 0);

    let by_name = |name: &str| imported.iter().find(|s| s["name"] == name).unwrap().clone();
    let flac = by_name("tone");
    assert_eq!(flac["codec"], "flac");
    assert_eq!(flac["sample_rate"], 44_100);
    assert_eq!(flac["channels"], 2);
    assert_eq!(flac["category"], "Tones");
    assert_eq!(
        flac["file_name"],
        format!("{}.flac", flac["id"].as_str().unwrap())
    );
    assert_eq!(
        by_name("tone-opus")["file_name"]
            .as_str()
            .unwrap()
            .rsplit('.')
            .next(),
        Some("webm")
    );
    let ogg_opus = imported
        .iter()
        .find(|s| s["file_name"].as_str().unwrap().ends_with(".opus"));
    assert!(ogg_opus.is_some(), "Ogg Opus is stored as .opus");

    // Stored byte for byte.
    let stored = sandbox
        .data_dir()
        .join("samples")
        .join(flac["file_name"].as_str().unwrap());
    assert_eq!(
        std::fs::read(stored).unwrap(),
        std::fs::read(&files[0]).unwrap()
    );
    assert_eq!(
        sample_files(&sandbox).len(),
        4,
        "three files and metadata.json"
    );

    assert_eq!(listed(&sandbox).len(), 3);
    let table = sandbox.sonic(&["sample", "list"]);
    let text = table.ok();
    assert!(text.starts_with("ID"), "{text}");
    assert!(
        text.contains("tone-opus") && text.contains("opus 48000 Hz 1 ch"),
        "{text}"
    );
}

#[test]
fn one_file_that_is_not_audio_does_not_stop_the_others_but_exits_2() {
    let sandbox = Sandbox::new();
    let text = sandbox.path().join("notes.wav");
    std::fs::write(&text, "not a sound").unwrap();
    let run = sandbox.sonic(&[
        "--json",
        "sample",
        "import",
        text.to_str().unwrap(),
        &fixture("tone.mp3"),
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    let report: Value = serde_json::from_str(&run.stdout).expect("one JSON value even on failure");
    assert_eq!(report["imported"].as_array().unwrap().len(), 1);
    let failed = &report["failed"][0];
    assert!(failed["file"].as_str().unwrap().ends_with("notes.wav"));
    assert_eq!(failed["bad_input"], true);
    assert!(run.stderr.contains("not audio"), "{}", run.stderr);
    assert!(
        run.stderr.contains("1 of 2 files not imported"),
        "{}",
        run.stderr
    );
    assert_eq!(listed(&sandbox).len(), 1);
    assert!(!sample_files(&sandbox).iter().any(|n| n.starts_with(".tmp")));
}

#[test]
fn a_file_over_the_size_limit_exits_2_and_leaves_nothing_behind() {
    let sandbox = Sandbox::new();
    let run = sandbox.sonic(&[
        "sample",
        "import",
        "--max-bytes",
        "1000",
        &fixture("tone.flac"),
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("1000-byte limit"), "{}", run.stderr);
    assert!(
        sample_files(&sandbox).is_empty(),
        "{:?}",
        sample_files(&sandbox)
    );
}

#[test]
fn a_missing_file_exits_2() {
    let sandbox = Sandbox::new();
    let run = sandbox.sonic(&["sample", "import", "/nonexistent/kick.wav"]);
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn a_name_for_several_files_is_refused() {
    let sandbox = Sandbox::new();
    let run = sandbox.sonic(&[
        "sample",
        "import",
        "--name",
        "x",
        &fixture("tone.flac"),
        &fixture("tone.mp3"),
    ]);
    run.fails_with(2);
    assert!(sample_files(&sandbox).is_empty());
}

#[test]
fn edit_renames_and_recategorises() {
    let sandbox = Sandbox::new();
    let report = sandbox
        .sonic(&[
            "--json",
            "sample",
            "import",
            "--name",
            "Sine",
            &fixture("tone.aiff"),
        ])
        .json();
    let id = report["imported"][0]["id"].as_str().unwrap().to_string();
    let edited = sandbox
        .sonic(&[
            "--json",
            "sample",
            "edit",
            &id,
            "--name",
            "Sine A4",
            "--category",
            "Tests",
        ])
        .json();
    assert_eq!(edited["name"], "Sine A4");
    assert_eq!(edited["category"], "Tests");
    assert_eq!(listed(&sandbox)[0]["name"], "Sine A4");
    sandbox.sonic(&["sample", "edit", &id]).fails_with(2);
}

#[test]
fn rm_refuses_a_sample_in_use_with_exit_2_unless_forced() {
    let sandbox = Sandbox::new();
    let report = sandbox
        .sonic(&["--json", "sample", "import", &fixture("tone.ogg")])
        .json();
    let sample = &report["imported"][0];
    let id = sample["id"].as_str().unwrap().to_string();
    let file = sandbox
        .data_dir()
        .join("samples")
        .join(sample["file_name"].as_str().unwrap());

    // A composition whose audio track plays the sample.
    let song_id = {
        let config = StorageConfig::new(sandbox.data_dir());
        let lock = DataDirLock::acquire(&config, Duration::from_secs(2)).unwrap();
        let store = CompositionStore::open(config, lock).unwrap();
        let mut song = Composition::new("Uses the tone");
        let mut track = Track::new(song.id.clone(), "Audio", TrackType::Audio);
        track.sample_id = Some(Id::parse(&id).unwrap());
        song.tracks.push(track);
        store.create(&mut song).unwrap();
        song.id
    };
    let cache = sandbox
        .data_dir()
        .join("samples/cache")
        .join(format!("{id}.json"));
    std::fs::write(&cache, "{}").unwrap();

    let refused = sandbox.sonic(&["sample", "rm", &id]);
    let message = refused.fails_with(2);
    assert!(
        message.contains("Uses the tone") && message.contains(song_id.as_str()),
        "{message}"
    );
    assert!(file.exists());

    let done = sandbox
        .sonic(&["--json", "sample", "rm", &id, "--force"])
        .json();
    assert_eq!(done["deleted"], id.as_str());
    assert_eq!(done["was_used_by"].as_array().unwrap().len(), 1);
    assert!(!file.exists());
    assert!(!cache.exists(), "the cached analysis goes too");
    assert!(listed(&sandbox).is_empty());
}

#[test]
fn rm_of_an_unknown_or_invalid_id_exits_2() {
    let sandbox = Sandbox::new();
    let unknown = sandbox.sonic(&["sample", "rm", "no-such-sample"]);
    assert!(unknown.fails_with(2).contains("not found"));
    sandbox.sonic(&["sample", "rm", "../etc"]).fails_with(2);
}

#[test]
fn a_corrupt_index_is_rebuilt_and_the_listing_says_so() {
    let sandbox = Sandbox::new();
    sandbox
        .sonic(&["sample", "import", &fixture("tone.flac")])
        .ok();
    std::fs::write(sandbox.data_dir().join("samples/metadata.json"), "{oops").unwrap();
    let run = sandbox.sonic(&["--json", "sample", "list"]);
    let listing = run.json();
    assert_eq!(listing["samples"].as_array().unwrap().len(), 1);
    assert!(listing["rebuilt"].is_string());
    assert!(run.stderr.contains("rebuilt"), "{}", run.stderr);
}

#[test]
fn listing_an_empty_library_needs_no_data_directory() {
    let sandbox = Sandbox::new();
    let run = sandbox.sonic(&["sample", "list"]);
    assert!(run.ok().contains("No samples"));
    assert!(!sandbox.data_dir().exists(), "listing creates nothing");
}

#[test]
fn concurrent_import_processes_never_lose_an_entry() {
    let sandbox = Sandbox::new();
    let files = [
        fixture("tone.flac"),
        fixture("tone.mp3"),
        fixture("tone.aiff"),
    ];
    let children: Vec<_> = (0..4)
        .map(|_| {
            std::process::Command::new(sonic_e2e::sonic_bin())
                .arg("--data-dir")
                .arg(sandbox.data_dir())
                .args(["sample", "import"])
                .args(&files)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start sonic")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(listed(&sandbox).len(), 12);
    assert_eq!(
        sample_files(&sandbox).len(),
        13,
        "12 files and metadata.json"
    );
}
