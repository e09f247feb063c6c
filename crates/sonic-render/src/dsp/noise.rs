//! Noise (sound.md Appendix A): [`WhiteNoise`] (uniform ±1), [`PinkNoise`] (Voss-McCartney),
//! [`BrownNoise`] (a ±1/8 random walk folded at ±1) and [`Lfn1`] (SC LFNoise1: random values
//! picked r times a second, linearly interpolated), all drawing from [`Rng`], a SplitMix64
//! generator seeded per voice (see [`crate::voice::NoteOn::rng`]) so a render is reproducible.

use super::Ramp;

/// A small, fast, seedable generator (SplitMix64). Each noise source owns one.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// An independent generator for stream `k` of `seed` (two streams of one seed, or one
    /// stream of two seeds, never share a sequence in practice).
    pub fn stream(seed: u64, k: u64) -> Self {
        let mut mix = Rng(seed ^ k.wrapping_mul(0xA24B_AED4_963E_E407));
        Rng(mix.next_u64())
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [-1, 1), 24 bits of resolution.
    #[inline]
    pub fn bipolar(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * (1.0 / (1u32 << 23) as f32) - 1.0
    }

    /// Uniform in [lo, hi) (SC's Rand, drawn once at voice start).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        let unit = (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
        lo + (hi - lo) * unit
    }
}

/// White noise, uniform in [-1, 1).
#[derive(Debug, Clone)]
pub struct WhiteNoise {
    rng: Rng,
}

impl WhiteNoise {
    /// White noise drawing from `rng`.
    pub fn new(rng: Rng) -> Self {
        WhiteNoise { rng }
    }

    /// Starts over from a new generator (a new note).
    pub fn reseed(&mut self, rng: Rng) {
        self.rng = rng;
    }

    /// One sample.
    #[inline]
    pub fn sample(&mut self) -> f32 {
        self.rng.bipolar()
    }

    /// Adds a block times `gain`.
    pub fn add(&mut self, out: &mut [f32], gain: f32) {
        for y in out {
            *y += self.sample() * gain;
        }
    }
}

const PINK_ROWS: usize = 16;

/// Pink noise (-3 dB per octave), Voss-McCartney: 16 random rows, row k renewed every 2^k
/// samples, plus a white sample, scaled into ±1.
#[derive(Debug, Clone)]
pub struct PinkNoise {
    rng: Rng,
    rows: [f32; PINK_ROWS],
    sum: f32,
    counter: u32,
}

impl PinkNoise {
    /// Pink noise drawing from `rng`.
    pub fn new(rng: Rng) -> Self {
        let mut pink = PinkNoise {
            rng,
            rows: [0.0; PINK_ROWS],
            sum: 0.0,
            counter: 0,
        };
        pink.fill_rows();
        pink
    }

    fn fill_rows(&mut self) {
        for row in &mut self.rows {
            *row = self.rng.bipolar();
        }
        self.sum = self.rows.iter().sum();
        self.counter = 0;
    }

    /// Starts over from a new generator (a new note).
    pub fn reseed(&mut self, rng: Rng) {
        self.rng = rng;
        self.fill_rows();
    }

    /// One sample.
    #[inline]
    pub fn sample(&mut self) -> f32 {
        self.counter = self.counter.wrapping_add(1);
        let k = (self.counter.trailing_zeros() as usize).min(PINK_ROWS - 1);
        let fresh = self.rng.bipolar();
        self.sum += fresh - self.rows[k];
        self.rows[k] = fresh;
        (self.sum + self.rng.bipolar()) * (1.0 / (PINK_ROWS + 1) as f32)
    }

    /// Adds a block times `gain`.
    pub fn add(&mut self, out: &mut [f32], gain: f32) {
        for y in out {
            *y += self.sample() * gain;
        }
    }
}

/// Brown noise: a random walk with uniform steps in ±1/8, folded back at ±1.
#[derive(Debug, Clone)]
pub struct BrownNoise {
    rng: Rng,
    level: f32,
}

impl BrownNoise {
    /// Brown noise drawing from `rng`, starting at a random level.
    pub fn new(mut rng: Rng) -> Self {
        let level = rng.bipolar();
        BrownNoise { rng, level }
    }

    /// Starts over from a new generator (a new note).
    pub fn reseed(&mut self, rng: Rng) {
        *self = BrownNoise::new(rng);
    }

    /// One sample.
    #[inline]
    pub fn sample(&mut self) -> f32 {
        let mut level = self.level + self.rng.bipolar() * 0.125;
        if level > 1.0 {
            level = 2.0 - level;
        } else if level < -1.0 {
            level = -2.0 - level;
        }
        self.level = level;
        level
    }

    /// Adds a block times `gain`.
    pub fn add(&mut self, out: &mut [f32], gain: f32) {
        for y in out {
            *y += self.sample() * gain;
        }
    }
}

/// SC's LFNoise1: every 1/`freq` seconds a new uniform value in ±1, reached by a straight
/// line from the previous one.
#[derive(Debug, Clone)]
pub struct Lfn1 {
    rng: Rng,
    level: f64,
    slope: f64,
    left: u32,
    period: u32,
}

impl Lfn1 {
    /// LFNoise1 at `freq` values per second and sample rate `rate`, drawing from `rng`.
    pub fn new(rng: Rng, freq: f64, rate: f64) -> Self {
        let period = (rate / freq.max(1e-6))
            .round()
            .clamp(1.0, f64::from(u32::MAX)) as u32;
        let mut lfn = Lfn1 {
            rng,
            level: 0.0,
            slope: 0.0,
            left: 0,
            period,
        };
        lfn.level = f64::from(lfn.rng.bipolar());
        lfn
    }

    /// Starts over from a new generator (a new note), same rate.
    pub fn reseed(&mut self, rng: Rng) {
        let period = self.period;
        *self = Lfn1 {
            rng,
            level: 0.0,
            slope: 0.0,
            left: 0,
            period,
        };
        self.level = f64::from(self.rng.bipolar());
    }

    /// One sample.
    #[inline]
    pub fn sample(&mut self) -> f32 {
        if self.left == 0 {
            let target = f64::from(self.rng.bipolar());
            self.slope = (target - self.level) / f64::from(self.period);
            self.left = self.period;
        }
        self.left -= 1;
        self.level += self.slope;
        self.level as f32
    }

    /// The value over the next `n` samples, as a control-rate ramp (LFNoise1.kr).
    pub fn ramp(&mut self, n: usize) -> Ramp {
        let from = self.level as f32;
        let mut to = from;
        for _ in 0..n {
            to = self.sample();
        }
        Ramp { from, to }
    }

    /// Adds a block times `gain`.
    pub fn add(&mut self, out: &mut [f32], gain: f32) {
        for y in out {
            *y += self.sample() * gain;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(x: &[f32]) -> (f64, f64, f32) {
        let n = x.len() as f64;
        let mean = x.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let var = x
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n;
        (mean, var.sqrt(), x.iter().fold(0.0, |m, v| m.max(v.abs())))
    }

    /// Power in a band around `freq`, by correlating with a sine and a cosine.
    fn band_power(x: &[f32], freq: f64, rate: f64) -> f64 {
        let (mut c, mut s) = (0.0, 0.0);
        for (n, &v) in x.iter().enumerate() {
            let w = std::f64::consts::TAU * freq * n as f64 / rate;
            c += f64::from(v) * w.cos();
            s += f64::from(v) * w.sin();
        }
        (c * c + s * s) / x.len() as f64
    }

    fn mean_band_power(x: &[f32], freqs: &[f64]) -> f64 {
        freqs
            .iter()
            .map(|&f| band_power(x, f, 48_000.0))
            .sum::<f64>()
            / freqs.len() as f64
    }

    #[test]
    fn white_noise_is_uniform_in_plus_minus_one() {
        let mut white = WhiteNoise::new(Rng::new(1));
        let x: Vec<f32> = (0..100_000).map(|_| white.sample()).collect();
        let (mean, sd, peak) = stats(&x);
        assert!(mean.abs() < 0.01);
        assert!((sd - 1.0 / 3f64.sqrt()).abs() < 0.01, "{sd}");
        assert!(peak <= 1.0);
    }

    #[test]
    fn the_same_seed_gives_the_same_noise_and_streams_differ() {
        let a: Vec<f32> = (0..8)
            .map({
                let mut w = WhiteNoise::new(Rng::stream(7, 0));
                move |_| w.sample()
            })
            .collect();
        let b: Vec<f32> = (0..8)
            .map({
                let mut w = WhiteNoise::new(Rng::stream(7, 0));
                move |_| w.sample()
            })
            .collect();
        let c: Vec<f32> = (0..8)
            .map({
                let mut w = WhiteNoise::new(Rng::stream(7, 1));
                move |_| w.sample()
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn pink_noise_falls_about_3_db_per_octave_and_stays_in_range() {
        let mut pink = PinkNoise::new(Rng::new(3));
        let x: Vec<f32> = (0..96_000).map(|_| pink.sample()).collect();
        assert!(stats(&x).2 <= 1.0);
        // Four octaves apart: about 12 dB (Voss-McCartney is within a few dB of ideal).
        let low = mean_band_power(&x, &[190.0, 200.0, 210.0, 220.0]);
        let high = mean_band_power(&x, &[3_040.0, 3_200.0, 3_360.0, 3_520.0]);
        let drop = 10.0 * (low / high).log10();
        assert!((8.0..16.0).contains(&drop), "{drop} dB");
    }

    #[test]
    fn brown_noise_walks_in_small_steps_and_folds_at_one() {
        let mut brown = BrownNoise::new(Rng::new(5));
        let x: Vec<f32> = (0..100_000).map(|_| brown.sample()).collect();
        assert!(stats(&x).2 <= 1.0);
        assert!(x.windows(2).all(|w| (w[1] - w[0]).abs() <= 0.125 + 1e-6));
        let low = mean_band_power(&x, &[100.0, 110.0, 120.0]);
        let high = mean_band_power(&x, &[6_400.0, 7_040.0, 7_680.0]);
        assert!(10.0 * (low / high).log10() > 25.0, "brown is dark");
    }

    #[test]
    fn lfn1_moves_in_straight_lines_between_new_values() {
        let mut lfn = Lfn1::new(Rng::new(9), 100.0, 48_000.0); // 480 samples per value
        let x: Vec<f32> = (0..4_800).map(|_| lfn.sample()).collect();
        assert!(stats(&x).2 <= 1.0);
        // Inside a segment the second difference is zero.
        let bends = x
            .windows(3)
            .filter(|w| ((w[2] - w[1]) - (w[1] - w[0])).abs() > 1e-5)
            .count();
        assert!(bends <= 10, "{bends} bends for 10 segments");
        let ramp = lfn.ramp(64);
        assert!((ramp.to - lfn.level as f32).abs() < 1e-7);
    }
}
