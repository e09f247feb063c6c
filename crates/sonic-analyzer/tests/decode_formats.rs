//! Every supported format decodes to the tone it holds: right rate, channel count, length,
//! pitch (zero crossings ≈ 880/s for 440 Hz) and level (RMS of a 0.5 sine ≈ 0.354).

mod common;

use common::{crossings_per_second, fixture, rms, tone, write_wav, WavFormat};
use sonic_analyzer::{decode_file, probe_file};

const TONE_RMS: f64 = 0.5 / std::f64::consts::SQRT_2;

#[test]
fn every_wav_sample_format_decodes_to_the_tone() {
    let dir = tempfile::tempdir().unwrap();
    for (format, codec) in [
        (WavFormat::Int(8), "pcm_u8"),
        (WavFormat::Int(16), "pcm_s16le"),
        (WavFormat::Int(24), "pcm_s24le"),
        (WavFormat::Int(32), "pcm_s32le"),
        (WavFormat::Float(32), "pcm_f32le"),
        (WavFormat::Float(64), "pcm_f64le"),
    ] {
        let path = dir.path().join(format!("{codec}.wav"));
        write_wav(&path, format, 44_100, &tone(440.0, 0.5, 44_100, 0.5, 2));
        let audio = decode_file(&path).unwrap_or_else(|e| panic!("{codec}: {e}"));
        assert_eq!(audio.info.codec, codec);
        assert_eq!(audio.info.container, "wav");
        assert_eq!(audio.info.extension(), "wav");
        assert_eq!(audio.info.sample_rate, 44_100, "{codec}");
        assert_eq!(audio.info.channels, 2, "{codec}");
        assert_eq!(audio.samples.len(), 22_050, "{codec}");
        assert!((audio.info.duration_secs - 0.5).abs() < 1e-9, "{codec}");
        assert!(
            (rms(&audio.samples) - TONE_RMS).abs() < 0.005,
            "{codec}: rms {}",
            rms(&audio.samples)
        );
        let zc = crossings_per_second(&audio.samples, 44_100);
        assert!((zc - 880.0).abs() < 10.0, "{codec}: {zc} crossings/s");

        let probed = probe_file(&path).unwrap();
        assert_eq!(probed, audio.info, "{codec}: probe and decode agree");
    }
}

#[test]
fn extensible_wavs_as_daws_write_them_decode() {
    let dir = tempfile::tempdir().unwrap();
    for (format, codec) in [
        (WavFormat::Extensible(24, false), "pcm_s24le"),
        (WavFormat::Extensible(16, false), "pcm_s16le"),
        (WavFormat::Extensible(32, true), "pcm_f32le"),
    ] {
        let path = dir.path().join(format!("ext-{codec}.wav"));
        write_wav(&path, format, 48_000, &tone(440.0, 0.5, 48_000, 0.5, 2));
        let audio = decode_file(&path).unwrap_or_else(|e| panic!("{codec}: {e}"));
        assert_eq!(audio.info.codec, codec);
        assert_eq!((audio.info.sample_rate, audio.info.channels), (48_000, 2));
        assert_eq!(audio.samples.len(), 24_000);
        assert!((rms(&audio.samples) - TONE_RMS).abs() < 0.005, "{codec}");
    }
}

#[test]
fn channels_are_mixed_down_by_their_mean() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("left-only.wav");
    let frames: Vec<Vec<f64>> = tone(440.0, 0.8, 48_000, 0.25, 1)
        .into_iter()
        .map(|f| vec![f[0], 0.0, -f[0], f[0]])
        .collect();
    write_wav(&path, WavFormat::Float(32), 48_000, &frames);
    let audio = decode_file(&path).unwrap();
    assert_eq!(audio.info.channels, 4);
    // (x + 0 - x + x) / 4 = x / 4: a 0.2 sine.
    let expected = 0.2 / std::f64::consts::SQRT_2;
    assert!(
        (rms(&audio.samples) - expected).abs() < 1e-3,
        "rms {}",
        rms(&audio.samples)
    );
    for (i, frame) in frames.iter().enumerate().step_by(997) {
        assert!((f64::from(audio.samples[i]) - frame[0] / 4.0).abs() < 1e-6);
    }
}

#[test]
fn any_sample_rate_decodes_at_its_own_rate() {
    let dir = tempfile::tempdir().unwrap();
    for rate in [8_000, 11_025, 22_050, 96_000, 192_000] {
        let path = dir.path().join(format!("{rate}.wav"));
        write_wav(
            &path,
            WavFormat::Int(16),
            rate,
            &tone(440.0, 0.5, rate, 0.5, 1),
        );
        let audio = decode_file(&path).unwrap();
        assert_eq!(audio.info.sample_rate, rate);
        assert_eq!(
            audio.samples.len(),
            (f64::from(rate) * 0.5).round() as usize
        );
        let zc = crossings_per_second(&audio.samples, rate);
        assert!((zc - 880.0).abs() < 10.0, "{rate} Hz: {zc} crossings/s");
    }
}

/// One compressed fixture and what it must decode to.
struct Expect {
    file: &'static str,
    container: &'static str,
    codec: &'static str,
    extension: &'static str,
    rate: u32,
    channels: u16,
    /// Allowed difference of the decoded length from 1 s (encoder priming, padding).
    length_slack: f64,
}

const FIXTURES: &[Expect] = &[
    Expect {
        file: "tone.flac",
        container: "flac",
        codec: "flac",
        extension: "flac",
        rate: 44_100,
        channels: 2,
        length_slack: 1e-9,
    },
    Expect {
        file: "tone.mp3",
        container: "mp3",
        codec: "mp3",
        extension: "mp3",
        rate: 44_100,
        channels: 2,
        length_slack: 0.001,
    },
    Expect {
        file: "tone-22k-mono.mp3",
        container: "mp3",
        codec: "mp3",
        extension: "mp3",
        rate: 22_050,
        channels: 1,
        length_slack: 0.001,
    },
    Expect {
        file: "tone.ogg",
        container: "ogg",
        codec: "vorbis",
        extension: "ogg",
        rate: 44_100,
        channels: 2,
        length_slack: 0.001,
    },
    Expect {
        file: "tone.aiff",
        container: "aiff",
        codec: "pcm_s16be",
        extension: "aiff",
        rate: 44_100,
        channels: 1,
        length_slack: 1e-9,
    },
    Expect {
        file: "tone-aac.m4a",
        container: "mp4",
        codec: "aac",
        extension: "m4a",
        rate: 44_100,
        channels: 2,
        length_slack: 1e-9,
    },
    Expect {
        file: "tone-alac.m4a",
        container: "mp4",
        codec: "alac",
        extension: "m4a",
        rate: 44_100,
        channels: 2,
        length_slack: 1e-9,
    },
    Expect {
        file: "tone.opus",
        container: "ogg",
        codec: "opus",
        extension: "opus",
        rate: 48_000,
        channels: 2,
        length_slack: 0.001,
    },
    Expect {
        file: "tone-opus.webm",
        container: "webm",
        codec: "opus",
        extension: "webm",
        rate: 48_000,
        channels: 1,
        length_slack: 0.02,
    },
    Expect {
        file: "tone-opus-live.webm",
        container: "webm",
        codec: "opus",
        extension: "webm",
        rate: 48_000,
        channels: 1,
        length_slack: 0.02,
    },
    Expect {
        file: "tone-opus-mediarecorder.webm",
        container: "webm",
        codec: "opus",
        extension: "webm",
        rate: 48_000,
        channels: 1,
        length_slack: 0.02,
    },
    Expect {
        file: "tone-opus-voip.webm",
        container: "webm",
        codec: "opus",
        extension: "webm",
        rate: 48_000,
        channels: 1,
        length_slack: 0.02,
    },
];

#[test]
fn every_compressed_fixture_decodes_to_a_one_second_440_hz_tone() {
    for want in FIXTURES {
        let path = fixture(want.file);
        let audio = decode_file(&path).unwrap_or_else(|e| panic!("{}: {e}", want.file));
        let info = &audio.info;
        assert_eq!(info.container, want.container, "{}", want.file);
        assert_eq!(info.codec, want.codec, "{}", want.file);
        assert_eq!(info.extension(), want.extension, "{}", want.file);
        assert_eq!(info.sample_rate, want.rate, "{}", want.file);
        assert_eq!(info.channels, want.channels, "{}", want.file);
        assert!(
            (info.duration_secs - 1.0).abs() <= want.length_slack,
            "{}: {} s decoded",
            want.file,
            info.duration_secs
        );
        let level = rms(&audio.samples);
        assert!(
            (level - TONE_RMS).abs() < 0.03,
            "{}: rms {level}",
            want.file
        );
        // 1 s of 440 Hz crosses zero 880 times, however long the decoded padding is.
        let crossings = crossings_per_second(&audio.samples, want.rate) * info.duration_secs;
        assert!(
            (crossings - 880.0).abs() < 15.0,
            "{}: {crossings} crossings",
            want.file
        );
    }
}

#[test]
fn probing_a_fixture_agrees_with_decoding_it() {
    for want in FIXTURES {
        let path = fixture(want.file);
        let probed = probe_file(&path).unwrap_or_else(|e| panic!("{}: {e}", want.file));
        assert_eq!(probed.container, want.container, "{}", want.file);
        assert_eq!(probed.codec, want.codec, "{}", want.file);
        assert_eq!(probed.sample_rate, want.rate, "{}", want.file);
        assert_eq!(probed.channels, want.channels, "{}", want.file);
        assert!(
            (probed.duration_secs - 1.0).abs() <= want.length_slack.max(0.025),
            "{}: probe says {} s",
            want.file,
            probed.duration_secs
        );
    }
}

#[test]
fn probing_ogg_opus_gives_the_length_without_the_pre_skip() {
    let probed = probe_file(&fixture("tone.opus")).unwrap();
    assert!(
        (probed.duration_secs - 1.0).abs() < 1e-9,
        "{}",
        probed.duration_secs
    );
}

#[test]
fn a_webm_without_a_stated_length_is_measured_from_its_packets() {
    // The live fixture has no Duration element: only the packet walk can find 1 s.
    let probed = probe_file(&fixture("tone-opus-live.webm")).unwrap();
    assert!(
        (probed.duration_secs - 1.0).abs() < 0.025,
        "{}",
        probed.duration_secs
    );
}

#[test]
fn every_compressed_fixture_analyses_as_a4_within_half_a_percent() {
    for want in FIXTURES {
        let a = sonic_analyzer::analyze_file(&fixture(want.file))
            .unwrap_or_else(|e| panic!("{}: {e}", want.file));
        assert!(a.pitch.has_pitch, "{}: {:?}", want.file, a.pitch);
        assert!(
            (a.pitch.fundamental_freq - 440.0).abs() / 440.0 < 0.005,
            "{}: {:?}",
            want.file,
            a.pitch
        );
        assert_eq!(a.pitch.midi_note, Some(69), "{}", want.file);
        assert!(!a.temporal.is_percussive, "{}", want.file);
        assert!(
            a.rms_db.is_finite() && a.peak_db > a.rms_db,
            "{}",
            want.file
        );
    }
}
