//! `sonic-server`: Sonic's REST API. Thin: routing, HTTP errors and configuration; every
//! handler calls one crate function. It owns the data directory (`data/.lock`) while it runs,
//! autosaves edited compositions in the background, and on SIGINT/SIGTERM stops accepting,
//! finishes in-flight requests (for at most `--shutdown-grace-secs`), flushes autosaves and
//! exits 0.

mod app;
mod error;
mod extract;
mod routes;
mod state;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use sonic_daw::{Studio, StudioConfig};
use sonic_store::{CompositionStore, DataDirLock, SampleLibrary, StorageConfig};
use tower::Layer as _;
use tower_http::normalize_path::NormalizePathLayer;
use tracing_subscriber::EnvFilter;

/// mimalloc: the server allocates and frees small buffers on every request from several
/// threads, where glibc's allocator spent a fifth of a clip edit's time (docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Sonic's REST server.
#[derive(Parser)]
#[command(name = "sonic-server", version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "SONIC_ADDR", default_value = "127.0.0.1:8000")]
    addr: SocketAddr,
    /// Data directory.
    #[arg(long, env = "SONIC_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// Largest sample upload, in MiB.
    #[arg(long, env = "SONIC_UPLOAD_LIMIT_MB", default_value_t = 100)]
    upload_limit_mb: u64,
    /// Seconds between background autosaves of edited compositions.
    #[arg(long, env = "SONIC_AUTOSAVE_SECS", default_value_t = 2.0)]
    autosave_secs: f64,
    /// Seconds a request body may stall (no bytes arriving) before the request fails with 408.
    #[arg(long, env = "SONIC_BODY_TIMEOUT_SECS", default_value_t = 30.0)]
    body_timeout_secs: f64,
    /// Seconds to let in-flight requests finish after SIGINT/SIGTERM before exiting anyway
    /// (autosaves are flushed either way).
    #[arg(long, env = "SONIC_SHUTDOWN_GRACE_SECS", default_value_t = 10.0)]
    shutdown_grace_secs: f64,
    /// Origins a browser client may call from (comma-separated, `*` for any).
    #[arg(
        long,
        env = "SONIC_CORS_ORIGINS",
        value_delimiter = ',',
        default_value = "http://localhost:5173,http://127.0.0.1:5173"
    )]
    cors_origins: Vec<String>,
}

/// `RUST_LOG` (default `info`), with symphonia silenced unless it names symphonia itself:
/// symphonia logs every malformed upload at ERROR ("probe reached EOF"), which Sonic already
/// answers with a 415 and its own request line.
fn log_filter(spec: Option<String>) -> EnvFilter {
    const DEFAULT: &str = "info,tower_http=info";
    let spec = spec.unwrap_or_else(|| DEFAULT.into());
    let spec = if spec.contains("symphonia") {
        spec
    } else {
        format!("{spec},symphonia=off")
    };
    EnvFilter::try_new(&spec).unwrap_or_else(|_| EnvFilter::new(format!("{DEFAULT},symphonia=off")))
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(log_filter(std::env::var("RUST_LOG").ok()))
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sonic-server: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    if !(args.autosave_secs.is_finite() && args.autosave_secs > 0.0) {
        anyhow::bail!("--autosave-secs must be a positive number of seconds");
    }
    if !(args.body_timeout_secs.is_finite() && args.body_timeout_secs > 0.0) {
        anyhow::bail!("--body-timeout-secs must be a positive number of seconds");
    }
    if !(args.shutdown_grace_secs.is_finite() && args.shutdown_grace_secs >= 0.0) {
        anyhow::bail!("--shutdown-grace-secs must be a number of seconds, 0 or more");
    }
    let grace = Duration::from_secs_f64(args.shutdown_grace_secs);
    let token = std::env::var("SONIC_API_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());
    let config = StorageConfig::new(&args.data_dir);
    config.ensure_directories()?;
    let lock = DataDirLock::acquire(&config, Duration::ZERO)?;
    let store = CompositionStore::open(config.clone(), lock.clone())?;
    let samples = SampleLibrary::open(config, lock, Arc::new(sonic_analyzer::SymphoniaProbe))?
        .with_max_bytes(args.upload_limit_mb.saturating_mul(1024 * 1024));
    let studio = Studio::new(
        store,
        StudioConfig {
            autosave_interval: Duration::from_secs_f64(args.autosave_secs),
            ..StudioConfig::default()
        },
    );
    let autosave = studio.start_autosave();
    // Without a provider the server still serves everything but chat (503 that says why).
    let llm = sonic_ai::llm::Provider::from_env().map_err(|e| e.to_string());
    if let Err(reason) = &llm {
        tracing::info!(%reason, "assistant chat disabled");
    }
    let state = Arc::new(state::AppState::new(studio.clone(), samples, llm));
    let http = app::HttpConfig {
        api_token: token,
        cors_origins: args.cors_origins,
        upload_limit: args.upload_limit_mb.saturating_mul(1024 * 1024),
        body_timeout: Duration::from_secs_f64(args.body_timeout_secs),
    };
    let app = NormalizePathLayer::trim_trailing_slash().layer(app::build(state, &http));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let local = listener.local_addr()?;
        // Tests and scripts read this line to learn the port when --addr ends in :0.
        println!("sonic-server listening on http://{local}");
        tracing::info!(%local, auth = http.api_token.is_some(), "listening");
        let (stopping, mut stop) = tokio::sync::watch::channel(false);
        let serve = axum::serve(
            listener,
            axum::ServiceExt::<axum::extract::Request>::into_make_service(app),
        )
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            tracing::info!("stopping: no new connections; finishing in-flight requests");
            let _ = stopping.send(true);
        });
        // A client that never finishes its request must not keep the server from exiting.
        let deadline = async move {
            if stop.wait_for(|stopping| *stopping).await.is_err() {
                std::future::pending::<()>().await;
            }
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            served = serve => served.context("server failed"),
            () = deadline => {
                tracing::warn!(?grace, "requests still in flight after the grace period; exiting anyway");
                Ok(())
            }
        }
    })?;
    // Requests cut off by the deadline may leave blocking work behind; do not wait for it.
    runtime.shutdown_timeout(Duration::from_secs(1));
    tracing::info!("shutting down: flushing autosaves");
    autosave.stop();
    let written = studio.flush()?;
    tracing::info!(written, "autosaves flushed; bye");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

#[cfg(test)]
mod log_filter_tests {
    use super::log_filter;

    #[test]
    fn symphonia_is_silenced_unless_asked_for() {
        assert!(log_filter(None).to_string().contains("symphonia=off"));
        assert!(log_filter(Some("warn".into()))
            .to_string()
            .contains("symphonia=off"));
        let asked = log_filter(Some("warn,symphonia=debug".into())).to_string();
        assert!(asked.contains("symphonia=debug") && !asked.contains("symphonia=off"));
        // A malformed RUST_LOG falls back to the default rather than failing the start.
        assert!(log_filter(Some("=[".into())).to_string().contains("info"));
    }
}
