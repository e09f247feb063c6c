//! Helpers for tests of voices, effects and renders (feature `testing`; always on in this
//! crate's own tests): compositions in a line, one-note renders through the whole engine,
//! and measurements of the result (pitch, onsets, level, correlation).
//!
//! ```
//! use sonic_render::testing::{self, Measure};
//! let played = testing::play_voice("sine", 57, 0.5, 1.0); // A3 at amp 0.5, held 1 s
//! let f0 = testing::pitch_hz(&played.left, played.rate).unwrap();
//! assert!((f0 - 220.0).abs() < 1.0);
//! assert!((played.left.peak() - 0.5).abs() < 0.01);
//! ```

use std::collections::BTreeMap;

use sonic_model::{Clip, Composition, Id, MidiNote, Track, TrackType};

use crate::dsp::BLOCK;
use crate::effects::chain::InsertChain;
use crate::effects::StereoBlock;
use crate::voice::{NoteOn, VoiceOut, VoiceSetup, VoiceSpec};
use crate::{registry, BufferSink, RenderReport, RenderSettings, Renderer};

/// The rate the helpers render at, Hz.
pub const RATE: u32 = 48_000;

/// A render in memory.
#[derive(Debug, Clone)]
pub struct Played {
    /// Left channel.
    pub left: Vec<f32>,
    /// Right channel.
    pub right: Vec<f32>,
    /// Sample rate, Hz.
    pub rate: u32,
    /// The render's report.
    pub report: RenderReport,
}

impl Played {
    /// (left + right) / 2.
    pub fn mono(&self) -> Vec<f32> {
        self.left
            .iter()
            .zip(&self.right)
            .map(|(l, r)| 0.5 * (l + r))
            .collect()
    }
}

/// The frequency of MIDI note `n` (A4 = 69 = 440 Hz).
pub fn note_hz(n: u8) -> f64 {
    crate::schedule::note_freq(n)
}

/// An empty composition at `tempo` BPM.
pub fn song(tempo: f64) -> Composition {
    let mut song = Composition::new("test");
    song.tempo = tempo;
    song
}

/// Adds a MIDI track playing `instrument`; returns its id.
pub fn add_track(song: &mut Composition, instrument: &str) -> Id {
    let mut track = Track::new(song.id.clone(), instrument, TrackType::Midi);
    track.instrument = Some(instrument.into());
    let id = track.id.clone();
    song.tracks.push(track);
    id
}

/// Adds a MIDI track with the catalogue's kit `kit_id` loaded (and no instrument, as a kit
/// swap leaves it); returns its id.
pub fn add_kit_track(song: &mut Composition, kit_id: &str) -> Id {
    let kit = sonic_catalog::drum_kit(kit_id).expect("a catalogue kit");
    let mut track = Track::new(song.id.clone(), &kit.name, TrackType::Midi);
    track.kit = Some(kit.pads.clone());
    track.kit_id = Some(kit.id.clone());
    let id = track.id.clone();
    song.tracks.push(track);
    id
}

/// Adds a MIDI clip to `track` from beat `start`, `length` beats long, with `notes` as
/// (note, start beat in the clip, length in beats, velocity); returns the clip's id.
pub fn add_clip(
    song: &mut Composition,
    track: &Id,
    start: f64,
    length: f64,
    notes: &[(u8, f64, f64, u8)],
) -> Id {
    let notes = notes
        .iter()
        .map(|&(n, s, d, v)| MidiNote::new(n, s, d, v))
        .collect();
    let clip = Clip::midi(track.clone(), "clip", start, length, notes);
    let id = clip.id.clone();
    song.clips.push(clip);
    id
}

/// Renders `song` whole at [`RATE`] on one thread.
pub fn render(song: &Composition) -> Played {
    render_with(
        song,
        &RenderSettings {
            sample_rate: RATE,
            threads: 1,
            ..RenderSettings::default()
        },
    )
}

/// Renders `song` with `settings`.
pub fn render_with(song: &Composition, settings: &RenderSettings) -> Played {
    let renderer = Renderer::new(song, settings).expect("a valid composition and settings");
    let mut sink = BufferSink::default();
    let report = renderer.render(&mut sink).expect("an in-memory render");
    Played {
        left: sink.left,
        right: sink.right,
        rate: settings.sample_rate,
        report,
    }
}

/// One note of voice `name` through the whole engine: MIDI `note` at amplitude `amp` (≤ 1.6,
/// velocity 127 and the clip gain that gives it), held `held` seconds (60 BPM), then its tail.
/// The track's volume is √2, which undoes the centre pan's −3 dB: the output is the voice's
/// own level.
pub fn play_voice(name: &str, note: u8, amp: f64, held: f64) -> Played {
    assert!(
        amp > 0.0 && amp <= 1.6,
        "amp {amp}: the clip gain goes to 2 at most"
    );
    let mut s = song(60.0);
    let track = add_track(&mut s, name);
    s.tracks[0].volume = std::f64::consts::SQRT_2;
    add_clip(&mut s, &track, 0.0, held, &[(note, 0.0, held, 127)]);
    s.clips[0].gain = amp / 0.8;
    let played = render(&s);
    assert!(
        played.report.missing_voices.is_empty(),
        "{name} is not a voice of the engine"
    );
    played
}

/// One hit of kit `kit_id`'s pad `note` at amplitude `amp` (as [`play_voice`], at the
/// voice's own level), a quarter beat long at 60 BPM.
pub fn play_pad(kit_id: &str, note: u8, amp: f64) -> Played {
    assert!(
        amp > 0.0 && amp <= 1.6,
        "amp {amp}: the clip gain goes to 2 at most"
    );
    let mut s = song(60.0);
    let track = add_kit_track(&mut s, kit_id);
    s.tracks[0].volume = std::f64::consts::SQRT_2;
    add_clip(&mut s, &track, 0.0, 1.0, &[(note, 0.0, 0.25, 127)]);
    s.clips[0].gain = amp / 0.8;
    let played = render(&s);
    assert!(
        played.report.missing_voices.is_empty(),
        "{:?}",
        played.report.missing_voices
    );
    played
}

/// The last of `notes` (MIDI numbers, each seeded by its number) played one after another on
/// one voice of `spec`, driven directly: gate 0.1 s, at most 1.5 s each; left then right.
/// The registry compares one fresh note with the same note after others to catch a
/// [`crate::voice::Voice::start`] that leaves state behind.
pub fn voice_bits(spec: &'static VoiceSpec, notes: &[u8]) -> Vec<f32> {
    let rate = f64::from(RATE);
    let mut voice = (spec.new)(&VoiceSetup { rate });
    let mut last = Vec::new();
    for &n in notes {
        let on = NoteOn::new(spec, note_hz(n), 0.5, u64::from(n));
        let mut env = (spec.envelope)(&on);
        voice.start(&on);
        let (mut left, mut right) = (Vec::new(), Vec::new());
        let (gate, cap) = ((0.1 * rate) as usize, (1.5 * rate) as usize);
        while !env.is_done() && left.len() < cap {
            if left.len() >= gate && left.len() < gate + BLOCK {
                env.release();
                voice.release();
            }
            let ramp = env.next(BLOCK as f64 / rate);
            let (mut l, mut r) = ([0.0; BLOCK], [0.0; BLOCK]);
            voice.render(&mut VoiceOut::new(&mut l, &mut r, ramp, on.amp, rate));
            left.extend_from_slice(&l);
            right.extend_from_slice(&r);
        }
        left.extend(right);
        last = left;
    }
    last
}

/// Runs `left` and `right` (same length) through the engine's effect `name` with `params`
/// (the rest at their catalogue defaults), block by block; returns the output, as long.
pub fn process_effect(
    name: &str,
    params: &[(&str, f64)],
    left: &[f32],
    right: &[f32],
) -> (Vec<f32>, Vec<f32>) {
    let values: BTreeMap<String, f64> = params.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    let mut missing = Default::default();
    let mut chain = InsertChain::empty();
    chain.add_named(
        name,
        &values,
        false,
        f64::from(RATE),
        registry::effect,
        &mut missing,
    );
    assert!(missing.is_empty(), "{name} is not an effect of the engine");
    let (mut out_l, mut out_r) = (
        Vec::with_capacity(left.len()),
        Vec::with_capacity(left.len()),
    );
    let mut block = StereoBlock::default();
    for (l, r) in left.chunks(BLOCK).zip(right.chunks(BLOCK)) {
        block.clear();
        block.left[..l.len()].copy_from_slice(l);
        block.right[..r.len()].copy_from_slice(r);
        chain.process(&mut block);
        out_l.extend_from_slice(&block.left[..l.len()]);
        out_r.extend_from_slice(&block.right[..r.len()]);
    }
    (out_l, out_r)
}

/// The analyzer's fundamental frequency of `x` (YIN, 65 Hz to 2.1 kHz), if it is pitched.
pub fn pitch_hz(x: &[f32], rate: u32) -> Option<f64> {
    let pitch = sonic_analyzer::analyze(x, rate).pitch;
    pitch.has_pitch.then_some(pitch.fundamental_freq)
}

/// The frequency between `min_hz` and `max_hz` whose period has the strongest
/// autocorrelation in `x`, refined between lags by a parabola (any range, e.g. a kick's
/// 50 Hz body).
pub fn period_hz(x: &[f32], rate: u32, min_hz: f64, max_hz: f64) -> Option<f64> {
    let rate_f = f64::from(rate);
    let lo = (rate_f / max_hz).floor().max(2.0) as usize;
    let hi = ((rate_f / min_hz).ceil() as usize).min(x.len() / 2);
    if hi <= lo + 2 {
        return None;
    }
    // Normalised per lag, so shorter overlaps are not favoured by length.
    let corr = |lag: usize| -> f64 {
        let (a, b) = (&x[..x.len() - lag], &x[lag..]);
        let dot: f64 = a
            .iter()
            .zip(b)
            .map(|(p, q)| f64::from(*p) * f64::from(*q))
            .sum();
        let ea: f64 = a.iter().map(|v| f64::from(*v).powi(2)).sum();
        let eb: f64 = b.iter().map(|v| f64::from(*v).powi(2)).sum();
        dot / (ea * eb).sqrt().max(1e-30)
    };
    let values: Vec<f64> = (lo - 1..=hi + 1).map(corr).collect();
    let best = (1..values.len() - 1).max_by(|&a, &b| values[a].total_cmp(&values[b]))?;
    let (l, m, r) = (values[best - 1], values[best], values[best + 1]);
    let denom = l - 2.0 * m + r;
    let shift = if denom.abs() > 1e-12 {
        0.5 * (l - r) / denom
    } else {
        0.0
    };
    let lag = (lo - 1 + best) as f64 + shift;
    (m > 0.5).then(|| rate_f / lag)
}

/// The frequency given by `x`'s upward zero crossings (first to last).
pub fn zero_crossing_hz(x: &[f32], rate: u32) -> f64 {
    let ups: Vec<usize> = (1..x.len())
        .filter(|&i| x[i - 1] < 0.0 && x[i] >= 0.0)
        .collect();
    match (ups.first(), ups.last()) {
        (Some(first), Some(last)) if last > first => {
            (ups.len() - 1) as f64 * f64::from(rate) / (last - first) as f64
        }
        _ => 0.0,
    }
}

/// Onset times of `x`, seconds: where the level (peak per millisecond) rises more than 6 dB
/// above its highest value over the 10 ms before, and above -40 dB of the whole signal's peak,
/// at least 30 ms after the previous onset; each refined to the first sample whose magnitude
/// is twice that earlier level and a tenth of the new one. Hits quieter than the tail they sit
/// in are not found.
pub fn onsets(x: &[f32], rate: u32) -> Vec<f64> {
    let hop = (rate / 1000).max(1) as usize;
    let env: Vec<f32> = x.chunks(hop).map(|c| c.peak()).collect();
    let floor = x.peak() * 0.01;
    let mut found = Vec::new();
    let mut last: Option<usize> = None;
    for j in 0..env.len() {
        let before = env[j.saturating_sub(10)..j]
            .iter()
            .fold(0.0f32, |m, &v| m.max(v));
        let rises = env[j] > floor && env[j] > 2.0 * before;
        if !rises || last.is_some_and(|l| j - l < 30) {
            continue;
        }
        last = Some(j);
        let threshold = (2.0 * before).max(0.1 * env[j]);
        let start = j.saturating_sub(1) * hop;
        let end = ((j + 1) * hop).min(x.len());
        let at = (start..end)
            .find(|&i| x[i].abs() >= threshold)
            .unwrap_or(j * hop);
        found.push(at as f64 / f64::from(rate));
    }
    found
}

/// Pearson correlation of two signals (over the shorter length).
pub fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let (ma, mb) = (a.mean(), b.mean());
    let mut num = 0.0;
    let (mut da, mut db) = (0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (p, q) = (f64::from(*x) - ma, f64::from(*y) - mb);
        num += p * q;
        da += p * p;
        db += q * q;
    }
    num / (da * db).sqrt().max(1e-30)
}

/// A linear gain in dB.
pub fn db(gain: f64) -> f64 {
    20.0 * gain.max(1e-30).log10()
}

/// Level measurements of a signal.
pub trait Measure {
    /// Largest magnitude.
    fn peak(&self) -> f32;
    /// Root mean square.
    fn rms(&self) -> f64;
    /// RMS in dBFS.
    fn rms_db(&self) -> f64 {
        db(self.rms())
    }
    /// Mean (DC).
    fn mean(&self) -> f64;
}

impl Measure for [f32] {
    fn peak(&self) -> f32 {
        self.iter().fold(0.0, |m, v| m.max(v.abs()))
    }

    fn rms(&self) -> f64 {
        if self.is_empty() {
            return 0.0;
        }
        (self.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / self.len() as f64).sqrt()
    }

    fn mean(&self) -> f64 {
        if self.is_empty() {
            return 0.0;
        }
        self.iter().map(|&v| f64::from(v)).sum::<f64>() / self.len() as f64
    }
}

impl Measure for Vec<f32> {
    fn peak(&self) -> f32 {
        self.as_slice().peak()
    }
    fn rms(&self) -> f64 {
        self.as_slice().rms()
    }
    fn mean(&self) -> f64 {
        self.as_slice().mean()
    }
}
