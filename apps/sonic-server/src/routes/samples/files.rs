//! `GET /api/samples/{id}/download` (the file, with Range) and `.../analysis`.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sonic_analyzer::AnalysisCache;
use sonic_model::SampleAnalysis;
use tower::ServiceExt;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{id, Json, Path, Query};
use crate::state::{blocking, SharedState};

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
pub(super) async fn download_sample(
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
pub(super) async fn sample_analysis(
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
