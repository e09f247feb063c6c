use std::sync::Arc;
use std::time::Duration;

use sonic_model::{Composition, Track, TrackType};

use super::*;

/// Recognises files starting with `AUDIO:<ext>:` as one second of audio stored as `<ext>`.
struct FakeProbe;

impl AudioProbe for FakeProbe {
    fn probe(&self, path: &Path) -> std::result::Result<ProbedAudio, String> {
        let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&bytes);
        let ext = text
            .strip_prefix("AUDIO:")
            .and_then(|rest| rest.split(':').next())
            .ok_or_else(|| "no known container".to_string())?;
        Ok(ProbedAudio {
            duration_secs: 1.0,
            sample_rate: 44_100,
            channels: 2,
            codec: "pcm_s16le".into(),
            container: ext.into(),
            extension: ext.into(),
        })
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    config: StorageConfig,
    lock: DataDirLock,
    library: SampleLibrary,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let config = StorageConfig::new(dir.path().join("data"));
    config.ensure_directories().unwrap();
    let lock = DataDirLock::acquire(&config, Duration::ZERO).unwrap();
    let library = SampleLibrary::open(config.clone(), lock.clone(), Arc::new(FakeProbe)).unwrap();
    Fixture {
        _dir: dir,
        config,
        lock,
        library,
    }
}

fn write_source(f: &Fixture, name: &str, content: &[u8]) -> PathBuf {
    let path = f.config.data_dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

/// Names in `data/samples/`, other than the `cache` folder.
fn sample_dir_names(f: &Fixture) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(&f.config.samples_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "cache")
        .collect();
    names.sort();
    names
}

#[test]
fn import_stores_the_bytes_as_sent_under_the_probed_extension() {
    let f = fixture();
    let content = b"AUDIO:wav:the bytes of a kick drum";
    let source = write_source(&f, "kick.mp3", content);
    let meta = f.library.import_file(&source, None, None).unwrap();
    assert_eq!(meta.name, "kick");
    assert_eq!(meta.category, DEFAULT_CATEGORY);
    assert_eq!(
        meta.file_name,
        format!("{}.wav", meta.id),
        "extension from the content"
    );
    assert_eq!(meta.size, content.len() as u64);
    assert_eq!(
        meta.content_hash,
        blake3::hash(content).to_hex().to_string()
    );
    assert_eq!(
        (meta.sample_rate, meta.channels, meta.duration),
        (44_100, 2, 1.0)
    );
    assert_eq!(std::fs::read(f.library.file_path(&meta)).unwrap(), content);
    assert_eq!(
        sample_dir_names(&f),
        vec![meta.file_name.clone(), "metadata.json".into()]
    );

    let index = std::fs::read_to_string(f.config.samples_dir.join("metadata.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&index).unwrap();
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["samples"][meta.id.as_str()]["name"], "kick");
    assert_eq!(f.library.get(&meta.id).unwrap(), meta);
}

#[test]
fn a_file_that_is_not_audio_is_refused_and_leaves_nothing_behind() {
    let f = fixture();
    let source = write_source(&f, "notes.wav", b"just some text");
    let err = f
        .library
        .import_file(&source, Some("Notes"), None)
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::NotAudio { file, .. } if file.ends_with("notes.wav")),
        "{err}"
    );
    assert!(err.is_bad_input());
    assert!(sample_dir_names(&f).is_empty());
}

#[test]
fn a_file_over_the_size_limit_is_refused_and_leaves_nothing_behind() {
    let f = fixture();
    let library = SampleLibrary::open(f.config.clone(), f.lock.clone(), Arc::new(FakeProbe))
        .unwrap()
        .with_max_bytes(100);
    let mut big = b"AUDIO:wav:".to_vec();
    big.resize(101, b'x');
    let err = library
        .import_reader(&big[..], "big.wav", None, None)
        .unwrap_err();
    assert!(
        matches!(err, StoreError::SampleTooLarge { limit: 100, .. }),
        "{err}"
    );
    assert!(sample_dir_names(&f).is_empty());
    big.truncate(100);
    library
        .import_reader(&big[..], "fits.wav", None, None)
        .unwrap();
}

#[test]
fn concurrent_imports_never_lose_an_entry() {
    let f = fixture();
    let library = Arc::new(f.library);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let library = Arc::clone(&library);
            std::thread::spawn(move || {
                for i in 0..5 {
                    let body = format!("AUDIO:flac:thread {t} file {i}");
                    library
                        .import_reader(body.as_bytes(), &format!("t{t}-{i}.flac"), None, None)
                        .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let listing = library.list().unwrap();
    assert_eq!(listing.samples.len(), 40);
    assert!(listing.rebuilt.is_none());
}

#[test]
fn rename_and_recategorise_keep_the_rest() {
    let f = fixture();
    let meta = f
        .library
        .import_reader(&b"AUDIO:wav:x"[..], "a.wav", Some("Snare"), Some("Drums"))
        .unwrap();
    let renamed = f
        .library
        .update(&meta.id, Some("  Snare 2 "), None)
        .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.category.as_str()),
        ("Snare 2", "Drums")
    );
    let moved = f
        .library
        .update(&meta.id, None, Some("Percussion"))
        .unwrap();
    assert_eq!(
        (moved.name.as_str(), moved.category.as_str()),
        ("Snare 2", "Percussion")
    );
    assert_eq!(moved.content_hash, meta.content_hash);
    assert!(moved.updated_at >= meta.updated_at);
    assert_eq!(f.library.list().unwrap().samples, vec![moved]);
}

#[test]
fn empty_or_control_character_labels_are_refused() {
    let f = fixture();
    let meta = f
        .library
        .import_reader(&b"AUDIO:wav:x"[..], "a.wav", None, None)
        .unwrap();
    for bad in ["", "   ", "tab\there", &"x".repeat(201)] {
        let err = f.library.update(&meta.id, Some(bad), None).unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{bad:?}");
    }
    assert!(f
        .library
        .import_reader(&b"AUDIO:wav:x"[..], "b.wav", None, Some(""))
        .is_err());
}

#[test]
fn an_unknown_sample_is_not_found() {
    let f = fixture();
    let id = Id::generate();
    assert!(matches!(
        f.library.get(&id),
        Err(StoreError::SampleNotFound(_))
    ));
    assert!(matches!(
        f.library.update(&id, Some("x"), None),
        Err(StoreError::SampleNotFound(_))
    ));
    let store = CompositionStore::open(f.config.clone(), f.lock.clone()).unwrap();
    assert!(matches!(
        f.library.delete(&id, &store, false),
        Err(StoreError::SampleNotFound(_))
    ));
}

#[test]
fn delete_refuses_while_a_composition_uses_the_sample_unless_forced() {
    let f = fixture();
    let kick = f
        .library
        .import_reader(&b"AUDIO:wav:kick"[..], "kick.wav", None, None)
        .unwrap();
    let spare = f
        .library
        .import_reader(&b"AUDIO:wav:spare"[..], "spare.wav", None, None)
        .unwrap();
    let store = CompositionStore::open(f.config.clone(), f.lock.clone()).unwrap();
    let mut song = Composition::new("Beat");
    let mut track = Track::new(song.id.clone(), "Drums", TrackType::Audio);
    track.sample_id = Some(kick.id.clone());
    song.tracks.push(track);
    store.create(&mut song).unwrap();
    let cache = f
        .config
        .sample_cache_dir()
        .join(format!("{}.json", kick.id));
    std::fs::write(&cache, b"{}").unwrap();

    let err = f.library.delete(&kick.id, &store, false).unwrap_err();
    match &err {
        StoreError::SampleInUse { compositions, .. } => {
            assert_eq!(compositions, &vec![format!("Beat ({})", song.id)]);
        }
        other => panic!("expected SampleInUse, got {other}"),
    }
    assert!(err.to_string().contains("Beat"));
    assert!(
        f.library.file_path(&kick).exists(),
        "a refused delete keeps the file"
    );

    assert!(f
        .library
        .delete(&spare.id, &store, false)
        .unwrap()
        .is_empty());
    let users = f.library.delete(&kick.id, &store, true).unwrap();
    assert_eq!(users.len(), 1);
    assert!(!f.library.file_path(&kick).exists());
    assert!(!cache.exists(), "the cached analysis goes with the sample");
    assert!(f.library.list().unwrap().samples.is_empty());
}

#[test]
fn a_corrupt_index_is_rebuilt_from_the_files_and_says_so() {
    let f = fixture();
    let a = f
        .library
        .import_reader(&b"AUDIO:wav:a"[..], "a.wav", Some("A"), None)
        .unwrap();
    let b = f
        .library
        .import_reader(&b"AUDIO:ogg:b"[..], "b.ogg", Some("B"), None)
        .unwrap();
    std::fs::write(f.config.samples_dir.join("junk.txt"), b"not a sample").unwrap();
    std::fs::write(
        f.config.samples_dir.join("metadata.json"),
        b"{\"format_version\":1,\"samp",
    )
    .unwrap();

    let listing = f.library.list().unwrap();
    let reason = listing.rebuilt.expect("the listing says it was rebuilt");
    assert!(reason.contains("corrupt"), "{reason}");
    let mut ids: Vec<_> = listing.samples.iter().map(|s| s.id.clone()).collect();
    ids.sort();
    let mut want = vec![a.id.clone(), b.id.clone()];
    want.sort();
    assert_eq!(ids, want);
    let rebuilt_a = listing.samples.iter().find(|s| s.id == a.id).unwrap();
    assert_eq!(rebuilt_a.content_hash, a.content_hash);
    assert_eq!(rebuilt_a.file_name, a.file_name);
    // Written back: the next listing is intact.
    assert!(f.library.list().unwrap().rebuilt.is_none());
}

#[test]
fn a_missing_index_with_files_present_is_rebuilt_too() {
    let f = fixture();
    f.library
        .import_reader(&b"AUDIO:wav:a"[..], "a.wav", None, None)
        .unwrap();
    std::fs::remove_file(f.config.samples_dir.join("metadata.json")).unwrap();
    let listing = f.library.list().unwrap();
    assert_eq!(listing.samples.len(), 1);
    assert!(listing.rebuilt.unwrap().contains("missing"));
}

#[test]
fn an_index_of_a_newer_format_is_refused_not_rebuilt() {
    let f = fixture();
    let path = f.config.samples_dir.join("metadata.json");
    std::fs::write(&path, br#"{"format_version":2,"samples":{}}"#).unwrap();
    assert!(matches!(
        f.library.list(),
        Err(StoreError::UnsupportedFormat { found: 2, .. })
    ));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        br#"{"format_version":2,"samples":{}}"#
    );
}

#[test]
fn a_read_only_library_lists_but_never_writes() {
    let f = fixture();
    f.library
        .import_reader(&b"AUDIO:wav:a"[..], "a.wav", None, None)
        .unwrap();
    let reader = SampleLibrary::open_read_only(f.config.clone(), Arc::new(FakeProbe));
    assert_eq!(reader.list().unwrap().samples.len(), 1);
    let err = reader
        .import_reader(&b"AUDIO:wav:b"[..], "b.wav", None, None)
        .unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly));
    std::fs::write(f.config.samples_dir.join("metadata.json"), b"garbage").unwrap();
    assert!(reader.list().unwrap().rebuilt.is_some());
    assert_eq!(
        std::fs::read(f.config.samples_dir.join("metadata.json")).unwrap(),
        b"garbage"
    );
}

#[test]
fn temp_files_of_an_interrupted_import_are_removed_on_open() {
    let f = fixture();
    let stray = f.config.samples_dir.join(".tmp-interrupted");
    std::fs::write(&stray, b"half an upload").unwrap();
    SampleLibrary::open(f.config.clone(), f.lock.clone(), Arc::new(FakeProbe)).unwrap();
    assert!(!stray.exists());
}

#[test]
fn a_folder_or_a_missing_file_is_refused_as_bad_input() {
    let f = fixture();
    for path in [
        f.config.compositions_dir.clone(),
        f.config.data_dir.join("nope.wav"),
    ] {
        let err = f.library.import_file(&path, None, None).unwrap_err();
        assert!(matches!(err, StoreError::NotAudio { .. }), "{err}");
        assert!(err.is_bad_input());
    }
    assert!(sample_dir_names(&f).is_empty());
}
