//! The HTTP routes, one module per area. Each handler parses its input, calls one crate
//! function (inside `blocking` when it may touch the disk) and maps the result.

pub mod assistant;
pub mod clips;
pub mod compositions;
pub mod effects;
pub mod history;
pub mod mixer;
pub mod samples;
pub mod tracks;
pub mod transport;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use sonic_daw::{OpenComposition, Scope};
use sonic_model::{Composition, Id};

use crate::error::ApiResult;
use crate::state::SharedState;

/// A response of already serialised JSON.
pub fn json_bytes(bytes: impl Into<axum::body::Bytes>) -> Response {
    let bytes: axum::body::Bytes = bytes.into();
    ([(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

/// Runs an edit on the open composition `id` as one undo step.
pub fn edit<T>(
    state: &SharedState,
    id: &Id,
    scope: Scope,
    change: impl FnOnce(&mut Composition) -> sonic_daw::Result<T>,
) -> ApiResult<T> {
    Ok(state.studio.with(id, |open| open.edit(scope, change))??)
}

/// Reads the open composition `id`.
pub fn read<T>(state: &SharedState, id: &Id, f: impl FnOnce(&Composition) -> T) -> ApiResult<T> {
    Ok(state
        .studio
        .with(id, |open: &mut OpenComposition| f(open.composition()))?)
}
