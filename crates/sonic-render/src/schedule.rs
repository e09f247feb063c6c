//! Which notes a render plays, with which voice and when (sound.md §1.3–§1.5, with B1, B7
//! and B8 fixed, docs/SOUND.md).
//!
//! A note of a MIDI clip goes through the clip's transforms (quantize, timing offset,
//! transpose, velocity offset, gate), then plays if it starts inside its clip and inside the
//! render range, first beats included. Its note-off is its end, its clip's end or the range's
//! end, whichever comes first. The voice is the track's kit pad for the note if it has one,
//! else the track's instrument (`sine` when it has none).

use std::collections::BTreeSet;

use sonic_model::{Clip, Composition, MidiNote, Track, TrackType};

use crate::registry;
use crate::seed::note_seed;
use crate::voice::{Params, VoiceKind, VoiceSpec};

/// The frequency of MIDI note `n`: 12-TET, A4 (69) = 440 Hz.
pub fn note_freq(n: u8) -> f64 {
    440.0 * 2f64.powf((f64::from(n) - 69.0) / 12.0)
}

/// One note as the engine will play it.
#[derive(Debug, Clone)]
pub(crate) struct ScheduledNote {
    /// Its voice.
    pub spec: &'static VoiceSpec,
    /// The kit pad's arguments (defaults without a pad).
    pub params: Params,
    /// Frequency, Hz.
    pub freq: f64,
    /// v/127 × 0.8 × clip gain.
    pub amp: f32,
    /// Its random seed.
    pub seed: u64,
    /// Note-on, beats on the timeline.
    pub start: f64,
    /// Note-off, beats on the timeline (≥ `start`).
    pub end: f64,
}

/// A note after its clip's MIDI transforms (sound.md §1.3, steps 1 to 5).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Transformed {
    /// Start, beats from the clip's start.
    pub start: f64,
    /// MIDI note, 0..127.
    pub note: u8,
    /// Velocity, 1..127.
    pub velocity: u8,
    /// Length, beats.
    pub duration: f64,
}

/// Applies `clip`'s transforms to `note`: quantize to the 1/4-beat grid by the strength (half
/// to even, as Python's `round`), then the timing offset (not before 0), transpose (clamped to
/// 0..127), velocity offset (clamped to 1..127) and gate (a length factor).
pub(crate) fn transform(clip: &Clip, note: &MidiNote) -> Transformed {
    let mut start = note.start_time;
    let strength = f64::from(clip.midi_quantize_strength);
    if strength > 0.0 {
        let grid = (start / 0.25).round_ties_even() * 0.25;
        start += (grid - start) * strength / 100.0;
    }
    Transformed {
        start: (start + clip.midi_timing_offset).max(0.0),
        note: (i32::from(note.note) + clip.midi_transpose).clamp(0, 127) as u8,
        velocity: (i32::from(note.velocity) + clip.midi_velocity_offset).clamp(1, 127) as u8,
        duration: note.duration * clip.midi_gate,
    }
}

/// A kit pad resolved to its voice.
#[derive(Debug, Clone)]
struct Pad {
    synthdef: String,
    spec: Option<&'static VoiceSpec>,
    params: Params,
    freq: Option<f64>,
}

/// The voices a track's notes may use.
struct TrackVoices {
    instrument: String,
    spec: Option<&'static VoiceSpec>,
    pads: Vec<Option<Pad>>,
}

impl TrackVoices {
    fn of(track: &Track) -> Self {
        let instrument = track.instrument.clone().unwrap_or_else(|| "sine".into());
        let mut pads = vec![None; 128];
        for (key, pad) in track.kit.iter().flatten() {
            let Some(note) = key.parse::<u8>().ok().filter(|n| *n <= 127) else {
                continue;
            };
            let spec = registry::voice(&pad.synthdef);
            let mut params = spec.map(VoiceSpec::defaults);
            if let (Some(spec), Some(params)) = (spec, params.as_mut()) {
                for (name, value) in &pad.params {
                    params.set(spec, name, *value as f32);
                }
            }
            pads[usize::from(note)] = Some(Pad {
                synthdef: pad.synthdef.clone(),
                spec,
                params: params.unwrap_or_default(),
                freq: pad.params.get("freq").copied(),
            });
        }
        TrackVoices {
            spec: registry::voice(&instrument),
            instrument,
            pads,
        }
    }

    /// The voice, arguments and frequency of note `n`; `None` (and the name in `missing`) when
    /// the engine has no such voice.
    fn resolve(
        &self,
        n: u8,
        missing: &mut BTreeSet<String>,
    ) -> Option<(&'static VoiceSpec, Params, f64)> {
        if let Some(pad) = &self.pads[usize::from(n)] {
            let Some(spec) = pad.spec else {
                missing.insert(pad.synthdef.clone());
                return None;
            };
            // B8: a drum voice on a pad keeps its own frequency unless the pad sets one.
            let default = match spec.kind {
                VoiceKind::Drum => spec.default_of("freq").map(f64::from),
                VoiceKind::Instrument => None,
            };
            let freq = pad.freq.or(default).unwrap_or_else(|| note_freq(n));
            return Some((spec, pad.params, freq));
        }
        let Some(spec) = self.spec else {
            missing.insert(self.instrument.clone());
            return None;
        };
        Some((spec, spec.defaults(), note_freq(n)))
    }
}

/// The notes of `track` that sound in the beats `from..to`, in clip and note order. Voice
/// names the engine does not implement go into `missing`.
pub(crate) fn track_notes(
    composition: &Composition,
    track: &Track,
    from: f64,
    to: f64,
    missing: &mut BTreeSet<String>,
) -> Vec<ScheduledNote> {
    let voices = TrackVoices::of(track);
    let clips = composition
        .clips
        .iter()
        .filter(|c| c.track_id == track.id && c.clip_type == TrackType::Midi && !c.is_muted);
    let mut notes = Vec::new();
    for clip in clips {
        for (index, note) in clip.notes().iter().enumerate() {
            let t = transform(clip, note);
            // B7: a clip is a window over its notes.
            if t.start >= clip.duration {
                continue;
            }
            // B1: every note from the range's start on plays, first beats included.
            let start = clip.start_time + t.start;
            if start < from || start >= to {
                continue;
            }
            let Some((spec, params, freq)) = voices.resolve(t.note, missing) else {
                continue;
            };
            notes.push(ScheduledNote {
                spec,
                params,
                freq,
                amp: (f64::from(t.velocity) / 127.0 * 0.8 * clip.gain) as f32,
                seed: note_seed(&track.id, &clip.id, index),
                start,
                end: (start + t.duration).min(clip.end_time()).min(to),
            });
        }
    }
    notes
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
