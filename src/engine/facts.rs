//! Loads what the dialogue needs to decide, before each event: the catalog, the sessions open
//! for booking, the contact's bookings and credits (one [`Store::chat_snapshot`] read), and a held
//! waitlist seat when the event claims one.

use crate::config::bots::Bot;
use crate::conversation::{BookingView, Event, Facts};
use crate::domain::WaitlistId;
use crate::domain::booking::Wallet;
use crate::domain::booking::waitlist::WaitlistEntry;
use crate::domain::catalog::{Course, Offer};
use crate::domain::contact::{Channel, Contact};
use crate::domain::session::Session;
use crate::i18n::Texts;
use crate::store::{ChatSnapshot, Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

/// The loaded data; [`Loaded::view`] lends it to the dialogue.
pub(super) struct Loaded {
    courses: Arc<[Course]>,
    offers: Arc<[Offer]>,
    sessions: Arc<[Session]>,
    bookings: Vec<BookingView>,
    wallets: Vec<(Offer, Option<u32>, DateTime<Utc>)>,
    held: Option<WaitlistEntry>,
}

/// The sessions a dialogue step may offer start in this window: from now until booking closes
/// for them (a day past the bot's `opens_days_before`).
pub(super) fn window(bot: &Bot, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    (now, now + Duration::days(i64::from(bot.booking.opens_days_before) + 1))
}

/// Loads the facts of one dialogue step; `read` is the snapshot already read with the contact
/// ([`Store::find_chat`]) for the window at `now`, when nothing changed since.
pub(super) async fn load(
    store: &dyn Store,
    bot: &Bot,
    contact: &Contact,
    event: &Event,
    now: DateTime<Utc>,
    read: Option<ChatSnapshot>,
) -> Result<Loaded, StoreError> {
    let snapshot = match read {
        Some(snapshot) => snapshot,
        None => {
            let (from, to) = window(bot, now);
            store.chat_snapshot(&bot.id, &contact.id, from, to).await?
        }
    };
    let mut bookings: Vec<BookingView> = snapshot
        .bookings
        .into_iter()
        .filter(|(booking, session)| booking.is_active() && session.start > now)
        .map(|(booking, session)| BookingView {
            course: snapshot
                .courses
                .iter()
                .find(|c| c.id == session.course)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            booking,
            session,
        })
        .collect();
    bookings.sort_by_key(|b| b.session.start);
    let courses = only(snapshot.courses, |c| c.active);
    let all_offers = snapshot.offers;
    let sessions = only(snapshot.sessions, |s| {
        !s.cancelled && courses.iter().any(|c| c.id == s.course)
    });
    let wallets = snapshot
        .wallets
        .into_iter()
        .filter(|w| w.usable(now))
        .filter_map(|w| {
            let offer = all_offers.iter().find(|o| o.id == w.offer)?.clone();
            let left = (w.credits_left < Wallet::UNLIMITED).then_some(w.credits_left);
            Some((offer, left, w.expires_at))
        })
        .collect();
    let held = match event {
        Event::Choice(key) => match key.strip_prefix("waitlist:claim:") {
            Some(id) => match store.get_waitlist_entry(&bot.id, &WaitlistId::from(id)).await {
                Ok(entry) => Some(entry),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e),
            },
            None => None,
        },
        _ => None,
    };
    Ok(Loaded {
        courses,
        offers: only(all_offers, |o| o.active),
        sessions,
        bookings,
        wallets,
        held,
    })
}

/// The items of `all` that `keep` keeps: `all` itself, shared, when that is every one.
fn only<T: Clone>(all: Arc<[T]>, keep: impl Fn(&T) -> bool) -> Arc<[T]> {
    if all.iter().all(&keep) {
        all
    } else {
        all.iter().filter(|t| keep(t)).cloned().collect()
    }
}

impl Loaded {
    /// What a step's facts were read from, for the next step of the same message when nothing
    /// it holds changed; a held waitlist seat belongs to the event that claimed it.
    pub(super) fn again(facts: Facts<'_>) -> Self {
        Self {
            courses: facts.courses,
            offers: facts.offers,
            sessions: facts.sessions,
            bookings: facts.bookings,
            wallets: facts.wallets,
            held: None,
        }
    }

    pub(super) fn view<'a>(
        self,
        bot: &'a Bot,
        texts: &'a Texts,
        channel: Channel,
        contact: &'a Contact,
        now: DateTime<Utc>,
    ) -> Facts<'a> {
        Facts {
            bot,
            texts,
            language: contact.language.unwrap_or(bot.language),
            now,
            channel,
            contact,
            courses: self.courses,
            offers: self.offers,
            sessions: self.sessions,
            bookings: self.bookings,
            wallets: self.wallets,
            held: self.held,
            welcome: None,
        }
    }
}

/// Whether what a dialogue step read (the catalog, the sessions and their seats, the contact's
/// bookings and credits) is still true after this effect, so that the next step of the same
/// message reuses it rather than reading it again: saving details, checking a code or calling the
/// coach change none of it; booking, cancelling, moving and the waitlist change seats or bookings.
pub(super) fn keeps_facts(effect: &crate::conversation::Effect) -> bool {
    use crate::conversation::Effect;
    match effect {
        Effect::Reply(_) | Effect::Save(_) | Effect::SaveAll(_) | Effect::CheckPromo { .. } | Effect::Handoff => true,
        Effect::Book(_)
        | Effect::JoinWaitlist(_)
        | Effect::LeaveWaitlist(_)
        | Effect::Cancel(_)
        | Effect::Move { .. } => false,
    }
}
