//! Sonic's domain model: a [`Composition`] with its [`Track`]s, [`Clip`]s and [`MidiNote`]s,
//! its [`MixerState`], effect chains ([`TrackEffectChain`]), clip-launcher [`Scene`]s and chat
//! with the AI; library samples ([`SampleMeta`]) and their [`SampleAnalysis`]; the listing
//! ([`CompositionMetadata`]) and history ([`HistoryEntry`]) records.
//!
//! Field names follow the original Sonic Claude so its web client reads them unchanged.
//! Validation lives here and only here: every entry point (store, DAW services, AI actions,
//! server, CLI) calls `validate()` and gets a [`ModelError`] naming the field and the value.
//! Ids are [`Id`]s, which can only hold text that is safe in a path.
//!
//! This crate does no I/O.
//!
//! ```
//! use sonic_model::{Clip, Composition, MidiNote, Track, TrackType};
//!
//! let mut song = Composition::new("Night drive");
//! let bass = Track::new(song.id.clone(), "Bass", TrackType::Midi);
//! let notes = vec![MidiNote::new(40, 0.0, 1.0, 100), MidiNote::new(43, 1.0, 1.0, 90)];
//! song.clips.push(Clip::midi(bass.id.clone(), "Riff", 0.0, 4.0, notes));
//! song.tracks.push(bass);
//! song.validate()?;
//!
//! let json = serde_json::to_string(&song).unwrap();
//! assert_eq!(serde_json::from_str::<Composition>(&json).unwrap(), song);
//! # Ok::<(), sonic_model::ModelError>(())
//! ```

mod chat;
mod check;
mod clip;
mod composition;
mod effect;
mod error;
mod id;
mod metadata;
mod mixer;
mod sample;
pub mod time;
mod track;

pub use chat::{ChatMessage, ChatRole, ExecutedAction};
pub use clip::{note_name, Clip, MidiNote};
pub use composition::{
    validate_loop, validate_position, validate_time_signature, Composition, LaunchQuantization,
    Scene, DEFAULT_SCENE_COUNT, MAX_BEATS, MAX_TEMPO,
};
pub use effect::{
    EffectDefinition, EffectInstance, EffectParameter, TrackEffectChain, MAX_EFFECT_SLOTS,
};
pub use error::ModelError;
pub use id::{is_valid_id, Id, MAX_ID_LEN};
pub use metadata::{CompositionMetadata, HistoryEntry, HistorySource};
pub use mixer::{MasterChannel, MixerChannel, MixerState, MAX_DB, MIN_DB};
pub use sample::{
    PitchFeatures, SampleAnalysis, SampleMeta, SpectralFeatures, TemporalFeatures, TimbreFeatures,
    WaveformOverview,
};
pub use time::Timestamp;
pub use track::{DrumPad, Track, TrackType, DEFAULT_TRACK_COLOR};

#[cfg(test)]
mod roundtrip_tests;
