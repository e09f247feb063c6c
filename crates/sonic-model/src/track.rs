//! [`Track`]: a lane of MIDI or audio clips with its own volume, pan, instrument or sample.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::check;
use crate::{Id, ModelError};

/// Default track colour (the original's blue).
pub const DEFAULT_TRACK_COLOR: &str = "#3b82f6";

/// What a track plays.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrackType {
    /// Notes played by an instrument or a drum kit.
    Midi,
    /// Audio clips from the sample library. The original's legacy `sample` reads as `audio`.
    #[serde(alias = "sample")]
    Audio,
}

impl TrackType {
    /// `midi` or `audio`.
    pub fn as_str(self) -> &'static str {
        match self {
            TrackType::Midi => "midi",
            TrackType::Audio => "audio",
        }
    }
}

/// One pad of a drum kit: the SynthDef that plays the note, and its arguments.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrumPad {
    /// SynthDef name.
    pub synthdef: String,
    /// SynthDef arguments.
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
}

/// A track, with the original's field names.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    /// Track id.
    pub id: Id,
    /// Display name.
    pub name: String,
    /// The composition that holds the track.
    pub composition_id: Id,
    /// MIDI or audio.
    #[serde(rename = "type", default = "default_track_type")]
    pub track_type: TrackType,
    /// Hex colour.
    #[serde(default = "default_color")]
    pub color: String,
    /// Muted.
    #[serde(default)]
    pub is_muted: bool,
    /// Soloed.
    #[serde(default)]
    pub is_solo: bool,
    /// Armed for recording.
    #[serde(default)]
    pub is_armed: bool,
    /// Linear gain, 0 to 2 (1 is unity).
    #[serde(default = "one")]
    pub volume: f64,
    /// Stereo position, -1 (left) to 1 (right).
    #[serde(default)]
    pub pan: f64,
    /// SynthDef name for MIDI tracks.
    #[serde(default)]
    pub instrument: Option<String>,
    /// MIDI channel, 0 to 15.
    #[serde(default)]
    pub midi_channel: u8,
    /// Library sample played by an audio track.
    #[serde(default)]
    pub sample_id: Option<Id>,
    /// The sample's display name.
    #[serde(default)]
    pub sample_name: Option<String>,
    /// Path of the sample file, as the original stored it.
    #[serde(default)]
    pub sample_file_path: Option<String>,
    /// Drum kit pads keyed by MIDI note (as a string, e.g. `"36"`).
    #[serde(default)]
    pub kit: Option<BTreeMap<String, DrumPad>>,
    /// The drum kit the pads came from.
    #[serde(default)]
    pub kit_id: Option<String>,
}

fn default_track_type() -> TrackType {
    TrackType::Audio
}
fn default_color() -> String {
    DEFAULT_TRACK_COLOR.into()
}
fn one() -> f64 {
    1.0
}

impl Track {
    /// A new track with the original's defaults (volume 1, pan 0, blue, nothing muted).
    pub fn new(composition_id: Id, name: impl Into<String>, track_type: TrackType) -> Self {
        Track {
            id: Id::generate(),
            name: name.into(),
            composition_id,
            track_type,
            color: default_color(),
            is_muted: false,
            is_solo: false,
            is_armed: false,
            volume: 1.0,
            pan: 0.0,
            instrument: None,
            midi_channel: 0,
            sample_id: None,
            sample_name: None,
            sample_file_path: None,
            kit: None,
            kit_id: None,
        }
    }

    /// Checks every field's range and form. Field paths are relative to the track.
    pub fn validate(&self) -> Result<(), ModelError> {
        check::name("name", &self.name)?;
        check::color("color", &self.color)?;
        check::range("volume", self.volume, 0.0, 2.0)?;
        check::range("pan", self.pan, -1.0, 1.0)?;
        check::int_range("midi_channel", self.midi_channel.into(), 0, 15)?;
        if let Some(kit) = &self.kit {
            for (note, pad) in kit {
                let ok = note.parse::<u8>().is_ok_and(|n| n <= 127);
                if !ok {
                    return Err(ModelError::InvalidFormat {
                        field: "kit".into(),
                        value: note.clone(),
                        expected: "MIDI note numbers 0-127 as keys".into(),
                    });
                }
                for (param, value) in &pad.params {
                    check::finite(&format!("kit.{note}.params.{param}"), *value)?;
                }
            }
        }
        Ok(())
    }
}
