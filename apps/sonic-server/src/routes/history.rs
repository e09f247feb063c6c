//! `/api/compositions/{id}/history`: versions, one version, restore, diff.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use sonic_model::{Composition, HistorySource, Timestamp};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{id, Json, Path, Query};
use crate::state::{blocking, SharedState};

pub fn router() -> OpenApiRouter<SharedState> {
    OpenApiRouter::new()
        .routes(routes!(list_history))
        .routes(routes!(get_version))
        .routes(routes!(restore_version))
        .routes(routes!(diff_versions))
}

/// One history version.
#[derive(Serialize, ToSchema)]
pub struct VersionInfo {
    /// Version number (0 is the original).
    pub version: u32,
    /// `YYYYMMDD_HHMMSS`, as the original client expects.
    pub timestamp: String,
    /// When it was written.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Why: original, manual, ai, restore, autosave_recovery.
    pub source: HistorySource,
    /// What changed.
    pub message: String,
    /// File name under `history/`.
    pub filename: String,
}

/// The history of a composition.
#[derive(Serialize, ToSchema)]
pub struct HistoryList {
    /// The composition.
    pub composition_id: String,
    /// Versions, oldest first.
    pub history: Vec<VersionInfo>,
}

/// Answer to a restore.
#[derive(Serialize, ToSchema)]
pub struct Restored {
    /// `ok`.
    pub status: &'static str,
    /// What happened.
    pub message: String,
    /// The composition.
    pub composition_id: String,
    /// The version restored (as the original answers).
    pub version: u32,
    /// The new history version that now holds it (Sonic never rewrites history).
    pub new_version: u32,
}

/// `?from=&to=` of a diff.
#[derive(Deserialize, IntoParams)]
pub struct DiffQuery {
    /// Older version.
    pub from: u32,
    /// Newer version.
    pub to: u32,
}

/// List the history versions, oldest first.
#[utoipa::path(get, path = "/api/compositions/{id}/history", tag = "history",
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = HistoryList), (status = "default", body = ErrorBody)))]
async fn list_history(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<HistoryList>> {
    let id = id(&raw)?;
    let entries = blocking({
        let id = id.clone();
        move || Ok(state.studio.store().history(&id)?)
    })
    .await?;
    let history = entries
        .into_iter()
        .map(|e| {
            let timestamp = e.created_at.format("%Y%m%d_%H%M%S").to_string();
            VersionInfo {
                filename: format!("{:03}_{timestamp}.json", e.version),
                version: e.version,
                timestamp,
                created_at: e.created_at,
                source: e.source,
                message: e.message,
            }
        })
        .collect();
    Ok(Json(HistoryList {
        composition_id: id.to_string(),
        history,
    }))
}

/// The composition as it was at a version (no side effects).
#[utoipa::path(get, path = "/api/compositions/{id}/history/{version}", tag = "history",
    params(("id" = sonic_model::Id, Path, description = "Composition id"), ("version" = u32, Path, description = "Version")),
    responses((status = 200, body = Composition), (status = "default", body = ErrorBody)))]
async fn get_version(
    State(state): State<SharedState>,
    Path((raw, version)): Path<(String, u32)>,
) -> ApiResult<Json<Composition>> {
    let id = id(&raw)?;
    blocking(move || Ok(state.studio.store().load_version(&id, version)?))
        .await
        .map(Json)
}

/// Make a version current again: one undo step and a new version of source `restore`.
#[utoipa::path(post, path = "/api/compositions/{id}/history/{version}/restore", tag = "history",
    params(("id" = sonic_model::Id, Path, description = "Composition id"), ("version" = u32, Path, description = "Version")),
    responses((status = 200, body = Restored), (status = "default", body = ErrorBody)))]
async fn restore_version(
    State(state): State<SharedState>,
    Path((raw, version)): Path<(String, u32)>,
) -> ApiResult<Json<Restored>> {
    let id = id(&raw)?;
    let composition_id = id.to_string();
    let new_version = blocking(move || {
        let old = state.studio.store().load_version(&id, version)?;
        Ok(state.studio.replace_and_save(
            &id,
            old,
            HistorySource::Restore,
            &format!("Restored version {version}"),
        )?)
    })
    .await?;
    Ok(Json(Restored {
        status: "ok",
        message: format!("Restored version {version} as version {new_version}"),
        composition_id,
        version,
        new_version,
    }))
}

/// What changed between two versions: tracks, clips, notes, mixer, effects.
#[utoipa::path(get, path = "/api/compositions/{id}/diff", tag = "history",
    params(("id" = sonic_model::Id, Path, description = "Composition id"), DiffQuery),
    responses((status = 200, body = Object, description = "A CompositionDiff: properties, tracks, clips, notes, mixer, effects"),
        (status = "default", body = ErrorBody)))]
async fn diff_versions(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
    Query(query): Query<DiffQuery>,
) -> ApiResult<Json<sonic_store::CompositionDiff>> {
    let id = id(&raw)?;
    blocking(move || Ok(state.studio.store().diff(&id, query.from, query.to)?))
        .await
        .map(Json)
}
