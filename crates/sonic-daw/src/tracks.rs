//! Tracks: add, delete, rename, recolour, instrument and drum kit, order, volume, pan, mute,
//! solo. Every function checks all of its input before it changes anything.

use sonic_model::{Composition, Id, MixerChannel, Track, TrackType};

use crate::registry::{self, DrumKit};
use crate::{ids, DawError, Result};

/// What a new track looks like.
#[derive(Debug, Clone)]
pub struct NewTrack {
    /// Client-chosen id (unique in the composition), or `None` for a generated one.
    pub id: Option<Id>,
    /// Display name.
    pub name: String,
    /// MIDI or audio.
    pub track_type: TrackType,
    /// Instrument (MIDI tracks only), a registry SynthDef name.
    pub instrument: Option<String>,
    /// Hex colour; the default blue when `None`.
    pub color: Option<String>,
    /// Drum kit id (MIDI tracks only).
    pub kit_id: Option<String>,
}

impl NewTrack {
    /// A track of `track_type` called `name` with every option at its default.
    pub fn new(name: impl Into<String>, track_type: TrackType) -> Self {
        NewTrack {
            id: None,
            name: name.into(),
            track_type,
            instrument: None,
            color: None,
            kit_id: None,
        }
    }
}

/// The index of track `id`.
pub fn index_of(composition: &Composition, id: &Id) -> Result<usize> {
    composition
        .tracks
        .iter()
        .position(|t| &t.id == id)
        .ok_or_else(|| DawError::TrackNotFound(id.clone()))
}

/// The MIDI track `id`, or `NOT_MIDI_TRACK`.
pub fn midi_track(composition: &Composition, id: &Id) -> Result<usize> {
    let index = index_of(composition, id)?;
    let track = &composition.tracks[index];
    if track.track_type != TrackType::Midi {
        return Err(DawError::WrongType {
            what: "track",
            id: id.clone(),
            found: track.track_type.as_str(),
            expected: "midi",
        });
    }
    Ok(index)
}

/// Appends a track with its mixer channel (and a clip-launcher row when the grid exists).
pub fn add_track(composition: &mut Composition, new: NewTrack) -> Result<Id> {
    let id = ids::new_id(composition, new.id.as_ref())?;
    let mut track = Track::new(composition.id.clone(), new.name, new.track_type);
    track.id = id.clone();
    if let Some(color) = new.color {
        track.color = color;
    }
    if new.track_type == TrackType::Audio && (new.instrument.is_some() || new.kit_id.is_some()) {
        return Err(DawError::WrongType {
            what: "track",
            id,
            found: "audio",
            expected: "midi",
        });
    }
    if let Some(instrument) = new.instrument {
        registry::instrument(&instrument)?;
        track.instrument = Some(instrument);
    }
    if let Some(kit_id) = new.kit_id {
        load_kit(&mut track, registry::drum_kit(&kit_id)?);
    }
    track.validate()?;

    let channel = MixerChannel::for_track(id.clone(), track.name.clone());
    composition.mixer_state.channels.push(channel);
    composition.tracks.push(track);
    if let Some(grid) = &mut composition.clip_slots {
        grid.resize(composition.tracks.len(), Vec::new());
    }
    Ok(id)
}

/// What [`delete_track`] removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackRemoval {
    /// Clips that were on the track.
    pub clips_removed: usize,
    /// Effects that were in its chain.
    pub effects_removed: usize,
}

/// Removes a track with its clips, mixer channel, effect chain, clip-launcher row and sample
/// assignment.
pub fn delete_track(composition: &mut Composition, id: &Id) -> Result<TrackRemoval> {
    let index = index_of(composition, id)?;
    composition.tracks.remove(index);
    let before = composition.clips.len();
    let mut gone = Vec::new();
    composition.clips.retain(|c| {
        let keep = &c.track_id != id;
        if !keep {
            gone.push(c.id.clone());
        }
        keep
    });
    let clips_removed = before - composition.clips.len();
    if let Some(grid) = &mut composition.clip_slots {
        if index < grid.len() {
            grid.remove(index);
        }
        for slot in grid.iter_mut().flatten() {
            if slot.as_ref().is_some_and(|clip| gone.contains(clip)) {
                *slot = None;
            }
        }
    }
    composition
        .mixer_state
        .channels
        .retain(|c| c.track_id.as_ref() != Some(id));
    if composition.mixer_state.selected_channel_id.is_some()
        && !composition
            .mixer_state
            .channels
            .iter()
            .any(|c| Some(&c.id) == composition.mixer_state.selected_channel_id.as_ref())
    {
        composition.mixer_state.selected_channel_id = None;
    }
    let mut effects_removed = 0;
    composition.track_effects.retain(|chain| {
        let keep = &chain.track_id != id;
        if !keep {
            effects_removed = chain.effects.len();
        }
        keep
    });
    composition.sample_assignments.remove(id);
    Ok(TrackRemoval {
        clips_removed,
        effects_removed,
    })
}

/// Renames a track (and its mixer channel).
pub fn rename_track(composition: &mut Composition, id: &Id, name: &str) -> Result<()> {
    update(composition, id, |t| t.name = name.to_owned())?;
    for channel in &mut composition.mixer_state.channels {
        if channel.track_id.as_ref() == Some(id) {
            channel.name = name.to_owned();
        }
    }
    Ok(())
}

/// Sets a track's colour.
pub fn set_color(composition: &mut Composition, id: &Id, color: &str) -> Result<()> {
    update(composition, id, |t| t.color = color.to_owned())
}

/// Sets the instrument of a MIDI track, checked against the registry. A loaded drum kit is
/// kept: its pads still play their notes.
pub fn set_instrument(composition: &mut Composition, id: &Id, instrument: &str) -> Result<()> {
    let index = midi_track(composition, id)?;
    registry::instrument(instrument)?;
    composition.tracks[index].instrument = Some(instrument.to_owned());
    Ok(())
}

/// Loads a drum kit's pads into a MIDI track; returns the kit.
pub fn set_drum_kit(
    composition: &mut Composition,
    id: &Id,
    kit_id: &str,
) -> Result<&'static DrumKit> {
    let index = midi_track(composition, id)?;
    let kit = registry::drum_kit(kit_id)?;
    load_kit(&mut composition.tracks[index], kit);
    Ok(kit)
}

/// Removes the drum kit of a track.
pub fn clear_drum_kit(composition: &mut Composition, id: &Id) -> Result<()> {
    update(composition, id, |t| {
        t.kit = None;
        t.kit_id = None;
    })
}

fn load_kit(track: &mut Track, kit: &DrumKit) {
    track.kit = Some(kit.pads.clone());
    track.kit_id = Some(kit.id.clone());
}

/// Puts the tracks (and their clip-launcher rows) in `order`, which must name every track
/// exactly once.
pub fn reorder_tracks(composition: &mut Composition, order: &[Id]) -> Result<()> {
    let current: Vec<Id> = composition.tracks.iter().map(|t| t.id.clone()).collect();
    let mut indices = Vec::with_capacity(order.len());
    for id in order {
        match current.iter().position(|c| c == id) {
            Some(i) if !indices.contains(&i) => indices.push(i),
            _ => indices.clear(),
        }
        if indices.is_empty() {
            break;
        }
    }
    if order.len() != current.len() || indices.len() != current.len() {
        return Err(DawError::InvalidOrder {
            what: "track",
            given: order.to_vec(),
            current,
        });
    }
    let mut tracks: Vec<Option<_>> = composition.tracks.drain(..).map(Some).collect();
    composition.tracks = indices
        .iter()
        .map(|&i| tracks[i].take().expect("indices are a permutation"))
        .collect();
    if let Some(grid) = &mut composition.clip_slots {
        grid.resize(current.len(), Vec::new());
        let mut rows: Vec<Option<_>> = grid.drain(..).map(Some).collect();
        *grid = indices
            .iter()
            .map(|&i| rows[i].take().expect("indices are a permutation"))
            .collect();
    }
    Ok(())
}

/// Sets a track's linear volume, 0 to 2.
pub fn set_volume(composition: &mut Composition, id: &Id, volume: f64) -> Result<()> {
    update(composition, id, |t| t.volume = volume)
}

/// Sets a track's pan, -1 to 1 (its mixer channel follows).
pub fn set_pan(composition: &mut Composition, id: &Id, pan: f64) -> Result<()> {
    update(composition, id, |t| t.pan = pan)?;
    mirror(composition, id, |c| c.pan = pan);
    Ok(())
}

/// Mutes or unmutes a track (its mixer channel follows).
pub fn set_mute(composition: &mut Composition, id: &Id, muted: bool) -> Result<()> {
    update(composition, id, |t| t.is_muted = muted)?;
    mirror(composition, id, |c| c.mute = muted);
    Ok(())
}

/// Solos or unsolos a track (its mixer channel follows).
pub fn set_solo(composition: &mut Composition, id: &Id, solo: bool) -> Result<()> {
    update(composition, id, |t| t.is_solo = solo)?;
    mirror(composition, id, |c| c.solo = solo);
    Ok(())
}

/// Arms or disarms a track for recording.
pub fn set_armed(composition: &mut Composition, id: &Id, armed: bool) -> Result<()> {
    update(composition, id, |t| t.is_armed = armed)?;
    mirror(composition, id, |c| c.armed = armed);
    Ok(())
}

/// Applies `change` to a copy of the track, validates the copy, then stores it.
fn update(composition: &mut Composition, id: &Id, change: impl FnOnce(&mut Track)) -> Result<()> {
    let index = index_of(composition, id)?;
    let mut track = composition.tracks[index].clone();
    change(&mut track);
    track.validate()?;
    composition.tracks[index] = track;
    Ok(())
}

fn mirror(composition: &mut Composition, id: &Id, change: impl FnOnce(&mut MixerChannel)) {
    if let Some(channel) = composition
        .mixer_state
        .channels
        .iter_mut()
        .find(|c| c.track_id.as_ref() == Some(id))
    {
        let before = channel.clone();
        change(channel);
        // Stamped only on a real change, so setting a value to what it is changes nothing.
        if *channel != before {
            channel.updated_at = sonic_model::time::now();
        }
    }
}

#[cfg(test)]
#[path = "tracks_tests.rs"]
mod tests;
