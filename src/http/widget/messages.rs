//! `POST /api/widget/{bot}/lead` and `POST /api/widget/{bot}/messages`: what a visitor sends,
//! handed to the engine; the answers come as events on the visitor's stream.

use super::{ApiError, ClientIp, check_ip, check_visitor, web_bot};
use crate::app::AppState;
use crate::config::bots::Bot;
use crate::domain::contact::{Channel, LeadForm};
use crate::domain::language::Language;
use crate::engine::{Content, Inbound};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

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
                let got = form.typed(field);
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
