//! How a booking is paid: a single class at its price (online or on site), a credit from a pack,
//! or a subscription's period (with its weekly cap).

use super::policy::BookingError;
use super::{Payment, Wallet};
use crate::domain::catalog::{Offer, OfferKind};
use crate::domain::ids::CourseId;
use chrono::{DateTime, Utc};

/// Chooses how to pay for a class of `course` with `offer`, given the contact's wallets for that
/// offer, how many classes they already hold in the session's week, and whether they pay on site.
pub fn plan(
    offer: &Offer,
    course: &CourseId,
    wallets: &[Wallet],
    booked_that_week: u32,
    pay_on_site: bool,
    now: DateTime<Utc>,
) -> Result<Payment, BookingError> {
    if !offer.active {
        return Err(BookingError::OfferInactive);
    }
    if !offer.covers(course) {
        return Err(BookingError::OfferNotForCourse);
    }
    match offer.kind {
        OfferKind::Single if offer.price.minor == 0 => Ok(Payment::Free),
        OfferKind::Single if pay_on_site => Ok(Payment::OnSite),
        OfferKind::Single => Ok(Payment::Online),
        OfferKind::Pack { .. } | OfferKind::Subscription { .. } => {
            let usable = wallets
                .iter()
                .filter(|w| w.offer == offer.id && w.usable(now))
                .min_by_key(|w| w.expires_at)
                .ok_or(BookingError::NoCredit)?;
            if let Some(cap) = usable.weekly_cap.filter(|cap| booked_that_week >= *cap) {
                return Err(BookingError::WeeklyCapReached(cap));
            }
            Ok(Payment::Credit {
                wallet: usable.id.clone(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::{Currency, Money};
    use crate::domain::{BotId, ContactId, OfferId, WalletId};
    use chrono::{Duration, TimeZone};
    use rstest::rstest;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()
    }

    fn offer(kind: OfferKind, minor: i64, courses: &[&str]) -> Offer {
        Offer {
            bot: BotId::parse("demo").unwrap(),
            id: OfferId::from("o"),
            name: "o".into(),
            kind,
            price: Money::new(minor, Currency::EUR),
            courses: courses.iter().map(|c| CourseId::from(*c)).collect(),
            active: true,
        }
    }

    fn wallet(id: &str, credits: u32, expires_in_days: i64, cap: Option<u32>) -> Wallet {
        Wallet {
            bot: BotId::parse("demo").unwrap(),
            id: WalletId::from(id),
            contact: ContactId::from("marie"),
            offer: OfferId::from("o"),
            credits_left: credits,
            weekly_cap: cap,
            expires_at: now() + Duration::days(expires_in_days),
            created_at: now(),
        }
    }

    const PACK: OfferKind = OfferKind::Pack {
        credits: 10,
        valid_days: 180,
    };
    const SUB: OfferKind = OfferKind::Subscription {
        period_days: 30,
        weekly_cap: Some(2),
    };

    #[rstest]
    #[case::single_online(offer(OfferKind::Single, 1800, &[]), vec![], 0, false, Ok(Payment::Online))]
    #[case::single_on_site(offer(OfferKind::Single, 1800, &[]), vec![], 0, true, Ok(Payment::OnSite))]
    #[case::free_class(offer(OfferKind::Single, 0, &[]), vec![], 0, false, Ok(Payment::Free))]
    #[case::other_course(offer(OfferKind::Single, 1800, &["pilates"]), vec![], 0, false, Err(BookingError::OfferNotForCourse))]
    #[case::pack_credit(offer(PACK, 15000, &[]), vec![wallet("w1", 3, 10, None)], 0, false, Ok(Payment::Credit { wallet: WalletId::from("w1") }))]
    #[case::pack_soonest_expiry_first(offer(PACK, 15000, &[]), vec![wallet("late", 3, 90, None), wallet("soon", 1, 5, None)], 0, false, Ok(Payment::Credit { wallet: WalletId::from("soon") }))]
    #[case::pack_empty(offer(PACK, 15000, &[]), vec![wallet("w1", 0, 10, None)], 0, false, Err(BookingError::NoCredit))]
    #[case::pack_expired(offer(PACK, 15000, &[]), vec![wallet("w1", 3, -1, None)], 0, false, Err(BookingError::NoCredit))]
    #[case::pack_not_bought(offer(PACK, 15000, &[]), vec![], 0, false, Err(BookingError::NoCredit))]
    #[case::subscription(offer(SUB, 7990, &[]), vec![wallet("s", Wallet::UNLIMITED, 20, Some(2))], 1, false, Ok(Payment::Credit { wallet: WalletId::from("s") }))]
    #[case::subscription_cap(offer(SUB, 7990, &[]), vec![wallet("s", Wallet::UNLIMITED, 20, Some(2))], 2, false, Err(BookingError::WeeklyCapReached(2)))]
    #[case::subscription_over(offer(SUB, 7990, &[]), vec![wallet("s", Wallet::UNLIMITED, -2, Some(2))], 0, false, Err(BookingError::NoCredit))]
    fn the_payment_follows_the_offer(
        #[case] offer: Offer,
        #[case] wallets: Vec<Wallet>,
        #[case] booked: u32,
        #[case] on_site: bool,
        #[case] expected: Result<Payment, BookingError>,
    ) {
        assert_eq!(
            plan(&offer, &CourseId::from("yoga"), &wallets, booked, on_site, now()),
            expected
        );
    }
}
