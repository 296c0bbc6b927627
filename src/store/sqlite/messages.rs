//! The outbox (messages to send, leased to one worker at a time) and inbound records (idempotency).

use super::contacts::{SAVE_CONVERSATION, conversation_args};
use super::snapshot::versions;
use super::web::insert_event;
use super::{SqliteStore, all, args, backend_error, parse_doc, run, scalar, to_doc};
use crate::domain::contact::Channel;
use crate::domain::inbound::InboundRecord;
use crate::domain::outbox::{OutboxMessage, WebEvent};
use crate::domain::{BotId, OutboxId};
use crate::store::StoreError;
use crate::store::StoreResult;
use crate::store::{Finish, Finished, MessageStore, Versions};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

const MARK_SENT: &str = "UPDATE outbox SET doc = json_set(doc, '$.state', 'sent', '$.lease_until', NULL) \
                         WHERE bot = ? AND id = ? AND state = 'leased' AND doc ->> '$.owner' = ?";
const RECORD_ONCE: &str = "INSERT INTO inbound (doc) VALUES (?) ON CONFLICT (bot, key) DO NOTHING";
/// Marks a message done, with its answer when it had one in the webhook (`null` otherwise).
const MARK_DONE: &str = "UPDATE inbound SET doc = json_set(doc, '$.done', json('true'), '$.answer', json(?3)) \
                         WHERE bot = ?1 AND key = ?2";

/// A message's end as the writer's thread writes it. Its reply goes either into the outbox or,
/// answered in the webhook, into the message's record (or its answer, when it was recorded on
/// arrival), which that thread chooses: not while an earlier reply to the same person still
/// waits. The form it most likely writes is serialised before, off that thread, and the other only
/// when chosen: serialising every form (the reply's payload three times) was a thirtieth of a
/// message's CPU time in `benches/webhook.rs`.
struct Ending {
    record: Option<InboundRecord>,
    reply: Option<OutboxMessage>,
    /// The reply is to be answered in the webhook if it may.
    inline_wanted: bool,
    /// The record in the likely form: with the reply as its answer when `inline_wanted`.
    record_doc: Option<String>,
    /// The reply in the likely form: its payload, the message's answer, when `inline_wanted`;
    /// else the outbox message.
    reply_doc: Option<String>,
}

impl Ending {
    fn new(mut record: Option<InboundRecord>, reply: Option<OutboxMessage>, answer_inline: bool) -> StoreResult<Self> {
        let inline_wanted = answer_inline && reply.is_some();
        let (record_doc, reply_doc) = match (&mut record, &reply) {
            (Some(record), Some(reply)) if inline_wanted => {
                // Serialised with the reply as its answer; kept plain for the other choice.
                let plain = record.answer.replace(reply.payload.clone());
                let doc = to_doc(record);
                record.answer = plain;
                (Some(doc?), None)
            }
            (Some(record), reply) => (Some(to_doc(record)?), reply.as_ref().map(to_doc).transpose()?),
            (None, Some(reply)) if inline_wanted => (None, Some(to_doc(&reply.payload)?)),
            (None, reply) => (None, reply.as_ref().map(to_doc).transpose()?),
        };
        Ok(Self {
            record,
            reply,
            inline_wanted,
            record_doc,
            reply_doc,
        })
    }

    /// The record to write, once chosen whether the reply is answered in the webhook.
    fn record_doc(&mut self, inline: bool) -> StoreResult<Option<String>> {
        match (&self.record, inline == self.inline_wanted) {
            (Some(_), true) => Ok(self.record_doc.take()),
            (Some(record), false) => to_doc(record).map(Some),
            (None, _) => Ok(None),
        }
    }

    /// The answer kept with a message recorded on arrival: the reply's payload, or `null`.
    fn answer_doc(&mut self, inline: bool) -> String {
        let answer = if inline { self.reply_doc.take() } else { None };
        answer.unwrap_or_else(|| "null".into())
    }

    /// The outbox message to queue, unless the reply is answered in the webhook.
    fn outbox_doc(&mut self, inline: bool) -> StoreResult<Option<String>> {
        match (&self.reply, inline, self.inline_wanted) {
            (None, _, _) | (Some(_), true, _) => Ok(None),
            (Some(_), false, false) => Ok(self.reply_doc.take()),
            (Some(reply), false, true) => to_doc(reply).map(Some),
        }
    }
}

#[async_trait]
impl MessageStore for SqliteStore {
    async fn enqueue(&self, message: &OutboxMessage) -> StoreResult<()> {
        if message.channel == Channel::Web {
            let (event, key) = (WebEvent::from_message(message), message.id.to_string());
            return self
                .write(move |tx| match insert_event(tx, &event).map_err(backend_error)? {
                    0 => Err(StoreError::conflict("outbox message", key)),
                    _ => Ok(()),
                })
                .await;
        }
        self.insert_doc(
            "INSERT INTO outbox (doc) VALUES (?)",
            message,
            "outbox message",
            message.id.as_str(),
        )
        .await
    }

    async fn get_outbox(&self, bot: &BotId, id: &OutboxId) -> StoreResult<OutboxMessage> {
        self.fetch_one(
            "SELECT doc FROM outbox WHERE bot = ? AND id = ?",
            args![bot.as_str(), id.as_str()],
        )
        .await
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        owner: &str,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let now_ms = now.timestamp_millis();
        let args = args![
            (now + lease).timestamp_millis(),
            owner,
            now_ms,
            now_ms,
            i64::from(limit)
        ];
        let mut claimed: Vec<OutboxMessage> = self
            .write(move |tx| {
                all(
                    tx,
                    "UPDATE outbox SET doc = json_set(doc, '$.state', 'leased', '$.lease_until', ?, '$.owner', ?, \
                                                       '$.attempts', (doc ->> '$.attempts') + 1) \
                     WHERE rowid IN ( \
                         SELECT rowid FROM outbox INDEXED BY outbox_due WHERE state = 'pending' AND due_at <= ? \
                         UNION ALL \
                         SELECT rowid FROM outbox INDEXED BY outbox_lease WHERE state = 'leased' AND lease_until <= ? \
                         LIMIT ?) \
                     RETURNING doc",
                    &args,
                )
            })
            .await?;
        claimed.sort_by_key(|m| m.due_at);
        Ok(claimed)
    }

    async fn mark_sent(&self, bot: &BotId, id: &OutboxId, owner: &str) -> StoreResult<bool> {
        let changed = self.execute(MARK_SENT, args![bot.as_str(), id.as_str(), owner]).await?;
        Ok(changed == 1)
    }

    async fn mark_all_sent(&self, sent: &[(BotId, OutboxId)], owner: &str) -> StoreResult<usize> {
        let sent: Vec<_> = sent
            .iter()
            .map(|(bot, id)| args![bot.as_str(), id.as_str(), owner])
            .collect();
        self.write(move |tx| {
            let mut marked = 0;
            for args in &sent {
                marked += run(tx, MARK_SENT, args).map_err(backend_error)?;
            }
            Ok(marked)
        })
        .await
    }

    async fn retry_later(
        &self,
        bot: &BotId,
        id: &OutboxId,
        owner: &str,
        due_at: DateTime<Utc>,
        error: &str,
        give_up: bool,
    ) -> StoreResult<bool> {
        let state = if give_up { "failed" } else { "pending" };
        let changed = self
            .execute(
                "UPDATE outbox SET doc = json_set(doc, '$.state', ?, '$.due_at', ?, '$.last_error', ?, \
                                                   '$.lease_until', NULL, '$.owner', NULL) \
                 WHERE bot = ? AND id = ? AND state = 'leased' AND doc ->> '$.owner' = ?",
                args![
                    state,
                    due_at.timestamp_millis(),
                    error,
                    bot.as_str(),
                    id.as_str(),
                    owner
                ],
            )
            .await?;
        Ok(changed == 1)
    }

    async fn finish_inbound(&self, finish: Finish) -> StoreResult<Finished> {
        let Finish {
            bot,
            key,
            conversation,
            reply,
            record,
            answer_inline,
            read_at,
        } = finish;
        let saving = conversation.as_ref().map(conversation_args).transpose()?;
        let web = reply
            .as_ref()
            .filter(|r| r.channel == Channel::Web)
            .map(WebEvent::from_message);
        let mut ending = Ending::new(record, reply.filter(|_| web.is_none()), answer_inline)?;
        let bot = bot.to_string();
        let (writer_bot, at) = (bot.clone(), read_at.clone());
        let (finished, moved) = self
            .write(move |tx| {
                let bot = writer_bot;
                let mut finished = Finished::default();
                // Whether the contact and the catalog are as the message read them; a read kept in
                // memory that is not is refused before anything is written.
                let current = match &at {
                    Some(at) => {
                        let current = versions(tx, &bot, at.contact.as_str())? == at.versions;
                        if at.kept && !current {
                            finished.stale = true;
                            return Ok((finished, None));
                        }
                        current
                    }
                    None => false,
                };
                // Answered in the webhook unless an earlier reply to the same person still waits.
                let inline = match &ending.reply {
                    Some(reply) if ending.inline_wanted => scalar::<i64>(
                        tx,
                        "SELECT 1 FROM outbox INDEXED BY outbox_waiting \
                         WHERE bot = ? AND recipient = ? AND state IN ('pending', 'leased') LIMIT 1",
                        &args![bot.as_str(), format!("{}:{}", reply.channel.as_str(), reply.to)],
                    )?
                    .is_none(),
                    _ => false,
                };
                match ending.record_doc(inline)? {
                    Some(doc) => {
                        if run(tx, RECORD_ONCE, &args![doc]).map_err(backend_error)? == 0 {
                            tx.discard();
                            finished.replay = true;
                            return Ok((finished, None));
                        }
                    }
                    None => {
                        let answer = ending.answer_doc(inline);
                        run(tx, MARK_DONE, &args![bot.as_str(), key.as_str(), answer]).map_err(backend_error)?;
                    }
                }
                if let Some(event) = web {
                    insert_event(tx, &event).map_err(backend_error)?;
                }
                finished.inline = inline;
                if let Some(doc) = ending.outbox_doc(inline)? {
                    run(
                        tx,
                        "INSERT INTO outbox (doc) VALUES (?) ON CONFLICT DO NOTHING",
                        &args![doc],
                    )
                    .map_err(backend_error)?;
                }
                let saved = saving.is_some();
                if let Some(args) = saving {
                    run(tx, SAVE_CONVERSATION, &args).map_err(backend_error)?;
                }
                // Where this write left the contact's data, for the copy kept in memory: found
                // current above, only the conversation's revision moved (from -1, none, a new
                // one starts at 0).
                let moved = match &at {
                    Some(at) if current => Some(Versions {
                        conversation: match saved {
                            true => at.versions.conversation + 1,
                            false => at.versions.conversation,
                        },
                        ..at.versions
                    }),
                    _ => None,
                };
                Ok((finished, moved))
            })
            .await?;
        if let Some(at) = &read_at {
            let identity = at.identity.key();
            match moved {
                Some(now) => self.chats.saved(&bot, &identity, at.versions, now, conversation),
                None => self.chats.forget(&bot, &identity),
            }
        }
        Ok(finished)
    }

    async fn inbound_answer(&self, bot: &BotId, key: &str) -> StoreResult<Option<serde_json::Value>> {
        let args = args![bot.as_str(), key];
        let answer: Option<Option<String>> = self
            .read_here(move |conn| {
                scalar(
                    conn,
                    "SELECT doc -> '$.answer' FROM inbound WHERE bot = ? AND key = ?",
                    &args,
                )
            })
            .await?;
        let answer = answer.flatten().map(|text| parse_doc(&text)).transpose()?;
        Ok(answer.filter(|answer: &serde_json::Value| !answer.is_null()))
    }

    async fn record_inbound_once(&self, record: &InboundRecord) -> StoreResult<bool> {
        let changed = self.execute(RECORD_ONCE, args![to_doc(record)?]).await?;
        Ok(changed == 1)
    }

    async fn mark_inbound_done(&self, bot: &BotId, key: &str) -> StoreResult<()> {
        self.update_one(MARK_DONE, args![bot.as_str(), key, "null"]).await
    }

    async fn list_unhandled_inbound(&self, before: DateTime<Utc>, limit: u32) -> StoreResult<Vec<InboundRecord>> {
        self.fetch_all(
            "SELECT doc FROM inbound INDEXED BY inbound_pending WHERE done = 0 AND received_at < ? ORDER BY received_at LIMIT ?",
            args![before.timestamp_millis(), i64::from(limit)],
        )
        .await
    }

    async fn claim_unhandled_inbound(
        &self,
        bot: &BotId,
        key: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.execute(
            "UPDATE inbound SET doc = json_set(doc, '$.resuming_until', ?4) \
             WHERE bot = ?1 AND key = ?2 AND done = 0 AND coalesce(doc ->> '$.resuming_until', 0) <= ?3",
            args![bot.as_str(), key, now.timestamp_millis(), until.timestamp_millis()],
        )
        .await
        .map(|changed| changed == 1)
    }

    async fn purge_inbound(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        // Records go in in the order they arrive and all are kept as long (the engine's replay
        // window), so the expired ones are the oldest rows: the purge reads from the first row
        // to the first one still kept, and no index on the expiry is kept up to date by every
        // message for it. (One recorded a little out of order goes at the next purge.)
        self.execute(
            "DELETE FROM inbound WHERE rowid < coalesce( \
                 (SELECT rowid FROM inbound WHERE expires_at > ?1 ORDER BY rowid LIMIT 1), \
                 (SELECT max(rowid) + 1 FROM inbound)) \
             AND expires_at <= ?1",
            args![now.timestamp_millis()],
        )
        .await
    }
}
