//! Courses, offers and sessions with their seats.

use super::{MongoStore, backend_error, key, with};
use crate::domain::catalog::{Course, Offer};
use crate::domain::session::Session;
use crate::domain::{BotId, CourseId, OfferId, SessionId};
use crate::store::CatalogStore;
use crate::store::{SeatOutcome, StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mongodb::bson::doc;
use mongodb::options::ReturnDocument;

#[async_trait]
impl CatalogStore for MongoStore {
    async fn cancel_session(&self, bot: &BotId, id: &SessionId) -> StoreResult<bool> {
        let filter = with(key(bot, id.as_str()), doc! { "cancelled": false });
        let changed = self
            .update_if("sessions", filter, doc! { "$set": { "cancelled": true } })
            .await?;
        if !changed {
            self.get_session(bot, id).await?;
        }
        Ok(changed)
    }

    async fn set_session_capacity(&self, bot: &BotId, id: &SessionId, capacity: u32) -> StoreResult<()> {
        let update = doc! { "$set": { "capacity": i64::from(capacity) } };
        match self.update_if("sessions", key(bot, id.as_str()), update).await? {
            true => Ok(()),
            false => Err(StoreError::NotFound),
        }
    }

    async fn upsert_course(&self, course: &Course) -> StoreResult<()> {
        self.replace("courses", key(&course.bot, course.id.as_str()), course, true, "course")
            .await
    }

    async fn get_course(&self, bot: &BotId, id: &CourseId) -> StoreResult<Course> {
        self.find_one("courses", key(bot, id.as_str())).await
    }

    async fn list_courses(&self, bot: &BotId) -> StoreResult<Vec<Course>> {
        self.find_all("courses", doc! { "bot": bot.as_str() }, doc! { "id": 1 }, None)
            .await
    }

    async fn upsert_offer(&self, offer: &Offer) -> StoreResult<()> {
        self.replace("offers", key(&offer.bot, offer.id.as_str()), offer, true, "offer")
            .await
    }

    async fn get_offer(&self, bot: &BotId, id: &OfferId) -> StoreResult<Offer> {
        self.find_one("offers", key(bot, id.as_str())).await
    }

    async fn list_offers(&self, bot: &BotId) -> StoreResult<Vec<Offer>> {
        self.find_all("offers", doc! { "bot": bot.as_str() }, doc! { "id": 1 }, None)
            .await
    }

    async fn insert_session(&self, session: &Session) -> StoreResult<()> {
        let key = format!("{} {}", session.course, session.start.to_rfc3339());
        self.insert("sessions", session, "session", &key).await
    }

    async fn get_session(&self, bot: &BotId, id: &SessionId) -> StoreResult<Session> {
        self.find_one("sessions", key(bot, id.as_str())).await
    }

    async fn list_sessions(&self, bot: &BotId, from: DateTime<Utc>, to: DateTime<Utc>) -> StoreResult<Vec<Session>> {
        let filter = doc! {
            "bot": bot.as_str(),
            "start": { "$gte": from.timestamp_millis(), "$lt": to.timestamp_millis() },
        };
        self.find_all("sessions", filter, doc! { "start": 1, "id": 1 }, None)
            .await
    }

    async fn reserve_seat(&self, bot: &BotId, id: &SessionId) -> StoreResult<SeatOutcome> {
        let filter = with(
            key(bot, id.as_str()),
            doc! { "cancelled": false, "$expr": { "$lt": ["$seats_taken", "$capacity"] } },
        );
        let updated: Option<Session> = self
            .coll::<Session>("sessions")
            .find_one_and_update(filter, doc! { "$inc": { "seats_taken": 1 } })
            .return_document(ReturnDocument::After)
            .await
            .map_err(backend_error)?;
        if let Some(session) = updated {
            return Ok(SeatOutcome::Reserved {
                seats_taken: session.seats_taken,
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
        let filter = with(key(bot, id.as_str()), doc! { "seats_taken": { "$gt": 0 } });
        let released = self
            .update_if("sessions", filter, doc! { "$inc": { "seats_taken": -1 } })
            .await?;
        if !released {
            self.get_session(bot, id).await?;
        }
        Ok(released)
    }
}
