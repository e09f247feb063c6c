//! Insert effects (sound.md §4): the [`Effect`] trait, its [`EffectSpec`], and the chain that
//! runs a track's effects in slot order.
//!
//! Each effect reads the track's stereo bus and replaces it, one [`BLOCK`]-frame
//! [`StereoBlock`] at a time, after the track's voices and before its fader. The chain gives
//! it its parameters once, at construction: the instance's values clamped to the catalogue's
//! ranges, the catalogue's defaults for the rest. It handles bypass itself (sound.md §6.4:
//! `is_bypassed`, `bypass` ≥ 1, or not `is_enabled`): a bypassed effect still processes a
//! copy, so its state keeps running as the original's does, and the bus passes untouched.
//! Until an effect name is implemented, the chain passes the signal through and the render
//! report lists it in `missing_effects`.
//!
//! # Adding an effect
//!
//! 1. In its category's file (`filter.rs` for lpf/hpf/bpf, `eq.rs`, `dynamics.rs`,
//!    `distortion.rs`, `time.rs`, `utility.rs`; a new file gets a `mod` line and an entry in
//!    `EFFECTS` at the end of this file) add a row to its `EFFECTS`:
//!    `EffectSpec { name: "lpf", new: |s| Box::new(Lpf::new(s)) }`.
//! 2. Write the struct. `new(setup)` reads its parameters with `setup.param("cutoff")` (every
//!    registry parameter of the effect exists there, already clamped) and `setup.rate`, and
//!    allocates everything it needs (delay lines at their longest); nothing may allocate in
//!    `process`. Per-channel state comes in pairs (`[Filter; 2]`), as every effect but
//!    reverb, stereoWidth, chorus and flanger runs the same processing on each channel.
//! 3. `process(block)` replaces `block.left` and `block.right` (64 frames each). An effect
//!    whose tail has silent gaps (a delay's echoes) returns the longest gap, in seconds, from
//!    `tail_gap`, so a render does not stop between echoes.
//! 4. Test it beside the code with [`crate::testing::process_effect`] (a named effect with
//!    parameters over given left and right signals) and the measuring helpers of
//!    [`crate::testing`]; check sound.md §4's numbers (a filter's gain at a frequency, an
//!    echo's time, a limiter's ceiling).
//!
//! A complete effect, sound.md §4.14's `gain` (out = x·10^(gain/20)), would be:
//!
//! ```ignore
//! pub(crate) static EFFECTS: &[EffectSpec] = &[EffectSpec {
//!     name: "gain",
//!     new: |s| Box::new(Gain { gain: crate::dsp::db_to_gain(f64::from(s.param("gain"))) as f32 }),
//! }];
//!
//! struct Gain { gain: f32 }
//!
//! impl Effect for Gain {
//!     fn process(&mut self, block: &mut StereoBlock) {
//!         crate::dsp::scale(&mut block.left, self.gain);
//!         crate::dsp::scale(&mut block.right, self.gain);
//!     }
//! }
//!
//! #[test]
//! fn gain_plus_6_db_doubles_the_level() {
//!     let input = vec![0.25f32; 4_800];
//!     let (left, _) = crate::testing::process_effect("gain", &[("gain", 6.0206)], &input, &input);
//!     assert!((left[4_000] - 0.5).abs() < 1e-4);
//! }
//! ```

pub(crate) mod chain;

pub use crate::dsp::BLOCK;

/// One block of a stereo bus.
#[derive(Debug, Clone, PartialEq)]
pub struct StereoBlock {
    /// Left channel.
    pub left: [f32; BLOCK],
    /// Right channel.
    pub right: [f32; BLOCK],
}

impl Default for StereoBlock {
    fn default() -> Self {
        StereoBlock {
            left: [0.0; BLOCK],
            right: [0.0; BLOCK],
        }
    }
}

impl StereoBlock {
    /// Silence.
    pub fn clear(&mut self) {
        self.left.fill(0.0);
        self.right.fill(0.0);
    }
}

/// What an effect is built with.
#[derive(Debug, Clone, Copy)]
pub struct EffectSetup<'a> {
    /// Sample rate, Hz.
    pub rate: f64,
    params: &'a [(String, f64)],
}

impl<'a> EffectSetup<'a> {
    /// A setup at `rate` with `params` (name, value), as the chain builds it.
    pub fn new(rate: f64, params: &'a [(String, f64)]) -> Self {
        EffectSetup { rate, params }
    }

    /// The value of parameter `name`: the instance's, clamped to the catalogue's range, or
    /// the catalogue's default. A name the effect's definition lacks reads 0 (and fails a
    /// debug assertion).
    pub fn param(&self, name: &str) -> f32 {
        match self.params.iter().find(|(n, _)| n == name) {
            Some((_, value)) => *value as f32,
            None => {
                debug_assert!(false, "no effect parameter {name}");
                0.0
            }
        }
    }
}

/// An insert effect, processing a track's bus (or the master) block by block.
pub trait Effect: Send {
    /// Replaces `block` with the effect's output.
    fn process(&mut self, block: &mut StereoBlock);

    /// The longest stretch of silence the effect's tail can hold before more sound comes
    /// out (a delay's echo spacing), in seconds; 0 for most.
    fn tail_gap(&self) -> f64 {
        0.0
    }
}

/// One effect name of the catalogue as the engine plays it.
pub struct EffectSpec {
    /// The catalogue name (`EffectInstance::effect_name`).
    pub name: &'static str,
    /// Builds the effect with its parameters.
    pub new: fn(&EffectSetup) -> Box<dyn Effect>,
}

impl std::fmt::Debug for EffectSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EffectSpec")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Every implemented effect, category by category (none yet: the effects are the next stage).
pub(crate) static EFFECTS: &[&[EffectSpec]] = &[];
