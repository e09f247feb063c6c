//! The engine's sound, measured on rendered audio: pitch through the analyzer, onsets, the
//! original's first-beat bug fixed, and the mixer (mute, solo, pan, volume, faders).

use sonic_model::MixerChannel;
use sonic_render::testing::{self, Measure};
use sonic_render::{RenderRange, RenderSettings};

/// A song with one sine track holding `note` for two beats at 120 BPM.
fn sine_song(note: u8) -> sonic_model::Composition {
    let mut song = testing::song(120.0);
    let track = testing::add_track(&mut song, "sine");
    testing::add_clip(&mut song, &track, 0.0, 4.0, &[(note, 0.0, 2.0, 100)]);
    song
}

#[test]
fn a_sine_plays_a4_and_c3_within_one_percent_at_every_rate() {
    for rate in [48_000, 44_100, 96_000] {
        for (note, hz) in [(69, 440.0), (48, 130.813)] {
            let settings = RenderSettings {
                sample_rate: rate,
                threads: 1,
                ..RenderSettings::default()
            };
            let played = testing::render_with(&sine_song(note), &settings);
            let f0 = testing::pitch_hz(&played.left, rate).expect("pitched");
            assert!((f0 / hz - 1.0).abs() < 0.01, "{rate} Hz, note {note}: {f0}");
        }
    }
}

#[test]
fn kick808_hits_start_within_5_ms_of_their_beats() {
    let mut song = testing::song(120.0);
    let kit = testing::add_kit_track(&mut song, "808-core");
    let beats = [0.0, 1.0, 2.0, 2.75, 3.5];
    let hits: Vec<_> = beats.iter().map(|&b| (36, b, 0.25, 110)).collect();
    testing::add_clip(&mut song, &kit, 0.0, 4.0, &hits);
    let played = testing::render(&song);
    let found = testing::onsets(&played.left, played.rate);
    assert_eq!(found.len(), beats.len(), "{found:?}");
    for (beat, at) in beats.iter().zip(&found) {
        let want = beat * 0.5;
        assert!((at - want).abs() < 0.005, "beat {beat}: onset at {at} s");
    }
}

#[test]
fn notes_on_a_clips_first_beat_sound() {
    // The original dropped them (sound.md B1): here a clip at beat 4 whose only note is on
    // its first beat sounds from 2.0 s.
    let mut song = testing::song(120.0);
    let track = testing::add_track(&mut song, "sine");
    testing::add_clip(&mut song, &track, 4.0, 2.0, &[(69, 0.0, 1.0, 100)]);
    let played = testing::render(&song);
    let rate = f64::from(played.rate);
    assert_eq!(played.left[..(2.0 * rate) as usize].peak(), 0.0);
    let note = &played.left[(2.0 * rate) as usize..(2.5 * rate) as usize];
    assert!(note.rms_db() > -12.0, "{}", note.rms_db());
    let onset = testing::onsets(&played.left, played.rate);
    assert!((onset[0] - 2.0).abs() < 0.002, "{onset:?}");
}

/// Two tracks, an A4 sine and a C5 sine, for the mixer tests.
fn two_tracks() -> sonic_model::Composition {
    let mut song = testing::song(120.0);
    let a = testing::add_track(&mut song, "sine");
    testing::add_clip(&mut song, &a, 0.0, 4.0, &[(69, 0.0, 4.0, 100)]);
    let c = testing::add_track(&mut song, "sine");
    testing::add_clip(&mut song, &c, 0.0, 4.0, &[(72, 0.0, 4.0, 100)]);
    song
}

/// The level at `hz` of a signal (its projection on a sine and a cosine there), dB. Over the
/// one-second windows below, a full-scale tone 80 Hz away leaks about −54 dB into it, so
/// "absent" is under −40 dB and "present" over −20 dB.
fn level_at(x: &[f32], rate: u32, hz: f64) -> f64 {
    let (mut c, mut s) = (0.0, 0.0);
    for (n, &v) in x.iter().enumerate() {
        let w = std::f64::consts::TAU * hz * n as f64 / f64::from(rate);
        c += f64::from(v) * w.cos();
        s += f64::from(v) * w.sin();
    }
    testing::db(2.0 * (c * c + s * s).sqrt() / x.len() as f64)
}

/// The held part of a render (0.5 s to 1.5 s).
fn held(x: &[f32]) -> &[f32] {
    &x[24_000..72_000]
}

#[test]
fn a_muted_track_is_absent_and_solo_plays_only_the_soloed_track() {
    let both = testing::render(&two_tracks());
    let (a4, c5) = (440.0, testing::note_hz(72));
    let rate = both.rate;
    assert!(level_at(held(&both.left), rate, a4) > -20.0);
    assert!(level_at(held(&both.left), rate, c5) > -20.0);

    let mut muted = two_tracks();
    muted.tracks[1].is_muted = true;
    let played = testing::render(&muted);
    assert!(level_at(held(&played.left), rate, a4) > -20.0);
    assert!(
        level_at(held(&played.left), rate, c5) < -40.0,
        "the muted C5 is absent"
    );

    let mut solo = two_tracks();
    solo.tracks[1].is_solo = true;
    let played = testing::render(&solo);
    assert!(
        level_at(held(&played.left), rate, a4) < -40.0,
        "only the soloed track plays"
    );
    assert!(level_at(held(&played.left), rate, c5) > -20.0);

    // Mute wins over solo: soloed and muted, nothing plays.
    solo.tracks[1].is_muted = true;
    assert_eq!(testing::render(&solo).left.peak(), 0.0);
}

#[test]
fn pan_hard_left_silences_the_right_and_centre_is_minus_3_db() {
    let mut song = sine_song(69);
    let centre = testing::render(&song);
    song.tracks[0].pan = -1.0;
    let left = testing::render(&song);
    assert_eq!(left.right.peak(), 0.0);
    let gain = held(&left.left).rms_db() - held(&centre.left).rms_db();
    assert!((gain - 3.01).abs() < 0.01, "{gain}");
}

#[test]
fn volume_half_is_minus_6_db_and_faders_are_in_db() {
    let mut song = sine_song(69);
    let unity = held(&testing::render(&song).left).rms_db();
    song.tracks[0].volume = 0.5;
    let half = held(&testing::render(&song).left).rms_db();
    assert!((half - unity + 6.02).abs() < 0.01, "{}", half - unity);

    song.tracks[0].volume = 1.0;
    let mut channel = MixerChannel::for_track(song.tracks[0].id.clone(), "sine");
    channel.fader = -12.0;
    song.mixer_state.channels.push(channel);
    let fader = held(&testing::render(&song).left).rms_db();
    assert!((fader - unity + 12.0).abs() < 0.01);

    song.mixer_state.channels.clear();
    song.mixer_state.master.fader = 6.0;
    let master = held(&testing::render(&song).left).rms_db();
    assert!((master - unity - 6.0).abs() < 0.01);
    song.mixer_state.master.mute = true;
    assert_eq!(testing::render(&song).left.peak(), 0.0);
}

#[test]
fn a_beat_range_and_the_loop_region_render_their_part_only() {
    let mut song = testing::song(120.0);
    let track = testing::add_track(&mut song, "sine");
    // A4 in beats 0-2, C5 in beats 2-4 (released at 4), then the loop region 2-4.
    testing::add_clip(
        &mut song,
        &track,
        0.0,
        4.0,
        &[(69, 0.0, 2.0, 100), (72, 2.0, 2.0, 100)],
    );
    song.loop_start = 2.0;
    song.loop_end = 4.0;
    for range in [RenderRange::Beats { from: 2.0, to: 4.0 }, RenderRange::Loop] {
        let settings = RenderSettings {
            range,
            threads: 1,
            ..RenderSettings::default()
        };
        let played = testing::render_with(&song, &settings);
        assert_eq!(played.report.range_frames, 48_000);
        assert_eq!((played.report.from_beat, played.report.to_beat), (2.0, 4.0));
        let body = &played.left[..48_000];
        assert!(
            level_at(body, played.rate, 440.0) < -40.0,
            "the A4 before the range"
        );
        assert!(level_at(body, played.rate, testing::note_hz(72)) > -20.0);
        // The C5's 0.1 s release after the range's end is the tail.
        let tail = played.report.tail_frames as f64 / 48_000.0;
        assert!((0.09..0.12).contains(&tail), "{tail}");
    }
}
