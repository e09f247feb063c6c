//! [`MixerState`]: channel strips and the master bus of one composition.

use serde::{Deserialize, Serialize};

use crate::check;
use crate::time::{self, serde_ts, Timestamp};
use crate::{Id, ModelError};

/// Lowest fader / input gain, dB (treated as silence).
pub const MIN_DB: f64 = -60.0;
/// Highest fader / input gain, dB.
pub const MAX_DB: f64 = 12.0;

/// The mixer of a composition.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MixerState {
    /// Channel strips.
    #[serde(default)]
    pub channels: Vec<MixerChannel>,
    /// The master bus.
    #[serde(default)]
    pub master: MasterChannel,
    /// UI preference: meters shown.
    #[serde(default = "yes")]
    pub show_meters: bool,
    /// UI preference: `peak` or `rms`.
    #[serde(default = "peak")]
    pub meter_mode: String,
    /// UI selection.
    #[serde(default)]
    pub selected_channel_id: Option<Id>,
}

fn yes() -> bool {
    true
}
fn peak() -> String {
    "peak".into()
}
fn meter_floor() -> f64 {
    MIN_DB
}

impl Default for MixerState {
    fn default() -> Self {
        MixerState {
            channels: Vec::new(),
            master: MasterChannel::default(),
            show_meters: true,
            meter_mode: peak(),
            selected_channel_id: None,
        }
    }
}

/// A channel strip. `track_id` (an addition to the original shape) ties it to a track.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MixerChannel {
    /// Channel id.
    pub id: Id,
    /// Display name.
    pub name: String,
    /// Hex colour.
    #[serde(default = "channel_color")]
    pub color: String,
    /// Channel type (`audio`).
    #[serde(rename = "type", default = "audio")]
    pub channel_type: String,
    /// The track this strip belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_id: Option<Id>,
    /// Input source label.
    #[serde(default)]
    pub input_source: Option<String>,
    /// Input gain, dB (-60 to 12).
    #[serde(default)]
    pub input_gain: f64,
    /// Polarity inverted.
    #[serde(default)]
    pub phase_invert: bool,
    /// Pan, -1 to 1.
    #[serde(default)]
    pub pan: f64,
    /// Fader, dB (-60 to 12).
    #[serde(default)]
    pub fader: f64,
    /// Muted.
    #[serde(default)]
    pub mute: bool,
    /// Soloed.
    #[serde(default)]
    pub solo: bool,
    /// Destination bus.
    #[serde(default = "master_bus")]
    pub output_bus: String,
    /// Last left peak, dB (display only).
    #[serde(default = "meter_floor")]
    pub meter_peak_left: f64,
    /// Last right peak, dB (display only).
    #[serde(default = "meter_floor")]
    pub meter_peak_right: f64,
    /// Armed for recording.
    #[serde(default)]
    pub armed: bool,
    /// Input monitoring.
    #[serde(default)]
    pub monitoring: bool,
    /// Audio engine node (unused by Sonic, kept for the original client).
    #[serde(default)]
    pub sc_node_id: Option<i64>,
    /// Audio engine bus (unused by Sonic, kept for the original client).
    #[serde(default)]
    pub sc_bus_index: Option<i64>,
    /// Created.
    #[serde(with = "serde_ts", default = "time::now")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Last changed.
    #[serde(with = "serde_ts", default = "time::now")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

fn channel_color() -> String {
    "#6b7280".into()
}
fn audio() -> String {
    "audio".into()
}
fn master_bus() -> String {
    "master".into()
}

impl MixerChannel {
    /// A unity-gain, centred strip for `track_id`.
    pub fn for_track(track_id: Id, name: impl Into<String>) -> Self {
        let now = time::now();
        MixerChannel {
            id: Id::generate(),
            name: name.into(),
            color: channel_color(),
            channel_type: audio(),
            track_id: Some(track_id),
            input_source: None,
            input_gain: 0.0,
            phase_invert: false,
            pan: 0.0,
            fader: 0.0,
            mute: false,
            solo: false,
            output_bus: master_bus(),
            meter_peak_left: MIN_DB,
            meter_peak_right: MIN_DB,
            armed: false,
            monitoring: false,
            sc_node_id: None,
            sc_bus_index: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// Checks ranges. Paths are relative to the channel.
    pub fn validate(&self) -> Result<(), ModelError> {
        check::name("name", &self.name)?;
        check::range("input_gain", self.input_gain, MIN_DB, MAX_DB)?;
        check::range("pan", self.pan, -1.0, 1.0)?;
        check::range("fader", self.fader, MIN_DB, MAX_DB)?;
        check::finite("meter_peak_left", self.meter_peak_left)?;
        check::finite("meter_peak_right", self.meter_peak_right)?;
        Ok(())
    }
}

/// The master bus.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MasterChannel {
    /// Always `master`.
    #[serde(default = "master_id")]
    pub id: Id,
    /// `Master`.
    #[serde(default = "master_name")]
    pub name: String,
    /// Hex colour.
    #[serde(default = "master_color")]
    pub color: String,
    /// `master`.
    #[serde(rename = "type", default = "master_bus")]
    pub channel_type: String,
    /// Fader, dB (-60 to 12).
    #[serde(default)]
    pub fader: f64,
    /// Muted.
    #[serde(default)]
    pub mute: bool,
    /// Last left peak, dB.
    #[serde(default = "meter_floor")]
    pub meter_peak_left: f64,
    /// Last right peak, dB.
    #[serde(default = "meter_floor")]
    pub meter_peak_right: f64,
    /// Output limiter on.
    #[serde(default)]
    pub limiter_enabled: bool,
    /// Limiter threshold, dB (-12 to 0).
    #[serde(default = "limiter_threshold")]
    pub limiter_threshold: f64,
    /// Audio engine bus (kept for the original client).
    #[serde(default)]
    pub sc_bus_index: i64,
    /// Created.
    #[serde(with = "serde_ts", default = "time::now")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Last changed.
    #[serde(with = "serde_ts", default = "time::now")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

fn master_id() -> Id {
    Id::parse("master").expect("\"master\" is a valid id")
}
fn master_name() -> String {
    "Master".into()
}
fn master_color() -> String {
    "#ef4444".into()
}
fn limiter_threshold() -> f64 {
    -1.0
}

impl Default for MasterChannel {
    fn default() -> Self {
        let now = time::now();
        MasterChannel {
            id: master_id(),
            name: master_name(),
            color: master_color(),
            channel_type: master_bus(),
            fader: 0.0,
            mute: false,
            meter_peak_left: MIN_DB,
            meter_peak_right: MIN_DB,
            limiter_enabled: false,
            limiter_threshold: limiter_threshold(),
            sc_bus_index: 0,
            created_at: now,
            updated_at: now,
        }
    }
}

impl MasterChannel {
    /// Checks ranges. Paths are relative to the master channel.
    pub fn validate(&self) -> Result<(), ModelError> {
        check::range("fader", self.fader, MIN_DB, MAX_DB)?;
        check::range("limiter_threshold", self.limiter_threshold, -12.0, 0.0)?;
        check::finite("meter_peak_left", self.meter_peak_left)?;
        check::finite("meter_peak_right", self.meter_peak_right)?;
        Ok(())
    }
}

impl MixerState {
    /// Checks every channel and the master; channel ids are unique.
    pub fn validate(&self) -> Result<(), ModelError> {
        let mut seen = std::collections::HashSet::new();
        for (i, channel) in self.channels.iter().enumerate() {
            channel
                .validate()
                .map_err(|e| e.at(format_args!("channels[{i}]")))?;
            if !seen.insert(&channel.id) {
                return Err(ModelError::Duplicate {
                    field: "channels".into(),
                    value: channel.id.to_string(),
                });
            }
        }
        self.master.validate().map_err(|e| e.at("master"))
    }

    /// The strip tied to `track_id`, if any.
    pub fn channel_for_track(&self, track_id: &Id) -> Option<&MixerChannel> {
        self.channels
            .iter()
            .find(|c| c.track_id.as_ref() == Some(track_id))
    }
}
