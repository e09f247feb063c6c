//! End-to-end: `sonic analyze` on files outside the library and on library samples (cached).

use std::f64::consts::PI;
use std::path::Path;

use sonic_e2e::Sandbox;

/// Writes a mono 16-bit PCM WAV of a sine (written by hand: no encoder needed).
fn write_sine_wav(path: &Path, freq: f64, amplitude: f64, seconds: f64) {
    let rate: u32 = 22_050;
    let samples: Vec<i16> = (0..(seconds * rate as f64) as usize)
        .map(|n| (amplitude * 32_767.0 * (2.0 * PI * freq * n as f64 / rate as f64).sin()) as i16)
        .collect();
    let data_len = (samples.len() * 2) as u32;
    let mut bytes = Vec::with_capacity(44 + data_len as usize);
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data_len).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes()); // PCM
    bytes.extend_from_slice(&1u16.to_le_bytes()); // mono
    bytes.extend_from_slice(&rate.to_le_bytes());
    bytes.extend_from_slice(&(rate * 2).to_le_bytes());
    bytes.extend_from_slice(&2u16.to_le_bytes());
    bytes.extend_from_slice(&16u16.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        bytes.extend_from_slice(&s.to_le_bytes());
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_file_outside_the_library_is_analysed_without_touching_the_data_directory() {
    let sandbox = Sandbox::new();
    let file = sandbox.path().join("a4.wav");
    write_sine_wav(&file, 440.0, 0.5, 0.5);

    let out = sandbox
        .sonic(&["--json", "analyze", file.to_str().unwrap()])
        .json();
    let result = &out[0];
    assert_eq!(out.as_array().unwrap().len(), 1);
    assert_eq!(result["cached"], false);
    let analysis = &result["analysis"];
    assert_eq!(analysis["pitch"]["midi_note"], 69);
    assert_eq!(analysis["pitch"]["has_pitch"], true);
    assert!(analysis["summary"].as_str().unwrap().contains("A4"));
    assert!(!sandbox.data_dir().exists(), "no cache for outside files");

    let text = sandbox
        .sonic(&["analyze", file.to_str().unwrap()])
        .ok()
        .to_string();
    assert!(text.contains(" Hz (A4)"), "{text}");
}

#[test]
fn a_library_sample_is_cached_and_recomputed_when_it_changes_or_is_forced() {
    let sandbox = Sandbox::new();
    let source = sandbox.path().join("tone.wav");
    write_sine_wav(&source, 440.0, 0.5, 0.5);
    let imported = sandbox
        .sonic(&["--json", "sample", "import", source.to_str().unwrap()])
        .json();
    let id = imported["imported"][0]["id"].as_str().unwrap().to_string();
    let id = id.as_str();
    let samples = sandbox.data_dir().join("samples");
    let audio = samples.join(imported["imported"][0]["file_name"].as_str().unwrap());

    let analyze = |extra: &[&str]| {
        let mut args = vec!["--json", "analyze", id];
        args.extend_from_slice(extra);
        sandbox.sonic(&args).json()[0].clone()
    };
    let first = analyze(&[]);
    assert_eq!(first["cached"], false);
    assert_eq!(first["sample_id"], id);
    let entry_path = samples.join("cache").join(format!("{id}.json"));
    let entry: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&entry_path).unwrap()).unwrap();
    assert_eq!(entry["format_version"], 1);
    assert_eq!(entry["analysis"], first["analysis"]);

    let second = analyze(&[]);
    assert_eq!(second["cached"], true);
    assert_eq!(second["analysis"], first["analysis"]);
    assert_eq!(analyze(&["--force"])["cached"], false);

    write_sine_wav(&audio, 220.0, 0.5, 0.5);
    let changed = analyze(&[]);
    assert_eq!(changed["cached"], false);
    assert_eq!(changed["analysis"]["pitch"]["midi_note"], 57);

    std::fs::write(&entry_path, b"{ not json").unwrap();
    assert_eq!(analyze(&[])["cached"], false);
    assert_eq!(analyze(&[])["cached"], true);
}

#[test]
fn several_inputs_come_back_in_order_and_one_bad_input_exits_2() {
    let sandbox = Sandbox::new();
    let low = sandbox.path().join("low.wav");
    let high = sandbox.path().join("high.wav");
    let text = sandbox.path().join("notes.txt");
    write_sine_wav(&low, 110.0, 0.5, 0.5);
    write_sine_wav(&high, 880.0, 0.5, 0.5);
    std::fs::write(&text, "not audio").unwrap();

    let both = sandbox
        .sonic(&[
            "--json",
            "analyze",
            low.to_str().unwrap(),
            high.to_str().unwrap(),
        ])
        .json();
    assert_eq!(both[0]["analysis"]["pitch"]["midi_note"], 45);
    assert_eq!(both[1]["analysis"]["pitch"]["midi_note"], 81);

    let run = sandbox.sonic(&[
        "--json",
        "analyze",
        low.to_str().unwrap(),
        text.to_str().unwrap(),
        "no-such-sample",
    ]);
    let message = run.fails_with(2).to_string();
    assert!(message.contains("2 of 3"), "{message}");
    let out: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(out[0]["analysis"].is_object());
    assert!(out[1]["error"].as_str().unwrap().contains("notes.txt"));
    assert!(out[2]["error"].is_string());

    sandbox.sonic(&["analyze", "../etc/passwd"]).fails_with(2);
}
