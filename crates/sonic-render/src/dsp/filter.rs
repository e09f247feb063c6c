//! Two-pole filters with SC's coefficients (sound.md Appendix A): [`Filter::lpf`] and
//! [`Filter::hpf`] (Butterworth), [`Filter::rlpf`] and [`Filter::rhpf`] (resonant, rq = 1/Q),
//! [`Filter::bpf`], [`Filter::resonz`], and the RBJ [`Filter::low_shelf`],
//! [`Filter::high_shelf`] and [`Filter::peak`].
//!
//! All are one transfer function, H(z) = g·(c0 + c1·z⁻¹ + c2·z⁻²) / (1 − b1·z⁻¹ − b2·z⁻²), with
//! SC's coefficients and 64-bit state as in SC. Moving a parameter ([`Filter::set_freq`] and
//! friends, once per block) ramps the coefficients to their new values across the next
//! processed block, as SC does. It runs in direct form I (its state is the signal itself,
//! past inputs and outputs), where SC's form keeps an internal state scaled by the
//! coefficients: a cutoff that jumps then moves the output smoothly instead of kicking it.

use std::f64::consts::{PI, SQRT_2};

#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Coefs {
    g: f64,
    b1: f64,
    b2: f64,
    c0: f64,
    c1: f64,
    c2: f64,
}

impl Coefs {
    fn lerp(&self, to: &Coefs, k: f64) -> Coefs {
        let m = |a: f64, b: f64| a + (b - a) * k;
        Coefs {
            g: m(self.g, to.g),
            b1: m(self.b1, to.b1),
            b2: m(self.b2, to.b2),
            c0: m(self.c0, to.c0),
            c1: m(self.c1, to.c1),
            c2: m(self.c2, to.c2),
        }
    }
}

/// Which response a [`Filter`] has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// 2-pole Butterworth low-pass (SC LPF).
    Lpf,
    /// 2-pole Butterworth high-pass (SC HPF).
    Hpf,
    /// Resonant low-pass (SC RLPF), unity passband, peak about 1/rq.
    Rlpf,
    /// Resonant high-pass (SC RHPF).
    Rhpf,
    /// Band-pass, unity gain at the centre, bandwidth rq·f (SC BPF).
    Bpf,
    /// Two-pole resonator, bandwidth rq·f (SC Resonz).
    Resonz,
    /// RBJ low shelf, slope 1 (SC BLowShelf).
    LowShelf,
    /// RBJ high shelf, slope 1 (SC BHiShelf).
    HighShelf,
    /// RBJ peaking EQ with rq as its bandwidth (SC BPeakEQ).
    Peak,
}

/// A two-pole filter; see the module documentation.
#[derive(Debug, Clone)]
pub struct Filter {
    shape: Shape,
    rate: f64,
    freq: f64,
    rq: f64,
    db: f64,
    coefs: Coefs,
    target: Coefs,
    x1: f64,
    x2: f64,
    y1: f64,
    y2: f64,
}

impl Filter {
    fn new(shape: Shape, rate: f64, freq: f64, rq: f64, db: f64) -> Self {
        let mut filter = Filter {
            shape,
            rate,
            freq,
            rq,
            db,
            coefs: Coefs::default(),
            target: Coefs::default(),
            x1: 0.0,
            x2: 0.0,
            y1: 0.0,
            y2: 0.0,
        };
        filter.target = filter.design();
        filter.coefs = filter.target;
        filter
    }

    /// SC LPF at `freq` Hz.
    pub fn lpf(rate: f64, freq: f64) -> Self {
        Filter::new(Shape::Lpf, rate, freq, 1.0, 0.0)
    }

    /// SC HPF at `freq` Hz.
    pub fn hpf(rate: f64, freq: f64) -> Self {
        Filter::new(Shape::Hpf, rate, freq, 1.0, 0.0)
    }

    /// SC RLPF at `freq` Hz with reciprocal Q `rq` (smaller is more resonant).
    pub fn rlpf(rate: f64, freq: f64, rq: f64) -> Self {
        Filter::new(Shape::Rlpf, rate, freq, rq, 0.0)
    }

    /// SC RHPF at `freq` Hz with reciprocal Q `rq`.
    pub fn rhpf(rate: f64, freq: f64, rq: f64) -> Self {
        Filter::new(Shape::Rhpf, rate, freq, rq, 0.0)
    }

    /// SC BPF centred on `freq` Hz, bandwidth `rq`·`freq`.
    pub fn bpf(rate: f64, freq: f64, rq: f64) -> Self {
        Filter::new(Shape::Bpf, rate, freq, rq, 0.0)
    }

    /// SC Resonz at `freq` Hz, bandwidth `rq`·`freq`.
    pub fn resonz(rate: f64, freq: f64, rq: f64) -> Self {
        Filter::new(Shape::Resonz, rate, freq, rq, 0.0)
    }

    /// RBJ low shelf at `freq` Hz, `db` of gain below it.
    pub fn low_shelf(rate: f64, freq: f64, db: f64) -> Self {
        Filter::new(Shape::LowShelf, rate, freq, 1.0, db)
    }

    /// RBJ high shelf at `freq` Hz, `db` of gain above it.
    pub fn high_shelf(rate: f64, freq: f64, db: f64) -> Self {
        Filter::new(Shape::HighShelf, rate, freq, 1.0, db)
    }

    /// RBJ peaking EQ at `freq` Hz, bandwidth `rq`, `db` of gain at the centre.
    pub fn peak(rate: f64, freq: f64, rq: f64, db: f64) -> Self {
        Filter::new(Shape::Peak, rate, freq, rq, db)
    }

    /// The filter's shape.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// Moves the frequency (cutoff or centre); the coefficients ramp there over the next block.
    pub fn set_freq(&mut self, freq: f64) {
        self.set(freq, self.rq, self.db);
    }

    /// Moves frequency, rq and gain together.
    pub fn set(&mut self, freq: f64, rq: f64, db: f64) {
        if (freq, rq, db) != (self.freq, self.rq, self.db) {
            (self.freq, self.rq, self.db) = (freq, rq, db);
            self.target = self.design();
        }
    }

    /// Clears the state and jumps to the current parameters (a new note).
    pub fn reset(&mut self) {
        (self.x1, self.x2, self.y1, self.y2) = (0.0, 0.0, 0.0, 0.0);
        self.coefs = self.target;
    }

    fn design(&self) -> Coefs {
        let nyquist_guard = 0.499 * self.rate;
        let freq = self.freq.clamp(1e-3, nyquist_guard);
        let w = 2.0 * PI * freq / self.rate;
        let rq = self.rq.max(1e-6);
        match self.shape {
            Shape::Lpf | Shape::Hpf => {
                let c = if self.shape == Shape::Lpf {
                    1.0 / (w / 2.0).tan()
                } else {
                    (w / 2.0).tan()
                };
                let a0 = 1.0 / (1.0 + SQRT_2 * c + c * c);
                let b1 = 2.0 * (1.0 - c * c) * a0;
                let b2 = -(1.0 - SQRT_2 * c + c * c) * a0;
                let (b1, c1) = if self.shape == Shape::Lpf {
                    (-b1, 2.0 * a0)
                } else {
                    (b1, -2.0 * a0)
                };
                Coefs {
                    g: 1.0,
                    b1,
                    b2,
                    c0: a0,
                    c1,
                    c2: a0,
                }
            }
            Shape::Rlpf | Shape::Rhpf => {
                let d = (w * rq / 2.0).tan();
                let c = (1.0 - d) / (1.0 + d);
                let b1 = (1.0 + c) * w.cos();
                let b2 = -c;
                let (a0, c1) = if self.shape == Shape::Rlpf {
                    ((1.0 + c - b1) / 4.0, 2.0)
                } else {
                    ((1.0 + c + b1) / 4.0, -2.0)
                };
                Coefs {
                    g: a0,
                    b1,
                    b2,
                    c0: 1.0,
                    c1,
                    c2: 1.0,
                }
            }
            Shape::Bpf => {
                let c = 1.0 / (rq * w / 2.0).tan();
                let d = 2.0 * w.cos();
                let a0 = 1.0 / (1.0 + c);
                Coefs {
                    g: 1.0,
                    b1: c * d * a0,
                    b2: (1.0 - c) * a0,
                    c0: a0,
                    c1: 0.0,
                    c2: -a0,
                }
            }
            Shape::Resonz => {
                let r = 1.0 - w * rq / 2.0;
                let a0 = (1.0 - r * r) / 2.0;
                Coefs {
                    g: 1.0,
                    b1: 2.0 * r * (2.0 * r * w.cos() / (1.0 + r * r)),
                    b2: -r * r,
                    c0: a0,
                    c1: 0.0,
                    c2: -a0,
                }
            }
            Shape::LowShelf | Shape::HighShelf | Shape::Peak => self.rbj(w, rq),
        }
    }

    /// The RBJ Audio-EQ-Cookbook biquads, normalised and written in this structure.
    fn rbj(&self, w: f64, rq: f64) -> Coefs {
        let a = 10f64.powf(self.db / 40.0);
        let (sin, cos) = w.sin_cos();
        let (b0, b1, b2, a0, a1, a2) = match self.shape {
            Shape::Peak => {
                let alpha = sin * rq / 2.0;
                (
                    1.0 + alpha * a,
                    -2.0 * cos,
                    1.0 - alpha * a,
                    1.0 + alpha / a,
                    -2.0 * cos,
                    1.0 - alpha / a,
                )
            }
            _ => {
                // Slope S = 1: alpha = sin(w)/2 · sqrt((A + 1/A)(1/S - 1) + 2).
                let k = 2.0 * a.sqrt() * sin / 2.0 * SQRT_2;
                let (p, m) = (a + 1.0, a - 1.0);
                if self.shape == Shape::LowShelf {
                    (
                        a * (p - m * cos + k),
                        2.0 * a * (m - p * cos),
                        a * (p - m * cos - k),
                        p + m * cos + k,
                        -2.0 * (m + p * cos),
                        p + m * cos - k,
                    )
                } else {
                    (
                        a * (p + m * cos + k),
                        -2.0 * a * (m + p * cos),
                        a * (p + m * cos - k),
                        p - m * cos + k,
                        2.0 * (m - p * cos),
                        p - m * cos - k,
                    )
                }
            }
        };
        Coefs {
            g: 1.0,
            b1: -a1 / a0,
            b2: -a2 / a0,
            c0: b0 / a0,
            c1: b1 / a0,
            c2: b2 / a0,
        }
    }

    #[inline]
    fn step(&mut self, k: &Coefs, x: f64) -> f64 {
        let y =
            k.g * (k.c0 * x + k.c1 * self.x1 + k.c2 * self.x2) + k.b1 * self.y1 + k.b2 * self.y2;
        (self.x2, self.x1) = (self.x1, x);
        (self.y2, self.y1) = (self.y1, y);
        y
    }

    /// One sample (with the current coefficients; a pending move is applied by
    /// [`Filter::process`]).
    #[inline]
    pub fn tick(&mut self, x: f32) -> f32 {
        let k = self.coefs;
        self.step(&k, f64::from(x)) as f32
    }

    /// Filters a block in place.
    pub fn process(&mut self, block: &mut [f32]) {
        if self.coefs == self.target {
            let k = self.coefs;
            for x in block {
                *x = self.step(&k, f64::from(*x)) as f32;
            }
            return;
        }
        let (from, to) = (self.coefs, self.target);
        let n = block.len() as f64;
        for (i, x) in block.iter_mut().enumerate() {
            let k = from.lerp(&to, (i + 1) as f64 / n);
            *x = self.step(&k, f64::from(*x)) as f32;
        }
        self.coefs = to;
    }

    /// The magnitude of the filter's response at `freq` Hz with its target coefficients
    /// (what it settles to), as a linear gain.
    pub fn response(&self, freq: f64) -> f64 {
        let k = self.target;
        let w = 2.0 * PI * freq / self.rate;
        // H(z) = g·(c0 + c1 z^-1 + c2 z^-2) / (1 - b1 z^-1 - b2 z^-2)
        let z1 = (w.cos(), -w.sin());
        let z2 = ((2.0 * w).cos(), -(2.0 * w).sin());
        let num = (
            k.g * (k.c0 + k.c1 * z1.0 + k.c2 * z2.0),
            k.g * (k.c1 * z1.1 + k.c2 * z2.1),
        );
        let den = (1.0 - k.b1 * z1.0 - k.b2 * z2.0, -k.b1 * z1.1 - k.b2 * z2.1);
        (num.0.hypot(num.1)) / (den.0.hypot(den.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: f64 = 48_000.0;

    /// The gain a filter gives a sine of `freq` Hz, measured on its output after it settles.
    fn measured_gain(filter: &mut Filter, freq: f64) -> f64 {
        let n = 48_000;
        let input: Vec<f32> = (0..n)
            .map(|i| (2.0 * PI * freq * i as f64 / RATE).sin() as f32)
            .collect();
        let mut out = input.clone();
        for block in out.chunks_mut(64) {
            filter.process(block);
        }
        let rms = |x: &[f32]| {
            (x.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
        };
        rms(&out[n / 2..]) / rms(&input[n / 2..])
    }

    fn db(gain: f64) -> f64 {
        20.0 * gain.log10()
    }

    #[test]
    fn butterworth_filters_are_3_db_down_at_their_cutoff() {
        let mut lpf = Filter::lpf(RATE, 1_000.0);
        assert!((db(measured_gain(&mut lpf, 1_000.0)) + 3.01).abs() < 0.05);
        assert!(db(Filter::lpf(RATE, 1_000.0).response(10.0)).abs() < 0.01);
        // 12 dB per octave well above the cutoff.
        let lpf = Filter::lpf(RATE, 1_000.0);
        assert!((db(lpf.response(4_000.0)) - db(lpf.response(8_000.0)) - 12.0).abs() < 1.5);
        let mut hpf = Filter::hpf(RATE, 1_000.0);
        assert!((db(measured_gain(&mut hpf, 1_000.0)) + 3.01).abs() < 0.05);
        assert!(db(Filter::hpf(RATE, 1_000.0).response(100.0)) < -39.0);
    }

    #[test]
    fn resonant_filters_peak_at_one_over_rq_and_pass_unity() {
        for rq in [0.5, 0.2] {
            let mut rlpf = Filter::rlpf(RATE, 2_000.0, rq);
            let peak = measured_gain(&mut rlpf, 2_000.0);
            assert!((peak * rq - 1.0).abs() < 0.05, "rq {rq}: peak {peak}");
            assert!((Filter::rlpf(RATE, 2_000.0, rq).response(20.0) - 1.0).abs() < 1e-3);
            let rhpf = Filter::rhpf(RATE, 2_000.0, rq);
            assert!((rhpf.response(2_000.0) * rq - 1.0).abs() < 0.05);
            assert!((rhpf.response(20_000.0) - 1.0).abs() < 0.1);
        }
    }

    #[test]
    fn band_pass_filters_are_unity_at_their_centre() {
        let mut bpf = Filter::bpf(RATE, 1_000.0, 0.5);
        assert!((measured_gain(&mut bpf, 1_000.0) - 1.0).abs() < 0.01);
        let bpf = Filter::bpf(RATE, 1_000.0, 0.5);
        assert!(bpf.response(100.0) < 0.1 && bpf.response(10_000.0) < 0.1);
        let mut resonz = Filter::resonz(RATE, 1_000.0, 0.1);
        assert!((measured_gain(&mut resonz, 1_000.0) - 1.0).abs() < 0.02);
        // Bandwidth rq·f: at the band's edges (f ± 50 Hz) about -3 dB.
        let resonz = Filter::resonz(RATE, 1_000.0, 0.1);
        assert!((db(resonz.response(1_050.0)) + 3.0).abs() < 0.5);
    }

    #[test]
    fn shelves_and_peaks_give_their_gain_where_they_should() {
        let low = Filter::low_shelf(RATE, 200.0, 6.0);
        assert!((db(low.response(10.0)) - 6.0).abs() < 0.05);
        assert!(db(low.response(10_000.0)).abs() < 0.05);
        let high = Filter::high_shelf(RATE, 5_000.0, -9.0);
        assert!((db(high.response(23_000.0)) + 9.0).abs() < 0.1);
        assert!(db(high.response(50.0)).abs() < 0.05);
        let mut peak = Filter::peak(RATE, 1_000.0, 1.0, 12.0);
        assert!((db(measured_gain(&mut peak, 1_000.0)) - 12.0).abs() < 0.05);
        assert!(db(Filter::peak(RATE, 1_000.0, 1.0, 0.0).response(3_000.0)).abs() < 1e-9);
    }

    #[test]
    fn moving_the_cutoff_ramps_without_a_jump_and_lands_on_the_target() {
        let mut lpf = Filter::lpf(RATE, 500.0);
        let mut dc = [1.0f32; 64];
        for _ in 0..100 {
            dc = [1.0; 64];
            lpf.process(&mut dc);
        }
        lpf.set_freq(5_000.0);
        let mut block = [1.0f32; 64];
        lpf.process(&mut block);
        assert!(
            block.iter().all(|&y| (y - 1.0).abs() < 0.01),
            "DC stays put"
        );
        assert_eq!(lpf.coefs, lpf.target);
        assert!((dc[63] - 1.0).abs() < 1e-3);
    }
}
