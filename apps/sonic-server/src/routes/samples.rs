//! `/api/samples`: upload (multipart, streamed), list, get, download (with Range), update,
//! delete, analysis.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::mpsc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sonic_analyzer::AnalysisCache;
use sonic_daw::Scope;
use sonic_model::{Composition, Id, SampleAnalysis, SampleMeta};
use tower::ServiceExt;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{id, Json, Multipart, Path, Query};
use crate::state::{blocking, SharedState};

pub fn router() -> OpenApiRouter<SharedState> {
    OpenApiRouter::new()
        .routes(routes!(upload_sample))
        .routes(routes!(list_samples))
        .routes(routes!(get_sample, update_sample, delete_sample))
        .routes(routes!(download_sample))
        .routes(routes!(set_duration))
        .routes(routes!(sample_analysis))
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

/// `multipart/form-data` of an upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The audio file (WAV, FLAC, MP3, Ogg, Opus/WebM, AIFF, M4A).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Display name (default: the file name).
    name: Option<String>,
    /// Category (default `Uncategorized`).
    category: Option<String>,
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

/// `GET .../analysis` query.
#[derive(Deserialize, IntoParams)]
pub struct AnalysisQuery {
    /// Recompute even when cached.
    #[serde(default)]
    pub force: bool,
}

/// The analysis of a sample.
#[derive(Serialize, ToSchema)]
pub struct AnalysisResponse {
    /// The sample.
    pub sample_id: String,
    /// Served from the cache.
    pub from_cache: bool,
    /// What the analyzer measured.
    pub analysis: SampleAnalysis,
}

/// A `Read` over the chunks of an upload, fed from the async side: `Some(chunk)`, then
/// `None` at the end of the file. A failed upload (too large, cut off, timed out) arrives as
/// an error, and a feed that stops without its end (the request was dropped) reads as one,
/// so the import fails and keeps nothing.
struct ChunkReader {
    chunks: mpsc::Receiver<std::io::Result<Option<Vec<u8>>>>,
    current: Vec<u8>,
    offset: usize,
    ended: bool,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.offset == self.current.len() {
            if self.ended {
                return Ok(0);
            }
            match self.chunks.recv() {
                Ok(Ok(Some(chunk))) => {
                    self.current = chunk;
                    self.offset = 0;
                }
                Ok(Ok(None)) => self.ended = true,
                Ok(Err(e)) => return Err(e),
                Err(_) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the upload stopped before its end",
                    ))
                }
            }
        }
        let n = buf.len().min(self.current.len() - self.offset);
        buf[..n].copy_from_slice(&self.current[self.offset..self.offset + n]);
        self.offset += n;
        Ok(n)
    }
}

/// Upload a sample: streamed to a temp file with a size limit, probed, and refused (415,
/// nothing kept) when it is not audio. Stored as sent.
#[utoipa::path(post, path = "/api/samples/upload", tag = "samples",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 200, body = SampleResponse), (status = "default", body = ErrorBody)))]
async fn upload_sample(
    State(state): State<SharedState>,
    Multipart(mut form): Multipart,
) -> ApiResult<Json<SampleResponse>> {
    let mut name = None;
    let mut category = None;
    let mut imported = None;
    while let Some(mut field) = form.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or("") {
            "name" => name = Some(field.text().await.map_err(multipart_error)?),
            "category" => category = Some(field.text().await.map_err(multipart_error)?),
            "file" => {
                let file_name = field.file_name().unwrap_or("upload").to_string();
                let (tx, rx) = mpsc::sync_channel::<std::io::Result<Option<Vec<u8>>>>(8);
                let library = state.clone();
                let (n, c) = (name.clone(), category.clone());
                let import = tokio::task::spawn_blocking(move || {
                    let reader = ChunkReader {
                        chunks: rx,
                        current: Vec::new(),
                        offset: 0,
                        ended: false,
                    };
                    library
                        .samples
                        .import_reader(reader, &file_name, n.as_deref(), c.as_deref())
                });
                let mut failure = None;
                loop {
                    let item = match field.chunk().await {
                        Ok(Some(chunk)) => Ok(Some(chunk.to_vec())),
                        Ok(None) => Ok(None),
                        Err(e) => {
                            failure = Some(multipart_error(e));
                            Err(std::io::Error::other("the upload was cut off"))
                        }
                    };
                    let stop = !matches!(item, Ok(Some(_)));
                    let tx = tx.clone();
                    // The importer stops reading past the size limit; then sending fails.
                    let sent = tokio::task::spawn_blocking(move || tx.send(item))
                        .await
                        .map_err(|e| ApiError::internal(e.to_string()))?;
                    if stop || sent.is_err() {
                        break;
                    }
                }
                drop(tx);
                let result = import
                    .await
                    .map_err(|e| ApiError::internal(e.to_string()))?;
                if let Some(failure) = failure {
                    // The import saw the error and kept nothing; report the upload's problem.
                    return Err(failure);
                }
                let meta = result?;
                imported = Some(meta);
            }
            _ => {}
        }
    }
    let mut meta = imported
        .ok_or_else(|| ApiError::bad_request("MISSING_FILE", "the form has no `file` field"))?;
    // `name`/`category` may come after the file in the form.
    if name.is_some() || category.is_some() {
        let sample_id = meta.id.clone();
        meta = blocking(move || {
            Ok(state
                .samples
                .update(&sample_id, name.as_deref(), category.as_deref())?)
        })
        .await?;
    }
    Ok(Json(SampleResponse {
        success: true,
        message: format!("Uploaded {}", meta.name),
        sample: meta,
    }))
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    e.into()
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

/// The file as uploaded, with its content type; supports HTTP Range requests (one range;
/// 416 with `Content-Range: bytes */<size>` for a range outside the file, malformed, or of
/// several parts).
#[utoipa::path(get, path = "/api/samples/{sample_id}/download", tag = "samples",
    params(("sample_id" = sonic_model::Id, Path, description = "Sample id"),
        ("Range" = Option<String>, Header, description = "Bytes wanted, e.g. `bytes=0-1023`")),
    responses((status = 200, description = "The audio file, typed by its format (audio/wav, audio/flac, audio/mpeg, audio/ogg, audio/webm, audio/mp4, audio/aiff)",
            content((Vec<u8> = "audio/*"), (Vec<u8> = "application/octet-stream"))),
        (status = 206, description = "Part of the audio file (Range)",
            content((Vec<u8> = "audio/*"), (Vec<u8> = "application/octet-stream"))),
        (status = 416, description = "The range is outside the file, malformed or of several parts", body = ErrorBody,
            headers(("Content-Range" = String, description = "`bytes */<size>`"))),
        (status = "default", body = ErrorBody)))]
async fn download_sample(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
    request: Request,
) -> ApiResult<Response> {
    let sid = id(&raw)?;
    let library = state.clone();
    let meta = blocking(move || Ok(library.samples.get(&sid)?)).await?;
    let path = state.samples.file_path(&meta);
    let mime = content_type(&meta.file_name);
    let mut response = tower_http::services::ServeFile::new(&path)
        .oneshot(request)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    if response.status() == StatusCode::NOT_FOUND {
        return Err(ApiError::internal(format!(
            "the file of sample {} is missing",
            meta.id
        )));
    }
    if response.status() == StatusCode::RANGE_NOT_SATISFIABLE {
        let mut answer = ApiError::new(
            StatusCode::RANGE_NOT_SATISFIABLE,
            "RANGE_NOT_SATISFIABLE",
            format!(
                "the range is outside the file ({} bytes), malformed or of several parts",
                meta.size
            ),
        )
        .into_response();
        if let Some(range) = response.headers().get(header::CONTENT_RANGE) {
            answer
                .headers_mut()
                .insert(header::CONTENT_RANGE, range.clone());
        }
        return Ok(answer);
    }
    if response.status().is_success() {
        response.headers_mut().insert(header::CONTENT_TYPE, mime);
    }
    Ok(response.map(Body::new))
}

fn content_type(file_name: &str) -> axum::http::HeaderValue {
    let ext = file_name
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let mime = match ext.as_str() {
        "wav" => "audio/wav",
        "flac" => "audio/flac",
        "mp3" => "audio/mpeg",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "webm" => "audio/webm",
        "m4a" | "mp4" => "audio/mp4",
        "aif" | "aiff" => "audio/aiff",
        _ => "application/octet-stream",
    };
    axum::http::HeaderValue::from_static(mime)
}

/// The analysis of a sample (cached by content hash; computed off the async runtime).
#[utoipa::path(get, path = "/api/samples/{sample_id}/analysis", tag = "samples",
    params(("sample_id" = sonic_model::Id, Path, description = "Sample id"), AnalysisQuery),
    responses((status = 200, body = AnalysisResponse), (status = "default", body = ErrorBody)))]
async fn sample_analysis(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
    Query(query): Query<AnalysisQuery>,
) -> ApiResult<Json<AnalysisResponse>> {
    let sid = id(&raw)?;
    blocking(move || {
        let meta = state.samples.get(&sid)?;
        let cache = AnalysisCache::new(state.studio.store().config());
        // `analyze` checks the file itself (its stamp, or its hash when it changed), so a
        // file changed on disk after the import is never served a stale analysis.
        let cached = cache
            .analyze(&sid, &state.samples.file_path(&meta), query.force)
            .map_err(|e| {
                if e.is_bad_input() {
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "ANALYSIS_FAILED",
                        e.to_string(),
                    )
                } else {
                    ApiError::internal(e.to_string())
                }
            })?;
        Ok(AnalysisResponse {
            sample_id: sid.to_string(),
            from_cache: cached.from_cache,
            analysis: cached.analysis,
        })
    })
    .await
    .map(Json)
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
