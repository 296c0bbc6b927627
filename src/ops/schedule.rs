//! Keeps each course's sessions planned `weeks_ahead` weeks ahead (run at start, then daily).

use crate::config::bots::Bot;
use crate::domain::schedule::upcoming_sessions;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};

/// Creates the sessions of the bot's active courses that do not exist yet; returns how many.
pub async fn plan_ahead(store: &dyn Store, bot: &Bot, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let mut created = 0;
    for course in store.list_courses(&bot.id).await?.iter().filter(|c| c.active) {
        for session in upcoming_sessions(course, bot.time_zone, now, bot.booking.weeks_ahead) {
            match store.insert_session(&session).await {
                Ok(()) => created += 1,
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(created)
}
