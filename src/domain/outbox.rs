//! The outbox: one row per message to send, so a message is never lost and never sent twice.
//! Workers claim due rows with a lease; a lease that runs out lets another worker take the row.

use crate::domain::contact::Channel;
use crate::domain::ids::{BotId, OutboxId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where an outbox message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting for its due time.
    Pending,
    /// Taken by a worker until `lease_until`.
    Leased,
    /// Delivered.
    Sent,
    /// Handed to the platform in the answer to its webhook; never claimed by the sender. Only
    /// earlier releases wrote it: such a reply is now kept with its inbound message
    /// ([`InboundRecord::answer`](crate::domain::inbound::InboundRecord::answer)), not queued.
    Answered,
    /// Given up (the reason is in `last_error`).
    Failed,
}

/// One message to send on one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// The bot.
    pub bot: BotId,
    /// The message id.
    pub id: OutboxId,
    /// The channel to send on.
    pub channel: Channel,
    /// The recipient's address on that channel (chat id, number…).
    pub to: String,
    /// The channel-neutral reply to render.
    pub payload: serde_json::Value,
    /// Where it stands.
    pub state: OutboxState,
    /// When it may be sent.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub due_at: DateTime<Utc>,
    /// Until when the current worker holds it.
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub lease_until: Option<DateTime<Utc>>,
    /// The worker holding it.
    pub owner: Option<String>,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// The last failure, for the log and the coach.
    pub last_error: Option<String>,
    /// When it was queued.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created_at: DateTime<Utc>,
}

impl OutboxMessage {
    /// A message due now, under a new id.
    pub fn new(
        bot: BotId,
        channel: Channel,
        to: impl Into<String>,
        payload: serde_json::Value,
        now: DateTime<Utc>,
    ) -> Self {
        Self::with_id(OutboxId::generate(), bot, channel, to, payload, now)
    }

    /// A message due now, under `id` (a message's replies take an id from the message's, so that
    /// handling it twice queues them once).
    pub fn with_id(
        id: OutboxId,
        bot: BotId,
        channel: Channel,
        to: impl Into<String>,
        payload: serde_json::Value,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            bot,
            id,
            channel,
            to: to.into(),
            payload,
            state: OutboxState::Pending,
            due_at: now,
            lease_until: None,
            owner: None,
            attempts: 0,
            last_error: None,
            created_at: now,
        }
    }
}

/// Replies waiting for a web widget visitor. The widget reads them over a server-sent-events
/// stream; `seq` numbers one visitor's events 1, 2, 3… in the order they were written, so a
/// reconnecting stream (its `Last-Event-ID`) resumes exactly after the last one it showed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebEvent {
    /// The bot.
    pub bot: BotId,
    /// The visitor's id (the widget's, kept in the browser).
    pub visitor: String,
    /// Position in the visitor's stream, from 1.
    pub seq: u64,
    /// The outbox id it was queued under (the same message is never written twice).
    pub id: OutboxId,
    /// `{"replies": [...]}`, as queued.
    pub payload: serde_json::Value,
    /// When it was written.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created_at: DateTime<Utc>,
}

impl WebEvent {
    /// The event an outbox message to the web channel becomes (numbered by the store).
    pub fn from_message(message: &OutboxMessage) -> Self {
        Self {
            bot: message.bot.clone(),
            visitor: message.to.clone(),
            seq: 0,
            id: message.id.clone(),
            payload: message.payload.clone(),
            created_at: message.created_at,
        }
    }
}
