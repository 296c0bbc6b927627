//! One module per platform: each parses its payloads into `engine::Inbound` and renders the
//! channel-neutral replies its own way.
//!
//! Replies to platform channels go through the outbox: the engine's replies to one message are
//! queued as one outbox row (`{"replies": [...]}`, so they keep their order), and [`deliver_due`]
//! sends due rows with a lease, retrying failures with backoff. A crash between handling and
//! sending loses nothing: the row is due again when its lease runs out.

pub mod limit;
pub mod telegram;
pub mod terminal;
pub mod web;
pub mod whatsapp;

use crate::config::bots::Bots;
use crate::domain::contact::Channel;
use crate::domain::outbox::OutboxMessage;
use crate::domain::reply::Reply;
use crate::domain::{BotId, OutboxId};
use crate::i18n::Texts;
use crate::store::{Store, StoreError};
use crate::t;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// Delivery attempts before a message is given up.
const MAX_ATTEMPTS: u32 = 8;
/// How long a sender holds a claimed message.
const LEASE_SECS: i64 = 60;

/// The platform clients of every bot hosted here.
#[derive(Clone, Default)]
pub struct Channels {
    telegram: HashMap<BotId, telegram::Telegram>,
    whatsapp: HashMap<BotId, whatsapp::Twilio>,
    public_url: Option<url::Url>,
}

impl Channels {
    /// A client for each channel a bot turned on.
    pub fn build(settings: &crate::config::Settings, bots: &Bots) -> Self {
        use secrecy::ExposeSecret;
        let telegram = bots
            .iter()
            .filter_map(|bot| {
                let channel = bot.channels.telegram.as_ref()?;
                let client = telegram::Telegram::new(channel.token.expose_secret(), &settings.telegram.api_url);
                Some((bot.id.clone(), client))
            })
            .collect();
        let whatsapp = bots
            .iter()
            .filter_map(|bot| {
                let channel = bot.channels.whatsapp.as_ref()?;
                Some((bot.id.clone(), whatsapp::Twilio::new(channel, &settings.twilio.api_url)))
            })
            .collect();
        Self {
            telegram,
            whatsapp,
            public_url: settings.http.public_url.clone(),
        }
    }

    /// The Twilio (WhatsApp) client of a bot.
    pub fn whatsapp(&self, bot: &BotId) -> Option<&whatsapp::Twilio> {
        self.whatsapp.get(bot)
    }

    /// The public URL of this server, when set.
    pub fn public_url(&self) -> Option<&url::Url> {
        self.public_url.as_ref()
    }

    /// The Telegram client of a bot.
    pub fn telegram(&self, bot: &BotId) -> Option<&telegram::Telegram> {
        self.telegram.get(bot)
    }
}

/// The outbox payload of the replies to one message.
pub fn payload(replies: &[Reply]) -> serde_json::Value {
    serde_json::json!({ "replies": replies })
}

/// The replies an outbox payload holds: `{"replies": [...]}` or one reply.
pub fn replies(payload: &serde_json::Value) -> Vec<Reply> {
    match payload.get("replies") {
        Some(list) => serde_json::from_value(list.clone()).unwrap_or_default(),
        None => serde_json::from_value(payload.clone()).into_iter().collect(),
    }
}

/// Recipients sent to at once by one sender.
const CONCURRENT_RECIPIENTS: usize = 16;

/// Sends the due outbox messages (at most `limit`); returns how many went out. Messages to
/// different recipients go out concurrently; those to one recipient in order, and after a failed
/// one the rest wait for its retry, so a person never reads a later reply first.
pub async fn deliver_due(
    store: &dyn Store,
    channels: &Channels,
    bots: &Bots,
    texts: &Texts,
    owner: &str,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<usize, StoreError> {
    use futures::StreamExt;
    let due = store
        .claim_due(now, Duration::seconds(LEASE_SECS), owner, limit)
        .await?;
    let mut recipients: Vec<Vec<OutboxMessage>> = Vec::new();
    for message in due {
        match recipients
            .iter_mut()
            .find(|g| g[0].bot == message.bot && g[0].channel == message.channel && g[0].to == message.to)
        {
            Some(group) => group.push(message),
            None => recipients.push(vec![message]),
        }
    }
    let delivery = Delivery {
        store,
        channels,
        bots,
        texts,
        owner,
        now,
    };
    let results: Vec<_> = futures::stream::iter(recipients)
        .map(|group| async {
            let mut sent = Vec::new();
            let result = delivery.in_order(group, &mut sent).await;
            (sent, result)
        })
        .buffer_unordered(CONCURRENT_RECIPIENTS)
        .collect()
        .await;
    let mut sent = Vec::new();
    let mut failed = None;
    for (ids, result) in results {
        sent.extend(ids);
        if let Err(error) = result {
            failed.get_or_insert(error);
        }
    }
    // One write for the whole run: what went out is marked once every send has returned, even
    // when a store call failed for some recipient (a stop before that sends those again once
    // their lease runs out, as a stop after any send).
    store.mark_all_sent(&sent, owner).await?;
    match failed {
        Some(error) => Err(error),
        None => Ok(sent.len()),
    }
}

/// One run of the sender.
struct Delivery<'a> {
    store: &'a dyn Store,
    channels: &'a Channels,
    bots: &'a Bots,
    texts: &'a Texts,
    owner: &'a str,
    now: DateTime<Utc>,
}

impl Delivery<'_> {
    /// Sends one recipient's messages in order, stopping at the first failure; adds those sent to
    /// `sent`, which keeps them should a store call fail half-way.
    async fn in_order(&self, group: Vec<OutboxMessage>, sent: &mut Vec<(BotId, OutboxId)>) -> Result<(), StoreError> {
        let Self {
            store,
            channels,
            bots,
            texts,
            owner,
            now,
        } = *self;
        let mut blocked: Option<DateTime<Utc>> = None;
        for message in group {
            if let Some(until) = blocked {
                store
                    .retry_later(
                        &message.bot,
                        &message.id,
                        owner,
                        until,
                        "waiting for an earlier message",
                        false,
                    )
                    .await?;
                continue;
            }
            let result = send(channels, bots, texts, &message).await;
            if let Err(error) = &result
                && error.outside_window
            {
                window_closed(store, &message).await?;
            }
            match result {
                Ok(()) => sent.push((message.bot.clone(), message.id.clone())),
                Err(error) => {
                    let attempts = message.attempts;
                    let give_up = attempts >= MAX_ATTEMPTS || error.permanent;
                    let backoff = Duration::seconds(2_i64.pow(attempts.min(12)));
                    tracing::warn!(channel = %message.channel, attempts, give_up, error = %error.reason, "sending failed");
                    metrics::counter!("coachbot_outbox_failures_total", "channel" => message.channel.as_str())
                        .increment(1);
                    store
                        .retry_later(&message.bot, &message.id, owner, now + backoff, &error.reason, give_up)
                        .await?;
                    if !give_up {
                        blocked = Some(now + backoff);
                    }
                }
            }
        }
        Ok(())
    }
}

/// Why a message did not go out.
#[derive(Debug)]
pub struct SendError {
    /// What went wrong.
    pub reason: String,
    /// Retrying cannot help.
    pub permanent: bool,
    /// WhatsApp refused: the person has not written in the last 24 hours.
    pub outside_window: bool,
}

/// Notes on the contact that WhatsApp's 24-hour window was closed when we tried to write.
async fn window_closed(store: &dyn Store, message: &OutboxMessage) -> Result<(), StoreError> {
    let identity = crate::domain::contact::Identity::new(Channel::Whatsapp, message.to.clone());
    if let Some(mut contact) = store.find_contact_by_identity(&message.bot, &identity).await?
        && !contact.tags.iter().any(|t| t == WINDOW_CLOSED_TAG)
    {
        contact.tags.push(WINDOW_CLOSED_TAG.into());
        store.update_contact(&contact).await?;
    }
    Ok(())
}

/// The tag a contact gets when WhatsApp refused a message outside the 24-hour window (63016).
pub const WINDOW_CLOSED_TAG: &str = "whatsapp-window-closed";

async fn send(channels: &Channels, bots: &Bots, texts: &Texts, message: &OutboxMessage) -> Result<(), SendError> {
    let permanent = |reason: String| SendError {
        reason,
        permanent: true,
        outside_window: false,
    };
    let bot = bots
        .get(message.bot.as_str())
        .ok_or_else(|| permanent(format!("bot {} is not hosted here", message.bot)))?;
    match message.channel {
        Channel::Telegram => {
            let client = channels
                .telegram(&bot.id)
                .ok_or_else(|| permanent("Telegram is not turned on for this bot".into()))?;
            let share = t!(texts, bot.language, "telegram-share-contact");
            for reply in replies(&message.payload) {
                client.send(&message.to, &reply, &share).await.map_err(|e| SendError {
                    reason: e.to_string(),
                    permanent: false,
                    outside_window: false,
                })?;
            }
            Ok(())
        }
        Channel::Whatsapp => {
            let client = channels
                .whatsapp(&bot.id)
                .ok_or_else(|| permanent("WhatsApp is not turned on for this bot".into()))?;
            for reply in replies(&message.payload) {
                let media = reply.image.as_ref().and_then(|i| i.link.as_deref()).and_then(|link| {
                    Some(
                        channels
                            .public_url()?
                            .join(link.trim_start_matches('/'))
                            .ok()?
                            .to_string(),
                    )
                });
                let body = whatsapp::render(&reply);
                client.send(&message.to, &body, media.as_deref()).await.map_err(|e| {
                    let outside_window = e.code == Some(whatsapp::OUTSIDE_WINDOW);
                    SendError {
                        outside_window,
                        permanent: outside_window || ((400..500).contains(&e.status) && e.status != 429),
                        reason: e.to_string(),
                    }
                })?;
            }
            Ok(())
        }
        other => Err(permanent(format!("no sender for the {other} channel yet"))),
    }
}
