//! [`AppState`]: what every handler shares.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use sonic_daw::Studio;
use sonic_model::{Id, Timestamp};
use sonic_store::SampleLibrary;

use crate::error::{ApiError, ApiResult};
use crate::routes::assistant::state::StateSnapshot;

/// Shared state: the studio of open compositions (and through it the store) and the sample
/// library.
pub struct AppState {
    /// Open compositions.
    pub studio: Studio,
    /// The sample library.
    pub samples: SampleLibrary,
    /// The last JSON of each composition served whole, with the edit generation and
    /// `updated_at` it was made from: a GET of an unchanged composition sends these bytes
    /// again instead of serialising every note.
    pub json_cache: Mutex<HashMap<Id, (u64, Timestamp, Bytes)>>,
    /// The LLM provider configured in the environment, or why there is none.
    pub llm: Result<sonic_ai::llm::Provider, String>,
    /// The assistant state last sent for each composition, to answer a diff against it.
    pub state_sent: Mutex<HashMap<Id, StateSnapshot>>,
}

impl AppState {
    /// Shared state over a studio and a sample library.
    pub fn new(
        studio: Studio,
        samples: SampleLibrary,
        llm: Result<sonic_ai::llm::Provider, String>,
    ) -> Self {
        AppState {
            studio,
            samples,
            json_cache: Mutex::new(HashMap::new()),
            llm,
            state_sent: Mutex::new(HashMap::new()),
        }
    }

    /// Forgets what is cached about `id` (when it is deleted).
    pub fn forget(&self, id: &Id) {
        self.json_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
        self.state_sent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }
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

/// Runs in-memory work on an open composition right here (it holds a composition lock for
/// microseconds), or off the async threads when the composition must first be loaded.
pub async fn in_memory<T: Send + 'static>(
    already_open: bool,
    work: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    if already_open {
        work()
    } else {
        blocking(work).await
    }
}
