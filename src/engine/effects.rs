//! Runs the dialogue's effects through the operations every caller shares, and turns each result
//! into the outcome the dialogue hears next.

use super::{Engine, Inbound};
use crate::config::bots::Bot;
use crate::conversation::{Cart, Effect, Outcome, ProfileChange};
use crate::domain::booking::{BookingError, BookingStatus};
use crate::domain::catalog::OfferKind;
use crate::domain::contact::{Consent, Contact, Identity};
use crate::domain::dialogue::ChatLine;
use crate::domain::promo::Purchase;
use crate::domain::reply::{Attachment, Reply};
use crate::ops::booking::{BookError, BookRequest};
use crate::ops::waitlist::{Joined, deliver};
use crate::store::StoreError;
use crate::t;
use chrono::{DateTime, Utc};

/// What running an effect gave.
pub(super) enum Ran {
    /// A reply to send.
    Reply(Reply),
    /// An outcome for the dialogue.
    Outcome(Outcome),
}

fn refused(engine: &Engine<'_>, bot: &Bot, contact: &Contact, error: &BookError) -> Outcome {
    if let BookError::Store(e) = error {
        tracing::error!(error = %e, "booking operation failed");
    }
    let language = contact.language.unwrap_or(bot.language);
    Outcome::Refused {
        text: crate::ops::booking::refusal(engine.texts, language, bot, error),
        full: matches!(error, BookError::Refused(BookingError::Full)),
    }
}

/// Whether a booking the dialogue names is this contact's (never act on another's).
async fn is_mine(engine: &Engine<'_>, bot: &Bot, contact: &Contact, id: &crate::domain::BookingId) -> bool {
    engine
        .store
        .get_booking(&bot.id, id)
        .await
        .is_ok_and(|b| b.contact == contact.id)
}

pub(super) async fn run(
    engine: &Engine<'_>,
    bot: &Bot,
    contact: &mut Contact,
    effect: Effect,
    inbound: &Inbound,
    recent: &[ChatLine],
    now: DateTime<Utc>,
) -> Result<Ran, StoreError> {
    let store = engine.store;
    let outcome = match effect {
        Effect::Reply(reply) => return Ok(Ran::Reply(reply)),
        Effect::Save(change) => save(engine, bot, contact, change, inbound, now).await?,
        Effect::SaveAll(changes) => {
            let mut first = None;
            for change in changes {
                if let Outcome::Saved { recognised } = save(engine, bot, contact, change, inbound, now).await? {
                    first = first.or(recognised);
                }
            }
            Outcome::Saved { recognised: first }
        }
        Effect::CheckPromo { code, cart } => check_promo(engine, bot, contact, code, cart, now).await?,
        Effect::Book(cart) => book(engine, bot, contact, &cart, now).await?,
        Effect::JoinWaitlist(session) => match crate::ops::waitlist::join(store, bot, &contact.id, &session, now).await
        {
            Ok(Joined::InLine { position, .. } | Joined::AlreadyInLine { position, .. }) => Outcome::Joined(position),
            Ok(Joined::SeatsLeft) => Outcome::Refused {
                text: t!(
                    engine.texts,
                    contact.language.unwrap_or(bot.language),
                    "waitlist-seats-left"
                ),
                full: false,
            },
            Err(error) => refused(engine, bot, contact, &error),
        },
        Effect::LeaveWaitlist(entry) => {
            match crate::ops::waitlist::leave(store, bot, &contact.id, &entry, now).await {
                Ok(effects) => drop(deliver(store, bot, engine.texts, &effects, now).await?),
                Err(StoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
            Outcome::Done
        }
        Effect::Cancel(id) => {
            if !is_mine(engine, bot, contact, &id).await {
                return Ok(Ran::Outcome(refused(
                    engine,
                    bot,
                    contact,
                    &BookingError::NotActive.into(),
                )));
            }
            match crate::ops::booking::cancel(store, bot, &id, now).await {
                Ok(cancelled) => {
                    deliver(store, bot, engine.texts, &cancelled.waitlist, now).await?;
                    Outcome::Cancelled {
                        late: cancelled.outcome == crate::domain::booking::CancelOutcome::Late,
                    }
                }
                Err(error) => refused(engine, bot, contact, &error),
            }
        }
        Effect::Move { booking, to } => {
            if !is_mine(engine, bot, contact, &booking).await {
                return Ok(Ran::Outcome(refused(
                    engine,
                    bot,
                    contact,
                    &BookingError::NotActive.into(),
                )));
            }
            match crate::ops::booking::move_to(store, bot, &booking, &to, now).await {
                Ok(moved) => {
                    deliver(store, bot, engine.texts, &moved.waitlist, now).await?;
                    Outcome::Moved
                }
                Err(error) => refused(engine, bot, contact, &error),
            }
        }
        Effect::Handoff => {
            handoff(engine, bot, contact, recent, now).await?;
            Outcome::Done
        }
    };
    Ok(Ran::Outcome(outcome))
}

/// Saves a lead detail. An email or phone that belongs to a contact known from another channel
/// links this channel's identity to that contact, which the conversation then continues with.
async fn save(
    engine: &Engine<'_>,
    bot: &Bot,
    contact: &mut Contact,
    change: ProfileChange,
    inbound: &Inbound,
    now: DateTime<Utc>,
) -> Result<Outcome, StoreError> {
    let store = engine.store;
    let known = match &change {
        ProfileChange::Email(email) => store.find_contact_by_email(&bot.id, email).await?,
        ProfileChange::Phone(phone) => store.find_contact_by_phone(&bot.id, phone).await?,
        _ => None,
    };
    if let Some(mut known) = known.filter(|k| k.id != contact.id) {
        let identity = Identity::new(inbound.channel, inbound.sender.clone());
        contact.identities.retain(|i| i != &identity);
        store.update_contact(contact).await?;
        if !known.identities.contains(&identity) {
            known.identities.push(identity);
        }
        known.name = known.name.or(contact.name.take());
        known.email = known.email.or(contact.email.take());
        known.phone = known.phone.or(contact.phone.take());
        known.consent = known.consent.or(contact.consent.take());
        known.language = known.language.or(contact.language);
        store.update_contact(&known).await?;
        if let Some(conversation) = store.load_conversation(&bot.id, &contact.id).await? {
            let moved = crate::domain::dialogue::ConversationRecord {
                contact: known.id.clone(),
                ..conversation
            };
            store.save_conversation(&moved).await?;
        }
        tracing::info!(contact = %known.id, channel = %inbound.channel, "visitor recognised on a new channel");
        let name = known.name.clone();
        *contact = known;
        return Ok(Outcome::Saved { recognised: name });
    }
    match change {
        ProfileChange::Name(name) => contact.name = Some(name),
        ProfileChange::Email(email) => contact.email = Some(email),
        ProfileChange::Phone(phone) => contact.phone = Some(phone),
        ProfileChange::Consent(marketing) => {
            contact.consent = Some(Consent {
                marketing,
                at: now,
                source: inbound.channel,
            })
        }
        ProfileChange::OptOut(out) => contact.opted_out = out,
    }
    store.update_contact(contact).await?;
    Ok(Outcome::Saved { recognised: None })
}

async fn check_promo(
    engine: &Engine<'_>,
    bot: &Bot,
    contact: &Contact,
    code: String,
    cart: Cart,
    now: DateTime<Utc>,
) -> Result<Outcome, StoreError> {
    let store = engine.store;
    let (Ok(session), Some(offer_id)) = (store.get_session(&bot.id, &cart.session).await, cart.offer.clone()) else {
        return Ok(Outcome::Refused {
            text: t!(
                engine.texts,
                contact.language.unwrap_or(bot.language),
                "visitor-stale-choice"
            ),
            full: false,
        });
    };
    let offer = store.get_offer(&bot.id, &offer_id).await?;
    let purchase = Purchase {
        contact: &contact.id,
        offer: &offer.id,
        course: &session.course,
        amount: offer.price,
        now,
    };
    Ok(match crate::ops::promo::check(store, bot, &code, &purchase).await {
        Ok((promo, price)) => Outcome::PromoAccepted {
            code: promo.code,
            price,
            cart,
        },
        Err(crate::ops::promo::UseError::Refused(error)) => Outcome::Refused {
            text: crate::ops::promo::refusal(engine.texts, contact.language.unwrap_or(bot.language), bot, &error),
            full: false,
        },
        Err(crate::ops::promo::UseError::Store(e)) => return Err(e),
    })
}

async fn book(
    engine: &Engine<'_>,
    bot: &Bot,
    contact: &Contact,
    cart: &Cart,
    now: DateTime<Utc>,
) -> Result<Outcome, StoreError> {
    let store = engine.store;
    let Some(offer) = cart.offer.clone() else {
        return Ok(refused(engine, bot, contact, &BookingError::OfferInactive.into()));
    };
    let single = store
        .get_offer(&bot.id, &offer)
        .await
        .is_ok_and(|o| matches!(o.kind, OfferKind::Single));
    let request = BookRequest {
        contact: &contact.id,
        session: &cart.session,
        offer: &offer,
        promo: cart.promo.as_deref(),
        // Paying online comes with the payment provider; until then a single class is paid at the studio.
        pay_on_site: single,
        now,
    };
    let booked = match &cart.claim {
        Some(entry) => crate::ops::waitlist::claim(store, bot, entry, &request).await,
        None => crate::ops::booking::book(store, bot, &request).await,
    };
    let booking = match booked {
        Ok(booking) => booking,
        Err(error) => return Ok(refused(engine, bot, contact, &error)),
    };
    let ticket = match booking.status {
        BookingStatus::Confirmed => {
            let token = crate::ops::ticket::token(engine.keys.get(&bot.id), &booking);
            let facts = crate::ops::ticket::facts(store, bot, &booking).await?;
            Some(Attachment {
                file_name: format!("billet-{}.png", booking.reference),
                mime: "image/png".into(),
                bytes: crate::tickets::render_png(&token, &facts),
                link: Some(format!("/t/{token}.png")),
            })
        }
        _ => None,
    };
    Ok(Outcome::Booked {
        booking: Box::new(booking),
        ticket,
    })
}

/// Tells the coach, on each of their private chats, who asks for them and the last messages.
async fn handoff(
    engine: &Engine<'_>,
    bot: &Bot,
    contact: &Contact,
    recent: &[ChatLine],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let store = engine.store;
    let last: Vec<String> = recent
        .iter()
        .rev()
        .take(6)
        .rev()
        .map(|l| format!("{} {}", if l.from_bot { "🤖" } else { "👤" }, l.text))
        .collect();
    let reach = [
        contact.email.as_ref().map(ToString::to_string),
        contact.phone.as_ref().map(ToString::to_string),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let handle = contact.phone.as_ref().map_or_else(
        || {
            contact
                .email
                .as_ref()
                .map_or_else(|| contact.id.to_string(), ToString::to_string)
        },
        ToString::to_string,
    );
    let text = t!(engine.texts, bot.language, "handoff-coach",
        "name" => contact.name.clone().unwrap_or_else(|| "—".into()), "reach" => reach,
        "last" => last.join("\n"), "handle" => handle);
    let coaches = bot.coach.identities();
    if coaches.is_empty() {
        tracing::warn!(bot = %bot.id, "a visitor asked for the coach, but the bot file names no coach identity");
    }
    for identity in coaches {
        let message = crate::domain::outbox::OutboxMessage::new(
            bot.id.clone(),
            identity.channel(),
            identity.external_id(),
            serde_json::json!({ "text": text }),
            now,
        );
        store.enqueue(&message).await?;
    }
    Ok(())
}
