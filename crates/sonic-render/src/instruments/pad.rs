//! Pad instruments (sound.md §2.5).

use crate::dsp::env::Env;
use crate::dsp::filter::Filter;
use crate::dsp::osc::{Lfo, Saw};
use crate::dsp::BLOCK;
use crate::voice::{NoteOn, Voice, VoiceOut, VoiceSetup, VoiceSpec};

/// The Pad instruments.
pub(crate) static VOICES: &[VoiceSpec] = &[
    // Per channel 6 detuned saws with slow LFOs whose phases differ left and right, LPF 4000
    // per channel, gated ASR(0.5, 1.0), stereo.
    VoiceSpec::instrument(
        "strings",
        |_| Env::asr(0.5, 1.0),
        |s| Box::new(Strings::new(s)),
    ),
];

const SAWS: usize = 6;

/// `strings`: saw i (0..5) at f·(1 + (i − 2.5)·0.0009 + L_i), L_i = 0.00045·sin(2π(0.18 +
/// 0.04i)t + φ_i), φ_i = 1.2i on the left and 2.4i on the right; the sum / 6 through LPF 4000.
struct Strings {
    saws: [[Saw; SAWS]; 2],
    lfos: [[Lfo; SAWS]; 2],
    lpf: [Filter; 2],
    freq: f64,
}

impl Strings {
    fn new(setup: &VoiceSetup) -> Self {
        let saw = Saw::new(setup.rate);
        let lfo = Lfo::new(0.0, 0.0);
        let lpf = Filter::lpf(setup.rate, 4_000.0);
        Strings {
            saws: [
                std::array::from_fn(|_| saw.clone()),
                std::array::from_fn(|_| saw.clone()),
            ],
            lfos: [
                std::array::from_fn(|_| lfo.clone()),
                std::array::from_fn(|_| lfo.clone()),
            ],
            lpf: [lpf.clone(), lpf],
            freq: 0.0,
        }
    }
}

impl Voice for Strings {
    fn start(&mut self, note: &NoteOn) {
        self.freq = note.freq;
        for (side, phase_step) in [1.2, 2.4].into_iter().enumerate() {
            for i in 0..SAWS {
                self.saws[side][i].reset();
                self.lfos[side][i].reset(0.18 + 0.04 * i as f64, phase_step * i as f64);
            }
            self.lpf[side].reset();
        }
    }

    fn render(&mut self, out: &mut VoiceOut) {
        let n = out.len();
        let mut sides = [[0.0; BLOCK]; 2];
        for (side, x) in sides.iter_mut().enumerate() {
            let x = &mut x[..n];
            for i in 0..SAWS {
                let lfo = 0.00045 * f64::from(self.lfos[side][i].next(out.dt()).mean());
                let detune = 1.0 + (i as f64 - 2.5) * 0.0009 + lfo;
                self.saws[side][i].add(x, self.freq * detune, 1.0 / SAWS as f32);
            }
            self.lpf[side].process(x);
        }
        out.stereo(&sides[0][..n], &sides[1][..n]);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{self, Measure};

    #[test]
    fn strings_are_stereo_in_tune_and_swell_in_half_a_second() {
        let played = testing::play_voice("strings", 57, 1.0, 2.0);
        let (left, right) = (&played.left, &played.right);
        assert_ne!(left, right, "the LFO phases differ left and right");
        let rate = f64::from(played.rate);
        let held = &left[(0.6 * rate) as usize..(2.0 * rate) as usize];
        let f0 = testing::pitch_hz(held, played.rate).unwrap();
        assert!((f0 / 220.0 - 1.0).abs() < 0.005, "{f0}");
        // The two sides are the same ensemble at the same level; they start alike and drift
        // apart as their LFOs do (0.2 Hz of difference at most: 72° of the fundamental in 1 s).
        let (l, r) = (held, &right[(0.6 * rate) as usize..(2.0 * rate) as usize]);
        assert!((l.rms_db() - r.rms_db()).abs() < 2.0);
        let first = (0.05 * rate) as usize;
        assert!(testing::correlation(&left[..first], &right[..first]) > 0.95);
        assert!(testing::correlation(l, r) < 0.9);
        // ASR(0.5, 1.0): the first 20 ms are far below the held level (even though the six
        // saws start in phase and drift apart later), the release falls for a second.
        let early = left[..(0.02 * rate) as usize].rms_db();
        assert!(early < held.rms_db() - 6.0, "{early} vs {}", held.rms_db());
        let released = left[(2.6 * rate) as usize..(2.8 * rate) as usize].rms_db();
        assert!(released < held.rms_db() - 6.0, "{released}");
        assert!(played.report.seconds < 3.05, "{}", played.report.seconds);
    }
}
