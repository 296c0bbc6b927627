//! `GET /t/{token}.png`: the ticket image. The token is signed and unguessable, so the URL needs no
//! login (WhatsApp fetches it as the message's media).

use super::ApiError;
use crate::app::AppState;
use crate::domain::ticket;
use crate::tickets::render_png;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;

pub(super) async fn ticket_png(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let token = file.strip_suffix(".png").ok_or(ApiError::NotFound)?;
    let claimed = ticket::claimed_bot(token).map_err(|_| ApiError::NotFound)?;
    let bot = state.bots().get(claimed.as_str()).ok_or(ApiError::NotFound)?;
    let (_, booking_id) = ticket::verify(state.ticket_keys().get(&bot.id), token).map_err(|_| ApiError::NotFound)?;
    let store = state.store().ok_or(ApiError::Unavailable)?;
    let booking = store.get_booking(&bot.id, &booking_id).await?;
    let facts = crate::ops::ticket::facts(store.as_ref(), bot, &booking).await?;
    let png = render_png(token, &facts);
    Ok((
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        png,
    ))
}
