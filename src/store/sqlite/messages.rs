//! The outbox (messages to send, leased to one worker at a time) and inbound records (idempotency).

use super::contacts::SAVE_CONVERSATION;
use super::web::insert_event;
use super::{SqliteStore, all, args, backend_error, run, scalar, to_doc};
use crate::domain::contact::Channel;
use crate::domain::inbound::InboundRecord;
use crate::domain::outbox::{OutboxMessage, WebEvent};
use crate::domain::{BotId, OutboxId};
use crate::store::StoreError;
use crate::store::StoreResult;
use crate::store::{Finish, Finished, MessageStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

const MARK_SENT: &str = "UPDATE outbox SET doc = json_set(doc, '$.state', 'sent', '$.lease_until', NULL) \
                         WHERE bot = ? AND id = ? AND state = 'leased' AND doc ->> '$.owner' = ?";
const RECORD_ONCE: &str = "INSERT INTO inbound (doc) VALUES (?) ON CONFLICT (bot, key) DO NOTHING";
const MARK_DONE: &str = "UPDATE inbound SET doc = json_set(doc, '$.done', json('true')) WHERE bot = ? AND key = ?";

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

    async fn finish_inbound(&self, finish: &Finish) -> StoreResult<Finished> {
        let conversation = finish.conversation.as_ref().map(to_doc).transpose()?;
        let web = finish
            .reply
            .as_ref()
            .filter(|r| r.channel == Channel::Web)
            .map(WebEvent::from_message);
        // Serialised here, not on the writer's thread; the writer only sets the state.
        let reply = match web {
            Some(_) => None,
            None => finish
                .reply
                .as_ref()
                .map(|r| {
                    let recipient = format!("{}:{}", r.channel.as_str(), r.to);
                    Ok::<_, StoreError>((args![r.bot.as_str(), recipient], to_doc(r)?))
                })
                .transpose()?,
        };
        let record = finish.record.as_ref().map(to_doc).transpose()?;
        let answer_inline = finish.answer_inline;
        let done = args![finish.bot.as_str(), &finish.key];
        self.write(move |tx| {
            let mut finished = Finished::default();
            if let Some(doc) = record {
                if run(tx, RECORD_ONCE, &args![doc]).map_err(backend_error)? == 0 {
                    tx.discard();
                    finished.replay = true;
                    return Ok(finished);
                }
            } else {
                run(tx, MARK_DONE, &done).map_err(backend_error)?;
            }
            if let Some(event) = web {
                insert_event(tx, &event).map_err(backend_error)?;
            }
            if let Some((recipient, doc)) = reply {
                let waiting = || {
                    scalar::<i64>(
                        tx,
                        "SELECT 1 FROM outbox INDEXED BY outbox_waiting \
                         WHERE bot = ? AND recipient = ? AND state IN ('pending', 'leased') LIMIT 1",
                        &recipient,
                    )
                };
                let answered = answer_inline && waiting()?.is_none();
                let inserted = run(
                    tx,
                    "INSERT INTO outbox (doc) VALUES (iif(?2, json_set(?1, '$.state', 'answered'), ?1)) \
                     ON CONFLICT DO NOTHING",
                    &args![doc, i64::from(answered)],
                )
                .map_err(backend_error)?;
                finished.inline = inserted == 1 && answered;
            }
            if let Some(doc) = conversation {
                run(tx, SAVE_CONVERSATION, &args![doc]).map_err(backend_error)?;
            }
            Ok(finished)
        })
        .await
    }

    async fn record_inbound_once(&self, record: &InboundRecord) -> StoreResult<bool> {
        let changed = self.execute(RECORD_ONCE, args![to_doc(record)?]).await?;
        Ok(changed == 1)
    }

    async fn mark_inbound_done(&self, bot: &BotId, key: &str) -> StoreResult<()> {
        self.update_one(MARK_DONE, args![bot.as_str(), key]).await
    }

    async fn list_unhandled_inbound(&self, before: DateTime<Utc>, limit: u32) -> StoreResult<Vec<InboundRecord>> {
        self.fetch_all(
            "SELECT doc FROM inbound INDEXED BY inbound_pending WHERE done = 0 AND received_at < ? ORDER BY received_at LIMIT ?",
            args![before.timestamp_millis(), i64::from(limit)],
        )
        .await
    }

    async fn purge_inbound(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        self.execute(
            "DELETE FROM inbound WHERE expires_at <= ?",
            args![now.timestamp_millis()],
        )
        .await
    }
}
