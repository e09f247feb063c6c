//! [`ChatMessage`]: one turn of the conversation with the AI, kept in the composition.

use serde::{Deserialize, Serialize};

use crate::time::{serde_ts, Timestamp};

/// Who spoke.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatRole {
    /// A person.
    User,
    /// The AI.
    Assistant,
}

/// An action the AI ran during a turn, as reported back.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutedAction {
    /// Action name.
    pub action: String,
    /// Whether it succeeded.
    pub success: bool,
    /// What it returned.
    #[serde(default)]
    pub data: Option<serde_json::Value>,
    /// Error code or text when it failed.
    #[serde(default)]
    pub error: Option<String>,
}

/// A turn of the conversation.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// `user` or `assistant`.
    pub role: ChatRole,
    /// The text.
    pub content: String,
    /// When it was said.
    #[serde(with = "serde_ts")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub timestamp: Timestamp,
    /// Actions run for this turn.
    #[serde(default)]
    pub actions_executed: Option<Vec<ExecutedAction>>,
}
