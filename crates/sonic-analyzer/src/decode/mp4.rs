//! MP4 edit lists, which symphonia 0.6 reads but does not apply: an AAC encoder primes its
//! stream with (typically) 1024 frames and pads the end, and the `elst` box of the audio
//! track says which part is the real audio. Without it an M4A decodes ~23 ms late and a
//! little long, which shifts attack times.
//!
//! Best effort: any file this small parser does not understand keeps its audio untrimmed.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// The `moov` box of an audio file is small (sample tables); refuse to buffer absurd ones.
const MAX_MOOV_BYTES: u64 = 32 << 20;

/// The playable part of the audio track, in frames at `sample_rate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Edit {
    /// Frames to drop at the start (encoder priming).
    pub skip: u64,
    /// Frames to keep after that, when stated.
    pub keep: Option<u64>,
}

/// The edit of the first sound track of the MP4 file at `path`, if it has one that trims.
pub(super) fn audio_edit(path: &Path, sample_rate: u32) -> Option<Edit> {
    let moov = read_moov(&mut File::open(path).ok()?)?;
    let movie_timescale = timescale(child(&moov, b"mvhd")?)?;
    let edit = boxes(&moov)
        .filter(|(kind, _)| kind == b"trak")
        .find_map(|(_, trak)| track_edit(trak, movie_timescale, sample_rate));
    edit
}

fn track_edit(trak: &[u8], movie_timescale: u32, sample_rate: u32) -> Option<Edit> {
    let mdia = child(trak, b"mdia")?;
    let handler = child(mdia, b"hdlr")?.get(8..12)?;
    if handler != b"soun" {
        return None;
    }
    let media_timescale = timescale(child(mdia, b"mdhd")?)?;
    let elst = child(child(trak, b"edts")?, b"elst")?;
    let version = *elst.first()?;
    let count = be_u32(elst.get(4..8)?);
    let entry_len = if version == 1 { 20 } else { 12 };
    // The first edit that plays media (an empty edit, media_time -1, only delays).
    let (segment, media_time) = (0..count as usize).find_map(|i| {
        let e = elst.get(8 + i * entry_len..8 + (i + 1) * entry_len)?;
        let (segment, media_time) = if version == 1 {
            (be_u64(&e[0..8]), be_u64(&e[8..16]) as i64)
        } else {
            (
                u64::from(be_u32(&e[0..4])),
                i64::from(be_u32(&e[4..8]) as i32),
            )
        };
        (media_time >= 0).then_some((segment, media_time as u64))
    })?;
    let rate = u64::from(sample_rate);
    let skip = media_time * rate / u64::from(media_timescale);
    let keep = (segment > 0)
        .then(|| (segment * rate + u64::from(movie_timescale) / 2) / u64::from(movie_timescale));
    (skip > 0 || keep.is_some()).then_some(Edit { skip, keep })
}

/// The `moov` box's content, found by walking the top-level boxes.
fn read_moov(file: &mut File) -> Option<Vec<u8>> {
    let len = file.metadata().ok()?.len();
    let mut pos = 0u64;
    while pos + 8 <= len {
        file.seek(SeekFrom::Start(pos)).ok()?;
        let mut header = [0u8; 16];
        file.read_exact(&mut header[..8]).ok()?;
        let mut size = u64::from(be_u32(&header[0..4]));
        let mut header_len = 8;
        if size == 1 {
            file.read_exact(&mut header[8..16]).ok()?;
            size = be_u64(&header[8..16]);
            header_len = 16;
        } else if size == 0 {
            size = len - pos;
        }
        if size < header_len {
            return None;
        }
        if &header[4..8] == b"moov" {
            let body = size - header_len;
            if body > MAX_MOOV_BYTES {
                return None;
            }
            let mut moov = vec![0u8; body as usize];
            file.read_exact(&mut moov).ok()?;
            return Some(moov);
        }
        pos = pos.checked_add(size)?;
    }
    None
}

/// `(type, content)` of the boxes directly inside `data`.
fn boxes(data: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut rest = data;
    std::iter::from_fn(move || {
        let size = be_u32(rest.get(0..4)?) as usize;
        let kind: [u8; 4] = rest.get(4..8)?.try_into().ok()?;
        let (header, size) = match size {
            1 => (16, usize::try_from(be_u64(rest.get(8..16)?)).ok()?),
            0 => (8, rest.len()),
            n => (8, n),
        };
        let content = rest.get(header..size)?;
        rest = &rest[size..];
        Some((kind, content))
    })
}

fn child<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    boxes(data)
        .find(|(k, _)| k == kind)
        .map(|(_, content)| content)
}

/// The timescale of an `mvhd` or `mdhd` box (both versions).
fn timescale(full_box: &[u8]) -> Option<u32> {
    let offset = if *full_box.first()? == 1 { 20 } else { 12 };
    let scale = be_u32(full_box.get(offset..offset + 4)?);
    (scale > 0).then_some(scale)
}

fn be_u32(bytes: &[u8]) -> u32 {
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

fn be_u64(bytes: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[..8]);
    u64::from_be_bytes(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/audio")
            .join(name)
    }

    #[test]
    fn the_aac_fixture_skips_its_encoder_priming_and_keeps_one_second() {
        let edit = audio_edit(&fixture("tone-aac.m4a"), 44_100).unwrap();
        assert_eq!(
            edit,
            Edit {
                skip: 1024,
                keep: Some(44_100)
            }
        );
    }

    #[test]
    fn files_that_are_not_mp4_have_no_edit() {
        assert_eq!(audio_edit(&fixture("tone.flac"), 44_100), None);
        assert_eq!(audio_edit(Path::new("/nonexistent.m4a"), 44_100), None);
    }

    #[test]
    fn truncated_boxes_end_the_walk_without_panicking() {
        let mut data = 100u32.to_be_bytes().to_vec();
        data.extend_from_slice(b"trak");
        assert_eq!(boxes(&data).count(), 0);
        assert_eq!(timescale(&[1, 0, 0]), None);
    }
}
