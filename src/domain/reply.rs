//! What the bot answers, whatever the channel: a text, optional choices, an image, a document.
//! Each channel renders it its own way (buttons, numbered lines, attachments).

use serde::{Deserialize, Serialize};

/// A file sent with a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The name shown to the person (`codes-K7Q2M.csv`).
    pub file_name: String,
    /// MIME type.
    pub mime: String,
    /// The content (base64 in the outbox).
    #[serde(with = "base64_bytes")]
    pub bytes: Vec<u8>,
    /// Where this server serves the same file (`/t/{token}.png`), for channels that send media
    /// by URL (WhatsApp).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
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

/// One reply; an outbox message's payload is a reply as JSON (missing fields are empty).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Reply {
    /// The text.
    pub text: String,
    /// Choices offered as buttons (or numbered lines).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
    /// Ask the person to share their phone number (Telegram's contact button).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub request_contact: bool,
    /// An image (a ticket, a chart).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Attachment>,
    /// A document (a CSV export).
    #[serde(skip_serializing_if = "Option::is_none")]
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

mod base64_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_goes_through_the_outbox_as_json_and_back() {
        let reply = Reply {
            text: "✅".into(),
            choices: vec![Choice::new("menu:book", "Réserver")],
            request_contact: true,
            image: Some(Attachment {
                file_name: "billet.png".into(),
                mime: "image/png".into(),
                bytes: vec![0x89, b'P', b'N', b'G', 0],
                link: Some("/t/demo.x.png".into()),
            }),
            document: None,
        };
        let json = serde_json::to_value(&reply).unwrap();
        assert_eq!(json["image"]["bytes"], "iVBORwA=");
        assert_eq!(serde_json::from_value::<Reply>(json).unwrap(), reply);
        let plain: Reply = serde_json::from_value(serde_json::json!({ "text": "Bonjour" })).unwrap();
        assert_eq!(plain, Reply::text("Bonjour"));
    }
}
