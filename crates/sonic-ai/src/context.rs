//! A compact, deterministic text rendering of a composition for an LLM prompt: settings,
//! tracks with their mixer and effects, clips with note summaries, and sample analyses.
//! The same composition always renders to the same text.

use std::collections::BTreeMap;
use std::fmt::Write;

use sonic_daw::mixer;
use sonic_model::{Clip, Composition, Id, SampleAnalysis, Track, TrackType};

/// How much detail the context carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextOptions {
    /// Notes listed per clip (the rest are summarised); default 16.
    pub max_notes_per_clip: usize,
}

impl Default for ContextOptions {
    fn default() -> Self {
        ContextOptions {
            max_notes_per_clip: 16,
        }
    }
}

/// A number with at most three decimals and no trailing zeros (`2`, `0.5`, `1.333`).
fn num(value: f64) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

/// Renders `composition` for a model. `samples` holds the analyses of library samples the
/// caller has (by sample id); audio clips and tracks that use one get its summary.
pub fn build_context(
    composition: &Composition,
    samples: &BTreeMap<Id, SampleAnalysis>,
    options: &ContextOptions,
) -> String {
    let c = composition;
    let mut out = String::new();
    let state = if c.is_playing { "playing" } else { "stopped" };
    let looping = if c.loop_enabled { "on" } else { "off" };
    let _ = writeln!(
        out,
        "Composition \"{}\" (id {}): {} BPM, {}, loop {looping} {}-{} beats, playhead {} ({state})",
        c.name,
        c.id,
        num(c.tempo),
        c.time_signature,
        num(c.loop_start),
        num(c.loop_end),
        num(c.current_position),
    );
    let audible = mixer::audible_tracks(c);
    let master = &c.mixer_state.master;
    let _ = writeln!(
        out,
        "Master: fader {} dB{}{}",
        num(master.fader),
        if master.mute { ", muted" } else { "" },
        if master.limiter_enabled {
            format!(", limiter at {} dB", num(master.limiter_threshold))
        } else {
            String::new()
        },
    );
    let _ = writeln!(out, "Tracks ({}):", c.tracks.len());
    for (i, track) in c.tracks.iter().enumerate() {
        render_track(&mut out, c, i, track, audible.contains(&track.id));
        for clip in c.clips.iter().filter(|clip| clip.track_id == track.id) {
            render_clip(&mut out, clip, samples, options);
        }
        if let Some(sample) = track.sample_id.as_ref().and_then(|s| samples.get(s)) {
            let _ = writeln!(out, "   sample: {}", sample.summary);
        }
    }
    out
}

fn render_track(out: &mut String, c: &Composition, index: usize, track: &Track, audible: bool) {
    let mut line = format!(
        "{}. \"{}\" (id {}) {}",
        index + 1,
        track.name,
        track.id,
        track.track_type.as_str()
    );
    if let Some(instrument) = &track.instrument {
        let _ = write!(line, ", instrument {instrument}");
    }
    if let Some(kit) = &track.kit_id {
        let _ = write!(line, ", drum kit {kit}");
    }
    let _ = write!(
        line,
        ", volume {}, pan {}",
        num(track.volume),
        num(track.pan)
    );
    if let Some(channel) = c.mixer_state.channel_for_track(&track.id) {
        let _ = write!(line, ", fader {} dB", num(channel.fader));
    }
    if track.is_muted {
        line.push_str(", muted");
    }
    if track.is_solo {
        line.push_str(", solo");
    }
    if !audible {
        line.push_str(", silent");
    }
    let _ = writeln!(out, "{line}");
    let chain = sonic_daw::effects::chain(c, &track.id);
    for effect in chain {
        let params: Vec<String> = effect
            .parameters
            .iter()
            .filter(|(name, _)| name.as_str() != "bypass")
            .map(|(name, value)| format!("{name}={}", num(*value)))
            .collect();
        let _ = writeln!(
            out,
            "   effect slot {} {} (id {}){}: {}",
            effect.slot_index,
            effect.effect_name,
            effect.id,
            if effect.is_bypassed { " bypassed" } else { "" },
            params.join(" ")
        );
    }
}

fn render_clip(
    out: &mut String,
    clip: &Clip,
    samples: &BTreeMap<Id, SampleAnalysis>,
    options: &ContextOptions,
) {
    let mut line = format!(
        "   clip \"{}\" (id {}) beats {}-{}",
        clip.name,
        clip.id,
        num(clip.start_time),
        num(clip.end_time())
    );
    if clip.gain != 1.0 {
        let _ = write!(line, ", gain {}", num(clip.gain));
    }
    if clip.is_muted {
        line.push_str(", muted");
    }
    if clip.clip_type == TrackType::Midi {
        let notes = clip.notes();
        let _ = write!(line, ", {} notes", notes.len());
        if let (Some(low), Some(high)) = (
            notes.iter().map(|n| n.note).min(),
            notes.iter().map(|n| n.note).max(),
        ) {
            let velocities = (
                notes.iter().map(|n| n.velocity).min().unwrap_or(0),
                notes.iter().map(|n| n.velocity).max().unwrap_or(0),
            );
            let _ = write!(
                line,
                " {}-{} (n {low}-{high}), velocity {}-{}",
                sonic_model::note_name(low),
                sonic_model::note_name(high),
                velocities.0,
                velocities.1
            );
        }
        let _ = writeln!(out, "{line}");
        if !notes.is_empty() && options.max_notes_per_clip > 0 {
            let shown: Vec<String> = notes
                .iter()
                .take(options.max_notes_per_clip)
                .map(|n| {
                    format!(
                        "{},{},{},{}",
                        n.note,
                        num(n.start_time),
                        num(n.duration),
                        n.velocity
                    )
                })
                .collect();
            let more = notes.len().saturating_sub(options.max_notes_per_clip);
            let tail = if more > 0 {
                format!(" (+{more} more)")
            } else {
                String::new()
            };
            let _ = writeln!(out, "     notes n,s,d,v: {}{tail}", shown.join(" "));
        }
    } else {
        if let Some(sample) = &clip.sample_id {
            let _ = write!(line, ", sample {sample}");
        }
        let _ = writeln!(out, "{line}");
        if let Some(analysis) = clip.sample_id.as_ref().and_then(|s| samples.get(s)) {
            let _ = writeln!(out, "     sample: {}", analysis.summary);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sonic_daw::{clips, effects, tracks};
    use sonic_model::MidiNote;

    fn song() -> Composition {
        let mut song = Composition::new("Night drive");
        song.id = Id::parse("song-1").unwrap();
        let mut new = tracks::NewTrack::new("Bass", TrackType::Midi);
        new.id = Some(Id::parse("bass").unwrap());
        new.instrument = Some("sine".into());
        let bass = tracks::add_track(&mut song, new).unwrap();
        let notes = (0..20)
            .map(|i| MidiNote::new(40 + (i % 5) as u8, i as f64 * 0.5, 0.5, 90 + i as u8))
            .collect();
        clips::add_midi_clip(
            &mut song,
            clips::NewMidiClip {
                id: Some(Id::parse("riff").unwrap()),
                track_id: bass.clone(),
                name: Some("Riff".into()),
                start_time: 0.0,
                duration: 10.0,
                notes,
            },
        )
        .unwrap();
        effects::add_effect(
            &mut song,
            effects::NewEffect {
                id: Some(Id::parse("fx1").unwrap()),
                track_id: bass.clone(),
                effect_name: "lpf".into(),
                slot_index: None,
                display_name: None,
                parameters: Default::default(),
            },
        )
        .unwrap();
        tracks::set_mute(&mut song, &bass, true).unwrap();
        song
    }

    #[test]
    fn the_context_names_tracks_clips_notes_and_effects() {
        let text = build_context(&song(), &BTreeMap::new(), &ContextOptions::default());
        let expected_lines = [
            "Composition \"Night drive\" (id song-1): 120 BPM, 4/4, loop off 0-16 beats, playhead 0 (stopped)",
            "1. \"Bass\" (id bass) midi, instrument sine, volume 1, pan 0, fader 0 dB, muted, silent",
            "   effect slot 0 lpf (id fx1): cutoff=2000 resonance=0.5",
            "   clip \"Riff\" (id riff) beats 0-10, 20 notes E2-G#2 (n 40-44), velocity 90-109",
        ];
        for line in expected_lines {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in\n{text}"
            );
        }
        assert!(text.contains("40,0,0.5,90 41,0.5,0.5,91"));
        assert!(text.contains("(+4 more)"));
    }

    fn analysis(summary: &str) -> SampleAnalysis {
        let value = serde_json::json!({
            "spectral": {"centroid": 1500.0, "rolloff": 4000.0, "flux": 0.1, "flatness": 0.2,
                "bandwidth": 900.0, "sub_bass": 0.1, "bass": 0.3, "low_mid": 0.2, "mid": 0.2,
                "high_mid": 0.1, "high": 0.1},
            "temporal": {"duration": 2.0, "attack": 0.01, "decay": 0.2, "sustain_level": 0.5,
                "release": 0.3, "is_percussive": false, "is_sustained": true,
                "transient_strength": 0.2, "zcr_mean": 0.05, "zcr_std": 0.01},
            "pitch": {"has_pitch": true, "fundamental_freq": 220.0, "midi_note": 57,
                "pitch_confidence": 0.9, "harmonicity": 0.8},
            "timbre": {"brightness": 0.4, "warmth": 0.6, "roughness": 0.1, "fullness": 0.5,
                "tags": ["warm"]},
            "rms_db": -18.0, "peak_db": -3.0, "tempo_bpm": null, "onset_count": 1,
            "key": "A minor", "loudness_lufs": -20.0,
            "waveform": {"min": [], "max": []},
            "summary": summary,
        });
        serde_json::from_value(value).expect("a complete analysis")
    }

    #[test]
    fn tracks_and_audio_clips_get_the_summary_of_their_sample() {
        let mut song = song();
        let mut new = tracks::NewTrack::new("Vox", TrackType::Audio);
        new.id = Some(Id::parse("vox").unwrap());
        let vox = tracks::add_track(&mut song, new).unwrap();
        song.tracks[1].sample_id = Some(Id::parse("hum").unwrap());
        for (clip, sample) in [("take", "breath"), ("unknown", "not-analysed")] {
            clips::add_audio_clip(
                &mut song,
                clips::NewAudioClip {
                    id: Some(Id::parse(clip).unwrap()),
                    track_id: vox.clone(),
                    name: Some(clip.into()),
                    start_time: 0.0,
                    duration: 2.0,
                    sample_id: Id::parse(sample).unwrap(),
                    audio_file_path: None,
                },
            )
            .unwrap();
        }
        let samples = BTreeMap::from([
            (
                Id::parse("breath").unwrap(),
                analysis("A soft breathy vocal, A3."),
            ),
            (Id::parse("hum").unwrap(), analysis("A warm hum.")),
            (Id::parse("unused").unwrap(), analysis("Never shown.")),
        ]);
        let text = build_context(&song, &samples, &ContextOptions::default());
        let lines: Vec<&str> = text.lines().skip_while(|l| !l.starts_with("2. ")).collect();
        assert_eq!(
            lines,
            [
                "2. \"Vox\" (id vox) audio, volume 1, pan 0, fader 0 dB",
                "   clip \"take\" (id take) beats 0-2, sample breath",
                "     sample: A soft breathy vocal, A3.",
                "   clip \"unknown\" (id unknown) beats 0-2, sample not-analysed",
                "   sample: A warm hum.",
            ],
            "{text}"
        );
        assert!(!text.contains("Never shown."));
    }

    #[test]
    fn the_same_composition_always_renders_the_same_text() {
        let song = song();
        let a = build_context(&song, &BTreeMap::new(), &ContextOptions::default());
        let b = build_context(&song.clone(), &BTreeMap::new(), &ContextOptions::default());
        assert_eq!(a, b);
        assert_eq!(num(1.0 / 3.0), "0.333");
        assert_eq!(num(-0.0001), "0");
    }
}
