//! Booking, cancelling and moving a class: the rules of `domain::booking` checked, the price
//! computed (offer, then promo code), then one atomic store operation. A promo use taken before a
//! booking that the store then refuses is given back (a compensating release).

use crate::config::bots::Bot;
use crate::domain::booking::payment::plan;
use crate::domain::booking::{Booking, BookingError, BookingStatus, CancelOutcome, Payment, Wallet};
use crate::domain::catalog::OfferKind;
use crate::domain::promo::{PromoError, Purchase};
use crate::domain::{BookingId, ContactId, OfferId, SessionId, WaitlistId, WalletId};
use crate::ops::promo::{UseError, redeem, release_for_cancelled_booking};
use crate::ops::waitlist::{WaitlistEffect, seat_freed};
use crate::store::{BookOutcome, Store, StoreError};
use chrono::{DateTime, Datelike, Duration, Utc};

/// What a visitor asks to book.
#[derive(Debug, Clone)]
pub struct BookRequest<'a> {
    /// Who.
    pub contact: &'a ContactId,
    /// Which session.
    pub session: &'a SessionId,
    /// With which offer.
    pub offer: &'a OfferId,
    /// A promo code as typed, if any.
    pub promo: Option<&'a str>,
    /// Pay at the studio instead of online (single classes).
    pub pay_on_site: bool,
    /// Now.
    pub now: DateTime<Utc>,
}

/// Why a booking, a cancellation or a move did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BookError {
    /// A booking rule refused it.
    #[error(transparent)]
    Refused(#[from] BookingError),
    /// The promo code was refused.
    #[error(transparent)]
    Promo(#[from] PromoError),
    /// The store failed (or the session, offer or booking does not exist: `NotFound`).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<UseError> for BookError {
    fn from(error: UseError) -> Self {
        match error {
            UseError::Refused(e) => Self::Promo(e),
            UseError::Store(e) => Self::Store(e),
        }
    }
}

fn refused(outcome: BookOutcome) -> BookingError {
    match outcome {
        BookOutcome::Full => BookingError::Full,
        BookOutcome::SessionCancelled => BookingError::SessionCancelled,
        BookOutcome::AlreadyBooked => BookingError::AlreadyBooked,
        BookOutcome::NoCredit => BookingError::NoCredit,
        BookOutcome::NotActive | BookOutcome::Booked => BookingError::NotActive,
    }
}

/// How many classes the contact holds, paid with a credit, in the local week of `start`.
async fn booked_in_week(
    store: &dyn Store,
    bot: &Bot,
    contact: &ContactId,
    start: DateTime<Utc>,
) -> Result<u32, StoreError> {
    let week = |instant: DateTime<Utc>| instant.with_timezone(&bot.time_zone).iso_week();
    let mut count = 0;
    for booking in store.list_bookings_for_contact(&bot.id, contact).await? {
        if !booking.is_active() || !matches!(booking.payment, Payment::Credit { .. }) {
            continue;
        }
        if week(store.get_session(&bot.id, &booking.session).await?.start) == week(start) {
            count += 1;
        }
    }
    Ok(count)
}

/// Books a class: window, offer, payment (credit, subscription cap), promo, then the seat.
pub async fn book(store: &dyn Store, bot: &Bot, request: &BookRequest<'_>) -> Result<Booking, BookError> {
    book_claiming(store, bot, request, None).await
}

/// Takes the seat: the one held for a waitlist entry when it is still offered to this contact,
/// else a free one.
async fn write(store: &dyn Store, booking: &Booking, claim: Option<&WaitlistId>) -> Result<BookOutcome, StoreError> {
    if let Some(entry) = claim {
        let outcome = store.book_from_waitlist(entry, booking).await?;
        if outcome != BookOutcome::NotActive {
            return Ok(outcome);
        }
    }
    store.book(booking).await
}

/// [`book`], taking the seat held for a waitlist entry (`claim`) when there is one.
pub(crate) async fn book_claiming(
    store: &dyn Store,
    bot: &Bot,
    request: &BookRequest<'_>,
    claim: Option<&WaitlistId>,
) -> Result<Booking, BookError> {
    let session = store.get_session(&bot.id, request.session).await?;
    if session.cancelled {
        return Err(BookingError::SessionCancelled.into());
    }
    bot.booking.check_window(session.start, request.now)?;
    let offer = store.get_offer(&bot.id, request.offer).await?;
    let (wallets, this_week) = match offer.kind {
        OfferKind::Single => (Vec::new(), 0),
        _ => (
            store.list_wallets(&bot.id, request.contact).await?,
            booked_in_week(store, bot, request.contact, session.start).await?,
        ),
    };
    let payment = plan(
        &offer,
        &session.course,
        &wallets,
        this_week,
        request.pay_on_site,
        request.now,
    )?;
    let mut booking = Booking {
        bot: bot.id.clone(),
        id: BookingId::generate(),
        reference: Booking::new_reference(&mut rand::rng()),
        contact: request.contact.clone(),
        session: session.id.clone(),
        offer: offer.id.clone(),
        price: offer.price,
        promo: None,
        payment,
        status: BookingStatus::Confirmed,
        hold_until: None,
        free_cancel_until: bot.booking.free_cancel_until(session.start),
        checked_in_at: None,
        created_at: request.now,
    };
    if matches!(booking.payment, Payment::Credit { .. }) {
        booking.price = crate::domain::money::Money::zero(offer.price.currency);
    }
    if booking.payment == Payment::Online {
        booking.status = BookingStatus::PendingPayment;
        booking.hold_until = Some(request.now + Duration::minutes(i64::from(bot.booking.hold_minutes)));
    }
    let mut redemption = None;
    if let Some(typed) = request.promo {
        if matches!(booking.payment, Payment::Credit { .. }) {
            return Err(PromoError::NotForThisOffer.into());
        }
        let purchase = Purchase {
            contact: request.contact,
            offer: &offer.id,
            course: &session.course,
            amount: offer.price,
            now: request.now,
        };
        let (used, price) = redeem(store, bot, typed, &purchase, Some(booking.id.clone())).await?;
        booking.price = price;
        booking.promo = Some(used.code.clone());
        if price.minor == 0 && booking.status == BookingStatus::PendingPayment {
            booking.status = BookingStatus::Confirmed;
            booking.hold_until = None;
            booking.payment = Payment::Free;
        }
        redemption = Some(used);
    }
    let mut outcome = write(store, &booking, claim).await;
    for _ in 0..3 {
        // A reference drawn twice in the same bot (one chance in hundreds of millions): draw again.
        if !matches!(outcome, Err(StoreError::Conflict { what: "booking", .. })) {
            break;
        }
        booking.reference = Booking::new_reference(&mut rand::rng());
        outcome = write(store, &booking, claim).await;
    }
    if !matches!(outcome, Ok(BookOutcome::Booked))
        && let Some(used) = &redemption
    {
        store.release_redemption(&bot.id, &used.id).await?;
    }
    match outcome? {
        BookOutcome::Booked => Ok(booking),
        other => Err(refused(other).into()),
    }
}

/// What a cancellation did.
#[derive(Debug, Clone, PartialEq)]
pub struct Cancelled {
    /// The booking, now cancelled.
    pub booking: Booking,
    /// In time (credit back) or late (credit kept).
    pub outcome: CancelOutcome,
    /// Whether a promo use was given back.
    pub promo_released: bool,
    /// The freed seat offered to the waitlist.
    pub waitlist: Vec<WaitlistEffect>,
}

/// Cancels a contact's booking by the policy snapshotted on it.
pub async fn cancel(store: &dyn Store, bot: &Bot, id: &BookingId, now: DateTime<Utc>) -> Result<Cancelled, BookError> {
    let booking = store.get_booking(&bot.id, id).await?;
    let outcome = CancelOutcome::at(booking.free_cancel_until, now);
    let booking = store
        .cancel_booking(&bot.id, id, outcome == CancelOutcome::Free)
        .await?
        .ok_or(BookingError::NotActive)?;
    let promo_released = outcome == CancelOutcome::Free && release_for_cancelled_booking(store, bot, &booking).await?;
    let waitlist = seat_freed(store, bot, &booking.session, now).await?;
    Ok(Cancelled {
        booking,
        outcome,
        promo_released,
        waitlist,
    })
}

/// What a move did.
#[derive(Debug, Clone, PartialEq)]
pub struct Moved {
    /// The booking in its new session.
    pub booking: Booking,
    /// The seat freed in the old session, offered to its waitlist.
    pub waitlist: Vec<WaitlistEffect>,
}

/// Moves a booking to another session of the same course, keeping its payment, or changes nothing.
pub async fn move_to(
    store: &dyn Store,
    bot: &Bot,
    id: &BookingId,
    to: &SessionId,
    now: DateTime<Utc>,
) -> Result<Moved, BookError> {
    let current = store.get_booking(&bot.id, id).await?;
    if !current.is_active() {
        return Err(BookingError::NotActive.into());
    }
    let (from, target) = (
        store.get_session(&bot.id, &current.session).await?,
        store.get_session(&bot.id, to).await?,
    );
    if from.course != target.course {
        return Err(BookingError::NotSameCourse.into());
    }
    if target.cancelled {
        return Err(BookingError::SessionCancelled.into());
    }
    bot.booking.check_window(target.start, now)?;
    let moved = Booking {
        id: BookingId::generate(),
        reference: current.reference.clone(),
        session: target.id.clone(),
        free_cancel_until: bot.booking.free_cancel_until(target.start),
        created_at: now,
        ..current
    };
    match store.move_booking(id, &moved).await? {
        BookOutcome::Booked => Ok(Moved {
            waitlist: seat_freed(store, bot, &from.id, now).await?,
            booking: moved,
        }),
        other => Err(refused(other).into()),
    }
}

/// Records the purchase of a pack or a subscription: a wallet of credits (or a period).
pub async fn buy_offer(
    store: &dyn Store,
    bot: &Bot,
    contact: &ContactId,
    offer: &OfferId,
    now: DateTime<Utc>,
) -> Result<Wallet, BookError> {
    let offer = store.get_offer(&bot.id, offer).await?;
    let (credits, days, weekly_cap) = match offer.kind {
        OfferKind::Pack { credits, valid_days } => (credits, valid_days, None),
        OfferKind::Subscription {
            period_days,
            weekly_cap,
        } => (Wallet::UNLIMITED, period_days, weekly_cap),
        OfferKind::Single => return Err(BookingError::OfferNotForCourse.into()),
    };
    let wallet = Wallet {
        bot: bot.id.clone(),
        id: WalletId::generate(),
        contact: contact.clone(),
        offer: offer.id.clone(),
        credits_left: credits,
        weekly_cap,
        expires_at: now + Duration::days(i64::from(days)),
        created_at: now,
    };
    store.insert_wallet(&wallet).await?;
    Ok(wallet)
}

/// Cancels a booking on the studio's side (a cancelled date, the coach's `/resa … annuler`): the
/// seat, the credit and the promo use all come back, whatever the time. `None` when it was not active.
pub async fn cancel_by_studio(store: &dyn Store, bot: &Bot, id: &BookingId) -> Result<Option<Booking>, StoreError> {
    let Some(cancelled) = store.cancel_booking(&bot.id, id, true).await? else {
        return Ok(None);
    };
    release_for_cancelled_booking(store, bot, &cancelled).await?;
    Ok(Some(cancelled))
}

/// Queues a message to a contact on the first channel they reached the bot through; false when
/// they have none (a lead known only by email or phone).
pub async fn tell(
    store: &dyn Store,
    contact: &crate::domain::contact::Contact,
    text: String,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let Some(identity) = contact.identities.first() else {
        return Ok(false);
    };
    let message = crate::domain::outbox::OutboxMessage::new(
        contact.bot.clone(),
        identity.channel(),
        identity.external_id(),
        serde_json::json!({ "text": text }),
        now,
    );
    store.enqueue(&message).await?;
    Ok(true)
}

/// What the visitor is told when a booking, a cancellation or a move is refused.
pub fn refusal(
    texts: &crate::i18n::Texts,
    language: crate::domain::language::Language,
    bot: &Bot,
    error: &BookError,
) -> String {
    use crate::t;
    match error {
        BookError::Refused(refused) => match refused {
            BookingError::NotOpenYet(opens) => {
                let date = opens.with_timezone(&bot.time_zone).format("%d/%m %H:%M").to_string();
                t!(texts, language, "booking-refused-not-open", "date" => date)
            }
            BookingError::Closed => {
                t!(texts, language, "booking-refused-closed", "minutes" => bot.booking.closes_minutes_before)
            }
            BookingError::SessionCancelled => t!(texts, language, "booking-refused-session-cancelled"),
            BookingError::Full => t!(texts, language, "booking-refused-full"),
            BookingError::AlreadyBooked => t!(texts, language, "booking-refused-already-booked"),
            BookingError::OfferNotForCourse => t!(texts, language, "booking-refused-offer-not-for-course"),
            BookingError::OfferInactive => t!(texts, language, "booking-refused-offer-inactive"),
            BookingError::NoCredit => t!(texts, language, "booking-refused-no-credit"),
            BookingError::WeeklyCapReached(cap) => t!(texts, language, "booking-refused-weekly-cap", "cap" => *cap),
            BookingError::NotSameCourse => t!(texts, language, "booking-refused-not-same-course"),
            BookingError::NotActive => t!(texts, language, "booking-refused-not-active"),
        },
        BookError::Promo(promo) => crate::ops::promo::refusal(texts, language, bot, promo),
        BookError::Store(_) => t!(texts, language, "booking-refused-error"),
    }
}
