//! Waitlists. Each entry carries `open: true` while in line (waiting or offered), which a partial
//! unique index turns into "once per contact and session". Steps that touch an entry and a seat
//! take the entry first with a conditional update, then the seat, and undo the first when the
//! second refuses (no multi-document transaction, like bookings).

use super::bookings::seat_key;
use super::{MongoStore, backend_error, is_duplicate, key, to_document, with};
use crate::domain::booking::waitlist::{WaitlistEntry, WaitlistStatus};
use crate::domain::booking::{Booking, Payment};
use crate::domain::{BotId, SessionId, WaitlistId};
use crate::store::{BookOutcome, BookingStore, CatalogStore, SeatOutcome, StoreResult, WaitlistStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mongodb::bson::{Document, doc};
use mongodb::options::ReturnDocument;

/// How many times a seat taken for an entry that another replica offered first is retried.
const OFFER_ATTEMPTS: usize = 8;

impl MongoStore {
    fn waitlist(&self) -> mongodb::Collection<WaitlistEntry> {
        self.coll("waitlist")
    }

    /// Sets an entry's status when `filter` matches; returns the entry as it was.
    async fn end_entry(&self, filter: Document, to: WaitlistStatus, bot: &BotId) -> StoreResult<Option<WaitlistEntry>> {
        let before = self
            .waitlist()
            .find_one_and_update(filter, doc! { "$set": { "status": to.as_str(), "open": false } })
            .return_document(ReturnDocument::Before)
            .await
            .map_err(backend_error)?;
        let Some(before) = before else { return Ok(None) };
        if before.status == WaitlistStatus::Offered {
            self.release_seat(bot, &before.session).await?;
        }
        Ok(Some(WaitlistEntry { status: to, ..before }))
    }

    /// Puts a claimed entry back to offered (a booking step after the claim refused).
    async fn unclaim(&self, bot: &BotId, entry: &WaitlistId) -> StoreResult<()> {
        self.update_if(
            "waitlist",
            key(bot, entry.as_str()),
            doc! { "$set": { "status": "offered", "open": true } },
        )
        .await?;
        Ok(())
    }
}

#[async_trait]
impl WaitlistStore for MongoStore {
    async fn join_waitlist(&self, entry: &WaitlistEntry) -> StoreResult<bool> {
        let mut doc = to_document(entry)?;
        doc.insert("open", true);
        match self.coll::<Document>("waitlist").insert_one(doc).await {
            Ok(_) => Ok(true),
            Err(e) if is_duplicate(&e) => Ok(false),
            Err(e) => Err(backend_error(e)),
        }
    }

    async fn get_waitlist_entry(&self, bot: &BotId, id: &WaitlistId) -> StoreResult<WaitlistEntry> {
        self.find_one("waitlist", key(bot, id.as_str())).await
    }

    async fn list_waitlist(&self, bot: &BotId, session: &SessionId) -> StoreResult<Vec<WaitlistEntry>> {
        self.find_all(
            "waitlist",
            doc! { "bot": bot.as_str(), "session": session.as_str(), "status": { "$in": ["waiting", "offered"] } },
            doc! { "joined_at": 1, "id": 1 },
            None,
        )
        .await
    }

    async fn offer_waitlist_seat(
        &self,
        bot: &BotId,
        session: &SessionId,
        until: DateTime<Utc>,
    ) -> StoreResult<Option<WaitlistEntry>> {
        for _ in 0..OFFER_ATTEMPTS {
            let first: Option<WaitlistEntry> = self
                .waitlist()
                .find_one(doc! { "bot": bot.as_str(), "session": session.as_str(), "status": "waiting" })
                .sort(doc! { "joined_at": 1, "id": 1 })
                .await
                .map_err(backend_error)?;
            let Some(first) = first else { return Ok(None) };
            if !matches!(self.reserve_seat(bot, session).await?, SeatOutcome::Reserved { .. }) {
                return Ok(None);
            }
            let offered = self
                .waitlist()
                .find_one_and_update(
                    with(key(bot, first.id.as_str()), doc! { "status": "waiting" }),
                    doc! { "$set": { "status": "offered", "offered_until": until.timestamp_millis() } },
                )
                .return_document(ReturnDocument::After)
                .await
                .map_err(backend_error)?;
            if offered.is_some() {
                return Ok(offered);
            }
            // Another replica offered (or the contact left) first: give the seat back, look again.
            self.release_seat(bot, session).await?;
        }
        Ok(None)
    }

    async fn leave_waitlist(&self, bot: &BotId, id: &WaitlistId) -> StoreResult<Option<WaitlistEntry>> {
        let filter = with(
            key(bot, id.as_str()),
            doc! { "status": { "$in": ["waiting", "offered"] } },
        );
        self.end_entry(filter, WaitlistStatus::Left, bot).await
    }

    async fn expire_waitlist_offer(
        &self,
        bot: &BotId,
        id: &WaitlistId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<WaitlistEntry>> {
        let filter = with(
            key(bot, id.as_str()),
            doc! { "status": "offered", "offered_until": { "$lte": now.timestamp_millis() } },
        );
        self.end_entry(filter, WaitlistStatus::Expired, bot).await
    }

    async fn list_lapsed_waitlist_offers(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<WaitlistEntry>> {
        self.find_all(
            "waitlist",
            doc! { "status": "offered", "offered_until": { "$lte": now.timestamp_millis() } },
            doc! { "offered_until": 1 },
            Some(i64::from(limit)),
        )
        .await
    }

    async fn book_from_waitlist(&self, entry: &WaitlistId, booking: &Booking) -> StoreResult<BookOutcome> {
        let bot = &booking.bot;
        let filter = with(
            key(bot, entry.as_str()),
            doc! {
                "status": "offered",
                "session": booking.session.as_str(),
                "contact": booking.contact.as_str(),
                "offered_until": { "$gt": booking.created_at.timestamp_millis() },
            },
        );
        if !self
            .update_if(
                "waitlist",
                filter,
                doc! { "$set": { "status": "claimed", "open": false } },
            )
            .await?
        {
            return Ok(BookOutcome::NotActive);
        }
        let mut seat = seat_key(booking);
        seat.insert("booking", booking.id.as_str());
        match self.coll::<Document>("active_bookings").insert_one(seat).await {
            Ok(_) => {}
            Err(e) if is_duplicate(&e) => {
                self.unclaim(bot, entry).await?;
                return Ok(BookOutcome::AlreadyBooked);
            }
            Err(e) => {
                self.unclaim(bot, entry).await?;
                return Err(backend_error(e));
            }
        }
        let undo_seat = || async {
            self.coll::<Document>("active_bookings")
                .delete_one(seat_key(booking))
                .await
                .map_err(backend_error)?;
            self.unclaim(bot, entry).await
        };
        if let Payment::Credit { wallet } = &booking.payment
            && !self.take_credit(bot, wallet, booking.created_at).await?
        {
            undo_seat().await?;
            return Ok(BookOutcome::NoCredit);
        }
        if let Err(error) = self.insert("bookings", booking, "booking", booking.id.as_str()).await {
            if let Payment::Credit { wallet } = &booking.payment {
                self.give_back_credit(bot, wallet).await?;
            }
            undo_seat().await?;
            return Err(error);
        }
        Ok(BookOutcome::Booked)
    }
}
