//! SC's MoogFF (sound.md Appendix A): Fontana's 2007 model of the Moog ladder, four identical
//! bilinear one-pole low-passes in series with a delay-free global feedback −k·out, solved per
//! sample. The DC gain is 1/(1 + k); k is clamped to 0..4 (self-oscillation at 4).

use std::f64::consts::PI;

/// A 4-pole ladder low-pass; see the module documentation.
#[derive(Debug, Clone)]
pub struct MoogFf {
    rate: f64,
    freq: f64,
    k: f64,
    b0: f64,
    a1: f64,
    s: [f64; 4],
}

impl MoogFf {
    /// A ladder at `freq` Hz with feedback `k` (0..4) at sample rate `rate`.
    pub fn new(rate: f64, freq: f64, k: f64) -> Self {
        let mut moog = MoogFf {
            rate,
            freq: f64::NAN,
            k: k.clamp(0.0, 4.0),
            b0: 0.0,
            a1: 0.0,
            s: [0.0; 4],
        };
        moog.set_freq(freq);
        moog
    }

    /// Moves the cutoff (once per block).
    pub fn set_freq(&mut self, freq: f64) {
        if freq == self.freq {
            return;
        }
        self.freq = freq;
        let t = 1.0 / self.rate;
        let freq = freq.clamp(1e-3, 0.499 * self.rate);
        let wc = 2.0 * self.rate * (PI * freq * t).tan();
        let wct = wc * t;
        self.b0 = wct / (wct + 2.0);
        self.a1 = (wct - 2.0) / (wct + 2.0);
    }

    /// Changes the feedback, clamped to 0..4.
    pub fn set_k(&mut self, k: f64) {
        self.k = k.clamp(0.0, 4.0);
    }

    /// Clears the state (a new note).
    pub fn reset(&mut self) {
        self.s = [0.0; 4];
    }

    /// One sample.
    #[inline]
    pub fn tick(&mut self, x: f32) -> f32 {
        let (b0, a1, k) = (self.b0, self.a1, self.k);
        let [s1, s2, s3, s4] = self.s;
        // Each stage is y = b0·u + s; the cascade's output is b0⁴·u + S with S from the states,
        // and u = x - k·y solves to y = (b0⁴·x + S) / (1 + k·b0⁴).
        let b2 = b0 * b0;
        let b4 = b2 * b2;
        let sum = b2 * b0 * s1 + b2 * s2 + b0 * s3 + s4;
        let y = (b4 * f64::from(x) + sum) / (1.0 + k * b4);
        let mut u = f64::from(x) - k * y;
        for s in &mut self.s {
            let out = b0 * u + *s;
            *s = b0 * u - a1 * out;
            u = out;
        }
        y as f32
    }

    /// Filters a block in place.
    pub fn process(&mut self, block: &mut [f32]) {
        for x in block {
            *x = self.tick(*x);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gain_at(freq: f64, cutoff: f64, k: f64) -> f64 {
        let rate = 48_000.0;
        let mut moog = MoogFf::new(rate, cutoff, k);
        let n = 48_000;
        let mut sum_in = 0.0;
        let mut sum_out = 0.0;
        for i in 0..n {
            let x = (2.0 * PI * freq * i as f64 / rate).sin() as f32;
            let y = moog.tick(x);
            if i >= n / 2 {
                sum_in += f64::from(x).powi(2);
                sum_out += f64::from(y).powi(2);
            }
        }
        (sum_out / sum_in).sqrt()
    }

    #[test]
    fn the_dc_gain_is_one_over_one_plus_k() {
        for k in [0.0, 1.0, 3.8] {
            let mut moog = MoogFf::new(48_000.0, 1_000.0, k);
            let mut y = 0.0;
            for _ in 0..48_000 {
                y = moog.tick(1.0);
            }
            assert!((f64::from(y) - 1.0 / (1.0 + k)).abs() < 1e-4, "k {k}: {y}");
        }
    }

    #[test]
    fn four_poles_fall_24_db_per_octave_and_feedback_resonates() {
        let one = gain_at(4_000.0, 500.0, 0.0);
        let two = gain_at(8_000.0, 500.0, 0.0);
        let slope = 20.0 * (one / two).log10();
        assert!((20.0..27.0).contains(&slope), "{slope} dB/octave");
        // Without feedback four one-poles are each -3 dB at the cutoff: -12 dB.
        assert!((20.0 * gain_at(1_000.0, 1_000.0, 0.0).log10() + 12.0).abs() < 0.3);
        // Strong feedback lifts the cutoff region above the (reduced) passband.
        let k = 3.5;
        assert!(gain_at(1_000.0, 1_000.0, k) > 2.0 * gain_at(50.0, 1_000.0, k));
    }
}
