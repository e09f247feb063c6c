//! [`Id`]: the one identifier type for compositions, samples, tracks, clips, effects and scenes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// Longest id accepted, in bytes.
pub const MAX_ID_LEN: usize = 64;

/// An identifier that is safe to use as a file or folder name.
///
/// It matches `^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`: no `..`, no slashes, no NUL, nothing absolute.
/// The check runs in every constructor, including deserialisation, so an `Id` that exists is
/// valid and can be joined to a path as it is. Generated ids are lowercase UUID v4.
///
/// ```
/// use sonic_model::Id;
/// assert!(Id::parse("0b7e0c4e-5d7a-4d5e-9f1a-0c4f9b6f2a11").is_ok());
/// assert!(Id::parse("../etc").is_err());
/// assert_eq!(Id::generate().as_str().len(), 36);
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Id(String);

impl Id {
    /// Checks `s` and wraps it; [`ModelError::InvalidId`] names the rejected text.
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        if is_valid_id(s) {
            Ok(Id(s.to_owned()))
        } else {
            Err(ModelError::InvalidId(s.to_owned()))
        }
    }

    /// A fresh lowercase UUID v4.
    pub fn generate() -> Self {
        Id(uuid::Uuid::new_v4().to_string())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// True when `s` is a valid [`Id`].
pub fn is_valid_id(s: &str) -> bool {
    let bytes = s.as_bytes();
    match bytes.first() {
        Some(first) if first.is_ascii_alphanumeric() => {}
        _ => return false,
    }
    bytes.len() <= MAX_ID_LEN
        && bytes[1..]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
}

impl TryFrom<String> for Id {
    type Error = ModelError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        if is_valid_id(&s) {
            Ok(Id(s))
        } else {
            Err(ModelError::InvalidId(s))
        }
    }
}

impl From<Id> for String {
    fn from(id: Id) -> String {
        id.0
    }
}

impl FromStr for Id {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Id::parse(s)
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.0)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Id {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"))
            .min_length(Some(1))
            .max_length(Some(MAX_ID_LEN))
            .description(Some(
                "An id: letters, digits, '_' or '-', starting with a letter or digit",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Id {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_like_and_malformed_ids_are_rejected() {
        let long = "a".repeat(65);
        for bad in [
            "",
            "..",
            ".",
            "a/b",
            "/etc/passwd",
            "a\0b",
            "-x",
            "_x",
            "a b",
            "é",
            &long,
        ] {
            assert!(Id::parse(bad).is_err(), "{bad:?} should be rejected");
            let json = serde_json::to_string(bad).unwrap();
            assert!(
                serde_json::from_str::<Id>(&json).is_err(),
                "{bad:?} deserialised"
            );
        }
    }

    #[test]
    fn plain_and_generated_ids_are_accepted() {
        let max = "a".repeat(64);
        for good in ["a", "A1", "master", "scene-1a2b3c4d", "x_y-z", &max] {
            assert_eq!(Id::parse(good).unwrap().as_str(), good);
        }
        let generated = Id::generate();
        assert!(is_valid_id(generated.as_str()));
        assert_eq!(generated.as_str(), generated.as_str().to_lowercase());
    }
}
