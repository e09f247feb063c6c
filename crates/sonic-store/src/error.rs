//! [`StoreError`]: everything the store can report.

use std::path::PathBuf;

use sonic_model::{Id, ModelError};
use thiserror::Error;

/// An error from the store. [`StoreError::is_bad_input`] tells the caller's mistakes (an
/// unknown id, an invalid value) from failures of the store or the disk.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A value from outside breaks a rule of the model (including an invalid id).
    #[error(transparent)]
    Invalid(#[from] ModelError),
    /// No composition with this id.
    #[error("composition {0} not found")]
    CompositionNotFound(Id),
    /// A composition with this id already exists.
    #[error("composition {0} already exists")]
    CompositionExists(Id),
    /// The composition has no such history version.
    #[error("composition {id} has no version {version}")]
    VersionNotFound {
        /// Composition.
        id: Id,
        /// Missing version.
        version: u32,
    },
    /// There is no autosave to recover.
    #[error("composition {0} has no autosave to recover")]
    NoAutosave(Id),
    /// Nothing readable is left for this composition: current, autosave and every history
    /// file are missing or corrupt.
    #[error("composition {0} has no readable state (current.json, autosave.json and history are all unreadable)")]
    Unrecoverable(Id),
    /// A file is written by a newer Sonic.
    #[error("{path}: format_version {found} is newer than this Sonic understands ({supported})")]
    UnsupportedFormat {
        /// The file.
        path: PathBuf,
        /// Version in the file.
        found: u64,
        /// Highest version this build reads.
        supported: u32,
    },
    /// A file exists but does not parse.
    #[error("{path}: corrupt: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Another process owns the data directory (the server, or another writing command).
    #[error("data directory {path} is locked by another Sonic process (a running sonic-server?); stop it or use its API")]
    Locked {
        /// The data directory.
        path: PathBuf,
    },
    /// The store was opened read-only (without the data-directory lock) and cannot write.
    #[error("the store is open read-only; writing needs the data-directory lock")]
    ReadOnly,
    /// No sample with this id in the library.
    #[error("sample {0} not found")]
    SampleNotFound(Id),
    /// An imported file is not audio Sonic can decode (HTTP 415).
    #[error("{file} is not audio Sonic can decode: {reason}")]
    NotAudio {
        /// The file as the caller named it.
        file: String,
        /// What the probe said.
        reason: String,
    },
    /// An imported file is larger than the library accepts (HTTP 413).
    #[error("{file} is larger than the {limit}-byte limit for samples")]
    SampleTooLarge {
        /// The file as the caller named it.
        file: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// The sample is used by compositions and deleting was not forced (HTTP 409).
    #[error("sample {id} is used by {}; delete with force to remove it anyway", .compositions.join(", "))]
    SampleInUse {
        /// The sample.
        id: Id,
        /// The compositions using it, as `name (id)`.
        compositions: Vec<String>,
    },
    /// A disk operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done (`write`, `read`, ...).
        op: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl StoreError {
    /// True for errors caused by the request (bad id or value, unknown composition or
    /// version, no autosave), false for failures of the store itself.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            StoreError::Invalid(_)
                | StoreError::CompositionNotFound(_)
                | StoreError::CompositionExists(_)
                | StoreError::VersionNotFound { .. }
                | StoreError::NoAutosave(_)
                | StoreError::SampleNotFound(_)
                | StoreError::NotAudio { .. }
                | StoreError::SampleTooLarge { .. }
                | StoreError::SampleInUse { .. }
        )
    }

    pub(crate) fn io(
        op: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| StoreError::Io { op, path, source }
    }
}

/// Result alias of this crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
