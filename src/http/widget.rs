//! The web widget's API, under `/api/widget/{bot}/`:
//!
//! - `GET config?visitor=ID&lang=fr`: the look, the widget's texts, and what is known of the
//!   visitor (so a returning one skips the form and is greeted by name);
//! - `POST lead`: the lead form, checked with the chat's rules (422 with a text per wrong field);
//! - `POST messages`: a text, a button pressed, or "opened again";
//! - `GET events?visitor=ID`: the replies, as server-sent events numbered per visitor; a
//!   reconnecting browser sends `Last-Event-ID` and gets exactly what came after it.
//!
//! Every route checks the browser's `Origin` against the bot's `allowed_origins` (same-origin
//! pages always pass), limits requests per address and messages per visitor, and takes small
//! bodies only. Posted messages go through the engine like any channel's: recorded once by
//! `message_id` (a retried POST is handled once), answered, the replies written as the visitor's
//! events, and the visitor's open streams on this process woken.

use super::ApiError;
use crate::app::AppState;
use crate::channels::web::valid_visitor;
use crate::config::bots::Bot;
use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::net::{IpAddr, SocketAddr};

pub mod config;
pub mod messages;
mod origins;
pub mod stream;

/// The widget API routes, with their origin check and body limit.
pub fn routes(state: &AppState) -> Router<AppState> {
    use axum::routing::{get, post};
    let limit = state.settings().widget.body_limit_bytes;
    Router::new()
        .route("/api/widget/{bot}/config", get(config::config))
        .route("/api/widget/{bot}/lead", post(messages::lead))
        .route("/api/widget/{bot}/messages", post(messages::message))
        .route("/api/widget/{bot}/events", get(stream::events))
        .layer(axum::middleware::from_fn_with_state(state.clone(), origins::origins))
        .layer(axum::extract::DefaultBodyLimit::max(limit))
}

/// The client's address: the connection's, or `X-Forwarded-For`'s first when trusted.
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let forwarded = state
            .settings()
            .widget
            .trust_forwarded_for
            .then(|| {
                parts
                    .headers
                    .get("x-forwarded-for")?
                    .to_str()
                    .ok()?
                    .split(',')
                    .next()?
                    .trim()
                    .parse()
                    .ok()
            })
            .flatten();
        let connected = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(Self(forwarded.or(connected)))
    }
}

/// The bot of a widget route, when it hosts the widget.
fn web_bot(state: &AppState, bot: &str) -> Result<std::sync::Arc<Bot>, ApiError> {
    let found = state
        .bots()
        .get(bot)
        .ok_or_else(|| ApiError::UnknownBot(bot.to_owned()))?;
    match found.channels.web.enabled {
        true => Ok(found.clone()),
        false => Err(ApiError::NotFound),
    }
}

/// Refuses a request over the per-address limit.
fn check_ip(state: &AppState, bot: &Bot, ip: &ClientIp) -> Result<(), ApiError> {
    match ip.0 {
        Some(ip) if !state.allow_ip(bot.id.as_str(), ip) => Err(ApiError::TooMany),
        _ => Ok(()),
    }
}

fn check_visitor(visitor: &str) -> Result<(), ApiError> {
    match valid_visitor(visitor) {
        true => Ok(()),
        false => Err(ApiError::Invalid(
            serde_json::json!({ "visitor": "a widget visitor id" }),
        )),
    }
}
