//! Decodes files and prints what Sonic's decoder sees: format, length, RMS and decode time.
//!
//! `cargo run --release -p sonic-analyzer --example decode -- FILE...`

use std::path::Path;
use std::time::Instant;

/// The allocator the `sonic` CLI uses, so decode-only timings compare with `sonic analyze`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut failed = false;
    for arg in std::env::args().skip(1) {
        let path = Path::new(&arg);
        let started = Instant::now();
        match sonic_analyzer::decode_file(path) {
            Ok(audio) => {
                let elapsed = started.elapsed();
                let n = audio.samples.len().max(1) as f64;
                let rms = (audio
                    .samples
                    .iter()
                    .map(|&s| f64::from(s).powi(2))
                    .sum::<f64>()
                    / n)
                    .sqrt();
                let probed = sonic_analyzer::probe_file(path);
                println!(
                    "{arg}: {} / {} {} Hz {} ch, {:.4} s decoded ({} samples, probe says {:.4} s), rms {:.4}, decoded in {:.1} ms",
                    audio.info.container,
                    audio.info.codec,
                    audio.info.sample_rate,
                    audio.info.channels,
                    audio.info.duration_secs,
                    audio.samples.len(),
                    probed.map(|p| p.duration_secs).unwrap_or(f64::NAN),
                    rms,
                    elapsed.as_secs_f64() * 1e3,
                );
            }
            Err(e) => {
                failed = true;
                println!("{arg}: error: {e}");
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
