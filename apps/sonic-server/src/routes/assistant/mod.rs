//! `/api/assistant`: AI actions (one, or a batch), state, context, tools, chat. Every route
//! names its composition: nothing acts on a server-wide "current" composition.

mod chat;
pub mod state;

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
use crate::state::{blocking, SharedState};

pub fn router() -> OpenApiRouter<SharedState> {
    OpenApiRouter::new()
        .routes(routes!(execute_action))
        .routes(routes!(execute_batch))
        .routes(routes!(state::get_state))
        .routes(routes!(get_context))
        .routes(routes!(get_tools))
        .routes(routes!(chat::chat))
        .routes(routes!(chat::contextual_chat))
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
