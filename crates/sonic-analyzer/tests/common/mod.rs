//! Helpers of the decode tests: a WAV writer for every sample format (written by hand, so
//! 64-bit float and 8-bit unsigned are covered too) and measurements of a decoded tone.

#![allow(dead_code)] // each test file uses a part

use std::path::{Path, PathBuf};

/// Sample encodings of WAV's `fmt ` chunk.
#[derive(Debug, Clone, Copy)]
pub enum WavFormat {
    /// Integer PCM of 8 (unsigned), 16, 24 or 32 bits.
    Int(u16),
    /// IEEE float of 32 or 64 bits.
    Float(u16),
    /// `WAVE_FORMAT_EXTENSIBLE` (what DAWs write for 24-bit and multichannel files) around
    /// integer PCM (`false`) or float (`true`) of the given bits.
    Extensible(u16, bool),
}

/// Writes `frames` (one `Vec` of channel values per frame, in -1.0..=1.0) as a WAV file.
pub fn write_wav(path: &Path, format: WavFormat, rate: u32, frames: &[Vec<f64>]) {
    let channels = frames.first().map_or(1, |f| f.len()) as u16;
    let (tag, bits) = match format {
        WavFormat::Int(bits) => (1u16, bits),
        WavFormat::Float(bits) => (3u16, bits),
        WavFormat::Extensible(bits, _) => (0xfffe, bits),
    };
    let sample_format = match format {
        WavFormat::Extensible(bits, true) => WavFormat::Float(bits),
        WavFormat::Extensible(bits, false) => WavFormat::Int(bits),
        plain => plain,
    };
    let block_align = channels * bits / 8;
    let mut data = Vec::with_capacity(frames.len() * usize::from(block_align));
    for frame in frames {
        for &x in frame {
            match sample_format {
                WavFormat::Int(8) => {
                    data.push(((x.clamp(-1.0, 1.0) * 127.0).round() + 128.0) as u8)
                }
                WavFormat::Int(16) => {
                    data.extend_from_slice(&(quantise(x, 16) as i16).to_le_bytes())
                }
                WavFormat::Int(24) => {
                    data.extend_from_slice(&(quantise(x, 24) as i32).to_le_bytes()[..3])
                }
                WavFormat::Int(32) => {
                    data.extend_from_slice(&(quantise(x, 32) as i32).to_le_bytes())
                }
                WavFormat::Float(32) => data.extend_from_slice(&(x as f32).to_le_bytes()),
                WavFormat::Float(64) => data.extend_from_slice(&x.to_le_bytes()),
                other => panic!("unsupported test format {other:?}"),
            }
        }
    }
    let extensible = matches!(format, WavFormat::Extensible(..));
    let fmt_len: u32 = if extensible { 40 } else { 16 };
    let mut bytes = Vec::with_capacity(data.len() + 68);
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(20 + fmt_len + data.len() as u32).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&fmt_len.to_le_bytes());
    bytes.extend_from_slice(&tag.to_le_bytes());
    bytes.extend_from_slice(&channels.to_le_bytes());
    bytes.extend_from_slice(&rate.to_le_bytes());
    bytes.extend_from_slice(&(rate * u32::from(block_align)).to_le_bytes());
    bytes.extend_from_slice(&block_align.to_le_bytes());
    bytes.extend_from_slice(&bits.to_le_bytes());
    if extensible {
        let float = matches!(format, WavFormat::Extensible(_, true));
        bytes.extend_from_slice(&22u16.to_le_bytes()); // cbSize
        bytes.extend_from_slice(&bits.to_le_bytes()); // valid bits
        let mask: u32 = if channels == 2 { 0b11 } else { 0b100 }; // FL|FR, or FC
        bytes.extend_from_slice(&mask.to_le_bytes());
        // The sub-format GUID: the plain format tag, then the fixed KSDATAFORMAT suffix.
        bytes.extend_from_slice(&(if float { 3u16 } else { 1u16 }).to_le_bytes());
        bytes.extend_from_slice(&[
            0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
        ]);
    }
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&(data.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&data);
    std::fs::write(path, bytes).unwrap();
}

fn quantise(x: f64, bits: u32) -> i64 {
    let max = ((1i64 << (bits - 1)) - 1) as f64;
    (x.clamp(-1.0, 1.0) * max).round() as i64
}

/// `seconds` of a sine at `freq` Hz and `amplitude`, the same on `channels` channels.
pub fn tone(freq: f64, amplitude: f64, rate: u32, seconds: f64, channels: usize) -> Vec<Vec<f64>> {
    let n = (f64::from(rate) * seconds).round() as usize;
    (0..n)
        .map(|i| {
            let x =
                amplitude * (2.0 * std::f64::consts::PI * freq * i as f64 / f64::from(rate)).sin();
            vec![x; channels]
        })
        .collect()
}

/// Root mean square.
pub fn rms(samples: &[f32]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    (samples.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / samples.len() as f64).sqrt()
}

/// Zero crossings per second: twice the frequency of a clean tone. A crossing counts only
/// when the signal goes from below -0.01 to above 0.01 or back (hysteresis), so codec noise
/// in near-silence (encoder priming) does not count.
pub fn crossings_per_second(samples: &[f32], rate: u32) -> f64 {
    let mut positive = None;
    let mut crossings = 0usize;
    for &s in samples {
        let side = if s > 0.01 {
            Some(true)
        } else if s < -0.01 {
            Some(false)
        } else {
            None
        };
        if let Some(side) = side {
            if positive.is_some_and(|p| p != side) {
                crossings += 1;
            }
            positive = Some(side);
        }
    }
    crossings as f64 * f64::from(rate) / samples.len() as f64
}

/// `tests/fixtures/audio/<name>` at the workspace root.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/audio")
        .join(name)
}
