//! [`Clip`] and [`MidiNote`]: what plays on a track, where and how.

use serde::{Deserialize, Serialize};

use crate::check;
use crate::track::TrackType;
use crate::{Id, ModelError, MAX_BEATS};

/// A MIDI note inside a clip. Times are in beats relative to the clip start.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawNote")]
pub struct MidiNote {
    /// MIDI note number, 0 to 127 (60 is C4).
    pub note: u8,
    /// Name such as `C4` or `F#2`; derived from `note` when absent on input.
    pub note_name: String,
    /// Start, in beats from the clip start (≥ 0).
    pub start_time: f64,
    /// Length in beats (> 0).
    pub duration: f64,
    /// Velocity, 0 to 127.
    pub velocity: u8,
    /// MIDI channel, 0 to 15.
    pub channel: u8,
}

/// Input form of a note: `note_name`, `velocity` and `channel` may be left out.
#[derive(Deserialize)]
struct RawNote {
    note: u8,
    #[serde(default)]
    note_name: Option<String>,
    start_time: f64,
    duration: f64,
    #[serde(default = "default_velocity")]
    velocity: u8,
    #[serde(default)]
    channel: u8,
}

fn default_velocity() -> u8 {
    100
}

impl From<RawNote> for MidiNote {
    fn from(raw: RawNote) -> Self {
        MidiNote {
            note_name: raw.note_name.unwrap_or_else(|| note_name(raw.note)),
            note: raw.note,
            start_time: raw.start_time,
            duration: raw.duration,
            velocity: raw.velocity,
            channel: raw.channel,
        }
    }
}

/// The name of a MIDI note, with octave = note / 12 - 1 (60 is `C4`, 69 is `A4`).
pub fn note_name(note: u8) -> String {
    const NAMES: [&str; 12] = [
        "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
    ];
    format!(
        "{}{}",
        NAMES[usize::from(note % 12)],
        i32::from(note / 12) - 1
    )
}

impl MidiNote {
    /// A note on channel 0 with its name derived from the number.
    pub fn new(note: u8, start_time: f64, duration: f64, velocity: u8) -> Self {
        MidiNote {
            note,
            note_name: note_name(note),
            start_time,
            duration,
            velocity,
            channel: 0,
        }
    }

    /// Checks ranges. Field paths are relative to the note.
    pub fn validate(&self) -> Result<(), ModelError> {
        check::int_range("note", self.note.into(), 0, 127)?;
        check::range("start_time", self.start_time, 0.0, MAX_BEATS)?;
        check::positive_up_to("duration", self.duration, MAX_BEATS)?;
        check::timeline_end("duration", self.start_time, self.duration)?;
        check::int_range("velocity", self.velocity.into(), 0, 127)?;
        check::int_range("channel", self.channel.into(), 0, 15)?;
        Ok(())
    }
}

/// A clip on the timeline, with the original's field names. Positions are in beats; trims,
/// fades and loops inside an audio clip are in seconds.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clip {
    /// Clip id.
    pub id: Id,
    /// Display name.
    pub name: String,
    /// MIDI or audio; matches its track's type.
    #[serde(rename = "type")]
    pub clip_type: TrackType,
    /// The track the clip sits on.
    pub track_id: Id,
    /// Start on the timeline in beats (≥ 0).
    pub start_time: f64,
    /// Length in beats (> 0).
    pub duration: f64,
    /// Muted.
    #[serde(default)]
    pub is_muted: bool,
    /// Repeats to fill its length.
    #[serde(default)]
    pub is_looped: bool,
    /// Linear gain, 0 to 2.
    #[serde(default = "one")]
    pub gain: f64,
    /// Notes of a MIDI clip (`None` for audio clips).
    #[serde(default)]
    pub midi_events: Option<Vec<MidiNote>>,
    /// Path of the audio file, as the original stored it.
    #[serde(default)]
    pub audio_file_path: Option<String>,
    /// Start offset inside the audio file, seconds (≥ 0).
    #[serde(default)]
    pub audio_offset: Option<f64>,
    /// Library sample played by an audio clip.
    #[serde(default)]
    pub sample_id: Option<Id>,
    /// End inside the audio file, seconds (> audio_offset).
    #[serde(default)]
    pub audio_end: Option<f64>,
    /// Pitch shift, -24 to 24 semitones.
    #[serde(default)]
    pub pitch_semitones: f64,
    /// Playback rate, 0.25 to 4.
    #[serde(default = "one")]
    pub playback_rate: f64,
    /// Played backwards.
    #[serde(default)]
    pub reverse: bool,
    /// Fade-in, 0 to 5 seconds.
    #[serde(default)]
    pub fade_in: f64,
    /// Fade-out, 0 to 5 seconds.
    #[serde(default)]
    pub fade_out: f64,
    /// Loops a region of the audio.
    #[serde(default)]
    pub loop_enabled: bool,
    /// Loop start inside the audio, seconds (≥ 0).
    #[serde(default)]
    pub loop_start: f64,
    /// Loop end inside the audio, seconds (> loop_start).
    #[serde(default)]
    pub loop_end: Option<f64>,
    /// MIDI transpose, -24 to 24 semitones.
    #[serde(default)]
    pub midi_transpose: i32,
    /// Added to every velocity, -64 to 64.
    #[serde(default)]
    pub midi_velocity_offset: i32,
    /// Note length factor, 0.25 to 4.
    #[serde(default = "one")]
    pub midi_gate: f64,
    /// Timing shift in beats, -1 to 1.
    #[serde(default)]
    pub midi_timing_offset: f64,
    /// Quantize strength, 0 to 100 %.
    #[serde(default)]
    pub midi_quantize_strength: i32,
}

fn one() -> f64 {
    1.0
}

impl Clip {
    /// A MIDI clip with the given notes and default settings.
    pub fn midi(
        track_id: Id,
        name: impl Into<String>,
        start_time: f64,
        duration: f64,
        notes: Vec<MidiNote>,
    ) -> Self {
        Clip::new(
            track_id,
            name,
            TrackType::Midi,
            start_time,
            duration,
            Some(notes),
        )
    }

    /// An audio clip playing a library sample from its start.
    pub fn audio(
        track_id: Id,
        name: impl Into<String>,
        start_time: f64,
        duration: f64,
        sample_id: Id,
    ) -> Self {
        let mut clip = Clip::new(track_id, name, TrackType::Audio, start_time, duration, None);
        clip.sample_id = Some(sample_id);
        clip.audio_offset = Some(0.0);
        clip
    }

    fn new(
        track_id: Id,
        name: impl Into<String>,
        clip_type: TrackType,
        start_time: f64,
        duration: f64,
        midi_events: Option<Vec<MidiNote>>,
    ) -> Self {
        Clip {
            id: Id::generate(),
            name: name.into(),
            clip_type,
            track_id,
            start_time,
            duration,
            is_muted: false,
            is_looped: false,
            gain: 1.0,
            midi_events,
            audio_file_path: None,
            audio_offset: None,
            sample_id: None,
            audio_end: None,
            pitch_semitones: 0.0,
            playback_rate: 1.0,
            reverse: false,
            fade_in: 0.0,
            fade_out: 0.0,
            loop_enabled: false,
            loop_start: 0.0,
            loop_end: None,
            midi_transpose: 0,
            midi_velocity_offset: 0,
            midi_gate: 1.0,
            midi_timing_offset: 0.0,
            midi_quantize_strength: 0,
        }
    }

    /// End of the clip on the timeline, in beats.
    pub fn end_time(&self) -> f64 {
        self.start_time + self.duration
    }

    /// The notes (empty for audio clips).
    pub fn notes(&self) -> &[MidiNote] {
        self.midi_events.as_deref().unwrap_or(&[])
    }

    /// Checks every field's range and form, notes included. Paths are relative to the clip.
    pub fn validate(&self) -> Result<(), ModelError> {
        check::name("name", &self.name)?;
        check::range("start_time", self.start_time, 0.0, MAX_BEATS)?;
        check::positive_up_to("duration", self.duration, MAX_BEATS)?;
        check::timeline_end("duration", self.start_time, self.duration)?;
        check::range("gain", self.gain, 0.0, 2.0)?;
        if let Some(offset) = self.audio_offset {
            check::non_negative("audio_offset", offset)?;
        }
        if let Some(end) = self.audio_end {
            check::positive("audio_end", end - self.audio_offset.unwrap_or(0.0)).map_err(|_| {
                ModelError::OutOfRange {
                    field: "audio_end".into(),
                    value: end,
                    range: "audio_end > audio_offset".into(),
                }
            })?;
        }
        check::range("pitch_semitones", self.pitch_semitones, -24.0, 24.0)?;
        check::range("playback_rate", self.playback_rate, 0.25, 4.0)?;
        check::range("fade_in", self.fade_in, 0.0, 5.0)?;
        check::range("fade_out", self.fade_out, 0.0, 5.0)?;
        check::non_negative("loop_start", self.loop_start)?;
        if let Some(end) = self.loop_end {
            if !(end.is_finite() && end > self.loop_start) {
                return Err(ModelError::OutOfRange {
                    field: "loop_end".into(),
                    value: end,
                    range: "loop_end > loop_start".into(),
                });
            }
        }
        check::int_range("midi_transpose", self.midi_transpose.into(), -24, 24)?;
        check::int_range(
            "midi_velocity_offset",
            self.midi_velocity_offset.into(),
            -64,
            64,
        )?;
        check::range("midi_gate", self.midi_gate, 0.25, 4.0)?;
        check::range("midi_timing_offset", self.midi_timing_offset, -1.0, 1.0)?;
        check::int_range(
            "midi_quantize_strength",
            self.midi_quantize_strength.into(),
            0,
            100,
        )?;
        for (i, note) in self.notes().iter().enumerate() {
            note.validate()
                .map_err(|e| e.at(format_args!("midi_events[{i}]")))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_names_follow_octave_minus_one() {
        assert_eq!(note_name(60), "C4");
        assert_eq!(note_name(69), "A4");
        assert_eq!(note_name(0), "C-1");
        assert_eq!(note_name(127), "G9");
        assert_eq!(note_name(40), "E2");
    }

    #[test]
    fn a_note_without_name_velocity_or_channel_gets_defaults() {
        let note: MidiNote =
            serde_json::from_str(r#"{"note":61,"start_time":0,"duration":1}"#).unwrap();
        assert_eq!(note.note_name, "C#4");
        assert_eq!(note.velocity, 100);
        assert_eq!(note.channel, 0);
    }

    #[test]
    fn a_bad_note_is_reported_with_its_path() {
        let track = Id::generate();
        let mut clip = Clip::midi(track, "c", 0.0, 4.0, vec![MidiNote::new(60, 0.0, 1.0, 100)]);
        clip.midi_events.as_mut().unwrap()[0].velocity = 200;
        let err = clip.validate().unwrap_err();
        assert_eq!(err.field(), "midi_events[0].velocity");
        clip.midi_events.as_mut().unwrap()[0].velocity = 100;
        clip.loop_end = Some(0.0);
        assert_eq!(clip.validate().unwrap_err().field(), "loop_end");
    }

    #[test]
    fn clips_and_notes_end_within_the_timeline() {
        let track = Id::generate();
        let mut clip = Clip::midi(track, "c", 0.0, 4.0, vec![MidiNote::new(60, 0.0, 1.0, 100)]);
        // Each value finite, but their sum is not: the listing's duration_beats would be
        // infinite (null in JSON).
        clip.start_time = 1e308;
        clip.duration = 1e308;
        assert_eq!(clip.validate().unwrap_err().field(), "start_time");
        clip.start_time = MAX_BEATS - 1.0;
        clip.duration = 2.0;
        assert_eq!(clip.validate().unwrap_err().field(), "duration");
        clip.duration = 1.0;
        clip.validate().unwrap();
        clip.start_time = 0.0;
        clip.midi_events.as_mut().unwrap()[0].start_time = MAX_BEATS;
        assert_eq!(
            clip.validate().unwrap_err().field(),
            "midi_events[0].duration"
        );
    }
}
