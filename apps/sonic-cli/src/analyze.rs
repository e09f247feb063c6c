//! `sonic analyze FILE_OR_SAMPLE_ID... [--force]`: features of audio files (never cached) and
//! of library samples (cached in `data/samples/cache/`), analysed in parallel on every core
//! with a progress bar when there are several.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::anyhow;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use sonic_analyzer::{analyze_all, analyze_file, AnalysisCache, AnalyzerError, SymphoniaProbe};
use sonic_model::{Id, SampleAnalysis};
use sonic_store::{DataDirLock, SampleLibrary, StoreError};

use crate::output::print_json;
use crate::{outln, BadInput, Context};

/// Arguments of `sonic analyze`.
#[derive(clap::Args)]
pub struct AnalyzeArgs {
    /// Audio files, or ids of samples in the library (their analyses are cached).
    #[arg(required = true, value_name = "FILE_OR_SAMPLE_ID")]
    pub inputs: Vec<String>,
    /// Recompute library samples even when a valid cached analysis exists.
    #[arg(long)]
    pub force: bool,
}

/// What one argument names.
enum Target {
    /// A file anywhere: analysed, never cached.
    File(PathBuf),
    /// A library sample: analysed through the cache.
    Sample { id: Id, path: PathBuf },
    /// Neither an existing file nor a known sample.
    Unknown(String),
    /// The library could not be read.
    Failed(String),
}

/// One argument's result, as printed with `--json`.
#[derive(Serialize)]
struct Report {
    input: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    sample_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<PathBuf>,
    /// True when served from the cache.
    cached: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    analysis: Option<SampleAnalysis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip)]
    bad_input: bool,
}

/// The size in bytes of the file a target names (0 when there is none): the batch
/// starts the largest files first.
fn file_size(target: &Target) -> u64 {
    match target {
        Target::File(path) | Target::Sample { path, .. } => {
            std::fs::metadata(path).map_or(0, |m| m.len())
        }
        Target::Unknown(_) | Target::Failed(_) => 0,
    }
}

/// Runs `sonic analyze`. Prints every result (one JSON array with `--json`), then fails if
/// any input failed: exit 2 when all failures are bad input, else 1.
pub fn analyze(ctx: &Context, args: AnalyzeArgs) -> anyhow::Result<()> {
    let library = SampleLibrary::open_read_only(ctx.config.clone(), Arc::new(SymphoniaProbe));
    let targets: Vec<(String, Target)> = args
        .inputs
        .iter()
        .map(|input| (input.clone(), resolve(&library, input)))
        .collect();
    let has_samples = targets
        .iter()
        .any(|(_, t)| matches!(t, Target::Sample { .. }));
    // The lock is held while cache entries are written; without it (a server owns the data
    // directory) the cache is still read, just not written.
    let (cache, _lock) = if has_samples {
        open_cache(ctx)?
    } else {
        (None, None)
    };

    let bar = if targets.len() > 1 {
        let bar = ProgressBar::new(targets.len() as u64);
        if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} analysed {elapsed}") {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let reports = analyze_all(
        &targets,
        |(_, target)| file_size(target),
        |(input, target)| run(input, target, cache.as_ref(), args.force),
        || bar.inc(1),
    );
    bar.finish_and_clear();

    if ctx.json {
        print_json(&reports)?;
    } else {
        for report in &reports {
            print_human(report);
        }
    }
    let failed: Vec<&Report> = reports.iter().filter(|r| r.error.is_some()).collect();
    if failed.is_empty() {
        return Ok(());
    }
    let message = format!("{} of {} inputs failed", failed.len(), reports.len());
    if failed.iter().all(|r| r.bad_input) {
        Err(BadInput(message).into())
    } else {
        Err(anyhow!(message))
    }
}

/// An existing file wins; otherwise a valid id is looked up in the sample library.
fn resolve(library: &SampleLibrary, input: &str) -> Target {
    let path = Path::new(input);
    if path.is_file() {
        return Target::File(path.to_path_buf());
    }
    let Ok(id) = Id::parse(input) else {
        return Target::Unknown(format!("no such file: {input}"));
    };
    match library.get(&id) {
        Ok(meta) => Target::Sample {
            path: library.file_path(&meta),
            id,
        },
        Err(e) if e.is_bad_input() => {
            Target::Unknown(format!("no file {input} and no sample with that id"))
        }
        Err(e) => Target::Failed(format!("cannot look up sample {input}: {e}")),
    }
}

fn open_cache(ctx: &Context) -> anyhow::Result<(Option<AnalysisCache>, Option<DataDirLock>)> {
    let cache = AnalysisCache::new(&ctx.config);
    match ctx.lock() {
        Ok(lock) => Ok((Some(cache), Some(lock))),
        Err(e) if matches!(e.downcast_ref(), Some(StoreError::Locked { .. })) => {
            eprintln!(
                "sonic: the data directory is in use; cached analyses are read but not updated"
            );
            Ok((Some(cache.read_only()), None))
        }
        Err(e) => Err(e),
    }
}

fn run(input: &str, target: &Target, cache: Option<&AnalysisCache>, force: bool) -> Report {
    let report = Report {
        input: input.to_string(),
        sample_id: None,
        path: None,
        cached: false,
        analysis: None,
        error: None,
        bad_input: false,
    };
    let failed = |report: Report, e: AnalyzerError| Report {
        error: Some(e.to_string()),
        bad_input: e.is_bad_input(),
        ..report
    };
    match (target, cache) {
        (Target::File(path), _) => {
            let report = Report {
                path: Some(path.clone()),
                ..report
            };
            match analyze_file(path) {
                Ok(analysis) => Report {
                    analysis: Some(analysis),
                    ..report
                },
                Err(e) => failed(report, e),
            }
        }
        (Target::Sample { id, path }, Some(cache)) => {
            let report = Report {
                sample_id: Some(id.clone()),
                path: Some(path.clone()),
                ..report
            };
            match cache.analyze(id, path, force) {
                Ok(hit) => Report {
                    cached: hit.from_cache,
                    analysis: Some(hit.analysis),
                    ..report
                },
                Err(e) => failed(report, e),
            }
        }
        (Target::Sample { .. }, None) => Report {
            error: Some("the analysis cache is not open".to_string()),
            ..report
        },
        (Target::Unknown(reason), _) => Report {
            error: Some(reason.clone()),
            bad_input: true,
            ..report
        },
        (Target::Failed(reason), _) => Report {
            error: Some(reason.clone()),
            ..report
        },
    }
}

fn print_human(report: &Report) {
    let origin = match (&report.sample_id, report.cached) {
        (Some(id), true) => format!(" (sample {id}, cached)"),
        (Some(id), false) => format!(" (sample {id})"),
        (None, _) => String::new(),
    };
    outln!("{}{origin}", report.input);
    if let Some(error) = &report.error {
        outln!("  error: {error}");
        return;
    }
    let Some(a) = &report.analysis else {
        return;
    };
    outln!("  {}", a.summary);
    let pitch = match (a.pitch.has_pitch, a.pitch.midi_note) {
        (true, Some(note)) => format!(
            "{:.1} Hz ({})",
            a.pitch.fundamental_freq,
            sonic_model::note_name(note)
        ),
        _ => "none".to_string(),
    };
    let tempo = a
        .tempo_bpm
        .map_or("none".to_string(), |b| format!("{b:.1} BPM"));
    let lufs = a
        .loudness_lufs
        .map_or("n/a".to_string(), |l| format!("{l:.1} LUFS"));
    outln!(
        "  pitch {pitch} · tempo {tempo} · onsets {} · key {} · loudness {lufs} · peak {:.1} dBFS · RMS {:.1} dBFS",
        a.onset_count,
        a.key.as_deref().unwrap_or("none"),
        a.peak_db,
        a.rms_db
    );
    let s = &a.spectral;
    outln!(
        "  centroid {:.0} Hz · rolloff {:.0} Hz · bandwidth {:.0} Hz · flatness {:.3} · ZCR {:.4}",
        s.centroid,
        s.rolloff,
        s.bandwidth,
        s.flatness,
        a.temporal.zcr_mean
    );
}
