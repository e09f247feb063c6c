//! The mixer's part of the sound: which tracks are heard, each track's channel strip, the
//! equal-power balance pan law and the master gain (sound.md §1.7, §1.8, §5.2, §5.4, with B5
//! fixed: the stored values, solo implemented).

use sonic_model::{Composition, Track, MIN_DB};

use crate::dsp::db_to_gain;

/// A fader in dB as a gain; the floor (-60 dB) is silence, as Sonic's mixer says.
pub(crate) fn fader_gain(db: f64) -> f64 {
    if db <= MIN_DB {
        0.0
    } else {
        db_to_gain(db)
    }
}

/// The indices of the tracks that are heard, in track order: a muted track (or channel) never
/// is; when any track is soloed only soloed tracks are; a muted master silences everything.
/// (The same rule as `sonic_daw::mixer::audible_tracks`.)
pub(crate) fn audible_tracks(composition: &Composition) -> Vec<usize> {
    if composition.mixer_state.master.mute {
        return Vec::new();
    }
    let channel = |t: &Track| composition.mixer_state.channel_for_track(&t.id);
    let muted = |t: &Track| t.is_muted || channel(t).is_some_and(|c| c.mute);
    let soloed = |t: &Track| t.is_solo || channel(t).is_some_and(|c| c.solo);
    let any_solo = composition.tracks.iter().any(soloed);
    composition
        .tracks
        .iter()
        .enumerate()
        .filter(|(_, t)| !muted(t) && (!any_solo || soloed(t)))
        .map(|(i, _)| i)
        .collect()
}

/// The equal-power balance of sound.md §5.2: L·sin((1 − pan)·π/4), R·sin((1 + pan)·π/4), so
/// both sides are ×0.7071 at the centre and pan −1 leaves only the left.
pub(crate) fn pan_gains(pan: f64) -> (f64, f64) {
    let pan = pan.clamp(-1.0, 1.0);
    let quarter = std::f64::consts::FRAC_PI_4;
    (((1.0 - pan) * quarter).sin(), ((1.0 + pan) * quarter).sin())
}

/// A track's channel strip: a gain before the inserts (the channel's input gain and
/// polarity) and one per side after them (volume, channel fader, pan).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Strip {
    /// Input gain × polarity, before the inserts.
    pub input: f32,
    /// Left gain after the inserts.
    pub left: f32,
    /// Right gain after the inserts.
    pub right: f32,
}

impl Strip {
    /// The strip of `track`: its volume (linear) and pan, and its mixer channel's input gain,
    /// polarity and fader (dB) when it has one.
    pub(crate) fn of(composition: &Composition, track: &Track) -> Self {
        let channel = composition.mixer_state.channel_for_track(&track.id);
        let input = channel.map_or(1.0, |c| {
            let polarity = if c.phase_invert { -1.0 } else { 1.0 };
            fader_gain(c.input_gain) * polarity
        });
        let fader = channel.map_or(1.0, |c| fader_gain(c.fader));
        let (l, r) = pan_gains(track.pan);
        let level = track.volume * fader;
        Strip {
            input: input as f32,
            left: (level * l) as f32,
            right: (level * r) as f32,
        }
    }
}

/// The master gain: 10^(fader / 20), 0 when muted or at the floor.
pub(crate) fn master_gain(composition: &Composition) -> f32 {
    let master = &composition.mixer_state.master;
    if master.mute {
        0.0
    } else {
        fader_gain(master.fader) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sonic_model::{MixerChannel, TrackType};

    fn song(names: &[&str]) -> Composition {
        let mut song = Composition::new("mix");
        for n in names {
            let t = Track::new(song.id.clone(), *n, TrackType::Midi);
            song.tracks.push(t);
        }
        song
    }

    #[test]
    fn solo_plays_only_soloed_tracks_and_mute_wins() {
        let mut s = song(&["a", "b", "c"]);
        assert_eq!(audible_tracks(&s), [0, 1, 2]);
        s.tracks[1].is_solo = true;
        assert_eq!(audible_tracks(&s), [1]);
        s.tracks[2].is_solo = true;
        s.tracks[2].is_muted = true;
        assert_eq!(audible_tracks(&s), [1]);
        let mut channel = MixerChannel::for_track(s.tracks[1].id.clone(), "b");
        channel.mute = true;
        s.mixer_state.channels.push(channel);
        assert!(audible_tracks(&s).is_empty());
        s.mixer_state.channels.clear();
        s.mixer_state.master.mute = true;
        assert!(audible_tracks(&s).is_empty());
        assert_eq!(master_gain(&s), 0.0);
    }

    #[test]
    fn the_pan_law_is_minus_3_db_in_the_centre_and_hard_at_the_sides() {
        let (l, r) = pan_gains(0.0);
        assert!((l - 0.5f64.sqrt()).abs() < 1e-12 && (r - l).abs() < 1e-12);
        let (l, r) = pan_gains(-1.0);
        assert!((l - 1.0).abs() < 1e-12 && r.abs() < 1e-12);
        let (l, r) = pan_gains(0.5);
        assert!((l * l + r * r - 1.0).abs() < 1e-12, "equal power");
    }

    #[test]
    fn the_strip_multiplies_volume_fader_and_pan_and_inverts_polarity() {
        let mut s = song(&["a"]);
        s.tracks[0].volume = 0.5;
        let mut channel = MixerChannel::for_track(s.tracks[0].id.clone(), "a");
        channel.fader = -6.0;
        channel.phase_invert = true;
        channel.input_gain = 6.0;
        s.mixer_state.channels.push(channel);
        let strip = Strip::of(&s, &s.tracks[0]);
        let expected = 0.5 * db_to_gain(-6.0) * 0.5f64.sqrt();
        assert!((f64::from(strip.left) - expected).abs() < 1e-6);
        assert!((f64::from(strip.input) + db_to_gain(6.0)).abs() < 1e-6);
        s.mixer_state.channels[0].fader = MIN_DB;
        assert_eq!(Strip::of(&s, &s.tracks[0]).left, 0.0);
    }
}
