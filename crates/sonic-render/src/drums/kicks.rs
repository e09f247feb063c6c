//! Kicks (sound.md §3).

use super::pitch_sweep;
use crate::dsp::env::Env;
use crate::dsp::osc::Sin;
use crate::dsp::BLOCK;
use crate::voice::{NoteOn, Voice, VoiceOut, VoiceSetup, VoiceSpec};

/// The kick drums.
pub(crate) static VOICES: &[VoiceSpec] = &[
    // Sin(freq·P), freq 60, P = 1 + (R − 1)·perc(0.001, 0.1, −8) with R = pitchRatio 2.5
    // (B9 fixed), amplitude perc(0.001, decay 0.4, −4).
    VoiceSpec::drum(
        "kick808",
        &[("freq", 60.0), ("decay", 0.4), ("pitchRatio", 2.5)],
        |n| Env::perc(0.001, f64::from(n.param("decay")), -4.0),
        |s| Box::new(Kick808::new(s)),
    ),
];

/// `kick808`: a sine swept down from R·freq to freq.
struct Kick808 {
    osc: Sin,
    pitch: Env,
    ratio: f32,
    freq: f64,
}

impl Kick808 {
    fn new(setup: &VoiceSetup) -> Self {
        Kick808 {
            osc: Sin::new(setup.rate),
            pitch: Env::perc(0.001, 0.1, -8.0),
            ratio: 1.0,
            freq: 0.0,
        }
    }
}

impl Voice for Kick808 {
    fn start(&mut self, note: &NoteOn) {
        self.osc.reset();
        self.pitch = Env::perc(0.001, 0.1, -8.0);
        self.ratio = note.param("pitchRatio");
        self.freq = note.freq;
    }

    fn render(&mut self, out: &mut VoiceOut) {
        let mut x = [0.0; BLOCK];
        let x = &mut x[..out.len()];
        let sweep = pitch_sweep(self.ratio, self.pitch.next(out.dt()));
        self.osc.fill(x, self.freq * f64::from(sweep.mean()));
        out.mono(x);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{self, Measure};

    #[test]
    fn kick808_sweeps_down_to_its_freq_and_ends_without_dc() {
        let hit = testing::play_pad("808-core", 36, 1.0);
        let rate = f64::from(hit.rate);
        // The pad sets freq 52 and decay 0.85: after the 0.1 s sweep the body rings at 52 Hz.
        let body = &hit.left[(0.15 * rate) as usize..(0.6 * rate) as usize];
        let f = testing::period_hz(body, hit.rate, 30.0, 200.0).unwrap();
        assert!((f / 52.0 - 1.0).abs() < 0.01, "{f} Hz");
        // During the sweep it is higher: the first cycle takes about 1/100 s, not 1/52.
        let first_cycle = (1..hit.left.len())
            .find(|&i| hit.left[i - 1] < 0.0 && hit.left[i] >= 0.0)
            .unwrap() as f64
            / rate;
        assert!(1.0 / first_cycle > 90.0, "{}", 1.0 / first_cycle);
        // No DC: the mean of the whole hit is tiny next to its level.
        assert!(hit.left.mean().abs() < 0.05 * hit.left.rms());
        // One-shot: it lasts its decay (0.85 s), whatever the note's length.
        let end = hit.left.iter().rposition(|&x| x != 0.0).unwrap() as f64 / rate;
        assert!((end - 0.851).abs() < 0.01, "{end}");
    }
}
