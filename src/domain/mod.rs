//! Business rules as plain types and functions.
//!
//! Nothing here performs I/O or reads a clock: time is always an argument. Every record carries the
//! id of the bot (the business) it belongs to, so one process can host several bots.

pub mod appearance;
pub mod booking;
pub mod catalog;
pub mod contact;
pub mod dates;
pub mod dialogue;
pub mod ids;
pub mod inbound;
pub mod language;
pub mod money;
pub mod outbox;
pub mod promo;
pub mod reply;
pub mod schedule;
pub mod session;
pub mod slot;
pub mod ticket;

pub use ids::{
    BatchId, BookingId, BotId, ContactId, CourseId, OfferId, OutboxId, RedemptionId, SessionId, WaitlistId, WalletId,
};
