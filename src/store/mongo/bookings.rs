//! Bookings and credit wallets.

use super::{MongoStore, backend_error, is_duplicate, key, with};
use crate::domain::booking::{Booking, Payment, Wallet};
use crate::domain::{BookingId, BotId, ContactId, SessionId, WalletId};
use crate::store::{BookOutcome, BookingStore, CatalogStore, SeatOutcome, StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mongodb::bson::{Document, doc};
use mongodb::options::ReturnDocument;

/// One document per held seat in `active_bookings`, unique per session and contact: MongoDB's
/// way of saying "one seat per contact and session" (a partial index on `status` would need
/// `$in`, which partial indexes do not take).
pub(super) fn seat_key(booking: &Booking) -> Document {
    doc! { "bot": booking.bot.as_str(), "session": booking.session.as_str(), "contact": booking.contact.as_str() }
}

impl MongoStore {
    /// Takes the contact's place and a seat, in that order, undoing what was done when a later
    /// step refuses; `None` when both are taken.
    async fn hold_seat(&self, booking: &Booking) -> StoreResult<Option<BookOutcome>> {
        let mut key = seat_key(booking);
        key.insert("booking", booking.id.as_str());
        match self.coll::<Document>("active_bookings").insert_one(key).await {
            Ok(_) => {}
            Err(e) if is_duplicate(&e) => return Ok(Some(BookOutcome::AlreadyBooked)),
            Err(e) => return Err(backend_error(e)),
        }
        match self.reserve_seat(&booking.bot, &booking.session).await {
            Ok(SeatOutcome::Reserved { .. }) => Ok(None),
            refused => {
                self.coll::<Document>("active_bookings")
                    .delete_one(seat_key(booking))
                    .await
                    .map_err(backend_error)?;
                match refused? {
                    SeatOutcome::Cancelled => Ok(Some(BookOutcome::SessionCancelled)),
                    _ => Ok(Some(BookOutcome::Full)),
                }
            }
        }
    }

    /// Gives back what `hold_seat` took.
    async fn release_hold(&self, booking: &Booking) -> StoreResult<()> {
        self.release_seat(&booking.bot, &booking.session).await?;
        self.coll::<Document>("active_bookings")
            .delete_one(seat_key(booking))
            .await
            .map_err(backend_error)?;
        Ok(())
    }

    /// Sets the status of an active booking (of a pending one held until before `expired_at`), once.
    async fn end(
        &self,
        bot: &BotId,
        id: &BookingId,
        status: &str,
        expired_at: Option<i64>,
    ) -> StoreResult<Option<Booking>> {
        let mut filter = key(bot, id.as_str());
        match expired_at {
            None => filter.insert("status", doc! { "$in": ["pending_payment", "confirmed"] }),
            Some(now) => {
                filter.insert("hold_until", doc! { "$lte": now });
                filter.insert("status", "pending_payment")
            }
        };
        let ended = self
            .coll::<Booking>("bookings")
            .find_one_and_update(filter, doc! { "$set": { "status": status } })
            .return_document(ReturnDocument::After)
            .await
            .map_err(backend_error)?;
        if let Some(booking) = &ended {
            self.release_hold(booking).await?;
        }
        Ok(ended)
    }
}

#[async_trait]
impl BookingStore for MongoStore {
    async fn find_booking_by_reference(&self, bot: &BotId, reference: &str) -> StoreResult<Option<Booking>> {
        let filter =
            doc! { "bot": bot.as_str(), "reference": reference, "status": { "$in": ["pending_payment", "confirmed"] } };
        self.find_optional("bookings", filter).await
    }

    async fn check_in(&self, bot: &BotId, id: &BookingId, at: DateTime<Utc>) -> StoreResult<bool> {
        let filter = with(
            key(bot, id.as_str()),
            doc! { "status": "confirmed", "checked_in_at": null },
        );
        self.update_if(
            "bookings",
            filter,
            doc! { "$set": { "checked_in_at": at.timestamp_millis() } },
        )
        .await
    }

    async fn book(&self, booking: &Booking) -> StoreResult<BookOutcome> {
        if let Some(refused) = self.hold_seat(booking).await? {
            return Ok(refused);
        }
        if let Payment::Credit { wallet } = &booking.payment
            && !self.take_credit(&booking.bot, wallet, booking.created_at).await?
        {
            self.release_hold(booking).await?;
            return Ok(BookOutcome::NoCredit);
        }
        if let Err(error) = self.insert("bookings", booking, "booking", booking.id.as_str()).await {
            if let Payment::Credit { wallet } = &booking.payment {
                self.give_back_credit(&booking.bot, wallet).await?;
            }
            self.release_hold(booking).await?;
            return Err(error);
        }
        Ok(BookOutcome::Booked)
    }

    async fn cancel_booking(&self, bot: &BotId, id: &BookingId, refund_credit: bool) -> StoreResult<Option<Booking>> {
        let Some(booking) = self.end(bot, id, "cancelled", None).await? else {
            return Ok(None);
        };
        if let (true, Payment::Credit { wallet }) = (refund_credit, &booking.payment) {
            self.give_back_credit(bot, wallet).await?;
        }
        Ok(Some(booking))
    }

    async fn move_booking(&self, old: &BookingId, new: &Booking) -> StoreResult<BookOutcome> {
        let current = match self.get_booking(&new.bot, old).await {
            Ok(current) if current.is_active() => current,
            Ok(_) | Err(StoreError::NotFound) => return Ok(BookOutcome::NotActive),
            Err(e) => return Err(e),
        };
        if current.session != new.session
            && let Some(refused) = self.hold_seat(new).await?
        {
            return Ok(refused);
        }
        if let Err(error) = self.insert("bookings", new, "booking", new.id.as_str()).await {
            if current.session != new.session {
                self.release_hold(new).await?;
            }
            return Err(error);
        }
        let filter = with(
            key(&new.bot, old.as_str()),
            doc! { "status": { "$in": ["pending_payment", "confirmed"] } },
        );
        if !self
            .update_if("bookings", filter, doc! { "$set": { "status": "cancelled" } })
            .await?
        {
            self.coll::<Document>("bookings")
                .delete_one(key(&new.bot, new.id.as_str()))
                .await
                .map_err(backend_error)?;
            if current.session != new.session {
                self.release_hold(new).await?;
            }
            return Ok(BookOutcome::NotActive);
        }
        if current.session != new.session {
            self.release_hold(&current).await?;
        } else {
            self.coll::<Document>("active_bookings")
                .update_one(seat_key(&current), doc! { "$set": { "booking": new.id.as_str() } })
                .await
                .map_err(backend_error)?;
        }
        Ok(BookOutcome::Booked)
    }

    async fn expire_hold(&self, bot: &BotId, id: &BookingId, now: DateTime<Utc>) -> StoreResult<bool> {
        Ok(self
            .end(bot, id, "expired", Some(now.timestamp_millis()))
            .await?
            .is_some())
    }

    async fn list_expired_holds(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Booking>> {
        let filter = doc! { "status": "pending_payment", "hold_until": { "$lte": now.timestamp_millis() } };
        self.find_all("bookings", filter, doc! { "hold_until": 1 }, Some(i64::from(limit)))
            .await
    }

    async fn insert_booking(&self, booking: &Booking) -> StoreResult<()> {
        self.insert("bookings", booking, "booking", booking.id.as_str()).await
    }

    async fn update_booking(&self, booking: &Booking) -> StoreResult<()> {
        self.replace(
            "bookings",
            key(&booking.bot, booking.id.as_str()),
            booking,
            false,
            "booking",
        )
        .await
    }

    async fn get_booking(&self, bot: &BotId, id: &BookingId) -> StoreResult<Booking> {
        self.find_one("bookings", key(bot, id.as_str())).await
    }

    async fn list_bookings_for_contact(&self, bot: &BotId, contact: &ContactId) -> StoreResult<Vec<Booking>> {
        self.find_all(
            "bookings",
            doc! { "bot": bot.as_str(), "contact": contact.as_str() },
            doc! { "id": 1 },
            None,
        )
        .await
    }

    async fn list_bookings_for_session(&self, bot: &BotId, session: &SessionId) -> StoreResult<Vec<Booking>> {
        self.find_all(
            "bookings",
            doc! { "bot": bot.as_str(), "session": session.as_str() },
            doc! { "id": 1 },
            None,
        )
        .await
    }

    async fn insert_wallet(&self, wallet: &Wallet) -> StoreResult<()> {
        self.insert("wallets", wallet, "wallet", wallet.id.as_str()).await
    }

    async fn get_wallet(&self, bot: &BotId, id: &WalletId) -> StoreResult<Wallet> {
        self.find_one("wallets", key(bot, id.as_str())).await
    }

    async fn list_wallets(&self, bot: &BotId, contact: &ContactId) -> StoreResult<Vec<Wallet>> {
        self.find_all(
            "wallets",
            doc! { "bot": bot.as_str(), "contact": contact.as_str() },
            doc! { "id": 1 },
            None,
        )
        .await
    }

    async fn take_credit(&self, bot: &BotId, id: &WalletId, now: DateTime<Utc>) -> StoreResult<bool> {
        let filter = with(
            key(bot, id.as_str()),
            doc! { "credits_left": { "$gt": 0 }, "expires_at": { "$gt": now.timestamp_millis() } },
        );
        let taken = self
            .update_if("wallets", filter, doc! { "$inc": { "credits_left": -1 } })
            .await?;
        if !taken {
            self.get_wallet(bot, id).await?;
        }
        Ok(taken)
    }

    async fn give_back_credit(&self, bot: &BotId, id: &WalletId) -> StoreResult<()> {
        match self
            .update_if("wallets", key(bot, id.as_str()), doc! { "$inc": { "credits_left": 1 } })
            .await?
        {
            true => Ok(()),
            false => Err(StoreError::NotFound),
        }
    }
}
