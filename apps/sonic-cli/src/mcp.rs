//! `sonic mcp`: a Model Context Protocol server over stdio (the official Rust SDK, `rmcp`).
//! It offers every action as a tool (the generated schemas, plus the composition id), a batch
//! tool, and tools to list, create and open compositions, read their state, list history,
//! restore a version, and list and analyse samples. Every change is saved at once as a
//! history version. A failed action or a bad argument is a tool error (`isError`) the model
//! can read; only an unknown tool is a protocol error. The server holds the data-directory
//! lock while it runs; stdout carries nothing but the protocol.

mod catalog;

use std::sync::Arc;

use anyhow::Context as _;
use clap::Args;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler, ServiceExt};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use sonic_ai::{apply_batch, build_context, parse_actions, ContextOptions, DawAction};
use sonic_analyzer::{AnalysisCache, SymphoniaProbe};
use sonic_daw::{DawError, Studio, StudioConfig};
use sonic_model::{Composition, HistorySource, Id};
use sonic_store::{CompositionStore, DataDirLock, SampleLibrary, StorageConfig};

use crate::chat::sample_analyses;
use crate::Context;
use catalog::{AnalyseArgs, BatchArgs, CompositionArgs, CreateArgs, RestoreArgs, StateArgs};

/// `sonic mcp` (the data directory is the global `--data-dir`).
#[derive(Args)]
#[command(
    after_help = r#"Register it with an MCP client (e.g. Claude Desktop's claude_desktop_config.json):
  {"mcpServers": {"sonic": {"command": "/path/to/sonic",
                            "args": ["--data-dir", "/path/to/data", "mcp"]}}}
While it runs it owns the data directory: other writing commands refuse."#
)]
pub struct McpArgs {}

/// Why a tool call did not work: the text the model reads.
struct ToolFailure(Value);

impl<E: std::fmt::Display> From<E> for ToolFailure {
    fn from(e: E) -> Self {
        ToolFailure(json!({"error": e.to_string()}))
    }
}

type ToolResult = Result<Value, ToolFailure>;

/// The server's state: the open compositions, the sample library and its analysis cache.
struct Sonic {
    studio: Studio,
    library: SampleLibrary,
    cache: AnalysisCache,
    config: StorageConfig,
    tools: Vec<Tool>,
}

/// The handler rmcp drives (cheap to clone for blocking work).
#[derive(Clone)]
struct SonicServer(Arc<Sonic>);

fn arguments<T: DeserializeOwned>(args: Value) -> Result<T, ToolFailure> {
    serde_json::from_value(args)
        .map_err(|e| ToolFailure(json!({"error": format!("invalid arguments: {e}")})))
}

fn composition_id(text: &str) -> Result<Id, ToolFailure> {
    Ok(Id::parse(text)?)
}

impl Sonic {
    /// Runs tool `name`; `None` when there is no such tool.
    fn call(&self, name: &str, args: Value) -> Option<ToolResult> {
        Some(match name {
            catalog::BATCH => arguments(args).and_then(|a| self.batch(a)),
            "list_compositions" => self.list(),
            "create_composition" => arguments(args).and_then(|a| self.create(a)),
            "open_composition" => arguments(args).and_then(|a| self.open(a)),
            "get_composition_state" => arguments(args).and_then(|a| self.state(a)),
            "list_history" => arguments(args).and_then(|a| self.history(a)),
            "restore_version" => arguments(args).and_then(|a| self.restore(a)),
            "list_samples" => self.samples(),
            "analyse_sample" => arguments(args).and_then(|a| self.analyse(a)),
            action if sonic_ai::ACTION_NAMES.contains(&action) => self.action(action, args),
            _ => return None,
        })
    }

    fn action(&self, name: &str, args: Value) -> ToolResult {
        let Value::Object(mut fields) = args else {
            return Err(ToolFailure(
                json!({"error": "the arguments must be an object"}),
            ));
        };
        let id = match fields.remove("composition_id") {
            Some(Value::String(id)) => composition_id(&id)?,
            _ => return Err(ToolFailure(json!({"error": "composition_id is required"}))),
        };
        fields.insert("action".into(), Value::String(name.into()));
        let parsed = vec![DawAction::from_value(Value::Object(fields))];
        let applied = apply_batch(&self.studio, &id, parsed, true, None).map_err(daw)?;
        let result = json!({"result": applied.report.results.first(), "version": applied.version});
        if applied.report.all_succeeded {
            Ok(result)
        } else {
            Err(ToolFailure(result))
        }
    }

    fn batch(&self, args: BatchArgs) -> ToolResult {
        let id = composition_id(&args.composition_id)?;
        if args.actions.is_empty() {
            return Err(ToolFailure(json!({"error": "the batch holds no actions"})));
        }
        let parsed = parse_actions(args.actions);
        let applied = apply_batch(
            &self.studio,
            &id,
            parsed,
            args.atomic,
            args.message.as_deref(),
        )
        .map_err(daw)?;
        let value = serde_json::to_value(&applied)?;
        if applied.report.all_succeeded {
            Ok(value)
        } else {
            Err(ToolFailure(value))
        }
    }

    fn list(&self) -> ToolResult {
        let listing = self.studio.store().list()?;
        Ok(json!({"compositions": listing.compositions, "total": listing.compositions.len()}))
    }

    fn create(&self, args: CreateArgs) -> ToolResult {
        let mut song = Composition::new(args.name);
        if let Some(tempo) = args.tempo {
            song.tempo = tempo;
        }
        if let Some(signature) = args.time_signature {
            song.time_signature = signature;
        }
        song.validate()?;
        let id = self.studio.create(song).map_err(daw)?;
        Ok(json!({"composition_id": id, "state": self.render(&id)?}))
    }

    fn open(&self, args: CompositionArgs) -> ToolResult {
        let id = composition_id(&args.composition_id)?;
        let opened = self.studio.open(&id).map_err(daw)?;
        Ok(json!({
            "composition_id": id,
            "recovered_from": opened.recovered_from,
            "has_autosave": opened.has_autosave,
            "state": self.render(&id)?,
        }))
    }

    fn render(&self, id: &Id) -> Result<String, ToolFailure> {
        let composition = self.studio.snapshot(id).map_err(daw)?;
        let samples = sample_analyses(&self.config, &composition);
        Ok(build_context(
            &composition,
            &samples,
            &ContextOptions::default(),
        ))
    }

    fn state(&self, args: StateArgs) -> ToolResult {
        let id = composition_id(&args.composition_id)?;
        match args.format {
            catalog::StateFormat::Text => Ok(Value::String(self.render(&id)?)),
            catalog::StateFormat::Json => Ok(serde_json::to_value(
                self.studio.snapshot(&id).map_err(daw)?,
            )?),
        }
    }

    fn history(&self, args: CompositionArgs) -> ToolResult {
        let id = composition_id(&args.composition_id)?;
        Ok(json!({"composition_id": id, "history": self.studio.store().history(&id)?}))
    }

    fn restore(&self, args: RestoreArgs) -> ToolResult {
        let id = composition_id(&args.composition_id)?;
        // Through the studio, under the composition's lock: an action call cannot slip in
        // between and save the old open copy over the restored state, and the restore is
        // an undo step like any other edit.
        let old = self.studio.store().load_version(&id, args.version)?;
        let message = format!("Restored version {}", args.version);
        let version = self
            .studio
            .replace_and_save(&id, old, HistorySource::Restore, &message)
            .map_err(daw)?;
        Ok(json!({"composition_id": id, "restored": args.version, "version": version}))
    }

    fn samples(&self) -> ToolResult {
        let listing = self.library.list()?;
        Ok(json!({"samples": listing.samples, "total": listing.samples.len()}))
    }

    fn analyse(&self, args: AnalyseArgs) -> ToolResult {
        let id = composition_id(&args.sample_id)?;
        let meta = self.library.get(&id)?;
        let analysed = self
            .cache
            .analyze(&id, &self.library.file_path(&meta), args.force)?;
        Ok(
            json!({"sample_id": id, "name": meta.name, "cached": analysed.from_cache, "analysis": analysed.analysis}),
        )
    }
}

/// The DAW's error as the model should read it.
fn daw(e: DawError) -> ToolFailure {
    ToolFailure(json!({"error": e.to_string()}))
}

fn text(value: &Value) -> ContentBlock {
    match value {
        Value::String(text) => ContentBlock::text(text.clone()),
        other => ContentBlock::text(serde_json::to_string_pretty(other).unwrap_or_default()),
    }
}

impl ServerHandler for SonicServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("sonic", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Sonic edits music compositions. Find or create one (list_compositions, \
                 create_composition), read it (get_composition_state), then change it with the \
                 action tools or apply_actions; every change is a history version you can \
                 list and restore.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(self.0.tools.clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let name = request.name.to_string();
        let args = Value::Object(request.arguments.unwrap_or_default());
        let server = self.0.clone();
        let tool = name.clone();
        // Store writes and analyses block: keep them off the protocol's threads.
        let outcome = tokio::task::spawn_blocking(move || server.call(&tool, args))
            .await
            .map_err(|e| McpError::internal_error(format!("tool {name} failed: {e}"), None))?;
        let result = match outcome {
            None => {
                return Err(McpError::invalid_params(
                    format!("unknown tool {name:?}"),
                    None,
                ));
            }
            Some(Ok(value)) => {
                let mut result = CallToolResult::success(vec![text(&value)]);
                if value.is_object() {
                    result.structured_content = Some(value);
                }
                result
            }
            Some(Err(ToolFailure(value))) => CallToolResult::error(vec![text(&value)]),
        };
        Ok(result.into())
    }
}

impl Sonic {
    /// The server's state over the data directory of `config`, whose `lock` it holds.
    fn start(config: &StorageConfig, lock: DataDirLock) -> anyhow::Result<Self> {
        let store = CompositionStore::open(config.clone(), lock.clone())?;
        let library = SampleLibrary::open(config.clone(), lock, Arc::new(SymphoniaProbe))?;
        Ok(Sonic {
            studio: Studio::new(store, StudioConfig::default()),
            library,
            cache: AnalysisCache::new(config),
            config: config.clone(),
            tools: catalog::all(),
        })
    }
}

/// Runs the server on stdin/stdout until the client disconnects.
pub fn mcp_command(ctx: &Context, _args: McpArgs) -> anyhow::Result<()> {
    let sonic = Sonic::start(&ctx.config, ctx.lock()?)?;
    let server = SonicServer(Arc::new(sonic));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let service = server
            .clone()
            .serve(rmcp::transport::stdio())
            .await
            .context("the MCP client did not complete the handshake")?;
        service.waiting().await.context("the MCP session failed")?;
        anyhow::Ok(())
    })?;
    server.0.studio.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn sonic() -> (tempfile::TempDir, Sonic, String) {
        let dir = tempfile::tempdir().unwrap();
        let config = StorageConfig::new(dir.path().join("data"));
        config.ensure_directories().unwrap();
        let lock = DataDirLock::acquire(&config, Duration::ZERO).unwrap();
        let sonic = Sonic::start(&config, lock).unwrap();
        let created = sonic
            .call("create_composition", json!({"name": "Unit"}))
            .unwrap()
            .unwrap_or_else(|e| panic!("{}", e.0));
        let id = created["composition_id"].as_str().unwrap().to_string();
        (dir, sonic, id)
    }

    fn failure(outcome: Option<ToolResult>) -> String {
        match outcome {
            Some(Err(ToolFailure(value))) => value.to_string(),
            Some(Ok(value)) => panic!("expected a tool error, got {value}"),
            None => panic!("expected a tool error, got an unknown tool"),
        }
    }

    #[test]
    fn a_failed_action_is_a_tool_error_and_saves_nothing() {
        let (_dir, sonic, id) = sonic();
        let text = failure(sonic.call("set_tempo", json!({"composition_id": id, "tempo": 999})));
        assert!(text.contains("OUT_OF_RANGE"), "{text}");
        let history = sonic.call("list_history", json!({"composition_id": id}));
        let history = history.unwrap().unwrap_or_else(|e| panic!("{}", e.0));
        assert_eq!(history["history"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn bad_arguments_are_tool_errors_and_only_an_unknown_tool_is_not() {
        let (_dir, sonic, id) = sonic();
        let text = failure(sonic.call("apply_actions", json!({"composition_id": id})));
        assert!(
            text.contains("invalid arguments") && text.contains("actions"),
            "{text}"
        );
        let text = failure(sonic.call("set_tempo", json!({"tempo": 90})));
        assert!(text.contains("composition_id is required"), "{text}");
        let text = failure(sonic.call("get_composition_state", json!({"composition_id": "../x"})));
        assert!(text.contains("invalid id"), "{text}");
        let text = failure(sonic.call("analyse_sample", json!({"sample_id": "missing"})));
        assert!(text.contains("missing"), "{text}");
        assert!(sonic.call("no_such_tool", json!({})).is_none());
    }

    #[test]
    fn restoring_a_version_replaces_the_open_state() {
        let (_dir, sonic, id) = sonic();
        let done = sonic.call("set_tempo", json!({"composition_id": id, "tempo": 90}));
        assert_eq!(
            done.unwrap().unwrap_or_else(|e| panic!("{}", e.0))["version"],
            1
        );
        let restored = sonic.call(
            "restore_version",
            json!({"composition_id": id, "version": 0}),
        );
        assert_eq!(
            restored.unwrap().unwrap_or_else(|e| panic!("{}", e.0))["version"],
            2
        );
        let state = sonic.call("get_composition_state", json!({"composition_id": id}));
        let state = state.unwrap().unwrap_or_else(|e| panic!("{}", e.0));
        assert!(state.as_str().unwrap().contains("120 BPM"), "{state}");
    }

    #[test]
    fn a_restore_is_an_undo_step_and_the_next_action_builds_on_it() {
        let (_dir, sonic, id) = sonic();
        let ok =
            |outcome: Option<ToolResult>| outcome.unwrap().unwrap_or_else(|e| panic!("{}", e.0));
        ok(sonic.call("set_tempo", json!({"composition_id": id, "tempo": 90})));
        ok(sonic.call(
            "restore_version",
            json!({"composition_id": id, "version": 0}),
        ));
        let cid = Id::parse(&id).unwrap();
        // The open copy is the restored state itself (nothing was discarded and reloaded).
        assert!(sonic.studio.is_open(&cid));
        assert_eq!(sonic.studio.with(&cid, |o| o.undo_count()).unwrap(), 2);
        let done = ok(sonic.call(
            "rename_composition",
            json!({"composition_id": id, "name": "After"}),
        ));
        assert_eq!(done["version"], 3);
        let saved = sonic.studio.store().load(&cid).unwrap().composition;
        assert_eq!((saved.name.as_str(), saved.tempo), ("After", 120.0));
        let history = ok(sonic.call("list_history", json!({"composition_id": id})));
        assert_eq!(history["history"][2]["source"], "restore");
        assert_eq!(history["history"][2]["message"], "Restored version 0");
        sonic.studio.undo(&cid).unwrap();
        sonic.studio.undo(&cid).unwrap();
        assert_eq!(sonic.studio.snapshot(&cid).unwrap().tempo, 90.0);
        let text = failure(sonic.call(
            "restore_version",
            json!({"composition_id": id, "version": 42}),
        ));
        assert!(text.contains("42"), "{text}");
    }
}
