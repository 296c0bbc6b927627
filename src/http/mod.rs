//! The axum router: health and readiness, metrics, the bots' PWA manifests; later the webhooks,
//! the widget API and ticket images. Every route shares the same layers: tracing, a body-size limit,
//! a time-out and request metrics.

pub mod assets;
mod error;
mod manifest;
mod openapi;
mod tickets;
pub mod webhooks;
pub mod widget;

pub use error::ApiError;

use crate::app::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::time::{Duration, Instant};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Builds the router for an app's state.
pub fn router(state: AppState) -> Router {
    let settings = &state.settings().http;
    let (limit, timeout) = (
        settings.body_limit_bytes,
        Duration::from_secs(settings.request_timeout_secs),
    );
    Router::new()
        .route("/", get(assets::demo_page))
        .route("/widget.js", get(assets::widget_js))
        .route("/widget.css", get(assets::widget_css))
        .route("/api/widget/openapi.json", get(assets::openapi))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
        .route("/b/{bot}/manifest.json", get(manifest::manifest))
        .route("/t/{file}", get(tickets::ticket_png))
        .route("/webhooks/telegram/{bot}", axum::routing::post(webhooks::telegram))
        .route("/webhooks/twilio/{bot}", axum::routing::post(webhooks::twilio))
        .merge(widget::routes(&state))
        .fallback(not_found)
        .layer(middleware::from_fn(record_metrics))
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Liveness: answers without touching anything.
async fn health() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the store is connected and answers a ping.
async fn ready(State(state): State<AppState>) -> Response {
    let backend = state.settings_backend_name();
    let Some(store) = state.store() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "starting", "store": backend })),
        )
            .into_response();
    };
    match store.ping().await {
        Ok(()) => Json(json!({ "status": "ready", "store": backend })).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: store ping failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "store": backend })),
            )
                .into_response()
        }
    }
}

/// Prometheus text format.
async fn metrics() -> impl IntoResponse {
    let handle = crate::telemetry::metrics();
    handle.run_upkeep();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle.render())
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// Counts requests and their latency by route template (never by raw path, which would let
/// clients create unbounded label values).
async fn record_metrics(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("coachbot_http_requests_total", "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("coachbot_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}
