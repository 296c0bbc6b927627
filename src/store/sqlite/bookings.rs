//! Bookings and credit wallets.

use super::{SqliteStore, args, backend_error, from_doc, query, to_doc, write_error};
use crate::domain::booking::{Booking, BookingStatus, Payment, Wallet};
use crate::domain::{BookingId, BotId, ContactId, SessionId, WalletId};
use crate::store::BookingStore;
use crate::store::{BookOutcome, StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

#[async_trait]
impl BookingStore for SqliteStore {
    async fn find_booking_by_reference(&self, bot: &BotId, reference: &str) -> StoreResult<Option<Booking>> {
        self.fetch_optional(
            "SELECT doc FROM bookings WHERE bot = ? AND reference = ? AND status IN ('pending_payment', 'confirmed')",
            args![bot.as_str(), reference],
        )
        .await
    }

    async fn check_in(&self, bot: &BotId, id: &BookingId, at: DateTime<Utc>) -> StoreResult<bool> {
        let changed = self
            .execute(
                "UPDATE bookings SET doc = json_set(doc, '$.checked_in_at', ?) \
                 WHERE bot = ? AND id = ? AND status = 'confirmed' AND (doc ->> '$.checked_in_at') IS NULL",
                args![at.timestamp_millis(), bot.as_str(), id.as_str()],
            )
            .await?;
        Ok(changed == 1)
    }

    async fn book(&self, booking: &Booking) -> StoreResult<BookOutcome> {
        let mut tx = self.writer.begin().await.map_err(backend_error)?;
        let outcome = self.book_in(&mut tx, booking, true).await?;
        if outcome == BookOutcome::Booked {
            tx.commit().await.map_err(backend_error)?;
        }
        Ok(outcome)
    }

    async fn cancel_booking(&self, bot: &BotId, id: &BookingId, refund_credit: bool) -> StoreResult<Option<Booking>> {
        let mut tx = self.writer.begin().await.map_err(backend_error)?;
        let Some(booking) = Self::end_in(&mut tx, bot.as_str(), id.as_str(), "cancelled", None).await? else {
            return Ok(None);
        };
        if let (true, Payment::Credit { wallet }) = (refund_credit, &booking.payment) {
            change_credit(&mut tx, bot.as_str(), wallet, 1, booking.created_at).await?;
        }
        tx.commit().await.map_err(backend_error)?;
        Ok(Some(Booking {
            status: BookingStatus::Cancelled,
            ..booking
        }))
    }

    async fn move_booking(&self, old: &BookingId, new: &Booking) -> StoreResult<BookOutcome> {
        let mut tx = self.writer.begin().await.map_err(backend_error)?;
        if Self::end_in(&mut tx, new.bot.as_str(), old.as_str(), "cancelled", None)
            .await?
            .is_none()
        {
            return Ok(BookOutcome::NotActive);
        }
        let outcome = self.book_in(&mut tx, new, false).await?;
        if outcome == BookOutcome::Booked {
            tx.commit().await.map_err(backend_error)?;
        }
        Ok(outcome)
    }

    async fn expire_hold(&self, bot: &BotId, id: &BookingId, now: DateTime<Utc>) -> StoreResult<bool> {
        let mut tx = self.writer.begin().await.map_err(backend_error)?;
        let ended = Self::end_in(
            &mut tx,
            bot.as_str(),
            id.as_str(),
            "expired",
            Some(now.timestamp_millis()),
        )
        .await?;
        tx.commit().await.map_err(backend_error)?;
        Ok(ended.is_some())
    }

    async fn list_expired_holds(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Booking>> {
        self.fetch_all(
            "SELECT doc FROM bookings WHERE status = 'pending_payment' AND (doc ->> '$.hold_until') <= ? \
             ORDER BY doc ->> '$.hold_until' LIMIT ?",
            args![now.timestamp_millis(), i64::from(limit)],
        )
        .await
    }

    async fn insert_booking(&self, booking: &Booking) -> StoreResult<()> {
        self.insert_doc(
            "INSERT INTO bookings (doc) VALUES (?)",
            booking,
            "booking",
            booking.id.as_str(),
        )
        .await
    }

    async fn update_booking(&self, booking: &Booking) -> StoreResult<()> {
        self.update_one(
            "UPDATE bookings SET doc = ? WHERE bot = ? AND id = ?",
            args![to_doc(booking)?, booking.bot.as_str(), booking.id.as_str()],
        )
        .await
    }

    async fn get_booking(&self, bot: &BotId, id: &BookingId) -> StoreResult<Booking> {
        self.fetch_one(
            "SELECT doc FROM bookings WHERE bot = ? AND id = ?",
            args![bot.as_str(), id.as_str()],
        )
        .await
    }

    async fn list_bookings_for_contact(&self, bot: &BotId, contact: &ContactId) -> StoreResult<Vec<Booking>> {
        self.fetch_all(
            "SELECT doc FROM bookings WHERE bot = ? AND contact = ? ORDER BY id",
            args![bot.as_str(), contact.as_str()],
        )
        .await
    }

    async fn list_bookings_for_session(&self, bot: &BotId, session: &SessionId) -> StoreResult<Vec<Booking>> {
        self.fetch_all(
            "SELECT doc FROM bookings WHERE bot = ? AND session = ? ORDER BY id",
            args![bot.as_str(), session.as_str()],
        )
        .await
    }

    async fn insert_wallet(&self, wallet: &Wallet) -> StoreResult<()> {
        self.insert_doc(
            "INSERT INTO wallets (doc) VALUES (?)",
            wallet,
            "wallet",
            wallet.id.as_str(),
        )
        .await
    }

    async fn get_wallet(&self, bot: &BotId, id: &WalletId) -> StoreResult<Wallet> {
        self.fetch_one(
            "SELECT doc FROM wallets WHERE bot = ? AND id = ?",
            args![bot.as_str(), id.as_str()],
        )
        .await
    }

    async fn list_wallets(&self, bot: &BotId, contact: &ContactId) -> StoreResult<Vec<Wallet>> {
        self.fetch_all(
            "SELECT doc FROM wallets WHERE bot = ? AND contact = ? ORDER BY id",
            args![bot.as_str(), contact.as_str()],
        )
        .await
    }

    async fn take_credit(&self, bot: &BotId, id: &WalletId, now: DateTime<Utc>) -> StoreResult<bool> {
        let changed = self
            .execute(
                "UPDATE wallets SET doc = json_set(doc, '$.credits_left', (doc ->> '$.credits_left') - 1) \
                 WHERE bot = ? AND id = ? AND (doc ->> '$.credits_left') > 0 AND (doc ->> '$.expires_at') > ?",
                args![bot.as_str(), id.as_str(), now.timestamp_millis()],
            )
            .await?;
        if changed == 0 {
            self.get_wallet(bot, id).await?;
        }
        Ok(changed == 1)
    }

    async fn give_back_credit(&self, bot: &BotId, id: &WalletId) -> StoreResult<()> {
        self.update_one(
            "UPDATE wallets SET doc = json_set(doc, '$.credits_left', (doc ->> '$.credits_left') + 1) \
             WHERE bot = ? AND id = ?",
            args![bot.as_str(), id.as_str()],
        )
        .await
    }
}

pub(super) type Tx<'a> = sqlx::Transaction<'a, sqlx::Sqlite>;

/// Takes a seat inside a transaction; `None` when taken, else why not.
pub(super) async fn take_seat(tx: &mut Tx<'_>, bot: &str, session: &str) -> StoreResult<Option<BookOutcome>> {
    let taken = query(
        "UPDATE sessions SET doc = json_set(doc, '$.seats_taken', (doc ->> '$.seats_taken') + 1) \
         WHERE bot = ? AND id = ? AND NOT (doc ->> '$.cancelled') AND (doc ->> '$.seats_taken') < (doc ->> '$.capacity')",
        args![bot, session],
    )
    .execute(&mut **tx)
    .await
    .map_err(backend_error)?;
    if taken.rows_affected() == 1 {
        return Ok(None);
    }
    let row = query(
        "SELECT doc ->> '$.cancelled' FROM sessions WHERE bot = ? AND id = ?",
        args![bot, session],
    )
    .fetch_optional(&mut **tx)
    .await
    .map_err(backend_error)?
    .ok_or(StoreError::NotFound)?;
    let cancelled: bool = row.try_get(0).map_err(backend_error)?;
    Ok(Some(if cancelled {
        BookOutcome::SessionCancelled
    } else {
        BookOutcome::Full
    }))
}

pub(super) async fn free_seat(tx: &mut Tx<'_>, bot: &str, session: &str) -> StoreResult<()> {
    query(
        "UPDATE sessions SET doc = json_set(doc, '$.seats_taken', (doc ->> '$.seats_taken') - 1) \
         WHERE bot = ? AND id = ? AND (doc ->> '$.seats_taken') > 0",
        args![bot, session],
    )
    .execute(&mut **tx)
    .await
    .map_err(backend_error)?;
    Ok(())
}

pub(super) async fn change_credit(
    tx: &mut Tx<'_>,
    bot: &str,
    wallet: &WalletId,
    delta: i64,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let changed = query(
        "UPDATE wallets SET doc = json_set(doc, '$.credits_left', (doc ->> '$.credits_left') + ?) \
         WHERE bot = ? AND id = ? AND (? > 0 OR ((doc ->> '$.credits_left') > 0 AND (doc ->> '$.expires_at') > ?))",
        args![delta, bot, wallet.as_str(), delta, now.timestamp_millis()],
    )
    .execute(&mut **tx)
    .await
    .map_err(backend_error)?;
    Ok(changed.rows_affected() == 1)
}

/// Inserts a booking; `false` when the contact already holds a seat in that session.
pub(super) async fn insert_active(tx: &mut Tx<'_>, booking: &Booking) -> StoreResult<bool> {
    match query("INSERT INTO bookings (doc) VALUES (?)", args![to_doc(booking)?])
        .execute(&mut **tx)
        .await
    {
        Ok(_) => Ok(true),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() && e.message().contains("session") => Ok(false),
        Err(e) => Err(write_error(e, "booking", booking.id.as_str())),
    }
}

impl SqliteStore {
    async fn book_in(&self, tx: &mut Tx<'_>, booking: &Booking, take_credit: bool) -> StoreResult<BookOutcome> {
        let bot = booking.bot.as_str();
        if !insert_active(tx, booking).await? {
            return Ok(BookOutcome::AlreadyBooked);
        }
        if let Some(refused) = take_seat(tx, bot, booking.session.as_str()).await? {
            return Ok(refused);
        }
        if let (true, Payment::Credit { wallet }) = (take_credit, &booking.payment)
            && !change_credit(tx, bot, wallet, -1, booking.created_at).await?
        {
            return Ok(BookOutcome::NoCredit);
        }
        Ok(BookOutcome::Booked)
    }

    /// Marks an active booking cancelled (or expired) inside a transaction and frees its seat.
    async fn end_in(
        tx: &mut Tx<'_>,
        bot: &str,
        id: &str,
        status: &str,
        only_pending_before: Option<i64>,
    ) -> StoreResult<Option<Booking>> {
        let row = match only_pending_before {
            None => query(
                "UPDATE bookings SET doc = json_set(doc, '$.status', ?) \
                 WHERE bot = ? AND id = ? AND status IN ('pending_payment', 'confirmed') RETURNING doc",
                args![status, bot, id],
            ),
            Some(now) => query(
                "UPDATE bookings SET doc = json_set(doc, '$.status', ?) \
                 WHERE bot = ? AND id = ? AND status = 'pending_payment' AND (doc ->> '$.hold_until') <= ? RETURNING doc",
                args![status, bot, id, now],
            ),
        }
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend_error)?;
        let Some(row) = row else { return Ok(None) };
        let booking: Booking = from_doc(&row)?;
        free_seat(tx, bot, booking.session.as_str()).await?;
        Ok(Some(booking))
    }
}
