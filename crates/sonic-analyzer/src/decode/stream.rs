//! [`AudioStream`]: one audio track of one file, demuxed and decoded packet by packet, with
//! the error policy in one place (skip a corrupt packet, stop at the end of the data,
//! recreate the decoder when the container asks, give up after many bad packets in a row).

use std::fs::File;
use std::io::{ErrorKind, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use symphonia::core::audio::GenericAudioBufferRef;
use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::codecs::registry::CodecRegistry;
use symphonia::core::errors::Error;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, Track, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::packet::Packet;

use super::{AudioInfo, OpusAudioDecoder};
use crate::error::AnalyzerError;

/// Bad packets in a row after which a stream is considered garbage rather than damaged.
const MAX_CONSECUTIVE_ERRORS: usize = 64;
/// Upper bound of the up-front allocation trusted from a header (the buffer still grows
/// past it when the file really is longer): 2^25 samples, 128 MiB of `f32`.
const MAX_PREALLOCATED_FRAMES: u64 = 1 << 25;

/// Recognises the container by content (no hint from the file name).
fn probe(
    source: MediaSourceStream<'static>,
) -> symphonia::core::errors::Result<Box<dyn FormatReader>> {
    symphonia::default::get_probe().probe(
        &Hint::new(),
        source,
        FormatOptions::default(),
        MetadataOptions::default(),
    )
}

/// Symphonia's codecs plus Opus.
fn codecs() -> &'static CodecRegistry {
    static REGISTRY: OnceLock<CodecRegistry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut registry = CodecRegistry::new();
        symphonia::default::register_enabled_codecs(&mut registry);
        registry.register_audio_decoder::<OpusAudioDecoder>();
        registry
    })
}

/// What [`AudioStream::next_buffer`] found.
pub(super) enum Next<'a> {
    /// Decoded audio (possibly zero frames, e.g. after trimming).
    Audio(GenericAudioBufferRef<'a>),
    /// No more audio.
    End,
}

/// One file's audio track being decoded.
pub(super) struct AudioStream {
    path: PathBuf,
    reader: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    track: Track,
    container: &'static str,
    skipped: usize,
    consecutive_errors: usize,
    decoded_packets: usize,
    /// Seconds of audio in the packets read so far (for containers that state no length).
    demuxed_secs: f64,
    ended: bool,
}

impl AudioStream {
    /// Opens `path`, recognises its container by content (never by name), picks its audio
    /// track and makes a decoder for it.
    pub(super) fn open(path: &Path) -> Result<Self, AnalyzerError> {
        let io_error = |source| AnalyzerError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = File::open(path).map_err(io_error)?;
        let mut head = [0u8; 64];
        let head_len = read_up_to(&mut file, &mut head).map_err(io_error)?;
        file.seek(SeekFrom::Start(0)).map_err(io_error)?;

        let reader = probe(MediaSourceStream::new(Box::new(file), Default::default())).map_err(
            |e| match e {
                Error::IoError(source) if source.kind() != ErrorKind::UnexpectedEof => {
                    io_error(source)
                }
                other => AnalyzerError::NotAudio {
                    path: path.to_path_buf(),
                    reason: other.to_string(),
                },
            },
        )?;
        let container = container_name(reader.format_info().short_name, &head[..head_len]);
        let track = audio_track(&*reader, None).ok_or_else(|| AnalyzerError::NotAudio {
            path: path.to_path_buf(),
            reason: format!("the {container} container holds no audio track"),
        })?;
        let decoder = make_decoder(path, &track)?;
        Ok(AudioStream {
            path: path.to_path_buf(),
            reader,
            decoder,
            track,
            container,
            skipped: 0,
            consecutive_errors: 0,
            decoded_packets: 0,
            demuxed_secs: 0.0,
            ended: false,
        })
    }

    /// Decodes the next packet of the track. Corrupt packets are skipped (and counted), the
    /// end of the data (even mid-packet, in a truncated file) ends the stream.
    pub(super) fn next_buffer(&mut self) -> Result<Next<'_>, AnalyzerError> {
        loop {
            if self.ended {
                return Ok(Next::End);
            }
            let packet = match self.reader.next_packet() {
                Ok(Some(packet)) => packet,
                Ok(None) => {
                    self.ended = true;
                    continue;
                }
                Err(Error::ResetRequired) => {
                    self.reopen_track()?;
                    continue;
                }
                Err(Error::IoError(e)) if e.kind() == ErrorKind::UnexpectedEof => {
                    tracing::debug!(path = %self.path.display(), "audio data ends early");
                    self.ended = true;
                    continue;
                }
                Err(Error::IoError(e)) => {
                    return Err(AnalyzerError::Io {
                        path: self.path.clone(),
                        source: e,
                    })
                }
                Err(e) => {
                    self.bad_packet(&e)?;
                    continue;
                }
            };
            if packet.track_id != self.track.id {
                continue;
            }
            self.demuxed_secs += self.packet_secs(&packet, self.declared_format().0);
            // The buffer is taken again through `last_decoded` so the borrow ends here.
            let decoded = self.decoder.decode(&packet).map(|_| ());
            match decoded {
                Ok(()) => {
                    self.consecutive_errors = 0;
                    self.decoded_packets += 1;
                    return Ok(Next::Audio(self.decoder.last_decoded()));
                }
                Err(Error::ResetRequired) => {
                    self.decoder = make_decoder(&self.path, &self.track)?;
                }
                Err(Error::Unsupported(what)) => {
                    return Err(AnalyzerError::UnsupportedCodec {
                        path: self.path.clone(),
                        codec: self.decoder.codec_info().short_name.to_string(),
                        reason: what.to_string(),
                    })
                }
                Err(e) => self.bad_packet(&e)?,
            }
        }
    }

    /// Counts a corrupt packet. Too many in a row end the stream when audio was decoded
    /// before them (a damaged tail), and are an error when none was (garbage).
    fn bad_packet(&mut self, error: &Error) -> Result<(), AnalyzerError> {
        self.skipped += 1;
        self.consecutive_errors += 1;
        tracing::debug!(path = %self.path.display(), %error, "skipping a corrupt packet");
        if self.consecutive_errors < MAX_CONSECUTIVE_ERRORS {
            return Ok(());
        }
        if self.decoded_packets > 0 {
            tracing::warn!(
                path = %self.path.display(),
                %error,
                "{MAX_CONSECUTIVE_ERRORS} corrupt packets in a row: keeping the audio before them"
            );
            self.ended = true;
            return Ok(());
        }
        Err(AnalyzerError::Decode {
            path: self.path.clone(),
            reason: format!("{MAX_CONSECUTIVE_ERRORS} corrupt packets in a row ({error})"),
        })
    }

    /// The container changed its track list: find our track again, with a new decoder.
    fn reopen_track(&mut self) -> Result<(), AnalyzerError> {
        let Some(track) = audio_track(&*self.reader, Some(self.track.id)) else {
            self.ended = true;
            return Ok(());
        };
        self.decoder = make_decoder(&self.path, &track)?;
        self.track = track;
        Ok(())
    }

    /// Sonic's name of the container (`wav`, `mp4`, `webm`, ...).
    pub(super) fn container(&self) -> &'static str {
        self.container
    }

    /// Packets that did not decode so far.
    pub(super) fn skipped_packets(&self) -> usize {
        self.skipped
    }

    /// True when the header says the track is empty (a valid file with no audio in it).
    pub(super) fn declares_no_frames(&self) -> bool {
        self.track.num_frames == Some(0)
    }

    /// Sample rate and channel count as the header states them (0 when it does not).
    pub(super) fn declared_format(&self) -> (u32, usize) {
        let params = self.decoder.codec_params();
        (
            params.sample_rate.unwrap_or(0),
            params.channels.as_ref().map_or(0, |c| c.count()),
        )
    }

    /// Frames the header announces, bounded, to size the output buffer.
    pub(super) fn expected_frames(&self) -> usize {
        self.track
            .num_frames
            .unwrap_or(0)
            .min(MAX_PREALLOCATED_FRAMES) as usize
    }

    /// The track's length in seconds: from the header when it states it (track frames,
    /// track duration, then the whole media's duration), otherwise by reading the remaining
    /// packets (without decoding them) and adding up their durations, as for the WebM files
    /// browsers record, which state no length.
    pub(super) fn remaining_duration_secs(&mut self, rate: u32) -> Result<f64, AnalyzerError> {
        if let (Some(frames @ 1..), true) = (self.track.num_frames, rate > 0) {
            // symphonia's Ogg reader counts the encoder delay (Opus pre-skip) in the frames,
            // though the decoded stream does not hold it.
            let delay = match self.container {
                "ogg" => u64::from(self.track.delay.unwrap_or(0)),
                _ => 0,
            };
            return Ok(frames.saturating_sub(delay) as f64 / f64::from(rate));
        }
        let media = self.reader.media_info();
        for (time_base, duration) in [
            (self.track.time_base, self.track.duration),
            (media.time_base, media.duration),
        ] {
            let secs = time_base
                .zip(duration)
                .and_then(|(tb, dur)| tb.calc_duration(dur))
                .map_or(0.0, |t| t.as_secs_f64());
            if secs > 0.0 {
                return Ok(secs);
            }
        }
        while !self.ended {
            match self.reader.next_packet() {
                Ok(Some(packet)) if packet.track_id == self.track.id => {
                    self.demuxed_secs += self.packet_secs(&packet, rate);
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(Error::IoError(_)) => self.ended = true,
                Err(Error::ResetRequired) => self.reopen_track()?,
                Err(e) => self.bad_packet(&e)?,
            }
        }
        Ok(self.demuxed_secs)
    }

    /// A packet's length in seconds: its stated duration, or for an Opus packet without
    /// one, what its TOC byte says.
    fn packet_secs(&self, packet: &Packet, rate: u32) -> f64 {
        if packet.dur.get() > 0 {
            return match self
                .track
                .time_base
                .and_then(|tb| tb.calc_duration(packet.dur))
            {
                Some(time) => time.as_secs_f64(),
                None if rate > 0 => packet.dur.get() as f64 / f64::from(rate),
                None => 0.0,
            };
        }
        if self.decoder.codec_info().short_name == "opus" {
            return opus_packet_frames(&packet.data) as f64 / 48_000.0;
        }
        0.0
    }

    /// The [`AudioInfo`] of this stream with the given format and length.
    pub(super) fn info(&self, rate: u32, channels: usize, duration_secs: f64) -> AudioInfo {
        AudioInfo {
            sample_rate: rate,
            channels: u16::try_from(channels).unwrap_or(u16::MAX),
            codec: self.decoder.codec_info().short_name.to_string(),
            duration_secs,
            container: self.container.to_string(),
        }
    }
}

/// Frames at 48 kHz in an Opus packet, from its TOC byte (RFC 6716 §3.1), 0 if malformed.
fn opus_packet_frames(data: &[u8]) -> u64 {
    let Some(&toc) = data.first() else {
        return 0;
    };
    let config = toc >> 3;
    // Frame length in 48 kHz samples per configuration: SILK (0..=11), hybrid (12..=15),
    // CELT (16..=31).
    let frame = match config {
        0..=11 => [480, 960, 1920, 2880][usize::from(config % 4)],
        12..=15 => [480, 960][usize::from(config % 2)],
        _ => [120, 240, 480, 960][usize::from(config % 4)],
    };
    let count = match toc & 0b11 {
        0 => 1,
        1 | 2 => 2,
        _ => data.get(1).map_or(0, |b| u64::from(b & 0b11_1111)),
    };
    frame * count
}

/// The track with `id` if given and present, else the default audio track, else the first
/// track with audio codec parameters.
fn audio_track(reader: &dyn FormatReader, id: Option<u32>) -> Option<Track> {
    let has_audio = |t: &&Track| t.codec_params.as_ref().and_then(|p| p.audio()).is_some();
    let tracks = reader.tracks();
    id.and_then(|id| tracks.iter().filter(has_audio).find(|t| t.id == id))
        .or_else(|| reader.default_track(TrackType::Audio).filter(has_audio))
        .or_else(|| tracks.iter().find(has_audio))
        .cloned()
}

fn make_decoder(path: &Path, track: &Track) -> Result<Box<dyn AudioDecoder>, AnalyzerError> {
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or_else(|| AnalyzerError::NotAudio {
            path: path.to_path_buf(),
            reason: "the track has no audio codec parameters".into(),
        })?;
    codecs()
        .make_audio_decoder(params, &AudioDecoderOptions::default())
        .map_err(|e| AnalyzerError::UnsupportedCodec {
            path: path.to_path_buf(),
            codec: params.codec.to_string(),
            reason: e.to_string(),
        })
}

/// Sonic's name of a container, from symphonia's format and the file's first bytes
/// (Matroska and WebM share a demuxer; the EBML DocType tells them apart).
fn container_name(symphonia_name: &str, head: &[u8]) -> &'static str {
    match symphonia_name {
        "wave" => "wav",
        "aiff" => "aiff",
        "flac" => "flac",
        "mp1" => "mp1",
        "mp2" => "mp2",
        "mp3" => "mp3",
        "ogg" => "ogg",
        "isomp4" => "mp4",
        "matroska" | "mkv" if head.windows(4).any(|w| w == b"webm") => "webm",
        "matroska" | "mkv" => "mkv",
        "caf" => "caf",
        _ => "aac",
    }
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matroska_is_named_webm_only_when_its_doctype_says_so() {
        let webm_head = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm";
        assert_eq!(container_name("matroska", webm_head), "webm");
        assert_eq!(
            container_name("matroska", b"\x1a\x45\xdf\xa3matroska"),
            "mkv"
        );
        assert_eq!(container_name("wave", b"RIFF"), "wav");
        assert_eq!(container_name("isomp4", b""), "mp4");
    }

    #[test]
    fn an_opus_packet_length_comes_from_its_toc_byte() {
        // Config 31 (CELT FB 20 ms), one frame.
        assert_eq!(opus_packet_frames(&[31 << 3, 0xaa]), 960);
        // Config 1 (SILK NB 20 ms), two frames.
        assert_eq!(opus_packet_frames(&[(1 << 3) | 1, 0xaa]), 1920);
        // Code 3 with 3 frames of config 15 (hybrid FB 20 ms).
        assert_eq!(opus_packet_frames(&[(15 << 3) | 3, 3]), 2880);
        assert_eq!(opus_packet_frames(&[]), 0);
    }

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/audio")
            .join(name)
    }

    #[test]
    fn many_bad_packets_in_a_row_end_a_stream_that_had_audio() {
        let mut stream = AudioStream::open(&fixture("tone.flac")).unwrap();
        assert!(matches!(stream.next_buffer(), Ok(Next::Audio(_))));
        let error = Error::DecodeError("test: corrupt");
        for _ in 0..MAX_CONSECUTIVE_ERRORS {
            stream.bad_packet(&error).unwrap();
        }
        assert!(matches!(stream.next_buffer(), Ok(Next::End)));
        assert_eq!(stream.skipped_packets(), MAX_CONSECUTIVE_ERRORS);
    }

    #[test]
    fn many_bad_packets_before_any_audio_are_an_error() {
        let mut stream = AudioStream::open(&fixture("tone.flac")).unwrap();
        let error = Error::DecodeError("test: corrupt");
        for _ in 1..MAX_CONSECUTIVE_ERRORS {
            stream.bad_packet(&error).unwrap();
        }
        let err = stream.bad_packet(&error).unwrap_err();
        assert!(matches!(err, AnalyzerError::Decode { .. }), "{err}");
    }

    #[test]
    fn the_opus_decoder_is_in_the_registry() {
        use symphonia::core::codecs::audio::well_known::CODEC_ID_OPUS;
        assert!(codecs().get_audio_decoder(CODEC_ID_OPUS).is_some());
    }
}
