//! Sessions: one dated occurrence of a course, with its seats.

use crate::domain::ids::{BotId, CourseId, SessionId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One class on one date. Seats are taken and given back atomically by the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The bot.
    pub bot: BotId,
    /// The session id.
    pub id: SessionId,
    /// The course taught.
    pub course: CourseId,
    /// Start, in UTC (shown in the bot's time zone).
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub start: DateTime<Utc>,
    /// Length in minutes.
    pub duration_min: u32,
    /// Seats available in all.
    pub capacity: u32,
    /// Seats taken (held or confirmed bookings).
    pub seats_taken: u32,
    /// Whether the coach cancelled this date.
    pub cancelled: bool,
}

impl Session {
    /// Seats still free.
    pub fn seats_left(&self) -> u32 {
        self.capacity.saturating_sub(self.seats_taken)
    }
}
