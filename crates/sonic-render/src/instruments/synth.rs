//! Synth instruments (sound.md §2.2).

use crate::dsp::env::Env;
use crate::dsp::noise::WhiteNoise;
use crate::dsp::pluck::Pluck;
use crate::dsp::BLOCK;
use crate::voice::{NoteOn, Voice, VoiceOut, VoiceSetup, VoiceSpec};

/// The Synth instruments.
pub(crate) static VOICES: &[VoiceSpec] = &[
    // KS(WN×0.1, T60 10 s, c 0.5), gated ASR(0.001, 1.0): rings while held, 1 s release.
    VoiceSpec::instrument(
        "pluck",
        |_| Env::asr(0.001, 1.0),
        |s| Box::new(PluckSynth::new(s)),
    ),
];

/// `pluck`: a Karplus-Strong string excited by white noise.
struct PluckSynth {
    string: Pluck,
    noise: WhiteNoise,
}

impl PluckSynth {
    fn new(setup: &VoiceSetup) -> Self {
        PluckSynth {
            string: Pluck::new(setup.rate),
            noise: WhiteNoise::new(crate::dsp::noise::Rng::new(0)),
        }
    }
}

impl Voice for PluckSynth {
    fn start(&mut self, note: &NoteOn) {
        self.string.start(note.freq, 10.0, 0.5);
        self.noise.reseed(note.rng(0));
    }

    fn render(&mut self, out: &mut VoiceOut) {
        let n = out.len();
        let mut excitation = [0.0; BLOCK];
        self.noise.add(&mut excitation[..n], 0.1);
        let mut x = [0.0; BLOCK];
        self.string.process(&excitation[..n], &mut x[..n]);
        out.mono(&x[..n]);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{self, Measure};

    #[test]
    fn pluck_is_a_quiet_string_in_tune() {
        for note in [69, 48] {
            let played = testing::play_voice("pluck", note, 1.0, 1.0);
            let want = testing::note_hz(note);
            let f0 = testing::pitch_hz(&played.left, played.rate).unwrap();
            assert!((f0 / want - 1.0).abs() < 0.003, "note {note}: {f0} Hz");
            // sound.md: peak ≈ 0.1·amp, about 30 dB below a sine.
            let peak = played.left.peak();
            assert!((0.04..0.2).contains(&peak), "peak {peak}");
        }
    }
}
