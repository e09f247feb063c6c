//! Basic instruments (sound.md §2.1).

use crate::dsp::env::Env;
use crate::dsp::osc::Sin;
use crate::dsp::BLOCK;
use crate::voice::{NoteOn, Voice, VoiceOut, VoiceSetup, VoiceSpec};

/// The Basic instruments.
pub(crate) static VOICES: &[VoiceSpec] = &[
    // Sin(f), gated ASR(0.01, 0.1), dual-mono; peak = amp.
    VoiceSpec::instrument("sine", |_| Env::asr(0.01, 0.1), |s| Box::new(Sine::new(s))),
];

/// `sine`: one sine at the note.
struct Sine {
    osc: Sin,
    freq: f64,
}

impl Sine {
    fn new(setup: &VoiceSetup) -> Self {
        Sine {
            osc: Sin::new(setup.rate),
            freq: 0.0,
        }
    }
}

impl Voice for Sine {
    fn start(&mut self, note: &NoteOn) {
        self.osc.reset();
        self.freq = note.freq;
    }

    fn render(&mut self, out: &mut VoiceOut) {
        let mut x = [0.0; BLOCK];
        let x = &mut x[..out.len()];
        self.osc.fill(x, self.freq);
        out.mono(x);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{self, Measure};

    #[test]
    fn sine_plays_its_note_at_amp_and_releases_in_a_tenth_of_a_second() {
        let played = testing::play_voice("sine", 69, 1.0, 0.5);
        let (left, right) = (&played.left, &played.right);
        assert_eq!(left, right, "dual-mono");
        let f0 = testing::pitch_hz(left, played.rate).unwrap();
        assert!((f0 / 440.0 - 1.0).abs() < 0.002, "{f0}");
        // Peak = amp (1.0 here) while held.
        assert!((left.peak() - 1.0).abs() < 0.01, "{}", left.peak());
        // Gate closes at 0.5 s; 0.1 s later the voice has ended, and so has the render.
        let seconds = played.report.seconds;
        assert!((0.58..=0.61).contains(&seconds), "{seconds}");
        assert!(left[(0.55 * f64::from(played.rate)) as usize..].peak() > 0.001);
    }
}
