//! Karplus-Strong strings: SC's Pluck (sound.md Appendix A), tuned.
//!
//! A delay line of one period; for the first period after note-on the excitation is added to
//! its input. Each sample: v = the line one loop ago (cubic interpolation),
//! o = (1 − |c|)·v + c·o_prev (the loop's one-pole), the line takes input + g·o with
//! g = 0.001^(period / t60), and the output is o. The line starts empty, so the first period
//! is silent.
//!
//! SC makes the line one period long and the one-pole adds its own delay on top, so its
//! strings are flat (by c/(1−c) samples at low notes: 16 cents at A4 with c = 0.5). Here the
//! line is one period minus the one-pole's phase delay at the note's frequency, so the string
//! sounds at its note (a knowing difference, docs/SOUND.md).

use super::decay_gain;
use super::delay::DelayLine;

/// The lowest note a string is built for: MIDI 0 (8.18 Hz).
pub const LOWEST_FREQ: f64 = 8.175_798_915_643_707;

/// A Karplus-Strong string; see the module documentation.
#[derive(Debug, Clone)]
pub struct Pluck {
    line: DelayLine,
    rate: f64,
    loop_delay: f64,
    gain: f32,
    coef: f32,
    prev: f32,
    excite_left: usize,
}

impl Pluck {
    /// A string at sample rate `rate` for notes down to [`LOWEST_FREQ`].
    pub fn new(rate: f64) -> Self {
        Pluck {
            line: DelayLine::new(1.0 / LOWEST_FREQ + 0.001, rate),
            rate,
            loop_delay: 1.0,
            gain: 0.0,
            coef: 0.0,
            prev: 0.0,
            excite_left: 0,
        }
    }

    /// Plucks it again: silence, then a string at `freq` Hz that rings down 60 dB in `t60`
    /// seconds through a loop one-pole of coefficient `coef` (-1..1).
    pub fn start(&mut self, freq: f64, t60: f64, coef: f64) {
        let freq = freq.max(LOWEST_FREQ);
        let coef = coef.clamp(-0.999, 0.999);
        let period = self.rate / freq;
        self.line.reset();
        self.loop_delay = (period - loop_filter_delay(coef, freq / self.rate)).max(1.0);
        self.gain = decay_gain(1.0 / freq, t60) as f32;
        self.coef = coef as f32;
        self.prev = 0.0;
        self.excite_left = period.round() as usize;
    }

    /// Runs a block: `excitation` is the exciting signal (only its first period after
    /// [`Pluck::start`] is used), `out` receives the string.
    pub fn process(&mut self, excitation: &[f32], out: &mut [f32]) {
        let keep = 1.0 - self.coef.abs();
        for (x, y) in excitation.iter().zip(out.iter_mut()) {
            let input = if self.excite_left > 0 {
                self.excite_left -= 1;
                *x
            } else {
                0.0
            };
            let v = self.line.tap_cubic(self.loop_delay);
            let o = keep * v + self.coef * self.prev;
            self.prev = o;
            self.line.write(input + self.gain * o);
            *y = o;
        }
    }
}

/// The phase delay, in samples, of o = (1 − |c|)·v + c·o_prev at `cycles` per sample:
/// arg of 1 / (1 − c·e^{−jω}) over ω.
fn loop_filter_delay(coef: f64, cycles: f64) -> f64 {
    let w = std::f64::consts::TAU * cycles;
    (coef * w.sin()).atan2(1.0 - coef * w.cos()) / w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::noise::{Rng, WhiteNoise};

    const RATE: f64 = 48_000.0;

    fn pluck(freq: f64, t60: f64, coef: f64, seconds: f64) -> Vec<f32> {
        let mut string = Pluck::new(RATE);
        string.start(freq, t60, coef);
        let mut noise = WhiteNoise::new(Rng::new(11));
        let mut out = vec![0.0f32; (seconds * RATE) as usize];
        for block in out.chunks_mut(64) {
            let mut exc = [0.0f32; 64];
            noise.add(&mut exc[..block.len()], 0.1);
            string.process(&exc[..block.len()], block);
        }
        out
    }

    /// The period (samples) with the strongest autocorrelation near `expected`, refined by a
    /// parabola through its neighbours.
    fn period(x: &[f32], expected: f64) -> f64 {
        let corr = |lag: usize| -> f64 {
            x[..x.len() - lag]
                .iter()
                .zip(&x[lag..])
                .map(|(a, b)| f64::from(*a) * f64::from(*b))
                .sum()
        };
        let lo = (expected * 0.9) as usize;
        let hi = (expected * 1.1) as usize;
        let best = (lo..=hi)
            .max_by(|&a, &b| corr(a).total_cmp(&corr(b)))
            .unwrap();
        let (l, m, r) = (corr(best - 1), corr(best), corr(best + 1));
        best as f64 + 0.5 * (l - r) / (l - 2.0 * m + r)
    }

    #[test]
    fn a_plucked_string_is_silent_for_a_period_then_sounds_at_its_note() {
        for (freq, coef) in [(440.0, 0.5), (130.81, 0.5), (880.0, 0.3), (82.41, 0.6)] {
            let x = pluck(freq, 10.0, coef, 1.0);
            let period_samples = RATE / freq;
            let first = x.iter().position(|&v| v != 0.0).unwrap();
            // One loop (a period less the one-pole's delay, and cubic reads one sample ahead).
            let early = period_samples - first as f64;
            assert!(
                (0.0..4.0).contains(&early),
                "{freq}: first sound at {first}"
            );
            let measured = RATE / period(&x[4_800..], period_samples);
            let cents = 1200.0 * (measured / freq).log2();
            assert!(
                cents.abs() < 2.0,
                "{freq} Hz, c {coef}: {measured} Hz ({cents} cents)"
            );
        }
    }

    #[test]
    fn the_string_decays_and_stays_quiet_as_sc_pluck_is() {
        let x = pluck(440.0, 1.0, 0.5, 2.0);
        let peak = |s: &[f32]| s.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let early = peak(&x[..4_800]);
        let late = peak(&x[48_000..52_800]);
        assert!(early < 0.2, "peak {early}");
        // The loop's one-pole takes highs away faster than t60; at least 60 dB in 1 s.
        assert!(late < early * 0.001 * 1.5, "{early} -> {late}");
    }
}
