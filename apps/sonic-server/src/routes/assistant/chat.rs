//! `/api/assistant/chat` and `/contextual-chat`: one exchange with the configured LLM about a
//! composition, optionally focused on one of its tracks, clips, effects or mixer channels.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sonic_model::{Composition, Id};
use utoipa::ToSchema;

use super::ActionResultSchema;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{id, Json};
use crate::state::{blocking, SharedState};

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
    /// Always null (the original's field): Sonic does no separate musical analysis pass.
    #[schema(value_type = Option<String>)]
    pub musical_context: Option<String>,
    /// Always null (the original's field): Sonic does no intent routing.
    #[schema(value_type = Option<String>)]
    pub routing_intent: Option<String>,
    /// Model calls made.
    pub rounds: usize,
    /// The model was still calling tools when the round limit stopped it.
    pub hit_max_rounds: bool,
    /// The history version the exchange was saved as (source `ai`).
    pub version: u32,
}

/// What a contextual chat is about.
#[derive(Deserialize, Serialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    /// A track (`entity_id` is its id).
    Track,
    /// A clip.
    Clip,
    /// An effect of a track's chain.
    Effect,
    /// A track's mixer channel (its channel id or its track's id).
    MixerChannel,
    /// The composition itself (`entity_id` is its id).
    Composition,
}

impl EntityType {
    fn name(self) -> &'static str {
        match self {
            EntityType::Track => "track",
            EntityType::Clip => "clip",
            EntityType::Effect => "effect",
            EntityType::MixerChannel => "mixer channel",
            EntityType::Composition => "composition",
        }
    }
}

/// `POST /api/assistant/contextual-chat` body (the original client's `execution_model`,
/// `temperature` and `response_style` are accepted and ignored: the model is configured on
/// the server).
#[derive(Deserialize, ToSchema)]
pub struct ContextualChatRequest {
    /// The composition.
    pub composition_id: String,
    /// What the user asks for.
    pub message: String,
    /// What the request is about.
    pub entity_type: EntityType,
    /// Its id.
    pub entity_id: String,
    /// More for the model to know (current values, related entities), passed on as JSON.
    #[schema(value_type = Option<Object>)]
    pub additional_context: Option<Map<String, Value>>,
    /// Model calls at most (default 8).
    pub max_rounds: Option<usize>,
}

/// Something an exchange's actions touched.
#[derive(Serialize, ToSchema, PartialEq, Eq)]
pub struct AffectedEntity {
    /// `track`, `clip`, `effect` or `composition`.
    #[serde(rename = "type")]
    pub entity_type: &'static str,
    /// Its id.
    pub id: String,
}

/// One exchange focused on an entity.
#[derive(Serialize, ToSchema)]
pub struct ContextualChatResponse {
    /// The model's answer.
    pub response: String,
    /// Every action it ran, in order (failed ones included, with their error).
    pub actions_executed: Vec<ActionResultSchema>,
    /// What the request was about.
    pub entity_type: EntityType,
    /// Its id.
    pub entity_id: String,
    /// What the successful actions created or changed, for highlighting.
    pub affected_entities: Vec<AffectedEntity>,
    /// Always null: Sonic does no separate musical analysis pass (the model sees the
    /// composition's context).
    #[schema(value_type = Option<String>)]
    pub musical_context: Option<String>,
    /// Always null: Sonic does no intent routing.
    #[schema(value_type = Option<String>)]
    pub routing_intent: Option<String>,
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
pub(super) async fn chat(
    State(state): State<SharedState>,
    Json(body): Json<ChatRequest>,
) -> ApiResult<Json<ChatResponse>> {
    let cid = id(&body.composition_id)?;
    let outcome = exchange(&state, cid, body.message, body.max_rounds).await?;
    Ok(Json(ChatResponse {
        response: outcome.reply,
        actions_executed: outcome.actions.into_iter().map(Into::into).collect(),
        musical_context: None,
        routing_intent: None,
        rounds: outcome.rounds,
        hit_max_rounds: outcome.hit_max_rounds,
        version: outcome.version,
    }))
}

/// Chat about one track, clip, effect or mixer channel (or the composition): the model gets
/// the whole composition as in `/chat`, and the request names the entity (the saved chat
/// history keeps that note). 404 `ENTITY_NOT_FOUND` when the entity is not in the
/// composition; otherwise as `/chat` (503 `NO_LLM` without a provider).
#[utoipa::path(post, path = "/api/assistant/contextual-chat", tag = "assistant", request_body = ContextualChatRequest,
    responses((status = 200, body = ContextualChatResponse), (status = "default", body = ErrorBody)))]
pub(super) async fn contextual_chat(
    State(state): State<SharedState>,
    Json(body): Json<ContextualChatRequest>,
) -> ApiResult<Json<ContextualChatResponse>> {
    let cid = id(&body.composition_id)?;
    let entity = id(&body.entity_id)?;
    if body.message.trim().is_empty() {
        return Err(ApiError::bad_request(
            "INVALID_VALUE",
            sonic_ai::ChatError::EmptyMessage.to_string(),
        ));
    }
    provider(&state)?;
    let label = {
        let (state, cid, entity) = (state.clone(), cid.clone(), entity.clone());
        let kind = body.entity_type;
        blocking(move || {
            crate::routes::read(&state, &cid, |c| describe(c, kind, &entity))?.ok_or_else(|| {
                ApiError::not_found(
                    "ENTITY_NOT_FOUND",
                    format!("composition {cid} has no {} {entity}", kind.name()),
                )
            })
        })
        .await?
    };
    let mut note = format!("[About {label}");
    if let Some(extra) = body.additional_context.filter(|m| !m.is_empty()) {
        note.push_str(&format!("; context: {}", Value::Object(extra)));
    }
    let message = format!("{note}] {}", body.message.trim());
    let outcome = exchange(&state, cid.clone(), message, body.max_rounds).await?;
    let affected = affected_entities(&cid, &outcome.actions);
    Ok(Json(ContextualChatResponse {
        response: outcome.reply,
        actions_executed: outcome.actions.into_iter().map(Into::into).collect(),
        entity_type: body.entity_type,
        entity_id: entity.to_string(),
        affected_entities: affected,
        musical_context: None,
        routing_intent: None,
        rounds: outcome.rounds,
        hit_max_rounds: outcome.hit_max_rounds,
        version: outcome.version,
    }))
}

fn provider(state: &SharedState) -> ApiResult<&sonic_ai::llm::Provider> {
    state
        .llm
        .as_ref()
        .map_err(|reason| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "NO_LLM", reason.clone()))
}

/// Runs one exchange about `cid` with the cached analyses of its samples.
async fn exchange(
    state: &SharedState,
    cid: Id,
    message: String,
    max_rounds: Option<usize>,
) -> ApiResult<sonic_ai::ChatOutcome> {
    let provider = provider(state)?;
    let mut options = sonic_ai::ChatOptions::default();
    if let Some(rounds) = max_rounds {
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
    sonic_ai::chat(provider, &state.studio, &cid, &message, &analyses, &options)
        .await
        .map_err(chat_error)
}

/// How the request names the entity to the model, or None when it is not in `c`.
fn describe(c: &Composition, kind: EntityType, entity: &Id) -> Option<String> {
    match kind {
        EntityType::Track => c
            .tracks
            .iter()
            .find(|t| &t.id == entity)
            .map(|t| format!("track {:?} ({})", t.name, t.id)),
        EntityType::Clip => c.clips.iter().find(|clip| &clip.id == entity).map(|clip| {
            format!(
                "clip {:?} ({}) on track {}",
                clip.name, clip.id, clip.track_id
            )
        }),
        EntityType::Effect => c
            .track_effects
            .iter()
            .flat_map(|chain| &chain.effects)
            .find(|e| &e.id == entity)
            .map(|e| {
                format!(
                    "effect {:?} ({}, {}) on track {}",
                    e.display_name, e.id, e.effect_name, e.track_id
                )
            }),
        EntityType::MixerChannel => c
            .mixer_state
            .channels
            .iter()
            .find(|ch| &ch.id == entity || ch.track_id.as_ref() == Some(entity))
            .map(|ch| match &ch.track_id {
                Some(track) => format!("the mixer channel {:?} of track {track}", ch.name),
                None => format!("the mixer channel {:?} ({})", ch.name, ch.id),
            }),
        EntityType::Composition => {
            (&c.id == entity).then(|| format!("the whole composition {:?}", c.name))
        }
    }
}

/// The tracks, clips and effects named in the data of the successful actions, and the
/// composition when an action changed it as a whole; in order, without repeats.
fn affected_entities(cid: &Id, actions: &[sonic_ai::ActionResult]) -> Vec<AffectedEntity> {
    const KEYS: [(&str, &str); 5] = [
        ("track_id", "track"),
        ("clip_id", "clip"),
        ("clip1_id", "clip"),
        ("clip2_id", "clip"),
        ("effect_id", "effect"),
    ];
    let mut out: Vec<AffectedEntity> = Vec::new();
    for result in actions.iter().filter(|r| r.success) {
        let data = result.data.as_ref().and_then(Value::as_object);
        let mut named = false;
        for (key, entity_type) in KEYS {
            if let Some(id) = data.and_then(|d| d.get(key)).and_then(Value::as_str) {
                named = true;
                let entity = AffectedEntity {
                    entity_type,
                    id: id.to_string(),
                };
                if !out.contains(&entity) {
                    out.push(entity);
                }
            }
        }
        let whole = AffectedEntity {
            entity_type: "composition",
            id: cid.to_string(),
        };
        if !named && !out.contains(&whole) {
            out.push(whole);
        }
    }
    out
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
        ChatError::SaveTask(_) => ApiError::internal(e.to_string()),
        ChatError::Llm(
            LlmError::NotConfigured | LlmError::MissingConfig(_) | LlmError::InvalidConfig { .. },
        ) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "NO_LLM", e.to_string()),
        ChatError::Llm(_) => ApiError::new(StatusCode::BAD_GATEWAY, "LLM_FAILED", e.to_string()),
    }
}
