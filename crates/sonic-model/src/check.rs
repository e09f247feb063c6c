//! Small checks shared by every `validate()`; errors carry the field path and the bad value.

use crate::{ModelError, MAX_BEATS};

/// `lo <= value <= hi`, and finite.
pub(crate) fn range(field: &str, value: f64, lo: f64, hi: f64) -> Result<(), ModelError> {
    if value.is_finite() && value >= lo && value <= hi {
        Ok(())
    } else {
        Err(out_of_range(field, value, format!("{lo} <= x <= {hi}")))
    }
}

/// `0 < value <= hi`, and finite.
pub(crate) fn positive_up_to(field: &str, value: f64, hi: f64) -> Result<(), ModelError> {
    if value.is_finite() && value > 0.0 && value <= hi {
        Ok(())
    } else {
        Err(out_of_range(field, value, format!("0 < x <= {hi}")))
    }
}

/// `value > 0`, and finite.
pub(crate) fn positive(field: &str, value: f64) -> Result<(), ModelError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(out_of_range(field, value, "x > 0".into()))
    }
}

/// `value >= 0`, and finite.
pub(crate) fn non_negative(field: &str, value: f64) -> Result<(), ModelError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(out_of_range(field, value, "x >= 0".into()))
    }
}

/// `start + length` within the timeline ([`MAX_BEATS`]); reported on `field` (the length).
pub(crate) fn timeline_end(field: &str, start: f64, length: f64) -> Result<(), ModelError> {
    if start + length <= MAX_BEATS {
        Ok(())
    } else {
        Err(out_of_range(
            field,
            length,
            format!("start_time + duration <= {MAX_BEATS}"),
        ))
    }
}

/// Any finite number.
pub(crate) fn finite(field: &str, value: f64) -> Result<(), ModelError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(out_of_range(field, value, "a finite number".into()))
    }
}

/// An integer in `lo..=hi`.
pub(crate) fn int_range(field: &str, value: i64, lo: i64, hi: i64) -> Result<(), ModelError> {
    if (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(out_of_range(
            field,
            value as f64,
            format!("{lo} <= x <= {hi}"),
        ))
    }
}

/// `#RGB`, `#RRGGBB` or `#RRGGBBAA`.
pub(crate) fn color(field: &str, value: &str) -> Result<(), ModelError> {
    let hex = value.strip_prefix('#').unwrap_or("");
    if matches!(hex.len(), 3 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(ModelError::InvalidFormat {
            field: field.into(),
            value: value.into(),
            expected: "a hex colour such as #3b82f6".into(),
        })
    }
}

/// A name: 1 to 200 characters, not only whitespace, no control characters.
pub(crate) fn name(field: &str, value: &str) -> Result<(), ModelError> {
    let ok = !value.trim().is_empty()
        && value.chars().count() <= 200
        && !value.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(ModelError::InvalidFormat {
            field: field.into(),
            value: value.into(),
            expected: "1 to 200 printable characters".into(),
        })
    }
}

fn out_of_range(field: &str, value: f64, range: String) -> ModelError {
    ModelError::OutOfRange {
        field: field.into(),
        value,
        range,
    }
}

impl ModelError {
    /// Prefixes the field path with `prefix` (`volume` becomes `tracks[2].volume`).
    pub(crate) fn at(mut self, prefix: impl std::fmt::Display) -> Self {
        match &mut self {
            ModelError::InvalidId(_) => {}
            ModelError::OutOfRange { field, .. }
            | ModelError::InvalidFormat { field, .. }
            | ModelError::Duplicate { field, .. }
            | ModelError::UnknownReference { field, .. } => {
                *field = if field.is_empty() {
                    prefix.to_string()
                } else {
                    format!("{prefix}.{field}")
                };
            }
        }
        self
    }
}
