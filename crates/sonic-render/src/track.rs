//! One track's block loop: its note events cut each block into segments, its voices add into
//! the bus, then its audio clips, the channel strip's input gain, the insert chain and the
//! strip's fader and pan. Everything it uses was built by the plan ([`crate::plan`]); after
//! that, rendering allocates nothing.

use crate::clips::PlannedClip;
use crate::dsp::env::Env;
use crate::dsp::BLOCK;
use crate::effects::chain::InsertChain;
use crate::effects::StereoBlock;
use crate::mixer::Strip;
use crate::voice::{NoteOn, Params, Voice, VoiceOut, VoiceSetup, VoiceSpec};

/// A note as the track plays it.
pub(crate) struct PlannedNote {
    pub spec: &'static VoiceSpec,
    pub pool: usize,
    pub params: Params,
    pub freq: f64,
    pub amp: f32,
    pub seed: u64,
}

/// What happens at a frame. At the same frame a note-on comes before a note-off, so a note
/// of zero length still starts (and releases at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum EventKind {
    On,
    Off,
}

/// A note event at a frame from the render's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Event {
    pub frame: u64,
    pub kind: EventKind,
    pub note: u32,
}

/// Built voices of one kind, waiting for notes.
pub(crate) struct Pool {
    pub spec: &'static VoiceSpec,
    pub idle: Vec<Box<dyn Voice>>,
}

struct Active {
    note: u32,
    pool: usize,
    voice: Box<dyn Voice>,
    env: Env,
    amp: f32,
}

/// A track ready to render; see the module documentation.
pub(crate) struct TrackRender {
    pub(crate) rate: f64,
    pub(crate) notes: Vec<PlannedNote>,
    pub(crate) events: Vec<Event>,
    pub(crate) pools: Vec<Pool>,
    pub(crate) clips: Vec<PlannedClip>,
    pub(crate) chain: InsertChain,
    pub(crate) strip: Strip,
    next_event: usize,
    active: Vec<Active>,
    next_clip: usize,
    playing: Vec<usize>,
    bus: StereoBlock,
    frame: u64,
    /// Voices built during the render because a pool ran dry (0 when the plan sized them).
    pub(crate) built_late: usize,
}

impl TrackRender {
    /// A track from its plan: `events` sorted, pools filled to their polyphony, `clips` sorted
    /// by start.
    pub(crate) fn new(
        rate: f64,
        notes: Vec<PlannedNote>,
        events: Vec<Event>,
        pools: Vec<Pool>,
        clips: Vec<PlannedClip>,
        chain: InsertChain,
        strip: Strip,
    ) -> Self {
        let polyphony = pools.iter().map(|p| p.idle.len()).sum();
        let clip_count = clips.len();
        TrackRender {
            rate,
            notes,
            events,
            pools,
            clips,
            chain,
            strip,
            next_event: 0,
            active: Vec::with_capacity(polyphony),
            next_clip: 0,
            playing: Vec::with_capacity(clip_count),
            bus: StereoBlock::default(),
            frame: 0,
            built_late: 0,
        }
    }

    /// True when nothing will sound any more: no voice, no clip, no event to come. (Effect
    /// tails are the master's to judge, by level.)
    pub(crate) fn is_idle(&self) -> bool {
        self.active.is_empty()
            && self.playing.is_empty()
            && self.next_event == self.events.len()
            && self.next_clip == self.clips.len()
    }

    /// Renders `left.len()` frames (a multiple of [`BLOCK`]) of the track's output.
    pub(crate) fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        for (l, r) in left
            .chunks_exact_mut(BLOCK)
            .zip(right.chunks_exact_mut(BLOCK))
        {
            self.render_block(l, r);
        }
    }

    fn render_block(&mut self, left: &mut [f32], right: &mut [f32]) {
        self.bus.clear();
        let end = self.frame + BLOCK as u64;
        let mut cursor = 0;
        while let Some(&event) = self.events.get(self.next_event) {
            if event.frame >= end {
                break;
            }
            let at = (event.frame.max(self.frame) - self.frame) as usize;
            self.render_voices(cursor, at);
            cursor = cursor.max(at);
            self.apply(event);
            self.next_event += 1;
        }
        self.render_voices(cursor, BLOCK);
        self.render_clips(end);

        if self.strip.input != 1.0 {
            crate::dsp::scale(&mut self.bus.left, self.strip.input);
            crate::dsp::scale(&mut self.bus.right, self.strip.input);
        }
        self.chain.process(&mut self.bus);
        for (out, x) in left.iter_mut().zip(&self.bus.left) {
            *out = x * self.strip.left;
        }
        for (out, x) in right.iter_mut().zip(&self.bus.right) {
            *out = x * self.strip.right;
        }
        self.frame = end;
    }

    fn render_voices(&mut self, from: usize, to: usize) {
        if to <= from {
            return;
        }
        let mut i = 0;
        while i < self.active.len() {
            let active = &mut self.active[i];
            let env = active.env.next((to - from) as f64 / self.rate);
            let mut out = VoiceOut::new(
                &mut self.bus.left[from..to],
                &mut self.bus.right[from..to],
                env,
                active.amp,
                self.rate,
            );
            active.voice.render(&mut out);
            if active.env.is_done() {
                // SC's doneAction 2: the voice is free for another note.
                let done = self.active.swap_remove(i);
                self.pools[done.pool].idle.push(done.voice);
            } else {
                i += 1;
            }
        }
    }

    fn apply(&mut self, event: Event) {
        let index = event.note;
        match event.kind {
            EventKind::On => {
                let note = &self.notes[index as usize];
                let pool = &mut self.pools[note.pool];
                let mut voice = match pool.idle.pop() {
                    Some(voice) => voice,
                    None => {
                        self.built_late += 1;
                        (pool.spec.new)(&VoiceSetup { rate: self.rate })
                    }
                };
                let on =
                    NoteOn::new(note.spec, note.freq, note.amp, note.seed).with_params(note.params);
                voice.start(&on);
                self.active.push(Active {
                    note: index,
                    pool: note.pool,
                    voice,
                    env: (note.spec.envelope)(&on),
                    amp: note.amp,
                });
            }
            EventKind::Off => {
                if let Some(active) = self.active.iter_mut().find(|a| a.note == index) {
                    active.env.release();
                    active.voice.release();
                }
            }
        }
    }

    fn render_clips(&mut self, end: u64) {
        while let Some(clip) = self.clips.get(self.next_clip) {
            if clip.start >= end {
                break;
            }
            self.playing.push(self.next_clip);
            self.next_clip += 1;
        }
        let start = self.frame;
        let mut i = 0;
        while i < self.playing.len() {
            let clip = &mut self.clips[self.playing[i]];
            let from = clip.start.saturating_sub(start) as usize;
            let to = clip.end.min(end).saturating_sub(start) as usize;
            if to > from {
                clip.source
                    .render(&mut self.bus.left[from..to], &mut self.bus.right[from..to]);
            }
            if clip.end <= end {
                self.playing.swap_remove(i);
            } else {
                i += 1;
            }
        }
    }
}
