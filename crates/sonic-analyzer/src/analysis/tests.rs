//! Accuracy of the whole analysis on signals synthesised here, each written to disk as
//! 16-bit WAV, float WAV and FLAC and read back through the decoder (and analysed from
//! memory too).

use std::f64::consts::PI;
use std::path::Path;

use super::{analyze, analyze_file, SILENCE_DB};
use sonic_model::SampleAnalysis;

const SR: u32 = 44_100;

fn sine(freq: f64, amplitude: f64, seconds: f64, sr: u32) -> Vec<f32> {
    (0..(seconds * sr as f64) as usize)
        .map(|n| (amplitude * (2.0 * PI * freq * n as f64 / sr as f64).sin()) as f32)
        .collect()
}

fn white_noise(seconds: f64) -> Vec<f32> {
    let mut state = 0x853c_49e6_748f_ea9bu64;
    (0..(seconds * SR as f64) as usize)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state >> 40) as f64 / (1u64 << 24) as f64 * 2.0 - 1.0) as f32 * 0.5
        })
        .collect()
}

/// Short decaying noise bursts (5 ms) every `period` seconds.
fn click_train(period: f64, seconds: f64) -> Vec<f32> {
    let noise = white_noise(0.005);
    let mut out = vec![0.0f32; (seconds * SR as f64) as usize];
    let mut t = 0.25;
    while t < seconds - 0.01 {
        let start = (t * SR as f64) as usize;
        for (i, &x) in noise.iter().enumerate() {
            out[start + i] = x * 1.6 * (-(i as f32) / 40.0).exp();
        }
        t += period;
    }
    out
}

fn write_wav(path: &Path, samples: &[f32], float: bool) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: SR,
        bits_per_sample: if float { 32 } else { 16 },
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for &s in samples {
        if float {
            w.write_sample(s).unwrap();
        } else {
            w.write_sample((s.clamp(-1.0, 1.0) * 32_767.0).round() as i16)
                .unwrap();
        }
    }
    w.finalize().unwrap();
}

/// The benches' FLAC writer (flacenc), shared rather than copied.
#[path = "../../benches/common/mod.rs"]
mod bench_common;

/// `samples` as a 16-bit mono FLAC, padded with silence to whole 4096-frame blocks (flacenc
/// records a shorter last block as the stream's minimum block size, which symphonia refuses).
fn write_flac(path: &Path, samples: &[f32]) {
    let mut pcm: Vec<i32> = samples
        .iter()
        .map(|&s| (s.clamp(-1.0, 1.0) * 32_767.0).round() as i32)
        .collect();
    pcm.resize(pcm.len().div_ceil(4096).max(1) * 4096, 0);
    bench_common::write_flac(path, &pcm, 1, SR as usize);
}

/// The analysis of `samples` from memory and read back from a 16-bit WAV, a float WAV and a
/// FLAC file, each labelled.
fn every_way(samples: &[f32]) -> Vec<(&'static str, SampleAnalysis)> {
    let dir = tempfile::tempdir().unwrap();
    let (int, float, flac) = (
        dir.path().join("int.wav"),
        dir.path().join("float.wav"),
        dir.path().join("x.flac"),
    );
    write_wav(&int, samples, false);
    write_wav(&float, samples, true);
    write_flac(&flac, samples);
    vec![
        ("memory", analyze(samples, SR)),
        ("16-bit WAV", analyze_file(&int).unwrap()),
        ("float WAV", analyze_file(&float).unwrap()),
        ("FLAC", analyze_file(&flac).unwrap()),
    ]
}

fn assert_finite(a: &SampleAnalysis) {
    let s = &a.spectral;
    let t = &a.temporal;
    let values = [
        s.centroid,
        s.rolloff,
        s.flux,
        s.flatness,
        s.bandwidth,
        s.sub_bass,
        s.bass,
        s.low_mid,
        s.mid,
        s.high_mid,
        s.high,
        t.duration,
        t.attack,
        t.decay,
        t.sustain_level,
        t.release,
        t.transient_strength,
        t.zcr_mean,
        t.zcr_std,
        a.pitch.fundamental_freq,
        a.pitch.pitch_confidence,
        a.pitch.harmonicity,
        a.timbre.brightness,
        a.timbre.warmth,
        a.timbre.roughness,
        a.timbre.fullness,
        a.rms_db,
        a.peak_db,
    ];
    assert!(values.iter().all(|v| v.is_finite()), "{a:#?}");
    assert!(a.loudness_lufs.is_none_or(f64::is_finite));
    assert!(a.tempo_bpm.is_none_or(f64::is_finite));
    assert!(a
        .waveform
        .min
        .iter()
        .chain(&a.waveform.max)
        .all(|v| v.is_finite()));
    assert!(!a.summary.is_empty());
}

#[test]
fn a_440_hz_sine_read_from_a_wav_file_is_a4_within_half_a_percent() {
    let dir = tempfile::tempdir().unwrap();
    for float in [false, true] {
        let path = dir.path().join(format!("a4-{float}.wav"));
        write_wav(&path, &sine(440.0, 0.5, 2.0, SR), float);
        let a = analyze_file(&path).unwrap();
        assert!(a.pitch.has_pitch);
        assert!(
            (a.pitch.fundamental_freq - 440.0).abs() / 440.0 < 0.005,
            "{:?}",
            a.pitch
        );
        assert_eq!(a.pitch.midi_note, Some(69));
        assert!(a.pitch.pitch_confidence > 0.9);
        assert!(!a.temporal.is_percussive);
        assert!(a.temporal.is_sustained);
        assert!(a.temporal.attack < 0.01, "{:?}", a.temporal);
        assert!(a.temporal.release < 0.02, "{:?}", a.temporal);
        assert!((a.temporal.duration - 2.0).abs() < 1e-3);
        assert!(a.summary.contains("(A4, MIDI 69)"), "{}", a.summary);
        assert_finite(&a);
    }
}

#[test]
fn low_e_at_82_41_hz_is_midi_40() {
    for (how, a) in every_way(&sine(82.41, 0.5, 2.0, SR)) {
        assert!(a.pitch.has_pitch, "{how}");
        assert_eq!(a.pitch.midi_note, Some(40), "{how}: {:?}", a.pitch);
        assert!(
            (a.pitch.fundamental_freq - 82.41).abs() / 82.41 < 0.005,
            "{how}: {:?}",
            a.pitch
        );
        assert!(a.spectral.bass > 0.9, "{how}: {:?}", a.spectral);
    }
}

#[test]
fn white_noise_is_flat_unpitched_bright_and_crosses_zero_often() {
    for (how, a) in every_way(&white_noise(2.0)) {
        assert!(!a.pitch.has_pitch, "{how}: {:?}", a.pitch);
        assert_eq!(a.pitch.midi_note, None, "{how}");
        assert!(a.pitch.pitch_confidence < 0.3, "{how}");
        assert!(a.spectral.flatness > 0.4, "{how}: {:?}", a.spectral);
        assert!(a.temporal.zcr_mean > 0.3, "{how}: {:?}", a.temporal);
        // Shares of power: most of a flat spectrum lies above 4 kHz (the original called it
        // dark).
        assert!(a.spectral.high > 0.7, "{how}");
        assert!(a.timbre.tags.contains(&"noisy".to_string()), "{how}");
        assert!(!a.temporal.is_percussive, "{how}");
        assert_eq!(a.key, None, "{how}");
        assert_eq!(a.tempo_bpm, None, "{how}");
    }
}

#[test]
fn a_click_every_half_second_is_percussive_at_120_bpm() {
    for (how, a) in every_way(&click_train(0.5, 8.0)) {
        assert!(a.temporal.is_percussive, "{how}: {:?}", a.temporal);
        assert!(!a.temporal.is_sustained, "{how}");
        let bpm = a.tempo_bpm.expect("a steady beat");
        assert!((bpm - 120.0).abs() < 2.0, "{how}: {bpm}");
        assert!(
            (14..=17).contains(&a.onset_count),
            "{how}: {}",
            a.onset_count
        );
        assert!(a.summary.contains("percussive"), "{how}: {}", a.summary);
        assert!(a.summary.contains("about 120 BPM"), "{how}: {}", a.summary);
    }
}

#[test]
fn a_1_khz_sine_at_minus_20_dbfs_has_the_levels_theory_gives() {
    for (how, a) in every_way(&sine(1000.0, 0.1, 3.0, SR)) {
        assert!((a.peak_db + 20.0).abs() < 0.5, "{how}: {}", a.peak_db);
        // The FLAC's padding to whole blocks adds 2 % of silence: -0.09 dB of RMS.
        assert!((a.rms_db + 23.01).abs() < 0.5, "{how}: {}", a.rms_db);
        let lufs = a.loudness_lufs.expect("long enough to gate");
        assert!((lufs + 23.0).abs() < 0.5, "{how}: {lufs}");
    }
}

#[test]
fn silence_has_no_pitch_and_floor_levels() {
    for (how, a) in every_way(&vec![0.0; SR as usize]) {
        assert!(!a.pitch.has_pitch, "{how}");
        assert_eq!(a.pitch.pitch_confidence, 0.0, "{how}");
        assert_eq!(a.rms_db, SILENCE_DB, "{how}");
        assert_eq!(a.peak_db, SILENCE_DB, "{how}");
        assert_eq!(a.loudness_lufs, None, "{how}");
        assert_eq!(a.tempo_bpm, None, "{how}");
        assert_eq!(a.onset_count, 0, "{how}");
        assert_eq!(a.key, None, "{how}");
        assert_finite(&a);
        assert!(a.summary.contains("silence"), "{how}");
    }
}

#[test]
fn empty_tiny_clipped_and_broken_inputs_give_finite_numbers() {
    let clipped: Vec<f32> = sine(200.0, 4.0, 1.0, SR)
        .into_iter()
        .map(|x| x.clamp(-1.0, 1.0))
        .collect();
    let mut with_nan = sine(300.0, 0.5, 0.5, SR);
    with_nan[100] = f32::NAN;
    with_nan[200] = f32::INFINITY;
    let cases: Vec<(Vec<f32>, u32)> = vec![
        (vec![], SR),
        (vec![0.3], SR),
        (sine(440.0, 0.5, 0.01, SR), SR),
        (clipped, SR),
        (with_nan, SR),
        (sine(440.0, 0.5, 0.1, SR), 0),
        (sine(100.0, 0.5, 0.5, 8_000), 8_000),
        (vec![1.0; 3000], 192_000),
    ];
    for (samples, sr) in cases {
        let a = analyze(&samples, sr);
        assert_finite(&a);
    }
    assert_eq!(analyze(&[], SR).waveform.min.len(), 0);
}

#[test]
fn a_minor_chord_held_for_two_seconds_reads_as_a_minor() {
    let notes = [220.0, 261.63, 329.63];
    let chord: Vec<f32> = (0..2 * SR as usize)
        .map(|n| {
            let t = n as f64 / SR as f64;
            notes
                .iter()
                .map(|f| 0.2 * (2.0 * PI * f * t).sin())
                .sum::<f64>() as f32
        })
        .collect();
    let a = analyze(&chord, SR);
    assert_eq!(a.key.as_deref(), Some("A minor"), "{:?}", a.pitch);
}

#[test]
fn the_waveform_overview_has_a_thousand_buckets_for_a_long_file() {
    let a = analyze(&sine(100.0, 0.5, 2.0, SR), SR);
    assert_eq!(a.waveform.min.len(), 1000);
    let top = a.waveform.max.iter().copied().fold(0.0f32, f32::max);
    let bottom = a.waveform.min.iter().copied().fold(0.0f32, f32::min);
    assert!(top > 0.49 && bottom < -0.49);
    assert!(a
        .waveform
        .min
        .iter()
        .zip(&a.waveform.max)
        .all(|(lo, hi)| lo <= hi));
}
