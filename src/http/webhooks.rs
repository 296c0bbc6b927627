//! `POST /webhooks/telegram/{bot}`: Telegram's updates, refused with 401 unless the secret header
//! matches (compared in constant time); parsed, handled by the engine, then answered 200. The
//! store being down gives 503, and Telegram delivers the update again later. Telegram redelivers
//! until it gets our answer, so the engine takes the update as
//! [`Arrival::Webhook`](crate::engine::Arrival::Webhook): an update whose answer only moves the
//! conversation costs one write, which records it with its answer. A reply that is one text
//! message goes back in the answer (`{"method": "sendMessage", …}`, with
//! `telegram.answer_in_webhook`), others are queued for the outbox sender. A redelivered update
//! is not handled again; if its reply went in an answer, Telegram did not get it, and the same
//! answer is given again.
//!
//! Without `http.public_url` the same handling runs from long polling (recorded on arrival, the
//! replies always through the sender).
//!
//! `POST /webhooks/twilio/{bot}`: WhatsApp messages, refused with 403 unless `X-Twilio-Signature`
//! signs `http.public_url` + the path and query with the form (so a forged Host header cannot
//! change what is checked); answered with an empty TwiML once handled, the replies going out
//! through the outbox and Twilio's REST API.

use super::ApiError;
use crate::app::AppState;
use crate::channels::telegram::{self, Telegram, Update, inbound};
use crate::config::bots::Bot;
use crate::engine::Content;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

pub(super) async fn telegram(
    State(state): State<AppState>,
    Path(bot): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let bot = state
        .bots()
        .get(&bot)
        .ok_or_else(|| ApiError::UnknownBot(bot.clone()))?;
    let channel = bot.channels.telegram.as_ref().ok_or(ApiError::NotFound)?;
    let expected = channel.webhook_secret.as_ref().ok_or(ApiError::Unauthorized)?;
    let given = headers.get(SECRET_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
    if !bool::from(given.ct_eq(expected.expose_secret().as_bytes())) {
        return Err(ApiError::Unauthorized);
    }
    let update: Update = serde_json::from_slice(&body).map_err(|e| {
        tracing::warn!(error = %e, "telegram: an update that does not parse");
        ApiError::BadRequest
    })?;
    Ok(match handle_update(&state, bot, &update, true).await? {
        Some(answer) => axum::Json(answer).into_response(),
        None => StatusCode::OK.into_response(),
    })
}

/// Runs one update through the engine; the answer to give the webhook, when the reply goes
/// there (`webhook`: the update came by the webhook, not by long polling).
pub async fn handle_update(
    state: &AppState,
    bot: &Bot,
    update: &Update,
    webhook: bool,
) -> Result<Option<serde_json::Value>, ApiError> {
    let Some(mut received) = inbound(bot.id.as_str(), update) else {
        return Ok(None);
    };
    if !state.allow(&received.inbound) {
        return Ok(None);
    }
    let client = state.channels().telegram(&bot.id).ok_or(ApiError::NotFound)?;
    if let Some(callback) = received.callback.take() {
        let client = client.clone();
        tokio::spawn(async move {
            if let Err(error) = client.answer_callback(&callback).await {
                tracing::warn!(%error, "telegram: cannot acknowledge a button press");
            }
        });
    }
    if let Some(file) = &received.photo {
        match client.download(file).await {
            Ok(bytes) => received.inbound.content = Content::Photo { bytes },
            Err(error) => {
                tracing::warn!(%error, "telegram: cannot download a photo");
                return Err(ApiError::Unavailable);
            }
        }
    }
    if !webhook {
        return answer(state, &received.inbound).await.map(|()| None);
    }
    let engine = state.engine().ok_or(ApiError::Unavailable)?;
    let inbound = &received.inbound;
    let inline = state.settings().telegram.answer_in_webhook;
    let handled = engine
        .handle_webhook(inbound, chrono::Utc::now(), inline)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let answer_with = |reply: &crate::domain::reply::Reply| {
        let share = match reply.request_contact {
            true => crate::t!(state.texts(), bot.language, "telegram-share-contact"),
            false => String::new(),
        };
        telegram::answer(&inbound.sender, reply, &share)
    };
    if handled.inline {
        return Ok(handled.replies.first().and_then(answer_with));
    }
    if handled.duplicate && inline {
        // Telegram delivers an update again only when it did not get our answer.
        let key = crate::domain::inbound::InboundRecord::key_for(inbound.channel, &inbound.message_id);
        if let Ok(Some(answer)) = engine.store.inbound_answer(&bot.id, &key).await {
            return Ok(crate::channels::replies(&answer).first().and_then(answer_with));
        }
    }
    if !handled.duplicate && !handled.replies.is_empty() {
        state.kick_outbox();
    }
    Ok(None)
}

/// Handles a message; the engine queues its replies for the sender on the message's channel.
async fn answer(state: &AppState, inbound: &crate::engine::Inbound) -> Result<(), ApiError> {
    let engine = state.engine().ok_or(ApiError::Unavailable)?;
    let now = chrono::Utc::now();
    let handled = engine
        .handle(inbound, now)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    if !handled.duplicate && !handled.replies.is_empty() {
        state.kick_outbox();
    }
    Ok(())
}

/// At start: each Telegram bot gets its webhook set (with a public URL) or is long-polled.
pub async fn telegram_start(state: &AppState) {
    let polls = state.bots().iter().filter_map(|bot| {
        let channel = bot.channels.telegram.as_ref()?;
        let client = state.channels().telegram(&bot.id)?.clone();
        let public = state.settings().http.public_url.clone();
        let secret = channel.webhook_secret.as_ref().map(|s| s.expose_secret().to_owned());
        Some(async move {
            match (public, secret) {
                (Some(base), Some(secret)) => {
                    let url = base.join(&format!("webhooks/telegram/{}", bot.id));
                    match url {
                        Ok(url) => match client.set_webhook(&url, &secret).await {
                            Ok(()) => tracing::info!(bot = %bot.id, %url, "telegram: webhook set"),
                            Err(error) => tracing::error!(bot = %bot.id, %error, "telegram: cannot set the webhook"),
                        },
                        Err(error) => tracing::error!(bot = %bot.id, %error, "telegram: bad webhook URL"),
                    }
                }
                _ => poll(state, bot, &client).await,
            }
        })
    });
    futures::future::join_all(polls).await;
}

/// Long polling: updates are fetched and handled in order; a failed one is fetched again.
async fn poll(state: &AppState, bot: &Bot, client: &Telegram) {
    tracing::info!(bot = %bot.id, "telegram: no public URL, long polling for updates");
    if let Err(error) = client.delete_webhook().await {
        tracing::warn!(bot = %bot.id, %error, "telegram: cannot remove the webhook");
    }
    let timeout = state.settings().telegram.poll_timeout_secs;
    let mut offset = 0;
    loop {
        let updates = match client.updates(offset, timeout).await {
            Ok(updates) => updates,
            Err(error) => {
                tracing::warn!(bot = %bot.id, %error, "telegram: polling failed; retrying");
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                continue;
            }
        };
        for update in updates {
            if handle_update(state, bot, &update, false).await.is_err() {
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                break;
            }
            offset = update.update_id.saturating_add(1);
        }
    }
}

const EMPTY_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

pub(super) async fn twilio(
    State(state): State<AppState>,
    Path(bot): Path<String>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::response::Response, ApiError> {
    use crate::channels::whatsapp;
    use axum::response::IntoResponse;
    let bot = state
        .bots()
        .get(&bot)
        .ok_or_else(|| ApiError::UnknownBot(bot.clone()))?
        .clone();
    let client = state.channels().whatsapp(&bot.id).ok_or(ApiError::NotFound)?.clone();
    let public = state.settings().http.public_url.as_ref().ok_or_else(|| {
        tracing::warn!("twilio: http.public_url is not set, so no signature can be checked");
        ApiError::Forbidden
    })?;
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let url = format!("{}{path}", public.as_str().trim_end_matches('/'));
    let params = whatsapp::form(&body);
    let given = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !whatsapp::verify(client.auth_token(), &url, &params, given) {
        return Err(ApiError::Forbidden);
    }
    let mut received = whatsapp::inbound(bot.id.as_str(), &params).ok_or(ApiError::BadRequest)?;
    if !state.allow(&received.inbound) {
        return Ok(([(axum::http::header::CONTENT_TYPE, "text/xml")], EMPTY_TWIML).into_response());
    }
    if let Some(media) = &received.media {
        match client.fetch(media).await {
            Ok(bytes) => received.inbound.content = Content::Photo { bytes },
            Err(error) => {
                tracing::warn!(%error, "twilio: cannot fetch the media");
                return Err(ApiError::Unavailable);
            }
        }
    }
    answer(&state, &received.inbound).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "text/xml")], EMPTY_TWIML).into_response())
}
