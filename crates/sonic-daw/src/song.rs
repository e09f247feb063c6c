//! Song-wide settings (name, tempo, time signature, loop, clearing) and the transport's
//! playhead (play, pause, stop, seek). State only: Sonic has no audio engine.

use sonic_model::{
    validate_loop, validate_position, validate_time_signature, Composition, MAX_TEMPO,
};

use crate::{DawError, Result};

/// Renames the composition.
pub fn rename(composition: &mut Composition, name: &str) -> Result<()> {
    crate::check_name("name", name)?;
    composition.name = name.to_owned();
    Ok(())
}

/// Sets the tempo, 0 < BPM ≤ 300.
pub fn set_tempo(composition: &mut Composition, bpm: f64) -> Result<()> {
    if !(bpm.is_finite() && bpm > 0.0 && bpm <= MAX_TEMPO) {
        return Err(DawError::out_of_range("tempo", bpm, "0 < x <= 300"));
    }
    composition.tempo = bpm;
    Ok(())
}

/// Sets the time signature, `N/D`.
pub fn set_time_signature(composition: &mut Composition, signature: &str) -> Result<()> {
    validate_time_signature("time_signature", signature)?;
    composition.time_signature = signature.to_owned();
    Ok(())
}

/// Sets the loop region (0 ≤ start < end, beats) and, when given, whether looping is on.
pub fn set_loop(
    composition: &mut Composition,
    start: f64,
    end: f64,
    enabled: Option<bool>,
) -> Result<()> {
    validate_loop(start, end)?;
    composition.loop_start = start;
    composition.loop_end = end;
    if let Some(enabled) = enabled {
        composition.loop_enabled = enabled;
    }
    Ok(())
}

/// What [`clear`] removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cleared {
    /// Tracks removed.
    pub tracks_removed: usize,
    /// Clips removed.
    pub clips_removed: usize,
}

/// Removes every track with its clips, mixer channel, effects, launcher row and sample
/// assignment. Scenes, tempo, loop and the master bus stay.
pub fn clear(composition: &mut Composition) -> Cleared {
    let cleared = Cleared {
        tracks_removed: composition.tracks.len(),
        clips_removed: composition.clips.len(),
    };
    composition.tracks.clear();
    composition.clips.clear();
    composition.track_effects.clear();
    composition.sample_assignments.clear();
    composition
        .mixer_state
        .channels
        .retain(|c| c.track_id.is_none());
    composition.mixer_state.selected_channel_id = None;
    if composition.clip_slots.is_some() {
        composition.clip_slots = Some(Vec::new());
    }
    cleared
}

/// Starts playing from `from` (beats), or from the loop start when looping, else from 0.
/// Returns the start position.
pub fn play(composition: &mut Composition, from: Option<f64>) -> Result<f64> {
    let start = match from {
        Some(position) => {
            validate_position("position", position)?;
            position
        }
        None if composition.loop_enabled => composition.loop_start,
        None => 0.0,
    };
    composition.is_playing = true;
    composition.current_position = start;
    Ok(start)
}

/// Resumes from the playhead.
pub fn resume(composition: &mut Composition) {
    composition.is_playing = true;
}

/// Pauses, keeping the playhead.
pub fn pause(composition: &mut Composition) {
    composition.is_playing = false;
}

/// Stops and returns the playhead to 0.
pub fn stop(composition: &mut Composition) {
    composition.is_playing = false;
    composition.current_position = 0.0;
}

/// Moves the playhead to `position` beats (≥ 0).
pub fn seek(composition: &mut Composition, position: f64) -> Result<()> {
    validate_position("position", position)?;
    composition.current_position = position;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_plays_from_the_loop_start_pauses_stops_and_seeks() {
        let mut song = Composition::new("T");
        set_loop(&mut song, 4.0, 8.0, Some(true)).unwrap();
        assert_eq!(play(&mut song, None).unwrap(), 4.0);
        assert!(song.is_playing);
        seek(&mut song, 6.5).unwrap();
        pause(&mut song);
        assert_eq!((song.is_playing, song.current_position), (false, 6.5));
        resume(&mut song);
        stop(&mut song);
        assert_eq!((song.is_playing, song.current_position), (false, 0.0));
        assert_eq!(seek(&mut song, -1.0).unwrap_err().code(), "OUT_OF_RANGE");
        assert!(play(&mut song, Some(f64::INFINITY)).is_err());
    }

    #[test]
    fn settings_are_checked_before_they_change() {
        let mut song = Composition::new("S");
        assert!(set_tempo(&mut song, 0.0).is_err());
        assert!(set_tempo(&mut song, 301.0).is_err());
        set_tempo(&mut song, 300.0).unwrap();
        assert_eq!(
            set_time_signature(&mut song, "7/9").unwrap_err().code(),
            "INVALID_VALUE"
        );
        set_time_signature(&mut song, "7/8").unwrap();
        assert!(set_loop(&mut song, 8.0, 8.0, None).is_err());
        assert!(rename(&mut song, "").is_err());
        rename(&mut song, "New").unwrap();
        assert_eq!(
            (song.tempo, song.time_signature.as_str(), song.name.as_str()),
            (300.0, "7/8", "New")
        );
    }
}
