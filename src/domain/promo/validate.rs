//! Whether a code can pay for a purchase, and what the price becomes. The store then counts the use
//! atomically (`redeem_promo`), which settles the races on the last uses.

use super::PromoCode;
use crate::domain::ids::{ContactId, CourseId, OfferId};
use crate::domain::money::Money;
use chrono::{DateTime, Utc};

/// What a code is being used for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purchase<'a> {
    /// Who pays.
    pub contact: &'a ContactId,
    /// With which offer.
    pub offer: &'a OfferId,
    /// For which course.
    pub course: &'a CourseId,
    /// The price before the code.
    pub amount: Money,
    /// When.
    pub now: DateTime<Utc>,
}

/// Why a code cannot be used; each has a friendly text in the bots' catalogs (`promo-error-…`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromoError {
    /// No such code for this bot.
    #[error("unknown code")]
    Unknown,
    /// Turned off by the coach.
    #[error("code disabled")]
    Disabled,
    /// Its start date has not come.
    #[error("code valid from {0}")]
    NotYetValid(DateTime<Utc>),
    /// Its end date has passed.
    #[error("code expired on {0}")]
    Expired(DateTime<Utc>),
    /// No use left.
    #[error("code used up")]
    UsedUp,
    /// This contact used it as many times as allowed.
    #[error("already used by this contact")]
    AlreadyUsedByYou,
    /// Not valid for this offer.
    #[error("not for this offer")]
    NotForThisOffer,
    /// Not valid for this course.
    #[error("not for this course")]
    NotForThisCourse,
    /// The purchase is below the code's minimum.
    #[error("minimum of {0} not reached")]
    MinimumNotReached(Money),
    /// Reserved for another contact.
    #[error("assigned to someone else")]
    AssignedToSomeoneElse,
}

/// Checks every rule of `code` for `purchase`, given how many times this contact already used it,
/// and returns the discounted price.
pub fn validate(code: &PromoCode, purchase: &Purchase<'_>, uses_by_contact: u32) -> Result<Money, PromoError> {
    let terms = &code.terms;
    if code.disabled {
        return Err(PromoError::Disabled);
    }
    if code.assigned_to.as_ref().is_some_and(|owner| owner != purchase.contact) {
        return Err(PromoError::AssignedToSomeoneElse);
    }
    if let Some(start) = terms.starts_at.filter(|start| purchase.now < *start) {
        return Err(PromoError::NotYetValid(start));
    }
    if let Some(end) = terms.expires_at.filter(|end| purchase.now >= *end) {
        return Err(PromoError::Expired(end));
    }
    if !terms.offers.is_empty() && !terms.offers.contains(purchase.offer) {
        return Err(PromoError::NotForThisOffer);
    }
    if !terms.courses.is_empty() && !terms.courses.contains(purchase.course) {
        return Err(PromoError::NotForThisCourse);
    }
    if let Some(minimum) = terms.min_amount.filter(|min| purchase.amount.minor < *min) {
        return Err(PromoError::MinimumNotReached(Money::new(
            minimum,
            purchase.amount.currency,
        )));
    }
    if terms.max_uses > 0 && code.uses >= terms.max_uses {
        return Err(PromoError::UsedUp);
    }
    if terms.per_contact > 0 && uses_by_contact >= terms.per_contact {
        return Err(PromoError::AlreadyUsedByYou);
    }
    Ok(terms.discount.apply(purchase.amount))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;
    use crate::domain::promo::{Discount, PromoBatch, PromoTerms};
    use crate::domain::{BatchId, BotId};
    use chrono::{Duration, TimeZone};
    use rstest::rstest;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 10, 12, 0, 0).unwrap()
    }

    fn code(edit: impl FnOnce(&mut PromoCode)) -> PromoCode {
        let batch = PromoBatch {
            bot: BotId::parse("demo").unwrap(),
            id: BatchId::from("K7Q2M"),
            terms: PromoTerms {
                discount: Discount::Percent { percent: 20 },
                max_uses: 1,
                per_contact: 1,
                starts_at: None,
                expires_at: None,
                offers: Vec::new(),
                courses: Vec::new(),
                min_amount: None,
            },
            prefix: None,
            count: 1,
            note: None,
            created_by: "test".into(),
            created_at: now(),
        };
        let mut code = PromoCode::new(&batch, "ABCDEFGH".into(), now());
        edit(&mut code);
        code
    }

    fn check(code: &PromoCode, uses_by_contact: u32) -> Result<Money, PromoError> {
        let purchase = Purchase {
            contact: &ContactId::from("marie"),
            offer: &OfferId::from("single"),
            course: &CourseId::from("yoga"),
            amount: Money::new(1800, Currency::EUR),
            now: now(),
        };
        validate(code, &purchase, uses_by_contact)
    }

    #[rstest]
    #[case::valid(code(|_| {}), 0, Ok(1440))]
    #[case::disabled(code(|c| c.disabled = true), 0, Err(PromoError::Disabled))]
    #[case::assigned_to_someone_else(code(|c| c.assigned_to = Some(ContactId::from("paul"))), 0, Err(PromoError::AssignedToSomeoneElse))]
    #[case::assigned_to_this_contact(code(|c| c.assigned_to = Some(ContactId::from("marie"))), 0, Ok(1440))]
    #[case::not_yet(code(|c| c.terms.starts_at = Some(now() + Duration::days(1))), 0, Err(PromoError::NotYetValid(now() + Duration::days(1))))]
    #[case::expired(code(|c| c.terms.expires_at = Some(now())), 0, Err(PromoError::Expired(now())))]
    #[case::used_up(code(|c| c.uses = 1), 0, Err(PromoError::UsedUp))]
    #[case::unlimited(code(|c| { c.uses = 99; c.terms.max_uses = 0; c.terms.per_contact = 0 }), 5, Ok(1440))]
    #[case::already_used(code(|c| c.terms.max_uses = 0), 1, Err(PromoError::AlreadyUsedByYou))]
    #[case::other_offer(code(|c| c.terms.offers = vec![OfferId::from("pack10")]), 0, Err(PromoError::NotForThisOffer))]
    #[case::other_course(code(|c| c.terms.courses = vec![CourseId::from("pilates")]), 0, Err(PromoError::NotForThisCourse))]
    #[case::minimum(code(|c| c.terms.min_amount = Some(2000)), 0, Err(PromoError::MinimumNotReached(Money::new(2000, Currency::EUR))))]
    #[case::amount_off(code(|c| c.terms.discount = Discount::Amount { minor: 2500 }), 0, Ok(0))]
    fn each_rule_refuses_with_its_reason(
        #[case] code: PromoCode,
        #[case] used: u32,
        #[case] expected: Result<i64, PromoError>,
    ) {
        assert_eq!(check(&code, used).map(|m| m.minor), expected);
    }
}
