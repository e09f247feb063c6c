//! The mixer of one composition: a channel strip per track (fader in dB, pan, mute, solo), the
//! master bus, and which tracks are audible.
//!
//! A track's pan, mute and solo are the same thing as its channel's: the setters in
//! [`crate::tracks`] write both. The track's `volume` (linear, 0 to 2) is the track gain the
//! original web client edits; the channel `fader` (dB) is a separate gain stage after it.

use sonic_model::{Composition, Id, MixerChannel, MAX_DB, MIN_DB};

use crate::tracks::index_of as track_index;
use crate::{set_stamped, DawError, Result};

const DB_RANGE: &str = "-60 <= dB <= 12";

fn check_db(field: &str, db: f64) -> Result<()> {
    if db.is_finite() && (MIN_DB..=MAX_DB).contains(&db) {
        Ok(())
    } else {
        Err(DawError::out_of_range(field, db, DB_RANGE))
    }
}

/// The channel of track `track_id`, created (unity, centred, following the track's pan, mute
/// and solo) when the track has none yet.
pub fn channel_mut<'a>(
    composition: &'a mut Composition,
    track_id: &Id,
) -> Result<&'a mut MixerChannel> {
    let track = &composition.tracks[track_index(composition, track_id)?];
    let position = composition
        .mixer_state
        .channels
        .iter()
        .position(|c| c.track_id.as_ref() == Some(track_id));
    let index = match position {
        Some(i) => i,
        None => {
            let mut channel = MixerChannel::for_track(track_id.clone(), track.name.clone());
            channel.pan = track.pan;
            channel.mute = track.is_muted;
            channel.solo = track.is_solo;
            composition.mixer_state.channels.push(channel);
            composition.mixer_state.channels.len() - 1
        }
    };
    Ok(&mut composition.mixer_state.channels[index])
}

/// Sets the fader of a track's channel, in dB (-60 to 12).
pub fn set_fader(composition: &mut Composition, track_id: &Id, db: f64) -> Result<()> {
    check_db("fader", db)?;
    let channel = channel_mut(composition, track_id)?;
    set_stamped(&mut channel.fader, db, &mut channel.updated_at);
    Ok(())
}

/// Sets the input gain of a track's channel, in dB (-60 to 12).
pub fn set_input_gain(composition: &mut Composition, track_id: &Id, db: f64) -> Result<()> {
    check_db("input_gain", db)?;
    let channel = channel_mut(composition, track_id)?;
    set_stamped(&mut channel.input_gain, db, &mut channel.updated_at);
    Ok(())
}

/// Sets the master fader, in dB (-60 to 12).
pub fn set_master_fader(composition: &mut Composition, db: f64) -> Result<()> {
    check_db("master.fader", db)?;
    let master = &mut composition.mixer_state.master;
    set_stamped(&mut master.fader, db, &mut master.updated_at);
    Ok(())
}

/// Mutes or unmutes the master bus.
pub fn set_master_mute(composition: &mut Composition, muted: bool) {
    let master = &mut composition.mixer_state.master;
    set_stamped(&mut master.mute, muted, &mut master.updated_at);
}

/// Turns the master limiter on or off and sets its threshold (dB, -12 to 0).
pub fn set_master_limiter(
    composition: &mut Composition,
    enabled: bool,
    threshold_db: f64,
) -> Result<()> {
    if !(threshold_db.is_finite() && (-12.0..=0.0).contains(&threshold_db)) {
        return Err(DawError::out_of_range(
            "master.limiter_threshold",
            threshold_db,
            "-12 <= dB <= 0",
        ));
    }
    let master = &mut composition.mixer_state.master;
    set_stamped(&mut master.limiter_enabled, enabled, &mut master.updated_at);
    set_stamped(
        &mut master.limiter_threshold,
        threshold_db,
        &mut master.updated_at,
    );
    Ok(())
}

/// Converts a fader level in dB to a linear gain; -60 dB (the floor) is silence.
pub fn db_to_gain(db: f64) -> f64 {
    if db <= MIN_DB {
        0.0
    } else {
        10f64.powf(db / 20.0)
    }
}

/// The tracks that are heard, in track order. A muted track (or muted channel) is never heard;
/// when any track is soloed only soloed tracks are heard; a muted master silences everything.
pub fn audible_tracks(composition: &Composition) -> Vec<Id> {
    if composition.mixer_state.master.mute {
        return Vec::new();
    }
    let state = |id: &Id| {
        composition
            .mixer_state
            .channel_for_track(id)
            .map_or((false, false), |c| (c.mute, c.solo))
    };
    let soloed = |t: &sonic_model::Track| t.is_solo || state(&t.id).1;
    let any_solo = composition.tracks.iter().any(soloed);
    composition
        .tracks
        .iter()
        .filter(|t| !(t.is_muted || state(&t.id).0))
        .filter(|t| !any_solo || soloed(t))
        .map(|t| t.id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tracks::{self, NewTrack};
    use sonic_model::TrackType;

    fn three_tracks() -> (Composition, Vec<Id>) {
        let mut song = Composition::new("Mix");
        let ids = ["a", "b", "c"]
            .iter()
            .map(|n| tracks::add_track(&mut song, NewTrack::new(*n, TrackType::Midi)).unwrap())
            .collect();
        (song, ids)
    }

    #[test]
    fn every_track_is_audible_without_mute_or_solo() {
        let (song, ids) = three_tracks();
        assert_eq!(audible_tracks(&song), ids);
    }

    #[test]
    fn solo_silences_the_others_and_mute_beats_solo() {
        let (mut song, ids) = three_tracks();
        tracks::set_solo(&mut song, &ids[1], true).unwrap();
        assert_eq!(audible_tracks(&song), vec![ids[1].clone()]);
        tracks::set_solo(&mut song, &ids[2], true).unwrap();
        tracks::set_mute(&mut song, &ids[2], true).unwrap();
        assert_eq!(audible_tracks(&song), vec![ids[1].clone()]);
        tracks::set_mute(&mut song, &ids[0], true).unwrap();
        tracks::set_solo(&mut song, &ids[1], false).unwrap();
        tracks::set_solo(&mut song, &ids[2], false).unwrap();
        assert_eq!(audible_tracks(&song), vec![ids[1].clone()]);
        assert!(song.mixer_state.channel_for_track(&ids[0]).unwrap().mute);
        set_master_mute(&mut song, true);
        assert!(audible_tracks(&song).is_empty());
    }

    #[test]
    fn faders_take_decibels_in_range_only() {
        let (mut song, ids) = three_tracks();
        set_fader(&mut song, &ids[0], -6.0).unwrap();
        assert_eq!(
            song.mixer_state.channel_for_track(&ids[0]).unwrap().fader,
            -6.0
        );
        let err = set_fader(&mut song, &ids[0], 13.0).unwrap_err();
        assert_eq!(err.code(), "OUT_OF_RANGE");
        assert_eq!(
            set_fader(&mut song, &Id::generate(), 0.0)
                .unwrap_err()
                .code(),
            "TRACK_NOT_FOUND"
        );
        assert!(set_master_fader(&mut song, f64::NAN).is_err());
        set_master_fader(&mut song, 3.0).unwrap();
        assert!(set_master_limiter(&mut song, true, 1.0).is_err());
        assert!((db_to_gain(-6.0) - 0.501).abs() < 1e-3);
        assert_eq!(db_to_gain(-60.0), 0.0);
        song.validate().unwrap();
    }

    #[test]
    fn a_missing_channel_is_created_following_the_track() {
        let (mut song, ids) = three_tracks();
        tracks::set_pan(&mut song, &ids[0], -0.5).unwrap();
        song.mixer_state.channels.clear();
        set_input_gain(&mut song, &ids[0], 2.0).unwrap();
        let channel = song.mixer_state.channel_for_track(&ids[0]).unwrap();
        assert_eq!((channel.pan, channel.input_gain), (-0.5, 2.0));
    }
}
