//! The one error type of the HTTP layer: a JSON body with a short, stable message; the internal
//! cause is logged once and never sent to the client.

use crate::store::StoreError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// What an HTTP handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No bot with this id is hosted here.
    #[error("unknown bot {0:?}")]
    UnknownBot(String),
    /// The resource does not exist.
    #[error("not found")]
    NotFound,
    /// The store is not reachable yet.
    #[error("service unavailable")]
    Unavailable,
    /// A webhook without the right signature or secret.
    #[error("unauthorized")]
    Unauthorized,
    /// A body that does not parse.
    #[error("bad request")]
    BadRequest,
    /// A webhook whose signature does not match.
    #[error("forbidden")]
    Forbidden,
    /// A request whose fields are wrong: each field with what is wrong, in the visitor's language.
    #[error("invalid request")]
    Invalid(serde_json::Value),
    /// Too many requests from this visitor or address.
    #[error("too many requests")]
    TooMany,
    /// A browser request from a site this bot does not allow.
    #[error("origin not allowed")]
    OriginRefused,
    /// Anything else; the cause is logged.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            other => Self::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match &self {
            Self::UnknownBot(bot) => (StatusCode::NOT_FOUND, json!({ "error": "unknown bot", "bot": bot })),
            Self::NotFound => (StatusCode::NOT_FOUND, json!({ "error": "not found" })),
            Self::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "error": "service unavailable" }),
            ),
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, json!({ "error": "unauthorized" })),
            Self::BadRequest => (StatusCode::BAD_REQUEST, json!({ "error": "bad request" })),
            Self::Forbidden => (StatusCode::FORBIDDEN, json!({ "error": "forbidden" })),
            Self::Invalid(fields) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "error": "invalid", "fields": fields }),
            ),
            Self::TooMany => (StatusCode::TOO_MANY_REQUESTS, json!({ "error": "too many requests" })),
            Self::OriginRefused => (StatusCode::FORBIDDEN, json!({ "error": "origin not allowed" })),
            Self::Internal(cause) => {
                tracing::error!(%cause, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, json!({ "error": "internal error" }))
            }
        };
        (status, Json(body)).into_response()
    }
}
