//! `/api/samples`: upload (multipart, streamed; `upload.rs`), list, get, update, duration,
//! delete, and the file and its analysis (`files.rs`).

mod files;
mod upload;

use std::collections::BTreeMap;

use axum::extract::State;
use serde::{Deserialize, Serialize};
use sonic_analyzer::AnalysisCache;
use sonic_daw::Scope;
use sonic_model::{Composition, Id, SampleAnalysis, SampleMeta};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{id, Json, Multipart, Path, Query};
use crate::state::{blocking, SharedState};

pub fn router() -> OpenApiRouter<SharedState> {
    OpenApiRouter::new()
        .routes(routes!(upload::upload_sample))
        .routes(routes!(list_samples))
        .routes(routes!(get_sample, update_sample, delete_sample))
        .routes(routes!(files::download_sample))
        .routes(routes!(set_duration))
        .routes(routes!(files::sample_analysis))
}

/// A sample, wrapped as the original client expects.
#[derive(Serialize, ToSchema)]
pub struct SampleResponse {
    /// Always true (errors use the error shape).
    pub success: bool,
    /// What happened.
    pub message: String,
    /// The sample.
    pub sample: SampleMeta,
}

/// The library.
#[derive(Serialize, ToSchema)]
pub struct SampleList {
    /// Always true.
    pub success: bool,
    /// Samples by name.
    pub samples: Vec<SampleMeta>,
    /// How many.
    pub total: usize,
}

/// `multipart/form-data` of a duration report.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DurationForm {
    /// Length in seconds, as the client decoded it (0 to 86400).
    duration: f64,
}

/// Answer to a delete.
#[derive(Serialize, ToSchema)]
pub struct SampleDeleted {
    /// Always true (errors use the error shape).
    pub success: bool,
    /// What happened.
    pub message: String,
}

/// `PATCH` query: only the fields given change.
#[derive(Deserialize, IntoParams)]
pub struct UpdateQuery {
    /// New name.
    pub name: Option<String>,
    /// New category.
    pub category: Option<String>,
}

/// `DELETE` query.
#[derive(Deserialize, IntoParams)]
pub struct DeleteQuery {
    /// Delete even when compositions use it.
    #[serde(default)]
    pub force: bool,
}

/// Every sample, by name.
#[utoipa::path(get, path = "/api/samples", tag = "samples",
    responses((status = 200, body = SampleList), (status = "default", body = ErrorBody)))]
async fn list_samples(State(state): State<SharedState>) -> ApiResult<Json<SampleList>> {
    let listing = blocking(move || Ok(state.samples.list()?)).await?;
    Ok(Json(SampleList {
        success: true,
        total: listing.samples.len(),
        samples: listing.samples,
    }))
}

/// One sample's record.
#[utoipa::path(get, path = "/api/samples/{sample_id}", tag = "samples",
    params(("sample_id" = sonic_model::Id, Path, description = "Sample id")),
    responses((status = 200, body = SampleResponse), (status = "default", body = ErrorBody)))]
async fn get_sample(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<SampleResponse>> {
    let sid = id(&raw)?;
    let sample = blocking(move || Ok(state.samples.get(&sid)?)).await?;
    Ok(Json(SampleResponse {
        success: true,
        message: "Sample found".into(),
        sample,
    }))
}

/// Rename or recategorise (query parameters, as the original client sends them). A rename
/// also updates `sample_name` on the tracks that use the sample in every open composition
/// (one undo step each, saved with their next save); compositions not open keep the old
/// label until edited.
#[utoipa::path(patch, path = "/api/samples/{sample_id}", tag = "samples",
    params(("sample_id" = sonic_model::Id, Path, description = "Sample id"), UpdateQuery),
    responses((status = 200, body = SampleResponse), (status = "default", body = ErrorBody)))]
async fn update_sample(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
    Query(query): Query<UpdateQuery>,
) -> ApiResult<Json<SampleResponse>> {
    let sid = id(&raw)?;
    let (sample, relabelled) = blocking(move || {
        let sample =
            state
                .samples
                .update(&sid, query.name.as_deref(), query.category.as_deref())?;
        let relabelled = match query.name {
            Some(_) => relabel_tracks(&state, &sample)?,
            None => 0,
        };
        Ok((sample, relabelled))
    })
    .await?;
    let message = match relabelled {
        0 => "Sample updated".into(),
        n => format!("Sample updated; renamed on {n} track(s) of open compositions"),
    };
    Ok(Json(SampleResponse {
        success: true,
        message,
        sample,
    }))
}

/// Sets `sample_name` to the sample's name on every track of an open composition that uses
/// it; returns how many tracks changed.
fn relabel_tracks(state: &SharedState, sample: &SampleMeta) -> ApiResult<usize> {
    let mut changed = 0;
    for cid in state.studio.open_ids() {
        let uses = |t: &sonic_model::Track| {
            t.sample_id.as_ref() == Some(&sample.id)
                && t.sample_name.as_deref() != Some(sample.name.as_str())
        };
        let result = state.studio.with(&cid, |open| {
            if !open.composition().tracks.iter().any(uses) {
                return Ok(0);
            }
            open.edit(Scope::Settings, |c| {
                let mut n = 0;
                for track in c.tracks.iter_mut().filter(|t| uses(t)) {
                    track.sample_name = Some(sample.name.clone());
                    n += 1;
                }
                Ok(n)
            })
        });
        match result {
            Ok(edit) => changed += edit?,
            // Deleted meanwhile: nothing to relabel.
            Err(sonic_daw::DawError::Store(sonic_store::StoreError::CompositionNotFound(_))) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(changed)
}

/// Record the duration the client measured (the original web client decodes uploads
/// itself): multipart form with a `duration` field, in seconds.
#[utoipa::path(post, path = "/api/samples/{sample_id}/duration", tag = "samples",
    params(("sample_id" = sonic_model::Id, Path, description = "Sample id")),
    request_body(content = DurationForm, content_type = "multipart/form-data"),
    responses((status = 200, body = SampleResponse), (status = "default", body = ErrorBody)))]
async fn set_duration(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
    Multipart(mut form): Multipart,
) -> ApiResult<Json<SampleResponse>> {
    let sid = id(&raw)?;
    let mut duration = None;
    while let Some(field) = form.next_field().await? {
        if field.name() == Some("duration") {
            let text = field.text().await?;
            let seconds = text.trim().parse::<f64>().map_err(|_| {
                ApiError::bad_request(
                    "INVALID_VALUE",
                    format!("duration must be a number of seconds, not {text:?}"),
                )
            })?;
            duration = Some(seconds);
        }
    }
    let seconds = duration.ok_or_else(|| {
        ApiError::bad_request("MISSING_FIELD", "the form has no `duration` field")
    })?;
    let sample = blocking(move || Ok(state.samples.set_duration(&sid, seconds)?)).await?;
    Ok(Json(SampleResponse {
        success: true,
        message: format!("Duration set to {seconds} s"),
        sample,
    }))
}

/// Delete a sample and its cached analysis. 409 `SAMPLE_IN_USE` (naming the compositions)
/// while a composition uses it, unless `force=true`.
#[utoipa::path(delete, path = "/api/samples/{sample_id}", tag = "samples",
    params(("sample_id" = sonic_model::Id, Path, description = "Sample id"), DeleteQuery),
    responses((status = 200, body = SampleDeleted), (status = "default", body = ErrorBody)))]
async fn delete_sample(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
    Query(query): Query<DeleteQuery>,
) -> ApiResult<Json<SampleDeleted>> {
    let sid = id(&raw)?;
    let message = format!("Deleted sample {sid}");
    blocking(move || {
        // Compositions open in memory may use it without having been written yet.
        state.samples.get(&sid)?;
        let mut users = Vec::new();
        for open in state.studio.open_ids() {
            let c = state.studio.snapshot(&open)?;
            if c.uses_sample(&sid) {
                users.push(format!("{} ({})", c.name, c.id));
            }
        }
        if !users.is_empty() && !query.force {
            return Err(sonic_store::StoreError::SampleInUse {
                id: sid,
                compositions: users,
            }
            .into());
        }
        state
            .samples
            .delete(&sid, state.studio.store(), query.force)?;
        Ok(())
    })
    .await?;
    Ok(Json(SampleDeleted {
        success: true,
        message,
    }))
}

/// The cached analyses of the samples `composition` uses (never computes: for contexts).
pub fn cached_analyses(
    state: &SharedState,
    composition: &Composition,
) -> BTreeMap<Id, SampleAnalysis> {
    composition
        .sample_ids()
        .into_iter()
        .filter_map(|sample| Some((sample.clone(), cached_analysis(state, sample)?)))
        .collect()
}

/// The cached analysis of library sample `sample`, if it was analysed (never computes).
pub fn cached_analysis(state: &SharedState, sample: &Id) -> Option<SampleAnalysis> {
    let meta = state.samples.get(sample).ok()?;
    AnalysisCache::new(state.studio.store().config()).lookup(sample, &meta.content_hash)
}
