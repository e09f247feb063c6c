//! `POST /api/assistant/state`: a compact snapshot of a composition for an assistant, in the
//! original's `DAWStateSnapshot` shape, with a hash so a client can ask "what changed since?".

use std::collections::BTreeMap;

use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sonic_model::{Composition, Id, Timestamp, TrackType};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{id, Json};
use crate::routes::read;
use crate::state::{blocking, SharedState};

/// `POST /api/assistant/state` body.
#[derive(Deserialize, ToSchema)]
pub struct StateRequest {
    /// The composition.
    pub composition_id: String,
    /// How much to include (everything by default).
    #[serde(default)]
    pub detail: StateDetail,
    /// The `state_hash` the client already has: nothing comes back when it is still current,
    /// and a diff when it is the one this server sent last for the composition.
    pub previous_hash: Option<String>,
}

/// How much of the state to include.
#[derive(Deserialize, ToSchema)]
#[serde(default)]
pub struct StateDetail {
    /// Include clips (default true).
    pub include_clips: bool,
    /// Include the notes of MIDI clips (default true).
    pub include_notes: bool,
    /// Include the cached analysis of the samples of audio clips (default true).
    pub include_audio_analysis: bool,
    /// Accepted for the original client; Sonic has no separate musical analysis (`musical`
    /// is always null).
    pub include_musical_analysis: bool,
    /// At most this many clips (all when absent).
    pub max_clips: Option<usize>,
    /// At most this many notes per clip (all when absent).
    pub max_notes_per_clip: Option<usize>,
}

impl Default for StateDetail {
    fn default() -> Self {
        StateDetail {
            include_clips: true,
            include_notes: true,
            include_audio_analysis: true,
            include_musical_analysis: true,
            max_clips: None,
            max_notes_per_clip: None,
        }
    }
}

/// The state of a composition as an assistant sees it (the original's `DAWStateSnapshot`).
#[derive(Serialize, ToSchema, Clone)]
pub struct StateSnapshot {
    /// When it was taken.
    #[serde(with = "sonic_model::time::serde_ts")]
    #[schema(value_type = String, format = DateTime)]
    pub timestamp: Timestamp,
    /// Playing.
    pub playing: bool,
    /// Playhead, beats.
    pub position: f64,
    /// Tempo, BPM.
    pub tempo: f64,
    /// The composition.
    pub sequence: Option<CompactSequence>,
    /// Always null: Sonic has no live audio analysis.
    #[schema(value_type = Option<Object>)]
    pub audio: Option<Value>,
    /// Always null: Sonic has no separate musical analysis.
    #[schema(value_type = Option<Object>)]
    pub musical: Option<Value>,
    /// Hash of everything above but `timestamp` and `audio`.
    pub state_hash: String,
}

/// A composition, compactly.
#[derive(Serialize, ToSchema, Clone, PartialEq)]
pub struct CompactSequence {
    /// Composition id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Tempo, BPM.
    pub tempo: f64,
    /// Time signature.
    pub time_sig: String,
    /// Tracks in order.
    pub tracks: Vec<CompactTrack>,
    /// Clips (see `max_clips`).
    pub clips: Vec<CompactClip>,
}

/// A track, compactly.
#[derive(Serialize, ToSchema, Clone, PartialEq)]
pub struct CompactTrack {
    /// Track id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `midi` or `audio`.
    #[serde(rename = "type")]
    pub track_type: TrackType,
    /// Instrument (MIDI tracks).
    pub instrument: Option<String>,
    /// Volume, 0 to 2.
    pub vol: f64,
    /// Pan, -1 to 1.
    pub pan: f64,
    /// Muted.
    pub muted: bool,
    /// Soloed.
    pub solo: bool,
    /// The effect chain in slot order.
    pub effects: Vec<CompactEffect>,
}

/// An effect, compactly.
#[derive(Serialize, ToSchema, Clone, PartialEq)]
pub struct CompactEffect {
    /// Effect id.
    pub id: String,
    /// Definition name, e.g. `reverb`.
    pub name: String,
    /// Parameter values.
    pub params: BTreeMap<String, f64>,
    /// Bypassed.
    pub bypassed: bool,
}

/// A clip, compactly.
#[derive(Serialize, ToSchema, Clone, PartialEq)]
pub struct CompactClip {
    /// Clip id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Its track's id.
    pub track: String,
    /// `midi` or `audio`.
    #[serde(rename = "type")]
    pub clip_type: TrackType,
    /// Start, beats.
    pub start: f64,
    /// Length, beats.
    pub dur: f64,
    /// Muted.
    pub muted: bool,
    /// Notes of a MIDI clip (when `include_notes`).
    pub notes: Option<Vec<CompactNote>>,
    /// The file of an audio clip.
    pub file: Option<String>,
    /// The cached analysis of an audio clip's sample (when `include_audio_analysis` and
    /// it was analysed).
    #[schema(value_type = Option<Object>)]
    pub audio_analysis: Option<Value>,
}

/// A note, compactly.
#[derive(Serialize, ToSchema, Clone, PartialEq)]
pub struct CompactNote {
    /// MIDI note number.
    pub n: u8,
    /// Start in the clip, beats.
    pub s: f64,
    /// Length, beats.
    pub d: f64,
    /// Velocity.
    pub v: u8,
}

/// What changed since the snapshot of `previous_hash`.
#[derive(Serialize, ToSchema)]
pub struct StateDiff {
    /// When it was computed.
    #[serde(with = "sonic_model::time::serde_ts")]
    #[schema(value_type = String, format = DateTime)]
    pub timestamp: Timestamp,
    /// Of `playing`, `position`, `tempo` and `sequence`, those that changed.
    pub changed_fields: Vec<String>,
    /// Their new values (`sequence` whole).
    #[schema(value_type = Object)]
    pub changes: Map<String, Value>,
}

/// The answer: a snapshot, a diff, or nothing (unchanged).
#[derive(Serialize, ToSchema)]
pub struct StateResponse {
    /// The whole state: when no `previous_hash` was sent, or one this server cannot diff
    /// against. Null otherwise.
    pub full_state: Option<StateSnapshot>,
    /// What changed since `previous_hash`, when it is the hash this server sent last for
    /// the composition. Null otherwise.
    pub diff: Option<StateDiff>,
    /// True when `diff` is given instead of `full_state`.
    pub is_diff: bool,
    /// Hash of the state now (also when both are null: nothing changed).
    pub state_hash: String,
}

/// The composition's state for an assistant. With `previous_hash` equal to the current hash
/// everything is null (nothing changed); equal to the hash last sent for this composition,
/// a diff; otherwise the full state.
#[utoipa::path(post, path = "/api/assistant/state", tag = "assistant", request_body = StateRequest,
    responses((status = 200, body = StateResponse), (status = "default", body = ErrorBody)))]
pub(super) async fn get_state(
    State(state): State<SharedState>,
    Json(body): Json<StateRequest>,
) -> ApiResult<Json<StateResponse>> {
    let cid = id(&body.composition_id)?;
    let snapshot = blocking({
        let (state, cid) = (state.clone(), cid.clone());
        move || take_snapshot(&state, &cid, &body.detail)
    })
    .await?;
    let hash = snapshot.state_hash.clone();
    let previous = body.previous_hash;
    if previous.as_deref() == Some(hash.as_str()) {
        return Ok(Json(StateResponse {
            full_state: None,
            diff: None,
            is_diff: false,
            state_hash: hash,
        }));
    }
    let last = {
        let mut sent = state.state_sent.lock().unwrap_or_else(|p| p.into_inner());
        sent.insert(cid, snapshot.clone())
    };
    let diff = match (previous, last) {
        (Some(previous), Some(last)) if last.state_hash == previous => Some(diff(&last, &snapshot)),
        _ => None,
    };
    Ok(Json(StateResponse {
        is_diff: diff.is_some(),
        full_state: diff.is_none().then_some(snapshot),
        diff,
        state_hash: hash,
    }))
}

fn take_snapshot(state: &SharedState, cid: &Id, detail: &StateDetail) -> ApiResult<StateSnapshot> {
    let (mut snapshot, audio_samples) = read(state, cid, |c| compact(c, detail))?;
    if detail.include_audio_analysis {
        if let Some(sequence) = snapshot.sequence.as_mut() {
            // Looked up outside the composition's lock: it reads files.
            for (index, sample) in audio_samples {
                sequence.clips[index].audio_analysis =
                    crate::routes::samples::cached_analysis(state, &sample)
                        .and_then(|a| serde_json::to_value(a).ok());
            }
        }
    }
    let mut hashed =
        serde_json::to_value(&snapshot).map_err(|e| ApiError::internal(e.to_string()))?;
    if let Some(map) = hashed.as_object_mut() {
        for key in ["timestamp", "state_hash", "audio"] {
            map.remove(key);
        }
    }
    snapshot.state_hash = state_hash(hashed.to_string().as_bytes());
    Ok(snapshot)
}

/// The snapshot without analyses or hash, and the audio clips' (index, sample) to look up.
fn compact(c: &Composition, detail: &StateDetail) -> (StateSnapshot, Vec<(usize, Id)>) {
    let tracks = c
        .tracks
        .iter()
        .map(|t| CompactTrack {
            id: t.id.to_string(),
            name: t.name.clone(),
            track_type: t.track_type,
            instrument: t.instrument.clone(),
            vol: t.volume,
            pan: t.pan,
            muted: t.is_muted,
            solo: t.is_solo,
            effects: sonic_daw::effects::chain(c, &t.id)
                .iter()
                .map(|e| CompactEffect {
                    id: e.id.to_string(),
                    name: e.effect_name.clone(),
                    params: e.parameters.clone(),
                    bypassed: e.is_bypassed,
                })
                .collect(),
        })
        .collect();
    let max_clips = if detail.include_clips {
        detail.max_clips.unwrap_or(usize::MAX)
    } else {
        0
    };
    let mut audio_samples = Vec::new();
    let clips = c
        .clips
        .iter()
        .take(max_clips)
        .enumerate()
        .map(|(index, clip)| {
            let midi = clip.clip_type == TrackType::Midi;
            let notes = (midi && detail.include_notes).then(|| {
                clip.midi_events
                    .iter()
                    .flatten()
                    .take(detail.max_notes_per_clip.unwrap_or(usize::MAX))
                    .map(|n| CompactNote {
                        n: n.note,
                        s: n.start_time,
                        d: n.duration,
                        v: n.velocity,
                    })
                    .collect()
            });
            if let (false, Some(sample)) = (midi, &clip.sample_id) {
                audio_samples.push((index, sample.clone()));
            }
            CompactClip {
                id: clip.id.to_string(),
                name: clip.name.clone(),
                track: clip.track_id.to_string(),
                clip_type: clip.clip_type,
                start: clip.start_time,
                dur: clip.duration,
                muted: clip.is_muted,
                notes,
                file: if midi {
                    None
                } else {
                    clip.audio_file_path.clone()
                },
                audio_analysis: None,
            }
        })
        .collect();
    let snapshot = StateSnapshot {
        timestamp: sonic_model::time::now(),
        playing: c.is_playing,
        position: c.current_position,
        tempo: c.tempo,
        sequence: Some(CompactSequence {
            id: c.id.to_string(),
            name: c.name.clone(),
            tempo: c.tempo,
            time_sig: c.time_signature.clone(),
            tracks,
            clips,
        }),
        audio: None,
        musical: None,
        state_hash: String::new(),
    };
    (snapshot, audio_samples)
}

fn diff(old: &StateSnapshot, new: &StateSnapshot) -> StateDiff {
    let mut changes = Map::new();
    if old.playing != new.playing {
        changes.insert("playing".into(), Value::Bool(new.playing));
    }
    if old.position != new.position {
        changes.insert("position".into(), new.position.into());
    }
    if old.tempo != new.tempo {
        changes.insert("tempo".into(), new.tempo.into());
    }
    if old.sequence != new.sequence {
        changes.insert(
            "sequence".into(),
            serde_json::to_value(&new.sequence).unwrap_or(Value::Null),
        );
    }
    StateDiff {
        timestamp: new.timestamp,
        changed_fields: changes.keys().cloned().collect(),
        changes,
    }
}

/// The state hash: the first 64 bits of BLAKE3 (the hash the store and the analyzer use),
/// in hex.
fn state_hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex()[..16].to_string()
}
