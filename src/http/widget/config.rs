//! `GET /api/widget/{bot}/config`: the look, the widget's texts and the known visitor.

use super::{ApiError, ClientIp, check_ip, web_bot};
use crate::app::AppState;
use crate::channels::web::valid_visitor;
use crate::domain::contact::Channel;
use crate::domain::language::Language;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

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
