//! Waitlists: each step that moves a seat (offer, leave, expire, claim) is one transaction on the
//! single writer connection.

use super::bookings::{change_credit, free_seat, insert_active, settle, take_seat};
use super::{SqliteStore, args, backend_error, one, run, to_doc, unique_violation, write_error};
use crate::domain::booking::waitlist::{WaitlistEntry, WaitlistStatus};
use crate::domain::booking::{Booking, Payment};
use crate::domain::{BotId, SessionId, WaitlistId};
use crate::store::{BookOutcome, StoreResult, WaitlistStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::Connection;

/// Sets an entry's status (and `offered_until`) when its current status is one of `from`
/// (and, for an expiry, its offer ran out by `lapsed_by`); returns the entry as it was.
fn transition(
    conn: &Connection,
    bot: &str,
    id: &str,
    to: WaitlistStatus,
    until: Option<i64>,
    lapsed_by: Option<i64>,
) -> StoreResult<Option<WaitlistEntry>> {
    let Some(entry) = one::<WaitlistEntry>(
        conn,
        "SELECT doc FROM waitlist WHERE bot = ? AND id = ? AND status IN ('waiting', 'offered')",
        &args![bot, id],
    )?
    else {
        return Ok(None);
    };
    let allowed = match to {
        WaitlistStatus::Offered => entry.status == WaitlistStatus::Waiting,
        WaitlistStatus::Left => true,
        WaitlistStatus::Expired | WaitlistStatus::Claimed => entry.status == WaitlistStatus::Offered,
        WaitlistStatus::Waiting => false,
    };
    let lapsed = match (lapsed_by, entry.offered_until) {
        (Some(now), Some(until)) => until.timestamp_millis() <= now,
        (Some(_), None) => false,
        (None, _) => true,
    };
    if !allowed || !lapsed {
        return Ok(None);
    }
    match until {
        Some(until) => run(
            conn,
            "UPDATE waitlist SET doc = json_set(doc, '$.status', ?, '$.offered_until', ?) WHERE bot = ? AND id = ?",
            &args![to.as_str(), until, bot, id],
        ),
        None => run(
            conn,
            "UPDATE waitlist SET doc = json_set(doc, '$.status', ?) WHERE bot = ? AND id = ?",
            &args![to.as_str(), bot, id],
        ),
    }
    .map_err(backend_error)?;
    Ok(Some(entry))
}

#[async_trait]
impl WaitlistStore for SqliteStore {
    async fn join_waitlist(&self, entry: &WaitlistEntry) -> StoreResult<bool> {
        let (doc, id) = (to_doc(entry)?, entry.id.to_string());
        self.write(
            move |tx| match run(tx, "INSERT INTO waitlist (doc) VALUES (?)", &args![doc]) {
                Ok(_) => Ok(true),
                Err(e) if unique_violation(&e, "session") => Ok(false),
                Err(e) => Err(write_error(e, "waitlist entry", id)),
            },
        )
        .await
    }

    async fn get_waitlist_entry(&self, bot: &BotId, id: &WaitlistId) -> StoreResult<WaitlistEntry> {
        self.fetch_one(
            "SELECT doc FROM waitlist WHERE bot = ? AND id = ?",
            args![bot.as_str(), id.as_str()],
        )
        .await
    }

    async fn list_waitlist(&self, bot: &BotId, session: &SessionId) -> StoreResult<Vec<WaitlistEntry>> {
        self.fetch_all(
            "SELECT doc FROM waitlist WHERE bot = ? AND session = ? AND status IN ('waiting', 'offered') \
             ORDER BY joined_at, id",
            args![bot.as_str(), session.as_str()],
        )
        .await
    }

    async fn offer_waitlist_seat(
        &self,
        bot: &BotId,
        session: &SessionId,
        until: DateTime<Utc>,
    ) -> StoreResult<Option<WaitlistEntry>> {
        let (bot, session) = (bot.to_string(), session.to_string());
        self.write(move |tx| {
            let Some(entry) = one::<WaitlistEntry>(
                tx,
                "SELECT doc FROM waitlist WHERE bot = ? AND session = ? AND status = 'waiting' \
                 ORDER BY joined_at, id LIMIT 1",
                &args![&bot, &session],
            )?
            else {
                return Ok(None);
            };
            if take_seat(tx, &bot, &session)?.is_some() {
                return Ok(None);
            }
            let until_ms = until.timestamp_millis();
            transition(
                tx,
                &bot,
                entry.id.as_str(),
                WaitlistStatus::Offered,
                Some(until_ms),
                None,
            )?
            .ok_or_else(|| backend_error("waitlist entry changed inside a write transaction"))?;
            Ok(Some(WaitlistEntry {
                status: WaitlistStatus::Offered,
                offered_until: Some(until),
                ..entry
            }))
        })
        .await
    }

    async fn leave_waitlist(&self, bot: &BotId, id: &WaitlistId) -> StoreResult<Option<WaitlistEntry>> {
        self.end_entry(bot, id, WaitlistStatus::Left, None).await
    }

    async fn expire_waitlist_offer(
        &self,
        bot: &BotId,
        id: &WaitlistId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<WaitlistEntry>> {
        self.end_entry(bot, id, WaitlistStatus::Expired, Some(now.timestamp_millis()))
            .await
    }

    async fn list_lapsed_waitlist_offers(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<WaitlistEntry>> {
        self.fetch_all(
            "SELECT doc FROM waitlist WHERE status = 'offered' AND offered_until <= ? ORDER BY offered_until LIMIT ?",
            args![now.timestamp_millis(), i64::from(limit)],
        )
        .await
    }

    async fn book_from_waitlist(&self, entry: &WaitlistId, booking: &Booking) -> StoreResult<BookOutcome> {
        let (entry, booking) = (entry.to_string(), booking.clone());
        self.write(move |tx| {
            let bot = booking.bot.as_str();
            let claimed = run(
                tx,
                "UPDATE waitlist SET doc = json_set(doc, '$.status', 'claimed') \
                 WHERE bot = ? AND id = ? AND status = 'offered' AND session = ? AND contact = ? AND offered_until > ?",
                &args![
                    bot,
                    &entry,
                    booking.session.as_str(),
                    booking.contact.as_str(),
                    booking.created_at.timestamp_millis()
                ],
            )
            .map_err(backend_error)?;
            let outcome = if claimed == 0 {
                BookOutcome::NotActive
            } else if !insert_active(tx, &booking)? {
                BookOutcome::AlreadyBooked
            } else if let Payment::Credit { wallet } = &booking.payment
                && !change_credit(tx, bot, wallet, -1, booking.created_at)?
            {
                BookOutcome::NoCredit
            } else {
                BookOutcome::Booked
            };
            Ok(settle(tx, outcome))
        })
        .await
    }
}

impl SqliteStore {
    /// Ends an entry in line; a seat it held goes back to the session.
    async fn end_entry(
        &self,
        bot: &BotId,
        id: &WaitlistId,
        to: WaitlistStatus,
        lapsed_by: Option<i64>,
    ) -> StoreResult<Option<WaitlistEntry>> {
        let (bot, id) = (bot.to_string(), id.to_string());
        self.write(move |tx| {
            let Some(before) = transition(tx, &bot, &id, to, None, lapsed_by)? else {
                return Ok(None);
            };
            if before.status == WaitlistStatus::Offered {
                free_seat(tx, &bot, before.session.as_str())?;
            }
            Ok(Some(WaitlistEntry { status: to, ..before }))
        })
        .await
    }
}
