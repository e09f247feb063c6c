//! Drum and percussion voices (sound.md §3), one file per family (`kicks.rs`, ...).
//!
//! Every drum voice is a one-shot: its amplitude envelope is `Env::perc(a, decay, c)`, its
//! length is its `decay` argument, and it ignores note-off. On a kit pad it plays the pad's
//! `freq`, or its own SynthDef default when the pad sets none (sound.md B8, fixed); used as a
//! track's instrument it follows the note. Pitch envelopes settle at `freq` through
//! [`pitch_sweep`] (B9, fixed), never at 0 Hz.
//!
//! # Adding a drum voice
//!
//! 1. In the family's file (`kicks.rs`, or a new `snares.rs`, `hats.rs`, `cymbals.rs`,
//!    `toms.rs`, `claps.rs`, `percussion.rs`, ...; a new file is listed in `VOICES` at the end
//!    of this file, with its `mod` line), add a row to its `VOICES`:
//!    `VoiceSpec::drum(name, &[(arg, default), ...], |n| Env::perc(...), |s| Box::new(..))`.
//!    The arguments are the SynthDef's that a pad may set, with the defaults of sound.md §3
//!    (`freq` when the voice has one, `decay`, `tone`, ...): a registry test checks each
//!    against the catalogue's `synthdef_args`. A pad's `amp` is never used (the engine sends
//!    the velocity's).
//! 2. Write the struct: its oscillators, noise, filters and envelopes from [`crate::dsp`],
//!    built in `new` (the only place that may allocate). `start` sets every state for the
//!    note: `freq` from `note.freq`, arguments from `note.param("decay")`, every noise source
//!    reseeded from its own `note.rng(k)` stream. `render` fills a `[0.0; BLOCK]` scratch for
//!    `out.len()` frames and ends with `out.mono(x)`; secondary envelopes advance by
//!    `out.dt()`; a pitch envelope multiplies `freq` through [`pitch_sweep`] at its
//!    `Ramp::mean`.
//! 3. Test it beside the code with [`crate::testing`]: `play_pad(kit_id, note, amp)` for a
//!    kit's pad, `play_voice(name, note, amp, seconds_held)` otherwise, then
//!    `period_hz`/`pitch_hz` for pitch, `onsets` for timing, and the `Measure` methods
//!    (`peak`, `rms`, `rms_db`, `mean`) for level and DC.
//!
//! A complete voice, `kick808` (this is `kicks.rs`):
//!
//! ```ignore
//! pub(crate) static VOICES: &[VoiceSpec] = &[
//!     // Sin(freq·P), freq 60, P = 1 + (R − 1)·perc(0.001, 0.1, −8), R = pitchRatio 2.5,
//!     // amplitude perc(0.001, decay 0.4, −4).
//!     VoiceSpec::drum(
//!         "kick808",
//!         &[("freq", 60.0), ("decay", 0.4), ("pitchRatio", 2.5)],
//!         |n| Env::perc(0.001, f64::from(n.param("decay")), -4.0),
//!         |s| Box::new(Kick808::new(s)),
//!     ),
//! ];
//!
//! struct Kick808 { osc: Sin, pitch: Env, ratio: f32, freq: f64 }
//!
//! impl Kick808 {
//!     fn new(setup: &VoiceSetup) -> Self {
//!         Kick808 { osc: Sin::new(setup.rate), pitch: Env::perc(0.001, 0.1, -8.0), ratio: 1.0, freq: 0.0 }
//!     }
//! }
//!
//! impl Voice for Kick808 {
//!     fn start(&mut self, note: &NoteOn) {
//!         self.osc.reset();
//!         self.pitch = Env::perc(0.001, 0.1, -8.0);
//!         self.ratio = note.param("pitchRatio");
//!         self.freq = note.freq;
//!     }
//!
//!     fn render(&mut self, out: &mut VoiceOut) {
//!         let mut x = [0.0; BLOCK];
//!         let x = &mut x[..out.len()];
//!         let sweep = pitch_sweep(self.ratio, self.pitch.next(out.dt()));
//!         self.osc.fill(x, self.freq * f64::from(sweep.mean()));
//!         out.mono(x);
//!     }
//! }
//! ```

mod kicks;

use crate::dsp::Ramp;
use crate::voice::VoiceSpec;

/// Every drum voice, family by family.
pub(crate) static VOICES: &[&[VoiceSpec]] = &[kicks::VOICES];

/// A drum's pitch multiplier from its pitch envelope `env` (a perc from 0 to 1 and back):
/// 1 + (`ratio` − 1)·env, so the pitch starts at `freq`, jumps to `ratio`·`freq` in the
/// attack and settles back at `freq`. The original multiplied by `ratio`·env, which ends at
/// 0 Hz and leaves a DC step (sound.md B9); this is the one place that fix lives.
pub fn pitch_sweep(ratio: f32, env: Ramp) -> Ramp {
    env.map(|e| 1.0 + (ratio - 1.0) * e)
}
