//! Bookings and credit wallets.

use super::{SqliteStore, Tx, args, backend_error, one, run, scalar, to_doc, unique_violation, write_error};
use crate::domain::booking::{Booking, BookingStatus, Payment, Wallet};
use crate::domain::{BookingId, BotId, ContactId, SessionId, WalletId};
use crate::store::BookingStore;
use crate::store::{BookOutcome, StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::Connection;

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
        let booking = booking.clone();
        self.write(move |tx| book_in(tx, &booking, true)).await
    }

    async fn cancel_booking(&self, bot: &BotId, id: &BookingId, refund_credit: bool) -> StoreResult<Option<Booking>> {
        let (bot, id) = (bot.to_string(), id.to_string());
        self.write(move |tx| {
            let Some(booking) = end_in(tx, &bot, &id, "cancelled", None)? else {
                return Ok(None);
            };
            if let (true, Payment::Credit { wallet }) = (refund_credit, &booking.payment) {
                change_credit(tx, &bot, wallet, 1, booking.created_at)?;
            }
            Ok(Some(Booking {
                status: BookingStatus::Cancelled,
                ..booking
            }))
        })
        .await
    }

    async fn move_booking(&self, old: &BookingId, new: &Booking) -> StoreResult<BookOutcome> {
        let (old, new) = (old.to_string(), new.clone());
        self.write(move |tx| {
            if end_in(tx, new.bot.as_str(), &old, "cancelled", None)?.is_none() {
                return Ok(BookOutcome::NotActive);
            }
            book_in(tx, &new, false)
        })
        .await
    }

    async fn expire_hold(&self, bot: &BotId, id: &BookingId, now: DateTime<Utc>) -> StoreResult<bool> {
        let (bot, id) = (bot.to_string(), id.to_string());
        self.write(move |tx| {
            let ended = end_in(tx, &bot, &id, "expired", Some(now.timestamp_millis()))?;
            Ok(ended.is_some())
        })
        .await
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

/// Takes a seat; `None` when taken, else why not.
pub(super) fn take_seat(conn: &Connection, bot: &str, session: &str) -> StoreResult<Option<BookOutcome>> {
    let taken = run(
        conn,
        "UPDATE sessions SET doc = json_set(doc, '$.seats_taken', (doc ->> '$.seats_taken') + 1) \
         WHERE bot = ? AND id = ? AND NOT (doc ->> '$.cancelled') AND (doc ->> '$.seats_taken') < (doc ->> '$.capacity')",
        &args![bot, session],
    )
    .map_err(backend_error)?;
    if taken == 1 {
        return Ok(None);
    }
    let cancelled: bool = scalar(
        conn,
        "SELECT doc ->> '$.cancelled' FROM sessions WHERE bot = ? AND id = ?",
        &args![bot, session],
    )?
    .ok_or(StoreError::NotFound)?;
    Ok(Some(if cancelled {
        BookOutcome::SessionCancelled
    } else {
        BookOutcome::Full
    }))
}

pub(super) fn free_seat(conn: &Connection, bot: &str, session: &str) -> StoreResult<()> {
    run(
        conn,
        "UPDATE sessions SET doc = json_set(doc, '$.seats_taken', (doc ->> '$.seats_taken') - 1) \
         WHERE bot = ? AND id = ? AND (doc ->> '$.seats_taken') > 0",
        &args![bot, session],
    )
    .map_err(backend_error)?;
    Ok(())
}

pub(super) fn change_credit(
    conn: &Connection,
    bot: &str,
    wallet: &WalletId,
    delta: i64,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let changed = run(
        conn,
        "UPDATE wallets SET doc = json_set(doc, '$.credits_left', (doc ->> '$.credits_left') + ?) \
         WHERE bot = ? AND id = ? AND (? > 0 OR ((doc ->> '$.credits_left') > 0 AND (doc ->> '$.expires_at') > ?))",
        &args![delta, bot, wallet.as_str(), delta, now.timestamp_millis()],
    )
    .map_err(backend_error)?;
    Ok(changed == 1)
}

/// Inserts a booking; `false` when the contact already holds a seat in that session.
pub(super) fn insert_active(conn: &Connection, booking: &Booking) -> StoreResult<bool> {
    match run(conn, "INSERT INTO bookings (doc) VALUES (?)", &args![to_doc(booking)?]) {
        Ok(_) => Ok(true),
        Err(e) if unique_violation(&e, "session") => Ok(false),
        Err(e) => Err(write_error(e, "booking", booking.id.as_str())),
    }
}

/// Inserts the booking and takes its seat (and a credit); anything refused rolls it all back.
fn book_in(tx: &Tx, booking: &Booking, take_credit: bool) -> StoreResult<BookOutcome> {
    let bot = booking.bot.as_str();
    let outcome = if !insert_active(tx, booking)? {
        BookOutcome::AlreadyBooked
    } else if let Some(refused) = take_seat(tx, bot, booking.session.as_str())? {
        refused
    } else if let (true, Payment::Credit { wallet }) = (take_credit, &booking.payment)
        && !change_credit(tx, bot, wallet, -1, booking.created_at)?
    {
        BookOutcome::NoCredit
    } else {
        BookOutcome::Booked
    };
    Ok(settle(tx, outcome))
}

/// Keeps the write only when the booking was made: a refusal undoes whatever it had written.
pub(super) fn settle(tx: &Tx, outcome: BookOutcome) -> BookOutcome {
    if outcome != BookOutcome::Booked {
        tx.discard();
    }
    outcome
}

/// Marks an active booking cancelled (or expired) and frees its seat.
fn end_in(
    conn: &Connection,
    bot: &str,
    id: &str,
    status: &str,
    only_pending_before: Option<i64>,
) -> StoreResult<Option<Booking>> {
    let booking: Option<Booking> = match only_pending_before {
        None => one(
            conn,
            "UPDATE bookings SET doc = json_set(doc, '$.status', ?) \
             WHERE bot = ? AND id = ? AND status IN ('pending_payment', 'confirmed') RETURNING doc",
            &args![status, bot, id],
        ),
        Some(now) => one(
            conn,
            "UPDATE bookings SET doc = json_set(doc, '$.status', ?) \
             WHERE bot = ? AND id = ? AND status = 'pending_payment' AND (doc ->> '$.hold_until') <= ? RETURNING doc",
            &args![status, bot, id, now],
        ),
    }?;
    let Some(booking) = booking else { return Ok(None) };
    free_seat(conn, bot, booking.session.as_str())?;
    Ok(Some(booking))
}
