//! Decoding: every format browsers and producers use, straight into one mono `f32` buffer.
//!
//! Symphonia demuxes and decodes WAV (integer and float PCM), AIFF, FLAC, MP3, Ogg Vorbis,
//! M4A (AAC and ALAC) and Matroska/WebM; Opus (in Ogg or WebM) goes through
//! [`OpusAudioDecoder`], registered in the same codec registry. [`probe_file`] reads the
//! headers and decodes one packet; [`decode_file`] decodes everything in one pass, mixing
//! each packet down to mono (mean of the channels) as it arrives, so a long file is never
//! held twice.
//!
//! Damaged input never panics: a corrupt packet is skipped, a truncated file ends where
//! its data ends, and a file with no decodable audio is an [`AnalyzerError`].

mod mp4;
mod opus;
mod stream;

use std::path::Path;

pub use opus::OpusAudioDecoder;
use stream::{AudioStream, Next};

use crate::analysis::loudness::LoudnessMeter;
use crate::error::AnalyzerError;

/// What a file holds, read from its headers (and its first packet).
#[derive(Debug, Clone, PartialEq)]
pub struct AudioInfo {
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channel count of the file (the decoded buffer is always mono).
    pub channels: u16,
    /// Codec, e.g. `pcm_s16le`, `flac`, `mp3`, `aac`, `alac`, `vorbis`, `opus`.
    pub codec: String,
    /// Length in seconds (0 for an empty file).
    pub duration_secs: f64,
    /// Container: `wav`, `aiff`, `flac`, `mp3`, `ogg`, `webm`, `mkv`, `mp4`, `aac`.
    pub container: String,
}

impl AudioInfo {
    /// The file extension this audio should be stored under, from the probed container and
    /// codec (never from the file's name): `wav`, `flac`, `mp3`, `ogg`, `opus`, `webm`,
    /// `m4a`, ...
    pub fn extension(&self) -> &str {
        match (self.container.as_str(), self.codec.as_str()) {
            ("ogg", "opus") => "opus",
            ("mp4", _) => "m4a",
            (container, _) => container,
        }
    }
}

/// A whole file decoded to mono.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedAudio {
    /// Mono samples (mean of the channels), nominally in -1.0..=1.0.
    pub samples: Vec<f32>,
    /// What the file holds; `duration_secs` is the decoded length.
    pub info: AudioInfo,
    /// Integrated loudness (EBU R128, LUFS) measured on the file's own channels while
    /// decoding, for files of more than one channel: the mono mixdown cannot give it (a
    /// stereo file would read 3 to 6 dB low). `None` for mono files (the analysis measures
    /// those) and for audio too short or too quiet to gate.
    pub loudness_lufs: Option<f64>,
}

/// Reads `path`'s headers and decodes its first audio packet, to be sure it is audio
/// Sonic can decode. Cheap: never decodes the whole file (it may read the packet headers
/// to the end when the container does not state the length).
pub fn probe_file(path: &Path) -> Result<AudioInfo, AnalyzerError> {
    let mut stream = AudioStream::open(path)?;
    let mut first = None;
    loop {
        match stream.next_buffer()? {
            Next::Audio(buf) if buf.frames() > 0 => {
                first = Some((buf.spec().rate(), buf.spec().channels().count()));
                break;
            }
            Next::Audio(_) => continue,
            Next::End => break,
        }
    }
    let (rate, channels) = match first {
        Some(found) => found,
        None if stream.declares_no_frames() => stream.declared_format(),
        None => {
            return Err(AnalyzerError::NotAudio {
                path: path.to_path_buf(),
                reason: "no audio packet could be decoded".into(),
            })
        }
    };
    let mut duration_secs = stream.remaining_duration_secs(rate)?;
    if stream.container() == "mp4" && rate > 0 {
        if let Some(keep) = mp4::audio_edit(path, rate).and_then(|edit| edit.keep) {
            duration_secs = keep as f64 / f64::from(rate);
        }
    }
    Ok(stream.info(rate, channels, duration_secs))
}

/// Decodes all of `path` into one mono buffer, in one pass.
///
/// ```no_run
/// let audio = sonic_analyzer::decode_file(std::path::Path::new("recording.webm"))?;
/// println!(
///     "{} {} Hz, {:.2} s, {} mono samples",
///     audio.info.codec,
///     audio.info.sample_rate,
///     audio.info.duration_secs,
///     audio.samples.len()
/// );
/// # Ok::<(), sonic_analyzer::AnalyzerError>(())
/// ```
pub fn decode_file(path: &Path) -> Result<DecodedAudio, AnalyzerError> {
    let mut stream = AudioStream::open(path)?;
    let mut samples = Vec::with_capacity(stream.expected_frames());
    let mut format = None;
    // A multi-channel file's loudness is metered on its channels, before the mixdown, chunk
    // by chunk as they are decoded (so nothing is held twice).
    let mut metering = Metering::NotStarted;
    let mut planes: Vec<Vec<f32>> = Vec::new();
    while let Next::Audio(buf) = stream.next_buffer()? {
        let frames = buf.frames();
        if frames == 0 {
            continue;
        }
        let channels = buf.spec().channels().count().max(1);
        let rate = buf.spec().rate();
        let (first_rate, first_channels) = *format.get_or_insert((rate, channels));
        let start = samples.len();
        samples.resize(start + frames, 0.0);
        if channels == 1 {
            buf.copy_to_slice_interleaved(&mut samples[start..]);
            continue;
        }
        // Planar copies convert each channel in a tight loop; the mean is then a
        // vectorisable sum of planes.
        planes.resize_with(channels, Vec::new);
        for plane in planes.iter_mut() {
            plane.resize(frames, 0.0f32);
        }
        buf.copy_to_slice_planar(&mut planes[..]);
        if matches!(metering, Metering::NotStarted) {
            metering = LoudnessMeter::new(channels, rate).map_or(Metering::Off, Metering::On);
        }
        if (rate, channels) != (first_rate, first_channels) {
            // A stream that changes layout or rate: no figure rather than a wrong one.
            metering = Metering::Off;
        }
        if let Metering::On(meter) = &mut metering {
            let views: Vec<&[f32]> = planes.iter().map(|p| &p[..frames]).collect();
            meter.add_planar(&views);
        }
        let out = &mut samples[start..];
        out.copy_from_slice(&planes[0][..frames]);
        let scale = 1.0 / channels as f32;
        for plane in &planes[1..] {
            for (o, &x) in out.iter_mut().zip(plane) {
                *o += x;
            }
        }
        out.iter_mut().for_each(|o| *o *= scale);
    }
    let loudness_lufs = match metering {
        Metering::On(meter) => meter.integrated(),
        Metering::NotStarted | Metering::Off => None,
    };
    let (rate, channels) = format.unwrap_or_else(|| stream.declared_format());
    if stream.container() == "mp4" {
        if let Some(edit) = mp4::audio_edit(path, rate) {
            apply_edit(&mut samples, edit);
        }
    }
    if samples.is_empty() && !stream.declares_no_frames() && stream.skipped_packets() > 0 {
        return Err(AnalyzerError::Decode {
            path: path.to_path_buf(),
            reason: format!("none of its {} packets decoded", stream.skipped_packets()),
        });
    }
    let duration_secs = if rate == 0 {
        0.0
    } else {
        samples.len() as f64 / f64::from(rate)
    };
    let info = stream.info(rate, channels, duration_secs);
    Ok(DecodedAudio {
        samples,
        info,
        loudness_lufs,
    })
}

/// Where the decoder's loudness measurement stands.
enum Metering {
    /// No multi-channel audio yet.
    NotStarted,
    /// Measuring the channels.
    On(LoudnessMeter),
    /// Given up (unsupported rate, or the stream changed layout).
    Off,
}

/// Keeps only the part of the decoded audio an MP4 edit list says is playable.
fn apply_edit(samples: &mut Vec<f32>, edit: mp4::Edit) {
    let skip = usize::try_from(edit.skip)
        .unwrap_or(usize::MAX)
        .min(samples.len());
    samples.drain(..skip);
    if let Some(keep) = edit.keep.and_then(|k| usize::try_from(k).ok()) {
        samples.truncate(keep);
    }
}
