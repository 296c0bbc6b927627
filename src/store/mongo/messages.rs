//! The outbox (messages to send, leased to one worker at a time) and inbound records (idempotency).

use super::{MongoStore, backend_error, is_duplicate, key, to_document, with};
use crate::domain::contact::Channel;
use crate::domain::inbound::InboundRecord;
use crate::domain::outbox::OutboxMessage;
use crate::domain::{BotId, OutboxId};
use crate::store::{ContactStore, Finish, Finished, MessageStore};
use crate::store::{StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mongodb::bson::{Bson, Document, doc};
use mongodb::options::ReturnDocument;

#[async_trait]
impl MessageStore for MongoStore {
    async fn enqueue(&self, message: &OutboxMessage) -> StoreResult<()> {
        if message.channel == Channel::Web {
            return self.insert_web_event(message).await;
        }
        self.insert("outbox", message, "outbox message", message.id.as_str())
            .await
    }

    async fn finish_inbound(&self, finish: Finish) -> StoreResult<Finished> {
        let mut finished = Finished::default();
        if let Some(record) = &finish.record {
            // Recorded not done first, so a stop before the end leaves it to be handled again.
            let record = InboundRecord {
                done: false,
                ..record.clone()
            };
            if !self.record_inbound_once(&record).await? {
                finished.replay = true;
                return Ok(finished);
            }
        }
        let mut answer = None;
        if let Some(reply) = &finish.reply {
            let mut inline = false;
            if finish.answer_inline && reply.channel != Channel::Web {
                let waiting = doc! {
                    "bot": reply.bot.as_str(), "channel": reply.channel.as_str(), "to": reply.to.as_str(),
                    "state": { "$in": ["pending", "leased"] },
                };
                let found = self.coll::<Document>("outbox").find_one(waiting).await;
                inline = found.map_err(backend_error)?.is_none();
            }
            if inline {
                // Kept with the message, as its answer, by the last step below.
                answer = Some(reply.payload.clone());
            } else {
                match self.enqueue(reply).await {
                    Ok(()) | Err(StoreError::Conflict { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        if let Some(conversation) = &finish.conversation {
            self.save_conversation(conversation).await?;
        }
        finished.inline = answer.is_some();
        let answer = match &answer {
            Some(answer) => mongodb::bson::serialize_to_bson(answer).map_err(backend_error)?,
            None => Bson::Null,
        };
        let filter = doc! { "bot": finish.bot.as_str(), "key": finish.key.as_str() };
        let done = doc! { "$set": { "done": true, "answer": answer } };
        self.update_if("inbound", filter, done).await?;
        Ok(finished)
    }

    async fn inbound_answer(&self, bot: &BotId, key: &str) -> StoreResult<Option<serde_json::Value>> {
        let record: Option<InboundRecord> = self
            .coll::<InboundRecord>("inbound")
            .find_one(doc! { "bot": bot.as_str(), "key": key })
            .await
            .map_err(backend_error)?;
        Ok(record.and_then(|r| r.answer))
    }

    async fn get_outbox(&self, bot: &BotId, id: &OutboxId) -> StoreResult<OutboxMessage> {
        self.find_one("outbox", key(bot, id.as_str())).await
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        owner: &str,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let now_ms = now.timestamp_millis();
        let filter = doc! { "$or": [
            { "state": "pending", "due_at": { "$lte": now_ms } },
            { "state": "leased", "lease_until": { "$lte": now_ms } },
        ] };
        let update = doc! {
            "$set": { "state": "leased", "lease_until": (now + lease).timestamp_millis(), "owner": owner },
            "$inc": { "attempts": 1 },
        };
        let mut claimed = Vec::new();
        while claimed.len() < limit as usize {
            let next = self
                .coll::<OutboxMessage>("outbox")
                .find_one_and_update(filter.clone(), update.clone())
                .sort(doc! { "due_at": 1 })
                .return_document(ReturnDocument::After)
                .await
                .map_err(backend_error)?;
            let Some(message) = next else { break };
            claimed.push(message);
        }
        Ok(claimed)
    }

    async fn mark_sent(&self, bot: &BotId, id: &OutboxId, owner: &str) -> StoreResult<bool> {
        let filter = with(key(bot, id.as_str()), doc! { "state": "leased", "owner": owner });
        self.update_if(
            "outbox",
            filter,
            doc! { "$set": { "state": "sent", "lease_until": Bson::Null } },
        )
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
        let filter = with(key(bot, id.as_str()), doc! { "state": "leased", "owner": owner });
        let update = doc! { "$set": {
            "state": if give_up { "failed" } else { "pending" },
            "due_at": due_at.timestamp_millis(),
            "last_error": error,
            "lease_until": Bson::Null,
            "owner": Bson::Null,
        } };
        self.update_if("outbox", filter, update).await
    }

    async fn record_inbound_once(&self, record: &InboundRecord) -> StoreResult<bool> {
        let mut doc = to_document(record)?;
        doc.insert(
            "expire_at",
            mongodb::bson::DateTime::from_millis(record.expires_at.timestamp_millis()),
        );
        match self.coll::<Document>("inbound").insert_one(doc).await {
            Ok(_) => Ok(true),
            Err(e) if is_duplicate(&e) => Ok(false),
            Err(e) => Err(backend_error(e)),
        }
    }

    async fn mark_inbound_done(&self, bot: &BotId, key: &str) -> StoreResult<()> {
        let filter = doc! { "bot": bot.as_str(), "key": key };
        match self
            .update_if("inbound", filter, doc! { "$set": { "done": true } })
            .await?
        {
            true => Ok(()),
            false => Err(StoreError::NotFound),
        }
    }

    async fn list_unhandled_inbound(&self, before: DateTime<Utc>, limit: u32) -> StoreResult<Vec<InboundRecord>> {
        let filter = doc! { "done": false, "received_at": { "$lt": before.timestamp_millis() } };
        self.find_all("inbound", filter, doc! { "received_at": 1 }, Some(i64::from(limit)))
            .await
    }

    async fn claim_unhandled_inbound(
        &self,
        bot: &BotId,
        key: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let filter = doc! {
            "bot": bot.as_str(), "key": key, "done": false,
            "$or": [{ "resuming_until": { "$exists": false } }, { "resuming_until": { "$lte": now.timestamp_millis() } }],
        };
        self.update_if(
            "inbound",
            filter,
            doc! { "$set": { "resuming_until": until.timestamp_millis() } },
        )
        .await
    }

    async fn purge_inbound(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let result = self
            .coll::<Document>("inbound")
            .delete_many(doc! { "expires_at": { "$lte": now.timestamp_millis() } })
            .await
            .map_err(backend_error)?;
        Ok(result.deleted_count)
    }
}
