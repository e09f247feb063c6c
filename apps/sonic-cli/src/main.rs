//! `sonic`: Sonic from a terminal or a script. Thin: each command parses its arguments,
//! calls one crate function and prints the result (a table, or one JSON value with
//! `--json`). Exit codes: 0 success, 2 bad input (invalid id, unknown composition or
//! version, invalid value), 1 any other failure; errors are one line on stderr.

mod analyze;
mod apply;
mod chat;
mod compositions;
mod mcp;
mod output;
mod sample;
mod tools;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use sonic_store::{CompositionStore, DataDirLock, StorageConfig, StoreError};

/// mimalloc: `sonic analyze` allocates a few large buffers per file (decoded samples,
/// spectrogram frames); glibc returns each to the kernel and the next file faults its pages
/// back in, where mimalloc reuses them (docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Sonic: AI-assisted music production, from the command line.
#[derive(Parser)]
#[command(name = "sonic", version, about)]
struct Cli {
    /// Data directory.
    #[arg(long, global = true, env = "SONIC_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// Print exactly one JSON value on stdout instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a composition; prints its id.
    New(compositions::NewArgs),
    /// List compositions, newest first.
    List,
    /// Show a composition (the current state, or a history version).
    Show(compositions::ShowArgs),
    /// Rename a composition (saved as a new version).
    Rename(compositions::RenameArgs),
    /// Delete a composition with all its history.
    Delete(compositions::IdArgs),
    /// List a composition's history versions.
    History(compositions::IdArgs),
    /// Make an older version current again (as a new version).
    Restore(compositions::RestoreArgs),
    /// Show what changed between two versions.
    Diff(compositions::DiffArgs),
    /// Promote a composition's autosave to current (as a new version).
    Recover(compositions::IdArgs),
    /// The sample library: import, list, rm, edit.
    Sample {
        #[command(subcommand)]
        command: sample::SampleCommand,
    },
    /// Measure audio features of files or library samples (cached for samples).
    Analyze(analyze::AnalyzeArgs),
    /// Run an action batch on a composition; saved as one history version of source `ai`.
    Apply(apply::ApplyArgs),
    /// Print the action tool definitions for LLMs.
    Tools(tools::ToolsArgs),
    /// One exchange with the configured LLM about a composition (see SONIC_LLM_*).
    Chat(chat::ChatArgs),
    /// Serve the actions, compositions and samples to an MCP client over stdio.
    Mcp(mcp::McpArgs),
}

/// What every command gets: where the data is and how to print.
pub struct Context {
    /// Data directory layout.
    pub config: StorageConfig,
    /// Print JSON instead of text.
    pub json: bool,
}

impl Context {
    /// A store for reading; never creates or repairs anything.
    pub fn reader(&self) -> CompositionStore {
        CompositionStore::open_read_only(self.config.clone())
    }

    /// A store for writing, holding the data-directory lock for the command's lifetime.
    /// Fails with a clear message while a server owns the directory.
    pub fn writer(&self) -> anyhow::Result<CompositionStore> {
        Ok(CompositionStore::open(self.config.clone(), self.lock()?)?)
    }

    /// Creates the layout if needed and takes the data-directory lock.
    pub fn lock(&self) -> anyhow::Result<DataDirLock> {
        self.config.ensure_directories()?;
        Ok(DataDirLock::acquire(&self.config, LOCK_WAIT)?)
    }
}

/// How long a writing command waits for another short-lived writer before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(2);

/// A mistake in the command line itself (exit code 2).
#[derive(Debug)]
pub struct BadInput(pub String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

fn run(cli: Cli) -> anyhow::Result<()> {
    let ctx = Context {
        config: StorageConfig::new(cli.data_dir),
        json: cli.json,
    };
    match cli.command {
        Command::New(args) => compositions::new(&ctx, args),
        Command::List => compositions::list(&ctx),
        Command::Show(args) => compositions::show(&ctx, args),
        Command::Rename(args) => compositions::rename(&ctx, args),
        Command::Delete(args) => compositions::delete(&ctx, args),
        Command::History(args) => compositions::history(&ctx, args),
        Command::Restore(args) => compositions::restore(&ctx, args),
        Command::Diff(args) => compositions::diff(&ctx, args),
        Command::Recover(args) => compositions::recover(&ctx, args),
        Command::Sample { command } => sample::run(&ctx, command),
        Command::Analyze(args) => analyze::analyze(&ctx, args),
        Command::Apply(args) => apply::apply(&ctx, args),
        Command::Tools(args) => tools::tools(&ctx, args),
        Command::Chat(args) => chat::chat_command(&ctx, args),
        Command::Mcp(args) => mcp::mcp_command(&ctx, args),
    }
}

/// 2 when the error is the caller's (bad id, unknown composition, invalid value), else 1.
fn exit_code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if cause.is::<BadInput>() || cause.is::<sonic_model::ModelError>() {
            return 2;
        }
        if let Some(e) = cause.downcast_ref::<StoreError>() {
            return if e.is_bad_input() { 2 } else { 1 };
        }
    }
    1
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return command_line_error(err),
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sonic: {}", one_line(&err));
            ExitCode::from(exit_code(&err))
        }
    }
}

/// Help and version go to stdout as clap renders them; a mistake in the command line is one
/// line on stderr and exit code 2.
fn command_line_error(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            ExitCode::from(if err.use_stderr() { 2 } else { 0 })
        }
        _ => {
            let rendered = err.render().to_string();
            let first = rendered.lines().next().unwrap_or("invalid command line");
            let message = first.strip_prefix("error: ").unwrap_or(first);
            eprintln!("sonic: {message} (see sonic --help)");
            ExitCode::from(2)
        }
    }
}

/// The error and its causes on one line, each cause once: library errors often print their
/// source in their own message already.
fn one_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}
