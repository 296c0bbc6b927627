//! What the bot remembers of a conversation between messages: the dialogue state and the last lines.

use crate::domain::ids::{BotId, ContactId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One line of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatLine {
    /// True for the bot's lines, false for the contact's.
    pub from_bot: bool,
    /// The text.
    pub text: String,
    /// When.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub at: DateTime<Utc>,
}

/// The saved conversation of one contact with one bot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationRecord {
    /// The bot.
    pub bot: BotId,
    /// The contact.
    pub contact: ContactId,
    /// The dialogue state, as the conversation module serialises it.
    pub state: serde_json::Value,
    /// The most recent lines, oldest first.
    pub recent: Vec<ChatLine>,
    /// When it last changed.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub updated_at: DateTime<Utc>,
}
