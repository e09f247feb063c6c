//! Levels: RMS and sample peak in dBFS (with a floor for silence, never -inf or NaN), and
//! integrated loudness in LUFS ([`LoudnessMeter`], ITU-R BS.1770-4 / EBU R128).

use multiversion::multiversion;

/// What silence reads as, dBFS: the level of one LSB of 24-bit audio is about -144 dB, so
/// nothing real is quieter.
pub const SILENCE_DB: f64 = -160.0;

/// RMS and peak of a whole signal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Levels {
    /// RMS, dBFS.
    pub rms_db: f64,
    /// Sample peak, dBFS.
    pub peak_db: f64,
}

/// Converts an amplitude to dBFS, flooring at [`SILENCE_DB`].
pub(crate) fn amplitude_db(amplitude: f64) -> f64 {
    if amplitude > 0.0 && amplitude.is_finite() {
        (20.0 * amplitude.log10()).max(SILENCE_DB)
    } else {
        SILENCE_DB
    }
}

/// RMS and sample peak of a signal of `len` samples from its sum of squares and its largest
/// magnitude (both measured in the envelope pass, so the samples are not read again).
pub(crate) fn levels(sum_of_squares: f64, len: usize, peak: f32) -> Levels {
    let rms = if len == 0 {
        0.0
    } else {
        (sum_of_squares / len as f64).sqrt()
    };
    Levels {
        rms_db: amplitude_db(rms),
        peak_db: amplitude_db(peak as f64),
    }
}

/// Integrated loudness of a mono signal, LUFS. The one channel is weighted as a front
/// channel (gain 1), so a 1 kHz sine peaking at -20 dBFS reads -23.0 LUFS. `None` when the
/// signal is shorter than one 400 ms gating block, silent, or the rate is unsupported.
pub(crate) fn integrated_lufs(samples: &[f32], sample_rate: u32) -> Option<f64> {
    let mut meter = LoudnessMeter::new(1, sample_rate)?;
    meter.add_mono_in_parts(samples);
    meter.integrated()
}

/// Integrated loudness (ITU-R BS.1770-4 / EBU R128), LUFS, of audio given as one slice per
/// channel (L, R, C, LFE, Ls, Rs order for 5.1), at `sample_rate` Hz. `None` for no channels,
/// an unsupported rate, audio shorter than one 400 ms gating block, or silence.
///
/// ```
/// let sr = 48_000;
/// let tone: Vec<f32> = (0..3 * sr)
///     .map(|n| 0.1 * (2.0 * std::f32::consts::PI * 1000.0 * n as f32 / sr as f32).sin())
///     .collect();
/// // A 1 kHz tone peaking at -20 dBFS in one channel reads -23 LUFS.
/// let lufs = sonic_analyzer::integrated_loudness(&[&tone], sr as u32).unwrap();
/// assert!((lufs + 23.0).abs() < 0.05);
/// ```
pub fn integrated_loudness(channels: &[&[f32]], sample_rate: u32) -> Option<f64> {
    let mut meter = LoudnessMeter::new(channels.len(), sample_rate)?;
    meter.add_planar(channels);
    meter.integrated()
}

/// How many 100 ms segments a K-weighting filter runs over the audio before a point, its
/// output discarded, to take over the signal there: the filter's slowest part (the 38 Hz
/// high pass, a double pole with a 4.2 ms time constant) has then forgotten its start
/// (48·e^-48, below 1e-19), so its state is the state of a filter run from the beginning,
/// to f64 rounding.
const WARM_UP_SEGMENTS: usize = 2;

/// Independent chains a mono signal is metered in (see
/// [`LoudnessMeter::add_mono_in_parts`]): four f64 lanes fill an AVX register.
const MONO_PARTS: usize = 4;

/// The -70 LUFS absolute gate as a block energy: 10^((-70 + 0.691) / 10).
const ABSOLUTE_GATE: f64 = 1.172_465_304_582_298e-7;

/// Integrated loudness (ITU-R BS.1770-4, EBU R128) of audio fed chunk by chunk, channel by
/// channel.
///
/// Each channel goes through the K-weighting filter (a high shelf and a high pass, the
/// standard's two biquads, with coefficients for any sample rate as libebur128 derives them);
/// energies are summed per 100 ms, gating blocks are 400 ms with 75 % overlap, then the
/// absolute (-70 LUFS) and relative (-10 LU) gates. Channel weights follow libebur128's
/// default layout (L, R, C, LFE unused, Ls and Rs at 1.41; 4 channels are L R Ls Rs; channels
/// past the sixth are not counted). It agrees with the `ebur128` crate to a thousandth of a
/// LU (a test checks) and is several times faster: the filter is written so that the two
/// biquads and the channels are independent chains the CPU runs side by side, with no
/// per-sample branching (see docs/BENCHMARKS.md).
///
/// ```
/// let sr = 48_000;
/// let tone: Vec<f32> = (0..sr)
///     .map(|n| 0.1 * (2.0 * std::f32::consts::PI * 1000.0 * n as f32 / sr as f32).sin())
///     .collect();
/// let mut meter = sonic_analyzer::LoudnessMeter::new(2, sr as u32).unwrap();
/// meter.reserve(3 * tone.len());
/// for _ in 0..3 {
///     meter.add_planar(&[&tone, &tone]); // chunk by chunk, as a stream arrives
/// }
/// // Two channels of a -20 dBFS 1 kHz tone read 3 LU above one: -20 LUFS.
/// assert!((meter.integrated().unwrap() + 20.0).abs() < 0.05);
/// ```
pub struct LoudnessMeter {
    channels: Vec<ChannelFilter>,
    weights: Vec<f64>,
    frames_per_100ms: usize,
    /// Frames already in the current 100 ms segment.
    filled: usize,
    /// Weighted energy (sum of squares) of every complete 100 ms segment.
    segments: Vec<f64>,
}

impl LoudnessMeter {
    /// A meter for `channels` channels at `rate` Hz; `None` for no channels or a rate too
    /// low to hold 100 ms (or above the K-weighting's Nyquist limit of sense).
    pub fn new(channels: usize, rate: u32) -> Option<Self> {
        if channels == 0 || !(1_000..=2_822_400).contains(&rate) {
            return None;
        }
        let coefficients = KWeighting::new(f64::from(rate));
        Some(LoudnessMeter {
            channels: (0..channels)
                .map(|_| ChannelFilter::new(&coefficients))
                .collect(),
            weights: (0..channels).map(|c| channel_weight(c, channels)).collect(),
            frames_per_100ms: (rate as usize + 5) / 10,
            filled: 0,
            segments: Vec::new(),
        })
    }

    /// Makes room for `frames` more frames of audio, so that adding them allocates nothing
    /// (a real-time caller reserves its whole length first).
    pub fn reserve(&mut self, frames: usize) {
        self.segments.reserve(frames / self.frames_per_100ms + 1);
    }

    /// Adds one chunk: a slice per channel, all of the same length (extra channels or
    /// samples past the shortest are ignored).
    pub fn add_planar(&mut self, planes: &[&[f32]]) {
        let frames = planes.iter().map(|p| p.len()).min().unwrap_or(0);
        let planes = &planes[..planes.len().min(self.channels.len())];
        let mut at = 0;
        while at < frames {
            let run = (self.frames_per_100ms - self.filled).min(frames - at);
            let mut pairs = self.channels[..planes.len()].chunks_mut(2);
            let mut c = 0;
            for filters in &mut pairs {
                match filters {
                    [a, b] => ChannelFilter::run_pair(
                        a,
                        b,
                        &planes[c][at..at + run],
                        &planes[c + 1][at..at + run],
                    ),
                    [a] => a.run(&planes[c][at..at + run]),
                    _ => unreachable!("chunks of two"),
                }
                c += filters.len();
            }
            at += run;
            self.filled += run;
            if self.filled == self.frames_per_100ms {
                let energy = self
                    .channels
                    .iter_mut()
                    .zip(&self.weights)
                    .map(|(ch, w)| w * ch.take_energy())
                    .sum();
                self.segments.push(energy);
                self.filled = 0;
            }
        }
    }

    /// Adds a whole mono signal to a fresh mono meter (else it is [`Self::add_planar`]).
    ///
    /// One filter's recursion bounds the speed of a mono meter, so the signal is cut at
    /// 100 ms segment boundaries into [`MONO_PARTS`] equal parts that run as independent
    /// chains in the lanes of one vector loop ([`Lanes::run`]). Each chain but the first
    /// starts [`WARM_UP_SEGMENTS`] before its part, so every segment's energy is what one
    /// filter from the start would give (a test checks to 1e-9 LU). What is left after the
    /// last whole part follows on the last chain.
    pub(crate) fn add_mono_in_parts(&mut self, samples: &[f32]) {
        let segment = self.frames_per_100ms;
        let per_part = samples.len() / segment / MONO_PARTS;
        let fresh = self.segments.is_empty() && self.filled == 0;
        if self.channels.len() != 1 || !fresh || per_part < WARM_UP_SEGMENTS {
            return self.add_planar(&[samples]);
        }
        let part_len = per_part * segment;
        let warm_up = WARM_UP_SEGMENTS * segment;
        let weight = self.weights[0];
        let mut lanes = Lanes::new(&self.channels[0]);
        let mut interleaved = vec![[0.0f32; MONO_PARTS]; warm_up.max(segment)];
        // Warm-up, in the lanes too: each part but the first runs over the end of the part
        // before it. The first lane, fresh (all zeros), is fed zeros, which keeps it so.
        for (part, start) in (1..MONO_PARTS).map(|p| (p, p * part_len - warm_up)) {
            for (frame, &x) in interleaved.iter_mut().zip(&samples[start..start + warm_up]) {
                frame[part] = x;
            }
        }
        lanes.run(&interleaved[..warm_up]);
        interleaved.truncate(segment);
        // Segment j of part p lands at p * per_part + j: the parts follow each other.
        let mut energies = vec![0.0; MONO_PARTS * per_part];
        for j in 0..per_part {
            for (part, start) in (0..MONO_PARTS).map(|p| (p, p * part_len + j * segment)) {
                for (frame, &x) in interleaved.iter_mut().zip(&samples[start..start + segment]) {
                    frame[part] = x;
                }
            }
            for (part, energy) in lanes.run(&interleaved).into_iter().enumerate() {
                energies[part * per_part + j] = weight * energy;
            }
        }
        self.segments.extend(energies);
        self.channels[0] = lanes.chain(MONO_PARTS - 1, &self.channels[0]);
        self.add_planar(&[&samples[MONO_PARTS * part_len..]]);
    }

    /// The integrated loudness so far, LUFS; `None` before the first 400 ms block or when
    /// every block is below the absolute gate (silence).
    pub fn integrated(&self) -> Option<f64> {
        let block_frames = (4 * self.frames_per_100ms) as f64;
        // One allocation whatever the length (a streaming caller counts them).
        let mut blocks = Vec::with_capacity(self.segments.len());
        blocks.extend(
            self.segments
                .windows(4)
                .map(|w| (w[0] + w[1] + w[2] + w[3]) / block_frames)
                .filter(|&e| e >= ABSOLUTE_GATE),
        );
        if blocks.is_empty() {
            return None;
        }
        let relative_gate = blocks.iter().sum::<f64>() / blocks.len() as f64 * 0.1;
        let (sum, count) = blocks
            .iter()
            .filter(|&&e| e >= relative_gate)
            .fold((0.0, 0usize), |(s, n), &e| (s + e, n + 1));
        let lufs = 10.0 * (sum / count as f64).log10() - 0.691;
        lufs.is_finite().then_some(lufs)
    }
}

/// libebur128's default weight of channel `index` of `count`.
fn channel_weight(index: usize, count: usize) -> f64 {
    const SURROUND: f64 = 1.41;
    match (count, index) {
        (4, 0 | 1) | (5, 0..=2) => 1.0,
        (4, 2 | 3) | (5, 3 | 4) => SURROUND,
        (_, 0..=2) => 1.0,
        (_, 4 | 5) => SURROUND,
        _ => 0.0, // the LFE (index 3) and anything past the sixth channel
    }
}

/// The K-weighting filter's two biquads (normalised, `a0` = 1).
struct KWeighting {
    shelf: [f64; 5],
    high_pass: [f64; 5],
}

impl KWeighting {
    /// Coefficients at `rate` Hz, derived as libebur128 does (BS.1770's 48 kHz values come
    /// out exactly).
    #[allow(non_snake_case)]
    fn new(rate: f64) -> Self {
        use std::f64::consts::PI;
        let (f0, G, Q) = (1681.974450955533, 3.999843853973347, 0.7071752369554196);
        let K = (PI * f0 / rate).tan();
        let Vh = 10f64.powf(G / 20.0);
        let Vb = Vh.powf(0.4996667741545416);
        let a0 = 1.0 + K / Q + K * K;
        let shelf = [
            (Vh + Vb * K / Q + K * K) / a0,
            2.0 * (K * K - Vh) / a0,
            (Vh - Vb * K / Q + K * K) / a0,
            2.0 * (K * K - 1.0) / a0,
            (1.0 - K / Q + K * K) / a0,
        ];
        let (f0, Q) = (38.13547087602444, 0.5003270373238773);
        let K = (PI * f0 / rate).tan();
        let a0 = 1.0 + K / Q + K * K;
        let high_pass = [
            1.0,
            -2.0,
            1.0,
            2.0 * (K * K - 1.0) / a0,
            (1.0 - K / Q + K * K) / a0,
        ];
        KWeighting { shelf, high_pass }
    }
}

/// One biquad (`a0` = 1) with what the two-samples-at-a-time recursion needs.
#[derive(Clone, Copy)]
struct Biquad {
    b0: f64,
    b1: f64,
    b2: f64,
    a1: f64,
    a2: f64,
    /// `a1² - a2` and `a1·a2`: y[n+1] in terms of y[n-1] and y[n-2].
    c1: f64,
    c2: f64,
}

impl Biquad {
    fn new([b0, b1, b2, a1, a2]: [f64; 5]) -> Self {
        Biquad {
            b0,
            b1,
            b2,
            a1,
            a2,
            c1: a1 * a1 - a2,
            c2: a1 * a2,
        }
    }

    /// One sample (direct form I).
    #[inline(always)]
    fn one(&self, s: &mut Delay, x: f64) -> f64 {
        let y = (self.b0 * x + self.b1 * s.x1 + self.b2 * s.x2 - self.a2 * s.y2) - self.a1 * s.y1;
        *s = Delay {
            x1: x,
            x2: s.x1,
            y1: y,
            y2: s.y1,
        };
        y
    }

    /// Two samples at once. Both outputs depend on the older outputs through one multiply
    /// and one add, so the recursion, which bounds the speed of an IIR filter, takes half
    /// the time per sample of computing y[n+1] from y[n].
    #[inline(always)]
    fn two(&self, s: &mut Delay, x0: f64, x1: f64) -> (f64, f64) {
        let mut lanes = s.values().map(|v| [v]);
        let ([y0], [y1]) = self.two_lanes(&mut lanes, [x0], [x1]);
        *s = lane(&lanes, 0);
        (y0, y1)
    }

    /// [`Biquad::two`] for `N` filters at once, one per lane of `s` (`[x1, x2, y1, y2]`,
    /// each an array over the lanes), so a vector operation serves every filter.
    #[inline(always)]
    fn two_lanes<const N: usize>(
        &self,
        s: &mut [[f64; N]; 4],
        x0: [f64; N],
        x1: [f64; N],
    ) -> ([f64; N], [f64; N]) {
        let [sx1, sx2, sy1, sy2] = *s;
        let mut y0 = [0.0; N];
        let mut y1 = [0.0; N];
        for l in 0..N {
            let u0 = self.b0 * x0[l] + self.b1 * sx1[l] + self.b2 * sx2[l];
            let u1 = self.b0 * x1[l] + self.b1 * x0[l] + self.b2 * sx1[l];
            y0[l] = (u0 - self.a2 * sy2[l]) - self.a1 * sy1[l];
            y1[l] = (u1 - self.a1 * u0 + self.c2 * sy2[l]) + self.c1 * sy1[l];
        }
        *s = [x1, x0, y1, y0];
        (y0, y1)
    }
}

/// Lane `l` of delay lanes `[x1, x2, y1, y2]` as one filter's memory.
#[inline(always)]
fn lane<const N: usize>(s: &[[f64; N]; 4], l: usize) -> Delay {
    Delay {
        x1: s[0][l],
        x2: s[1][l],
        y1: s[2][l],
        y2: s[3][l],
    }
}

/// Sets lane `l` of delay lanes to one filter's memory.
#[inline(always)]
fn set_lane<const N: usize>(s: &mut [[f64; N]; 4], l: usize, d: Delay) {
    [s[0][l], s[1][l], s[2][l], s[3][l]] = [d.x1, d.x2, d.y1, d.y2];
}

/// [`MONO_PARTS`] K-weighting chains with the same coefficients, one per vector lane: each
/// delay term is an array over the lanes (structure of arrays), so every step of the
/// recursion is one vector operation for all the chains.
struct Lanes {
    shelf: Biquad,
    high_pass: Biquad,
    s1: [[f64; MONO_PARTS]; 4],
    s2: [[f64; MONO_PARTS]; 4],
}

impl Lanes {
    /// Every lane a copy of `chain`.
    fn new(chain: &ChannelFilter) -> Self {
        let delay = |d: Delay| d.values().map(|v| [v; MONO_PARTS]);
        Lanes {
            shelf: chain.shelf,
            high_pass: chain.high_pass,
            s1: delay(chain.s1),
            s2: delay(chain.s2),
        }
    }

    /// Chain `l` as a lone filter, from `template`'s coefficients.
    fn chain(&self, l: usize, template: &ChannelFilter) -> ChannelFilter {
        ChannelFilter {
            s1: lane(&self.s1, l),
            s2: lane(&self.s2, l),
            energy: 0.0,
            ..template.clone()
        }
    }

    /// Filters one frame per lane at each step of `frames` and returns each lane's energy;
    /// decayed memory is flushed after, as [`ChannelFilter::take_energy`] does.
    fn run(&mut self, frames: &[[f32; MONO_PARTS]]) -> [f64; MONO_PARTS] {
        let energy = run_lanes(
            &self.shelf,
            &self.high_pass,
            &mut self.s1,
            &mut self.s2,
            frames,
        );
        self.s1
            .iter_mut()
            .chain(&mut self.s2)
            .flatten()
            .for_each(flush);
        energy
    }
}

/// The lanes' loop, built for SSE2 and AVX2 (chosen at run time).
#[multiversion(targets("x86_64+avx2+fma"))]
fn run_lanes(
    shelf: &Biquad,
    high_pass: &Biquad,
    s1: &mut [[f64; MONO_PARTS]; 4],
    s2: &mut [[f64; MONO_PARTS]; 4],
    frames: &[[f32; MONO_PARTS]],
) -> [f64; MONO_PARTS] {
    let widen = |f: &[f32; MONO_PARTS]| f.map(f64::from);
    let mut energy = [0.0f64; MONO_PARTS];
    let (pairs, rest) = frames.as_chunks::<2>();
    for [f0, f1] in pairs {
        let (y0, y1) = shelf.two_lanes(s1, widen(f0), widen(f1));
        let (z0, z1) = high_pass.two_lanes(s2, y0, y1);
        for l in 0..MONO_PARTS {
            energy[l] += z0[l] * z0[l] + z1[l] * z1[l];
        }
    }
    for f in rest {
        // One frame: the direct form, lane by lane.
        for l in 0..MONO_PARTS {
            let (mut d1, mut d2) = (lane(s1, l), lane(s2, l));
            let z = high_pass.one(&mut d2, shelf.one(&mut d1, f64::from(f[l])));
            energy[l] += z * z;
            set_lane(s1, l, d1);
            set_lane(s2, l, d2);
        }
    }
    energy
}

/// A biquad's memory: the last two inputs and outputs.
#[derive(Clone, Copy, Default, Debug)]
struct Delay {
    x1: f64,
    x2: f64,
    y1: f64,
    y2: f64,
}

/// Zeroes a filter memory value that has decayed below any audible effect (see
/// [`Delay::flush`]).
fn flush(v: &mut f64) {
    if v.abs() < 1e-30 {
        *v = 0.0;
    }
}

impl Delay {
    /// Zeroes values that have decayed below any audible effect, so digital silence never
    /// runs the filter on subnormal numbers (which are many times slower).
    fn flush(&mut self) {
        for v in [&mut self.x1, &mut self.x2, &mut self.y1, &mut self.y2] {
            flush(v);
        }
    }

    fn values(&self) -> [f64; 4] {
        [self.x1, self.x2, self.y1, self.y2]
    }
}

/// One channel's K-weighting (the shelf, then the high pass) and the energy of its current
/// 100 ms segment.
#[derive(Clone)]
struct ChannelFilter {
    shelf: Biquad,
    high_pass: Biquad,
    s1: Delay,
    s2: Delay,
    energy: f64,
}

impl ChannelFilter {
    fn new(k: &KWeighting) -> Self {
        ChannelFilter {
            shelf: Biquad::new(k.shelf),
            high_pass: Biquad::new(k.high_pass),
            s1: Delay::default(),
            s2: Delay::default(),
            energy: 0.0,
        }
    }

    fn run(&mut self, samples: &[f32]) {
        let (shelf, high_pass) = (self.shelf, self.high_pass);
        let (mut s1, mut s2) = (self.s1, self.s2);
        let (mut e0, mut e1) = (0.0, 0.0);
        let mut pairs = samples.chunks_exact(2);
        for pair in &mut pairs {
            let (y0, y1) = shelf.two(&mut s1, f64::from(pair[0]), f64::from(pair[1]));
            let (z0, z1) = high_pass.two(&mut s2, y0, y1);
            e0 += z0 * z0;
            e1 += z1 * z1;
        }
        for &x in pairs.remainder() {
            let z = high_pass.one(&mut s2, shelf.one(&mut s1, f64::from(x)));
            e0 += z * z;
        }
        (self.s1, self.s2) = (s1, s2);
        self.energy += e0 + e1;
    }

    /// Two channels in one loop: their recursions are independent, so the CPU overlaps them.
    fn run_pair(a: &mut Self, b: &mut Self, xa: &[f32], xb: &[f32]) {
        let n = xa.len().min(xb.len());
        let even = n & !1;
        let (shelf, high_pass) = (a.shelf, a.high_pass);
        let (mut a1, mut a2, mut b1, mut b2) = (a.s1, a.s2, b.s1, b.s2);
        let (mut ea, mut eb) = (0.0, 0.0);
        for (pa, pb) in xa[..even].chunks_exact(2).zip(xb[..even].chunks_exact(2)) {
            let (ya0, ya1) = shelf.two(&mut a1, f64::from(pa[0]), f64::from(pa[1]));
            let (yb0, yb1) = shelf.two(&mut b1, f64::from(pb[0]), f64::from(pb[1]));
            let (za0, za1) = high_pass.two(&mut a2, ya0, ya1);
            let (zb0, zb1) = high_pass.two(&mut b2, yb0, yb1);
            ea += za0 * za0 + za1 * za1;
            eb += zb0 * zb0 + zb1 * zb1;
        }
        (a.s1, a.s2, b.s1, b.s2) = (a1, a2, b1, b2);
        a.energy += ea;
        b.energy += eb;
        a.run(&xa[even..n]);
        b.run(&xb[even..n]);
    }

    /// The segment's energy, resetting it, and a flush of decayed state.
    fn take_energy(&mut self) -> f64 {
        self.s1.flush();
        self.s2.flush();
        std::mem::take(&mut self.energy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels_of(samples: &[f32]) -> Levels {
        let sum: f64 = samples.iter().map(|&x| (x as f64) * (x as f64)).sum();
        let peak = samples.iter().fold(0.0f32, |m, &x| m.max(x.abs()));
        levels(sum, samples.len(), peak)
    }

    fn sine(freq: f64, amplitude: f64, seconds: f64, sr: u32) -> Vec<f32> {
        (0..(seconds * sr as f64) as usize)
            .map(|n| {
                (amplitude * (2.0 * std::f64::consts::PI * freq * n as f64 / sr as f64).sin())
                    as f32
            })
            .collect()
    }

    #[test]
    fn a_sine_at_minus_20_dbfs_peaks_at_minus_20_with_rms_3_db_lower() {
        let samples = sine(1000.0, 0.1, 2.0, 48_000);
        let l = levels_of(&samples);
        assert!((l.peak_db + 20.0).abs() < 0.01, "{l:?}");
        assert!((l.rms_db + 23.01).abs() < 0.01, "{l:?}");
    }

    #[test]
    fn a_1_khz_sine_at_minus_20_dbfs_is_minus_23_lufs() {
        let lufs = integrated_lufs(&sine(1000.0, 0.1, 3.0, 48_000), 48_000).unwrap();
        assert!((lufs + 23.0).abs() < 0.1, "{lufs}");
    }

    #[test]
    fn silence_and_empty_signals_read_the_floor_not_minus_infinity() {
        for samples in [&[][..], &[0.0; 1000][..]] {
            let l = levels_of(samples);
            assert_eq!(l.rms_db, SILENCE_DB);
            assert_eq!(l.peak_db, SILENCE_DB);
            assert_eq!(integrated_lufs(samples, 44_100), None);
        }
    }

    #[test]
    fn an_unsupported_rate_gives_no_loudness_instead_of_an_error() {
        assert_eq!(integrated_lufs(&[0.5; 100], 0), None);
        assert!(LoudnessMeter::new(0, 44_100).is_none());
    }

    /// A deterministic noise source in -1..1.
    fn noise(len: usize, seed: u64) -> Vec<f32> {
        let mut state = seed | 1;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                ((state >> 40) as f64 / (1u64 << 23) as f64 - 1.0) as f32
            })
            .collect()
    }

    fn reference(planes: &[Vec<f32>], rate: u32, chunk: usize) -> Option<f64> {
        let mut meter = ebur128::EbuR128::new(planes.len() as u32, rate, ebur128::Mode::I).ok()?;
        let frames = planes[0].len();
        for start in (0..frames).step_by(chunk) {
            let end = (start + chunk).min(frames);
            let views: Vec<&[f32]> = planes.iter().map(|p| &p[start..end]).collect();
            meter.add_frames_planar_f32(&views).unwrap();
        }
        meter.loudness_global().ok().filter(|l| l.is_finite())
    }

    fn ours(planes: &[Vec<f32>], rate: u32, chunk: usize) -> Option<f64> {
        let mut meter = LoudnessMeter::new(planes.len(), rate)?;
        let frames = planes[0].len();
        for start in (0..frames).step_by(chunk) {
            let end = (start + chunk).min(frames);
            let views: Vec<&[f32]> = planes.iter().map(|p| &p[start..end]).collect();
            meter.add_planar(&views);
        }
        meter.integrated()
    }

    #[test]
    fn agrees_with_the_ebur128_crate_across_rates_layouts_and_gating() {
        for rate in [8_000, 22_050, 44_100, 48_000, 96_000] {
            let n = rate as usize * 3 + 1234; // a partial last segment too
            let tone = sine(997.0, 0.25, n as f64 / f64::from(rate), rate);
            let low = sine(40.0, 0.5, n as f64 / f64::from(rate), rate);
            // Loud, then quiet, then silent: both gates have work to do.
            let gated: Vec<f32> = noise(n, 7)
                .iter()
                .enumerate()
                .map(|(i, &x)| match i * 3 / n {
                    0 => x * 0.5,
                    1 => x * 0.005,
                    _ => 0.0,
                })
                .collect();
            let cases: Vec<(&str, Vec<Vec<f32>>)> = vec![
                ("mono tone", vec![tone.clone()]),
                (
                    "stereo, different channels",
                    vec![tone.clone(), noise(n, 3)],
                ),
                (
                    "stereo, opposite channels",
                    vec![low.clone(), low.iter().map(|x| -x).collect()],
                ),
                ("gated noise", vec![gated.clone(), gated.clone()]),
                (
                    "three channels",
                    vec![tone.clone(), low.clone(), noise(n, 5)],
                ),
                ("4.0", (0..4).map(|c| noise(n, 11 + c)).collect()),
                ("5.0", (0..5).map(|c| noise(n, 21 + c)).collect()),
                ("5.1 plus two", (0..8).map(|c| noise(n, 31 + c)).collect()),
            ];
            for (name, planes) in cases {
                for chunk in [1024, 4096 + 7] {
                    let want = reference(&planes, rate, chunk).unwrap();
                    let got = ours(&planes, rate, chunk).unwrap();
                    assert!(
                        (want - got).abs() < 1e-3,
                        "{name} at {rate} Hz, chunks of {chunk}: ebur128 {want}, ours {got}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_mono_signal_metered_in_parts_reads_as_one_filter_does() {
        for rate in [8_000, 44_100, 96_000] {
            let second = rate as usize;
            // Lengths below, at and above the split's minimum (eight segments), and with
            // leftovers.
            for len in [
                second / 2,
                8 * second / 10 - 1,
                8 * second / 10,
                8 * second / 10 + 999,
                7 * second + 1,
            ] {
                let loud_then_quiet: Vec<f32> = noise(len, 9)
                    .iter()
                    .enumerate()
                    .map(|(i, &x)| if i < len / 2 { x * 0.5 } else { x * 0.01 })
                    .collect();
                let low = sine(40.0, 0.5, len as f64 / f64::from(rate), rate);
                // Silence up to the split, then sound: the second chain warms up on zeros.
                let late: Vec<f32> = noise(len, 4)
                    .iter()
                    .enumerate()
                    .map(|(i, &x)| if i < len / 2 { 0.0 } else { x })
                    .collect();
                for (name, signal) in [("gated", loud_then_quiet), ("40 Hz", low), ("late", late)] {
                    let mut one = LoudnessMeter::new(1, rate).unwrap();
                    one.add_planar(&[&signal]);
                    let mut parts = LoudnessMeter::new(1, rate).unwrap();
                    parts.add_mono_in_parts(&signal);
                    assert_eq!(one.segments.len(), parts.segments.len());
                    for (a, b) in one.segments.iter().zip(&parts.segments) {
                        assert!(
                            (a - b).abs() <= 1e-9 * a.abs().max(1e-12),
                            "{name}: {a} {b}"
                        );
                    }
                    let (a, b) = (one.integrated(), parts.integrated());
                    match (a, b) {
                        (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{name}: {a} {b}"),
                        _ => assert_eq!(a, b, "{name} at {rate} Hz, {len} samples"),
                    }
                }
            }
        }
    }

    #[test]
    fn silence_and_short_audio_have_no_integrated_loudness() {
        let rate = 48_000;
        assert_eq!(ours(&[vec![0.0; rate as usize * 2]], rate, 4096), None);
        // Less than one 400 ms block.
        assert_eq!(ours(&[sine(1000.0, 0.5, 0.39, rate)], rate, 4096), None);
        assert!(ours(&[sine(1000.0, 0.5, 0.41, rate)], rate, 4096).is_some());
    }

    #[test]
    fn long_digital_silence_after_sound_does_not_hit_subnormal_numbers() {
        // Not a timing test: checks the state really is flushed to zero after the decay.
        let rate = 44_100;
        let mut meter = LoudnessMeter::new(1, rate).unwrap();
        meter.add_planar(&[&sine(50.0, 0.9, 1.0, rate)]);
        meter.add_planar(&[&vec![0.0; rate as usize * 60]]);
        let filter = &meter.channels[0];
        let state: Vec<f64> = filter
            .s1
            .values()
            .into_iter()
            .chain(filter.s2.values())
            .collect();
        assert!(state.iter().all(|v| *v == 0.0), "{state:?}");
    }
}
