//! [`DawError`]: what an edit, an undo or the studio can report.

use sonic_model::{Id, ModelError};
use sonic_store::StoreError;
use thiserror::Error;

/// An error from the DAW services. Every variant carries the offending value, and
/// [`DawError::code`] gives a stable upper-case code that callers (the AI action layer, the
/// server) can show and match on.
#[derive(Debug, Error)]
pub enum DawError {
    /// A value breaks a rule of the model (range, form, reference).
    #[error(transparent)]
    Invalid(#[from] ModelError),
    /// No track with this id in the composition.
    #[error("track {0} not found")]
    TrackNotFound(Id),
    /// No clip with this id in the composition.
    #[error("clip {0} not found")]
    ClipNotFound(Id),
    /// No effect with this id in the composition.
    #[error("effect {0} not found")]
    EffectNotFound(Id),
    /// No scene with this id in the composition.
    #[error("scene {0} not found")]
    SceneNotFound(Id),
    /// The instrument is not one of the registry's SynthDefs.
    #[error("unknown instrument {name:?}: choose one of the {count} instruments in the categories {categories}")]
    UnknownInstrument {
        /// The rejected name.
        name: String,
        /// How many instruments exist.
        count: usize,
        /// The categories, comma-separated.
        categories: String,
    },
    /// No drum kit with this id.
    #[error("drum kit {0:?} not found")]
    KitNotFound(String),
    /// No effect definition with this name.
    #[error("unknown effect {0:?}")]
    UnknownEffect(String),
    /// The effect has no parameter of this name.
    #[error("effect {effect:?} has no parameter {parameter:?}")]
    UnknownParameter {
        /// The effect definition name.
        effect: String,
        /// The rejected parameter name.
        parameter: String,
    },
    /// The operation needs a MIDI (or audio) track or clip and got the other kind.
    #[error(
        "{id} is {} {found} {what}, expected {} {expected} {what}",
        article(found),
        article(expected)
    )]
    WrongType {
        /// `track` or `clip`.
        what: &'static str,
        /// Its id.
        id: Id,
        /// Its type.
        found: &'static str,
        /// The type the operation needs.
        expected: &'static str,
    },
    /// A client-chosen id is already used in the composition.
    #[error("id {0} is already used in this composition")]
    DuplicateId(Id),
    /// A new order is not a permutation of the current items.
    #[error("{what} order {given:?} is not a permutation of the current {what}s {current:?}")]
    InvalidOrder {
        /// `track` or `effect`.
        what: &'static str,
        /// The order given.
        given: Vec<Id>,
        /// The current ids.
        current: Vec<Id>,
    },
    /// A split point outside the clip.
    #[error("split time {split_time} must be inside the clip (0 < t < {duration})")]
    InvalidSplit {
        /// Requested split, beats from the clip start.
        split_time: f64,
        /// The clip's duration.
        duration: f64,
    },
    /// The track's effect chain already holds eight effects.
    #[error("the effect chain of track {0} is full (8 effects)")]
    ChainFull(Id),
    /// The effect slot is taken by another effect.
    #[error("slot {slot} of track {track_id} is occupied")]
    SlotOccupied {
        /// Track.
        track_id: Id,
        /// Slot index.
        slot: u8,
    },
    /// The composition is not open in the studio.
    #[error("composition {0} is not open")]
    NotOpen(Id),
    /// The undo stack is empty.
    #[error("nothing to undo")]
    NothingToUndo,
    /// The redo stack is empty.
    #[error("nothing to redo")]
    NothingToRedo,
    /// The store failed or refused.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DawError {
    /// A stable code: `TRACK_NOT_FOUND`, `OUT_OF_RANGE`, `NOT_MIDI_TRACK`, ...
    pub fn code(&self) -> &'static str {
        match self {
            DawError::Invalid(ModelError::InvalidId(_)) => "INVALID_ID",
            DawError::Invalid(ModelError::OutOfRange { .. }) => "OUT_OF_RANGE",
            DawError::Invalid(ModelError::InvalidFormat { .. }) => "INVALID_VALUE",
            DawError::Invalid(ModelError::Duplicate { .. }) => "DUPLICATE",
            DawError::Invalid(ModelError::UnknownReference { .. }) => "UNKNOWN_REFERENCE",
            DawError::TrackNotFound(_) => "TRACK_NOT_FOUND",
            DawError::ClipNotFound(_) => "CLIP_NOT_FOUND",
            DawError::EffectNotFound(_) => "EFFECT_NOT_FOUND",
            DawError::SceneNotFound(_) => "SCENE_NOT_FOUND",
            DawError::UnknownInstrument { .. } => "UNKNOWN_INSTRUMENT",
            DawError::KitNotFound(_) => "KIT_NOT_FOUND",
            DawError::UnknownEffect(_) => "UNKNOWN_EFFECT",
            DawError::UnknownParameter { .. } => "UNKNOWN_PARAMETER",
            DawError::WrongType {
                what: "track",
                expected: "midi",
                ..
            } => "NOT_MIDI_TRACK",
            DawError::WrongType { .. } => "WRONG_TYPE",
            DawError::DuplicateId(_) => "DUPLICATE_ID",
            DawError::InvalidOrder { what: "track", .. } => "INVALID_TRACK_ORDER",
            DawError::InvalidOrder { .. } => "INVALID_EFFECT_ORDER",
            DawError::InvalidSplit { .. } => "INVALID_SPLIT_TIME",
            DawError::ChainFull(_) => "CHAIN_FULL",
            DawError::SlotOccupied { .. } => "SLOT_OCCUPIED",
            DawError::NotOpen(_) => "COMPOSITION_NOT_OPEN",
            DawError::NothingToUndo => "NOTHING_TO_UNDO",
            DawError::NothingToRedo => "NOTHING_TO_REDO",
            DawError::Store(StoreError::CompositionNotFound(_)) => "COMPOSITION_NOT_FOUND",
            DawError::Store(e) if e.is_bad_input() => "STORE_REJECTED",
            DawError::Store(_) => "STORE_FAILED",
        }
    }

    /// True when the caller's request is at fault (unknown id, bad value, empty undo stack),
    /// false for failures of the store or the disk.
    pub fn is_bad_input(&self) -> bool {
        match self {
            DawError::Store(e) => e.is_bad_input(),
            _ => true,
        }
    }

    /// An [`DawError::Invalid`] out-of-range error for `field`.
    pub(crate) fn out_of_range(field: &str, value: f64, range: &str) -> Self {
        DawError::Invalid(ModelError::OutOfRange {
            field: field.into(),
            value,
            range: range.into(),
        })
    }
}

/// `an` before a vowel (`an audio track`), `a` otherwise (`a midi track`).
fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u' | 'A' | 'E' | 'I' | 'O' | 'U') => "an",
        _ => "a",
    }
}

/// Result alias of this crate.
pub type Result<T, E = DawError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_type_messages_use_the_right_article() {
        let wrong = |found, expected| DawError::WrongType {
            what: "track",
            id: Id::parse("a").unwrap(),
            found,
            expected,
        };
        assert_eq!(
            wrong("audio", "midi").to_string(),
            "a is an audio track, expected a midi track"
        );
        assert_eq!(
            wrong("midi", "audio").to_string(),
            "a is a midi track, expected an audio track"
        );
    }
}
