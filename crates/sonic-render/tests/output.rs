//! What a render writes and reports: WAV files in three formats read back, the report's peak,
//! over-range count and loudness, the tail, determinism over runs and threads, and the
//! audio-clip hook.

use std::io::Cursor;

use sonic_model::{Clip, Composition};
use sonic_render::testing::{self, Measure};
use sonic_render::{
    ClipAudio, ClipPlacement, ClipSource, RenderSettings, Renderer, WavFormat, WavSink,
};

/// A few tracks that use every voice there is, with overlapping notes.
fn busy_song() -> Composition {
    let mut song = testing::song(128.0);
    for (i, name) in ["sine", "pluck", "strings"].into_iter().enumerate() {
        let track = testing::add_track(&mut song, name);
        let notes: Vec<_> = (0..16)
            .map(|k| {
                (
                    48 + (k * 5 + i as u8 * 7) % 24,
                    k as f64 * 0.5,
                    1.5,
                    30 + k * 2,
                )
            })
            .collect();
        testing::add_clip(&mut song, &track, 0.0, 8.0, &notes);
        song.tracks[i].pan = i as f64 * 0.4 - 0.4;
        song.tracks[i].volume = 0.5;
    }
    let kit = testing::add_kit_track(&mut song, "808-core");
    let kicks: Vec<_> = (0..8).map(|k| (36, k as f64, 0.25, 70)).collect();
    testing::add_clip(&mut song, &kit, 0.0, 8.0, &kicks);
    song
}

fn wav_bytes(song: &Composition, settings: &RenderSettings, format: WavFormat) -> Vec<u8> {
    let mut file = Cursor::new(Vec::new());
    {
        let mut sink = WavSink::new(&mut file, format, settings.sample_rate).unwrap();
        Renderer::new(song, settings)
            .unwrap()
            .render(&mut sink)
            .unwrap();
    }
    file.into_inner()
}

fn hash(bytes: &[u8]) -> blake3::Hash {
    blake3::hash(bytes)
}

#[test]
fn a_render_is_byte_identical_on_every_run_and_any_number_of_threads() {
    let song = busy_song();
    let on = |threads| RenderSettings {
        threads,
        ..RenderSettings::default()
    };
    let one = hash(&wav_bytes(&song, &on(1), WavFormat::Float32));
    assert_eq!(one, hash(&wav_bytes(&song, &on(1), WavFormat::Float32)));
    assert_eq!(one, hash(&wav_bytes(&song, &on(2), WavFormat::Float32)));
    assert_eq!(one, hash(&wav_bytes(&song, &on(3), WavFormat::Float32)));
    // A different seed is a different render: the noise of the plucks comes from the ids.
    let mut other = song.clone();
    other.clips[1].id = sonic_model::Id::parse("another-clip").unwrap();
    assert_ne!(one, hash(&wav_bytes(&other, &on(2), WavFormat::Float32)));
}

#[test]
fn wav_files_read_back_in_all_three_formats() {
    let song = busy_song();
    let settings = RenderSettings {
        threads: 1,
        ..RenderSettings::default()
    };
    let reference = testing::render_with(&song, &settings);
    for (format, bits, step) in [
        (WavFormat::Int16, 16, 1.0 / 32_767.0),
        (WavFormat::Int24, 24, 1.0 / 8_388_607.0),
        (WavFormat::Float32, 32, 0.0),
    ] {
        let bytes = wav_bytes(&song, &settings, format);
        let mut reader = hound::WavReader::new(Cursor::new(bytes)).unwrap();
        let spec = reader.spec();
        assert_eq!(
            (spec.channels, spec.sample_rate, spec.bits_per_sample),
            (2, 48_000, bits)
        );
        let samples: Vec<f32> = match format {
            WavFormat::Float32 => reader.samples::<f32>().map(Result::unwrap).collect(),
            _ => {
                let full = (1i64 << (bits - 1)) as f32 - 1.0;
                reader
                    .samples::<i32>()
                    .map(|s| s.unwrap() as f32 / full)
                    .collect()
            }
        };
        assert_eq!(samples.len() as u64, 2 * reference.report.frames);
        let worst = samples
            .chunks(2)
            .zip(reference.left.iter().zip(&reference.right))
            .map(|(lr, (l, r))| (lr[0] - l).abs().max((lr[1] - r).abs()))
            .fold(0.0f32, f32::max);
        assert!(worst <= step * 0.5 + 1e-7, "{format:?}: off by {worst}");
    }
}

#[test]
fn the_report_measures_peak_over_range_and_loudness_of_what_was_written() {
    let mut song = busy_song();
    let played = testing::render(&song);
    let report = &played.report;
    let peak = played.left.peak().max(played.right.peak());
    assert!((report.peak_dbfs - testing::db(f64::from(peak))).abs() < 1e-6);
    assert_eq!(report.frames as usize, played.left.len());
    assert!((report.seconds - report.frames as f64 / 48_000.0).abs() < 1e-12);
    let lufs = sonic_analyzer::integrated_loudness(&[&played.left, &played.right], 48_000);
    assert!((report.lufs.unwrap() - lufs.unwrap()).abs() < 1e-9);
    assert!(report.peak_dbfs < -1.0, "{}", report.peak_dbfs);
    assert_eq!(report.over_range, 0);
    assert!(report.missing_voices.is_empty() && report.missing_effects.is_empty());

    // +12 dB on the master pushes the mix past full scale: counted, kept in float, clipped
    // in 24-bit.
    song.mixer_state.master.fader = 12.0;
    let loud = testing::render(&song);
    let over = loud
        .left
        .iter()
        .chain(&loud.right)
        .filter(|x| x.abs() > 1.0)
        .count() as u64;
    assert!(over > 0);
    assert_eq!(loud.report.over_range, over);
    assert!(loud.report.peak_dbfs > 0.0);
    let settings = RenderSettings::default();
    let bytes = wav_bytes(&song, &settings, WavFormat::Int24);
    let mut reader = hound::WavReader::new(Cursor::new(bytes)).unwrap();
    assert!(reader
        .samples::<i32>()
        .all(|s| s.unwrap().abs() <= 8_388_607));
}

#[test]
fn the_tail_rings_until_silence_and_stops_at_the_cap() {
    // A pluck released at beat 1 rings its 1 s release; the render stops when it is done
    // and keeps no silent blocks at its end.
    let mut song = testing::song(60.0);
    let track = testing::add_track(&mut song, "pluck");
    testing::add_clip(&mut song, &track, 0.0, 1.0, &[(57, 0.0, 1.0, 100)]);
    let played = testing::render(&song);
    let report = &played.report;
    assert_eq!(report.range_frames, 48_000);
    let tail = report.tail_frames as f64 / 48_000.0;
    assert!((0.5..=1.01).contains(&tail), "tail {tail} s");
    let last_block = &played.left[played.left.len() - 64..];
    assert!(last_block.peak() >= 3.16e-5, "ends on an audible block");

    let capped = RenderSettings {
        max_tail_seconds: 0.25,
        threads: 1,
        ..RenderSettings::default()
    };
    let played = testing::render_with(&song, &capped);
    let tail = played.report.tail_frames as f64 / 48_000.0;
    assert!((0.24..0.27).contains(&tail), "capped tail {tail} s");

    // An empty composition renders nothing.
    let empty = testing::render(&testing::song(120.0));
    assert_eq!(empty.report.frames, 0);
    assert_eq!(empty.report.lufs, None);
}

#[test]
fn bad_settings_are_refused_as_bad_input() {
    let song = busy_song();
    for settings in [
        RenderSettings {
            sample_rate: 22_050,
            ..RenderSettings::default()
        },
        RenderSettings {
            range: sonic_render::RenderRange::Beats { from: 3.0, to: 1.0 },
            ..RenderSettings::default()
        },
    ] {
        let err = Renderer::new(&song, &settings).err().unwrap();
        assert!(err.is_bad_input(), "{err}");
    }
    let mut broken = song.clone();
    broken.tempo = -1.0;
    let err = Renderer::new(&broken, &RenderSettings::default())
        .err()
        .unwrap();
    assert!(err.to_string().contains("tempo"), "{err}");
}

/// A test double of the audio-clip hook: every clip plays a constant 0.25 on both channels
/// (the clip's gain times 0.25), so where it lands can be read off the output.
struct Constant;

struct ConstantSource {
    level: f32,
    left: u64,
}

impl ClipSource for ConstantSource {
    fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        assert!(
            left.len() as u64 <= self.left,
            "called past the clip's frames"
        );
        self.left -= left.len() as u64;
        left.iter_mut().for_each(|x| *x += self.level);
        right.iter_mut().for_each(|x| *x += self.level);
    }
}

impl ClipAudio for Constant {
    fn source(
        &self,
        placement: &ClipPlacement,
    ) -> sonic_render::Result<Option<Box<dyn ClipSource>>> {
        Ok(Some(Box::new(ConstantSource {
            level: 0.25 * placement.clip.gain as f32,
            left: placement.frames,
        })))
    }
}

#[test]
fn audio_clips_play_through_the_hook_between_their_frames() {
    let mut song = testing::song(120.0);
    let track = testing::add_track(&mut song, "sine");
    song.tracks[0].track_type = sonic_model::TrackType::Audio;
    let sample = sonic_model::Id::parse("sample").unwrap();
    // Beats 1 to 3: 0.5 s to 1.5 s at 120 BPM.
    song.clips
        .push(Clip::audio(track.clone(), "a", 1.0, 2.0, sample));
    song.tracks[0].pan = -1.0;

    let settings = RenderSettings {
        threads: 1,
        ..RenderSettings::default()
    };
    let silent = testing::render_with(&song, &settings);
    assert_eq!(silent.report.skipped_audio_clips, 1);
    assert_eq!(silent.left.peak(), 0.0);

    let renderer = Renderer::with_clips(&song, &settings, &Constant).unwrap();
    let mut sink = sonic_render::BufferSink::default();
    let report = renderer.render(&mut sink).unwrap();
    assert_eq!(report.skipped_audio_clips, 0);
    assert_eq!(report.range_frames, 72_000);
    assert!(sink.left[..24_000].iter().all(|&x| x == 0.0));
    assert!(sink.left[24_000..72_000].iter().all(|&x| x == 0.25));
    assert_eq!(sink.right.peak(), 0.0, "pan -1");
}
