//! `/api/compositions/{id}/tracks`: add, list, update, delete, mute, solo.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use sonic_daw::{tracks, Scope};
use sonic_model::{Track, TrackType};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{id, Json, Path};
use crate::routes::{edit, read};
use crate::state::{in_memory, SharedState};

pub fn router() -> OpenApiRouter<SharedState> {
    OpenApiRouter::new()
        .routes(routes!(create_track, list_tracks))
        .routes(routes!(update_track, delete_track))
        .routes(routes!(mute_track))
        .routes(routes!(solo_track))
}

/// `POST .../tracks` body.
#[derive(Deserialize, ToSchema)]
pub struct CreateTrack {
    /// Client-chosen id (unique in the composition); generated when absent.
    pub id: Option<String>,
    /// Name.
    pub name: String,
    /// `midi` or `audio` (default `audio`, as the original).
    #[serde(rename = "type")]
    pub track_type: Option<TrackType>,
    /// Hex colour.
    pub color: Option<String>,
    /// Instrument SynthDef (MIDI tracks).
    pub instrument: Option<String>,
    /// Drum kit id (MIDI tracks).
    pub kit_id: Option<String>,
    /// Library sample (audio tracks).
    pub sample_id: Option<String>,
    /// Its display name.
    pub sample_name: Option<String>,
    /// Its file path, for clients that read it.
    pub sample_file_path: Option<String>,
}

/// `PUT .../tracks/{track_id}` body: only the fields given change.
#[derive(Deserialize, ToSchema)]
pub struct UpdateTrack {
    /// New name.
    pub name: Option<String>,
    /// Volume, 0 to 2.
    pub volume: Option<f64>,
    /// Pan, -1 to 1.
    pub pan: Option<f64>,
    /// New instrument (clears a drum kit).
    pub instrument: Option<String>,
    /// Drum kit to load.
    pub kit_id: Option<String>,
    /// Hex colour.
    pub color: Option<String>,
}

/// `PUT .../mute` body.
#[derive(Deserialize, ToSchema)]
pub struct MuteBody {
    /// Muted.
    pub is_muted: bool,
}

/// `PUT .../solo` body.
#[derive(Deserialize, ToSchema)]
pub struct SoloBody {
    /// Soloed.
    pub is_solo: bool,
}

/// A success acknowledgement.
#[derive(Serialize, ToSchema)]
pub struct Done {
    /// `success`.
    pub status: &'static str,
    /// What happened.
    pub message: String,
}

/// Mute state after a change.
#[derive(Serialize, ToSchema)]
pub struct Muted {
    /// `success`.
    pub status: &'static str,
    /// Muted.
    pub is_muted: bool,
}

/// Solo state after a change.
#[derive(Serialize, ToSchema)]
pub struct Soloed {
    /// `success`.
    pub status: &'static str,
    /// Soloed.
    pub is_solo: bool,
}

fn track_of(c: &sonic_model::Composition, tid: &sonic_model::Id) -> sonic_daw::Result<Track> {
    Ok(c.tracks[tracks::index_of(c, tid)?].clone())
}

/// Add a track (with its mixer channel).
#[utoipa::path(post, path = "/api/compositions/{id}/tracks", tag = "tracks", request_body = CreateTrack,
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = Track), (status = "default", body = ErrorBody)))]
async fn create_track(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
    Json(body): Json<CreateTrack>,
) -> ApiResult<Json<Track>> {
    let cid = id(&raw)?;
    let track_id = body.id.as_deref().map(id).transpose()?;
    let sample_id = body.sample_id.as_deref().map(id).transpose()?;
    let new = tracks::NewTrack {
        id: track_id,
        name: body.name,
        track_type: body.track_type.unwrap_or(TrackType::Audio),
        instrument: body.instrument,
        color: body.color,
        kit_id: body.kit_id,
    };
    let (sample_name, sample_path) = (body.sample_name, body.sample_file_path);
    in_memory(state.studio.is_open(&cid), move || {
        edit(&state, &cid, Scope::Settings, |c| {
            let tid = tracks::add_track(c, new)?;
            if sample_id.is_some() {
                let index = tracks::index_of(c, &tid)?;
                let track = &mut c.tracks[index];
                track.sample_id = sample_id;
                track.sample_name = sample_name;
                if let Some(path) = &sample_path {
                    c.sample_assignments.insert(tid.clone(), path.clone());
                }
                c.tracks[index].sample_file_path = sample_path;
            }
            track_of(c, &tid)
        })
    })
    .await
    .map(Json)
}

/// The tracks, in order.
#[utoipa::path(get, path = "/api/compositions/{id}/tracks", tag = "tracks",
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = Vec<Track>), (status = "default", body = ErrorBody)))]
async fn list_tracks(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<Vec<Track>>> {
    let cid = id(&raw)?;
    in_memory(state.studio.is_open(&cid), move || {
        read(&state, &cid, |c| c.tracks.clone())
    })
    .await
    .map(Json)
}

/// Change name, volume, pan, instrument, drum kit or colour (one undo step).
#[utoipa::path(put, path = "/api/compositions/{id}/tracks/{track_id}", tag = "tracks", request_body = UpdateTrack,
    params(("id" = sonic_model::Id, Path, description = "Composition id"), ("track_id" = sonic_model::Id, Path, description = "Track id")),
    responses((status = 200, body = Track), (status = "default", body = ErrorBody)))]
async fn update_track(
    State(state): State<SharedState>,
    Path((raw, raw_track)): Path<(String, String)>,
    Json(body): Json<UpdateTrack>,
) -> ApiResult<Json<Track>> {
    let (cid, tid) = (id(&raw)?, id(&raw_track)?);
    in_memory(state.studio.is_open(&cid), move || {
        edit(&state, &cid, Scope::Settings, |c| {
            tracks::index_of(c, &tid)?;
            if let Some(name) = &body.name {
                tracks::rename_track(c, &tid, name)?;
            }
            if let Some(volume) = body.volume {
                tracks::set_volume(c, &tid, volume)?;
            }
            if let Some(pan) = body.pan {
                tracks::set_pan(c, &tid, pan)?;
            }
            if let Some(color) = &body.color {
                tracks::set_color(c, &tid, color)?;
            }
            match (&body.kit_id, &body.instrument) {
                (Some(kit), _) => {
                    tracks::set_drum_kit(c, &tid, kit)?;
                }
                (None, Some(instrument)) => {
                    tracks::set_instrument(c, &tid, instrument)?;
                    tracks::clear_drum_kit(c, &tid)?;
                }
                (None, None) => {}
            }
            track_of(c, &tid)
        })
    })
    .await
    .map(Json)
}

/// Delete a track with its clips, mixer channel and effect chain.
#[utoipa::path(delete, path = "/api/compositions/{id}/tracks/{track_id}", tag = "tracks",
    params(("id" = sonic_model::Id, Path, description = "Composition id"), ("track_id" = sonic_model::Id, Path, description = "Track id")),
    responses((status = 200, body = Done), (status = "default", body = ErrorBody)))]
async fn delete_track(
    State(state): State<SharedState>,
    Path((raw, raw_track)): Path<(String, String)>,
) -> ApiResult<Json<Done>> {
    let (cid, tid) = (id(&raw)?, id(&raw_track)?);
    let message = format!("Deleted track {tid}");
    in_memory(state.studio.is_open(&cid), move || {
        edit(&state, &cid, Scope::Everything, |c| {
            tracks::delete_track(c, &tid)
        })
    })
    .await?;
    Ok(Json(Done {
        status: "success",
        message,
    }))
}

/// Mute or unmute a track.
#[utoipa::path(put, path = "/api/compositions/{id}/tracks/{track_id}/mute", tag = "tracks", request_body = MuteBody,
    params(("id" = sonic_model::Id, Path, description = "Composition id"), ("track_id" = sonic_model::Id, Path, description = "Track id")),
    responses((status = 200, body = Muted), (status = "default", body = ErrorBody)))]
async fn mute_track(
    State(state): State<SharedState>,
    Path((raw, raw_track)): Path<(String, String)>,
    Json(body): Json<MuteBody>,
) -> ApiResult<Json<Muted>> {
    let (cid, tid) = (id(&raw)?, id(&raw_track)?);
    in_memory(state.studio.is_open(&cid), move || {
        edit(&state, &cid, Scope::Settings, |c| {
            tracks::set_mute(c, &tid, body.is_muted)
        })
    })
    .await?;
    Ok(Json(Muted {
        status: "success",
        is_muted: body.is_muted,
    }))
}

/// Solo or unsolo a track.
#[utoipa::path(put, path = "/api/compositions/{id}/tracks/{track_id}/solo", tag = "tracks", request_body = SoloBody,
    params(("id" = sonic_model::Id, Path, description = "Composition id"), ("track_id" = sonic_model::Id, Path, description = "Track id")),
    responses((status = 200, body = Soloed), (status = "default", body = ErrorBody)))]
async fn solo_track(
    State(state): State<SharedState>,
    Path((raw, raw_track)): Path<(String, String)>,
    Json(body): Json<SoloBody>,
) -> ApiResult<Json<Soloed>> {
    let (cid, tid) = (id(&raw)?, id(&raw_track)?);
    in_memory(state.studio.is_open(&cid), move || {
        edit(&state, &cid, Scope::Settings, |c| {
            tracks::set_solo(c, &tid, body.is_solo)
        })
    })
    .await?;
    Ok(Json(Soloed {
        status: "success",
        is_solo: body.is_solo,
    }))
}
