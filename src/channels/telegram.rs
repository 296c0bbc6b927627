//! Telegram: updates come to `POST /webhooks/telegram/{bot}` (the secret header checked in
//! constant time) or, without a public URL, by long polling; both go through [`inbound`] to the
//! engine. Replies go out through the Bot API (teloxide's client, its base URL a setting): choices
//! as inline buttons, the phone question with the "share my contact" button, tickets as photos,
//! exports as documents.

use crate::domain::contact::Channel;
use crate::domain::language::Language;
use crate::domain::reply::Reply;
use crate::engine::{Content, Inbound};
use teloxide::net::Download;
use teloxide::payloads::SendMessage;
use teloxide::payloads::setters::*;
use teloxide::prelude::Requester;
use teloxide::requests::{JsonRequest, Payload};
use teloxide::types::{
    ButtonRequest, CallbackQueryId, ChatId, FileId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile,
    KeyboardButton, KeyboardMarkup, ReplyMarkup,
};

/// Telegram's limit on a message's text, in characters.
const TEXT_LIMIT: usize = 4096;

/// One bot's Bot API client.
#[derive(Clone)]
pub struct Telegram {
    bot: teloxide::Bot,
}

/// A Bot API call failed.
#[derive(Debug, thiserror::Error)]
#[error("Telegram Bot API: {0}")]
pub struct TelegramError(String);

fn err(error: impl std::fmt::Display) -> TelegramError {
    TelegramError(error.to_string())
}

/// What an update asks of the engine, plus what the channel must do around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The message for the engine (a photo's bytes are fetched with `photo`).
    pub inbound: Inbound,
    /// A button press to acknowledge.
    pub callback: Option<String>,
    /// The file id of a photo to download.
    pub photo: Option<String>,
}

/// A reply's text message: at most Telegram's length, the choices as inline buttons, or the
/// "share my contact" keyboard when the reply asks for the phone.
fn message(chat: ChatId, reply: &Reply, share_label: &str) -> SendMessage {
    let text: String = reply.text.chars().take(TEXT_LIMIT).collect();
    let payload = SendMessage::new(chat, text);
    if reply.request_contact {
        let button = KeyboardButton::new(share_label).request(ButtonRequest::Contact);
        let keyboard = KeyboardMarkup::new(vec![vec![button]])
            .one_time_keyboard()
            .resize_keyboard();
        payload.reply_markup(ReplyMarkup::Keyboard(keyboard))
    } else if !reply.choices.is_empty() {
        let rows = reply
            .choices
            .iter()
            .map(|c| vec![InlineKeyboardButton::callback(c.label.clone(), c.key.clone())]);
        payload.reply_markup(ReplyMarkup::InlineKeyboard(InlineKeyboardMarkup::new(rows)))
    } else {
        payload
    }
}

/// The answer to a webhook that makes Telegram send `reply` (its text message) to `chat`: the
/// `sendMessage` parameters with the method's name, as the Bot API takes them in an answer.
/// Telegram does not say whether that call succeeded, so only a reply without a picture or a
/// document (one call) goes this way.
pub fn answer(chat: &str, reply: &Reply, share_label: &str) -> Option<serde_json::Value> {
    let chat = ChatId(chat.parse().ok()?);
    let mut body = serde_json::to_value(message(chat, reply, share_label)).ok()?;
    body.as_object_mut()?
        .insert("method".into(), <SendMessage as Payload>::NAME.into());
    Some(body)
}

/// An update as the Bot API delivers it (a webhook's body, or one of `getUpdates`' results), read
/// for what the bot handles only: a private chat's message (text, shared contact or photo) and a
/// button press. Any other field or kind of update is skipped unread. (teloxide's own `Update`
/// reads every kind the API knows into typed values, which cost a twentieth of a chat message's
/// time in `benches/webhook.rs`; its update ids were also 32-bit.)
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Update {
    /// The update's id, increasing: what a replay repeats, and long polling's offset.
    pub update_id: i64,
    #[serde(default)]
    message: Option<UpdateMessage>,
    #[serde(default)]
    callback_query: Option<CallbackQuery>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
struct UpdateMessage {
    chat: Chat,
    #[serde(default)]
    from: Option<User>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    contact: Option<SharedContact>,
    #[serde(default)]
    photo: Option<Vec<PhotoSize>>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
struct Chat {
    id: i64,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
struct User {
    id: i64,
    #[serde(default)]
    language_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
struct SharedContact {
    phone_number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
struct PhotoSize {
    file_id: String,
    width: u32,
    height: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
struct CallbackQuery {
    id: String,
    from: User,
    #[serde(default)]
    data: Option<String>,
}

/// `getUpdates`, answered with our [`Update`]s.
#[derive(serde::Serialize)]
struct GetUpdates {
    offset: i64,
    timeout: u32,
}

impl Payload for GetUpdates {
    type Output = Vec<Update>;
    const NAME: &'static str = "GetUpdates";

    /// The call waits up to `timeout` seconds for an update: its HTTP request may take that long.
    fn timeout_hint(&self) -> Option<std::time::Duration> {
        Some(std::time::Duration::from_secs(self.timeout.into()))
    }
}

/// Reads an update sent to `bot`; `None` for what the bot does not handle (group chats, edits…).
pub fn inbound(bot: &str, update: &Update) -> Option<Received> {
    let id = update.update_id.to_string();
    let language = |code: Option<&String>| match code.map(|c| c.get(..2).unwrap_or_default()) {
        Some("fr") => Some(Language::Fr),
        Some("en") => Some(Language::En),
        _ => None,
    };
    if let Some(message) = update.message.as_ref().filter(|m| m.chat.kind == "private") {
        let (content, photo) = if let Some(text) = &message.text {
            (Content::Text { text: text.clone() }, None)
        } else if let Some(contact) = &message.contact {
            let phone = contact.phone_number.clone();
            (Content::Contact { phone }, None)
        } else if let Some(sizes) = &message.photo {
            let largest = sizes.iter().max_by_key(|p| u64::from(p.width) * u64::from(p.height))?;
            (Content::Photo { bytes: Vec::new() }, Some(largest.file_id.clone()))
        } else {
            (Content::Text { text: String::new() }, None)
        };
        return Some(Received {
            inbound: Inbound {
                bot: bot.to_owned(),
                channel: Channel::Telegram,
                sender: message.chat.id.to_string(),
                message_id: id,
                content,
                language: language(message.from.as_ref().and_then(|u| u.language_code.as_ref())),
            },
            callback: None,
            photo,
        });
    }
    let query = update.callback_query.as_ref()?;
    Some(Received {
        inbound: Inbound {
            bot: bot.to_owned(),
            channel: Channel::Telegram,
            sender: query.from.id.to_string(),
            message_id: id,
            content: Content::Choice {
                key: query.data.clone().unwrap_or_default(),
            },
            language: language(query.from.language_code.as_ref()),
        },
        callback: Some(query.id.clone()),
        photo: None,
    })
}

impl Telegram {
    /// A client for this token, talking to `api_url` (Telegram's, or a local one in tests).
    pub fn new(token: &str, api_url: &url::Url) -> Self {
        Self {
            bot: teloxide::Bot::new(token).set_api_url(api_url.clone()),
        }
    }

    /// Sends one reply to a chat: its text (with buttons), then its image and document.
    pub async fn send(&self, chat: &str, reply: &Reply, share_label: &str) -> Result<(), TelegramError> {
        let chat = ChatId(chat.parse().map_err(|_| err(format!("bad chat id {chat:?}")))?);
        if !reply.text.is_empty() {
            JsonRequest::new(self.bot.clone(), message(chat, reply, share_label))
                .await
                .map_err(err)?;
        }
        if let Some(image) = &reply.image {
            let file = InputFile::memory(image.bytes.clone()).file_name(image.file_name.clone());
            self.bot.send_photo(chat, file).await.map_err(err)?;
        }
        if let Some(document) = &reply.document {
            let file = InputFile::memory(document.bytes.clone()).file_name(document.file_name.clone());
            self.bot.send_document(chat, file).await.map_err(err)?;
        }
        Ok(())
    }

    /// Acknowledges a button press (stops the button's spinner).
    pub async fn answer_callback(&self, id: &str) -> Result<(), TelegramError> {
        self.bot
            .answer_callback_query(CallbackQueryId(id.to_owned()))
            .await
            .map_err(err)?;
        Ok(())
    }

    /// Downloads a photo the person sent.
    pub async fn download(&self, file_id: &str) -> Result<Vec<u8>, TelegramError> {
        let file = self.bot.get_file(FileId(file_id.to_owned())).await.map_err(err)?;
        let mut bytes = Vec::new();
        self.bot.download_file(&file.path, &mut bytes).await.map_err(err)?;
        Ok(bytes)
    }

    /// Points Telegram at our webhook with its secret.
    pub async fn set_webhook(&self, url: &url::Url, secret: &str) -> Result<(), TelegramError> {
        self.bot
            .set_webhook(url.clone())
            .secret_token(secret.to_owned())
            .await
            .map_err(err)?;
        Ok(())
    }

    /// Stops webhook delivery, so that long polling may take the updates.
    pub async fn delete_webhook(&self) -> Result<(), TelegramError> {
        self.bot.delete_webhook().await.map_err(err)?;
        Ok(())
    }

    /// Waits up to `timeout_secs` for updates after `offset` (long polling).
    pub async fn updates(&self, offset: i64, timeout_secs: u32) -> Result<Vec<Update>, TelegramError> {
        let payload = GetUpdates {
            offset,
            timeout: timeout_secs,
        };
        JsonRequest::new(self.bot.clone(), payload).await.map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(update: serde_json::Value) -> Option<Received> {
        let update: Update = serde_json::from_value(update).unwrap();
        inbound("demo", &update)
    }

    fn message(chat: serde_json::Value, extra: serde_json::Value) -> serde_json::Value {
        let mut message = json!({ "message_id": 7, "date": 1_764_000_000, "chat": chat,
            "from": { "id": 42, "is_bot": false, "first_name": "Léa", "language_code": "en-GB" } });
        message
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({ "update_id": 5_000_000_001_i64, "message": message })
    }

    #[test]
    fn a_private_text_is_read_with_its_ids_and_language_and_fields_not_used_are_skipped() {
        let chat = json!({ "id": 42, "type": "private", "first_name": "Léa" });
        let extra = json!({ "text": "bonjour", "entities": [{ "type": "bold", "offset": 0, "length": 3 }],
            "reply_to_message": { "message_id": 1, "date": 0, "chat": { "id": 42, "type": "private" }, "text": "?" } });
        let received = read(message(chat, extra)).unwrap();
        assert_eq!(received.inbound.message_id, "5000000001");
        assert_eq!(received.inbound.sender, "42");
        assert_eq!(received.inbound.content, Content::Text { text: "bonjour".into() });
        assert_eq!(received.inbound.language, Some(Language::En));
        assert_eq!((received.callback, received.photo), (None, None));
    }

    #[test]
    fn a_shared_contact_and_a_photo_are_read_the_largest_size_kept() {
        let chat = json!({ "id": 42, "type": "private" });
        let contact = read(message(
            chat.clone(),
            json!({ "contact": { "phone_number": "+33612345678", "first_name": "Léa" } }),
        ));
        assert_eq!(
            contact.unwrap().inbound.content,
            Content::Contact {
                phone: "+33612345678".into()
            }
        );
        let sizes = json!({ "photo": [
            { "file_id": "small", "file_unique_id": "s", "width": 90, "height": 90 },
            { "file_id": "large", "file_unique_id": "l", "width": 1280, "height": 960 },
            { "file_id": "medium", "file_unique_id": "m", "width": 320, "height": 240 } ] });
        let photo = read(message(chat, sizes)).unwrap();
        assert_eq!(photo.photo.as_deref(), Some("large"));
        assert!(matches!(photo.inbound.content, Content::Photo { .. }));
    }

    #[test]
    fn a_button_press_is_read_with_the_query_to_acknowledge() {
        let update = json!({ "update_id": 3, "callback_query": { "id": "q1", "chat_instance": "c", "data": "menu:book",
            "from": { "id": 42, "is_bot": false, "first_name": "Léa", "language_code": "fr" } } });
        let received = read(update).unwrap();
        assert_eq!(
            received.inbound.content,
            Content::Choice {
                key: "menu:book".into()
            }
        );
        assert_eq!(received.inbound.language, Some(Language::Fr));
        assert_eq!(received.callback.as_deref(), Some("q1"));
    }

    #[test]
    fn group_chats_edits_and_other_kinds_of_update_are_not_handled() {
        let group = json!({ "id": -100, "type": "supergroup", "title": "Studio" });
        assert_eq!(read(message(group, json!({ "text": "hello" }))), None);
        let edit = json!({ "update_id": 4, "edited_message": { "message_id": 7, "date": 0,
            "chat": { "id": 42, "type": "private" }, "text": "bonjour!" } });
        assert_eq!(read(edit), None);
        assert_eq!(read(json!({ "update_id": 5, "my_chat_member": {} })), None);
    }

    #[test]
    fn an_update_without_its_id_or_with_a_malformed_message_does_not_read() {
        assert!(
            serde_json::from_value::<Update>(json!({ "message": { "chat": { "id": 1, "type": "private" } } })).is_err()
        );
        assert!(serde_json::from_value::<Update>(json!({ "update_id": 1, "message": { "text": "no chat" } })).is_err());
    }
}
