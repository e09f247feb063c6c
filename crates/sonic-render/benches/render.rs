//! The engine's cost per 64-frame block, so the real-time path has a known budget (a block
//! lasts 1.333 ms at 48 kHz).
//!
//! - `voice_block/sine/N`: N sine voices, started and held, each rendering one block into a
//!   bus: the voices' own cost (envelope ramp, oscillator, mix-in).
//! - `engine_block/sine/N`: a composition of N held sines on one track, rendered for one
//!   second (750 blocks) on one thread into a sink that discards: the whole block loop
//!   (events, voices, strip, master, meter). Throughput is in blocks, so criterion's
//!   elements per second is the inverse of the per-block cost. Planning is not timed.
//!
//! `cargo bench -p sonic-render --bench render`; figures in docs/BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};

use sonic_render::dsp::BLOCK;
use sonic_render::testing;
use sonic_render::voice::{NoteOn, VoiceOut, VoiceSetup};
use sonic_render::{registry, AudioSink, RenderSettings, Renderer};

const RATE: f64 = 48_000.0;
const VOICES: [usize; 4] = [1, 16, 64, 256];

fn voice_block(c: &mut Criterion) {
    let spec = registry::voice("sine").expect("sine is a voice");
    let mut group = c.benchmark_group("voice_block");
    for n in VOICES {
        let mut voices: Vec<_> = (0..n)
            .map(|i| {
                let mut voice = (spec.new)(&VoiceSetup { rate: RATE });
                let on = NoteOn::new(spec, testing::note_hz(36 + (i % 60) as u8), 0.1, i as u64);
                voice.start(&on);
                let mut env = (spec.envelope)(&on);
                env.next(1.0); // past the attack: sustaining
                (voice, env)
            })
            .collect();
        let (mut left, mut right) = ([0.0f32; BLOCK], [0.0f32; BLOCK]);
        group.throughput(Throughput::Elements(1));
        group.bench_with_input(BenchmarkId::new("sine", n), &n, |b, _| {
            b.iter(|| {
                left.fill(0.0);
                right.fill(0.0);
                for (voice, env) in &mut voices {
                    let ramp = env.next(BLOCK as f64 / RATE);
                    voice.render(&mut VoiceOut::new(&mut left, &mut right, ramp, 0.1, RATE));
                }
                std::hint::black_box(left[0] + right[BLOCK - 1])
            })
        });
    }
    group.finish();
}

struct Discard;

impl AudioSink for Discard {
    fn write(&mut self, left: &[f32], right: &[f32]) -> sonic_render::Result<()> {
        std::hint::black_box((left.len(), right.len()));
        Ok(())
    }
}

fn engine_block(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine_block");
    for n in VOICES {
        // Two beats at 120 BPM: one second, 750 blocks, every note held throughout; the
        // tail (the 0.1 s release) is cut by a zero cap.
        let mut song = testing::song(120.0);
        let track = testing::add_track(&mut song, "sine");
        let notes: Vec<_> = (0..n)
            .map(|i| (36 + (i % 60) as u8, 0.0, 2.0, 20))
            .collect();
        testing::add_clip(&mut song, &track, 0.0, 2.0, &notes);
        let settings = RenderSettings {
            threads: 1,
            max_tail_seconds: 0.0,
            ..RenderSettings::default()
        };
        let blocks = 48_000 / BLOCK as u64;
        group.throughput(Throughput::Elements(blocks));
        group.bench_with_input(BenchmarkId::new("sine", n), &n, |b, _| {
            b.iter_batched(
                || Renderer::new(&song, &settings).expect("a valid song"),
                |renderer| renderer.render(&mut Discard).expect("a render"),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, voice_block, engine_block);
criterion_main!(benches);
