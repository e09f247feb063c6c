//! Analysis speed: a 3-minute 44.1 kHz signal analysed from memory, the same decoded from a
//! stereo FLAC (encoded before timing with the pure-Rust `flacenc`) and analysed, and a
//! cached lookup.
//!
//! Run with `cargo bench -p sonic-analyzer --bench analyze -- --warm-up-time 1
//! --measurement-time 3`.

use std::path::Path;
use std::time::{Duration, SystemTime};

use criterion::{criterion_group, criterion_main, Criterion};
use sonic_analyzer::{analyze, analyze_file, content_hash, AnalysisCache};
use sonic_model::Id;

mod common;

const SR: u32 = 44_100;

/// A musical-ish test signal: a bass note, a chord, noise hats and a kick every beat.
fn music(seconds: f64) -> Vec<f32> {
    let n = (seconds * SR as f64) as usize;
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    (0..n)
        .map(|i| {
            let t = i as f64 / SR as f64;
            let tau = 2.0 * std::f64::consts::PI;
            let beat = t % 0.5;
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = (state >> 40) as f64 / (1u64 << 24) as f64 - 0.5;
            let kick = (tau * 55.0 * beat).sin() * (-beat * 30.0).exp();
            let chord = [261.63, 329.63, 392.0]
                .iter()
                .map(|f| (tau * f * t).sin())
                .sum::<f64>();
            (0.4 * kick + 0.1 * chord + 0.05 * noise * (-(t % 0.25) * 60.0).exp()) as f32
        })
        .collect()
}

fn write_wav(path: &Path, samples: &[f32], channels: u16) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: SR,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).expect("temp dir is writable");
    for &s in samples {
        for _ in 0..channels {
            writer
                .write_sample((s.clamp(-1.0, 1.0) * 32_767.0) as i16)
                .expect("temp dir is writable");
        }
    }
    writer.finalize().expect("temp dir is writable");
}

fn benches(c: &mut Criterion) {
    // 3 minutes, rounded up to whole 4096-frame FLAC blocks (180.001 s): flacenc records a
    // shorter last block as the stream's minimum block size, which symphonia 0.6 refuses.
    let long = music((1938 * 4096) as f64 / SR as f64);
    c.bench_function("analyze 3 min 44.1 kHz (from memory)", |b| {
        b.iter(|| analyze(&long, SR))
    });

    // Integrated loudness of 3 minutes of stereo, Sonic's meter and the ebur128 crate side
    // by side (the two channels differ, as a real mix's do).
    let right: Vec<f32> = long.iter().rev().copied().collect();
    let planes: [&[f32]; 2] = [&long, &right];
    c.bench_function("loudness 3 min stereo (sonic)", |b| {
        b.iter(|| sonic_analyzer::integrated_loudness(&planes, SR))
    });
    c.bench_function("loudness 3 min stereo (ebur128 crate)", |b| {
        b.iter(|| {
            let mut meter = ebur128::EbuR128::new(2, SR, ebur128::Mode::I).expect("valid");
            for start in (0..long.len()).step_by(4096) {
                let end = (start + 4096).min(long.len());
                meter
                    .add_frames_planar_f32(&[&long[start..end], &right[start..end]])
                    .expect("two channels");
            }
            meter.loudness_global()
        })
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let wav = dir.path().join("long.wav");
    write_wav(&wav, &long, 2);
    let flac = dir.path().join("long.flac");
    // The mix on both channels of a 16-bit FLAC.
    let pcm: Vec<i32> = long
        .iter()
        .flat_map(|&s| {
            let v = (s.clamp(-1.0, 1.0) * 32_767.0) as i32;
            [v, v]
        })
        .collect();
    common::write_flac(&flac, &pcm, 2, SR as usize);
    c.bench_function("decode + analyze 3 min 44.1 kHz stereo FLAC", |b| {
        b.iter(|| analyze_file(&flac).expect("flac decodes"))
    });
    c.bench_function("decode only 3 min 44.1 kHz stereo FLAC", |b| {
        b.iter(|| sonic_analyzer::decode_file(&flac).expect("flac decodes"))
    });

    let cache_dir = tempfile::tempdir().expect("temp dir");
    let cache = AnalysisCache::in_dir(cache_dir.path());
    let short = dir.path().join("short.wav");
    write_wav(&short, &music(5.0), 2);
    // A file modified more than two seconds ago is verified by its stamp (size, time,
    // inode); a fresh one by its content hash, whose cost is measured on its own.
    for (name, file) in [("5 s stereo WAV", &short), ("3 min stereo WAV", &wav)] {
        std::fs::File::options()
            .write(true)
            .open(file)
            .and_then(|f| f.set_modified(SystemTime::now() - Duration::from_secs(60)))
            .expect("temp dir is writable");
        let id = Id::generate();
        cache.analyze(&id, file, false).expect("analyses");
        c.bench_function(&format!("cached lookup, {name} (stamp-verified)"), |b| {
            b.iter(|| {
                let hit = cache.analyze(&id, file, false).expect("cached");
                assert!(hit.from_cache);
            })
        });
        let hash = content_hash(file).expect("readable");
        c.bench_function(&format!("cache entry read and parse, {name}"), |b| {
            b.iter(|| cache.lookup(&id, &hash).expect("cached"))
        });
        c.bench_function(&format!("content hash, {name}"), |b| {
            b.iter(|| content_hash(file).expect("readable"))
        });
    }
}

criterion_group!(analysis, benches);
criterion_main!(analysis);
