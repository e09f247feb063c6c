//! `/api/assistant`: AI actions (one, or a batch), state, context, tools. Every route names
//! its composition: nothing acts on a server-wide "current" composition.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sonic_ai::{
    apply_batch, build_context, tool_definitions, ActionResult, ContextOptions, DawAction,
    ToolFormat,
};
use sonic_model::Id;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{id, Json, Query};
use crate::routes::read;
use crate::state::{blocking, SharedState};

pub fn router() -> OpenApiRouter<SharedState> {
    OpenApiRouter::new()
        .routes(routes!(execute_action))
        .routes(routes!(execute_batch))
        .routes(routes!(get_state))
        .routes(routes!(get_context))
        .routes(routes!(get_tools))
        .routes(routes!(chat))
}

/// `POST /api/assistant/chat` body.
#[derive(Deserialize, ToSchema)]
pub struct ChatRequest {
    /// The composition to talk about (and change).
    pub composition_id: String,
    /// What the user asks for.
    pub message: String,
    /// Model calls at most (default 8).
    pub max_rounds: Option<usize>,
}

/// One exchange with the model.
#[derive(Serialize, ToSchema)]
pub struct ChatResponse {
    /// The model's answer.
    pub response: String,
    /// Every action it ran, in order (failed ones included, with their error).
    pub actions_executed: Vec<ActionResultSchema>,
    /// Model calls made.
    pub rounds: usize,
    /// The model was still calling tools when the round limit stopped it.
    pub hit_max_rounds: bool,
    /// The history version the exchange was saved as (source `ai`).
    pub version: u32,
}

/// One exchange with the configured LLM: its tool calls run as validated actions, the
/// exchange is appended to `chat_history` and saved as one `ai` version. 503 `NO_LLM` when
/// no provider is configured (the message names the variables); 502 when the provider
/// fails; the composition is then unchanged.
#[utoipa::path(post, path = "/api/assistant/chat", tag = "assistant", request_body = ChatRequest,
    responses((status = 200, body = ChatResponse), (status = "default", body = ErrorBody)))]
async fn chat(
    State(state): State<SharedState>,
    Json(body): Json<ChatRequest>,
) -> ApiResult<Json<ChatResponse>> {
    let cid = id(&body.composition_id)?;
    let provider = state.llm.as_ref().map_err(|reason| {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "NO_LLM", reason.clone())
    })?;
    let mut options = sonic_ai::ChatOptions::default();
    if let Some(rounds) = body.max_rounds {
        options.max_rounds = rounds;
    }
    let analyses = {
        let state = state.clone();
        let cid = cid.clone();
        blocking(move || {
            let composition = state.studio.snapshot(&cid)?;
            Ok(crate::routes::samples::cached_analyses(
                &state,
                &composition,
            ))
        })
        .await?
    };
    let outcome = sonic_ai::chat(
        provider,
        &state.studio,
        &cid,
        &body.message,
        &analyses,
        &options,
    )
    .await
    .map_err(chat_error)?;
    Ok(Json(ChatResponse {
        response: outcome.reply,
        actions_executed: outcome.actions.into_iter().map(Into::into).collect(),
        rounds: outcome.rounds,
        hit_max_rounds: outcome.hit_max_rounds,
        version: outcome.version,
    }))
}

fn chat_error(e: sonic_ai::ChatError) -> ApiError {
    use sonic_ai::llm::LlmError;
    use sonic_ai::ChatError;
    match e {
        ChatError::Daw(e) => e.into(),
        ChatError::EmptyMessage | ChatError::NoRounds => {
            ApiError::bad_request("INVALID_VALUE", e.to_string())
        }
        ChatError::Conflict(_) => ApiError::new(StatusCode::CONFLICT, "CONFLICT", e.to_string()),
        ChatError::Llm(
            LlmError::NotConfigured | LlmError::MissingConfig(_) | LlmError::InvalidConfig { .. },
        ) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "NO_LLM", e.to_string()),
        ChatError::Llm(_) => ApiError::new(StatusCode::BAD_GATEWAY, "LLM_FAILED", e.to_string()),
    }
}

/// One action: `{composition_id, action, ...parameters}` or the original envelope
/// `{composition_id, action, parameters: {...}}`.
#[derive(Deserialize, ToSchema)]
pub struct ActionRequest {
    /// The composition to act on.
    pub composition_id: String,
    /// The action and its parameters (see `GET /api/assistant/tools?format=schema`).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub action: serde_json::Map<String, Value>,
}

/// A batch of actions.
#[derive(Deserialize, ToSchema)]
pub struct BatchRequest {
    /// The composition to act on.
    pub composition_id: String,
    /// Actions, each as for `/api/assistant/action` (without composition_id).
    #[schema(value_type = Vec<Object>)]
    pub actions: Vec<Value>,
    /// All or nothing (default false: apply what succeeds).
    #[serde(default)]
    pub atomic: bool,
    /// Prefix of the history message.
    pub message: Option<String>,
}

/// What a batch did.
#[derive(Serialize, ToSchema)]
pub struct BatchResponse {
    /// Per-action results, in order.
    pub results: Vec<ActionResultSchema>,
    /// Every action succeeded.
    pub all_succeeded: bool,
    /// How many failed.
    pub failed_count: usize,
    /// The history version written (none when nothing changed).
    pub version: Option<u32>,
}

/// Result of one action (the shape of `sonic_ai::ActionResult`).
#[derive(Serialize, ToSchema)]
pub struct ActionResultSchema {
    /// Whether it succeeded.
    pub success: bool,
    /// The action name.
    pub action: String,
    /// What happened.
    pub message: String,
    /// Ids and values it produced.
    #[schema(value_type = Option<Object>)]
    pub data: Option<Value>,
    /// A stable error code when it failed.
    pub error: Option<String>,
}

impl From<ActionResult> for ActionResultSchema {
    fn from(r: ActionResult) -> Self {
        ActionResultSchema {
            success: r.success,
            action: r.action,
            message: r.message,
            data: r.data,
            error: r.error,
        }
    }
}

/// `POST /api/assistant/state` body.
#[derive(Deserialize, ToSchema)]
pub struct StateRequest {
    /// The composition.
    pub composition_id: String,
    /// The hash the client already has: when unchanged, no state is sent back.
    pub previous_hash: Option<String>,
}

/// The composition's state for an assistant.
#[derive(Serialize, ToSchema)]
pub struct StateResponse {
    /// The whole composition, or null when `previous_hash` is still current.
    #[schema(value_type = Option<Object>)]
    pub full_state: Option<Value>,
    /// True when `full_state` was left out because nothing changed.
    pub is_diff: bool,
    /// Hash of the state (stable while nothing changes).
    pub state_hash: String,
}

/// `?composition_id=`.
#[derive(Deserialize, IntoParams)]
pub struct CompositionQuery {
    /// The composition.
    pub composition_id: String,
}

/// `?format=`.
#[derive(Deserialize, IntoParams)]
pub struct ToolsQuery {
    /// `anthropic` (default), `openai` or `schema`.
    pub format: Option<String>,
}

/// The context text.
#[derive(Serialize, ToSchema)]
pub struct ContextResponse {
    /// Exactly what an LLM is given about the composition.
    pub context: String,
}

fn run(
    state: &SharedState,
    cid: &Id,
    actions: Vec<Value>,
    atomic: bool,
    message: Option<&str>,
) -> ApiResult<sonic_ai::AppliedBatch> {
    let parsed = actions.into_iter().map(DawAction::from_value).collect();
    Ok(apply_batch(&state.studio, cid, parsed, atomic, message)?)
}

/// Run one action. Saved as a history version of source `ai` when it changed anything;
/// 422 with the action's error code when it is invalid (nothing changes).
#[utoipa::path(post, path = "/api/assistant/action", tag = "assistant", request_body = ActionRequest,
    responses((status = 200, body = ActionResultSchema), (status = "default", body = ErrorBody)))]
async fn execute_action(
    State(state): State<SharedState>,
    Json(body): Json<ActionRequest>,
) -> ApiResult<Json<ActionResultSchema>> {
    let cid = id(&body.composition_id)?;
    let action = Value::Object(body.action);
    let applied = blocking(move || run(&state, &cid, vec![action], true, None)).await?;
    let result = applied
        .report
        .results
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal("an action produced no result"))?;
    if !result.success {
        let code = match result.error.as_deref() {
            Some(_) => "INVALID_ACTION",
            None => "ACTION_FAILED",
        };
        let detail = result.error.clone().unwrap_or_default();
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            format!("{} ({detail})", result.message),
        ));
    }
    Ok(Json(result.into()))
}

/// Run a batch: atomic batches are all or nothing; others apply what succeeds. One undo step
/// and one history version (source `ai`) when anything changed. Always 200 with per-action
/// results.
#[utoipa::path(post, path = "/api/assistant/actions/batch", tag = "assistant", request_body = BatchRequest,
    responses((status = 200, body = BatchResponse), (status = "default", body = ErrorBody)))]
async fn execute_batch(
    State(state): State<SharedState>,
    Json(body): Json<BatchRequest>,
) -> ApiResult<Json<BatchResponse>> {
    let cid = id(&body.composition_id)?;
    let applied = blocking(move || {
        run(
            &state,
            &cid,
            body.actions,
            body.atomic,
            body.message.as_deref(),
        )
    })
    .await?;
    let report = applied.report;
    Ok(Json(BatchResponse {
        results: report.results.into_iter().map(Into::into).collect(),
        all_succeeded: report.all_succeeded,
        failed_count: report.failed_count,
        version: applied.version,
    }))
}

/// The composition's full state and a hash of it (nothing when `previous_hash` matches).
#[utoipa::path(post, path = "/api/assistant/state", tag = "assistant", request_body = StateRequest,
    responses((status = 200, body = StateResponse), (status = "default", body = ErrorBody)))]
async fn get_state(
    State(state): State<SharedState>,
    Json(body): Json<StateRequest>,
) -> ApiResult<Json<StateResponse>> {
    let cid = id(&body.composition_id)?;
    let (value, hash) = blocking(move || {
        read(&state, &cid, |c| {
            let mut value =
                serde_json::to_value(c).map_err(|e| ApiError::internal(e.to_string()))?;
            // The hash ignores bookkeeping that changes without a musical change.
            if let Some(map) = value.as_object_mut() {
                map.remove("updated_at");
            }
            let hash = fnv1a(value.to_string().as_bytes());
            Ok::<_, ApiError>((value, hash))
        })?
    })
    .await?;
    let unchanged = body.previous_hash.as_deref() == Some(hash.as_str());
    Ok(Json(StateResponse {
        full_state: (!unchanged).then_some(value),
        is_diff: unchanged,
        state_hash: hash,
    }))
}

fn fnv1a(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The text an LLM is given about the composition.
#[utoipa::path(get, path = "/api/assistant/context", tag = "assistant", params(CompositionQuery),
    responses((status = 200, body = ContextResponse), (status = "default", body = ErrorBody)))]
async fn get_context(
    State(state): State<SharedState>,
    Query(query): Query<CompositionQuery>,
) -> ApiResult<Json<ContextResponse>> {
    let cid = id(&query.composition_id)?;
    let context = blocking(move || {
        let composition = state.studio.snapshot(&cid)?;
        let analyses = crate::routes::samples::cached_analyses(&state, &composition);
        Ok(build_context(
            &composition,
            &analyses,
            &ContextOptions::default(),
        ))
    })
    .await?;
    Ok(Json(ContextResponse { context }))
}

/// Tool definitions for LLM function calling, generated from the action types.
#[utoipa::path(get, path = "/api/assistant/tools", tag = "assistant", params(ToolsQuery),
    responses((status = 200, body = Value, description = "Anthropic tools or OpenAI functions (arrays) or a JSON Schema (object)"), (status = "default", body = ErrorBody)))]
async fn get_tools(Query(query): Query<ToolsQuery>) -> ApiResult<Json<Value>> {
    let format: ToolFormat = query
        .format
        .as_deref()
        .unwrap_or("anthropic")
        .parse()
        .map_err(|e: String| ApiError::bad_request("INVALID_FORMAT", e))?;
    Ok(Json(tool_definitions(format)))
}
