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
    KeyboardButton, KeyboardMarkup, ReplyMarkup, Update, UpdateKind,
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

/// Reads an update sent to `bot`; `None` for what the bot does not handle (group chats, edits…).
pub fn inbound(bot: &str, update: &Update) -> Option<Received> {
    let id = update.id.0.to_string();
    let language = |code: Option<&String>| match code.map(|c| c.get(..2).unwrap_or_default()) {
        Some("fr") => Some(Language::Fr),
        Some("en") => Some(Language::En),
        _ => None,
    };
    let received = match &update.kind {
        UpdateKind::Message(message) if message.chat.is_private() => {
            let (content, photo) = if let Some(text) = message.text() {
                (Content::Text { text: text.to_owned() }, None)
            } else if let Some(contact) = message.contact() {
                let phone = contact.phone_number.clone();
                (Content::Contact { phone }, None)
            } else if let Some(sizes) = message.photo() {
                let largest = sizes.iter().max_by_key(|p| p.width * p.height)?;
                (Content::Photo { bytes: Vec::new() }, Some(largest.file.id.0.clone()))
            } else {
                (Content::Text { text: String::new() }, None)
            };
            Received {
                inbound: Inbound {
                    bot: bot.to_owned(),
                    channel: Channel::Telegram,
                    sender: message.chat.id.0.to_string(),
                    message_id: id,
                    content,
                    language: language(message.from.as_ref().and_then(|u| u.language_code.as_ref())),
                },
                callback: None,
                photo,
            }
        }
        UpdateKind::CallbackQuery(query) => Received {
            inbound: Inbound {
                bot: bot.to_owned(),
                channel: Channel::Telegram,
                sender: query.from.id.0.to_string(),
                message_id: id,
                content: Content::Choice {
                    key: query.data.clone().unwrap_or_default(),
                },
                language: language(query.from.language_code.as_ref()),
            },
            callback: Some(query.id.0.clone()),
            photo: None,
        },
        _ => return None,
    };
    Some(received)
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
    pub async fn updates(&self, offset: i32, timeout_secs: u32) -> Result<Vec<Update>, TelegramError> {
        self.bot
            .get_updates()
            .offset(offset)
            .timeout(timeout_secs)
            .await
            .map_err(err)
    }
}
