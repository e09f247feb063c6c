//! `/api/compositions`: create, list, get, update, delete, save, autosave, recover, undo/redo,
//! chat history.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use sonic_daw::{song, Scope};
use sonic_model::{ChatMessage, Composition, CompositionMetadata, HistorySource};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{id, Json, OptionalJson, Path};
use crate::state::{blocking, in_memory, SharedState};

pub fn router() -> OpenApiRouter<SharedState> {
    OpenApiRouter::new()
        .routes(routes!(create_composition, list_compositions))
        .routes(routes!(load_all))
        .routes(routes!(
            get_composition,
            update_composition,
            delete_composition
        ))
        .routes(routes!(save_composition))
        .routes(routes!(snapshot_composition))
        .routes(routes!(autosave_composition))
        .routes(routes!(recover_autosave))
        .routes(routes!(undo))
        .routes(routes!(redo))
        .routes(routes!(undo_redo_status))
        .routes(routes!(chat_history))
}

/// `POST /api/compositions` body.
#[derive(Deserialize, ToSchema)]
pub struct CreateComposition {
    /// Name.
    pub name: String,
    /// Tempo, BPM (0 < t ≤ 300, default 120).
    pub tempo: Option<f64>,
    /// Time signature such as `4/4` (default).
    pub time_signature: Option<String>,
}

/// Answer to a create.
#[derive(Serialize, ToSchema)]
pub struct Created {
    /// The new composition's id.
    pub composition_id: String,
    /// Its name.
    pub name: String,
    /// What happened.
    pub message: String,
}

/// A composition listing.
#[derive(Serialize, ToSchema)]
pub struct CompositionList {
    /// Newest first.
    pub compositions: Vec<CompositionMetadata>,
    /// How many.
    pub total: usize,
}

/// `PUT /api/compositions/{id}` body: only the fields given change.
#[derive(Deserialize, ToSchema)]
pub struct UpdateComposition {
    /// New name.
    pub name: Option<String>,
    /// New tempo.
    pub tempo: Option<f64>,
    /// New time signature.
    pub time_signature: Option<String>,
}

/// A plain acknowledgement.
#[derive(Serialize, ToSchema)]
pub struct Status {
    /// `ok`.
    pub status: &'static str,
    /// What happened.
    pub message: String,
    /// The composition concerned.
    pub composition_id: String,
}

/// `POST /api/compositions/{id}/save` body (all optional; the original client's
/// `composition_id` and `metadata` are accepted and ignored: the path names the composition).
#[derive(Deserialize, ToSchema, Default)]
pub struct SaveRequest {
    /// Write only `autosave.json` (default false).
    pub is_autosave: Option<bool>,
    /// Write a history version (default true). `false` writes only `autosave.json`:
    /// `current.json` is always a history version in Sonic, so a save without history is an
    /// autosave.
    pub create_history: Option<bool>,
    /// Message of the history entry.
    pub message: Option<String>,
}

/// Answer to a save, an autosave or a recovery.
#[derive(Serialize, ToSchema)]
pub struct Saved {
    /// `ok`.
    pub status: &'static str,
    /// The composition.
    pub composition_id: String,
    /// Whether a history version was written.
    pub history_created: bool,
    /// The version written, if any.
    pub version: Option<u32>,
    /// What happened.
    pub message: String,
}

/// Answer to undo/redo.
#[derive(Serialize, ToSchema)]
pub struct UndoResult {
    /// `ok`.
    pub status: &'static str,
    /// What happened.
    pub message: String,
    /// The state after the step.
    pub composition: Composition,
    /// More undo steps exist.
    pub can_undo: bool,
    /// Redo steps exist.
    pub can_redo: bool,
}

/// Undo/redo availability.
#[derive(Serialize, ToSchema)]
pub struct UndoStatus {
    /// Undo possible.
    pub can_undo: bool,
    /// Redo possible.
    pub can_redo: bool,
    /// Undo steps.
    pub undo_stack_size: usize,
    /// Redo steps.
    pub redo_stack_size: usize,
}

/// The conversation with the AI.
#[derive(Serialize, ToSchema)]
pub struct ChatHistory {
    /// Turns, oldest first.
    pub chat_history: Vec<ChatMessage>,
}

/// Create a composition (8 scenes, 120 BPM, 4/4 unless given) and open it.
#[utoipa::path(post, path = "/api/compositions", tag = "compositions", request_body = CreateComposition,
    responses((status = 200, body = Created), (status = "default", body = ErrorBody)))]
async fn create_composition(
    State(state): State<SharedState>,
    Json(body): Json<CreateComposition>,
) -> ApiResult<Json<Created>> {
    let mut composition = Composition::new(body.name);
    if let Some(tempo) = body.tempo {
        composition.tempo = tempo;
    }
    if let Some(signature) = body.time_signature {
        composition.time_signature = signature;
    }
    composition.validate()?;
    let name = composition.name.clone();
    let id = blocking(move || Ok(state.studio.create(composition)?)).await?;
    Ok(Json(Created {
        composition_id: id.to_string(),
        message: format!("Created composition {name:?}"),
        name,
    }))
}

/// List compositions, newest first (from each composition's metadata.json).
#[utoipa::path(get, path = "/api/compositions", tag = "compositions",
    responses((status = 200, body = CompositionList), (status = "default", body = ErrorBody)))]
async fn list_compositions(State(state): State<SharedState>) -> ApiResult<Json<CompositionList>> {
    let listing = blocking(move || Ok(state.studio.store().list()?)).await?;
    Ok(Json(CompositionList {
        total: listing.compositions.len(),
        compositions: listing.compositions,
    }))
}

/// The whole composition as it is now (opening it if needed).
#[utoipa::path(get, path = "/api/compositions/{id}", tag = "compositions",
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = Composition), (status = "default", body = ErrorBody)))]
async fn get_composition(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> ApiResult<axum::response::Response> {
    let id = id(&raw)?;
    in_memory(state.studio.is_open(&id), move || {
        let bytes = state
            .studio
            .with(&id, |open| {
                let c = open.composition();
                let key = (open.generation(), c.updated_at);
                let mut cache = state.json_cache.lock().unwrap_or_else(|p| p.into_inner());
                if let Some((generation, updated_at, bytes)) = cache.get(&id) {
                    if (*generation, *updated_at) == key {
                        return Ok(bytes.clone());
                    }
                }
                let bytes = axum::body::Bytes::from(serde_json::to_vec(c)?);
                cache.insert(id.clone(), (key.0, key.1, bytes.clone()));
                Ok::<_, serde_json::Error>(bytes)
            })?
            .map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(crate::routes::json_bytes(bytes))
    })
    .await
}

/// Rename, change tempo or time signature (one undo step).
#[utoipa::path(put, path = "/api/compositions/{id}", tag = "compositions", request_body = UpdateComposition,
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = Status), (status = "default", body = ErrorBody)))]
async fn update_composition(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
    Json(body): Json<UpdateComposition>,
) -> ApiResult<Json<Status>> {
    let id = id(&raw)?;
    let composition_id = id.to_string();
    in_memory(state.studio.is_open(&id), move || {
        state.studio.with(&id, |open| {
            open.edit(Scope::Settings, |c| {
                if let Some(name) = &body.name {
                    song::rename(c, name)?;
                }
                if let Some(tempo) = body.tempo {
                    song::set_tempo(c, tempo)?;
                }
                if let Some(signature) = &body.time_signature {
                    song::set_time_signature(c, signature)?;
                }
                Ok(())
            })
        })??;
        Ok(())
    })
    .await?;
    Ok(Json(Status {
        status: "ok",
        message: "Composition updated".into(),
        composition_id,
    }))
}

/// Delete a composition with all its history.
#[utoipa::path(delete, path = "/api/compositions/{id}", tag = "compositions",
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = Status), (status = "default", body = ErrorBody)))]
async fn delete_composition(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<Status>> {
    let id = id(&raw)?;
    let composition_id = id.to_string();
    blocking(move || {
        state.studio.delete(&id)?;
        state.forget(&id);
        Ok(())
    })
    .await?;
    Ok(Json(Status {
        status: "ok",
        message: "Composition deleted".into(),
        composition_id,
    }))
}

/// Save: a new history version (source `manual`), or only `autosave.json` with
/// `is_autosave: true` or `create_history: false`.
#[utoipa::path(post, path = "/api/compositions/{id}/save", tag = "compositions", request_body = SaveRequest,
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = Saved), (status = "default", body = ErrorBody)))]
async fn save_composition(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
    OptionalJson(body): OptionalJson<SaveRequest>,
) -> ApiResult<Json<Saved>> {
    let id = id(&raw)?;
    let composition_id = id.to_string();
    if body.is_autosave == Some(true) || body.create_history == Some(false) {
        blocking(move || Ok(state.studio.autosave(&id)?)).await?;
        return Ok(Json(Saved {
            status: "ok",
            composition_id,
            history_created: false,
            version: None,
            message: "Autosaved (no history version)".into(),
        }));
    }
    let message = body.message.unwrap_or_else(|| "Saved".into());
    let version =
        blocking(move || Ok(state.studio.save(&id, HistorySource::Manual, &message)?)).await?;
    Ok(Json(Saved {
        status: "ok",
        composition_id,
        history_created: true,
        version: Some(version),
        message: format!("Saved as version {version}"),
    }))
}

/// Write `autosave.json` now (no history version).
#[utoipa::path(post, path = "/api/compositions/{id}/autosave", tag = "compositions",
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = Saved), (status = "default", body = ErrorBody)))]
async fn autosave_composition(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<Saved>> {
    save_composition(
        State(state),
        Path(raw),
        OptionalJson(SaveRequest {
            is_autosave: Some(true),
            ..SaveRequest::default()
        }),
    )
    .await
}

/// Promote `autosave.json` to current: a new version of source `autosave_recovery`
/// (undoable).
#[utoipa::path(post, path = "/api/compositions/{id}/recover-autosave", tag = "compositions",
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = Saved), (status = "default", body = ErrorBody)))]
async fn recover_autosave(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<Saved>> {
    let id = id(&raw)?;
    let composition_id = id.to_string();
    let version = blocking(move || {
        let autosaved = state.studio.store().load_autosave(&id)?;
        Ok(state.studio.replace_and_save(
            &id,
            autosaved,
            HistorySource::AutosaveRecovery,
            "Recovered autosave",
        )?)
    })
    .await?;
    Ok(Json(Saved {
        status: "ok",
        composition_id,
        history_created: true,
        version: Some(version),
        message: format!("Recovered the autosave as version {version}"),
    }))
}

/// Answer to a snapshot.
#[derive(Serialize, ToSchema)]
pub struct Snapshot {
    /// `ok`.
    pub status: &'static str,
    /// What happened.
    pub message: String,
    /// The composition.
    pub composition_id: String,
    /// The history version written.
    pub version: u32,
}

/// Save with a history entry (the original's backend-only route; the same as `/save`).
#[utoipa::path(post, path = "/api/compositions/{id}/snapshot", tag = "compositions",
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = Snapshot), (status = "default", body = ErrorBody)))]
async fn snapshot_composition(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<Snapshot>> {
    let id = id(&raw)?;
    let composition_id = id.to_string();
    let version =
        blocking(move || Ok(state.studio.save(&id, HistorySource::Manual, "Snapshot")?)).await?;
    Ok(Json(Snapshot {
        status: "ok",
        message: format!("Saved a snapshot as version {version}"),
        composition_id,
        version,
    }))
}

/// Answer to a load-all.
#[derive(Serialize, ToSchema)]
pub struct LoadedAll {
    /// `ok`.
    pub status: &'static str,
    /// What happened (names the compositions that could not be opened).
    pub message: String,
    /// Compositions in the data directory.
    pub total: usize,
    /// Compositions open after the call (those open already included).
    pub loaded: usize,
}

/// Open every composition in the studio (the original's bulk load). One that cannot be read
/// is skipped and named in `message`; it never fails the call.
#[utoipa::path(post, path = "/api/compositions/load-all", tag = "compositions",
    responses((status = 200, body = LoadedAll), (status = "default", body = ErrorBody)))]
async fn load_all(State(state): State<SharedState>) -> ApiResult<Json<LoadedAll>> {
    blocking(move || {
        let listed = state.studio.store().list()?.compositions;
        let mut failed = Vec::new();
        for meta in &listed {
            if let Err(e) = state.studio.open(&meta.id) {
                tracing::warn!(composition = %meta.id, error = %e, "cannot open");
                failed.push(format!("{} ({e})", meta.id));
            }
        }
        let (total, loaded) = (listed.len(), listed.len() - failed.len());
        let mut message = format!("Opened {loaded} of {total} compositions");
        if !failed.is_empty() {
            message.push_str(&format!("; could not open: {}", failed.join(", ")));
        }
        Ok(LoadedAll {
            status: "ok",
            message,
            total,
            loaded,
        })
    })
    .await
    .map(Json)
}

fn step(state: &SharedState, raw: &str, redo: bool) -> ApiResult<UndoResult> {
    let id = id(raw)?;
    state.studio.with(&id, |open| {
        if redo {
            open.redo()?;
        } else {
            open.undo()?;
        }
        Ok(UndoResult {
            status: "ok",
            message: if redo { "Redone" } else { "Undone" }.into(),
            composition: open.composition().clone(),
            can_undo: open.undo_count() > 0,
            can_redo: open.redo_count() > 0,
        })
    })?
}

/// Undo the last edit. 409 `NOTHING_TO_UNDO` when there is none.
#[utoipa::path(post, path = "/api/compositions/{id}/undo", tag = "compositions",
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = UndoResult), (status = "default", body = ErrorBody)))]
async fn undo(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<UndoResult>> {
    blocking(move || step(&state, &raw, false)).await.map(Json)
}

/// Redo the last undone edit. 409 `NOTHING_TO_REDO` when there is none.
#[utoipa::path(post, path = "/api/compositions/{id}/redo", tag = "compositions",
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = UndoResult), (status = "default", body = ErrorBody)))]
async fn redo(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<UndoResult>> {
    blocking(move || step(&state, &raw, true)).await.map(Json)
}

/// Whether undo and redo are possible.
#[utoipa::path(get, path = "/api/compositions/{id}/undo-redo-status", tag = "compositions",
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = UndoStatus), (status = "default", body = ErrorBody)))]
async fn undo_redo_status(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<UndoStatus>> {
    let id = id(&raw)?;
    in_memory(state.studio.is_open(&id), move || {
        Ok(state.studio.with(&id, |open| UndoStatus {
            can_undo: open.undo_count() > 0,
            can_redo: open.redo_count() > 0,
            undo_stack_size: open.undo_count(),
            redo_stack_size: open.redo_count(),
        })?)
    })
    .await
    .map(Json)
}

/// The conversation with the AI kept in the composition.
#[utoipa::path(get, path = "/api/compositions/{id}/chat-history", tag = "compositions",
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = ChatHistory), (status = "default", body = ErrorBody)))]
async fn chat_history(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<ChatHistory>> {
    let id = id(&raw)?;
    in_memory(state.studio.is_open(&id), move || {
        Ok(state.studio.with(&id, |open| ChatHistory {
            chat_history: open.composition().chat_history.clone(),
        })?)
    })
    .await
    .map(Json)
}
