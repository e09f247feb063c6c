//! Decodes files and prints what Sonic's decoder sees: format, length, RMS and decode time.
//!
//! `cargo run --release -p sonic-analyzer --example decode -- FILE...`
//!
//! With `--only` first it only decodes (no probe, no RMS) and prints one total: the
//! decode-only baseline `scripts/compare-librosa.sh` times `sonic analyze` against.

use std::path::Path;
use std::time::Instant;

/// The allocator the `sonic` CLI uses, so decode-only timings compare with `sonic analyze`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--only") {
        return decode_only(&args[1..]);
    }
    let mut failed = false;
    for arg in args {
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

/// Decodes every file and prints the total audio and time; exits 1 if any fails.
fn decode_only(paths: &[String]) {
    let started = Instant::now();
    let mut seconds = 0.0;
    for path in paths {
        match sonic_analyzer::decode_file(Path::new(path)) {
            Ok(audio) => seconds += audio.info.duration_secs,
            Err(e) => {
                println!("{path}: error: {e}");
                std::process::exit(1);
            }
        }
    }
    println!(
        "{} files, {seconds:.1} s of audio decoded in {:.1} ms",
        paths.len(),
        started.elapsed().as_secs_f64() * 1e3
    );
}
