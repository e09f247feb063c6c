//! [`ApiError`]: the one error type of every handler, and its HTTP mapping.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use sonic_daw::DawError;
use sonic_model::ModelError;
use sonic_store::StoreError;
use utoipa::ToSchema;

/// An error answered as `{"error": {"code", "message"}}` with an honest status.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable upper-case code.
    pub code: &'static str,
    /// One sentence for people.
    pub message: String,
}

/// The body of every error response.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// Code and message of an error.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable upper-case code, e.g. `TRACK_NOT_FOUND`.
    pub code: String,
    /// What went wrong.
    pub message: String,
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400 with `code`.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 404 with `code`.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// 500 for a failure of the server itself (never for what a client sent).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, message = %self.message, "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let (status, code) = match &e {
            // The same codes as an invalid value inside an edit (`OUT_OF_RANGE`, ...).
            StoreError::Invalid(m) => {
                (StatusCode::BAD_REQUEST, DawError::Invalid(m.clone()).code())
            }
            StoreError::CompositionNotFound(_) => (StatusCode::NOT_FOUND, "COMPOSITION_NOT_FOUND"),
            StoreError::VersionNotFound { .. } => (StatusCode::NOT_FOUND, "VERSION_NOT_FOUND"),
            StoreError::NoAutosave(_) => (StatusCode::NOT_FOUND, "NO_AUTOSAVE"),
            StoreError::SampleNotFound(_) => (StatusCode::NOT_FOUND, "SAMPLE_NOT_FOUND"),
            StoreError::CompositionExists(_) => (StatusCode::CONFLICT, "ALREADY_EXISTS"),
            StoreError::SampleInUse { .. } => (StatusCode::CONFLICT, "SAMPLE_IN_USE"),
            StoreError::Locked { .. } => (StatusCode::CONFLICT, "LOCKED"),
            StoreError::SampleTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "TOO_LARGE"),
            StoreError::NotAudio { .. } => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "NOT_AUDIO"),
            _ if e.is_bad_input() => (StatusCode::BAD_REQUEST, "BAD_REQUEST"),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "STORE_FAILED"),
        };
        ApiError::new(status, code, e.to_string())
    }
}

impl From<DawError> for ApiError {
    fn from(e: DawError) -> Self {
        match e {
            DawError::Store(store) => store.into(),
            e => {
                let status = match &e {
                    DawError::TrackNotFound(_)
                    | DawError::ClipNotFound(_)
                    | DawError::EffectNotFound(_)
                    | DawError::SceneNotFound(_)
                    | DawError::NotOpen(_) => StatusCode::NOT_FOUND,
                    DawError::NothingToUndo | DawError::NothingToRedo => StatusCode::CONFLICT,
                    DawError::DuplicateId(_)
                    | DawError::ChainFull(_)
                    | DawError::SlotOccupied { .. } => StatusCode::CONFLICT,
                    _ => StatusCode::BAD_REQUEST,
                };
                ApiError::new(status, e.code(), e.to_string())
            }
        }
    }
}

impl From<ModelError> for ApiError {
    fn from(e: ModelError) -> Self {
        DawError::Invalid(e).into()
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
