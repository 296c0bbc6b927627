//! `GET /b/{bot}/manifest.json`: a web-app manifest built from the bot's appearance, so the chat can
//! be added to a phone's home screen with the studio's name and colour.

use super::ApiError;
use crate::app::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};

pub(super) async fn manifest(
    State(state): State<AppState>,
    Path(bot): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let bot = state.bots().get(&bot).ok_or(ApiError::UnknownBot(bot))?;
    let look = &bot.appearance;
    let icons: Vec<Value> = look
        .avatar
        .iter()
        .filter(|a| !a.is_empty())
        .map(|src| json!({ "src": src, "sizes": "512x512", "purpose": "any" }))
        .collect();
    let body = json!({
        "id": format!("/b/{}/", bot.id),
        "name": bot.name,
        "short_name": look.title,
        "description": look.welcome,
        "lang": bot.language.code(),
        "start_url": format!("/?bot={}", bot.id),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": look.color,
        "icons": icons,
    });
    Ok(([(header::CONTENT_TYPE, "application/manifest+json")], Json(body)))
}
