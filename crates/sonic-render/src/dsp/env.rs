//! Envelopes with SC's curves (sound.md Appendix A): [`Env::perc`] (one-shot), [`Env::asr`]
//! and [`Env::adsr`] (gated), evaluated at control rate, and [`Lag`], the one-pole smoother.
//!
//! A segment from y0 to y1 over D seconds with curve c follows
//! y(t) = y0 + (y1 − y0)·(1 − e^{c·t/D}) / (1 − e^{c}) (linear when |c| < 0.001); c < 0 moves
//! fast first. An envelope starts at 0 when its note starts; [`Env::next`] gives its value over
//! the next block as a [`Ramp`]. A gated envelope holds its sustain level until
//! [`Env::release`], then falls from wherever it is to 0. Used without ever being released
//! (sound.md's "ungated"), it stays at its sustain level.

use super::Ramp;

/// SC's curve of ASR and ADSR envelopes.
pub const GATED_CURVE: f32 = -4.0;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    target: f32,
    time: f64,
    curve: f32,
}

impl Segment {
    fn value(&self, start: f32, t: f64) -> f32 {
        if self.time <= 0.0 || t >= self.time {
            return self.target;
        }
        let x = t / self.time;
        let shape = if self.curve.abs() < 0.001 {
            x
        } else {
            let c = f64::from(self.curve);
            (1.0 - (c * x).exp()) / (1.0 - c.exp())
        };
        start + (self.target - start) * shape as f32
    }
}

/// An envelope: up to two segments to the sustain point (or the end, for a one-shot), and a
/// release segment for a gated one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Env {
    segments: [Segment; 2],
    count: usize,
    release: Option<Segment>,
    stage: usize,
    releasing: bool,
    done: bool,
    t: f64,
    start: f32,
    level: f32,
}

impl Env {
    fn build(segments: &[Segment], release: Option<Segment>) -> Self {
        let mut all = [Segment {
            target: 0.0,
            time: 0.0,
            curve: 0.0,
        }; 2];
        all[..segments.len()].copy_from_slice(segments);
        Env {
            segments: all,
            count: segments.len(),
            release,
            stage: 0,
            releasing: false,
            done: false,
            t: 0.0,
            start: 0.0,
            level: 0.0,
        }
    }

    /// SC `Env.perc(attack, decay, 1, curve)`: one-shot 0 → 1 in `attack` seconds, 1 → 0 in
    /// `decay`, the same curve on both. Ignores [`Env::release`].
    pub fn perc(attack: f64, decay: f64, curve: f32) -> Self {
        Env::perc_level(attack, decay, 1.0, curve)
    }

    /// [`Env::perc`] with peak `level` (a pitch or an index envelope's peak).
    pub fn perc_level(attack: f64, decay: f64, level: f32, curve: f32) -> Self {
        Env::build(
            &[
                Segment {
                    target: level,
                    time: attack,
                    curve,
                },
                Segment {
                    target: 0.0,
                    time: decay,
                    curve,
                },
            ],
            None,
        )
    }

    /// SC `Env.asr(attack, 1, release)`: gated, 0 → 1 in `attack` (curve -4), holds 1, and on
    /// release falls to 0 in `release` seconds (curve -4).
    pub fn asr(attack: f64, release: f64) -> Self {
        Env::build(
            &[Segment {
                target: 1.0,
                time: attack,
                curve: GATED_CURVE,
            }],
            Some(Segment {
                target: 0.0,
                time: release,
                curve: GATED_CURVE,
            }),
        )
    }

    /// SC `Env.adsr(attack, decay, sustain, release)`: gated, 0 → 1 in `attack`, → `sustain`
    /// in `decay`, holds, and on release → 0 in `release` (all curve -4).
    pub fn adsr(attack: f64, decay: f64, sustain: f32, release: f64) -> Self {
        Env::build(
            &[
                Segment {
                    target: 1.0,
                    time: attack,
                    curve: GATED_CURVE,
                },
                Segment {
                    target: sustain,
                    time: decay,
                    curve: GATED_CURVE,
                },
            ],
            Some(Segment {
                target: 0.0,
                time: release,
                curve: GATED_CURVE,
            }),
        )
    }

    /// True for a gated envelope (it sustains until [`Env::release`]).
    pub fn is_gated(&self) -> bool {
        self.release.is_some()
    }

    /// True once the envelope has reached its end (the voice it drives is freed then).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The current level.
    pub fn level(&self) -> f32 {
        self.level
    }

    /// How long it runs, in seconds, when its gate closes `gate` seconds after the start:
    /// the segments for a one-shot, the gate time plus the release for a gated envelope.
    pub fn length(&self, gate: f64) -> f64 {
        match self.release {
            Some(release) => gate.max(0.0) + release.time.max(0.0),
            None => self.segments[..self.count]
                .iter()
                .map(|s| s.time.max(0.0))
                .sum(),
        }
    }

    /// Closes the gate: a gated envelope falls from its current level to 0 over its release
    /// time; a one-shot ignores it.
    pub fn release(&mut self) {
        if self.release.is_some() && !self.releasing && !self.done {
            self.releasing = true;
            self.start = self.level;
            self.t = 0.0;
        }
    }

    /// Advances by `dt` seconds and returns the level at the start and at the end of that span.
    pub fn next(&mut self, dt: f64) -> Ramp {
        let from = self.level;
        let mut left = dt;
        while !self.done {
            let segment = if self.releasing {
                self.release.expect("only gated envelopes release")
            } else if self.stage < self.count {
                self.segments[self.stage]
            } else if self.release.is_some() {
                break; // sustaining
            } else {
                self.done = true;
                break;
            };
            let remaining = segment.time - self.t;
            if left < remaining {
                self.t += left;
                self.level = segment.value(self.start, self.t);
                break;
            }
            left -= remaining.max(0.0);
            self.level = segment.target;
            self.start = segment.target;
            self.t = 0.0;
            if self.releasing {
                self.done = true;
            } else {
                self.stage += 1;
            }
        }
        Ramp {
            from,
            to: self.level,
        }
    }
}

/// SC's Lag: a one-pole smoother whose step response falls by 60 dB in `time` seconds. Its
/// state starts at its first input, so a constant passes unchanged.
#[derive(Debug, Clone)]
pub struct Lag {
    coef: f64,
    y: Option<f64>,
}

impl Lag {
    /// A lag of `time` seconds at sample rate `rate` (0 passes the input through).
    pub fn new(time: f64, rate: f64) -> Self {
        let coef = if time <= 0.0 {
            0.0
        } else {
            0.001f64.powf(1.0 / (time * rate))
        };
        Lag { coef, y: None }
    }

    /// Forgets its state (the next input starts it again).
    pub fn reset(&mut self) {
        self.y = None;
    }

    /// One sample.
    pub fn next(&mut self, x: f64) -> f64 {
        let y = match self.y {
            None => x,
            Some(y) => x + self.coef * (y - x),
        };
        self.y = Some(y);
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(env: &mut Env, t: f64) -> f32 {
        env.next(t).to
    }

    #[test]
    fn perc_follows_the_sc_curve_and_ends_done() {
        // Halfway through a decay with curve -4: 1 - (1 - e^-2) / (1 - e^-4).
        let mut env = Env::perc(0.01, 1.0, -4.0);
        assert!((at(&mut env, 0.01) - 1.0).abs() < 1e-6);
        let expected = 1.0 - (1.0 - (-2f64).exp()) / (1.0 - (-4f64).exp());
        assert!((f64::from(at(&mut env, 0.5)) - expected).abs() < 1e-6);
        assert!(!env.is_done());
        assert_eq!(at(&mut env, 0.6), 0.0);
        assert!(env.is_done());
        assert_eq!(Env::perc(0.01, 1.0, -4.0).length(5.0), 1.01);
    }

    #[test]
    fn a_linear_curve_is_a_straight_line() {
        let mut env = Env::perc(0.0, 2.0, 0.0);
        assert!((at(&mut env, 0.5) - 0.75).abs() < 1e-6);
    }

    #[test]
    fn perc_ignores_release_and_asr_releases_from_where_it_is() {
        let mut perc = Env::perc(0.001, 1.0, -4.0);
        perc.next(0.1);
        perc.release();
        assert!(!perc.is_done() && perc.next(0.1).to > 0.0);

        let mut asr = Env::asr(1.0, 0.5);
        let half_attack = at(&mut asr, 0.5);
        let expected = (1.0 - (-2f64).exp()) / (1.0 - (-4f64).exp());
        assert!((f64::from(half_attack) - expected).abs() < 1e-6);
        asr.release();
        let mid = at(&mut asr, 0.25);
        let fall = (1.0 - (-2f64).exp()) / (1.0 - (-4f64).exp());
        assert!((f64::from(mid) - f64::from(half_attack) * (1.0 - fall)).abs() < 1e-6);
        assert_eq!(at(&mut asr, 0.3), 0.0);
        assert!(asr.is_done());
        assert_eq!(Env::asr(1.0, 0.5).length(2.0), 2.5);
    }

    #[test]
    fn a_gated_envelope_sustains_until_released() {
        let mut adsr = Env::adsr(0.01, 0.1, 0.5, 0.2);
        assert_eq!(at(&mut adsr, 10.0), 0.5);
        assert!(!adsr.is_done());
        assert_eq!(at(&mut adsr, 10.0), 0.5);
        adsr.release();
        at(&mut adsr, 0.2);
        assert!(adsr.is_done());
    }

    #[test]
    fn a_block_spanning_two_segments_ends_in_the_second() {
        let mut env = Env::perc(0.001, 0.1, 0.0);
        let ramp = env.next(64.0 / 48_000.0);
        assert_eq!(ramp.from, 0.0);
        // 1.333 ms: past the 1 ms attack, 0.333 ms into the linear decay.
        assert!((ramp.to - (1.0 - 0.000_333_3 / 0.1)).abs() < 1e-4);
    }

    #[test]
    fn lag_passes_a_constant_and_settles_60_db_in_its_time() {
        let mut lag = Lag::new(0.1, 48_000.0);
        assert_eq!(lag.next(0.5), 0.5);
        assert_eq!(lag.next(0.5), 0.5);
        let mut lag = Lag::new(0.1, 48_000.0);
        lag.next(1.0);
        let mut y = 0.0;
        for _ in 0..4_800 {
            y = lag.next(0.0);
        }
        assert!((y - 0.001).abs() < 1e-6, "{y}");
    }
}
