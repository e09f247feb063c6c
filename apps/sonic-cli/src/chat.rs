//! `sonic chat ID MESSAGE`: one exchange with the configured LLM about a composition; prints
//! the reply and the actions that ran. The exchange is saved as one history version of
//! source `ai`.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Args;
use serde_json::json;
use sonic_ai::llm::Provider;
use sonic_ai::{chat, ChatError, ChatOptions};
use sonic_analyzer::{AnalysisCache, SymphoniaProbe};
use sonic_daw::{Studio, StudioConfig};
use sonic_model::{Composition, Id, SampleAnalysis};
use sonic_store::{SampleLibrary, StorageConfig};

use crate::apply::daw_error;
use crate::output::print_json;
use crate::{outln, BadInput, Context};

/// `sonic chat`.
#[derive(Args)]
#[command(after_help = "\
The model is configured by the environment:
  SONIC_LLM_PROVIDER   anthropic | openai (OpenAI-compatible: OpenAI, Ollama, llama.cpp, vLLM)
  SONIC_LLM_MODEL      model name, e.g. claude-sonnet-4-5 or llama3.1
  SONIC_LLM_API_KEY    API key (or ANTHROPIC_API_KEY / OPENAI_API_KEY); optional for a local server
  SONIC_LLM_BASE_URL   as the provider's SDK takes it: https://api.anthropic.com (no /v1),
                       http://localhost:11434/v1 (Ollama, with /v1)
  SONIC_LLM_TIMEOUT_SECS, SONIC_LLM_MAX_RETRIES, SONIC_LLM_RETRY_DELAY_MS, SONIC_LLM_MAX_TOKENS")]
pub struct ChatArgs {
    /// Composition id.
    id: String,
    /// What to ask, e.g. "make the bass line an octave lower".
    message: String,
    /// Model calls at most; a model still calling tools then is stopped.
    #[arg(long, default_value_t = ChatOptions::default().max_rounds)]
    max_rounds: usize,
}

/// The cached analyses of the library samples `composition` uses, for the model's context.
/// Samples without a valid cached analysis are left out (analysing is `sonic analyze`'s job).
///
/// Read once per exchange, not per round of the tool loop: no action assigns a sample
/// (duplicate and split copy a clip's sample, delete and clear drop them), so the samples a
/// composition uses can only shrink during an exchange, and the context shows a summary
/// only for samples still in use.
pub fn sample_analyses(
    config: &StorageConfig,
    composition: &Composition,
) -> BTreeMap<Id, SampleAnalysis> {
    let used = composition.sample_ids();
    if used.is_empty() {
        return BTreeMap::new();
    }
    let library = SampleLibrary::open_read_only(config.clone(), Arc::new(SymphoniaProbe));
    let cache = AnalysisCache::new(config).read_only();
    used.into_iter()
        .filter_map(|id| {
            let meta = library.get(id).ok()?;
            let analysis = cache.lookup(id, &meta.content_hash)?;
            Some((id.clone(), analysis))
        })
        .collect()
}

/// Runs `sonic chat`.
pub fn chat_command(ctx: &Context, args: ChatArgs) -> anyhow::Result<()> {
    let id = Id::parse(&args.id)?;
    if args.message.trim().is_empty() {
        return Err(BadInput("the message is empty".into()).into());
    }
    if args.max_rounds == 0 {
        return Err(BadInput("--max-rounds must be at least 1".into()).into());
    }
    // Configuration first: without a provider nothing is opened or locked.
    let provider = Provider::from_env()?;
    let studio = Studio::new(ctx.writer()?, StudioConfig::default());
    let composition = studio.snapshot(&id).map_err(daw_error)?;
    let samples = sample_analyses(&ctx.config, &composition);
    let options = ChatOptions {
        max_rounds: args.max_rounds,
        ..ChatOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let outcome = runtime
        .block_on(chat(
            &provider,
            &studio,
            &id,
            &args.message,
            &samples,
            &options,
        ))
        .map_err(|e| match e {
            ChatError::Daw(e) => daw_error(e),
            e => anyhow::Error::new(e).context(format!("chat with {} failed", describe(&provider))),
        })?;

    if ctx.json {
        let mut value = serde_json::to_value(&outcome)?;
        value["composition_id"] = json!(id);
        print_json(&value)?;
        return Ok(());
    }
    outln!("{}", outcome.reply);
    if !outcome.actions.is_empty() {
        outln!("");
        outln!("actions:");
    }
    for result in &outcome.actions {
        let status = if result.success { "ok  " } else { "FAIL" };
        let code = result
            .error
            .as_deref()
            .map(|c| format!("[{c}] "))
            .unwrap_or_default();
        outln!("  {status} {}: {code}{}", result.action, result.message);
    }
    if outcome.hit_max_rounds {
        outln!(
            "stopped after {} rounds (the model was still calling tools)",
            outcome.rounds
        );
    }
    outln!("saved {id} as version {}", outcome.version);
    Ok(())
}

fn describe(provider: &Provider) -> String {
    use sonic_ai::llm::LlmProvider;
    provider.describe()
}
