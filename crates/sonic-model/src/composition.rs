//! [`Composition`]: the whole project, and the checks that keep it consistent.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::check;
use crate::time::{self, serde_ts, Timestamp};
use crate::{
    ChatMessage, Clip, CompositionMetadata, Id, MixerState, ModelError, Track, TrackEffectChain,
};

/// Highest tempo, BPM.
pub const MAX_TEMPO: f64 = 300.0;

/// The end of the timeline, in beats: clip ends, note ends, loop points and the playhead stay
/// within it (at 120 BPM, a million beats is almost six days), so every position and length
/// the model derives from them is a finite number.
pub const MAX_BEATS: f64 = 1_000_000.0;
/// Scenes a new composition starts with.
pub const DEFAULT_SCENE_COUNT: usize = 8;

/// When launched clips start.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum LaunchQuantization {
    /// Immediately.
    #[serde(rename = "none")]
    None,
    /// Next quarter bar.
    #[serde(rename = "1/4")]
    Quarter,
    /// Next half bar.
    #[serde(rename = "1/2")]
    Half,
    /// Next bar.
    #[default]
    #[serde(rename = "1")]
    Bar,
    /// Next 2 bars.
    #[serde(rename = "2")]
    TwoBars,
    /// Next 4 bars.
    #[serde(rename = "4")]
    FourBars,
}

/// A row of the clip launcher.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scene {
    /// Scene id.
    pub id: Id,
    /// Name.
    pub name: String,
    /// Hex colour.
    #[serde(default = "scene_color")]
    pub color: String,
    /// Tempo the scene switches to, if any.
    #[serde(default)]
    pub tempo: Option<f64>,
}

fn scene_color() -> String {
    "#f39c12".into()
}

impl Scene {
    /// A scene named `name` with id `scene-<8 hex>`.
    pub fn new(name: impl Into<String>) -> Self {
        let hex = uuid::Uuid::new_v4().simple().to_string();
        Scene {
            id: Id::parse(&format!("scene-{}", &hex[..8])).expect("scene-<hex> is a valid id"),
            name: name.into(),
            color: scene_color(),
            tempo: None,
        }
    }
}

/// A whole project, with the original's field names.
///
/// ```
/// use sonic_model::{Composition, Track, TrackType};
/// let mut song = Composition::new("Sketch");
/// song.tracks.push(Track::new(song.id.clone(), "Bass", TrackType::Midi));
/// assert!(song.validate().is_ok());
/// song.tempo = 0.0;
/// assert_eq!(song.validate().unwrap_err().field(), "tempo");
/// ```
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Composition {
    /// Composition id.
    pub id: Id,
    /// Name.
    pub name: String,
    /// Tempo, BPM (0 < t ≤ 300).
    #[serde(default = "default_tempo")]
    pub tempo: f64,
    /// Time signature `N/D`.
    #[serde(default = "default_time_signature")]
    pub time_signature: String,
    /// Tracks in display order.
    #[serde(default)]
    pub tracks: Vec<Track>,
    /// Clips of every track.
    #[serde(default)]
    pub clips: Vec<Clip>,
    /// Transport playing.
    #[serde(default)]
    pub is_playing: bool,
    /// Playhead, beats.
    #[serde(default)]
    pub current_position: f64,
    /// Loop on.
    #[serde(default)]
    pub loop_enabled: bool,
    /// Loop start, beats.
    #[serde(default)]
    pub loop_start: f64,
    /// Loop end, beats (> loop_start).
    #[serde(default = "default_loop_end")]
    pub loop_end: f64,
    /// Mixer.
    #[serde(default)]
    pub mixer_state: MixerState,
    /// Effect chains of tracks that have effects.
    #[serde(default)]
    pub track_effects: Vec<TrackEffectChain>,
    /// Audio track id → sample file path.
    #[serde(default)]
    pub sample_assignments: BTreeMap<Id, String>,
    /// Clip launcher grid `[track][slot]` → clip id.
    #[serde(default)]
    pub clip_slots: Option<Vec<Vec<Option<Id>>>>,
    /// Clip launcher scenes.
    #[serde(default)]
    pub scenes: Vec<Scene>,
    /// Clip launch quantization.
    #[serde(default)]
    pub launch_quantization: LaunchQuantization,
    /// Conversation with the AI.
    #[serde(default)]
    pub chat_history: Vec<ChatMessage>,
    /// Free-form metadata.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Created.
    #[serde(with = "serde_ts")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Last changed.
    #[serde(with = "serde_ts")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

fn default_tempo() -> f64 {
    120.0
}
fn default_time_signature() -> String {
    "4/4".into()
}
fn default_loop_end() -> f64 {
    16.0
}

impl Composition {
    /// An empty composition at 120 BPM in 4/4 with eight scenes.
    pub fn new(name: impl Into<String>) -> Self {
        let now = time::now();
        Composition {
            id: Id::generate(),
            name: name.into(),
            tempo: default_tempo(),
            time_signature: default_time_signature(),
            tracks: Vec::new(),
            clips: Vec::new(),
            is_playing: false,
            current_position: 0.0,
            loop_enabled: false,
            loop_start: 0.0,
            loop_end: default_loop_end(),
            mixer_state: MixerState::default(),
            track_effects: Vec::new(),
            sample_assignments: BTreeMap::new(),
            clip_slots: None,
            scenes: (1..=DEFAULT_SCENE_COUNT)
                .map(|i| Scene::new(format!("Scene {i}")))
                .collect(),
            launch_quantization: LaunchQuantization::default(),
            chat_history: Vec::new(),
            metadata: serde_json::Map::new(),
            created_at: now,
            updated_at: now,
        }
    }

    /// The track with id `id`.
    pub fn track(&self, id: &Id) -> Option<&Track> {
        self.tracks.iter().find(|t| &t.id == id)
    }

    /// The clip with id `id`.
    pub fn clip(&self, id: &Id) -> Option<&Clip> {
        self.clips.iter().find(|c| &c.id == id)
    }

    /// The library samples this composition plays (tracks' and clips' `sample_id`), each
    /// once, in order of first use.
    pub fn sample_ids(&self) -> Vec<&Id> {
        let mut ids: Vec<&Id> = Vec::new();
        let used = self.tracks.iter().filter_map(|t| t.sample_id.as_ref());
        for id in used.chain(self.clips.iter().filter_map(|c| c.sample_id.as_ref())) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }

    /// True when a track or a clip plays library sample `id`.
    pub fn uses_sample(&self, id: &Id) -> bool {
        self.tracks.iter().any(|t| t.sample_id.as_ref() == Some(id))
            || self.clips.iter().any(|c| c.sample_id.as_ref() == Some(id))
    }

    /// Total notes in every clip.
    pub fn note_count(&self) -> usize {
        self.clips.iter().map(|c| c.notes().len()).sum()
    }

    /// End of the last clip, beats (0 with no clips).
    pub fn duration_beats(&self) -> f64 {
        self.clips.iter().map(Clip::end_time).fold(0.0, f64::max)
    }

    /// The listing record for this composition, given what only the store knows.
    pub fn listing(
        &self,
        file_size_bytes: u64,
        has_autosave: bool,
        latest_version: u32,
    ) -> CompositionMetadata {
        CompositionMetadata {
            id: self.id.clone(),
            name: self.name.clone(),
            tempo: self.tempo,
            time_signature: self.time_signature.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            track_count: self.tracks.len(),
            clip_count: self.clips.len(),
            duration_beats: self.duration_beats(),
            file_size_bytes,
            has_autosave,
            latest_version,
        }
    }

    /// Checks every rule of the model: ranges, forms, unique ids and that every reference
    /// (clip → track, chain → track, slot → clip, channel → track) points at something that
    /// exists. The first broken rule is returned with the path of the field.
    pub fn validate(&self) -> Result<(), ModelError> {
        check::name("name", &self.name)?;
        check::positive_up_to("tempo", self.tempo, MAX_TEMPO)?;
        validate_time_signature("time_signature", &self.time_signature)?;
        validate_position("current_position", self.current_position)?;
        validate_loop(self.loop_start, self.loop_end)?;

        let mut track_ids = HashSet::with_capacity(self.tracks.len());
        for (i, track) in self.tracks.iter().enumerate() {
            track
                .validate()
                .map_err(|e| e.at(format_args!("tracks[{i}]")))?;
            if track.composition_id != self.id {
                return Err(ModelError::InvalidFormat {
                    field: format!("tracks[{i}].composition_id"),
                    value: track.composition_id.to_string(),
                    expected: format!("the composition's id {}", self.id),
                });
            }
            unique(&mut track_ids, &track.id, "tracks")?;
        }

        let mut clip_ids = HashSet::with_capacity(self.clips.len());
        for (i, clip) in self.clips.iter().enumerate() {
            clip.validate()
                .map_err(|e| e.at(format_args!("clips[{i}]")))?;
            known(&track_ids, &clip.track_id, "track", || {
                format!("clips[{i}].track_id")
            })?;
            unique(&mut clip_ids, &clip.id, "clips")?;
        }

        self.mixer_state
            .validate()
            .map_err(|e| e.at("mixer_state"))?;
        for (i, channel) in self.mixer_state.channels.iter().enumerate() {
            if let Some(track_id) = &channel.track_id {
                known(&track_ids, track_id, "track", || {
                    format!("mixer_state.channels[{i}].track_id")
                })?;
            }
        }

        let mut chain_tracks = HashSet::new();
        let mut effect_ids = HashSet::new();
        for (i, chain) in self.track_effects.iter().enumerate() {
            chain
                .validate()
                .map_err(|e| e.at(format_args!("track_effects[{i}]")))?;
            known(&track_ids, &chain.track_id, "track", || {
                format!("track_effects[{i}].track_id")
            })?;
            unique(&mut chain_tracks, &chain.track_id, "track_effects")?;
            for effect in &chain.effects {
                unique(&mut effect_ids, &effect.id, "effects")?;
            }
        }

        for track_id in self.sample_assignments.keys() {
            known(&track_ids, track_id, "track", || {
                "sample_assignments".into()
            })?;
        }
        if let Some(grid) = &self.clip_slots {
            for (t, row) in grid.iter().enumerate() {
                for (s, slot) in row.iter().enumerate() {
                    if let Some(clip_id) = slot {
                        known(&clip_ids, clip_id, "clip", || {
                            format!("clip_slots[{t}][{s}]")
                        })?;
                    }
                }
            }
        }

        let mut scene_ids = HashSet::new();
        for (i, scene) in self.scenes.iter().enumerate() {
            check::name(&format!("scenes[{i}].name"), &scene.name)?;
            if let Some(tempo) = scene.tempo {
                check::positive_up_to(&format!("scenes[{i}].tempo"), tempo, MAX_TEMPO)?;
            }
            unique(&mut scene_ids, &scene.id, "scenes")?;
        }
        Ok(())
    }
}

/// Checks a position on the timeline, in beats: `0 <= value <= MAX_BEATS`.
pub fn validate_position(field: &str, value: f64) -> Result<(), ModelError> {
    check::range(field, value, 0.0, MAX_BEATS)
}

/// Checks a loop region, in beats: `0 <= start` and `start < end <= MAX_BEATS`.
pub fn validate_loop(start: f64, end: f64) -> Result<(), ModelError> {
    validate_position("loop_start", start)?;
    if end.is_finite() && end > start && end <= MAX_BEATS {
        Ok(())
    } else {
        Err(ModelError::OutOfRange {
            field: "loop_end".into(),
            value: end,
            range: format!("loop_start < loop_end <= {MAX_BEATS}"),
        })
    }
}

/// Checks a time signature: `N/D` with N in 1..=64 and D a power of two up to 64.
pub fn validate_time_signature(field: &str, value: &str) -> Result<(), ModelError> {
    let parsed = value.split_once('/').and_then(|(n, d)| {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !(digits(n) && digits(d)) {
            return None;
        }
        Some((n.parse::<u32>().ok()?, d.parse::<u32>().ok()?))
    });
    match parsed {
        Some((n, d)) if (1..=64).contains(&n) && d.is_power_of_two() && d <= 64 => Ok(()),
        _ => Err(ModelError::InvalidFormat {
            field: field.into(),
            value: value.into(),
            expected: "N/D with N in 1-64 and D one of 1, 2, 4, 8, 16, 32, 64".into(),
        }),
    }
}

fn unique<'a>(seen: &mut HashSet<&'a Id>, id: &'a Id, field: &str) -> Result<(), ModelError> {
    if seen.insert(id) {
        Ok(())
    } else {
        Err(ModelError::Duplicate {
            field: field.into(),
            value: id.to_string(),
        })
    }
}

fn known(
    ids: &HashSet<&Id>,
    id: &Id,
    kind: &'static str,
    field: impl FnOnce() -> String,
) -> Result<(), ModelError> {
    if ids.contains(id) {
        Ok(())
    } else {
        Err(ModelError::UnknownReference {
            field: field(),
            kind,
            value: id.to_string(),
        })
    }
}
