//! Oscillators (sound.md Appendix A): [`Sin`] (a table sine from phase 0), the band-limited
//! [`Saw`] and [`Pulse`] (Dirichlet kernels through SC's 0.999 leaky integrator), [`Blip`],
//! the naive [`LfTri`], [`Impulse`] and the control-rate sine [`Lfo`].
//!
//! Frequencies are in Hz and are held for a block (`fill`, `add`); [`Sin::next`] and
//! [`Sin::next_pm`] take one per sample for frequency and phase modulation.

use std::f64::consts::{PI, TAU};
use std::sync::LazyLock;

use super::Ramp;

const TABLE_BITS: u32 = 13;
const TABLE: usize = 1 << TABLE_BITS;

/// One cycle of a sine, with two guard points so an interpolated read at phase 1 stays inside.
static SINE: LazyLock<Box<[f64]>> = LazyLock::new(|| {
    (0..TABLE + 2)
        .map(|i| (TAU * i as f64 / TABLE as f64).sin())
        .collect()
});

/// sin(2π·phase) by linear interpolation in the table (phase in cycles, any value).
#[inline]
fn sine(table: &[f64], phase: f64) -> f64 {
    let x = wrap(phase) * TABLE as f64;
    let i = x as usize;
    let frac = x - i as f64;
    let a = table[i];
    a + (table[i + 1] - a) * frac
}

/// Wraps a phase into [0, 1). Most phases are inside or one step out, which costs a compare
/// (`floor` is a library call on baseline x86-64).
#[inline]
fn wrap(phase: f64) -> f64 {
    if (0.0..1.0).contains(&phase) {
        phase
    } else if (1.0..2.0).contains(&phase) {
        phase - 1.0
    } else if (-1.0..0.0).contains(&phase) {
        phase + 1.0
    } else {
        phase - phase.floor()
    }
}

/// The number of harmonics SC's Saw and Pulse keep below Nyquist: floor(rate / 2f), at least 1.
fn harmonics(rate: f64, freq: f64) -> f64 {
    (rate / (2.0 * freq.abs().max(1e-9)))
        .floor()
        .clamp(1.0, 1e6)
}

/// The normalised Dirichlet kernel (1/N)·Σ_{k=1..N} cos(2πk·phase): 1 at phase 0, a small
/// ripple around -1/(2N) elsewhere.
#[inline]
fn dirichlet(table: &[f64], phase: f64, n: f64) -> f64 {
    let phase = wrap(phase);
    let den = sine(table, 0.5 * phase); // sin(π·phase), ≥ 0
    let ratio = if den > 1e-3 {
        sine(table, (n + 0.5) * phase) / (2.0 * den)
    } else {
        // Near the peak the table's error would be divided by almost nothing.
        let den = (PI * phase).sin();
        if den.abs() < 1e-12 {
            n + 0.5
        } else {
            (PI * (2.0 * n + 1.0) * phase).sin() / (2.0 * den)
        }
    };
    (ratio - 0.5) / n
}

/// A sine oscillator (SC SinOsc): ±1, starting at phase 0. Its phase is a 32-bit fixed-point
/// fraction of a cycle (wrapping is free; 11 µHz of resolution at 48 kHz).
#[derive(Debug, Clone)]
pub struct Sin {
    phase: u32,
    cycles_per_hz: f64,
    table: &'static [f64],
}

/// Fractional bits below a table index in a 32-bit phase.
const FRAC_BITS: u32 = 32 - TABLE_BITS;
const TURN: f64 = 4_294_967_296.0;

impl Sin {
    /// A sine at sample rate `rate`, at phase 0.
    pub fn new(rate: f64) -> Self {
        Sin {
            phase: 0,
            cycles_per_hz: TURN / rate,
            table: &SINE,
        }
    }

    /// Back to phase 0.
    pub fn reset(&mut self) {
        self.phase = 0;
    }

    #[inline]
    fn at(&self, phase: u32) -> f64 {
        let i = (phase >> FRAC_BITS) as usize;
        let frac = f64::from(phase & ((1 << FRAC_BITS) - 1)) * (1.0 / f64::from(1u32 << FRAC_BITS));
        let a = self.table[i];
        a + (self.table[i + 1] - a) * frac
    }

    /// The phase step of `freq` Hz (negative frequencies run backwards).
    #[inline]
    fn step(&self, freq: f64) -> u32 {
        (freq * self.cycles_per_hz) as i64 as u32
    }

    /// One sample at `freq` Hz (which may change every sample: FM).
    #[inline]
    pub fn next(&mut self, freq: f64) -> f32 {
        let y = self.at(self.phase);
        self.phase = self.phase.wrapping_add(self.step(freq));
        y as f32
    }

    /// One sample at `freq` Hz with `offset` radians added to the phase (SC SinOsc's phase
    /// input: phase modulation).
    #[inline]
    pub fn next_pm(&mut self, freq: f64, offset: f64) -> f32 {
        let shift = (wrap(offset / TAU) * TURN) as u64 as u32;
        let y = self.at(self.phase.wrapping_add(shift));
        self.phase = self.phase.wrapping_add(self.step(freq));
        y as f32
    }

    /// Writes a block at `freq` Hz.
    pub fn fill(&mut self, out: &mut [f32], freq: f64) {
        let step = self.step(freq);
        for y in out {
            *y = self.at(self.phase) as f32;
            self.phase = self.phase.wrapping_add(step);
        }
    }

    /// Adds a block at `freq` Hz, times `gain`.
    pub fn add(&mut self, out: &mut [f32], freq: f64, gain: f32) {
        let step = self.step(freq);
        for y in out {
            *y += self.at(self.phase) as f32 * gain;
            self.phase = self.phase.wrapping_add(step);
        }
    }
}

/// SC's band-limited sawtooth: a falling ramp of about ±0.5 (RMS 0.29) with Gibbs ripple to
/// about ±0.63, from floor(rate / 2f) harmonics, integrated by y = p + 0.999·y (y starts at
/// -0.46, so it starts near +0.5).
#[derive(Debug, Clone)]
pub struct Saw {
    phase: f64,
    y: f64,
    rate: f64,
    table: &'static [f64],
}

impl Saw {
    /// A sawtooth at sample rate `rate`.
    pub fn new(rate: f64) -> Self {
        Saw {
            phase: 0.0,
            y: -0.46,
            rate,
            table: &SINE,
        }
    }

    /// Back to its start (phase 0, integrator -0.46).
    pub fn reset(&mut self) {
        self.phase = 0.0;
        self.y = -0.46;
    }

    /// Writes a block at `freq` Hz.
    pub fn fill(&mut self, out: &mut [f32], freq: f64) {
        out.fill(0.0);
        self.add(out, freq, 1.0);
    }

    /// Adds a block at `freq` Hz, times `gain`.
    pub fn add(&mut self, out: &mut [f32], freq: f64, gain: f32) {
        let n = harmonics(self.rate, freq);
        let step = freq / self.rate;
        for y in out {
            let p = dirichlet(self.table, self.phase, n);
            self.y = p + 0.999 * self.y;
            self.phase = wrap(self.phase + step);
            *y += self.y as f32 * gain;
        }
    }
}

/// SC's band-limited pulse of duty `width` (0..1): the difference of two Dirichlet kernels a
/// width apart, integrated as [`Saw`]. DC-free, peak-to-peak about 1 (±0.5 at width 0.5);
/// the integrator starts at -width, the level before the first rising edge.
#[derive(Debug, Clone)]
pub struct Pulse {
    phase: f64,
    y: f64,
    width: f64,
    rate: f64,
    table: &'static [f64],
}

impl Pulse {
    /// A pulse of duty `width` at sample rate `rate`.
    pub fn new(rate: f64, width: f64) -> Self {
        let width = width.clamp(0.0, 1.0);
        Pulse {
            phase: 0.0,
            y: -width,
            width,
            rate,
            table: &SINE,
        }
    }

    /// Back to its start with duty `width`.
    pub fn reset(&mut self, width: f64) {
        *self = Pulse::new(self.rate, width);
    }

    /// Changes the duty for the next blocks (pulse-width modulation).
    pub fn set_width(&mut self, width: f64) {
        self.width = width.clamp(0.0, 1.0);
    }

    /// Writes a block at `freq` Hz.
    pub fn fill(&mut self, out: &mut [f32], freq: f64) {
        out.fill(0.0);
        self.add(out, freq, 1.0);
    }

    /// Adds a block at `freq` Hz, times `gain`.
    pub fn add(&mut self, out: &mut [f32], freq: f64, gain: f32) {
        let n = harmonics(self.rate, freq);
        let step = freq / self.rate;
        for y in out {
            let p = dirichlet(self.table, self.phase, n)
                - dirichlet(self.table, self.phase - self.width, n);
            self.y = p + 0.999 * self.y;
            self.phase = wrap(self.phase + step);
            *y += self.y as f32 * gain;
        }
    }
}

/// SC's Blip: `n` equal harmonics, (1/n)·Σ cos(2πk·f·t), peak 1 at phase 0. Harmonics above
/// Nyquist are dropped, as SC does.
#[derive(Debug, Clone)]
pub struct Blip {
    phase: f64,
    rate: f64,
    table: &'static [f64],
}

impl Blip {
    /// A band-limited impulse train at sample rate `rate`.
    pub fn new(rate: f64) -> Self {
        Blip {
            phase: 0.0,
            rate,
            table: &SINE,
        }
    }

    /// Back to phase 0.
    pub fn reset(&mut self) {
        self.phase = 0.0;
    }

    /// Adds a block of `n` harmonics at `freq` Hz, times `gain`.
    pub fn add(&mut self, out: &mut [f32], freq: f64, n: usize, gain: f32) {
        let n = (n.max(1) as f64).min(harmonics(self.rate, freq));
        let step = freq / self.rate;
        for y in out {
            *y += dirichlet(self.table, self.phase, n) as f32 * gain;
            self.phase = wrap(self.phase + step);
        }
    }
}

/// SC's LFTri: a naive (not band-limited) triangle, ±1, starting at 0 and rising.
#[derive(Debug, Clone)]
pub struct LfTri {
    phase: f64,
    inv_rate: f64,
}

impl LfTri {
    /// A triangle at sample rate `rate`.
    pub fn new(rate: f64) -> Self {
        LfTri {
            phase: 0.0,
            inv_rate: 1.0 / rate,
        }
    }

    /// Back to phase 0.
    pub fn reset(&mut self) {
        self.phase = 0.0;
    }

    /// Adds a block at `freq` Hz, times `gain`.
    pub fn add(&mut self, out: &mut [f32], freq: f64, gain: f32) {
        let step = freq * self.inv_rate;
        for y in out {
            let v = 4.0 * (wrap(self.phase + 0.75) - 0.5).abs() - 1.0;
            self.phase = wrap(self.phase + step);
            *y += v as f32 * gain;
        }
    }
}

/// SC's Impulse.ar(0) as sound.md uses it: 1 at the voice's first sample, then 0.
#[derive(Debug, Clone, Default)]
pub struct Impulse {
    fired: bool,
}

impl Impulse {
    /// An impulse that has not fired yet.
    pub fn new() -> Self {
        Impulse { fired: false }
    }

    /// Arms it again for the next note.
    pub fn reset(&mut self) {
        self.fired = false;
    }

    /// Adds the impulse (once, at the first sample ever asked for), times `gain`.
    pub fn add(&mut self, out: &mut [f32], gain: f32) {
        if !self.fired && !out.is_empty() {
            out[0] += gain;
            self.fired = true;
        }
    }
}

/// A control-rate sine LFO (SC `SinOsc.kr`): sin(2π·f·t + phase), evaluated at block
/// boundaries, time counted from the note's start.
#[derive(Debug, Clone)]
pub struct Lfo {
    freq: f64,
    start_phase: f64,
    t: f64,
}

impl Lfo {
    /// An LFO at `freq` Hz starting at `phase` radians.
    pub fn new(freq: f64, phase: f64) -> Self {
        Lfo {
            freq,
            start_phase: phase,
            t: 0.0,
        }
    }

    /// Back to time 0 with a new frequency and phase.
    pub fn reset(&mut self, freq: f64, phase: f64) {
        *self = Lfo::new(freq, phase);
    }

    fn value(&self) -> f32 {
        (TAU * self.freq * self.t + self.start_phase).sin() as f32
    }

    /// The LFO over the next `dt` seconds (a block's [`crate::voice::VoiceOut::dt`]).
    pub fn next(&mut self, dt: f64) -> Ramp {
        let from = self.value();
        self.t += dt;
        Ramp {
            from,
            to: self.value(),
        }
    }
}

#[cfg(test)]
#[path = "osc_tests.rs"]
mod tests;
