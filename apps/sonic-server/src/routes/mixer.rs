//! `/api/compositions/{id}/mixer`: the mixer of one composition (never a global one).

use axum::extract::State;
use serde::Deserialize;
use sonic_daw::{mixer, tracks, Scope};
use sonic_model::{MasterChannel, MixerChannel, MixerState};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{id, Json, Path};
use crate::routes::{edit, read};
use crate::state::{in_memory, SharedState};

pub fn router() -> OpenApiRouter<SharedState> {
    OpenApiRouter::new()
        .routes(routes!(get_mixer))
        .routes(routes!(update_channel))
        .routes(routes!(get_master, update_master))
}

/// `PATCH .../mixer/tracks/{track_id}` body: only the fields given change.
#[derive(Deserialize, ToSchema)]
pub struct UpdateChannel {
    /// Fader, dB (-60 to 12).
    pub fader: Option<f64>,
    /// Input gain, dB (-60 to 12).
    pub input_gain: Option<f64>,
    /// Pan, -1 to 1 (the track's pan).
    pub pan: Option<f64>,
    /// Mute (the track's mute).
    pub mute: Option<bool>,
    /// Solo (the track's solo).
    pub solo: Option<bool>,
}

/// `PATCH .../mixer/master` body: only the fields given change.
#[derive(Deserialize, ToSchema)]
pub struct UpdateMaster {
    /// Fader, dB (-60 to 12).
    pub fader: Option<f64>,
    /// Mute.
    pub mute: Option<bool>,
    /// Limiter on.
    pub limiter_enabled: Option<bool>,
    /// Limiter threshold, dB (-12 to 0).
    pub limiter_threshold: Option<f64>,
}

/// The mixer: a channel per track and the master.
#[utoipa::path(get, path = "/api/compositions/{id}/mixer", tag = "mixer",
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = MixerState), (status = "default", body = ErrorBody)))]
async fn get_mixer(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<MixerState>> {
    let cid = id(&raw)?;
    in_memory(state.studio.is_open(&cid), move || {
        read(&state, &cid, |c| c.mixer_state.clone())
    })
    .await
    .map(Json)
}

/// Change a track's channel strip (one undo step); out-of-range values are refused.
#[utoipa::path(patch, path = "/api/compositions/{id}/mixer/tracks/{track_id}", tag = "mixer", request_body = UpdateChannel,
    params(("id" = sonic_model::Id, Path, description = "Composition id"), ("track_id" = sonic_model::Id, Path, description = "Track id")),
    responses((status = 200, body = MixerChannel), (status = "default", body = ErrorBody)))]
async fn update_channel(
    State(state): State<SharedState>,
    Path((raw, raw_track)): Path<(String, String)>,
    Json(body): Json<UpdateChannel>,
) -> ApiResult<Json<MixerChannel>> {
    let (cid, tid) = (id(&raw)?, id(&raw_track)?);
    in_memory(state.studio.is_open(&cid), move || {
        edit(&state, &cid, Scope::Settings, |c| {
            if let Some(db) = body.fader {
                mixer::set_fader(c, &tid, db)?;
            }
            if let Some(db) = body.input_gain {
                mixer::set_input_gain(c, &tid, db)?;
            }
            if let Some(pan) = body.pan {
                tracks::set_pan(c, &tid, pan)?;
            }
            if let Some(mute) = body.mute {
                tracks::set_mute(c, &tid, mute)?;
            }
            if let Some(solo) = body.solo {
                tracks::set_solo(c, &tid, solo)?;
            }
            Ok(mixer::channel_mut(c, &tid)?.clone())
        })
    })
    .await
    .map(Json)
}

/// The master channel.
#[utoipa::path(get, path = "/api/compositions/{id}/mixer/master", tag = "mixer",
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = MasterChannel), (status = "default", body = ErrorBody)))]
async fn get_master(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<MasterChannel>> {
    let cid = id(&raw)?;
    in_memory(state.studio.is_open(&cid), move || {
        read(&state, &cid, |c| c.mixer_state.master.clone())
    })
    .await
    .map(Json)
}

/// Change the master channel (one undo step).
#[utoipa::path(patch, path = "/api/compositions/{id}/mixer/master", tag = "mixer", request_body = UpdateMaster,
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = MasterChannel), (status = "default", body = ErrorBody)))]
async fn update_master(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
    Json(body): Json<UpdateMaster>,
) -> ApiResult<Json<MasterChannel>> {
    let cid = id(&raw)?;
    in_memory(state.studio.is_open(&cid), move || {
        edit(&state, &cid, Scope::Settings, |c| {
            if let Some(db) = body.fader {
                mixer::set_master_fader(c, db)?;
            }
            if let Some(mute) = body.mute {
                mixer::set_master_mute(c, mute);
            }
            if body.limiter_enabled.is_some() || body.limiter_threshold.is_some() {
                let master = &c.mixer_state.master;
                let enabled = body.limiter_enabled.unwrap_or(master.limiter_enabled);
                let threshold = body.limiter_threshold.unwrap_or(master.limiter_threshold);
                mixer::set_master_limiter(c, enabled, threshold)?;
            }
            Ok(c.mixer_state.master.clone())
        })
    })
    .await
    .map(Json)
}
