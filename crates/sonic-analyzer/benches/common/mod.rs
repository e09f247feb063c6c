//! What both benches (and the analyzer's unit tests, through `#[path]`) need: a FLAC file
//! made in memory with the pure-Rust `flacenc` (LPC, like the reference encoder), so none
//! needs an external tool.

use std::path::Path;

use flacenc::component::BitRepr;
use flacenc::error::Verify;

/// Writes interleaved 16-bit `pcm` of `channels` channels at `rate` Hz as a FLAC file. Give
/// whole 4096-frame blocks: flacenc records a shorter last block as the stream's minimum
/// block size, which symphonia 0.6 refuses.
pub fn write_flac(path: &Path, pcm: &[i32], channels: usize, rate: usize) {
    let config = flacenc::config::Encoder::default()
        .into_verified()
        .expect("the default encoder config is valid");
    let source = flacenc::source::MemSource::from_samples(pcm, channels, 16, rate);
    let stream = flacenc::encode_with_fixed_block_size(&config, source, config.block_size)
        .expect("encoding in memory cannot fail");
    let mut sink = flacenc::bitsink::ByteSink::new();
    stream
        .write(&mut sink)
        .expect("writing to memory cannot fail");
    std::fs::write(path, sink.as_slice()).expect("write the bench FLAC");
}
