//! The one error type of the store. A duplicate key is a `Conflict`, never a panic; anything the
//! backend reports is a `Backend` error, counted in `/metrics`.

/// What went wrong in the store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist (for this bot).
    #[error("not found")]
    NotFound,
    /// A unique key is taken; `keys` names the keys in the way, when known.
    #[error("{what} already exists: {keys:?}")]
    Conflict {
        /// What kind of record.
        what: &'static str,
        /// The taken keys.
        keys: Vec<String>,
    },
    /// The backend failed (down, refused, corrupt data).
    #[error("store backend error: {0}")]
    Backend(String),
}

/// Results of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// A backend failure; counted in the `coachbot_store_errors_total` metric.
    pub fn backend(backend: &'static str, error: impl std::fmt::Display) -> Self {
        metrics::counter!("coachbot_store_errors_total", "backend" => backend).increment(1);
        Self::Backend(error.to_string())
    }

    /// A conflict on one key.
    pub fn conflict(what: &'static str, key: impl Into<String>) -> Self {
        Self::Conflict {
            what,
            keys: vec![key.into()],
        }
    }
}
