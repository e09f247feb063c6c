//! The voice API: what an instrument or a drum voice is to the engine.
//!
//! A [`VoiceSpec`] is one catalogue name: whether it is an instrument or a drum voice, the
//! SynthDef arguments a kit pad may set (with their defaults), its amplitude envelope, and how
//! to build the [`Voice`] that makes the sound. The engine keeps a pool of built voices per
//! track and reuses them: [`Voice::start`] must set every piece of state for the new note.
//! The recipe for adding one is in [`crate::instruments`] and [`crate::drums`].

use crate::dsp::env::Env;
use crate::dsp::noise::Rng;
use crate::dsp::Ramp;

/// The most pad-settable arguments a voice may declare.
pub const MAX_PARAMS: usize = 8;

/// An instrument (sound.md §2) or a drum voice (§3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoiceKind {
    /// A melodic instrument: it plays the note's frequency.
    Instrument,
    /// A drum or percussion voice: on a kit pad it plays the pad's `freq`, or its own default
    /// when the pad sets none (sound.md B8).
    Drum,
}

/// What a voice is built with (once per pool slot, before the render starts).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VoiceSetup {
    /// Sample rate, Hz.
    pub rate: f64,
}

/// One name of the catalogue as the engine plays it.
pub struct VoiceSpec {
    /// The catalogue name (`Track::instrument`, a kit pad's `synthdef`).
    pub name: &'static str,
    /// Instrument or drum voice.
    pub kind: VoiceKind,
    /// The SynthDef arguments a kit pad may set, with the SynthDef's defaults (a test checks
    /// them against the catalogue). A pad's other params are not arguments and do nothing.
    pub params: &'static [(&'static str, f32)],
    /// The amplitude envelope (sound.md's "amplitude envelope" column): it shapes the voice
    /// through [`VoiceOut`] and frees it when it ends.
    pub envelope: fn(&NoteOn) -> Env,
    /// Builds a voice, allocating its buffers for the sample rate.
    pub new: fn(&VoiceSetup) -> Box<dyn Voice>,
}

impl std::fmt::Debug for VoiceSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoiceSpec")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl VoiceSpec {
    /// A melodic instrument: it receives `freq`, `amp` and the gate, nothing else.
    pub const fn instrument(
        name: &'static str,
        envelope: fn(&NoteOn) -> Env,
        new: fn(&VoiceSetup) -> Box<dyn Voice>,
    ) -> Self {
        VoiceSpec {
            name,
            kind: VoiceKind::Instrument,
            params: &[],
            envelope,
            new,
        }
    }

    /// A drum voice with the arguments a pad may set (include `freq` when it has one).
    pub const fn drum(
        name: &'static str,
        params: &'static [(&'static str, f32)],
        envelope: fn(&NoteOn) -> Env,
        new: fn(&VoiceSetup) -> Box<dyn Voice>,
    ) -> Self {
        VoiceSpec {
            name,
            kind: VoiceKind::Drum,
            params,
            envelope,
            new,
        }
    }

    /// The default of argument `name`, if the voice declares it.
    pub fn default_of(&self, name: &str) -> Option<f32> {
        self.params.iter().find(|(n, _)| *n == name).map(|p| p.1)
    }

    /// Every declared argument at its default.
    pub fn defaults(&self) -> Params {
        let mut values = [0.0; MAX_PARAMS];
        for (value, (_, default)) in values.iter_mut().zip(self.params) {
            *value = *default;
        }
        Params { values }
    }
}

/// A voice's argument values, in the order of its [`VoiceSpec::params`] (no allocation).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Params {
    values: [f32; MAX_PARAMS],
}

impl Params {
    /// Sets argument `name` of `spec`; false when the voice has no such argument.
    pub fn set(&mut self, spec: &VoiceSpec, name: &str, value: f32) -> bool {
        match spec.params.iter().position(|(n, _)| *n == name) {
            Some(i) if i < MAX_PARAMS => {
                self.values[i] = value;
                true
            }
            _ => false,
        }
    }
}

/// What a note gives its voice when it starts.
#[derive(Debug, Clone, Copy)]
pub struct NoteOn<'a> {
    /// Frequency, Hz: the note's (12-TET, A4 = 440 Hz), or on a kit pad the pad's `freq` or
    /// the drum voice's default (sound.md B8).
    pub freq: f64,
    /// The velocity-derived amplitude, v/127 × 0.8 × clip gain; [`VoiceOut`] applies it.
    pub amp: f32,
    /// This note's random seed (from its track, clip and index): reproducible renders.
    pub seed: u64,
    spec: &'a VoiceSpec,
    params: Params,
}

impl<'a> NoteOn<'a> {
    /// A note for `spec` with every argument at its default.
    pub fn new(spec: &'a VoiceSpec, freq: f64, amp: f32, seed: u64) -> Self {
        NoteOn {
            freq,
            amp,
            seed,
            spec,
            params: spec.defaults(),
        }
    }

    /// The same note with the arguments `params` (from a kit pad).
    pub fn with_params(mut self, params: Params) -> Self {
        self.params = params;
        self
    }

    /// The value of argument `name`: the pad's, else the voice's default. Only arguments the
    /// voice declares in its [`VoiceSpec::params`] exist (anything else reads 0 and fails a
    /// debug assertion).
    pub fn param(&self, name: &str) -> f32 {
        match self.spec.params.iter().position(|(n, _)| *n == name) {
            Some(i) => self.params.values[i],
            None => {
                debug_assert!(false, "{} declares no argument {name}", self.spec.name);
                0.0
            }
        }
    }

    /// A random generator for this note; `stream` tells a voice's generators apart (each
    /// noise source its own stream number).
    pub fn rng(&self, stream: u64) -> Rng {
        Rng::stream(self.seed, stream)
    }
}

/// Where a voice adds one segment (at most [`crate::dsp::BLOCK`] frames) of sound: the
/// track's bus, with the amplitude envelope and the note's amp for this segment.
pub struct VoiceOut<'a> {
    left: &'a mut [f32],
    right: &'a mut [f32],
    env: Ramp,
    amp: f32,
    dt: f64,
}

impl<'a> VoiceOut<'a> {
    /// A segment of `left`/`right` (same length) at sample rate `rate`, with the envelope's
    /// ramp over it and the note's amp.
    pub fn new(left: &'a mut [f32], right: &'a mut [f32], env: Ramp, amp: f32, rate: f64) -> Self {
        debug_assert_eq!(left.len(), right.len());
        let dt = left.len() as f64 / rate;
        VoiceOut {
            left,
            right,
            env,
            amp,
            dt,
        }
    }

    /// Frames in this segment.
    pub fn len(&self) -> usize {
        self.left.len()
    }

    /// True for an empty segment.
    pub fn is_empty(&self) -> bool {
        self.left.is_empty()
    }

    /// The segment's length in seconds: what a voice advances its own envelopes and LFOs by.
    pub fn dt(&self) -> f64 {
        self.dt
    }

    /// The amplitude envelope over this segment (without the amp).
    pub fn env(&self) -> Ramp {
        self.env
    }

    /// The note's amp.
    pub fn amp(&self) -> f32 {
        self.amp
    }

    /// The gain (envelope × amp) before the first sample and its step per sample.
    fn gain_steps(&self) -> (f32, f32) {
        let gain = self.env.scale(self.amp);
        let step = (gain.to - gain.from) / self.left.len().max(1) as f32;
        (gain.from, step)
    }

    /// Adds `x` × envelope × amp to both channels (dual-mono).
    pub fn mono(&mut self, x: &[f32]) {
        let (mut g, step) = self.gain_steps();
        for ((l, r), &s) in self.left.iter_mut().zip(self.right.iter_mut()).zip(x) {
            g += step;
            let y = s * g;
            *l += y;
            *r += y;
        }
    }

    /// Adds `left` and `right` × envelope × amp (a stereo voice).
    pub fn stereo(&mut self, left: &[f32], right: &[f32]) {
        let (mut g, step) = self.gain_steps();
        let outs = self.left.iter_mut().zip(self.right.iter_mut());
        for ((l, r), (&a, &b)) in outs.zip(left.iter().zip(right)) {
            g += step;
            *l += a * g;
            *r += b * g;
        }
    }

    /// Adds `x` as it is to both channels: for a voice that applies the envelope itself
    /// (inside a delay or a feedback loop) from [`VoiceOut::env`] and [`VoiceOut::amp`].
    pub fn mono_unshaped(&mut self, x: &[f32]) {
        for ((l, r), &s) in self.left.iter_mut().zip(self.right.iter_mut()).zip(x) {
            *l += s;
            *r += s;
        }
    }
}

/// The sound of one note of an instrument or a drum voice.
///
/// A voice is built once ([`VoiceSpec::new`]) and plays many notes: [`Voice::start`] must put
/// every oscillator, filter, envelope, delay line and generator back to its note-start state
/// (a registry-wide test renders each voice fresh and reused, and compares the bits).
pub trait Voice: Send {
    /// Starts a note.
    fn start(&mut self, note: &NoteOn);

    /// The note's gate closed. The engine releases the amplitude envelope itself; only a voice
    /// with gated secondary envelopes (a filter ADSR) needs this.
    fn release(&mut self) {}

    /// Adds the next segment of the note into `out`.
    fn render(&mut self, out: &mut VoiceOut);
}
