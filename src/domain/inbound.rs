//! Inbound messages as recorded on arrival: the idempotency key makes a replayed webhook a no-op, and
//! the `done` flag lets a restart find what was received but not yet answered.

use crate::domain::contact::Channel;
use crate::domain::ids::BotId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One message received from a channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundRecord {
    /// The bot.
    pub bot: BotId,
    /// Idempotency key: channel and the platform's message id.
    pub key: String,
    /// The channel it came from.
    pub channel: Channel,
    /// The parsed message, kept until it is handled.
    pub payload: serde_json::Value,
    /// Whether the engine has handled it.
    pub done: bool,
    /// When it arrived.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub received_at: DateTime<Utc>,
    /// When the key may be forgotten.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub expires_at: DateTime<Utc>,
    /// The replies handed over in the answer to the platform's webhook, as the outbox payload
    /// holds them (`channels::payload`): kept with the message rather than queued, so that a
    /// redelivery of it gets the same answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<serde_json::Value>,
    /// Until when the process handling it holds it, while it is not done: the jobs of every
    /// replica resume a message left unhandled, and one of them takes it only once this has
    /// passed (`Store::claim_unhandled_inbound`, which moves it on). A message recorded before
    /// its end is held for as long as its handling may take; one recorded by its end, done, is
    /// not held.
    #[serde(
        default,
        with = "chrono::serde::ts_milliseconds_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub resuming_until: Option<DateTime<Utc>>,
}

impl InboundRecord {
    /// The idempotency key of a platform message.
    pub fn key_for(channel: Channel, message_id: &str) -> String {
        format!("{channel}:{message_id}")
    }
}
