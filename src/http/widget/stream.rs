//! `GET /api/widget/{bot}/events`: a visitor's replies as server-sent events. Each event's id
//! is the reply's number in the visitor's stream; the stream starts after `Last-Event-ID` (sent
//! by a reconnecting browser) or `after`, so nothing is shown twice or lost across a reconnect.
//!
//! The stream reads the store when this process writes a reply for the visitor (the hub rings)
//! and every `widget.poll_ms` otherwise. While the agent writes an answer on this process, the
//! text so far comes as `event: partial` (no id: it is not kept; the reply follows numbered). Numbers come in order; a missing one (MongoDB: a number
//! taken by a write that has not landed yet) is waited for up to [`GAP_WAIT`], then passed over;
//! one before an old reply (the replies before it were forgotten) is passed over at once.

use super::{ApiError, ClientIp, check_ip, check_visitor, web_bot};
use crate::app::AppState;
use crate::channels::web::{WebReply, render};
use crate::domain::BotId;
use crate::domain::outbox::WebEvent;
use crate::store::Store;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// How long a missing number is waited for.
const GAP_WAIT: Duration = Duration::from_secs(3);
/// How often the store is read again while waiting for one.
const GAP_RETRY: Duration = Duration::from_millis(100);
/// Events read at once.
const BATCH: u32 = 50;

/// The visitor's replies, from the one after `Last-Event-ID` (or `after`) on.
#[utoipa::path(get, path = "/api/widget/{bot}/events", params(("bot" = String, Path, description = "The bot"), EventsQuery,
        ("Last-Event-ID" = Option<u64>, Header, description = "The last event shown; sent by a reconnecting browser")),
    responses((status = 200, description = "`text/event-stream`: `event: reply`, `id: N`, `data:` a ReplyEvent", body = ReplyEvent),
        (status = 422, description = "Not a widget visitor id")))]
pub async fn events(
    State(state): State<AppState>,
    Path(bot): Path<String>,
    Query(query): Query<EventsQuery>,
    headers: HeaderMap,
    ip: ClientIp,
) -> Result<axum::response::Response, ApiError> {
    let bot = web_bot(&state, &bot)?;
    check_ip(&state, &bot, &ip)?;
    check_visitor(&query.visitor)?;
    let store = state.store().ok_or(ApiError::Unavailable)?.clone();
    let reader = Reader {
        bell: state.web().subscribe(bot.id.as_str(), &query.visitor),
        store,
        bot: bot.id.clone(),
        visitor: query.visitor,
        cursor: last_event_id(&headers).or(query.after).unwrap_or(0),
        poll: Duration::from_millis(state.settings().widget.poll_ms.max(20)),
        gap_since: None,
        pending: VecDeque::new(),
        state: state.clone(),
        partial_seen: 0,
    };
    let stream = futures::stream::unfold(reader, |mut reader| async move {
        let event = reader.next().await;
        Some((event, reader))
    });
    let stream = futures::StreamExt::map(stream, Ok::<_, std::convert::Infallible>);
    Ok(Sse::new(stream).keep_alive(keep_alive(&state)).into_response())
}

/// One open stream's position.
struct Reader {
    store: Arc<dyn Store>,
    bot: BotId,
    visitor: String,
    cursor: u64,
    bell: Arc<Notify>,
    poll: Duration,
    gap_since: Option<Instant>,
    pending: VecDeque<Event>,
    state: AppState,
    partial_seen: u64,
}

impl Reader {
    /// The next event, waiting for it as long as it takes.
    async fn next(&mut self) -> Event {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return event;
            }
            // Listen before reading, so a reply written in between still wakes us.
            let bell = self.bell.clone();
            let rung = bell.notified();
            tokio::pin!(rung);
            rung.as_mut().enable();
            match self
                .store
                .web_events(&self.bot, &self.visitor, self.cursor, BATCH)
                .await
            {
                Ok(events) => self.take(events),
                Err(error) => tracing::warn!(%error, "widget: cannot read a visitor's replies; retrying"),
            }
            if !self.pending.is_empty() {
                continue;
            }
            // The agent's answer being written on this process: shown, not numbered (the reply
            // itself follows as a numbered event).
            let partial = self
                .state
                .web()
                .latest_partial(self.bot.as_str(), &self.visitor, self.partial_seen);
            if let Some((version, text)) = partial {
                self.partial_seen = version;
                return Event::default()
                    .event("partial")
                    .json_data(serde_json::json!({ "text": text }))
                    .unwrap_or_default();
            }
            let wait = match self.gap_since {
                Some(_) => GAP_RETRY,
                None => self.poll,
            };
            tokio::select! {
                () = &mut rung => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Queues the events that follow the cursor without a gap (or after a gap waited out).
    fn take(&mut self, events: Vec<WebEvent>) {
        let now = chrono::Utc::now();
        for event in events {
            if event.seq != self.cursor + 1 && gap_may_fill(&event, now) {
                let since = *self.gap_since.get_or_insert_with(Instant::now);
                if since.elapsed() < GAP_WAIT {
                    return;
                }
                tracing::warn!(visitor = %self.visitor, missing = self.cursor + 1, "widget: passing over a reply number never written");
            }
            self.gap_since = None;
            self.cursor = event.seq;
            let sse = Event::default()
                .id(event.seq.to_string())
                .event("reply")
                .json_data(reply_event(&event.payload))
                .unwrap_or_default();
            self.pending.push_back(sse);
        }
    }
}

/// Whether the numbers missing before `next` may still land: a write takes its number just before
/// it writes, so they can only while `next` is recent. Before an older one, they were forgotten
/// (the jobs purge old replies) or never written, and are passed over at once. (Replicas' clocks
/// are taken to agree to well within [`GAP_WAIT`].)
fn gap_may_fill(next: &WebEvent, now: chrono::DateTime<chrono::Utc>) -> bool {
    chrono::TimeDelta::from_std(GAP_WAIT).is_ok_and(|wait| now - next.created_at < wait)
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, Utc};

    fn written(ago: TimeDelta, now: chrono::DateTime<Utc>) -> WebEvent {
        WebEvent {
            bot: BotId::parse("demo").unwrap(),
            visitor: "v".into(),
            seq: 7,
            id: "x".into(),
            payload: serde_json::Value::Null,
            created_at: now - ago,
        }
    }

    #[test]
    fn a_gap_is_waited_for_only_before_a_recent_reply() {
        let now = Utc::now();
        assert!(gap_may_fill(&written(TimeDelta::zero(), now), now));
        assert!(gap_may_fill(&written(TimeDelta::seconds(2), now), now));
        assert!(
            gap_may_fill(&written(TimeDelta::seconds(-1), now), now),
            "written by a clock a little ahead"
        );
        assert!(!gap_may_fill(&written(TimeDelta::seconds(4), now), now));
        assert!(
            !gap_may_fill(&written(TimeDelta::days(31), now), now),
            "the replies before were forgotten"
        );
    }
}
