//! Ids chosen by clients: checked for form and uniqueness inside one composition.

use sonic_model::{Composition, Id};

use crate::{DawError, Result};

/// True when any track, clip, effect, scene or mixer channel of `composition` has id `id`.
pub fn is_used(composition: &Composition, id: &Id) -> bool {
    composition.tracks.iter().any(|t| &t.id == id)
        || composition.clips.iter().any(|c| &c.id == id)
        || composition.scenes.iter().any(|s| &s.id == id)
        || composition.mixer_state.channels.iter().any(|c| &c.id == id)
        || composition
            .track_effects
            .iter()
            .flat_map(|chain| &chain.effects)
            .any(|e| &e.id == id)
}

/// `given` when it is free in the composition, or a fresh UUID v4 when none was given.
pub fn new_id(composition: &Composition, given: Option<&Id>) -> Result<Id> {
    match given {
        Some(id) if is_used(composition, id) => Err(DawError::DuplicateId(id.clone())),
        Some(id) => Ok(id.clone()),
        None => Ok(Id::generate()),
    }
}
