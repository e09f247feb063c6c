//! SC's Klank (sound.md Appendix A): a bank of two-pole resonators, one per partial, each
//! ringing at the voice's frequency × its ratio, with its own level and 60 dB decay time.
//! For partial i: R = 0.001^(1/(T60·rate)), w = 2π·f·ratio/rate, b1 = 2R·(2R·cos w/(1 + R²)),
//! b2 = −R², y = x + b1·y1 + b2·y2, and the bank's output is Σ 0.25·level·y. An impulse rings
//! each partial at about 0.25·level / sin w: loud at low notes.

/// One partial of a bank: frequency ratio, level, 60 dB decay time in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Partial {
    /// Frequency as a multiple of the voice's.
    pub ratio: f64,
    /// Level.
    pub level: f64,
    /// Seconds to fall 60 dB.
    pub t60: f64,
}

/// A bank of `N` resonators; see the module documentation.
#[derive(Debug, Clone)]
pub struct Klank<const N: usize> {
    partials: [Partial; N],
    rate: f64,
    b1: [f64; N],
    b2: [f64; N],
    y1: [f64; N],
    y2: [f64; N],
}

impl<const N: usize> Klank<N> {
    /// A bank of `partials` at sample rate `rate`, silent until [`Klank::start`].
    pub fn new(rate: f64, partials: [Partial; N]) -> Self {
        Klank {
            partials,
            rate,
            b1: [0.0; N],
            b2: [0.0; N],
            y1: [0.0; N],
            y2: [0.0; N],
        }
    }

    /// Silence, then resonators tuned to `freq` Hz × each ratio.
    pub fn start(&mut self, freq: f64) {
        for (i, p) in self.partials.iter().enumerate() {
            let r = 0.001f64.powf(1.0 / (p.t60 * self.rate));
            let w = std::f64::consts::TAU * freq * p.ratio / self.rate;
            self.b1[i] = 2.0 * r * (2.0 * r * w.cos() / (1.0 + r * r));
            self.b2[i] = -r * r;
        }
        self.y1 = [0.0; N];
        self.y2 = [0.0; N];
    }

    /// Runs a block in place: the input excites the bank, the block receives its sound.
    pub fn process(&mut self, block: &mut [f32]) {
        for x in block {
            let input = f64::from(*x);
            let mut sum = 0.0;
            for i in 0..N {
                let y = input + self.b1[i] * self.y1[i] + self.b2[i] * self.y2[i];
                self.y2[i] = self.y1[i];
                self.y1[i] = y;
                sum += 0.25 * self.partials[i].level * y;
            }
            *x = sum as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_impulse_rings_each_partial_at_its_level_over_sin_w_and_decays_in_t60() {
        let rate = 48_000.0;
        let mut bank = Klank::new(
            rate,
            [Partial {
                ratio: 1.0,
                level: 1.0,
                t60: 0.5,
            }],
        );
        bank.start(440.0);
        let mut x = vec![0.0f32; 48_000];
        x[0] = 1.0;
        for block in x.chunks_mut(64) {
            bank.process(block);
        }
        let peak = |s: &[f32]| s.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let w = std::f64::consts::TAU * 440.0 / rate;
        let expected = 0.25 / w.sin();
        let early = f64::from(peak(&x[..200]));
        assert!(
            (early / expected - 1.0).abs() < 0.05,
            "{early} vs {expected}"
        );
        // 0.5 s later: 60 dB down.
        let late = f64::from(peak(&x[24_000..24_200]));
        assert!((20.0 * (late / early).log10() + 60.0).abs() < 1.0);
        // It rings at its frequency: 44 cycles in 0.1 s.
        let ups = x[..4_800]
            .windows(2)
            .filter(|p| p[0] < 0.0 && p[1] >= 0.0)
            .count();
        assert!((43..=45).contains(&ups), "{ups}");
    }
}
