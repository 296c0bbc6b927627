//! What the bot answers, whatever the channel: a text, optional choices, an image, a document.
//! Each channel renders it its own way (buttons, numbered lines, attachments).

use serde::{Deserialize, Serialize};

/// A file sent with a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The name shown to the person (`codes-K7Q2M.csv`).
    pub file_name: String,
    /// MIME type.
    pub mime: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// One choice offered with a reply: a button on Telegram and the web, a numbered line on WhatsApp
/// and in the terminal. `key` is what comes back when it is picked; `label` is what people read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// What the dialogue receives when it is picked (`course:yoga-doux`), at most 64 bytes.
    pub key: String,
    /// What is shown.
    pub label: String,
}

impl Choice {
    /// A choice.
    pub fn new(key: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            label: label.into(),
        }
    }
}

/// One reply.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reply {
    /// The text.
    pub text: String,
    /// Choices offered as buttons (or numbered lines).
    pub choices: Vec<Choice>,
    /// Ask the person to share their phone number (Telegram's contact button).
    pub request_contact: bool,
    /// An image (a ticket, a chart).
    pub image: Option<Attachment>,
    /// A document (a CSV export).
    pub document: Option<Attachment>,
}

impl Reply {
    /// A text-only reply.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// The same reply with choices.
    pub fn with_choices(mut self, choices: Vec<Choice>) -> Self {
        self.choices = choices;
        self
    }
}
