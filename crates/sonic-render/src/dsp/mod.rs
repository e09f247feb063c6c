//! The building blocks of sound.md Appendix A, each as the SC primitive it describes behaves:
//! [`osc`] (Sin, Saw, Pulse, LFTri, Blip, Imp and a control-rate sine LFO), [`noise`] (white,
//! pink, brown, LFNoise1 and the seeded generator), [`env`] (perc, ASR, ADSR with SC curves,
//! and Lag), [`filter`] (LPF, HPF, RLPF, RHPF, BPF, Resonz, shelves, peaking EQ), [`moog`]
//! (MoogFF), [`delay`] (DelayN/L/C, Comb, AllpassC, the one-block feedback), [`pluck`]
//! (Karplus-Strong), [`klank`] (the resonator bank) and [`shape`] (tanh, distort, round).
//!
//! Every block processes a slice of at most [`BLOCK`] samples (a voice's segment, see
//! [`crate::voice`]) and holds all its memory from construction on: nothing here allocates
//! after `new`. Control-rate values arrive as a [`Ramp`] per block.
//!
//! ```
//! use sonic_render::dsp::{filter::Filter, osc::Saw, BLOCK};
//! let rate = 48_000.0;
//! let mut saw = Saw::new(rate);
//! let mut lpf = Filter::lpf(rate, 2_000.0);
//! let mut block = [0.0f32; BLOCK];
//! saw.fill(&mut block, 110.0);
//! lpf.process(&mut block);
//! assert!(block.iter().all(|x| x.abs() < 1.0));
//! ```

pub mod delay;
pub mod env;
pub mod filter;
pub mod klank;
pub mod moog;
pub mod noise;
pub mod osc;
pub mod pluck;
pub mod shape;

/// Frames per block: the original's scsynth block (`-z 64`). The control rate is the sample
/// rate divided by this (750 Hz at 48 kHz).
pub const BLOCK: usize = 64;

/// A control-rate value over one block: `from` at the block's start, `to` at its end. Where it
/// multiplies audio it is ramped linearly ([`Ramp::apply`]); where it sets a frequency it is
/// held at [`Ramp::mean`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ramp {
    /// Value at the start of the block (the end of the previous one).
    pub from: f32,
    /// Value at the end of the block.
    pub to: f32,
}

impl Ramp {
    /// A value that does not move.
    pub const fn flat(value: f32) -> Self {
        Ramp {
            from: value,
            to: value,
        }
    }

    /// The value held for a block: the mean of the ramp.
    pub fn mean(self) -> f32 {
        0.5 * (self.from + self.to)
    }

    /// Both ends times `k`.
    pub fn scale(self, k: f32) -> Self {
        Ramp {
            from: self.from * k,
            to: self.to * k,
        }
    }

    /// Both ends through `f` (an offset, a range, a curve of the control value).
    pub fn map(self, f: impl Fn(f32) -> f32) -> Self {
        Ramp {
            from: f(self.from),
            to: f(self.to),
        }
    }

    /// The ramp's value at sample `i` of an `n`-sample block: the block's last sample reaches
    /// `to`, its first is one step past `from`.
    pub fn at(self, i: usize, n: usize) -> f32 {
        self.from + (self.to - self.from) * (i + 1) as f32 / n as f32
    }

    /// Multiplies `x` by the ramp, sample by sample.
    pub fn apply(self, x: &mut [f32]) {
        if self.from == self.to {
            x.iter_mut().for_each(|s| *s *= self.to);
            return;
        }
        let step = (self.to - self.from) / x.len() as f32;
        let mut g = self.from;
        for s in x {
            g += step;
            *s *= g;
        }
    }
}

/// Adds `src × gain` into `dst`.
pub fn mix(dst: &mut [f32], src: &[f32], gain: f32) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d += s * gain;
    }
}

/// Multiplies `x` by `gain`.
pub fn scale(x: &mut [f32], gain: f32) {
    x.iter_mut().for_each(|s| *s *= gain);
}

/// Multiplies `x` by `y`, sample by sample (ring modulation, an audio-rate envelope).
pub fn multiply(x: &mut [f32], y: &[f32]) {
    for (a, b) in x.iter_mut().zip(y) {
        *a *= b;
    }
}

/// Decibels to a linear gain.
pub fn db_to_gain(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// The feedback coefficient that makes a loop of `delay` seconds decay by 60 dB in `t60`
/// seconds: 0.001^(delay / t60), SC's rule for combs, all-passes and Pluck (0 when `t60` is 0).
pub fn decay_gain(delay: f64, t60: f64) -> f64 {
    if t60 == 0.0 {
        0.0
    } else {
        0.001f64.powf(delay / t60.abs()).copysign(t60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ramp_ends_on_its_target_and_its_mean_is_halfway() {
        let r = Ramp { from: 0.0, to: 1.0 };
        let mut x = [1.0f32; 4];
        r.apply(&mut x);
        assert_eq!(x, [0.25, 0.5, 0.75, 1.0]);
        assert_eq!(r.at(3, 4), 1.0);
        assert_eq!(r.mean(), 0.5);
        assert_eq!(Ramp::flat(2.0).scale(0.5), Ramp::flat(1.0));
    }

    #[test]
    fn decay_gain_reaches_minus_60_db_after_t60() {
        let g = decay_gain(0.01, 1.0);
        // 100 round trips of 10 ms in one second: 0.001.
        assert!((g.powi(100) - 0.001).abs() < 1e-12);
        assert_eq!(decay_gain(0.01, 0.0), 0.0);
    }
}
