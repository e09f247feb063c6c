//! [`ModelError`]: what validation reports.

use thiserror::Error;

/// A rule of the domain model that a value breaks. Every variant names the field (as a path
/// such as `tracks[2].volume`) and carries the offending value, so a caller can show it as is.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ModelError {
    /// An id that does not match `^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`.
    #[error("invalid id {0:?}: ids are 1-64 letters, digits, '_' or '-', starting with a letter or digit")]
    InvalidId(String),
    /// A number outside its allowed range (or not finite).
    #[error("{field} = {value} is out of range ({range})")]
    OutOfRange {
        /// Path of the field.
        field: String,
        /// The offending value.
        value: f64,
        /// The allowed range, as text (e.g. `0 < x <= 300`).
        range: String,
    },
    /// A text field that does not have the required form.
    #[error("{field} = {value:?} is invalid: expected {expected}")]
    InvalidFormat {
        /// Path of the field.
        field: String,
        /// The offending value.
        value: String,
        /// What was expected.
        expected: String,
    },
    /// Two items share an id (or a slot) that must be unique.
    #[error("{field}: duplicate {value:?}")]
    Duplicate {
        /// Path of the collection.
        field: String,
        /// The repeated id or key.
        value: String,
    },
    /// A reference to something that is not in the composition.
    #[error("{field} refers to unknown {kind} {value:?}")]
    UnknownReference {
        /// Path of the referencing field.
        field: String,
        /// What kind of thing is referred to (`track`, `clip`, ...).
        kind: &'static str,
        /// The dangling id.
        value: String,
    },
}

impl ModelError {
    /// The path of the field at fault, or `id` for [`ModelError::InvalidId`].
    pub fn field(&self) -> &str {
        match self {
            ModelError::InvalidId(_) => "id",
            ModelError::OutOfRange { field, .. }
            | ModelError::InvalidFormat { field, .. }
            | ModelError::Duplicate { field, .. }
            | ModelError::UnknownReference { field, .. } => field,
        }
    }
}
