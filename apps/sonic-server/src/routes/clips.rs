//! `/api/compositions/{id}/clips`: add, list, update, delete.

use axum::extract::State;
use serde::Deserialize;
use sonic_daw::{clips, Scope};
use sonic_model::{Clip, Composition, Id, MidiNote, TrackType};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{id, Json, Path};
use crate::routes::tracks::Done;
use crate::routes::{edit, read};
use crate::state::{in_memory, SharedState};

pub fn router() -> OpenApiRouter<SharedState> {
    OpenApiRouter::new()
        .routes(routes!(create_clip, list_clips))
        .routes(routes!(update_clip, delete_clip))
}

/// `POST .../clips` body.
#[derive(Deserialize, ToSchema)]
pub struct CreateClip {
    /// Client-chosen id (unique in the composition); generated when absent.
    pub id: Option<String>,
    /// `midi` or `audio` (`type` is accepted too).
    #[serde(alias = "type")]
    pub clip_type: TrackType,
    /// The track it goes on (of the same type).
    pub track_id: String,
    /// Start, beats (≥ 0).
    pub start_time: f64,
    /// Length, beats (> 0).
    pub duration: f64,
    /// Name (`MIDI Clip N` / `AUDIO Clip N` when absent).
    pub name: Option<String>,
    /// Notes of a MIDI clip.
    pub midi_events: Option<Vec<MidiNote>>,
    /// Library sample of an audio clip (required for audio).
    pub sample_id: Option<String>,
    /// The sample's file path, for clients that read it.
    pub audio_file_path: Option<String>,
}

/// `PUT .../clips/{clip_id}` body: only the fields given change.
#[derive(Deserialize, ToSchema, Default)]
pub struct UpdateClip {
    /// Name.
    pub name: Option<String>,
    /// Start, beats.
    pub start_time: Option<f64>,
    /// Length, beats.
    pub duration: Option<f64>,
    /// Replaces every note (MIDI clips).
    pub midi_events: Option<Vec<MidiNote>>,
    /// Muted.
    pub is_muted: Option<bool>,
    /// Looped.
    pub is_looped: Option<bool>,
    /// Gain, 0 to 2.
    pub gain: Option<f64>,
    /// Offset into the audio, seconds.
    pub audio_offset: Option<f64>,
    /// End in the audio, seconds (> audio_offset).
    pub audio_end: Option<f64>,
    /// Pitch shift, -24 to 24 semitones.
    pub pitch_semitones: Option<f64>,
    /// Playback rate, 0.25 to 4.
    pub playback_rate: Option<f64>,
    /// Reversed.
    pub reverse: Option<bool>,
    /// Fade-in, 0 to 5 s.
    pub fade_in: Option<f64>,
    /// Fade-out, 0 to 5 s.
    pub fade_out: Option<f64>,
    /// Loop a region of the audio.
    pub loop_enabled: Option<bool>,
    /// Loop start, seconds.
    pub loop_start: Option<f64>,
    /// Loop end, seconds (> loop_start).
    pub loop_end: Option<f64>,
    /// MIDI transpose, -24 to 24.
    pub midi_transpose: Option<i32>,
    /// Velocity offset, -64 to 64.
    pub midi_velocity_offset: Option<i32>,
    /// Gate, 0.25 to 4.
    pub midi_gate: Option<f64>,
    /// Timing offset, -1 to 1 beats.
    pub midi_timing_offset: Option<f64>,
    /// Quantize strength, 0 to 100.
    pub midi_quantize_strength: Option<i32>,
}

fn clip_of(c: &Composition, clip_id: &Id) -> sonic_daw::Result<Clip> {
    Ok(c.clips[clips::index_of(c, clip_id)?].clone())
}

/// Add a MIDI or audio clip.
#[utoipa::path(post, path = "/api/compositions/{id}/clips", tag = "clips", request_body = CreateClip,
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = Clip), (status = "default", body = ErrorBody)))]
async fn create_clip(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
    Json(body): Json<CreateClip>,
) -> ApiResult<Json<Clip>> {
    let cid = id(&raw)?;
    let clip_id = body.id.as_deref().map(id).transpose()?;
    let track_id = id(&body.track_id)?;
    let add = match body.clip_type {
        TrackType::Midi => Add::Midi(clips::NewMidiClip {
            id: clip_id,
            track_id,
            name: body.name,
            start_time: body.start_time,
            duration: body.duration,
            notes: body.midi_events.unwrap_or_default(),
        }),
        TrackType::Audio => {
            let sample = body.sample_id.as_deref().ok_or_else(|| {
                ApiError::bad_request("MISSING_SAMPLE", "an audio clip needs a sample_id")
            })?;
            Add::Audio(clips::NewAudioClip {
                id: clip_id,
                track_id,
                name: body.name,
                start_time: body.start_time,
                duration: body.duration,
                sample_id: id(sample)?,
                audio_file_path: body.audio_file_path,
            })
        }
    };
    in_memory(state.studio.is_open(&cid), move || {
        edit(&state, &cid, Scope::Everything, |c| {
            let clip_id = match add {
                Add::Midi(new) => clips::add_midi_clip(c, new)?,
                Add::Audio(new) => clips::add_audio_clip(c, new)?,
            };
            clip_of(c, &clip_id)
        })
    })
    .await
    .map(Json)
}

enum Add {
    Midi(clips::NewMidiClip),
    Audio(clips::NewAudioClip),
}

/// The clips of every track.
#[utoipa::path(get, path = "/api/compositions/{id}/clips", tag = "clips",
    params(("id" = sonic_model::Id, Path, description = "Composition id")),
    responses((status = 200, body = Vec<Clip>), (status = "default", body = ErrorBody)))]
async fn list_clips(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> ApiResult<axum::response::Response> {
    let cid = id(&raw)?;
    in_memory(state.studio.is_open(&cid), move || {
        let bytes = read(&state, &cid, |c| serde_json::to_vec(&c.clips))?
            .map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(crate::routes::json_bytes(bytes))
    })
    .await
}

/// Change a clip (one undo step); the whole change is validated before it is kept.
#[utoipa::path(put, path = "/api/compositions/{id}/clips/{clip_id}", tag = "clips", request_body = UpdateClip,
    params(("id" = sonic_model::Id, Path, description = "Composition id"), ("clip_id" = sonic_model::Id, Path, description = "Clip id")),
    responses((status = 200, body = Clip), (status = "default", body = ErrorBody)))]
async fn update_clip(
    State(state): State<SharedState>,
    Path((raw, raw_clip)): Path<(String, String)>,
    Json(body): Json<UpdateClip>,
) -> ApiResult<Json<Clip>> {
    let (cid, clip_id) = (id(&raw)?, id(&raw_clip)?);
    in_memory(state.studio.is_open(&cid), move || {
        let change = |c: &mut Composition| {
            let changes = clips::ClipChanges {
                name: body.name,
                start_time: body.start_time,
                duration: body.duration,
                is_muted: body.is_muted,
                is_looped: body.is_looped,
                gain: body.gain,
                notes: body.midi_events,
                pitch_semitones: body.pitch_semitones,
                playback_rate: body.playback_rate,
                reverse: body.reverse,
                fade_in: body.fade_in,
                fade_out: body.fade_out,
                audio_offset: body.audio_offset,
                midi_transpose: body.midi_transpose,
                midi_velocity_offset: body.midi_velocity_offset,
                midi_gate: body.midi_gate,
                midi_timing_offset: body.midi_timing_offset,
                midi_quantize_strength: body.midi_quantize_strength,
            };
            clips::modify_clip(c, &clip_id, changes)?;
            // Audio trims and loops are not ClipChanges fields: set them on the stored clip
            // and validate it; the edit rolls everything back if it is invalid.
            let index = clips::index_of(c, &clip_id)?;
            let clip = &mut c.clips[index];
            if let Some(end) = body.audio_end {
                clip.audio_end = Some(end);
            }
            if let Some(enabled) = body.loop_enabled {
                clip.loop_enabled = enabled;
            }
            if let Some(start) = body.loop_start {
                clip.loop_start = start;
            }
            if let Some(end) = body.loop_end {
                clip.loop_end = Some(end);
            }
            clip.validate()?;
            Ok(clip.clone())
        };
        // The undo step copies only this clip, not every note of the composition.
        Ok(state.studio.with(&cid, |open| {
            let index = clips::index_of(open.composition(), &clip_id)?;
            open.edit(Scope::Clip(index), change)
        })??)
    })
    .await
    .map(Json)
}

/// Delete a clip (and its clip-launcher slots).
#[utoipa::path(delete, path = "/api/compositions/{id}/clips/{clip_id}", tag = "clips",
    params(("id" = sonic_model::Id, Path, description = "Composition id"), ("clip_id" = sonic_model::Id, Path, description = "Clip id")),
    responses((status = 200, body = Done), (status = "default", body = ErrorBody)))]
async fn delete_clip(
    State(state): State<SharedState>,
    Path((raw, raw_clip)): Path<(String, String)>,
) -> ApiResult<Json<Done>> {
    let (cid, clip_id) = (id(&raw)?, id(&raw_clip)?);
    let message = format!("Deleted clip {clip_id}");
    in_memory(state.studio.is_open(&cid), move || {
        edit(&state, &cid, Scope::Everything, |c| {
            clips::delete_clip(c, &clip_id)
        })
    })
    .await?;
    Ok(Json(Done {
        status: "success",
        message,
    }))
}
