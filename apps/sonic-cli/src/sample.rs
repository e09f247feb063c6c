//! `sonic sample import|list|rm|edit`: the sample library.
//!
//! Import takes several files; one that fails (not audio, too large, missing) does not stop
//! the others, but makes the exit code non-zero: 2 when every failure was the input's
//! fault, 1 otherwise.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use sonic_analyzer::SymphoniaProbe;
use sonic_model::{Id, SampleMeta};
use sonic_store::{CompositionStore, SampleLibrary, DEFAULT_MAX_SAMPLE_BYTES};

use crate::output::{num, print_json, when, Table};
use crate::{outln, BadInput, Context};

/// `sonic sample ...`.
#[derive(Subcommand)]
pub enum SampleCommand {
    /// Import audio files into the library (stored as sent; anything not decodable is refused).
    Import(ImportArgs),
    /// List the library's samples.
    List,
    /// Delete a sample, its file and its cached analysis (refused while a composition uses
    /// it, unless --force).
    Rm(RmArgs),
    /// Rename or recategorise a sample.
    Edit(EditArgs),
}

/// `sonic sample import`.
#[derive(Args)]
pub struct ImportArgs {
    /// Audio files (WAV, AIFF, FLAC, MP3, Ogg Vorbis/Opus, WebM/Opus, M4A AAC/ALAC).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Name of the sample (one file only; by default the file's name without extension).
    #[arg(long)]
    name: Option<String>,
    /// Category of every imported sample (default `Uncategorized`).
    #[arg(long)]
    category: Option<String>,
    /// Largest file accepted, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_SAMPLE_BYTES)]
    max_bytes: u64,
}

/// `sonic sample rm`.
#[derive(Args)]
pub struct RmArgs {
    /// Sample id.
    id: String,
    /// Delete even while compositions use the sample.
    #[arg(long)]
    force: bool,
}

/// `sonic sample edit`.
#[derive(Args)]
pub struct EditArgs {
    /// Sample id.
    id: String,
    /// New name.
    #[arg(long)]
    name: Option<String>,
    /// New category.
    #[arg(long)]
    category: Option<String>,
}

/// Runs a `sonic sample` command.
pub fn run(ctx: &Context, command: SampleCommand) -> anyhow::Result<()> {
    match command {
        SampleCommand::Import(args) => import(ctx, args),
        SampleCommand::List => list(ctx),
        SampleCommand::Rm(args) => rm(ctx, args),
        SampleCommand::Edit(args) => edit(ctx, args),
    }
}

fn writer(ctx: &Context) -> anyhow::Result<SampleLibrary> {
    let lock = ctx.lock()?;
    Ok(SampleLibrary::open(
        ctx.config.clone(),
        lock,
        Arc::new(SymphoniaProbe),
    )?)
}

/// A file that could not be imported.
#[derive(Serialize)]
struct Failure {
    file: String,
    error: String,
    /// True when the file is the problem (not audio, too large, missing): exit code 2.
    bad_input: bool,
}

fn import(ctx: &Context, args: ImportArgs) -> anyhow::Result<()> {
    if args.name.is_some() && args.files.len() > 1 {
        return Err(BadInput(
            "--name names one sample; with several files each is named after its file".into(),
        )
        .into());
    }
    let library = writer(ctx)?.with_max_bytes(args.max_bytes);
    let bar = progress(args.files.len());
    let mut imported = Vec::new();
    let mut failed = Vec::new();
    for file in &args.files {
        bar.set_message(file.display().to_string());
        match library.import_file(file, args.name.as_deref(), args.category.as_deref()) {
            Ok(meta) => {
                if !ctx.json {
                    bar.suspend(|| outln!("{}  {}", meta.id, describe(file, &meta)));
                }
                imported.push(meta);
            }
            Err(e) => {
                bar.suspend(|| eprintln!("sonic: {e}"));
                failed.push(Failure {
                    file: file.display().to_string(),
                    error: e.to_string(),
                    bad_input: e.is_bad_input(),
                });
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    if ctx.json {
        #[derive(Serialize)]
        struct Report<'a> {
            imported: &'a [SampleMeta],
            failed: &'a [Failure],
        }
        print_json(&Report {
            imported: &imported,
            failed: &failed,
        })?;
    }
    if failed.is_empty() {
        return Ok(());
    }
    let summary = format!(
        "{} of {} files not imported",
        failed.len(),
        args.files.len()
    );
    if failed.iter().all(|f| f.bad_input) {
        Err(BadInput(summary).into())
    } else {
        Err(anyhow::anyhow!(summary))
    }
}

fn progress(files: usize) -> ProgressBar {
    if files < 2 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(files as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} imported {wide_msg}") {
        bar.set_style(style);
    }
    bar
}

/// `kick.wav → "kick" (flac 44100 Hz 2 ch, 1.5 s, 120 KB)`.
fn describe(file: &Path, meta: &SampleMeta) -> String {
    format!(
        "{} → \"{}\" [{}] ({} {} Hz {} ch, {} s, {})",
        file.display(),
        meta.name,
        meta.category,
        meta.codec,
        meta.sample_rate,
        meta.channels,
        num(meta.duration),
        size(meta.size)
    )
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / f64::from(1 << 20)),
        b if b >= 1 << 10 => format!("{:.0} KB", b as f64 / f64::from(1 << 10)),
        b => format!("{b} B"),
    }
}

fn list(ctx: &Context) -> anyhow::Result<()> {
    let library = SampleLibrary::open_read_only(ctx.config.clone(), Arc::new(SymphoniaProbe));
    let listing = library.list()?;
    if let Some(reason) = &listing.rebuilt {
        eprintln!("sonic: samples/metadata.json was rebuilt from the audio files ({reason}); names and categories were lost");
    }
    if ctx.json {
        #[derive(Serialize)]
        struct Report<'a> {
            samples: &'a [SampleMeta],
            rebuilt: &'a Option<String>,
        }
        return print_json(&Report {
            samples: &listing.samples,
            rebuilt: &listing.rebuilt,
        });
    }
    if listing.samples.is_empty() {
        outln!("No samples. Import some with `sonic sample import FILE...`.");
        return Ok(());
    }
    let mut table = Table::new(&[
        "ID", "NAME", "CATEGORY", "LENGTH", "FORMAT", "SIZE", "IMPORTED",
    ]);
    for s in &listing.samples {
        table.row(vec![
            s.id.to_string(),
            s.name.clone(),
            s.category.clone(),
            format!("{} s", num(s.duration)),
            format!("{} {} Hz {} ch", s.codec, s.sample_rate, s.channels),
            size(s.size),
            when(&s.created_at),
        ]);
    }
    outln!("{}", table.render());
    Ok(())
}

fn rm(ctx: &Context, args: RmArgs) -> anyhow::Result<()> {
    let id = Id::parse(&args.id)?;
    let library = writer(ctx)?;
    let compositions = CompositionStore::open_read_only(ctx.config.clone());
    let users = library.delete(&id, &compositions, args.force)?;
    if ctx.json {
        return print_json(&serde_json::json!({ "deleted": id, "was_used_by": users }));
    }
    outln!("Deleted sample {id}");
    if !users.is_empty() {
        outln!("It was used by: {}", users.join(", "));
    }
    Ok(())
}

fn edit(ctx: &Context, args: EditArgs) -> anyhow::Result<()> {
    let id = Id::parse(&args.id)?;
    if args.name.is_none() && args.category.is_none() {
        return Err(BadInput("nothing to change: give --name and/or --category".into()).into());
    }
    let meta = writer(ctx)?.update(&id, args.name.as_deref(), args.category.as_deref())?;
    if ctx.json {
        return print_json(&meta);
    }
    outln!("{}  \"{}\" [{}]", meta.id, meta.name, meta.category);
    Ok(())
}
