//! Waitlists: each step that moves a seat (offer, leave, expire, claim) is one transaction on the
//! single writer connection.

use super::bookings::{Tx, change_credit, free_seat, insert_active, take_seat};
use super::{SqliteStore, args, backend_error, from_doc, query, write_error};
use crate::domain::booking::waitlist::{WaitlistEntry, WaitlistStatus};
use crate::domain::booking::{Booking, Payment};
use crate::domain::{BotId, SessionId, WaitlistId};
use crate::store::{BookOutcome, StoreResult, WaitlistStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Sets an entry's status (and `offered_until`) when its current status is one of `from`
/// (and, for an expiry, its offer ran out by `lapsed_by`); returns the entry as it was.
async fn transition(
    tx: &mut Tx<'_>,
    bot: &str,
    id: &str,
    to: WaitlistStatus,
    until: Option<i64>,
    lapsed_by: Option<i64>,
) -> StoreResult<Option<WaitlistEntry>> {
    let before = query(
        "SELECT doc FROM waitlist WHERE bot = ? AND id = ? AND status IN ('waiting', 'offered')",
        args![bot, id],
    )
    .fetch_optional(&mut **tx)
    .await
    .map_err(backend_error)?;
    let Some(before) = before else { return Ok(None) };
    let entry: WaitlistEntry = from_doc(&before)?;
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
        Some(until) => query(
            "UPDATE waitlist SET doc = json_set(doc, '$.status', ?, '$.offered_until', ?) WHERE bot = ? AND id = ?",
            args![to.as_str(), until, bot, id],
        ),
        None => query(
            "UPDATE waitlist SET doc = json_set(doc, '$.status', ?) WHERE bot = ? AND id = ?",
            args![to.as_str(), bot, id],
        ),
    }
    .execute(&mut **tx)
    .await
    .map_err(backend_error)?;
    Ok(Some(entry))
}

#[async_trait]
impl WaitlistStore for SqliteStore {
    async fn join_waitlist(&self, entry: &WaitlistEntry) -> StoreResult<bool> {
        let inserted = query("INSERT INTO waitlist (doc) VALUES (?)", args![super::to_doc(entry)?])
            .execute(&self.writer)
            .await;
        match inserted {
            Ok(_) => Ok(true),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() && e.message().contains("session") => Ok(false),
            Err(e) => Err(write_error(e, "waitlist entry", entry.id.as_str())),
        }
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
        let mut tx = self.writer.begin().await.map_err(backend_error)?;
        let first = query(
            "SELECT doc FROM waitlist WHERE bot = ? AND session = ? AND status = 'waiting' \
             ORDER BY joined_at, id LIMIT 1",
            args![bot.as_str(), session.as_str()],
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        let Some(first) = first else { return Ok(None) };
        let entry: WaitlistEntry = from_doc(&first)?;
        if take_seat(&mut tx, bot.as_str(), session.as_str()).await?.is_some() {
            return Ok(None);
        }
        let until_ms = until.timestamp_millis();
        transition(
            &mut tx,
            bot.as_str(),
            entry.id.as_str(),
            WaitlistStatus::Offered,
            Some(until_ms),
            None,
        )
        .await?
        .ok_or_else(|| backend_error("waitlist entry changed inside a write transaction"))?;
        tx.commit().await.map_err(backend_error)?;
        Ok(Some(WaitlistEntry {
            status: WaitlistStatus::Offered,
            offered_until: Some(until),
            ..entry
        }))
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
        let bot = booking.bot.as_str();
        let mut tx = self.writer.begin().await.map_err(backend_error)?;
        let claimed = query(
            "UPDATE waitlist SET doc = json_set(doc, '$.status', 'claimed') \
             WHERE bot = ? AND id = ? AND status = 'offered' AND session = ? AND contact = ? AND offered_until > ?",
            args![
                bot,
                entry.as_str(),
                booking.session.as_str(),
                booking.contact.as_str(),
                booking.created_at.timestamp_millis()
            ],
        )
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        if claimed.rows_affected() == 0 {
            return Ok(BookOutcome::NotActive);
        }
        if !insert_active(&mut tx, booking).await? {
            return Ok(BookOutcome::AlreadyBooked);
        }
        if let Payment::Credit { wallet } = &booking.payment
            && !change_credit(&mut tx, bot, wallet, -1, booking.created_at).await?
        {
            return Ok(BookOutcome::NoCredit);
        }
        tx.commit().await.map_err(backend_error)?;
        Ok(BookOutcome::Booked)
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
        let mut tx = self.writer.begin().await.map_err(backend_error)?;
        let Some(before) = transition(&mut tx, bot.as_str(), id.as_str(), to, None, lapsed_by).await? else {
            return Ok(None);
        };
        if before.status == WaitlistStatus::Offered {
            free_seat(&mut tx, bot.as_str(), before.session.as_str()).await?;
        }
        tx.commit().await.map_err(backend_error)?;
        Ok(Some(WaitlistEntry { status: to, ..before }))
    }
}
