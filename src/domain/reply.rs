//! What the bot answers, whatever the channel: a text, optional choices, an image, a document.
//! Each channel renders it its own way (buttons, numbered lines, attachments).

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

/// One reply.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reply {
    /// The text.
    pub text: String,
    /// Choices offered as buttons (or numbered lines).
    pub choices: Vec<String>,
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
}
