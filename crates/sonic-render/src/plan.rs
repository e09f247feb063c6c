//! Planning a track: its scheduled notes become events on exact frames, its voices are built
//! into pools as large as the track's largest polyphony per voice, its insert chain, strip and
//! audio clips are prepared. All the allocation of a render happens here.

use std::collections::BTreeSet;

use sonic_model::{Composition, Track, TrackType};

use crate::clips::{ClipAudio, ClipPlacement, PlannedClip};
use crate::dsp::BLOCK;
use crate::effects::chain::{InsertChain, Lookup};
use crate::mixer::Strip;
use crate::schedule::{self, ScheduledNote};
use crate::track::{Event, EventKind, PlannedNote, Pool, TrackRender};
use crate::voice::{NoteOn, VoiceSetup, VoiceSpec};
use crate::Result;

/// What every track of one render shares.
pub(crate) struct PlanContext<'a> {
    pub composition: &'a Composition,
    pub rate: u32,
    /// The range, beats.
    pub from: f64,
    pub to: f64,
    pub effects: Lookup,
    pub clips: Option<&'a dyn ClipAudio>,
}

/// What planning found that the engine cannot play (for the report).
#[derive(Debug, Default)]
pub(crate) struct Gaps {
    pub voices: BTreeSet<String>,
    pub effects: BTreeSet<String>,
    pub skipped_audio_clips: usize,
}

impl PlanContext<'_> {
    fn frames_per_beat(&self) -> f64 {
        60.0 / self.composition.tempo * f64::from(self.rate)
    }

    /// The frame of timeline beat `beat`, counted from the range's start.
    fn frame(&self, beat: f64) -> u64 {
        ((beat - self.from) * self.frames_per_beat())
            .round()
            .max(0.0) as u64
    }

    /// The range's length in frames.
    pub(crate) fn range_frames(&self) -> u64 {
        self.frame(self.to)
    }
}

/// A planned track and an estimate of its cost (voice-frames and bus work), for sharing
/// tracks between threads.
pub(crate) struct PlannedTrack {
    pub render: TrackRender,
    pub cost: f64,
}

/// Plans `track`.
pub(crate) fn plan_track(
    ctx: &PlanContext,
    track: &Track,
    gaps: &mut Gaps,
) -> Result<PlannedTrack> {
    let rate = f64::from(ctx.rate);
    let scheduled =
        schedule::track_notes(ctx.composition, track, ctx.from, ctx.to, &mut gaps.voices);

    let mut specs: Vec<&'static VoiceSpec> = Vec::new();
    let mut notes = Vec::with_capacity(scheduled.len());
    let mut events = Vec::with_capacity(2 * scheduled.len());
    let mut lifetimes: Vec<Vec<(u64, u64)>> = Vec::new();
    for (index, n) in scheduled.iter().enumerate() {
        let pool = match specs.iter().position(|s| std::ptr::eq(*s, n.spec)) {
            Some(p) => p,
            None => {
                specs.push(n.spec);
                lifetimes.push(Vec::new());
                specs.len() - 1
            }
        };
        let (on, off) = (ctx.frame(n.start), ctx.frame(n.end));
        let off = off.max(on);
        lifetimes[pool].push((on, on + lifetime_frames(n, off - on, rate)));
        let note = u32::try_from(index).expect("fewer than 4 billion notes on a track");
        events.push(Event {
            frame: on,
            kind: EventKind::On,
            note,
        });
        events.push(Event {
            frame: off,
            kind: EventKind::Off,
            note,
        });
        notes.push(PlannedNote {
            spec: n.spec,
            pool,
            params: n.params,
            freq: n.freq,
            amp: n.amp,
            seed: n.seed,
        });
    }
    events.sort_unstable();

    let setup = VoiceSetup { rate };
    let pools = specs
        .iter()
        .zip(&lifetimes)
        .map(|(spec, spans)| Pool {
            spec,
            idle: (0..polyphony(spans)).map(|_| (spec.new)(&setup)).collect(),
        })
        .collect();

    let effects = ctx
        .composition
        .track_effects
        .iter()
        .find(|c| c.track_id == track.id)
        .map_or(&[][..], |c| &c.effects[..]);
    let chain = InsertChain::build(effects, rate, ctx.effects, &mut gaps.effects);
    let clips = plan_clips(ctx, track, gaps)?;

    let voice_frames: u64 = lifetimes.iter().flatten().map(|(a, b)| b - a).sum();
    let bus_frames = ctx.range_frames() as f64 * (1.0 + effects.len() as f64) * 0.25;
    let render = TrackRender::new(
        rate,
        notes,
        events,
        pools,
        clips,
        chain,
        Strip::of(ctx.composition, track),
    );
    Ok(PlannedTrack {
        render,
        cost: voice_frames as f64 + bus_frames,
    })
}

/// How many frames note `n` may sound when its gate lasts `gate` frames: its amplitude
/// envelope's length, plus two blocks (a voice is freed at the end of the block it ends in).
fn lifetime_frames(n: &ScheduledNote, gate: u64, rate: f64) -> u64 {
    let on = NoteOn::new(n.spec, n.freq, n.amp, n.seed).with_params(n.params);
    let seconds = (n.spec.envelope)(&on).length(gate as f64 / rate);
    (seconds * rate).ceil() as u64 + 2 * BLOCK as u64
}

/// The most spans that overlap at any frame.
fn polyphony(spans: &[(u64, u64)]) -> usize {
    let mut edges: Vec<(u64, i32)> = spans
        .iter()
        .flat_map(|&(start, end)| [(start, 1), (end, -1)])
        .collect();
    // An end and a start at the same frame: the end first (the voice is free again).
    edges.sort_unstable();
    let mut now = 0i32;
    let mut most = 0i32;
    for (_, step) in edges {
        now += step;
        most = most.max(now);
    }
    most as usize
}

/// The audio clips of `track` that sound in the range, with their sources.
fn plan_clips(ctx: &PlanContext, track: &Track, gaps: &mut Gaps) -> Result<Vec<PlannedClip>> {
    let mut planned = Vec::new();
    let clips = ctx.composition.clips.iter().filter(|c| {
        c.track_id == track.id
            && c.clip_type == TrackType::Audio
            && !c.is_muted
            && c.start_time < ctx.to
            && c.end_time() > ctx.from
    });
    for clip in clips {
        let (start, end) = (
            ctx.frame(clip.start_time.max(ctx.from)),
            ctx.frame(clip.end_time().min(ctx.to)),
        );
        if end <= start {
            continue;
        }
        let Some(library) = ctx.clips else {
            gaps.skipped_audio_clips += 1;
            continue;
        };
        let placement = ClipPlacement {
            composition: ctx.composition,
            track,
            clip,
            rate: ctx.rate,
            entry_seconds: (ctx.from - clip.start_time).max(0.0) * 60.0 / ctx.composition.tempo,
            frames: end - start,
        };
        if let Some(source) = library.source(&placement)? {
            planned.push(PlannedClip { start, end, source });
        }
    }
    planned.sort_by_key(|c| c.start);
    Ok(planned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polyphony_counts_the_most_overlapping_spans() {
        assert_eq!(polyphony(&[]), 0);
        assert_eq!(
            polyphony(&[(0, 10), (10, 20)]),
            1,
            "back to back reuses the voice"
        );
        assert_eq!(polyphony(&[(0, 10), (5, 20), (6, 7), (30, 40)]), 3);
    }

    #[test]
    fn pools_hold_the_largest_polyphony_so_no_voice_is_built_during_the_render() {
        let mut song = crate::testing::song(120.0);
        let track = crate::testing::add_track(&mut song, "strings");
        let chords: Vec<_> = (0..8)
            .flat_map(|k| [60, 64, 67].map(|n| (n, k as f64, 1.5, 90)))
            .collect();
        crate::testing::add_clip(&mut song, &track, 0.0, 8.0, &chords);
        let ctx = PlanContext {
            composition: &song,
            rate: 48_000,
            from: 0.0,
            to: 8.0,
            effects: crate::registry::effect,
            clips: None,
        };
        let mut planned = plan_track(&ctx, &song.tracks[0], &mut Gaps::default()).unwrap();
        // A chord every 0.5 s, each 0.75 s held + 1 s of release: four chords overlap.
        assert_eq!(planned.render.pools[0].idle.len(), 12);
        let (mut left, mut right) = (vec![0.0; 1024], vec![0.0; 1024]);
        while !planned.render.is_idle() {
            planned.render.render(&mut left, &mut right);
        }
        assert_eq!(planned.render.built_late, 0);
        assert_eq!(
            planned.render.pools[0].idle.len(),
            12,
            "every voice came back"
        );
    }
}
