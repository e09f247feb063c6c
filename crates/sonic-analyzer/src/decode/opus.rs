//! Opus for symphonia, which has no Opus decoder of its own: [`OpusAudioDecoder`] wraps the
//! pure-Rust `rusty-opus` decoder (bit-exact on the RFC 8251 vectors, no C, no build
//! script, so a fresh machine needs only the Rust toolchain) behind
//! symphonia's [`AudioDecoder`] trait, so Ogg/Opus and WebM/Opus, what browsers record,
//! decode through the same registry as every other codec.
//!
//! Pre-skip: the Ogg demuxer already trims the encoder's pre-roll through the packets'
//! `trim_start`, the Matroska/WebM demuxer does not. The decoder keeps the OpusHead
//! pre-skip as a budget and trims only what the demuxer left, so each stream loses its
//! pre-roll exactly once.

use symphonia::core::audio::{
    AsGenericAudioBufferRef, AudioBuffer, AudioMut, AudioSpec, Channels, GenericAudioBufferRef,
};
use symphonia::core::codecs::audio::well_known::CODEC_ID_OPUS;
use symphonia::core::codecs::audio::{
    AudioCodecParameters, AudioDecoder, AudioDecoderOptions, FinalizeResult,
};
use symphonia::core::codecs::registry::{RegisterableAudioDecoder, SupportedAudioCodec};
use symphonia::core::codecs::CodecInfo;
use symphonia::core::errors::{Error, Result};
use symphonia::core::packet::PacketRef;

/// Opus always decodes at 48 kHz here (the format's native rate, what ffmpeg outputs too).
const OPUS_RATE: u32 = 48_000;
/// Longest packet: 120 ms at 48 kHz.
const MAX_FRAMES_PER_PACKET: usize = OPUS_RATE as usize * 120 / 1000;

const SUPPORTED: &[SupportedAudioCodec] = &[SupportedAudioCodec {
    id: CODEC_ID_OPUS,
    info: CodecInfo {
        short_name: "opus",
        long_name: "Opus (pure-Rust rusty-opus)",
        profiles: &[],
    },
}];

/// The fields of an `OpusHead` (RFC 7845 §5.1) that decoding needs.
#[derive(Debug, Clone, PartialEq)]
struct OpusHead {
    channels: usize,
    pre_skip: usize,
    gain_db: f32,
    /// Channel mapping family (0: mono/stereo, 1: Vorbis order surround, ...).
    mapping_family: u8,
}

impl OpusHead {
    fn parse(bytes: &[u8]) -> Option<OpusHead> {
        if bytes.len() < 19 || &bytes[..8] != b"OpusHead" {
            return None;
        }
        let channels = usize::from(bytes[9]);
        let pre_skip = usize::from(u16::from_le_bytes([bytes[10], bytes[11]]));
        // Output gain is Q7.8 dB.
        let gain_db = f32::from(i16::from_le_bytes([bytes[16], bytes[17]])) / 256.0;
        let mapping_family = bytes[18];
        // Families other than 0 carry a mapping table: stream count, coupled count and
        // one byte per channel.
        if mapping_family != 0 && bytes.len() < 21 + channels {
            return None;
        }
        Some(OpusHead {
            channels,
            pre_skip,
            gain_db,
            mapping_family,
        })
    }
}

enum Inner {
    Single(Box<rusty_opus::OpusDecoder>),
    Multi(Box<rusty_opus::multistream::OpusMSDecoder>),
}

impl Inner {
    fn new(channels: usize, mapping_family: u8) -> Result<Inner> {
        let rate = OPUS_RATE as i32;
        let inner = if mapping_family == 0 && channels <= 2 {
            rusty_opus::OpusDecoder::new(rate, channels).map(|d| Inner::Single(Box::new(d)))
        } else {
            rusty_opus::multistream::OpusMSDecoder::new(rate, channels, i32::from(mapping_family))
                .map(|d| Inner::Multi(Box::new(d)))
        };
        inner.map_err(|_| Error::Unsupported("opus: unsupported channel layout"))
    }

    fn decode(&mut self, packet: &[u8], pcm: &mut [f32]) -> Result<usize> {
        let decoded = match self {
            Inner::Single(d) => d.decode(packet, MAX_FRAMES_PER_PACKET, pcm),
            Inner::Multi(d) => d.decode(packet, MAX_FRAMES_PER_PACKET, pcm),
        };
        decoded.map_err(|e| match e {
            rusty_opus::Error::InvalidPacket(_) => Error::DecodeError("opus: invalid packet"),
            rusty_opus::Error::BufferTooSmall(_) => {
                Error::DecodeError("opus: packet longer than 120 ms")
            }
            _ => Error::DecodeError("opus: decoder error"),
        })
    }
}

/// A symphonia [`AudioDecoder`] for Opus. Register it with
/// `registry.register_audio_decoder::<OpusAudioDecoder>()`.
pub struct OpusAudioDecoder {
    params: AudioCodecParameters,
    inner: Inner,
    channels: usize,
    mapping_family: u8,
    gain: f32,
    pre_skip_left: usize,
    pcm: Vec<f32>,
    buf: AudioBuffer<f32>,
}

impl std::fmt::Debug for OpusAudioDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpusAudioDecoder")
            .field("channels", &self.channels)
            .field("pre_skip_left", &self.pre_skip_left)
            .finish_non_exhaustive()
    }
}

impl OpusAudioDecoder {
    fn try_new(params: &AudioCodecParameters) -> Result<Self> {
        let head = params.extra_data.as_deref().and_then(OpusHead::parse);
        let channels = match (&head, &params.channels) {
            (Some(h), _) => h.channels,
            (None, Some(c)) => c.count(),
            (None, None) => return Err(Error::Unsupported("opus: channel count unknown")),
        };
        if channels == 0 || channels > 255 {
            return Err(Error::Unsupported("opus: invalid channel count"));
        }
        let mapping_family = head.as_ref().map_or(0, |h| h.mapping_family);
        let inner = Inner::new(channels, mapping_family)?;
        let spec = AudioSpec::new(OPUS_RATE, Channels::Discrete(channels as u16));
        Ok(OpusAudioDecoder {
            params: params.clone(),
            inner,
            channels,
            mapping_family,
            gain: head.as_ref().map_or(1.0, |h| 10f32.powf(h.gain_db / 20.0)),
            pre_skip_left: head.as_ref().map_or(0, |h| h.pre_skip),
            pcm: vec![0.0; MAX_FRAMES_PER_PACKET * channels],
            buf: AudioBuffer::new(spec, MAX_FRAMES_PER_PACKET),
        })
    }
}

impl AudioDecoder for OpusAudioDecoder {
    fn reset(&mut self) {
        // The decoder has no reset of its own; a new one starts from a clean state. Its
        // layout was accepted when this decoder was made, so it is accepted again.
        if let Ok(inner) = Inner::new(self.channels, self.mapping_family) {
            self.inner = inner;
        }
    }

    fn codec_info(&self) -> &CodecInfo {
        &SUPPORTED[0].info
    }

    fn codec_params(&self) -> &AudioCodecParameters {
        &self.params
    }

    fn decode_ref(&mut self, packet: &PacketRef<'_>) -> Result<GenericAudioBufferRef<'_>> {
        self.buf.clear();
        if packet.data.is_empty() {
            // An empty packet would ask the decoder for loss concealment; a file has no loss.
            return Ok(self.buf.as_generic_audio_buffer_ref());
        }
        let frames = self.inner.decode(packet.data, &mut self.pcm)?;
        let samples = &mut self.pcm[..frames * self.channels];
        if self.gain != 1.0 {
            samples.iter_mut().for_each(|s| *s *= self.gain);
        }
        self.buf.render_uninit(Some(frames));
        self.buf.copy_from_slice_interleaved(&&*samples);

        let demuxer_trim = packet.trim_start.get() as usize;
        let own_trim = self.pre_skip_left.saturating_sub(demuxer_trim);
        let start = (demuxer_trim + own_trim).min(frames);
        let end = (packet.trim_end.get() as usize).min(frames - start);
        self.pre_skip_left = self.pre_skip_left.saturating_sub(start);
        self.buf.trim(start, end);
        Ok(self.buf.as_generic_audio_buffer_ref())
    }

    fn finalize(&mut self) -> FinalizeResult {
        FinalizeResult::default()
    }

    fn last_decoded(&self) -> GenericAudioBufferRef<'_> {
        self.buf.as_generic_audio_buffer_ref()
    }
}

impl RegisterableAudioDecoder for OpusAudioDecoder {
    fn try_registry_new(
        params: &AudioCodecParameters,
        _opts: &AudioDecoderOptions,
    ) -> Result<Box<dyn AudioDecoder>> {
        Ok(Box::new(OpusAudioDecoder::try_new(params)?))
    }

    fn supported_codecs() -> &'static [SupportedAudioCodec] {
        SUPPORTED
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(channels: u8, pre_skip: u16, gain_q78: i16, family: u8) -> Vec<u8> {
        let mut bytes = b"OpusHead".to_vec();
        bytes.push(1);
        bytes.push(channels);
        bytes.extend_from_slice(&pre_skip.to_le_bytes());
        bytes.extend_from_slice(&48_000u32.to_le_bytes());
        bytes.extend_from_slice(&gain_q78.to_le_bytes());
        bytes.push(family);
        bytes
    }

    #[test]
    fn opus_head_gives_channels_pre_skip_and_gain() {
        let parsed = OpusHead::parse(&head(2, 312, 256 * 6, 0)).unwrap();
        assert_eq!(parsed.channels, 2);
        assert_eq!(parsed.pre_skip, 312);
        assert!((parsed.gain_db - 6.0).abs() < 1e-6);
        assert_eq!(parsed.mapping_family, 0);
    }

    #[test]
    fn a_multistream_head_without_its_mapping_table_is_refused() {
        assert!(OpusHead::parse(&head(6, 312, 0, 1)).is_none());
        let mut full = head(3, 0, 0, 1);
        full.extend_from_slice(&[2, 1, 0, 1, 2]);
        assert_eq!(OpusHead::parse(&full).unwrap().mapping_family, 1);
    }

    #[test]
    fn something_that_is_not_an_opus_head_is_refused() {
        assert!(OpusHead::parse(b"OggS and more bytes here").is_none());
        assert!(OpusHead::parse(b"Opus").is_none());
    }
}
