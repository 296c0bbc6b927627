//! The waitlist of full sessions: joining the line, passing each freed seat to the first in line
//! (held for them `claim_minutes`), claiming or letting go of it, and the expiry of unclaimed
//! offers, which passes the seat to the next one.
//!
//! Every operation that frees a seat (a cancel, a move, an expired payment hold, a larger capacity,
//! an offer let go or lapsed) returns [`WaitlistEffect`]s: what the people in line must be told.
//! The caller hands them to [`deliver`], which queues the messages in the outbox with the choices
//! the dialogue answers ("Je la prends" / "Non merci").

use crate::config::bots::Bot;
use crate::domain::booking::waitlist::{WaitlistEntry, offer_deadline};
use crate::domain::booking::{Booking, BookingError};
use crate::domain::outbox::OutboxMessage;
use crate::domain::reply::Choice;
use crate::domain::{BotId, ContactId, SessionId, WaitlistId};
use crate::i18n::Texts;
use crate::ops::booking::{BookError, BookRequest};
use crate::store::{Store, StoreError};
use crate::t;
use chrono::{DateTime, Utc};

/// What the people in line must be told.
#[derive(Debug, Clone, PartialEq)]
pub enum WaitlistEffect {
    /// A seat is held for this contact until `offered_until`: ask them to claim it.
    SeatOffered(WaitlistEntry),
    /// Their held seat was not claimed in time and passed on.
    OfferLapsed(WaitlistEntry),
}

impl WaitlistEffect {
    /// The entry the effect is about.
    pub fn entry(&self) -> &WaitlistEntry {
        match self {
            Self::SeatOffered(entry) | Self::OfferLapsed(entry) => entry,
        }
    }
}

/// What asking to join a line did.
#[derive(Debug, Clone, PartialEq)]
pub enum Joined {
    /// In line, at this position (1 = next).
    InLine {
        /// The entry.
        entry: WaitlistEntry,
        /// Position in the line, from 1.
        position: usize,
    },
    /// Already in this line, at this position.
    AlreadyInLine {
        /// The entry.
        entry: WaitlistEntry,
        /// Position in the line, from 1.
        position: usize,
    },
    /// The session has seats left: book instead.
    SeatsLeft,
}

/// Puts a contact in the line of a full session (open for booking, not cancelled, not already
/// booked by them).
pub async fn join(
    store: &dyn Store,
    bot: &Bot,
    contact: &ContactId,
    session: &SessionId,
    now: DateTime<Utc>,
) -> Result<Joined, BookError> {
    let found = store.get_session(&bot.id, session).await?;
    if found.cancelled {
        return Err(BookingError::SessionCancelled.into());
    }
    bot.booking.check_window(found.start, now)?;
    let booked = store.list_bookings_for_session(&bot.id, session).await?;
    if booked.iter().any(|b| b.is_active() && &b.contact == contact) {
        return Err(BookingError::AlreadyBooked.into());
    }
    let line = store.list_waitlist(&bot.id, session).await?;
    if let Some(position) = line.iter().position(|e| &e.contact == contact) {
        let entry = line[position].clone();
        return Ok(Joined::AlreadyInLine {
            entry,
            position: position + 1,
        });
    }
    if found.seats_taken < found.capacity && line.is_empty() {
        return Ok(Joined::SeatsLeft);
    }
    let entry = WaitlistEntry::new(bot.id.clone(), session.clone(), contact.clone(), now);
    if !store.join_waitlist(&entry).await? {
        // Joined concurrently (a double tap): report the place they hold.
        return Box::pin(join(store, bot, contact, session, now)).await;
    }
    let position = store
        .list_waitlist(&bot.id, session)
        .await?
        .iter()
        .position(|e| e.id == entry.id)
        .map_or(1, |p| p + 1);
    Ok(Joined::InLine { entry, position })
}

/// Passes the session's free seats to the people in line, first come first served, each held
/// until its deadline. Contacts who booked the session meanwhile are taken out of line.
/// Nothing happens once booking has closed.
pub async fn seat_freed(
    store: &dyn Store,
    bot: &Bot,
    session: &SessionId,
    now: DateTime<Utc>,
) -> Result<Vec<WaitlistEffect>, StoreError> {
    let found = store.get_session(&bot.id, session).await?;
    let Some(until) = offer_deadline(&bot.booking, found.start, now) else {
        return Ok(Vec::new());
    };
    if found.cancelled || store.list_waitlist(&bot.id, session).await?.is_empty() {
        return Ok(Vec::new());
    }
    let booked: Vec<ContactId> = store
        .list_bookings_for_session(&bot.id, session)
        .await?
        .into_iter()
        .filter(Booking::is_active)
        .map(|b| b.contact)
        .collect();
    let mut effects = Vec::new();
    while let Some(entry) = store.offer_waitlist_seat(&bot.id, session, until).await? {
        if booked.contains(&entry.contact) {
            store.leave_waitlist(&bot.id, &entry.id).await?;
            continue;
        }
        effects.push(WaitlistEffect::SeatOffered(entry));
    }
    Ok(effects)
}

/// Takes a contact out of a line ("Non merci", or leaving before any offer); a seat held for them
/// passes to the next in line. Only the entry's own contact can do it.
pub async fn leave(
    store: &dyn Store,
    bot: &Bot,
    contact: &ContactId,
    id: &WaitlistId,
    now: DateTime<Utc>,
) -> Result<Vec<WaitlistEffect>, StoreError> {
    let entry = store.get_waitlist_entry(&bot.id, id).await?;
    if &entry.contact != contact {
        return Err(StoreError::NotFound);
    }
    match store.leave_waitlist(&bot.id, id).await? {
        // A seat was held for it (an entry never offered has no deadline): it passes on.
        Some(left) if left.offered_until.is_some() => seat_freed(store, bot, &left.session, now).await,
        _ => Ok(Vec::new()),
    }
}

/// Books the seat held for an offered entry, with the visitor's offer and promo code like any
/// booking. When the offer lapsed, the booking is still tried on a free seat (usually: full).
pub async fn claim(
    store: &dyn Store,
    bot: &Bot,
    id: &WaitlistId,
    request: &BookRequest<'_>,
) -> Result<Booking, BookError> {
    let entry = store.get_waitlist_entry(&bot.id, id).await?;
    if &entry.contact != request.contact || &entry.session != request.session {
        return Err(StoreError::NotFound.into());
    }
    crate::ops::booking::book_claiming(store, bot, request, Some(id)).await
}

/// Ends the offers that ran out by `now` and passes their seats on: the job's step, across bots
/// (`bot` finds a bot's settings; offers of a bot no longer configured are left alone).
pub async fn expire_offers<'b>(
    store: &dyn Store,
    bot: impl Fn(&BotId) -> Option<&'b Bot>,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<(BotId, WaitlistEffect)>, StoreError> {
    let mut effects = Vec::new();
    for lapsed in store.list_lapsed_waitlist_offers(now, limit).await? {
        let Some(bot) = bot(&lapsed.bot) else { continue };
        let Some(expired) = store.expire_waitlist_offer(&bot.id, &lapsed.id, now).await? else {
            continue;
        };
        effects.push((bot.id.clone(), WaitlistEffect::OfferLapsed(expired.clone())));
        for next in seat_freed(store, bot, &expired.session, now).await? {
            effects.push((bot.id.clone(), next));
        }
    }
    Ok(effects)
}

/// Queues the messages the effects call for (one per effect, on the contact's first channel);
/// returns how many were queued. Contacts without a channel are skipped.
pub async fn deliver(
    store: &dyn Store,
    bot: &Bot,
    texts: &Texts,
    effects: &[WaitlistEffect],
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut queued = 0;
    for effect in effects {
        let entry = effect.entry();
        let contact = store.get_contact(&bot.id, &entry.contact).await?;
        let Some(identity) = contact.identities.first() else {
            continue;
        };
        let language = contact.language.unwrap_or(bot.language);
        let session = store.get_session(&bot.id, &entry.session).await?;
        let course = store.get_course(&bot.id, &session.course).await?.name;
        let local = |at: DateTime<Utc>, format: &str| at.with_timezone(&bot.time_zone).format(format).to_string();
        let when = local(session.start, "%d/%m %H:%M");
        let payload = match effect {
            WaitlistEffect::SeatOffered(entry) => {
                let until = local(entry.offered_until.unwrap_or(now), "%H:%M");
                serde_json::json!({
                    "text": t!(texts, language, "waitlist-seat-offered",
                        "course" => course, "when" => when, "until" => until),
                    "choices": [
                        Choice::new(format!("waitlist:claim:{}", entry.id), t!(texts, language, "waitlist-choice-claim")),
                        Choice::new(format!("waitlist:leave:{}", entry.id), t!(texts, language, "waitlist-choice-leave")),
                    ],
                })
            }
            WaitlistEffect::OfferLapsed(_) => serde_json::json!({
                "text": t!(texts, language, "waitlist-offer-lapsed", "course" => course, "when" => when),
            }),
        };
        let message = OutboxMessage::new(bot.id.clone(), identity.channel(), identity.external_id(), payload, now);
        store.enqueue(&message).await?;
        queued += 1;
    }
    Ok(queued)
}
