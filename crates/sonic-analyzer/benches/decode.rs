//! Decode-only cost: a 3-minute 44.1 kHz 16-bit stereo FLAC (music-like: two detuned,
//! vibrato'd tone pairs plus low noise, different per channel) decoded to the mono buffer,
//! and the cost of probing it. The FLAC is encoded once, before timing, with the pure-Rust
//! `flacenc` (LPC, like the reference encoder), so the bench needs no external tool.
//!
//! `cargo bench -p sonic-analyzer --bench decode -- --warm-up-time 1 --measurement-time 3`

use std::f64::consts::PI;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};

mod common;

const RATE: usize = 44_100;
/// 3 minutes, rounded up to whole 4096-frame FLAC blocks (180.001 s): flacenc records a
/// shorter last block as the stream's minimum block size, which symphonia 0.6 refuses.
const FRAMES: usize = 1938 * 4096;

fn music_like_pcm() -> Vec<i32> {
    let mut noise = 0x9e37_79b9_7f4a_7c15u64;
    let mut next_noise = move || {
        noise ^= noise << 13;
        noise ^= noise >> 7;
        noise ^= noise << 17;
        (noise >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let mut pcm = Vec::with_capacity(FRAMES * 2);
    for n in 0..FRAMES {
        let t = n as f64 / RATE as f64;
        let left = 0.3 * (2.0 * PI * 220.0 * t + 3.0 * (2.0 * PI * 0.5 * t).sin()).sin()
            + 0.2 * (2.0 * PI * 330.5 * t).sin()
            + 0.05 * next_noise();
        let right = 0.3 * (2.0 * PI * 221.0 * t).sin()
            + 0.2 * (2.0 * PI * 440.0 * t + 2.0 * (2.0 * PI * 0.3 * t).sin()).sin()
            + 0.05 * next_noise();
        pcm.push((left * 32_767.0) as i32);
        pcm.push((right * 32_767.0) as i32);
    }
    pcm
}

fn decode(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("three-minutes.flac");
    common::write_flac(&path, &music_like_pcm(), 2, RATE);
    let decoded = sonic_analyzer::decode_file(&path).expect("the bench FLAC decodes");
    assert_eq!(decoded.samples.len(), FRAMES);

    let mut group = c.benchmark_group("decode");
    group.sample_size(10);
    group.bench_function("flac_3min_44k1_stereo_to_mono", |b| {
        b.iter(|| sonic_analyzer::decode_file(black_box(&path)).expect("decodes"))
    });
    group.bench_function("probe_flac_3min", |b| {
        b.iter(|| sonic_analyzer::probe_file(black_box(&path)).expect("probes"))
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
