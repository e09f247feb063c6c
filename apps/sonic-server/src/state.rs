//! [`AppState`]: what every handler shares.

use std::sync::Arc;

use sonic_daw::Studio;
use sonic_store::SampleLibrary;

use crate::error::{ApiError, ApiResult};

/// Shared state: the studio of open compositions (and through it the store) and the sample
/// library.
pub struct AppState {
    /// Open compositions.
    pub studio: Studio,
    /// The sample library.
    pub samples: SampleLibrary,
}

/// The state as handlers receive it.
pub type SharedState = Arc<AppState>;

/// Runs blocking work (file I/O, fsync, analysis, large serialisation) off the async
/// runtime's threads.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::internal(format!("worker failed: {e}")))?
}
