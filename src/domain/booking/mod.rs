//! Bookings (a contact's seat in a session) and credit wallets (what a pack or a subscription left).

pub mod payment;
pub mod policy;
pub mod waitlist;

pub use policy::{BookingError, BookingPolicy, CancelOutcome};

use crate::domain::ids::{BookingId, BotId, ContactId, OfferId, SessionId, WalletId};
use crate::domain::money::Money;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    /// A seat is held until `hold_until` while the visitor pays.
    PendingPayment,
    /// The seat is the visitor's (paid, paid with a credit, pay on site or free).
    Confirmed,
    /// Cancelled by the visitor or the coach.
    Cancelled,
    /// The hold ran out before payment.
    Expired,
}

/// How a booking is paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Payment {
    /// Paid online.
    Online,
    /// Paid at the studio.
    OnSite,
    /// One credit taken from a wallet.
    Credit {
        /// The wallet the credit came from.
        wallet: WalletId,
    },
    /// Nothing to pay.
    Free,
}

/// A contact's booking for one session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Booking {
    /// The bot.
    pub bot: BotId,
    /// The booking id.
    pub id: BookingId,
    /// A short reference the coach can type (`/resa K7Q2MX`), unique within the bot.
    pub reference: String,
    /// Who booked.
    pub contact: ContactId,
    /// Which session.
    pub session: SessionId,
    /// With which offer.
    pub offer: OfferId,
    /// The price after any promo code.
    pub price: Money,
    /// The promo code applied, if any.
    pub promo: Option<String>,
    /// How it is paid.
    pub payment: Payment,
    /// Where it stands.
    pub status: BookingStatus,
    /// Until when a pending seat is held.
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub hold_until: Option<DateTime<Utc>>,
    /// Until when cancelling gives the credit (or the promo use) back: the policy in force when
    /// the booking was made, kept with it.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub free_cancel_until: DateTime<Utc>,
    /// When the visitor was checked in at the door.
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub checked_in_at: Option<DateTime<Utc>>,
    /// When it was made.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created_at: DateTime<Utc>,
}

impl Booking {
    /// A fresh booking reference: 6 characters of the promo alphabet (no look-alikes).
    pub fn new_reference(rng: &mut (impl rand::Rng + ?Sized)) -> String {
        crate::domain::promo::code::generate(None, 6, rng)
    }

    /// Whether it holds a seat (held or confirmed).
    pub fn is_active(&self) -> bool {
        matches!(self.status, BookingStatus::PendingPayment | BookingStatus::Confirmed)
    }
}

/// Credits bought with a pack (or the period of a subscription) for one contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wallet {
    /// The bot.
    pub bot: BotId,
    /// The wallet id.
    pub id: WalletId,
    /// Whose credits.
    pub contact: ContactId,
    /// The offer bought.
    pub offer: OfferId,
    /// Credits left; taken and given back atomically by the store. A subscription has no count:
    /// its wallet holds [`Wallet::UNLIMITED`] and its period is `expires_at`.
    pub credits_left: u32,
    /// Classes allowed per week (subscriptions with a cap).
    pub weekly_cap: Option<u32>,
    /// When the credits stop being usable.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub expires_at: DateTime<Utc>,
    /// When it was bought.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created_at: DateTime<Utc>,
}

impl Wallet {
    /// The credit count of a subscription's wallet.
    pub const UNLIMITED: u32 = u32::MAX / 2;

    /// Whether it can pay for a class at `now`.
    pub fn usable(&self, now: DateTime<Utc>) -> bool {
        self.credits_left > 0 && now < self.expires_at
    }
}
