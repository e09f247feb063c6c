//! The melodic instruments (sound.md §2), one file per category of the catalogue: `basic.rs`
//! (§2.1), `synth.rs` (§2.2), `pad.rs` (§2.5), and so on for Bass, Lead, Keys, Piano,
//! Chromatic Percussion, Organ, Guitar, Strings, Ensemble and Brass (a category that would
//! pass 500 lines splits in two files, e.g. `synth.rs` and `synth_fm.rs`).
//!
//! An instrument receives the note's `freq`, `amp` and gate, nothing else: every other
//! SynthDef argument stays at its default (sound.md §0), so the defaults in sound.md's row
//! are constants in the code. Gated instruments sustain until note-off and then release;
//! one-shot ones ignore it. The engine frees a voice when its amplitude envelope ends.
//!
//! # Adding an instrument
//!
//! 1. In its category's file (a new file gets a `mod` line and an entry in `VOICES` at the
//!    end of this file), add a row to the file's `VOICES`:
//!    `VoiceSpec::instrument(name, |_| <amplitude envelope>, |s| Box::new(<Struct>::new(s)))`.
//!    The envelope is the row's "amplitude envelope" column: `Env::asr(a, r)` or
//!    `Env::adsr(a, d, s, r)` for gated, `Env::perc(a, d, curve)` for one-shot.
//! 2. Write the struct with the row's sources, modulation and filter, from the building
//!    blocks of [`crate::dsp`]: `osc::{Sin, Saw, Pulse, Blip, LfTri, Impulse, Lfo}`,
//!    `noise::{WhiteNoise, PinkNoise, BrownNoise, Lfn1, Rng}`, `env::{Env, Lag}`,
//!    `filter::Filter` (`lpf`, `hpf`, `rlpf`, `rhpf`, `bpf`, `resonz`, shelves, `peak`),
//!    `moog::MoogFf`, `delay::{Delay, Comb, Allpass, BlockFeedback}`, `pluck::Pluck`,
//!    `klank::Klank`, `shape::{tanh, distort, round_to}`, and `dsp::{mix, scale, multiply}`.
//!    `new(setup)` builds them for `setup.rate` and is the only place that may allocate
//!    (delay lines at their longest).
//! 3. `start(note)` sets every state for a new note: the voice is reused, so reset every
//!    oscillator and filter, rebuild secondary envelopes, reseed each noise source from its
//!    own `note.rng(k)` stream, and draw any per-note random value (SC's `Rand`) from one.
//! 4. `render(out)` makes `out.len()` frames (at most `BLOCK`) in stack scratch
//!    (`[0.0; BLOCK]`), advances secondary envelopes and LFOs by `out.dt()` (they return a
//!    `Ramp`: `Ramp::apply` where it multiplies audio, `Ramp::mean` where it sets a
//!    frequency or a cutoff), and ends with `out.mono(x)` (dual-mono) or
//!    `out.stereo(l, r)`: both apply the amplitude envelope and the note's amp. A voice that
//!    needs the envelope inside its chain reads `out.env()` and `out.amp()` and adds with
//!    `out.mono_unshaped(x)`. `release()` is only for gated secondary envelopes (an ADSR on a
//!    filter).
//! 5. Test it beside the code with [`crate::testing`]: `play_voice(name, midi_note, amp,
//!    seconds_held)` renders one note through the whole engine (60 BPM, 48 kHz); `pitch_hz` (the analyzer's
//!    f0, 65 Hz to 2 kHz), `period_hz` (any range), `note_hz`, `onsets`, `correlation` and the
//!    `Measure` methods (`peak`, `rms`, `rms_db`, `mean`) check it against sound.md's row. The
//!    registry's tests then check by themselves that a reused voice renders the same bits
//!    as a fresh one and that the name is in the catalogue.
//!
//! A complete instrument, `sine` (this is `basic.rs`):
//!
//! ```ignore
//! pub(crate) static VOICES: &[VoiceSpec] = &[
//!     // Sin(f), gated ASR(0.01, 0.1), dual-mono; peak = amp.
//!     VoiceSpec::instrument("sine", |_| Env::asr(0.01, 0.1), |s| Box::new(Sine::new(s))),
//! ];
//!
//! struct Sine { osc: Sin, freq: f64 }
//!
//! impl Sine {
//!     fn new(setup: &VoiceSetup) -> Self {
//!         Sine { osc: Sin::new(setup.rate), freq: 0.0 }
//!     }
//! }
//!
//! impl Voice for Sine {
//!     fn start(&mut self, note: &NoteOn) {
//!         self.osc.reset();
//!         self.freq = note.freq;
//!     }
//!
//!     fn render(&mut self, out: &mut VoiceOut) {
//!         let mut x = [0.0; BLOCK];
//!         let x = &mut x[..out.len()];
//!         self.osc.fill(x, self.freq);
//!         out.mono(x);
//!     }
//! }
//!
//! #[cfg(test)]
//! mod tests {
//!     use crate::testing::{self, Measure};
//!
//!     #[test]
//!     fn sine_plays_its_note_at_amp() {
//!         let played = testing::play_voice("sine", 69, 1.0, 0.5);
//!         let f0 = testing::pitch_hz(&played.left, played.rate).unwrap();
//!         assert!((f0 / 440.0 - 1.0).abs() < 0.002);
//!         assert!((played.left.peak() - 1.0).abs() < 0.01);
//!     }
//! }
//! ```
//!
//! `synth.rs` (`pluck`, a Karplus-Strong string) and `pad.rs` (`strings`, stereo with
//! per-side LFO phases) show noise seeding and stereo output.

mod basic;
mod pad;
mod synth;

use crate::voice::VoiceSpec;

/// Every instrument, category by category.
pub(crate) static VOICES: &[&[VoiceSpec]] = &[basic::VOICES, synth::VOICES, pad::VOICES];
