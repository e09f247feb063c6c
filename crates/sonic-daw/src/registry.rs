//! The built-in catalogues: the 15 insert effects, the 171 instruments and the 61 drum kits of
//! the original Sonic Claude. They live in `sonic-catalog` (the sound engine reads them too);
//! this module re-exports them with lookups that report a [`DawError`].

use sonic_catalog::CatalogError;
use sonic_model::EffectDefinition;

pub use sonic_catalog::{
    drum_kits, effects, instrument_categories, instruments, DrumKit, InstrumentDefinition,
    InstrumentParameter,
};

use crate::{DawError, Result};

impl From<CatalogError> for DawError {
    fn from(error: CatalogError) -> Self {
        match error {
            CatalogError::UnknownInstrument {
                name,
                count,
                categories,
            } => DawError::UnknownInstrument {
                name,
                count,
                categories,
            },
            CatalogError::KitNotFound(id) => DawError::KitNotFound(id),
            CatalogError::UnknownEffect(name) => DawError::UnknownEffect(name),
        }
    }
}

/// The effect definition called `name`.
pub fn effect(name: &str) -> Result<&'static EffectDefinition> {
    Ok(sonic_catalog::effect(name)?)
}

/// The instrument called `name`; the error lists how many exist and their categories.
pub fn instrument(name: &str) -> Result<&'static InstrumentDefinition> {
    Ok(sonic_catalog::instrument(name)?)
}

/// The drum kit with id `id`.
pub fn drum_kit(id: &str) -> Result<&'static DrumKit> {
    Ok(sonic_catalog::drum_kit(id)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_keep_their_daw_codes() {
        assert_eq!(instrument("sine").unwrap().category, "Basic");
        let err = instrument("kazoo").unwrap_err();
        assert_eq!(err.code(), "UNKNOWN_INSTRUMENT");
        assert!(err.to_string().contains("171"));
        assert_eq!(drum_kit("nope").unwrap_err().code(), "KIT_NOT_FOUND");
        assert_eq!(effect("wah").unwrap_err().code(), "UNKNOWN_EFFECT");
    }
}
