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
use crate::channels::web::{WebReply, render, valid_visitor};
use crate::config::bots::Bot;
use crate::domain::contact::{Channel, LeadForm};
use crate::domain::language::Language;
use crate::engine::{Content, Inbound};
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::sse::KeepAlive;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

pub mod stream;

/// The widget API routes, with their origin check and body limit.
pub fn routes(state: &AppState) -> Router<AppState> {
    use axum::routing::{get, post};
    let limit = state.settings().widget.body_limit_bytes;
    Router::new()
        .route("/api/widget/{bot}/config", get(config))
        .route("/api/widget/{bot}/lead", post(lead))
        .route("/api/widget/{bot}/messages", post(message))
        .route("/api/widget/{bot}/events", get(stream::events))
        .layer(axum::middleware::from_fn_with_state(state.clone(), origins))
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

/// The browser's `Origin` against the bot's `allowed_origins` (`*`: any). A request without
/// `Origin`, or from this server's own pages, passes. Allowed cross-origin requests get the CORS
/// headers (preflights are answered here); others are refused with 403.
async fn origins(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let bot = request.uri().path().split('/').nth(3).unwrap_or_default().to_owned();
    let allowed = match &origin {
        None => true,
        Some(origin) => {
            let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok());
            let public = state.settings().http.public_url.as_ref();
            origin_allowed(
                origin.to_str().unwrap_or_default(),
                host,
                public,
                state.bots().get(&bot).map(|b| b.as_ref()),
            )
        }
    };
    if !allowed {
        tracing::warn!(bot, origin = ?origin, "widget: a request from an origin this bot does not allow");
        return ApiError::OriginRefused.into_response();
    }
    let preflight = request.method() == Method::OPTIONS;
    let mut response = match preflight {
        true => StatusCode::NO_CONTENT.into_response(),
        false => next.run(request).await,
    };
    if let Some(origin) = origin {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.append(header::VARY, HeaderValue::from_static("origin"));
        if preflight {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST"),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("content-type, last-event-id"),
            );
            headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        }
    }
    response
}

/// Whether a browser page at `origin` may call this bot's widget API.
fn origin_allowed(origin: &str, host: Option<&str>, public: Option<&url::Url>, bot: Option<&Bot>) -> bool {
    let Ok(parsed) = url::Url::parse(origin) else {
        return false;
    };
    let authority = |u: &url::Url| match u.port() {
        Some(port) => format!("{}:{port}", u.host_str().unwrap_or_default()),
        None => u.host_str().unwrap_or_default().to_owned(),
    };
    let same_host = host.is_some_and(|h| h.eq_ignore_ascii_case(&authority(&parsed)));
    let public = public.is_some_and(|p| p.origin() == parsed.origin());
    let listed = bot.is_some_and(|b| {
        b.channels
            .web
            .allowed_origins
            .iter()
            .any(|o| o == "*" || o.trim_end_matches('/').eq_ignore_ascii_case(origin))
    });
    same_host || public || listed
}

/// What the widget needs to draw itself.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WidgetConfig {
    /// The bot.
    pub bot: String,
    /// The studio's name.
    pub studio: String,
    /// Panel title.
    pub title: String,
    /// Main colour, `#rrggbb`.
    pub color: String,
    /// The first message of a conversation.
    pub welcome: String,
    /// Avatar address, if any.
    pub avatar: Option<String>,
    /// `right` or `left`.
    pub position: String,
    /// The language of the texts (`fr`, `en`).
    pub language: String,
    /// The widget's own texts (labels, placeholders, browser-side errors), by id.
    #[schema(value_type = Object)]
    pub texts: serde_json::Map<String, serde_json::Value>,
    /// What is known of the visitor, when the id is theirs.
    pub visitor: Option<KnownVisitor>,
}

/// A visitor the server knows.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KnownVisitor {
    /// Every lead detail is known: the form is skipped.
    pub complete: bool,
    /// Their name.
    pub name: Option<String>,
    /// Their email.
    pub email: Option<String>,
    /// Their phone number (E.164).
    pub phone: Option<String>,
    /// Their answer to marketing messages.
    pub consent: Option<bool>,
}

/// `config`'s query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ConfigQuery {
    /// The visitor's id, when the browser has one.
    pub visitor: Option<String>,
    /// The browser's language (`fr-FR`…).
    pub lang: Option<String>,
}

/// Texts of the widget itself, from the `widget-*` catalog entries.
const WIDGET_TEXTS: &[&str] = &[
    "widget-open",
    "widget-close",
    "widget-unread",
    "widget-form-intro",
    "widget-name",
    "widget-email",
    "widget-phone",
    "widget-consent",
    "widget-submit",
    "widget-required",
    "widget-bad-email",
    "widget-bad-phone",
    "widget-not-me",
    "widget-placeholder",
    "widget-send",
    "widget-save",
    "widget-typing",
    "widget-offline",
    "widget-conversation",
];

/// The look (as last set from chat), the texts and the known visitor.
#[utoipa::path(get, path = "/api/widget/{bot}/config", params(("bot" = String, Path, description = "The bot"), ConfigQuery),
    responses((status = 200, body = WidgetConfig), (status = 403, description = "Origin not allowed"), (status = 404, description = "Unknown bot")))]
pub async fn config(
    State(state): State<AppState>,
    Path(bot): Path<String>,
    Query(query): Query<ConfigQuery>,
    ip: ClientIp,
) -> Result<Response, ApiError> {
    let bot = web_bot(&state, &bot)?;
    check_ip(&state, &bot, &ip)?;
    let store = state.store().ok_or(ApiError::Unavailable)?;
    let look = crate::ops::appearance::current(store.as_ref(), &bot).await?;
    let contact = match query.visitor.as_deref().filter(|v| valid_visitor(v)) {
        Some(visitor) => {
            let identity = crate::domain::contact::Identity::new(Channel::Web, visitor);
            store.find_contact_by_identity(&bot.id, &identity).await?
        }
        None => None,
    };
    let language = contact
        .as_ref()
        .and_then(|c| c.language)
        .or_else(|| query.lang.as_deref().and_then(Language::from_tag))
        .unwrap_or(bot.language);
    let texts = WIDGET_TEXTS
        .iter()
        .map(|id| {
            let key = id.trim_start_matches("widget-").to_owned();
            (
                key,
                state
                    .texts()
                    .get(language, id, &[("studio", bot.name.as_str().into())])
                    .into(),
            )
        })
        .collect();
    let visitor = contact.map(|c| KnownVisitor {
        complete: c.name.is_some() && c.email.is_some() && c.phone.is_some() && c.consent.is_some(),
        name: c.name.clone(),
        email: c.email.as_ref().map(|e| e.as_str().to_owned()),
        phone: c.phone.as_ref().map(|p| p.as_str().to_owned()),
        consent: c.consent.as_ref().map(|c| c.marketing),
    });
    let body = WidgetConfig {
        bot: bot.id.to_string(),
        studio: bot.name.clone(),
        title: look.title,
        color: look.color,
        // The studio's own welcome is written in its language; others get the catalog's.
        welcome: match language == bot.language {
            true => look.welcome,
            false => state
                .texts()
                .get(language, "lead-welcome", &[("studio", bot.name.as_str().into())]),
        },
        avatar: look.avatar,
        position: serde_json::to_value(look.position)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        language: language.code().to_owned(),
        texts,
        visitor,
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

/// The lead form.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LeadRequest {
    /// The visitor's id.
    pub visitor: String,
    /// A fresh id for this submission (a retried POST is handled once).
    pub message_id: String,
    /// First name.
    pub name: String,
    /// Email.
    pub email: String,
    /// WhatsApp number.
    pub phone: String,
    /// Yes to marketing messages.
    #[serde(default)]
    pub consent: bool,
    /// The browser's language.
    pub lang: Option<String>,
}

/// Accepted: the answer comes as an event.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Accepted {
    /// Always true.
    pub accepted: bool,
}

/// Checks the form with the chat's rules and hands it to the engine; the greeting comes as an
/// event. 422 names each wrong field with the catalog's explanation.
#[utoipa::path(post, path = "/api/widget/{bot}/lead", params(("bot" = String, Path, description = "The bot")), request_body = LeadRequest,
    responses((status = 202, body = Accepted), (status = 422, description = "Fields to correct: `{\"fields\": {\"email\": \"…\"}}`"),
        (status = 429, description = "Too many requests")))]
pub async fn lead(
    State(state): State<AppState>,
    Path(bot): Path<String>,
    ip: ClientIp,
    Json(request): Json<LeadRequest>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let bot = web_bot(&state, &bot)?;
    check_ip(&state, &bot, &ip)?;
    check_visitor(&request.visitor)?;
    let form = LeadForm {
        name: request.name,
        email: request.email,
        phone: request.phone,
        consent: request.consent,
    };
    let language = request.lang.as_deref().and_then(Language::from_tag);
    if let Err(wrong) = crate::conversation::check_form(&form, bot.phone_region) {
        let texts = state.texts();
        let fields: serde_json::Map<String, serde_json::Value> = wrong
            .into_iter()
            .map(|(field, hint)| {
                let got = match field {
                    "name" => form.name.trim(),
                    "email" => form.email.trim(),
                    _ => form.phone.trim(),
                };
                let text = texts.get(language.unwrap_or(bot.language), hint, &[("got", got.into())]);
                (field.to_owned(), text.into())
            })
            .collect();
        return Err(ApiError::Invalid(fields.into()));
    }
    let inbound = web_inbound(
        &bot,
        request.visitor,
        request.message_id,
        Content::Lead { form },
        language,
    )?;
    handle(&state, inbound).await
}

/// A visitor's message.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MessageRequest {
    /// The visitor's id.
    pub visitor: String,
    /// A fresh id for this message (a retried POST is handled once).
    pub message_id: String,
    /// What was sent.
    #[serde(flatten)]
    pub content: WidgetContent,
    /// The browser's language.
    pub lang: Option<String>,
}

/// What a visitor sends from the widget.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WidgetContent {
    /// Typed text.
    Text {
        /// The text.
        text: String,
    },
    /// A button pressed.
    Choice {
        /// The button's key.
        key: String,
    },
    /// The widget opened by a visitor the server knows: they are greeted by name.
    Open,
}

/// Hands a message to the engine; the replies come as events.
#[utoipa::path(post, path = "/api/widget/{bot}/messages", params(("bot" = String, Path, description = "The bot")), request_body = MessageRequest,
    responses((status = 202, body = Accepted), (status = 422, description = "A field is wrong (visitor id, text too long)"),
        (status = 429, description = "Too many requests")))]
pub async fn message(
    State(state): State<AppState>,
    Path(bot): Path<String>,
    ip: ClientIp,
    Json(request): Json<MessageRequest>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let bot = web_bot(&state, &bot)?;
    check_ip(&state, &bot, &ip)?;
    check_visitor(&request.visitor)?;
    let max = state.settings().widget.max_text_chars;
    let content = match request.content {
        WidgetContent::Text { text } if text.chars().count() > max => {
            let language = request
                .lang
                .as_deref()
                .and_then(Language::from_tag)
                .unwrap_or(bot.language);
            let text = state.texts().get(language, "widget-too-long", &[("max", max.into())]);
            return Err(ApiError::Invalid(serde_json::json!({ "text": text })));
        }
        WidgetContent::Text { text } => Content::Text { text },
        WidgetContent::Choice { key } if key.len() <= 64 => Content::Choice { key },
        WidgetContent::Choice { .. } => return Err(ApiError::BadRequest),
        WidgetContent::Open => Content::Open,
    };
    let language = request.lang.as_deref().and_then(Language::from_tag);
    let inbound = web_inbound(&bot, request.visitor, request.message_id, content, language)?;
    handle(&state, inbound).await
}

fn web_inbound(
    bot: &Bot,
    visitor: String,
    message_id: String,
    content: Content,
    language: Option<Language>,
) -> Result<Inbound, ApiError> {
    let id_ok =
        (8..=64).contains(&message_id.len()) && message_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !id_ok {
        return Err(ApiError::Invalid(
            serde_json::json!({ "message_id": "8 to 64 letters, digits or hyphens" }),
        ));
    }
    Ok(Inbound {
        bot: bot.id.to_string(),
        channel: Channel::Web,
        message_id: format!("{visitor}:{message_id}"),
        sender: visitor,
        content,
        language,
    })
}

async fn handle(state: &AppState, inbound: Inbound) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    if !state.allow(&inbound) {
        return Err(ApiError::TooMany);
    }
    let engine = state.engine().ok_or(ApiError::Unavailable)?;
    let handled = engine
        .handle(&inbound, chrono::Utc::now())
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    if !handled.replies.is_empty() {
        state.web().notify(&inbound.bot, &inbound.sender);
    }
    Ok((StatusCode::ACCEPTED, Json(Accepted { accepted: true })))
}

/// One event of the stream: the replies to one message.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReplyEvent {
    /// The replies, in order.
    pub replies: Vec<WebReply>,
}

/// The replies of an outbox payload, drawn for the widget.
fn reply_event(payload: &serde_json::Value) -> ReplyEvent {
    ReplyEvent {
        replies: crate::channels::replies(payload).iter().map(render).collect(),
    }
}

/// `events`' query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct EventsQuery {
    /// The visitor's id.
    pub visitor: String,
    /// The last event already shown (`Last-Event-ID` wins when both are given).
    pub after: Option<u64>,
}

fn last_event_id(headers: &HeaderMap) -> Option<u64> {
    headers.get("last-event-id")?.to_str().ok()?.trim().parse().ok()
}

fn keep_alive(state: &AppState) -> KeepAlive {
    KeepAlive::new().interval(Duration::from_secs(state.settings().widget.keepalive_secs.max(1)))
}
