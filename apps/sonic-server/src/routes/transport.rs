//! `/api/compositions/{id}/transport`: play, stop, pause, resume, seek, tempo, loop (state
//! only: Sonic has no audio engine).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use sonic_daw::{song, OpenComposition, Scope};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{id, Json, OptionalJson, Path};
use crate::state::{in_memory, SharedState};

pub fn router() -> OpenApiRouter<SharedState> {
    OpenApiRouter::new()
        .routes(routes!(get_transport))
        .routes(routes!(play))
        .routes(routes!(stop))
        .routes(routes!(pause))
        .routes(routes!(resume))
        .routes(routes!(seek))
        .routes(routes!(set_tempo))
        .routes(routes!(set_loop))
}

/// The transport state of a composition.
#[derive(Serialize, ToSchema)]
pub struct Transport {
    /// The composition.
    pub composition_id: String,
    /// As the original answers: the new state (`playing`, `paused` or `stopped`) for play,
    /// pause, resume, stop and a plain read; `success` for seek, tempo and loop.
    pub status: &'static str,
    /// `playing`, `paused` or `stopped`, whatever the request.
    pub state: &'static str,
    /// Playing.
    pub is_playing: bool,
    /// Paused (stopped with the playhead kept, even at beat 0).
    pub is_paused: bool,
    /// Playhead, beats.
    pub position: f64,
    /// Tempo, BPM.
    pub tempo: f64,
    /// Time signature.
    pub time_signature: String,
    /// Loop on.
    pub loop_enabled: bool,
    /// Loop start, beats.
    pub loop_start: f64,
    /// Loop end, beats.
    pub loop_end: f64,
}

/// `play` body.
#[derive(Deserialize, ToSchema, Default)]
pub struct PlayBody {
    /// Start position, beats (default: the loop start when looping, else 0).
    pub position: Option<f64>,
}

/// `seek` body.
#[derive(Deserialize, ToSchema)]
pub struct SeekBody {
    /// New playhead, beats (≥ 0).
    pub position: f64,
}

/// `tempo` body.
#[derive(Deserialize, ToSchema)]
pub struct TempoBody {
    /// BPM, 0 < t ≤ 300.
    pub tempo: f64,
}

/// `loop` body.
#[derive(Deserialize, ToSchema)]
pub struct LoopBody {
    /// Loop on.
    pub enabled: bool,
    /// Start, beats (unchanged when absent).
    pub start: Option<f64>,
    /// End, beats (unchanged when absent; must be > start).
    pub end: Option<f64>,
}

/// What `status` says: the state itself, or `success` (seek, tempo, loop).
#[derive(Clone, Copy)]
enum Answer {
    State,
    Success,
}

fn transport(open: &OpenComposition, answer: Answer) -> Transport {
    let c = open.composition();
    let state = match (c.is_playing, open.is_paused()) {
        (true, _) => "playing",
        (false, true) => "paused",
        (false, false) => "stopped",
    };
    Transport {
        composition_id: c.id.to_string(),
        status: match answer {
            Answer::State => state,
            Answer::Success => "success",
        },
        state,
        is_playing: c.is_playing,
        is_paused: open.is_paused(),
        position: c.current_position,
        tempo: c.tempo,
        time_signature: c.time_signature.clone(),
        loop_enabled: c.loop_enabled,
        loop_start: c.loop_start,
        loop_end: c.loop_end,
    }
}

/// Runs a transport change on the open composition and answers the new state.
async fn live(
    state: SharedState,
    raw: String,
    answer: Answer,
    change: impl FnOnce(&mut OpenComposition) -> sonic_daw::Result<()> + Send + 'static,
) -> ApiResult<Json<Transport>> {
    let cid = id(&raw)?;
    in_memory(state.studio.is_open(&cid), move || {
        Ok(state.studio.with(&cid, |open| {
            change(open)?;
            Ok::<_, sonic_daw::DawError>(transport(open, answer))
        })??)
    })
    .await
    .map(Json)
}

/// The transport state.
#[utoipa::path(get, path = "/api/compositions/{id}/transport", tag = "transport",
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = Transport), (status = "default", body = ErrorBody)))]
async fn get_transport(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<Transport>> {
    live(state, raw, Answer::State, |_| Ok(())).await
}

/// Start playing.
#[utoipa::path(post, path = "/api/compositions/{id}/transport/play", tag = "transport", request_body = PlayBody,
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = Transport), (status = "default", body = ErrorBody)))]
async fn play(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
    OptionalJson(body): OptionalJson<PlayBody>,
) -> ApiResult<Json<Transport>> {
    let from = body.position;
    live(state, raw, Answer::State, move |open| {
        open.play(from).map(|_| ())
    })
    .await
}

/// Stop and rewind to 0.
#[utoipa::path(post, path = "/api/compositions/{id}/transport/stop", tag = "transport",
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = Transport), (status = "default", body = ErrorBody)))]
async fn stop(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<Transport>> {
    live(state, raw, Answer::State, |open| {
        open.stop();
        Ok(())
    })
    .await
}

/// Pause, keeping the playhead.
#[utoipa::path(post, path = "/api/compositions/{id}/transport/pause", tag = "transport",
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = Transport), (status = "default", body = ErrorBody)))]
async fn pause(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<Transport>> {
    live(state, raw, Answer::State, |open| {
        open.pause();
        Ok(())
    })
    .await
}

/// Resume from the playhead.
#[utoipa::path(post, path = "/api/compositions/{id}/transport/resume", tag = "transport",
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = Transport), (status = "default", body = ErrorBody)))]
async fn resume(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<Transport>> {
    live(state, raw, Answer::State, |open| {
        let position = open.composition().current_position;
        open.play(Some(position)).map(|_| ())
    })
    .await
}

/// Move the playhead.
#[utoipa::path(post, path = "/api/compositions/{id}/transport/seek", tag = "transport", request_body = SeekBody,
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = Transport), (status = "default", body = ErrorBody)))]
async fn seek(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
    Json(body): Json<SeekBody>,
) -> ApiResult<Json<Transport>> {
    live(state, raw, Answer::Success, move |open| {
        open.seek(body.position)
    })
    .await
}

/// Set the tempo (one undo step).
#[utoipa::path(put, path = "/api/compositions/{id}/transport/tempo", tag = "transport", request_body = TempoBody,
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = Transport), (status = "default", body = ErrorBody)))]
async fn set_tempo(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
    Json(body): Json<TempoBody>,
) -> ApiResult<Json<Transport>> {
    live(state, raw, Answer::Success, move |open| {
        open.edit(Scope::Settings, |c| song::set_tempo(c, body.tempo))
    })
    .await
}

/// Set the loop region and switch looping on or off (one undo step).
#[utoipa::path(put, path = "/api/compositions/{id}/transport/loop", tag = "transport", request_body = LoopBody,
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = Transport), (status = "default", body = ErrorBody)))]
async fn set_loop(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
    Json(body): Json<LoopBody>,
) -> ApiResult<Json<Transport>> {
    live(state, raw, Answer::Success, move |open| {
        open.edit(Scope::Settings, |c| {
            let start = body.start.unwrap_or(c.loop_start);
            let end = body.end.unwrap_or(c.loop_end);
            song::set_loop(c, start, end, Some(body.enabled))
        })
    })
    .await
}
