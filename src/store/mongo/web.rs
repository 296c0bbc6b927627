//! The web widget's events and the bot settings changed from chat.
//!
//! A visitor's events are numbered by a counter document (`web_counters`, one per visitor,
//! `$inc` in one step), then written. Two replicas writing for the same visitor at once take
//! different numbers, but the later number can land first; the widget's stream waits a moment
//! for a missing number before passing over it (a write that failed after taking its number).

use super::{MongoStore, backend_error, is_duplicate, to_document};
use crate::domain::BotId;
use crate::domain::appearance::Appearance;
use crate::domain::outbox::{OutboxMessage, WebEvent};
use crate::store::{StoreError, StoreResult, WebStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mongodb::bson::{Document, doc};
use mongodb::options::ReturnDocument;

impl MongoStore {
    /// Takes the next number of a visitor's counter: an `$inc` on the counter document, which a
    /// visitor's first event creates first (a plain insert: of several first writers racing, one
    /// inserts and the others' duplicate key is expected). No upsert on the `$inc`, so a race to
    /// create the counter can never hand out a number twice or lose one.
    async fn next_number(&self, id: &str) -> StoreResult<Document> {
        let counters = self.coll::<Document>("web_counters");
        for _ in 0..2 {
            let taken = counters
                .find_one_and_update(doc! { "_id": id }, doc! { "$inc": { "seq": 1_i64 } })
                .return_document(ReturnDocument::After)
                .await
                .map_err(backend_error)?;
            if let Some(counter) = taken {
                return Ok(counter);
            }
            match counters.insert_one(doc! { "_id": id, "seq": 0_i64 }).await {
                Ok(_) => {}
                Err(e) if is_duplicate(&e) => {}
                Err(e) => return Err(backend_error(e)),
            }
        }
        Err(backend_error("the visitor's counter could not be taken"))
    }

    /// Writes an outbox message to the web channel as the visitor's next event; `Conflict` when
    /// an event with its id exists.
    pub(super) async fn insert_web_event(&self, message: &OutboxMessage) -> StoreResult<()> {
        let conflict = || StoreError::conflict("outbox message", message.id.to_string());
        let events = self.coll::<Document>("web_events");
        let exists = events
            .find_one(doc! { "bot": message.bot.as_str(), "id": message.id.as_str() })
            .await
            .map_err(backend_error)?;
        if exists.is_some() {
            return Err(conflict());
        }
        let counter = self
            .next_number(&format!("{}\u{1f}{}", message.bot, message.to))
            .await?;
        let seq = counter
            .get("seq")
            .and_then(|v| v.as_i64().or_else(|| v.as_i32().map(i64::from)))
            .ok_or_else(|| backend_error("the visitor's counter has no number"))?;
        let event = WebEvent {
            seq: u64::try_from(seq).unwrap_or_default(),
            ..WebEvent::from_message(message)
        };
        match events.insert_one(to_document(&event)?).await {
            Ok(_) => Ok(()),
            Err(e) if is_duplicate(&e) => Err(conflict()),
            Err(e) => Err(backend_error(e)),
        }
    }
}

#[async_trait]
impl WebStore for MongoStore {
    async fn web_events(&self, bot: &BotId, visitor: &str, after: u64, limit: u32) -> StoreResult<Vec<WebEvent>> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        self.find_all(
            "web_events",
            doc! { "bot": bot.as_str(), "visitor": visitor, "seq": { "$gt": after } },
            doc! { "seq": 1 },
            Some(i64::from(limit)),
        )
        .await
    }

    async fn load_appearance(&self, bot: &BotId) -> StoreResult<Option<Appearance>> {
        let found: Option<Document> = self.find_optional("bot_settings", doc! { "bot": bot.as_str() }).await?;
        let Some(appearance) = found.and_then(|d| d.get_document("appearance").ok().cloned()) else {
            return Ok(None);
        };
        mongodb::bson::deserialize_from_document(appearance)
            .map(Some)
            .map_err(backend_error)
    }

    async fn save_appearance(&self, bot: &BotId, appearance: &Appearance) -> StoreResult<()> {
        self.coll::<Document>("bot_settings")
            .update_one(
                doc! { "bot": bot.as_str() },
                doc! { "$set": { "appearance": to_document(appearance)? } },
            )
            .upsert(true)
            .await
            .map_err(backend_error)?;
        Ok(())
    }

    async fn purge_web_events(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        // Numbers come from the visitors' counters, so every old reply can go.
        self.coll::<Document>("web_events")
            .delete_many(doc! { "created_at": { "$lt": before.timestamp_millis() } })
            .await
            .map(|deleted| deleted.deleted_count)
            .map_err(backend_error)
    }
}
