//! Integrated loudness is measured on a file's own channels, not on the mono mixdown.

mod common;

use common::{tone, write_wav, WavFormat};

#[test]
fn a_stereo_tone_reads_3_db_louder_than_the_same_tone_in_mono() {
    let dir = tempfile::tempdir().unwrap();
    let (mono, stereo) = (dir.path().join("mono.wav"), dir.path().join("stereo.wav"));
    // 1 kHz peaking at -20 dBFS: -23.0 LUFS in mono, -19.99 LUFS on two identical channels
    // (BS.1770 sums the channels' power).
    write_wav(
        &mono,
        WavFormat::Float(32),
        48_000,
        &tone(1000.0, 0.1, 48_000, 3.0, 1),
    );
    write_wav(
        &stereo,
        WavFormat::Float(32),
        48_000,
        &tone(1000.0, 0.1, 48_000, 3.0, 2),
    );
    let mono = sonic_analyzer::analyze_file(&mono).unwrap();
    let stereo_decoded = sonic_analyzer::decode_file(&stereo).unwrap();
    let stereo = sonic_analyzer::analyze_file(&stereo).unwrap();
    let (m, s) = (mono.loudness_lufs.unwrap(), stereo.loudness_lufs.unwrap());
    assert!((m + 23.0).abs() < 0.5, "mono {m}");
    assert!((s + 19.99).abs() < 0.5, "stereo {s}");
    assert_eq!(stereo_decoded.loudness_lufs, Some(s));
    // The mixdown itself is the mono tone: the other levels agree.
    assert!((mono.rms_db - stereo.rms_db).abs() < 0.01);
}

#[test]
fn opposite_channels_cancel_in_the_mixdown_but_not_in_loudness() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.wav");
    let frames: Vec<Vec<f64>> = tone(1000.0, 0.1, 48_000, 3.0, 1)
        .into_iter()
        .map(|f| vec![f[0], -f[0]])
        .collect();
    write_wav(&path, WavFormat::Float(32), 48_000, &frames);
    let a = sonic_analyzer::analyze_file(&path).unwrap();
    assert!(a.rms_db < -100.0, "the mixdown is silent: {}", a.rms_db);
    let lufs = a.loudness_lufs.expect("the channels are loud");
    assert!((lufs + 19.99).abs() < 0.5, "{lufs}");
}
