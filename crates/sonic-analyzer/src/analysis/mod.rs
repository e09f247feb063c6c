//! Feature analysis: [`analyze`] measures a mono signal once and fills every field of
//! [`SampleAnalysis`].
//!
//! One time-domain pass gives the frame RMS envelope, zero-crossing rate, levels and the
//! waveform overview; one STFT pass (librosa conventions, see `stft`) feeds the spectral
//! shape, band energies, chroma and the log-mel onset spectrogram; YIN runs on every fourth
//! frame that sounds (500 at most). Means of frame features are taken over the frames that sound
//! (within 60 dB of the loudest frame), so leading or trailing silence does not drag them
//! towards zero.

mod batch;
mod fft;
mod key;
pub(crate) mod loudness;
mod onset;
mod pitch;
mod spectral;
mod stft;
mod summary;
mod tempo;
mod temporal;
mod timbre;
mod waveform;

use std::borrow::Cow;
use std::path::Path;

use sonic_model::SampleAnalysis;

pub use batch::analyze_all;
pub use loudness::{integrated_loudness, LoudnessMeter, SILENCE_DB};
pub use waveform::WAVEFORM_BUCKETS;

use crate::decode::decode_file;
use crate::error::AnalyzerError;
use onset::{LogMel, MelBank, N_MELS};
use spectral::{BandEnergy, SpectralTables};
use stft::Stft;
use temporal::Envelope;

/// Key estimates need at least this much periodicity (YIN harmonicity): drums and noise
/// have no key.
const KEY_MIN_HARMONICITY: f64 = 0.4;

/// Decodes `path` (one pass, mono) and analyses it.
///
/// ```no_run
/// let analysis = sonic_analyzer::analyze_file(std::path::Path::new("kick.wav"))?;
/// println!("{}", analysis.summary);
/// # Ok::<(), sonic_analyzer::AnalyzerError>(())
/// ```
pub fn analyze_file(path: &Path) -> Result<SampleAnalysis, AnalyzerError> {
    let audio = decode_file(path)?;
    let mut analysis = analyze_inner(
        &audio.samples,
        audio.info.sample_rate,
        audio.info.channels > 1,
    );
    if audio.info.channels > 1 {
        // Measured on the real channels by the decoder; the mixdown would read low.
        analysis.loudness_lufs = audio.loudness_lufs;
        analysis.summary = summary::describe(&analysis);
    }
    Ok(analysis)
}

/// Measures every feature of a mono signal at `sample_rate` Hz.
///
/// Any input gives finite numbers and never panics: an empty or silent signal, one shorter
/// than an FFT frame, clipped audio, non-finite samples (read as 0) or a zero sample rate
/// (read as no audio).
///
/// ```
/// let sr = 44_100;
/// let tone: Vec<f32> = (0..sr)
///     .map(|n| 0.5 * (2.0 * std::f32::consts::PI * 440.0 * n as f32 / sr as f32).sin())
///     .collect();
/// let a = sonic_analyzer::analyze(&tone, sr as u32);
/// assert_eq!(a.pitch.midi_note, Some(69));
/// assert!(!a.temporal.is_percussive);
/// ```
pub fn analyze(samples: &[f32], sample_rate: u32) -> SampleAnalysis {
    analyze_inner(samples, sample_rate, false)
}

/// [`analyze`], leaving the loudness out when the caller has measured it on the channels.
fn analyze_inner(samples: &[f32], sample_rate: u32, loudness_known: bool) -> SampleAnalysis {
    let samples: Cow<[f32]> = match sample_rate {
        0 => Cow::Borrowed(&[]),
        _ if all_finite(samples) => Cow::Borrowed(samples),
        _ => Cow::Owned(
            samples
                .iter()
                .map(|&x| if x.is_finite() { x } else { 0.0 })
                .collect(),
        ),
    };
    let samples = samples.as_ref();

    // Loudness (the K-weighting filter runs over every sample) is independent of the rest:
    // on a second core it runs alongside.
    let (loudness_lufs, analysis) = rayon::join(
        || {
            if loudness_known {
                None
            } else {
                loudness::integrated_lufs(samples, sample_rate)
            }
        },
        || measure(samples, sample_rate),
    );
    let mut analysis = SampleAnalysis {
        loudness_lufs,
        ..analysis
    };
    analysis.summary = summary::describe(&analysis);
    analysis
}

/// Every feature but the loudness and the summary.
fn measure(samples: &[f32], sample_rate: u32) -> SampleAnalysis {
    let sr = f64::from(sample_rate.max(1));
    let duration = samples.len() as f64 / sr;
    let envelope = Envelope::compute(samples);
    let levels = loudness::levels(envelope.sum_of_squares, samples.len(), envelope.peak());
    let sounding = envelope.sounding();
    let silent = !sounding.iter().any(|&s| s);

    let spectra = Spectra::compute(samples, sr, &sounding);
    let onset_envelope = spectra.log_mel.onset_strength();
    let flux = if onset_envelope.is_empty() {
        0.0
    } else {
        onset_envelope.iter().sum::<f64>() / onset_envelope.len() as f64
    };
    let onsets = if silent {
        Vec::new()
    } else {
        onset::detect_onsets(&onset_envelope, sr)
    };
    let tempo_bpm = tempo::estimate(&onset_envelope, onsets.len(), sr);

    let spectral = spectral::summarise(&spectra.shapes, &sounding, &spectra.bands, flux);
    let temporal = temporal::describe(&envelope, &sounding, duration, sr);
    let pitch = pitch::analyse(samples, sr, &sounding);
    let key = if silent || pitch.harmonicity < KEY_MIN_HARMONICITY {
        None
    } else {
        key::estimate(&spectra.chroma.mean()).map(|(name, _)| name)
    };
    let timbre = timbre::describe(&spectral, &temporal, &pitch, silent);

    SampleAnalysis {
        spectral,
        temporal,
        pitch,
        timbre,
        rms_db: levels.rms_db,
        peak_db: levels.peak_db,
        tempo_bpm,
        onset_count: u32::try_from(onsets.len()).unwrap_or(u32::MAX),
        key,
        loudness_lufs: None,
        waveform: waveform::overview(samples),
        summary: String::new(),
    }
}

/// True when no sample is NaN or infinite. Checks blocks without stopping inside one, so
/// the check vectorises.
fn all_finite(samples: &[f32]) -> bool {
    samples
        .chunks(4096)
        .all(|block| block.iter().fold(true, |ok, x| ok & x.is_finite()))
}

/// Everything the single STFT pass collects.
struct Spectra {
    shapes: Vec<spectral::FrameShape>,
    bands: BandEnergy,
    chroma: key::Chroma,
    log_mel: LogMel,
}

impl Spectra {
    fn compute(samples: &[f32], sample_rate: f64, sounding: &[bool]) -> Self {
        let frames = stft::frame_count(samples.len());
        let mut tables = SpectralTables::new(sample_rate);
        let mel_bank = MelBank::new(sample_rate);
        let mut spectra = Spectra {
            shapes: Vec::with_capacity(frames),
            bands: BandEnergy::default(),
            chroma: key::Chroma::new(sample_rate),
            log_mel: LogMel::with_capacity(frames),
        };
        let mut mel = [0.0f32; N_MELS];
        Stft::new().for_each_frame(samples, |t, power| {
            spectra
                .shapes
                .push(spectral::frame_shape(power, &mut tables));
            if sounding.get(t).copied().unwrap_or(false) {
                spectra.bands.add(power, &tables);
                spectra.chroma.add(power);
            }
            mel_bank.apply(power, &mut mel);
            spectra.log_mel.push(&mel);
        });
        spectra
    }
}

#[cfg(test)]
mod tests;
