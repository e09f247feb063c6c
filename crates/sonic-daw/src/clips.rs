//! Clips: add (MIDI or audio), change, delete, duplicate, move, split, trim, notes. Every
//! function works on a copy of the clip, validates it, and only then stores it.

use sonic_model::{Clip, Composition, Id, MidiNote, TrackType};

use crate::tracks::index_of as track_index;
use crate::{ids, DawError, Result};

/// What a new MIDI clip looks like.
#[derive(Debug, Clone)]
pub struct NewMidiClip {
    /// Client-chosen id (unique in the composition), or `None` for a generated one.
    pub id: Option<Id>,
    /// The MIDI track it goes on.
    pub track_id: Id,
    /// Name; `MIDI Clip N` (lowest free N) when `None`.
    pub name: Option<String>,
    /// Start, beats (≥ 0).
    pub start_time: f64,
    /// Length, beats (> 0).
    pub duration: f64,
    /// Notes, times relative to the clip start.
    pub notes: Vec<MidiNote>,
}

/// What a new audio clip looks like.
#[derive(Debug, Clone)]
pub struct NewAudioClip {
    /// Client-chosen id (unique in the composition), or `None` for a generated one.
    pub id: Option<Id>,
    /// The audio track it goes on.
    pub track_id: Id,
    /// Name; `AUDIO Clip N` when `None`.
    pub name: Option<String>,
    /// Start, beats (≥ 0).
    pub start_time: f64,
    /// Length, beats (> 0).
    pub duration: f64,
    /// The library sample it plays.
    pub sample_id: Id,
    /// Path of the sample file, for clients that read it.
    pub audio_file_path: Option<String>,
}

/// Changes to a clip; `None` keeps a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ClipChanges {
    /// New name.
    pub name: Option<String>,
    /// New start, beats.
    pub start_time: Option<f64>,
    /// New length, beats.
    pub duration: Option<f64>,
    /// Mute.
    pub is_muted: Option<bool>,
    /// Loop.
    pub is_looped: Option<bool>,
    /// Gain, 0 to 2.
    pub gain: Option<f64>,
    /// Replaces every note (MIDI clips only).
    pub notes: Option<Vec<MidiNote>>,
    /// Pitch shift, -24 to 24 semitones (audio).
    pub pitch_semitones: Option<f64>,
    /// Playback rate, 0.25 to 4 (audio).
    pub playback_rate: Option<f64>,
    /// Play backwards (audio).
    pub reverse: Option<bool>,
    /// Fade-in, 0 to 5 seconds (audio).
    pub fade_in: Option<f64>,
    /// Fade-out, 0 to 5 seconds (audio).
    pub fade_out: Option<f64>,
    /// Start offset in the file, seconds (audio).
    pub audio_offset: Option<f64>,
    /// MIDI transpose, -24 to 24 semitones.
    pub midi_transpose: Option<i32>,
    /// Added to every velocity, -64 to 64.
    pub midi_velocity_offset: Option<i32>,
    /// Note length factor, 0.25 to 4.
    pub midi_gate: Option<f64>,
    /// Timing shift in beats, -1 to 1.
    pub midi_timing_offset: Option<f64>,
    /// Quantize strength, 0 to 100 %.
    pub midi_quantize_strength: Option<i32>,
}

/// The index of clip `id`.
pub fn index_of(composition: &Composition, id: &Id) -> Result<usize> {
    composition
        .clips
        .iter()
        .position(|c| &c.id == id)
        .ok_or_else(|| DawError::ClipNotFound(id.clone()))
}

fn track_of_type(composition: &Composition, id: &Id, kind: TrackType) -> Result<()> {
    let track = &composition.tracks[track_index(composition, id)?];
    if track.track_type != kind {
        return Err(DawError::WrongType {
            what: "track",
            id: id.clone(),
            found: track.track_type.as_str(),
            expected: kind.as_str(),
        });
    }
    Ok(())
}

fn default_name(composition: &Composition, kind: TrackType) -> String {
    let prefix = if kind == TrackType::Midi {
        "MIDI"
    } else {
        "AUDIO"
    };
    (1..)
        .map(|n| format!("{prefix} Clip {n}"))
        .find(|name| !composition.clips.iter().any(|c| &c.name == name))
        .expect("some number is free")
}

fn insert(composition: &mut Composition, clip: Clip) -> Result<Id> {
    clip.validate()?;
    let id = clip.id.clone();
    composition.clips.push(clip);
    Ok(id)
}

/// Adds a MIDI clip to a MIDI track.
pub fn add_midi_clip(composition: &mut Composition, new: NewMidiClip) -> Result<Id> {
    track_of_type(composition, &new.track_id, TrackType::Midi)?;
    let id = ids::new_id(composition, new.id.as_ref())?;
    let name = new
        .name
        .unwrap_or_else(|| default_name(composition, TrackType::Midi));
    let mut clip = Clip::midi(new.track_id, name, new.start_time, new.duration, new.notes);
    clip.id = id;
    insert(composition, clip)
}

/// Adds an audio clip playing a library sample to an audio track.
pub fn add_audio_clip(composition: &mut Composition, new: NewAudioClip) -> Result<Id> {
    track_of_type(composition, &new.track_id, TrackType::Audio)?;
    let id = ids::new_id(composition, new.id.as_ref())?;
    let name = new
        .name
        .unwrap_or_else(|| default_name(composition, TrackType::Audio));
    let mut clip = Clip::audio(
        new.track_id,
        name,
        new.start_time,
        new.duration,
        new.sample_id,
    );
    clip.id = id;
    clip.audio_file_path = new.audio_file_path;
    insert(composition, clip)
}

/// Applies `changes` to a clip; nothing changes unless the whole result is valid.
pub fn modify_clip(composition: &mut Composition, id: &Id, changes: ClipChanges) -> Result<()> {
    let index = index_of(composition, id)?;
    let mut clip = composition.clips[index].clone();
    if changes.notes.is_some() && clip.clip_type != TrackType::Midi {
        return Err(not_midi(&clip));
    }
    if let Some(name) = changes.name {
        clip.name = name;
    }
    if let Some(start) = changes.start_time {
        clip.start_time = start;
    }
    if let Some(duration) = changes.duration {
        clip.duration = duration;
    }
    if let Some(muted) = changes.is_muted {
        clip.is_muted = muted;
    }
    if let Some(looped) = changes.is_looped {
        clip.is_looped = looped;
    }
    if let Some(gain) = changes.gain {
        clip.gain = gain;
    }
    if let Some(notes) = changes.notes {
        clip.midi_events = Some(notes);
    }
    let set = |field: &mut f64, value: Option<f64>| *field = value.unwrap_or(*field);
    set(&mut clip.pitch_semitones, changes.pitch_semitones);
    set(&mut clip.playback_rate, changes.playback_rate);
    set(&mut clip.fade_in, changes.fade_in);
    set(&mut clip.fade_out, changes.fade_out);
    set(&mut clip.midi_gate, changes.midi_gate);
    set(&mut clip.midi_timing_offset, changes.midi_timing_offset);
    clip.reverse = changes.reverse.unwrap_or(clip.reverse);
    clip.audio_offset = changes.audio_offset.or(clip.audio_offset);
    clip.midi_transpose = changes.midi_transpose.unwrap_or(clip.midi_transpose);
    clip.midi_velocity_offset = changes
        .midi_velocity_offset
        .unwrap_or(clip.midi_velocity_offset);
    clip.midi_quantize_strength = changes
        .midi_quantize_strength
        .unwrap_or(clip.midi_quantize_strength);
    clip.validate()?;
    composition.clips[index] = clip;
    Ok(())
}

/// Adds notes to a MIDI clip; returns the clip's new note count.
pub fn add_notes(composition: &mut Composition, id: &Id, notes: &[MidiNote]) -> Result<usize> {
    let index = index_of(composition, id)?;
    let mut clip = composition.clips[index].clone();
    if clip.clip_type != TrackType::Midi {
        return Err(not_midi(&clip));
    }
    let events = clip.midi_events.get_or_insert_with(Vec::new);
    events.extend_from_slice(notes);
    let count = events.len();
    clip.validate()?;
    composition.clips[index] = clip;
    Ok(count)
}

/// Removes the notes at `indices` (positions in the clip's note list) from a MIDI clip.
pub fn remove_notes(composition: &mut Composition, id: &Id, indices: &[usize]) -> Result<usize> {
    let index = index_of(composition, id)?;
    let clip = &composition.clips[index];
    let count = clip
        .midi_events
        .as_ref()
        .ok_or_else(|| not_midi(clip))?
        .len();
    if let Some(bad) = indices.iter().find(|i| **i >= count) {
        return Err(DawError::out_of_range(
            "note index",
            *bad as f64,
            &format!("0 <= x < {count}"),
        ));
    }
    let events = composition.clips[index]
        .midi_events
        .as_mut()
        .expect("checked above: a MIDI clip");
    let mut position = 0;
    events.retain(|_| {
        let keep = !indices.contains(&position);
        position += 1;
        keep
    });
    Ok(events.len())
}

fn not_midi(clip: &Clip) -> DawError {
    DawError::WrongType {
        what: "clip",
        id: clip.id.clone(),
        found: clip.clip_type.as_str(),
        expected: "midi",
    }
}

/// Removes a clip and clears the clip-launcher slots that held it.
pub fn delete_clip(composition: &mut Composition, id: &Id) -> Result<()> {
    let index = index_of(composition, id)?;
    composition.clips.remove(index);
    if let Some(grid) = &mut composition.clip_slots {
        for slot in grid.iter_mut().flatten() {
            if slot.as_ref() == Some(id) {
                *slot = None;
            }
        }
    }
    Ok(())
}

/// Copies a clip with every field (notes, transforms, audio settings) to `start_time`, by
/// default right after the original. Returns the new clip's id.
pub fn duplicate_clip(
    composition: &mut Composition,
    id: &Id,
    start_time: Option<f64>,
    new_id: Option<&Id>,
) -> Result<Id> {
    let index = index_of(composition, id)?;
    let mut copy = composition.clips[index].clone();
    copy.id = ids::new_id(composition, new_id)?;
    copy.start_time = start_time.unwrap_or(copy.start_time + copy.duration);
    copy.name = format!("{} (copy)", copy.name);
    insert(composition, copy)
}

/// Moves a clip to another track of the same type and/or another start.
pub fn move_clip(
    composition: &mut Composition,
    id: &Id,
    track_id: Option<&Id>,
    start_time: Option<f64>,
) -> Result<()> {
    let index = index_of(composition, id)?;
    let mut clip = composition.clips[index].clone();
    if let Some(track_id) = track_id {
        track_of_type(composition, track_id, clip.clip_type)?;
        clip.track_id = track_id.clone();
    }
    if let Some(start) = start_time {
        clip.start_time = start;
    }
    clip.validate()?;
    if clip.track_id != composition.clips[index].track_id {
        // A launcher slot holds clips of its own track only.
        if let Some(grid) = &mut composition.clip_slots {
            for slot in grid.iter_mut().flatten() {
                if slot.as_ref() == Some(id) {
                    *slot = None;
                }
            }
        }
    }
    composition.clips[index] = clip;
    Ok(())
}

/// Splits a clip at `split_time` beats from its start. The first part keeps the id; the
/// second gets `new_id` (or a generated one) and follows it in the clip list. Notes that cross
/// the split are cut; audio parts play on from where the first part stops.
pub fn split_clip(
    composition: &mut Composition,
    id: &Id,
    split_time: f64,
    new_id: Option<&Id>,
) -> Result<(Id, Id)> {
    let index = index_of(composition, id)?;
    let clip = &composition.clips[index];
    if !(split_time.is_finite() && split_time > 0.0 && split_time < clip.duration) {
        return Err(DawError::InvalidSplit {
            split_time,
            duration: clip.duration,
        });
    }
    let second_id = ids::new_id(composition, new_id)?;
    let at = clip.start_time + split_time;
    let mut first = retime(clip, clip.start_time, at, composition.tempo)?;
    let mut second = retime(clip, at, clip.end_time(), composition.tempo)?;
    first.name = format!("{} (1)", clip.name);
    second.name = format!("{} (2)", clip.name);
    second.id = second_id.clone();
    first.validate()?;
    second.validate()?;
    composition.clips[index] = first;
    composition.clips.insert(index + 1, second);
    Ok((id.clone(), second_id))
}

/// Trims (or extends) a clip to the timeline region `new_start..new_end`: notes keep their
/// place on the timeline and are cut at the edges; an audio clip's file offset follows.
pub fn trim_clip(
    composition: &mut Composition,
    id: &Id,
    new_start: f64,
    new_end: f64,
) -> Result<()> {
    let index = index_of(composition, id)?;
    if !(new_end.is_finite() && new_end > new_start) {
        return Err(DawError::out_of_range("end", new_end, "end > start"));
    }
    let clip = retime(
        &composition.clips[index],
        new_start,
        new_end,
        composition.tempo,
    )?;
    clip.validate()?;
    composition.clips[index] = clip;
    Ok(())
}

/// A copy of `clip` covering the timeline region `start..end` (beats).
fn retime(clip: &Clip, start: f64, end: f64, tempo: f64) -> Result<Clip> {
    let mut out = clip.clone();
    let shift = start - clip.start_time;
    out.start_time = start;
    out.duration = end - start;
    if let Some(notes) = &mut out.midi_events {
        notes.retain_mut(|note| {
            let from = (note.start_time - shift).max(0.0);
            let to = (note.start_time - shift + note.duration).min(end - start);
            note.start_time = from;
            note.duration = to - from;
            note.duration > 0.0
        });
    }
    if let Some(offset) = clip.audio_offset {
        let seconds = shift * 60.0 / tempo * clip.playback_rate;
        let moved = offset + seconds;
        if moved < 0.0 || clip.audio_end.is_some_and(|e| moved >= e) {
            return Err(DawError::out_of_range(
                "audio_offset",
                moved,
                "inside the audio file",
            ));
        }
        out.audio_offset = Some(moved);
    }
    Ok(out)
}

#[cfg(test)]
#[path = "clips_tests.rs"]
mod tests;
