use std::collections::{BTreeMap, BTreeSet};

use sonic_model::{Clip, Composition, DrumPad, MidiNote, Track, TrackType};

use super::*;

fn song_with(notes: Vec<MidiNote>, clip_start: f64, clip_len: f64) -> (Composition, usize) {
    let mut song = Composition::new("schedule");
    let mut track = Track::new(song.id.clone(), "t", TrackType::Midi);
    track.instrument = Some("sine".into());
    song.clips.push(Clip::midi(
        track.id.clone(),
        "c",
        clip_start,
        clip_len,
        notes,
    ));
    song.tracks.push(track);
    (song, 0)
}

fn notes_in(song: &Composition, from: f64, to: f64) -> Vec<ScheduledNote> {
    let mut missing = BTreeSet::new();
    let notes = track_notes(song, &song.tracks[0], from, to, &mut missing);
    assert!(missing.is_empty(), "{missing:?}");
    notes
}

fn starts(notes: &[ScheduledNote]) -> Vec<(f64, f64)> {
    notes.iter().map(|n| (n.start, n.end)).collect()
}

#[test]
fn quantize_moves_starts_towards_the_quarter_beat_grid_with_ties_to_even() {
    let mut clip = Clip::midi(sonic_model::Id::generate(), "c", 0.0, 4.0, vec![]);
    clip.midi_quantize_strength = 100;
    let at = |clip: &Clip, s: f64| transform(clip, &MidiNote::new(60, s, 1.0, 100)).start;
    assert_eq!(at(&clip, 0.1), 0.0);
    assert_eq!(
        at(&clip, 0.125),
        0.0,
        "1/8 tie goes to the even grid point 0"
    );
    assert_eq!(at(&clip, 0.375), 0.5, "1.5 quarter steps round to 2");
    clip.midi_quantize_strength = 50;
    assert!((at(&clip, 0.2) - 0.225).abs() < 1e-12);
    // Only starts move.
    assert_eq!(
        transform(&clip, &MidiNote::new(60, 0.2, 0.3, 1)).duration,
        0.3
    );
}

#[test]
fn offset_transpose_velocity_and_gate_are_applied_and_clamped() {
    let mut clip = Clip::midi(sonic_model::Id::generate(), "c", 0.0, 4.0, vec![]);
    clip.midi_timing_offset = -0.5;
    clip.midi_transpose = 24;
    clip.midi_velocity_offset = -64;
    clip.midi_gate = 2.0;
    let t = transform(&clip, &MidiNote::new(120, 0.25, 0.5, 10));
    assert_eq!(t.start, 0.0, "not before the clip's start");
    assert_eq!(t.note, 127);
    assert_eq!(t.velocity, 1);
    assert_eq!(t.duration, 1.0);
    clip.midi_velocity_offset = 0;
    assert_eq!(
        transform(&clip, &MidiNote::new(60, 0.0, 1.0, 0)).velocity,
        1
    );
}

#[test]
fn first_beat_notes_play_and_a_range_drops_only_notes_before_it() {
    let notes = vec![
        MidiNote::new(60, 0.0, 1.0, 100),
        MidiNote::new(62, 1.0, 1.0, 100),
        MidiNote::new(64, 2.0, 1.0, 100),
    ];
    let (song, _) = song_with(notes, 4.0, 4.0);
    assert_eq!(
        starts(&notes_in(&song, 0.0, 100.0)),
        [(4.0, 5.0), (5.0, 6.0), (6.0, 7.0)],
        "B1: the note on the clip's first beat plays"
    );
    // A range entering the clip at its second beat: that beat's note plays, the first not.
    assert_eq!(
        starts(&notes_in(&song, 5.0, 100.0)),
        [(5.0, 6.0), (6.0, 7.0)]
    );
    // The range's end: no note starts at or after it, held ones are released there.
    assert_eq!(starts(&notes_in(&song, 0.0, 5.5)), [(4.0, 5.0), (5.0, 5.5)]);
}

#[test]
fn a_clip_is_a_window_over_its_notes() {
    let notes = vec![
        MidiNote::new(60, 3.0, 2.0, 100),
        MidiNote::new(62, 4.0, 1.0, 100),
        MidiNote::new(64, 6.0, 1.0, 100),
    ];
    let (mut song, _) = song_with(notes, 0.0, 4.0);
    // B7: a note crossing the end is released there; notes after it do not play.
    assert_eq!(starts(&notes_in(&song, 0.0, 100.0)), [(3.0, 4.0)]);
    song.clips[0].is_muted = true;
    assert!(notes_in(&song, 0.0, 100.0).is_empty());
}

#[test]
fn amp_is_velocity_times_0_8_times_clip_gain_and_seeds_differ_per_note() {
    let notes = vec![
        MidiNote::new(69, 0.0, 1.0, 127),
        MidiNote::new(69, 1.0, 1.0, 127),
    ];
    let (mut song, _) = song_with(notes, 0.0, 4.0);
    song.clips[0].gain = 0.5;
    let played = notes_in(&song, 0.0, 4.0);
    assert!((played[0].amp - 0.4).abs() < 1e-6);
    assert_eq!(played[0].freq, 440.0);
    assert_ne!(played[0].seed, played[1].seed);
}

/// A kit pad for a test: (note, synthdef, params).
type TestPad<'a> = (&'a str, &'a str, &'a [(&'a str, f64)]);

fn kit_track(pads: &[TestPad]) -> Composition {
    let (mut song, _) = song_with(
        vec![
            MidiNote::new(36, 0.0, 0.5, 100),
            MidiNote::new(38, 1.0, 0.5, 100),
            MidiNote::new(50, 2.0, 0.5, 100),
        ],
        0.0,
        4.0,
    );
    let kit: BTreeMap<String, DrumPad> = pads
        .iter()
        .map(|(note, synthdef, params)| {
            let params = params.iter().map(|(k, v)| (k.to_string(), *v)).collect();
            (
                note.to_string(),
                DrumPad {
                    synthdef: synthdef.to_string(),
                    params,
                },
            )
        })
        .collect();
    song.tracks[0].kit = Some(kit);
    song.tracks[0].instrument = None;
    song
}

#[test]
fn drum_pads_keep_their_own_frequency_unless_the_pad_sets_one() {
    let song = kit_track(&[
        ("36", "kick808", &[("freq", 52.0), ("decay", 0.85)]),
        ("38", "kick808", &[("decay", 0.3), ("noise", 0.5)]),
    ]);
    let mut missing = BTreeSet::new();
    let played = track_notes(&song, &song.tracks[0], 0.0, 4.0, &mut missing);
    assert_eq!(played[0].spec.name, "kick808");
    assert_eq!(played[0].freq, 52.0);
    // B8: no freq on the pad -> the SynthDef's 60 Hz, not note 38's 73.4 Hz.
    assert_eq!(played[1].freq, 60.0);
    let decay = |n: &ScheduledNote| {
        crate::voice::NoteOn::new(n.spec, n.freq, n.amp, 0)
            .with_params(n.params)
            .param("decay")
    };
    assert_eq!((decay(&played[0]), decay(&played[1])), (0.85, 0.3));
    // A note without a pad plays the track's instrument, here none: sine.
    assert_eq!(played[2].spec.name, "sine");
    assert!((played[2].freq - note_freq(50)).abs() < 1e-9);
    assert!(missing.is_empty());
}

#[test]
fn a_drum_voice_as_the_instrument_follows_the_note() {
    let (mut song, _) = song_with(vec![MidiNote::new(45, 0.0, 1.0, 100)], 0.0, 4.0);
    song.tracks[0].instrument = Some("kick808".into());
    assert_eq!(notes_in(&song, 0.0, 4.0)[0].freq, 110.0);
}

#[test]
fn voices_the_engine_lacks_are_named_and_skipped() {
    let song = kit_track(&[("36", "no-such-voice", &[])]);
    let mut missing = BTreeSet::new();
    let played = track_notes(&song, &song.tracks[0], 0.0, 4.0, &mut missing);
    assert_eq!(played.len(), 2);
    assert_eq!(missing.into_iter().collect::<Vec<_>>(), ["no-such-voice"]);
}
