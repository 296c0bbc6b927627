//! The web widget's events and the bot settings changed from chat.

use super::{SqliteStore, args, backend_error, parse_doc, to_doc};
use crate::domain::BotId;
use crate::domain::appearance::Appearance;
use crate::domain::outbox::WebEvent;
use crate::store::{StoreResult, WebStore};
use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use rusqlite::Connection;

/// Writes a visitor's next event, numbered after their last one; nothing when an event with the
/// same id exists (the same message handled twice). Returns the rows written (0 or 1).
pub(super) fn insert_event(conn: &Connection, event: &WebEvent) -> rusqlite::Result<usize> {
    let payload =
        serde_json::to_string(&event.payload).map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
    conn.prepare_cached(
        "INSERT INTO web_events (bot, visitor, seq, id, payload, created_at) \
         SELECT ?1, ?2, coalesce(max(seq), 0) + 1, ?3, ?4, ?5 FROM web_events WHERE bot = ?1 AND visitor = ?2 \
         ON CONFLICT DO NOTHING",
    )?
    .execute(rusqlite::params![
        event.bot.as_str(),
        event.visitor,
        event.id.as_str(),
        payload,
        event.created_at.timestamp_millis()
    ])
}

#[async_trait]
impl WebStore for SqliteStore {
    async fn web_events(&self, bot: &BotId, visitor: &str, after: u64, limit: u32) -> StoreResult<Vec<WebEvent>> {
        let (bot, visitor) = (bot.clone(), visitor.to_owned());
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        self.read(move |conn| {
            let mut statement = conn
                .prepare_cached(
                    "SELECT seq, id, payload, created_at FROM web_events \
                     WHERE bot = ?1 AND visitor = ?2 AND seq > ?3 ORDER BY seq LIMIT ?4",
                )
                .map_err(backend_error)?;
            let rows = statement
                .query_map(rusqlite::params![bot.as_str(), visitor, after, limit], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, i64>(3)?,
                    ))
                })
                .map_err(backend_error)?;
            let mut events = Vec::new();
            for row in rows {
                let (seq, id, payload, created_at) = row.map_err(backend_error)?;
                events.push(WebEvent {
                    bot: bot.clone(),
                    visitor: visitor.clone(),
                    seq: u64::try_from(seq).unwrap_or_default(),
                    id: id.into(),
                    payload: parse_doc(&payload)?,
                    created_at: Utc.timestamp_millis_opt(created_at).single().unwrap_or_default(),
                });
            }
            Ok(events)
        })
        .await
    }

    async fn load_appearance(&self, bot: &BotId) -> StoreResult<Option<Appearance>> {
        let doc: Option<serde_json::Value> = self
            .fetch_optional(
                "SELECT json_extract(doc, '$.appearance') FROM bot_settings WHERE bot = ?",
                args![bot.as_str()],
            )
            .await?;
        doc.filter(|d| !d.is_null())
            .map(serde_json::from_value)
            .transpose()
            .map_err(backend_error)
    }

    async fn save_appearance(&self, bot: &BotId, appearance: &Appearance) -> StoreResult<()> {
        self.execute(
            "INSERT INTO bot_settings (bot, doc) VALUES (?1, json_object('appearance', json(?2))) \
             ON CONFLICT (bot) DO UPDATE SET doc = json_set(doc, '$.appearance', json(?2))",
            args![bot.as_str(), to_doc(appearance)?],
        )
        .await
        .map(drop)
    }

    async fn purge_web_events(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        // A visitor's next reply is numbered after their last one still here, so that one stays.
        // In batches, each its own write, so that other writes are not held up behind one long
        // delete (the first purge of a long-running widget has much to forget).
        let before = before.timestamp_millis();
        let mut forgotten = 0;
        loop {
            let deleted = self
                .execute(
                    "DELETE FROM web_events WHERE (bot, visitor, seq) IN ( \
                         SELECT bot, visitor, seq FROM web_events AS old \
                         WHERE created_at < ?1 AND seq < ( \
                             SELECT max(seq) FROM web_events AS last \
                             WHERE last.bot = old.bot AND last.visitor = old.visitor) \
                         LIMIT ?2)",
                    args![before, PURGE_BATCH],
                )
                .await?;
            forgotten += deleted;
            if deleted < PURGE_BATCH as u64 {
                return Ok(forgotten);
            }
        }
    }
}

/// Replies forgotten by one write of [`WebStore::purge_web_events`].
const PURGE_BATCH: i64 = 2_000;
