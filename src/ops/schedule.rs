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

/// What cancelling one date of a course did.
#[derive(Debug, Clone, PartialEq)]
pub struct CancelledDate {
    /// The session, now cancelled.
    pub session: crate::domain::session::Session,
    /// Bookings cancelled (credits and promo uses given back).
    pub bookings: usize,
    /// Visitors told through the outbox.
    pub told: usize,
}

/// Why a date cannot be cancelled.
#[derive(Debug, thiserror::Error)]
pub enum DateError {
    /// No session of that course on that day.
    #[error("no session that day")]
    NoSession,
    /// The store failed (or the course does not exist: `NotFound`).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Cancels the session of `course` on `day` (bot's zone): every booking is cancelled with its
/// credit and promo use given back, and each visitor is told (`message` renders their text).
pub async fn cancel_date(
    store: &dyn Store,
    bot: &Bot,
    course: &crate::domain::CourseId,
    day: chrono::NaiveDate,
    now: DateTime<Utc>,
    message: impl Fn(&crate::domain::session::Session, Option<crate::domain::language::Language>) -> String,
) -> Result<CancelledDate, DateError> {
    use crate::domain::dates::start_of_day;
    store.get_course(&bot.id, course).await?;
    let (from, to) = (
        start_of_day(day, bot.time_zone),
        start_of_day(day + chrono::Duration::days(1), bot.time_zone),
    );
    let session = store
        .list_sessions(&bot.id, from, to)
        .await?
        .into_iter()
        .find(|s| &s.course == course && !s.cancelled)
        .ok_or(DateError::NoSession)?;
    store.cancel_session(&bot.id, &session.id).await?;
    let (mut bookings, mut told) = (0, 0);
    for booking in store.list_bookings_for_session(&bot.id, &session.id).await? {
        let Some(cancelled) = crate::ops::booking::cancel_by_studio(store, bot, &booking.id).await? else {
            continue;
        };
        bookings += 1;
        let contact = store.get_contact(&bot.id, &cancelled.contact).await?;
        let text = message(&session, contact.language);
        told += usize::from(crate::ops::booking::tell(store, &contact, text, now).await?);
    }
    let session = store.get_session(&bot.id, &session.id).await?;
    Ok(CancelledDate {
        session,
        bookings,
        told,
    })
}

/// What a new capacity did.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacitySet {
    /// Sessions to come that changed.
    pub sessions: usize,
    /// Seats a larger capacity opened, offered to the waitlists.
    pub waitlist: Vec<crate::ops::waitlist::WaitlistEffect>,
}

/// Sets a course's capacity and that of its sessions to come; seats it opens go to the waitlists.
pub async fn set_capacity(
    store: &dyn Store,
    bot: &Bot,
    course: &crate::domain::CourseId,
    capacity: u32,
    now: DateTime<Utc>,
) -> Result<CapacitySet, StoreError> {
    let mut stored = store.get_course(&bot.id, course).await?;
    stored.capacity = capacity;
    store.upsert_course(&stored).await?;
    let horizon = now + chrono::Duration::weeks(i64::from(bot.booking.weeks_ahead) + 1);
    let (mut sessions, mut waitlist) = (0, Vec::new());
    for session in store
        .list_sessions(&bot.id, now, horizon)
        .await?
        .iter()
        .filter(|s| &s.course == course)
    {
        store.set_session_capacity(&bot.id, &session.id, capacity).await?;
        sessions += 1;
        if capacity > session.capacity {
            waitlist.extend(crate::ops::waitlist::seat_freed(store, bot, &session.id, now).await?);
        }
    }
    Ok(CapacitySet { sessions, waitlist })
}
