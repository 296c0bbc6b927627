//! The web chat widget's channel. A visitor is known by the id their browser keeps (a random
//! UUID in `localStorage`); their messages come in over `POST`, their replies are written by the
//! store as numbered events (see [`crate::store::WebStore`]) and read by an event stream.
//!
//! [`WebHub`] wakes the streams open on this process as soon as a reply for their visitor is
//! written here; replies written elsewhere (another replica, a job) are found by the stream's
//! periodic read.

use crate::domain::reply::Reply;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use tokio::sync::Notify;

/// Whether a visitor id is one the widget makes: 16 to 64 letters, digits and hyphens.
pub fn valid_visitor(id: &str) -> bool {
    (16..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Wakes the open event streams of this process.
#[derive(Default)]
pub struct WebHub {
    streams: Mutex<HashMap<String, Weak<Notify>>>,
    /// The agent's answer being written, per visitor: a version and the text so far.
    partials: Mutex<HashMap<String, (u64, String)>>,
}

impl WebHub {
    /// The bell an open stream of this visitor waits on (shared by their open tabs).
    pub fn subscribe(&self, bot: &str, visitor: &str) -> Arc<Notify> {
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        let key = format!("{bot}\u{1f}{visitor}");
        if let Some(bell) = streams.get(&key).and_then(Weak::upgrade) {
            return bell;
        }
        if streams.len() > 1024 && streams.len().is_power_of_two() {
            streams.retain(|_, bell| bell.strong_count() > 0);
        }
        let bell = Arc::new(Notify::new());
        streams.insert(key, Arc::downgrade(&bell));
        bell
    }

    /// The agent's answer so far for a visitor (shown while it is written; the reply itself
    /// comes as a numbered event, which ends it).
    pub fn partial(&self, bot: &str, visitor: &str, text: &str) {
        let key = format!("{bot}\u{1f}{visitor}");
        {
            let mut partials = self.partials.lock().unwrap_or_else(|e| e.into_inner());
            let entry = partials.entry(key.clone()).or_insert((0, String::new()));
            entry.0 += 1;
            entry.1 = text.to_owned();
        }
        let streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bell) = streams.get(&key).and_then(Weak::upgrade) {
            bell.notify_waiters();
        }
    }

    /// The latest partial answer for a visitor newer than `seen`: its version and text.
    pub fn latest_partial(&self, bot: &str, visitor: &str, seen: u64) -> Option<(u64, String)> {
        let partials = self.partials.lock().unwrap_or_else(|e| e.into_inner());
        partials
            .get(&format!("{bot}\u{1f}{visitor}"))
            .filter(|(version, _)| *version > seen)
            .cloned()
    }

    /// Rings the visitor's streams, if any is open here (a reply was written: any partial
    /// answer is over).
    pub fn notify(&self, bot: &str, visitor: &str) {
        self.partials
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&format!("{bot}\u{1f}{visitor}"));
        let streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bell) = streams.get(&format!("{bot}\u{1f}{visitor}")).and_then(Weak::upgrade) {
            bell.notify_waiters();
        }
    }

    /// Streams open on this process (for the metrics and the benchmark).
    pub fn open_streams(&self) -> usize {
        let streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        streams.values().map(Weak::strong_count).sum()
    }
}

/// A reply as the widget draws it: the text (shown as text, never as markup), buttons, and a
/// ticket image by its address on this server.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WebReply {
    /// The text.
    pub text: String,
    /// Buttons: what comes back when pressed (`key`) and what is shown (`label`).
    pub choices: Vec<WebChoice>,
    /// An image to show inline, with a link to save it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<WebImage>,
}

/// A button.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WebChoice {
    /// Sent back as `{"type": "choice", "key": …}`.
    pub key: String,
    /// Shown.
    pub label: String,
}

/// An image served by this server.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WebImage {
    /// Its address (`/t/….png`).
    pub url: String,
    /// The file name to save it under.
    pub name: String,
}

/// The widget's view of a reply: images without an address on this server are left out (the
/// widget never receives raw bytes).
pub fn render(reply: &Reply) -> WebReply {
    WebReply {
        text: reply.text.clone(),
        choices: reply
            .choices
            .iter()
            .map(|c| WebChoice {
                key: c.key.clone(),
                label: c.label.clone(),
            })
            .collect(),
        image: reply.image.as_ref().and_then(|image| {
            Some(WebImage {
                url: image.link.clone()?,
                name: image.file_name.clone(),
            })
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reply::{Attachment, Choice};

    #[test]
    fn visitor_ids_are_long_random_tokens_only() {
        assert!(valid_visitor("3f2b8c1e-4a5d-4e6f-9a7b-1c2d3e4f5a6b"));
        assert!(!valid_visitor("short"));
        assert!(!valid_visitor("3f2b8c1e 4a5d 4e6f 9a7b"));
        assert!(!valid_visitor("<script>alert(1)</script>xxxx"));
        assert!(!valid_visitor(&"a".repeat(65)));
    }

    #[test]
    fn a_reply_is_drawn_from_its_text_buttons_and_image_address() {
        let reply = Reply {
            image: Some(Attachment {
                file_name: "billet.png".into(),
                mime: "image/png".into(),
                bytes: vec![1, 2, 3],
                link: Some("/t/abc.png".into()),
            }),
            ..Reply::text("Votre billet").with_choices(vec![Choice::new("menu", "Menu")])
        };
        let drawn = render(&reply);
        assert_eq!(drawn.text, "Votre billet");
        assert_eq!(
            drawn.choices,
            vec![WebChoice {
                key: "menu".into(),
                label: "Menu".into()
            }]
        );
        assert_eq!(
            drawn.image,
            Some(WebImage {
                url: "/t/abc.png".into(),
                name: "billet.png".into()
            })
        );
        let unlinked = Reply {
            image: Some(Attachment {
                link: None,
                ..reply.image.clone().unwrap()
            }),
            ..reply
        };
        assert_eq!(render(&unlinked).image, None);
    }

    #[tokio::test]
    async fn a_reply_wakes_the_visitors_open_stream_only() {
        let hub = WebHub::default();
        let anna = hub.subscribe("demo", "anna-0000000000000000");
        let ben = hub.subscribe("demo", "ben-00000000000000000");
        let woken = tokio::spawn({
            let anna = anna.clone();
            async move { anna.notified().await }
        });
        tokio::task::yield_now().await;
        hub.notify("demo", "anna-0000000000000000");
        tokio::time::timeout(std::time::Duration::from_secs(5), woken)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(hub.open_streams(), 2, "anna and ben");
        drop(ben);
        assert_eq!(hub.open_streams(), 1);
    }
}
