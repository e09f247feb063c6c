//! Odd and hostile input: empty, silent, very short and clipped audio decode; things that
//! are not audio give a typed error that says so, never a panic.

mod common;

use common::{fixture, rms, tone, write_wav, WavFormat};
use sonic_analyzer::{decode_file, probe_file, AnalyzerError};

#[test]
fn a_wav_with_no_frames_decodes_to_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.wav");
    write_wav(&path, WavFormat::Int(16), 44_100, &[]);
    let audio = decode_file(&path).unwrap();
    assert!(audio.samples.is_empty());
    assert_eq!(audio.info.duration_secs, 0.0);
    let probed = probe_file(&path).unwrap();
    assert_eq!(probed.duration_secs, 0.0);
    assert_eq!(probed.sample_rate, 44_100);
}

#[test]
fn silence_decodes_to_zeros() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("silence.wav");
    write_wav(
        &path,
        WavFormat::Int(24),
        48_000,
        &vec![vec![0.0, 0.0]; 4_800],
    );
    let audio = decode_file(&path).unwrap();
    assert_eq!(audio.samples.len(), 4_800);
    assert!(audio.samples.iter().all(|&s| s == 0.0));
}

#[test]
fn a_file_shorter_than_one_fft_frame_decodes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("short.wav");
    write_wav(
        &path,
        WavFormat::Float(32),
        44_100,
        &tone(440.0, 0.5, 44_100, 0.0003, 1),
    );
    let audio = decode_file(&path).unwrap();
    assert_eq!(audio.samples.len(), 13);
    assert!(probe_file(&path).unwrap().duration_secs > 0.0);
}

#[test]
fn clipped_audio_stays_within_full_scale() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clipped.wav");
    let square: Vec<Vec<f64>> = tone(100.0, 4.0, 44_100, 0.1, 2);
    write_wav(&path, WavFormat::Int(16), 44_100, &square);
    let audio = decode_file(&path).unwrap();
    assert!(audio
        .samples
        .iter()
        .all(|s| s.is_finite() && s.abs() <= 1.0));
    assert!(
        rms(&audio.samples) > 0.9,
        "a clipped tone is nearly a square wave"
    );
}

fn assert_refused(path: &std::path::Path) {
    for result in [probe_file(path).map(|_| ()), decode_file(path).map(|_| ())] {
        let err = result.expect_err("not audio must be refused");
        assert!(err.is_bad_input(), "{err}");
        assert!(!err.to_string().is_empty());
    }
}

#[test]
fn text_is_not_audio() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.wav");
    std::fs::write(&path, "These are my notes, not a sound.\n".repeat(50)).unwrap();
    assert_refused(&path);
    assert!(matches!(
        probe_file(&path),
        Err(AnalyzerError::NotAudio { .. })
    ));
}

#[test]
fn an_image_is_not_audio() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cover.mp3");
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0".to_vec();
    png.extend(std::iter::repeat_n(0u8, 200));
    std::fs::write(&path, png).unwrap();
    assert_refused(&path);
}

#[test]
fn an_empty_file_is_not_audio() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nothing.flac");
    std::fs::write(&path, b"").unwrap();
    assert_refused(&path);
}

#[test]
fn random_bytes_are_not_audio() {
    let dir = tempfile::tempdir().unwrap();
    // A fixed-seed generator, so a failure can be reproduced.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for round in 0..20 {
        let bytes: Vec<u8> = (0..4096)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 32) as u8
            })
            .collect();
        let path = dir.path().join(format!("noise-{round}.bin"));
        std::fs::write(&path, bytes).unwrap();
        assert_refused(&path);
    }
}

#[test]
fn a_missing_file_is_an_io_error_on_the_callers_side() {
    let err = decode_file(std::path::Path::new("/nonexistent/sonic/x.wav")).unwrap_err();
    assert!(matches!(err, AnalyzerError::Io { .. }));
    assert!(err.is_bad_input());
}

#[test]
fn a_truncated_flac_mp3_wav_or_live_webm_decodes_what_is_there() {
    // Live WebM is what a browser's MediaRecorder writes: a cut upload keeps its audio.
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("tone.wav");
    write_wav(
        &wav,
        WavFormat::Int(16),
        44_100,
        &tone(440.0, 0.5, 44_100, 1.0, 2),
    );
    for source in [
        fixture("tone.flac"),
        fixture("tone.mp3"),
        fixture("tone-opus-live.webm"),
        wav,
    ] {
        let bytes = std::fs::read(&source).unwrap();
        let path = dir.path().join(format!(
            "cut-{}",
            source.file_name().unwrap().to_string_lossy()
        ));
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let audio = decode_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let secs = audio.info.duration_secs;
        assert!(
            secs > 0.2 && secs < 0.9,
            "{}: {secs} s from half the file",
            path.display()
        );
    }
}

#[test]
fn any_other_truncated_file_is_partial_audio_or_refused_as_bad_input() {
    // symphonia's Ogg reader needs the stream's last page, its Matroska reader a whole
    // segment (unless the size is unknown, as in live recordings), its AIFF reader every
    // chunk: a cut file of those is refused, typed, never a panic.
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "tone.ogg",
        "tone.opus",
        "tone-opus.webm",
        "tone.aiff",
        "tone-aac.m4a",
        "tone-alac.m4a",
    ] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        match decode_file(&path) {
            Ok(audio) => assert!(audio.info.duration_secs < 0.9, "{name}"),
            Err(e) => assert!(e.is_bad_input(), "{name}: {e}"),
        }
    }
}

#[test]
fn a_header_without_its_audio_is_refused_or_empty_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "tone.flac",
        "tone.mp3",
        "tone.ogg",
        "tone.opus",
        "tone-aac.m4a",
        "tone-opus.webm",
    ] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        for cut in [4, 16, 64, 200] {
            let path = dir.path().join(format!("{cut}-{name}"));
            std::fs::write(&path, &bytes[..cut.min(bytes.len())]).unwrap();
            match decode_file(&path) {
                Ok(audio) => assert!(audio.samples.len() < 4_800, "{name} cut at {cut}"),
                Err(e) => assert!(e.is_bad_input(), "{name} cut at {cut}: {e}"),
            }
        }
    }
}

#[test]
fn corrupt_packets_in_the_middle_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "tone.mp3",
        "tone.ogg",
        "tone.flac",
        "tone.opus",
        "tone-opus.webm",
        "tone-aac.m4a",
    ] {
        let mut bytes = std::fs::read(fixture(name)).unwrap();
        let len = bytes.len();
        // Scribble over a stretch in the middle (headers stay intact).
        for b in &mut bytes[len / 2..len / 2 + 200] {
            *b = b.wrapping_mul(31).wrapping_add(7);
        }
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        match decode_file(&path) {
            Ok(audio) => {
                assert!(audio.samples.iter().all(|s| s.is_finite()), "{name}");
                assert!(
                    audio.info.duration_secs > 0.3,
                    "{name}: {}",
                    audio.info.duration_secs
                );
            }
            Err(e) => assert!(e.is_bad_input(), "{name}: {e}"),
        }
    }
}

#[test]
fn garbage_after_the_audio_keeps_the_audio() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = 0x1234_5678_9abc_def1u64;
    let garbage: Vec<u8> = (0..100_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    for name in [
        "tone.mp3",
        "tone.flac",
        "tone-opus-live.webm",
        "tone-aac.m4a",
    ] {
        let mut bytes = std::fs::read(fixture(name)).unwrap();
        bytes.extend_from_slice(&garbage);
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let audio = decode_file(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        // FLAC frames end where the next sync code starts: the last frame runs into the
        // garbage, fails its CRC and is skipped, so up to one block (4096 frames) is lost.
        let secs = audio.info.duration_secs;
        assert!(secs > 0.9, "{name}: only {secs} s kept");
        assert!(audio.samples.iter().all(|s| s.is_finite()), "{name}");
    }
}
