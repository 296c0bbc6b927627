//! Using a promo code: `check` quotes the price a code gives (nothing written), `redeem` counts the
//! use atomically in the store. A booking that fails after `redeem` gives the use back with
//! `Store::release_redemption` (a compensating release), so a use is never lost or counted twice.

use crate::config::bots::Bot;
use crate::domain::booking::Booking;
use crate::domain::dates::local_day;
use crate::domain::language::Language;
use crate::domain::money::Money;
use crate::domain::promo::{PromoCode, PromoError, Purchase, Redemption, code, validate};
use crate::domain::{BookingId, RedemptionId};
use crate::i18n::Texts;
use crate::store::{RedeemOutcome, Store, StoreError};
use crate::t;

/// Why a code could not be used: a rule (told to the visitor) or the store (logged).
#[derive(Debug, thiserror::Error)]
pub enum UseError {
    /// A promo rule refused it.
    #[error(transparent)]
    Refused(#[from] PromoError),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for UseError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::Refused(PromoError::Unknown),
            other => Self::Store(other),
        }
    }
}

/// The code a visitor typed and the price it gives for `purchase`, checking every rule.
pub async fn check(
    store: &dyn Store,
    bot: &Bot,
    typed: &str,
    purchase: &Purchase<'_>,
) -> Result<(PromoCode, Money), UseError> {
    let key = code::key(typed);
    if key.is_empty() {
        return Err(PromoError::Unknown.into());
    }
    let promo = store.get_promo_code(&bot.id, &key).await?;
    let used = if promo.terms.per_contact > 0 {
        store.count_contact_redemptions(&bot.id, &key, purchase.contact).await?
    } else {
        0
    };
    let price = validate(&promo, purchase, used)?;
    Ok((promo, price))
}

/// Checks the code, then counts the use in the store (where the last uses are raced for).
pub async fn redeem(
    store: &dyn Store,
    bot: &Bot,
    typed: &str,
    purchase: &Purchase<'_>,
    booking: Option<BookingId>,
) -> Result<(Redemption, Money), UseError> {
    let (promo, price) = check(store, bot, typed, purchase).await?;
    let redemption = Redemption {
        bot: bot.id.clone(),
        id: RedemptionId::generate(),
        code: promo.key.clone(),
        contact: purchase.contact.clone(),
        booking,
        at: purchase.now,
    };
    match store.redeem_promo(&redemption).await? {
        RedeemOutcome::Redeemed => Ok((redemption, price)),
        RedeemOutcome::UsedUp => Err(PromoError::UsedUp.into()),
        RedeemOutcome::AlreadyUsedByContact => Err(PromoError::AlreadyUsedByYou.into()),
    }
}

/// Gives back the promo use of a cancelled booking, when the bot's policy says so
/// (`[promo] release_on_cancel`). Returns whether a use was given back.
pub async fn release_for_cancelled_booking(
    store: &dyn Store,
    bot: &Bot,
    booking: &Booking,
) -> Result<bool, StoreError> {
    let Some(typed) = booking.promo.as_deref().filter(|_| bot.promo.release_on_cancel) else {
        return Ok(false);
    };
    let uses = store.list_redemptions(&bot.id, &code::key(typed)).await?;
    let Some(redemption) = uses.iter().find(|r| r.booking.as_ref() == Some(&booking.id)) else {
        return Ok(false);
    };
    store.release_redemption(&bot.id, &redemption.id).await
}

/// What the visitor is told when a code is refused.
pub fn refusal(texts: &Texts, language: Language, bot: &Bot, error: &PromoError) -> String {
    let day = |instant| local_day(instant, bot.time_zone).format("%d/%m/%Y").to_string();
    match error {
        PromoError::Unknown => t!(texts, language, "promo-refused-unknown"),
        PromoError::Disabled => t!(texts, language, "promo-refused-disabled"),
        PromoError::NotYetValid(start) => t!(texts, language, "promo-refused-not-yet", "date" => day(*start)),
        PromoError::Expired(end) => {
            let last = crate::domain::dates::last_valid_day(*end, bot.time_zone)
                .format("%d/%m/%Y")
                .to_string();
            t!(texts, language, "promo-refused-expired", "date" => last)
        }
        PromoError::UsedUp => t!(texts, language, "promo-refused-used-up"),
        PromoError::AlreadyUsedByYou => t!(texts, language, "promo-refused-already-used"),
        PromoError::NotForThisOffer => t!(texts, language, "promo-refused-not-for-offer"),
        PromoError::NotForThisCourse => t!(texts, language, "promo-refused-not-for-course"),
        PromoError::MinimumNotReached(min) => {
            t!(texts, language, "promo-refused-minimum", "amount" => min.display(language))
        }
        PromoError::AssignedToSomeoneElse => t!(texts, language, "promo-refused-assigned"),
    }
}
