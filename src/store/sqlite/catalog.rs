//! Courses, offers and sessions with their seats.

use super::{SqliteStore, args, backend_error, scalar, to_doc};
use crate::domain::catalog::{Course, Offer};
use crate::domain::session::Session;
use crate::domain::{BotId, CourseId, OfferId, SessionId};
use crate::store::CatalogStore;
use crate::store::{SeatOutcome, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
impl CatalogStore for SqliteStore {
    async fn cancel_session(&self, bot: &BotId, id: &SessionId) -> StoreResult<bool> {
        let changed = self
            .execute(
                "UPDATE sessions SET doc = json_set(doc, '$.cancelled', json('true')) \
                 WHERE bot = ? AND id = ? AND NOT (doc ->> '$.cancelled')",
                args![bot.as_str(), id.as_str()],
            )
            .await?;
        if changed == 0 {
            self.get_session(bot, id).await?;
        }
        Ok(changed == 1)
    }

    async fn set_session_capacity(&self, bot: &BotId, id: &SessionId, capacity: u32) -> StoreResult<()> {
        self.update_one(
            "UPDATE sessions SET doc = json_set(doc, '$.capacity', ?) WHERE bot = ? AND id = ?",
            args![i64::from(capacity), bot.as_str(), id.as_str()],
        )
        .await
    }

    async fn upsert_course(&self, course: &Course) -> StoreResult<()> {
        self.execute(
            "INSERT INTO courses (doc) VALUES (?) ON CONFLICT (bot, id) DO UPDATE SET doc = excluded.doc",
            args![to_doc(course)?],
        )
        .await
        .map(drop)
    }

    async fn get_course(&self, bot: &BotId, id: &CourseId) -> StoreResult<Course> {
        self.fetch_one(
            "SELECT doc FROM courses WHERE bot = ? AND id = ?",
            args![bot.as_str(), id.as_str()],
        )
        .await
    }

    async fn list_courses(&self, bot: &BotId) -> StoreResult<Vec<Course>> {
        self.fetch_all("SELECT doc FROM courses WHERE bot = ? ORDER BY id", args![bot.as_str()])
            .await
    }

    async fn upsert_offer(&self, offer: &Offer) -> StoreResult<()> {
        self.execute(
            "INSERT INTO offers (doc) VALUES (?) ON CONFLICT (bot, id) DO UPDATE SET doc = excluded.doc",
            args![to_doc(offer)?],
        )
        .await
        .map(drop)
    }

    async fn get_offer(&self, bot: &BotId, id: &OfferId) -> StoreResult<Offer> {
        self.fetch_one(
            "SELECT doc FROM offers WHERE bot = ? AND id = ?",
            args![bot.as_str(), id.as_str()],
        )
        .await
    }

    async fn list_offers(&self, bot: &BotId) -> StoreResult<Vec<Offer>> {
        self.fetch_all("SELECT doc FROM offers WHERE bot = ? ORDER BY id", args![bot.as_str()])
            .await
    }

    async fn insert_session(&self, session: &Session) -> StoreResult<()> {
        let key = format!("{} {}", session.course, session.start.to_rfc3339());
        self.insert_doc("INSERT INTO sessions (doc) VALUES (?)", session, "session", &key)
            .await
    }

    async fn get_session(&self, bot: &BotId, id: &SessionId) -> StoreResult<Session> {
        self.fetch_one(
            "SELECT doc FROM sessions WHERE bot = ? AND id = ?",
            args![bot.as_str(), id.as_str()],
        )
        .await
    }

    async fn list_sessions(&self, bot: &BotId, from: DateTime<Utc>, to: DateTime<Utc>) -> StoreResult<Vec<Session>> {
        self.fetch_all(
            "SELECT doc FROM sessions WHERE bot = ? AND start >= ? AND start < ? ORDER BY start, id",
            args![bot.as_str(), from.timestamp_millis(), to.timestamp_millis()],
        )
        .await
    }

    async fn reserve_seat(&self, bot: &BotId, id: &SessionId) -> StoreResult<SeatOutcome> {
        let args = args![bot.as_str(), id.as_str()];
        let taken: Option<i64> = self
            .write(move |tx| {
                scalar(
                    tx,
                    "UPDATE sessions SET doc = json_set(doc, '$.seats_taken', (doc ->> '$.seats_taken') + 1) \
                     WHERE bot = ? AND id = ? AND NOT (doc ->> '$.cancelled') \
                       AND (doc ->> '$.seats_taken') < (doc ->> '$.capacity') \
                     RETURNING doc ->> '$.seats_taken'",
                    &args,
                )
            })
            .await?;
        if let Some(seats_taken) = taken {
            return Ok(SeatOutcome::Reserved {
                seats_taken: u32::try_from(seats_taken).map_err(backend_error)?,
            });
        }
        let session = self.get_session(bot, id).await?;
        Ok(if session.cancelled {
            SeatOutcome::Cancelled
        } else {
            SeatOutcome::Full
        })
    }

    async fn release_seat(&self, bot: &BotId, id: &SessionId) -> StoreResult<bool> {
        let changed = self
            .execute(
                "UPDATE sessions SET doc = json_set(doc, '$.seats_taken', (doc ->> '$.seats_taken') - 1) \
                 WHERE bot = ? AND id = ? AND (doc ->> '$.seats_taken') > 0",
                args![bot.as_str(), id.as_str()],
            )
            .await?;
        if changed == 0 {
            self.get_session(bot, id).await?;
        }
        Ok(changed == 1)
    }
}
