//! Sonic's in-memory DAW services: the [`Studio`] of open compositions, each behind its own
//! lock, and the edits a person or the AI makes to one of them: [`tracks`], [`clips`] (split,
//! duplicate, move, trim), the clip [`launcher`], the [`mixer`] (faders, pan, mute, solo, who
//! is audible), insert [`effects`] from the built-in [`registry`], [`song`] settings and the
//! transport. An [`OpenComposition`] keeps a bounded undo history (default 100 steps) and a
//! dirty mark; [`Studio::start_autosave`] writes changed compositions in the background.
//!
//! Every edit checks all of its input before it changes anything, and a failed edit leaves
//! the composition exactly as it was. This crate never plays audio, never creates top-level
//! data folders and only writes through `sonic-store`.
//!
//! ```
//! use sonic_daw::{tracks, mixer, OpenComposition, Scope};
//! use sonic_model::{Composition, TrackType};
//!
//! let mut open = OpenComposition::new(Composition::new("Demo"), 100);
//! let bass = open.edit(Scope::Settings, |c| {
//!     tracks::add_track(c, tracks::NewTrack::new("Bass", TrackType::Midi))
//! })?;
//! open.edit(Scope::Settings, |c| tracks::set_solo(c, &bass, true))?;
//! assert_eq!(mixer::audible_tracks(open.composition()), vec![bass]);
//! open.undo()?;
//! assert!(!open.composition().tracks[0].is_solo);
//! # Ok::<(), sonic_daw::DawError>(())
//! ```

mod autosave;
pub mod clips;
pub mod effects;
mod error;
pub mod ids;
pub mod launcher;
pub mod mixer;
pub mod registry;
mod session;
pub mod song;
mod studio;
pub mod tracks;
mod undo;

pub use autosave::AutosaveTask;
pub use error::{DawError, Result};
pub use session::{OpenComposition, Outcome};
pub use studio::{Opened, Studio, StudioConfig, DEFAULT_AUTOSAVE_INTERVAL};
pub use undo::{Scope, DEFAULT_UNDO_LIMIT};

/// Sets `*field` to `value` and stamps `updated_at`, only when the value differs: setting a
/// value to what it already is leaves the composition exactly as it was (no undo step).
pub(crate) fn set_stamped<T: PartialEq>(
    field: &mut T,
    value: T,
    updated_at: &mut sonic_model::Timestamp,
) {
    if *field != value {
        *field = value;
        *updated_at = sonic_model::time::now();
    }
}

/// The model's rule for names: 1 to 200 printable characters, not only spaces.
pub(crate) fn check_name(field: &str, name: &str) -> Result<()> {
    let ok = !name.trim().is_empty()
        && name.chars().count() <= 200
        && !name.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(sonic_model::ModelError::InvalidFormat {
            field: field.into(),
            value: name.into(),
            expected: "1 to 200 printable characters".into(),
        }
        .into())
    }
}
