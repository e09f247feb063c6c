//! Delays (sound.md Appendix A): a [`DelayLine`] with SC's reads (none, linear, cubic), the
//! plain [`Delay`] (DelayN / DelayC), the feedback [`Comb`] (CombL), the [`Allpass`] (AllpassC)
//! and [`BlockFeedback`], the one-block (64-sample) delay that SC's LocalIn/LocalOut puts in
//! every feedback loop. Each allocates its longest delay at construction and never after.

use super::{decay_gain, BLOCK};

/// SC's 4-point cubic interpolation between `y1` (frac 0) and `y2` (frac 1).
#[inline]
fn cubic(frac: f64, y0: f64, y1: f64, y2: f64, y3: f64) -> f64 {
    let c1 = 0.5 * (y2 - y0);
    let c2 = y0 - 2.5 * y1 + 2.0 * y2 - 0.5 * y3;
    let c3 = 0.5 * (y3 - y0) + 1.5 * (y1 - y2);
    ((c3 * frac + c2) * frac + c1) * frac + y1
}

/// A delay a hair from a whole number of samples (seconds × rate rounds so) is that number:
/// an echo meant to land on a sample does not smear over two.
#[inline]
fn snap(d: f64) -> f64 {
    let whole = d.round();
    if (d - whole).abs() < 1e-9 {
        whole
    } else {
        d
    }
}

/// A ring of past samples. [`DelayLine::tap`] reads the sample written `d` writes ago
/// (`d` = 1 is the last one).
#[derive(Debug, Clone)]
pub struct DelayLine {
    buf: Box<[f32]>,
    mask: usize,
    write: usize,
}

impl DelayLine {
    /// A line that can delay by up to `max_seconds` at sample rate `rate` (plus the points
    /// cubic interpolation reads around it).
    pub fn new(max_seconds: f64, rate: f64) -> Self {
        let frames = (max_seconds.max(0.0) * rate).ceil() as usize + 4;
        let len = frames.next_power_of_two();
        DelayLine {
            buf: vec![0.0; len].into_boxed_slice(),
            mask: len - 1,
            write: 0,
        }
    }

    /// The longest delay it holds, in samples.
    pub fn capacity(&self) -> usize {
        self.buf.len() - 4
    }

    /// Silence, as when new.
    pub fn reset(&mut self) {
        self.buf.fill(0.0);
        self.write = 0;
    }

    /// Appends a sample.
    #[inline]
    pub fn write(&mut self, x: f32) {
        self.buf[self.write] = x;
        self.write = (self.write + 1) & self.mask;
    }

    /// The sample written `d` writes ago (clamped to 1..=capacity).
    #[inline]
    pub fn tap(&self, d: usize) -> f32 {
        let d = d.clamp(1, self.capacity());
        self.buf[(self.write.wrapping_sub(d)) & self.mask]
    }

    /// A fractional tap, linearly interpolated (`d` ≥ 1).
    #[inline]
    pub fn tap_linear(&self, d: f64) -> f32 {
        let d = snap(d.clamp(1.0, self.capacity() as f64 - 1.0));
        let i = d.floor();
        let frac = d - i;
        let i = i as usize;
        let (a, b) = (f64::from(self.tap(i)), f64::from(self.tap(i + 1)));
        (a + (b - a) * frac) as f32
    }

    /// A fractional tap with SC's cubic interpolation (`d` ≥ 1; reads one sample newer and
    /// two older than `d`).
    #[inline]
    pub fn tap_cubic(&self, d: f64) -> f32 {
        let d = snap(d.clamp(1.0, self.capacity() as f64 - 2.0));
        let i = d.floor();
        let frac = d - i;
        let i = i as usize;
        let newer = if i > 1 { self.tap(i - 1) } else { self.tap(i) };
        cubic(
            frac,
            f64::from(newer),
            f64::from(self.tap(i)),
            f64::from(self.tap(i + 1)),
            f64::from(self.tap(i + 2)),
        ) as f32
    }
}

/// SC's DelayN and DelayC: the input delayed by a time that may move every sample.
#[derive(Debug, Clone)]
pub struct Delay {
    line: DelayLine,
    rate: f64,
}

impl Delay {
    /// A delay of up to `max_seconds`.
    pub fn new(max_seconds: f64, rate: f64) -> Self {
        Delay {
            line: DelayLine::new(max_seconds, rate),
            rate,
        }
    }

    /// Silence (a new note).
    pub fn reset(&mut self) {
        self.line.reset();
    }

    /// DelayN: `x` delayed by `seconds`, rounded down to whole samples (0 passes `x`).
    #[inline]
    pub fn next_n(&mut self, x: f32, seconds: f64) -> f32 {
        self.line.write(x);
        let d = (seconds * self.rate).max(0.0) as usize;
        self.line.tap(d + 1)
    }

    /// DelayC: `x` delayed by `seconds` with cubic interpolation (at least one sample).
    #[inline]
    pub fn next_c(&mut self, x: f32, seconds: f64) -> f32 {
        self.line.write(x);
        self.line.tap_cubic(seconds * self.rate + 1.0)
    }
}

/// SC's CombL: out = the line's value `delay` ago, and the line takes x + g·out with
/// g = 0.001^(delay / t60). As in SC, the output is the delayed value: the input appears
/// `delay` later, then its echoes every `delay`, falling 60 dB in `t60`.
#[derive(Debug, Clone)]
pub struct Comb {
    line: DelayLine,
    rate: f64,
}

impl Comb {
    /// A comb of up to `max_seconds` delay.
    pub fn new(max_seconds: f64, rate: f64) -> Self {
        Comb {
            line: DelayLine::new(max_seconds, rate),
            rate,
        }
    }

    /// Silence (a new note).
    pub fn reset(&mut self) {
        self.line.reset();
    }

    /// One sample with `delay` and `t60` in seconds (linear interpolation).
    #[inline]
    pub fn next(&mut self, x: f32, delay: f64, t60: f64) -> f32 {
        let value = self.line.tap_linear(delay * self.rate);
        let g = decay_gain(delay, t60) as f32;
        self.line.write(x + g * value);
        value
    }
}

/// SC's AllpassC: v = the line `delay` ago, w = x + g·v into the line, out = v − g·w, with
/// g = 0.001^(delay / t60) and cubic interpolation.
#[derive(Debug, Clone)]
pub struct Allpass {
    line: DelayLine,
    rate: f64,
}

impl Allpass {
    /// An all-pass of up to `max_seconds` delay.
    pub fn new(max_seconds: f64, rate: f64) -> Self {
        Allpass {
            line: DelayLine::new(max_seconds, rate),
            rate,
        }
    }

    /// Silence (a new note).
    pub fn reset(&mut self) {
        self.line.reset();
    }

    /// One sample with `delay` and `t60` in seconds.
    #[inline]
    pub fn next(&mut self, x: f32, delay: f64, t60: f64) -> f32 {
        let v = f64::from(self.line.tap_cubic(delay * self.rate));
        let g = decay_gain(delay, t60);
        let w = f64::from(x) + g * v;
        self.line.write(w as f32);
        (v - g * w) as f32
    }
}

/// The one-block feedback path of SC's LocalIn/LocalOut: what is written comes back exactly
/// [`BLOCK`] (64) samples later.
#[derive(Debug, Clone)]
pub struct BlockFeedback {
    buf: [f32; BLOCK],
    pos: usize,
}

impl Default for BlockFeedback {
    fn default() -> Self {
        BlockFeedback {
            buf: [0.0; BLOCK],
            pos: 0,
        }
    }
}

impl BlockFeedback {
    /// Silence.
    pub fn new() -> Self {
        Self::default()
    }

    /// Silence (a new note).
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// The value fed back now: what was written 64 samples ago.
    #[inline]
    pub fn read(&self) -> f32 {
        self.buf[self.pos]
    }

    /// Feeds `y` back (call once per sample, after [`BlockFeedback::read`]).
    #[inline]
    pub fn write(&mut self, y: f32) {
        self.buf[self.pos] = y;
        self.pos = (self.pos + 1) % BLOCK;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: f64 = 48_000.0;

    fn impulse_response(mut f: impl FnMut(f32) -> f32, n: usize) -> Vec<f32> {
        (0..n).map(|i| f(if i == 0 { 1.0 } else { 0.0 })).collect()
    }

    #[test]
    fn delay_n_and_c_move_an_impulse_by_the_delay() {
        let mut d = Delay::new(0.01, RATE);
        let y = impulse_response(|x| d.next_n(x, 100.0 / RATE), 200);
        assert_eq!(y.iter().position(|&v| v == 1.0), Some(100));
        assert_eq!(y.iter().filter(|&&v| v != 0.0).count(), 1);
        let mut d = Delay::new(0.01, RATE);
        let y = impulse_response(|x| d.next_c(x, 100.0 / RATE), 200);
        assert!((y[100] - 1.0).abs() < 1e-6);
        // Half a sample: the cubic spreads it over neighbours, summing to about 1.
        let mut d = Delay::new(0.01, RATE);
        let y = impulse_response(|x| d.next_c(x, 100.5 / RATE), 200);
        assert!((y[100] - 0.5625).abs() < 1e-3 && (y[101] - 0.5625).abs() < 1e-3);
        let mut d = Delay::new(0.01, RATE);
        assert_eq!(d.next_n(0.25, 0.0), 0.25);
    }

    #[test]
    fn a_comb_echoes_every_delay_falling_60_db_in_t60() {
        let delay = 0.001; // 48 samples
        let mut comb = Comb::new(0.01, RATE);
        let y = impulse_response(|x| comb.next(x, delay, 0.1), 4_849);
        assert!((y[48] - 1.0).abs() < 1e-6, "first echo at the delay");
        assert_eq!(y[..48].iter().filter(|&&v| v != 0.0).count(), 0);
        let g = 0.001f64.powf(0.01);
        assert!((f64::from(y[96]) - g).abs() < 1e-6);
        // t60 (100 round trips) after the first echo, 60 dB down.
        assert!((f64::from(y[4_848]) - 0.001).abs() < 1e-6);
    }

    #[test]
    fn an_allpass_passes_every_frequency_at_unity() {
        let mut ap = Allpass::new(0.01, RATE);
        let y = impulse_response(|x| ap.next(x, 0.003, 0.2), 96_000);
        let energy: f64 = y.iter().map(|&v| f64::from(v).powi(2)).sum();
        assert!((energy - 1.0).abs() < 1e-3, "{energy}");
        let g = 0.001f64.powf(0.003 / 0.2);
        assert!((f64::from(y[0]) + g).abs() < 1e-6, "out = -g·x at once");
    }

    #[test]
    fn block_feedback_returns_exactly_64_samples_later() {
        let mut fb = BlockFeedback::new();
        let mut seen = Vec::new();
        for i in 0..130 {
            seen.push(fb.read());
            fb.write(i as f32);
        }
        assert_eq!(seen[64], 0.0);
        assert_eq!(seen[65], 1.0);
        assert_eq!(seen[129], 65.0);
    }
}
