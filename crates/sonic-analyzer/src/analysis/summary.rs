//! The one-paragraph, plain-English description of a sample that an LLM reads.

use sonic_model::{note_name, SampleAnalysis};

use super::loudness::SILENCE_DB;

/// Describes `a` in a few sentences: what kind of sound, its pitch or noisiness, envelope,
/// spectrum, rhythm, key and level.
pub(crate) fn describe(a: &SampleAnalysis) -> String {
    let t = &a.temporal;
    if a.peak_db <= SILENCE_DB {
        return format!("{:.2} s of silence.", t.duration);
    }
    let mut s = Vec::new();

    let kind = match (t.is_percussive, t.is_sustained) {
        (true, _) => "percussive",
        (false, true) => "sustained",
        (false, false) => "evolving",
    };
    let tone = if a.pitch.has_pitch {
        "pitched"
    } else if a.spectral.flatness >= 0.3 {
        "noise-like"
    } else {
        "unpitched"
    };
    s.push(format!("A {:.2} s {kind}, {tone} sound.", t.duration));

    if let (true, Some(note)) = (a.pitch.has_pitch, a.pitch.midi_note) {
        s.push(format!(
            "Its fundamental is {:.1} Hz ({}, MIDI {note}), confidence {:.2}.",
            a.pitch.fundamental_freq,
            note_name(note),
            a.pitch.pitch_confidence
        ));
    }
    s.push(format!(
        "Attack {:.0} ms, sustain at {:.0} % of the peak, release {:.0} ms.",
        t.attack * 1000.0,
        t.sustain_level * 100.0,
        t.release * 1000.0
    ));

    let sp = &a.spectral;
    let bands = [
        ("sub-bass", sp.sub_bass),
        ("bass", sp.bass),
        ("low mids", sp.low_mid),
        ("mids", sp.mid),
        ("high mids", sp.high_mid),
        ("highs", sp.high),
    ];
    let (band, share) = bands
        .iter()
        .copied()
        .fold(("", -1.0), |best, b| if b.1 > best.1 { b } else { best });
    s.push(format!(
        "Most energy sits in the {band} ({:.0} %); spectral centroid {:.0} Hz.",
        share * 100.0,
        sp.centroid
    ));
    if !a.timbre.tags.is_empty() {
        s.push(format!("Character: {}.", a.timbre.tags.join(", ")));
    }

    match a.tempo_bpm {
        Some(bpm) => s.push(format!(
            "Rhythmic: about {bpm:.0} BPM over {} onsets.",
            a.onset_count
        )),
        None if a.onset_count > 1 => s.push(format!("{} onsets, no steady tempo.", a.onset_count)),
        None => {}
    }
    if let Some(key) = &a.key {
        s.push(format!("Key estimate: {key}."));
    }
    let loudness = a
        .loudness_lufs
        .map(|l| format!("{l:.1} LUFS, "))
        .unwrap_or_default();
    s.push(format!(
        "Level: {loudness}peak {:.1} dBFS, RMS {:.1} dBFS.",
        a.peak_db, a.rms_db
    ));
    s.join(" ")
}
