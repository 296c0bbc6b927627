//! What a chat message reads first and writes last: the dialogue's snapshot, the chat read with
//! what it was read at, and the message's one write.

use crate::domain::booking::{Booking, Wallet};
use crate::domain::catalog::{Course, Offer};
use crate::domain::contact::{Contact, Identity};
use crate::domain::dialogue::ConversationRecord;
use crate::domain::inbound::InboundRecord;
use crate::domain::outbox::OutboxMessage;
use crate::domain::session::Session;
use crate::domain::{BotId, ContactId};
use std::sync::Arc;

/// The end of handling one inbound message, written in one step by
/// [`MessageStore::finish_inbound`](super::MessageStore::finish_inbound).
#[derive(Debug, Clone, PartialEq)]
pub struct Finish {
    /// The bot.
    pub bot: BotId,
    /// The inbound record's key.
    pub key: String,
    /// The conversation as it now stands (none for a coach's command).
    pub conversation: Option<ConversationRecord>,
    /// The replies to send, as one outbox message whose id comes from the inbound key.
    pub reply: Option<OutboxMessage>,
    /// The message itself when it was not recorded on arrival: recorded (done) by this write,
    /// which writes nothing and says [`Finished::replay`] when the key is already known.
    pub record: Option<InboundRecord>,
    /// The reply may be handed over in the answer to the platform's webhook, kept with the
    /// message ([`InboundRecord::answer`]) instead of queued — unless an earlier message to the
    /// same recipient is still waiting to go, which it must not overtake.
    pub answer_inline: bool,
    /// When the conversation was handled from a [`ChatRead`] that says what it was read at:
    /// checked before anything is written ([`Finished::stale`]).
    pub read_at: Option<ReadAt>,
}

/// What [`MessageStore::finish_inbound`](super::MessageStore::finish_inbound) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Finished {
    /// The message's key was already recorded: nothing was written (only with [`Finish::record`]).
    pub replay: bool,
    /// The reply was kept as the message's answer, not queued: the caller hands it over in the
    /// webhook's answer.
    pub inline: bool,
    /// The message was handled from a read kept in memory ([`ReadAt::kept`]) that something
    /// written since has made stale: nothing was written, and the message is to be handled
    /// again from a fresh read.
    pub stale: bool,
}

/// What a dialogue step reads about one contact of a bot, in one call.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChatSnapshot {
    /// Every course (shared: SQLite hands every message the same parsed catalog).
    pub courses: Arc<[Course]>,
    /// Every offer.
    pub offers: Arc<[Offer]>,
    /// Sessions starting in the window asked for, by start.
    pub sessions: Arc<[Session]>,
    /// The contact's bookings, with the session of each (even outside the window).
    pub bookings: Vec<(Booking, Session)>,
    /// The contact's wallets.
    pub wallets: Vec<Wallet>,
}

/// What [`Store::find_chat`](super::Store::find_chat) read.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRead {
    /// The contact.
    pub contact: Contact,
    /// Its saved conversation, if any.
    pub conversation: Option<ConversationRecord>,
    /// What its next dialogue step reads.
    pub snapshot: ChatSnapshot,
    /// What it was read at, for a backend that can tell at the message's last write whether it
    /// is still current (SQLite); `None` otherwise.
    pub read_at: Option<ReadAt>,
}

/// What a [`ChatRead`] was read at ([`Versions`]). [`MessageStore::finish_inbound`](super::MessageStore::finish_inbound) compares
/// them with the stored ones before it writes, to keep its copy current and to refuse a message
/// handled from a stale kept read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadAt {
    /// The identity the contact was found by.
    pub identity: Identity,
    /// The contact.
    pub contact: ContactId,
    /// What the contact's data was at.
    pub versions: Versions,
    /// Answered from the copy kept in memory rather than read from the store: it may be stale,
    /// so the message may write nothing but its end, which checks it
    /// ([`Store::find_chat_kept`](super::Store::find_chat_kept)).
    pub kept: bool,
}

/// Counters that every write bumps, whichever process makes it: together they change whenever
/// anything a chat message reads about its contact changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Versions {
    /// The contact, its identities, bookings and wallets.
    pub contact: i64,
    /// Its conversation (`-1` while it has none).
    pub conversation: i64,
    /// The bot's catalog: courses, offers and sessions (seats taken included).
    pub catalog: i64,
}
