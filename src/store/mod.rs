//! Persistence: one `Store` trait, held as `Arc<dyn Store>`, with two backends that pass the same
//! conformance suite: an embedded SQLite file (the default: nothing to install) and MongoDB (several
//! replicas side by side).
//!
//! Every operation that must not race (taking a seat, using a promo code, inserting a batch of unique
//! codes, recording an inbound message once, claiming a due outbox row) is atomic here, in the store,
//! never as a read-then-write in the caller.
//!
//! Both backends keep each aggregate as one document (a JSON text in SQLite, a BSON document in
//! MongoDB) serialised from the domain type, with the fields that are looked up or counted indexed
//! by the backend. The two backends therefore share one data model and one set of domain types.

mod chat;
mod error;
pub mod prelude {
    //! The store traits, to call their methods on an `Arc<dyn Store>`.
    pub use super::{
        BookingStore, CatalogStore, ContactStore, MessageStore, PromoStore, Store, WaitlistStore, WebStore,
    };
}
pub mod mongo;
pub mod sqlite;

pub use chat::{ChatRead, ChatSnapshot, Finish, Finished, ReadAt, Versions};
pub use error::{StoreError, StoreResult};

use crate::domain::appearance::Appearance;
use crate::domain::booking::waitlist::WaitlistEntry;
use crate::domain::booking::{Booking, Wallet};
use crate::domain::catalog::{Course, Offer};
use crate::domain::contact::{Contact, Email, Identity, Phone};
use crate::domain::dialogue::ConversationRecord;
use crate::domain::inbound::InboundRecord;
use crate::domain::outbox::{OutboxMessage, WebEvent};
use crate::domain::promo::{PromoBatch, PromoCode, Redemption};
use crate::domain::session::Session;
use crate::domain::{
    BatchId, BookingId, BotId, ContactId, CourseId, OfferId, OutboxId, RedemptionId, SessionId, WaitlistId, WalletId,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A request for one page of a long list, in id order: `after` is the `next` of the previous page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Resume after this key (exclusive); `None` for the first page.
    pub after: Option<String>,
    /// Largest number of items returned.
    pub limit: u32,
}

impl PageRequest {
    /// The first page of at most `limit` items.
    pub fn first(limit: u32) -> Self {
        Self { after: None, limit }
    }
}

/// One page of a list and the cursor of the next one.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items, in key order.
    pub items: Vec<T>,
    /// Pass as `after` to get the next page; `None` on the last page.
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched items: the extra one only says that more exist.
    pub(crate) fn from_overfetch(mut items: Vec<T>, limit: u32, key: impl Fn(&T) -> String) -> Self {
        let limit = limit as usize;
        if items.len() > limit {
            items.truncate(limit);
            let next = items.last().map(&key);
            Self { items, next }
        } else {
            Self { items, next: None }
        }
    }
}

/// The result of trying to take a seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatOutcome {
    /// A seat was taken; this many are now taken.
    Reserved {
        /// Seats taken after this reservation.
        seats_taken: u32,
    },
    /// No seat left.
    Full,
    /// The coach cancelled this session.
    Cancelled,
}

/// The result of trying to book (or move) a seat; anything but `Booked` wrote nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookOutcome {
    /// The seat is the contact's.
    Booked,
    /// No seat left.
    Full,
    /// The coach cancelled the session.
    SessionCancelled,
    /// The contact already holds a seat in that session.
    AlreadyBooked,
    /// The wallet it pays with has no usable credit.
    NoCredit,
    /// The booking being moved is not active any more.
    NotActive,
}

/// The result of trying to use a promo code (its other rules are checked by the domain before).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedeemOutcome {
    /// The use was counted and recorded.
    Redeemed,
    /// The code reached its maximum number of uses.
    UsedUp,
    /// This contact reached the code's per-contact limit.
    AlreadyUsedByContact,
}

/// How much of a batch was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BatchUsage {
    /// Codes in the batch.
    pub codes: u64,
    /// Codes used at least once.
    pub used: u64,
}

/// Everything coachbot keeps, as one object: `Arc<dyn Store>`. The operations are grouped by
/// aggregate in the supertraits, all callable on a `dyn Store`; on a concrete backend type,
/// `use coachbot::store::prelude::*` brings them into scope.
/// Every method is scoped by bot: records of one bot are invisible to another.
#[async_trait]
pub trait Store:
    ContactStore
    + CatalogStore
    + BookingStore
    + WaitlistStore
    + PromoStore
    + MessageStore
    + WebStore
    + Send
    + Sync
    + 'static
{
    /// The backend's name (`sqlite` or `mongodb`).
    fn backend(&self) -> &'static str;
    /// Checks that the backend answers.
    async fn ping(&self) -> StoreResult<()>;

    /// What a dialogue step reads about `contact`: the catalog, the sessions starting in
    /// `[from, to)`, the contact's bookings with their sessions and their wallets. This default
    /// makes one call per part; SQLite reads it all in one go.
    async fn chat_snapshot(
        &self,
        bot: &BotId,
        contact: &ContactId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<ChatSnapshot> {
        let sessions = self.list_sessions(bot, from, to).await?;
        let mut bookings = Vec::new();
        for booking in self.list_bookings_for_contact(bot, contact).await? {
            let session = match sessions.iter().find(|s| s.id == booking.session) {
                Some(session) => session.clone(),
                None => self.get_session(bot, &booking.session).await?,
            };
            bookings.push((booking, session));
        }
        Ok(ChatSnapshot {
            courses: self.list_courses(bot).await?.into(),
            offers: self.list_offers(bot).await?.into(),
            sessions: sessions.into(),
            bookings,
            wallets: self.list_wallets(bot, contact).await?,
        })
    }

    /// What a chat message reads first, in one call: the contact owning `identity` with its
    /// conversation, and its [`chat_snapshot`](Store::chat_snapshot) for `[from, to)`; `None`
    /// for an unknown identity. SQLite reads it all in one read transaction (each one that
    /// begins after a commit starts from an empty page cache); this default makes the two calls.
    async fn find_chat(
        &self,
        bot: &BotId,
        identity: &Identity,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Option<ChatRead>> {
        let Some((contact, conversation)) = self.find_contact_with_conversation(bot, identity).await? else {
            return Ok(None);
        };
        let snapshot = self.chat_snapshot(bot, &contact.id, from, to).await?;
        Ok(Some(ChatRead {
            contact,
            conversation,
            snapshot,
            read_at: None,
        }))
    }

    /// [`find_chat`](Store::find_chat), possibly answered from a copy the process keeps in
    /// memory ([`ReadAt::kept`]), with no read of the store at all. A kept read may be stale: the
    /// caller writes nothing on it but the message's end, whose [`Finish::read_at`] is checked
    /// there, and handles the message again from a fresh read when it says
    /// [`Finished::stale`] or when the dialogue wants to write anything else. This default reads
    /// the store.
    async fn find_chat_kept(
        &self,
        bot: &BotId,
        identity: &Identity,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Option<ChatRead>> {
        self.find_chat(bot, identity, from, to).await
    }
}

/// Contacts and their conversations.
#[async_trait]
pub trait ContactStore: Send + Sync {
    /// Adds a contact; `Conflict` when one of its identities belongs to another contact.
    async fn insert_contact(&self, contact: &Contact) -> StoreResult<()>;
    /// Replaces a contact (identities included); `NotFound` or `Conflict` as for insert.
    async fn update_contact(&self, contact: &Contact) -> StoreResult<()>;
    /// One contact.
    async fn get_contact(&self, bot: &BotId, id: &ContactId) -> StoreResult<Contact>;
    /// The contact owning an identity on a channel.
    async fn find_contact_by_identity(&self, bot: &BotId, identity: &Identity) -> StoreResult<Option<Contact>>;
    /// The oldest contact with this email.
    async fn find_contact_by_email(&self, bot: &BotId, email: &Email) -> StoreResult<Option<Contact>>;
    /// The oldest contact with this phone number.
    async fn find_contact_by_phone(&self, bot: &BotId, phone: &Phone) -> StoreResult<Option<Contact>>;
    /// Contacts in id order, a page at a time.
    async fn list_contacts(&self, bot: &BotId, page: &PageRequest) -> StoreResult<Page<Contact>>;
    /// A contact's saved conversation.
    async fn load_conversation(&self, bot: &BotId, contact: &ContactId) -> StoreResult<Option<ConversationRecord>>;
    /// The contact owning an identity, with its saved conversation (every message needs both:
    /// one read where the backend allows).
    async fn find_contact_with_conversation(
        &self,
        bot: &BotId,
        identity: &Identity,
    ) -> StoreResult<Option<(Contact, Option<ConversationRecord>)>> {
        let Some(contact) = self.find_contact_by_identity(bot, identity).await? else {
            return Ok(None);
        };
        let conversation = self.load_conversation(bot, &contact.id).await?;
        Ok(Some((contact, conversation)))
    }
    /// Saves a contact's conversation, replacing the previous one.
    async fn save_conversation(&self, record: &ConversationRecord) -> StoreResult<()>;
}

/// Courses, offers and sessions with their seats.
#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// Adds or replaces a course.
    async fn upsert_course(&self, course: &Course) -> StoreResult<()>;
    /// One course.
    async fn get_course(&self, bot: &BotId, id: &CourseId) -> StoreResult<Course>;
    /// Every course of the bot, in id order.
    async fn list_courses(&self, bot: &BotId) -> StoreResult<Vec<Course>>;
    /// Adds or replaces an offer.
    async fn upsert_offer(&self, offer: &Offer) -> StoreResult<()>;
    /// One offer.
    async fn get_offer(&self, bot: &BotId, id: &OfferId) -> StoreResult<Offer>;
    /// Every offer of the bot, in id order.
    async fn list_offers(&self, bot: &BotId) -> StoreResult<Vec<Offer>>;
    /// Adds a session; `Conflict` when the course already has a session at that start.
    async fn insert_session(&self, session: &Session) -> StoreResult<()>;
    /// One session.
    async fn get_session(&self, bot: &BotId, id: &SessionId) -> StoreResult<Session>;
    /// Sessions starting in `[from, to)`, by start time.
    async fn list_sessions(&self, bot: &BotId, from: DateTime<Utc>, to: DateTime<Utc>) -> StoreResult<Vec<Session>>;
    /// Takes one seat if one is left, atomically.
    async fn reserve_seat(&self, bot: &BotId, id: &SessionId) -> StoreResult<SeatOutcome>;
    /// Gives one seat back, never going below zero; false when none was taken.
    async fn release_seat(&self, bot: &BotId, id: &SessionId) -> StoreResult<bool>;
    /// Marks a session cancelled (no more bookings); false when it already was.
    async fn cancel_session(&self, bot: &BotId, id: &SessionId) -> StoreResult<bool>;
    /// Sets a session's capacity (seats already taken stay taken).
    async fn set_session_capacity(&self, bot: &BotId, id: &SessionId, capacity: u32) -> StoreResult<()>;
}

/// Bookings and credit wallets.
#[async_trait]
pub trait BookingStore: Send + Sync {
    /// Adds a booking.
    async fn insert_booking(&self, booking: &Booking) -> StoreResult<()>;
    /// Replaces a booking.
    async fn update_booking(&self, booking: &Booking) -> StoreResult<()>;
    /// One booking.
    async fn get_booking(&self, bot: &BotId, id: &BookingId) -> StoreResult<Booking>;
    /// The active booking with this reference (a moved booking keeps its reference).
    async fn find_booking_by_reference(&self, bot: &BotId, reference: &str) -> StoreResult<Option<Booking>>;
    /// A contact's bookings, oldest first.
    async fn list_bookings_for_contact(&self, bot: &BotId, contact: &ContactId) -> StoreResult<Vec<Booking>>;
    /// A session's bookings, oldest first.
    async fn list_bookings_for_session(&self, bot: &BotId, session: &SessionId) -> StoreResult<Vec<Booking>>;
    /// Takes a seat (and the credit the booking pays with, if any) and records the booking, all or
    /// nothing: when the outcome is not `Booked`, nothing was written.
    async fn book(&self, booking: &Booking) -> StoreResult<BookOutcome>;
    /// Cancels an active booking: marks it cancelled, frees its seat, and gives its credit back when
    /// `refund_credit`. `None` (and nothing written) when it was not active.
    async fn cancel_booking(&self, bot: &BotId, id: &BookingId, refund_credit: bool) -> StoreResult<Option<Booking>>;
    /// Moves an active booking to the session of `new` (same payment, no credit taken again): `new`
    /// is booked and `old` cancelled, or nothing changes.
    async fn move_booking(&self, old: &BookingId, new: &Booking) -> StoreResult<BookOutcome>;
    /// Ends a hold that ran out (a pending payment past `hold_until`): expired, seat freed; true the
    /// first time only.
    async fn expire_hold(&self, bot: &BotId, id: &BookingId, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Pending bookings of any bot whose hold ran out before `now`, oldest first.
    async fn list_expired_holds(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Booking>>;
    /// Records a confirmed booking's arrival at the door; false when it was already checked in (or
    /// is not confirmed). The first scan wins, even when two happen at once.
    async fn check_in(&self, bot: &BotId, id: &BookingId, at: DateTime<Utc>) -> StoreResult<bool>;
    /// Adds a wallet.
    async fn insert_wallet(&self, wallet: &Wallet) -> StoreResult<()>;
    /// One wallet.
    async fn get_wallet(&self, bot: &BotId, id: &WalletId) -> StoreResult<Wallet>;
    /// A contact's wallets, oldest first.
    async fn list_wallets(&self, bot: &BotId, contact: &ContactId) -> StoreResult<Vec<Wallet>>;
    /// Takes one credit if one is left and the wallet has not expired at `now`, atomically.
    async fn take_credit(&self, bot: &BotId, id: &WalletId, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Gives one credit back.
    async fn give_back_credit(&self, bot: &BotId, id: &WalletId) -> StoreResult<()>;
}

/// The waitlists of full sessions. Taking a freed seat for the first in line, letting it go and
/// booking it are each one atomic step, so a held seat is never lost nor given twice.
#[async_trait]
pub trait WaitlistStore: Send + Sync {
    /// Puts a contact at the end of a session's line; false when they are already in it.
    async fn join_waitlist(&self, entry: &WaitlistEntry) -> StoreResult<bool>;
    /// One entry.
    async fn get_waitlist_entry(&self, bot: &BotId, id: &WaitlistId) -> StoreResult<WaitlistEntry>;
    /// The entries still in a session's line (waiting or offered), first in line first.
    async fn list_waitlist(&self, bot: &BotId, session: &SessionId) -> StoreResult<Vec<WaitlistEntry>>;
    /// When the session has a free seat and someone waits: takes the seat for the first one waiting
    /// and marks their entry offered until `until`. `None` (and nothing written) otherwise.
    async fn offer_waitlist_seat(
        &self,
        bot: &BotId,
        session: &SessionId,
        until: DateTime<Utc>,
    ) -> StoreResult<Option<WaitlistEntry>>;
    /// Takes an entry out of line (`left`); a seat held for it is freed. Returns the entry, now left
    /// (`offered_until` set when it held a seat); `None` when it was not in line.
    async fn leave_waitlist(&self, bot: &BotId, id: &WaitlistId) -> StoreResult<Option<WaitlistEntry>>;
    /// Ends an offer that ran out by `now` (`expired`) and frees its seat, once.
    async fn expire_waitlist_offer(
        &self,
        bot: &BotId,
        id: &WaitlistId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<WaitlistEntry>>;
    /// Offers whose time ran out by `now`, oldest first, across bots.
    async fn list_lapsed_waitlist_offers(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<WaitlistEntry>>;
    /// Books the seat held for an offered entry (its contact and session, before `offered_until`
    /// at `booking.created_at`): the entry becomes `claimed` and the booking takes the held seat
    /// (and a credit) in one step. `NotActive` when the offer is not open any more.
    async fn book_from_waitlist(&self, entry: &WaitlistId, booking: &Booking) -> StoreResult<BookOutcome>;
}

/// Promo batches, codes and redemptions. Codes are looked up by their key (`code::key`).
#[async_trait]
pub trait PromoStore: Send + Sync {
    /// Starts a batch, hidden (with its codes) from every read until it is published.
    async fn begin_promo_batch(&self, batch: &PromoBatch) -> StoreResult<()>;
    /// Adds codes to a hidden batch. Codes whose key is taken (in any batch of the bot) are not
    /// added: their keys are returned, for the caller to draw new ones.
    async fn add_promo_codes(&self, codes: &[PromoCode]) -> StoreResult<Vec<String>>;
    /// Makes a hidden batch and its codes visible, recording how many codes it holds.
    async fn publish_promo_batch(&self, bot: &BotId, id: &BatchId, count: u32) -> StoreResult<()>;
    /// Removes a hidden batch and its codes (a generation that failed or was abandoned).
    async fn discard_promo_batch(&self, bot: &BotId, id: &BatchId) -> StoreResult<()>;
    /// Adds a batch and all its codes, or nothing: `Conflict` lists the keys already taken.
    async fn insert_promo_batch(&self, batch: &PromoBatch, codes: &[PromoCode]) -> StoreResult<()> {
        self.begin_promo_batch(batch).await?;
        let taken = match self.add_promo_codes(codes).await {
            Ok(taken) => taken,
            Err(error) => {
                self.discard_promo_batch(&batch.bot, &batch.id).await?;
                return Err(error);
            }
        };
        if !taken.is_empty() {
            self.discard_promo_batch(&batch.bot, &batch.id).await?;
            return Err(StoreError::Conflict {
                what: "promo code",
                keys: taken,
            });
        }
        self.publish_promo_batch(&batch.bot, &batch.id, codes.len() as u32)
            .await
    }
    /// One published batch.
    async fn get_promo_batch(&self, bot: &BotId, id: &BatchId) -> StoreResult<PromoBatch>;
    /// Every published batch of the bot, oldest first.
    async fn list_promo_batches(&self, bot: &BotId) -> StoreResult<Vec<PromoBatch>>;
    /// Replaces a published batch's record (its terms after a batch edit).
    async fn update_promo_batch(&self, batch: &PromoBatch) -> StoreResult<()>;
    /// How many codes a batch holds and how many of them were used at least once.
    async fn promo_batch_usage(&self, bot: &BotId, id: &BatchId) -> StoreResult<BatchUsage>;
    /// One code of a published batch, by key.
    async fn get_promo_code(&self, bot: &BotId, key: &str) -> StoreResult<PromoCode>;
    /// The codes of a published batch in creation order, a page at a time.
    async fn list_promo_codes(&self, bot: &BotId, batch: &BatchId, page: &PageRequest) -> StoreResult<Page<PromoCode>>;
    /// Replaces a code's editable fields (terms, overrides, assignment, disabled); its use count is kept.
    async fn update_promo_code(&self, code: &PromoCode) -> StoreResult<()>;
    /// Deletes a code that was never used; false (and nothing deleted) when it was used.
    async fn delete_promo_code(&self, bot: &BotId, key: &str) -> StoreResult<bool>;
    /// Counts one use of a code, atomically respecting its maximum uses and its per-contact limit.
    async fn redeem_promo(&self, redemption: &Redemption) -> StoreResult<RedeemOutcome>;
    /// Gives a use back (the booking it paid for was cancelled); false when it was already given back.
    async fn release_redemption(&self, bot: &BotId, id: &RedemptionId) -> StoreResult<bool>;
    /// The uses of a code, oldest first.
    async fn list_redemptions(&self, bot: &BotId, key: &str) -> StoreResult<Vec<Redemption>>;
    /// How many times a contact used a code.
    async fn count_contact_redemptions(&self, bot: &BotId, key: &str, contact: &ContactId) -> StoreResult<u32>;
}

/// The outbox (messages to send, leased to one worker at a time) and inbound records (idempotency).
#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Queues a message.
    async fn enqueue(&self, message: &OutboxMessage) -> StoreResult<()>;
    /// One queued message.
    async fn get_outbox(&self, bot: &BotId, id: &OutboxId) -> StoreResult<OutboxMessage>;
    /// Leases up to `limit` due messages of any bot to `owner` until `now + lease`; a message whose
    /// lease ran out is due again. Two claimers never get the same message while its lease holds.
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        owner: &str,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>>;
    /// Marks a message sent; false when `owner` no longer holds it.
    async fn mark_sent(&self, bot: &BotId, id: &OutboxId, owner: &str) -> StoreResult<bool>;
    /// Marks every message of `sent` that `owner` still holds sent (one write where the backend
    /// allows); how many were.
    async fn mark_all_sent(&self, sent: &[(BotId, OutboxId)], owner: &str) -> StoreResult<usize> {
        let mut marked = 0;
        for (bot, id) in sent {
            if self.mark_sent(bot, id, owner).await? {
                marked += 1;
            }
        }
        Ok(marked)
    }
    /// Puts a message back for another try at `due_at` (or gives up when `give_up`), keeping the error.
    async fn retry_later(
        &self,
        bot: &BotId,
        id: &OutboxId,
        owner: &str,
        due_at: DateTime<Utc>,
        error: &str,
        give_up: bool,
    ) -> StoreResult<bool>;
    /// Ends the handling of an inbound message: the reply queued (once: its id is fixed, so a
    /// second call queues nothing more), the conversation saved, the message marked done. SQLite
    /// writes the three in one transaction; MongoDB in that order, so a stop between two steps
    /// leaves the message not done, to be handled again, and its reply is not queued twice.
    /// With [`Finish::record`] the message is recorded first (refused as a replay when known);
    /// with [`Finish::answer_inline`] the reply, unless an earlier one to the same recipient
    /// still waits, is not queued but kept with the message as its answer
    /// ([`InboundRecord::answer`]). Taken by value: the conversation saved goes on to what the
    /// store keeps in memory, if anything, without a copy.
    async fn finish_inbound(&self, finish: Finish) -> StoreResult<Finished>;
    /// The replies handed over in the webhook's answer to a message ([`InboundRecord::answer`]),
    /// while its key is kept; `None` when it was not answered so.
    async fn inbound_answer(&self, bot: &BotId, key: &str) -> StoreResult<Option<serde_json::Value>>;
    /// Records an inbound message unless its key was seen; true the first time only.
    async fn record_inbound_once(&self, record: &InboundRecord) -> StoreResult<bool>;
    /// Marks an inbound message handled.
    async fn mark_inbound_done(&self, bot: &BotId, key: &str) -> StoreResult<()>;
    /// Messages recorded but not handled that arrived before `before`, oldest first (for a restart).
    async fn list_unhandled_inbound(&self, before: DateTime<Utc>, limit: u32) -> StoreResult<Vec<InboundRecord>>;
    /// Takes a message listed by [`list_unhandled_inbound`](Self::list_unhandled_inbound) to
    /// handle it again, until `until`: true for the one caller that gets it; false when it is
    /// done, or another caller (a replica resuming at the same time) holds it until after `now`.
    async fn claim_unhandled_inbound(
        &self,
        bot: &BotId,
        key: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Forgets keys whose time has passed; returns how many. (MongoDB also expires them by itself.)
    async fn purge_inbound(&self, now: DateTime<Utc>) -> StoreResult<u64>;
}

/// The web widget: replies waiting for visitors, and the look the coach gave the bot.
///
/// An outbox message queued for the `web` channel ([`MessageStore::enqueue`] or
/// [`MessageStore::finish_inbound`]) is written here as the visitor's next event instead of
/// being sent: the widget's stream reads it.
#[async_trait]
pub trait WebStore {
    /// A visitor's events numbered after `after`, in order (at most `limit`).
    async fn web_events(&self, bot: &BotId, visitor: &str, after: u64, limit: u32) -> StoreResult<Vec<WebEvent>>;
    /// The appearance the coach set from chat, if they ever did.
    async fn load_appearance(&self, bot: &BotId) -> StoreResult<Option<Appearance>>;
    /// Keeps the appearance the coach set.
    async fn save_appearance(&self, bot: &BotId, appearance: &Appearance) -> StoreResult<()>;
    /// Forgets the replies written before `before`, of every bot; returns how many. A visitor's
    /// numbering carries on after their last reply even when it is forgotten (SQLite keeps each
    /// visitor's last reply, which it numbers from; MongoDB numbers from a counter).
    async fn purge_web_events(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}

/// Opens the configured backend.
pub async fn open(settings: &crate::config::StoreSettings) -> StoreResult<std::sync::Arc<dyn Store>> {
    use secrecy::ExposeSecret;
    match settings.backend {
        crate::config::Backend::Sqlite => Ok(std::sync::Arc::new(
            sqlite::SqliteStore::connect(&settings.sqlite_path)
                .await?
                .keeping_chats(settings.sqlite_kept_chats_mib),
        )),
        crate::config::Backend::Mongodb => {
            let uri = settings
                .mongodb_uri
                .as_ref()
                .ok_or_else(|| StoreError::Backend("store.mongodb_uri is not set".into()))?;
            let store = mongo::MongoStore::connect(
                uri.expose_secret(),
                &settings.mongodb_database,
                settings.connect_timeout(),
            )
            .await?;
            Ok(std::sync::Arc::new(store))
        }
    }
}
