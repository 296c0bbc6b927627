//! Booking by chat: course → date (with seats left) → offer → "un code promo ?" → summary with
//! the price → confirm → ticket. A full date offers the waitlist. Schedule and prices are here too.

use super::{Cart, Effect, Facts, Step, Turn, menu};
use crate::domain::booking::Booking;
use crate::domain::catalog::{Offer, OfferKind};
use crate::domain::money::Money;
use crate::domain::reply::{Attachment, Choice, Reply};
use crate::domain::{CourseId, OfferId, SessionId};

/// How many dates are offered for a course.
const DATES_SHOWN: usize = 6;

fn yes_no(facts: &Facts<'_>, yes: &str, no: &str) -> Vec<Choice> {
    vec![
        Choice::new("yes", facts.t(yes, &[])),
        Choice::new("no", facts.t(no, &[])),
    ]
}

/// Which course?
pub(super) fn choose_course(turn: &mut Turn, facts: &Facts<'_>) {
    let choices: Vec<Choice> = facts
        .courses
        .iter()
        .filter(|c| facts.sessions.iter().any(|s| s.course == c.id && bookable(facts, s)))
        .map(|c| Choice::new(format!("course:{}", c.id), c.name.clone()))
        .collect();
    if choices.is_empty() {
        turn.go(Step::Menu);
        return turn.say(facts.t("booking-no-session", &[]), menu(facts));
    }
    turn.go(Step::ChooseCourse);
    turn.say(facts.t("booking-choose-course", &[]), choices);
}

fn bookable(facts: &Facts<'_>, session: &crate::domain::session::Session) -> bool {
    facts.bot.booking.check_window(session.start, facts.now).is_ok()
}

/// Which date of this course?
fn choose_session(turn: &mut Turn, course: &CourseId, facts: &Facts<'_>) {
    let choices: Vec<Choice> = facts
        .sessions
        .iter()
        .filter(|s| &s.course == course && bookable(facts, s))
        .take(DATES_SHOWN)
        .map(|s| {
            let label = match s.seats_left() {
                0 => facts.t("booking-date-full", &[("when", facts.when(s.start).into())]),
                left => facts.t(
                    "booking-date",
                    &[("when", facts.when(s.start).into()), ("left", left.into())],
                ),
            };
            Choice::new(format!("session:{}", s.id), label)
        })
        .collect();
    if choices.is_empty() {
        turn.go(Step::Menu);
        return turn.say(facts.t("booking-no-session", &[]), menu(facts));
    }
    turn.go(Step::ChooseSession { course: course.clone() });
    let text = facts.t("booking-choose-date", &[("course", facts.course_name(course).into())]);
    turn.say(text, choices);
}

/// Offers the visitor can use for this course now: single classes, and packs or subscriptions
/// they hold credits of.
fn usable_offers<'f>(facts: &'f Facts<'_>, course: &CourseId) -> Vec<(&'f Offer, Option<Option<u32>>)> {
    facts
        .offers
        .iter()
        .filter(|o| o.covers(course))
        .filter_map(|o| match o.kind {
            OfferKind::Single => Some((o, None)),
            _ => facts
                .wallets
                .iter()
                .find(|(offer, _, _)| offer.id == o.id)
                .map(|(_, left, _)| (o, Some(*left))),
        })
        .collect()
}

/// Which offer?
pub(super) fn choose_offer(turn: &mut Turn, cart: Cart, facts: &Facts<'_>) {
    let Some(session) = facts.session(&cart.session) else {
        return stale(turn, facts);
    };
    let language = facts.language;
    let choices: Vec<Choice> = usable_offers(facts, &session.course)
        .into_iter()
        .map(|(offer, credits)| {
            let label = match credits {
                None => facts.t(
                    "booking-offer",
                    &[
                        ("name", offer.name.as_str().into()),
                        ("price", offer.price.display(language).into()),
                    ],
                ),
                Some(Some(left)) => facts.t(
                    "booking-offer-credits",
                    &[("name", offer.name.as_str().into()), ("left", left.into())],
                ),
                Some(None) => facts.t("booking-offer-subscription", &[("name", offer.name.as_str().into())]),
            };
            Choice::new(format!("offer:{}", offer.id), label)
        })
        .collect();
    turn.go(Step::ChooseOffer(cart));
    turn.say(facts.t("booking-choose-offer", &[]), choices);
}

/// The summary, to confirm.
fn confirm(turn: &mut Turn, cart: Cart, facts: &Facts<'_>) {
    let (Some(session), Some(offer)) = (
        facts.session(&cart.session),
        cart.offer.as_ref().and_then(|id| facts.offer(id)),
    ) else {
        return stale(turn, facts);
    };
    let credit = !matches!(offer.kind, OfferKind::Single);
    let price = cart.price.unwrap_or(offer.price);
    let mut args = vec![
        ("course", facts.course_name(&session.course).into()),
        ("when", facts.when(session.start).into()),
        ("offer", offer.name.as_str().into()),
        ("price", price.display(facts.language).into()),
    ];
    if let Some(code) = &cart.promo {
        args.push(("code", code.as_str().into()));
    }
    let id = match (credit, cart.promo.is_some()) {
        (true, _) => "booking-summary-credit",
        (false, true) => "booking-summary-promo",
        (false, false) => "booking-summary",
    };
    let text = facts.t(id, &args);
    turn.go(Step::Confirm(cart));
    turn.say(text, yes_no(facts, "booking-confirm", "booking-abandon"));
}

/// A choice in the booking flow.
pub(super) fn on_choice(turn: &mut Turn, step: &Step, key: &str, facts: &Facts<'_>) {
    match (step, key) {
        (Step::ChooseCourse, key) if key.starts_with("course:") => {
            choose_session(turn, &CourseId::from(&key["course:".len()..]), facts)
        }
        (Step::ChooseSession { .. }, key) if key.starts_with("session:") => {
            let id = SessionId::from(&key["session:".len()..]);
            match facts.session(&id) {
                Some(session) if session.seats_left() == 0 => offer_waitlist(turn, id, facts),
                Some(_) => choose_offer(turn, Cart::new(id), facts),
                None => stale(turn, facts),
            }
        }
        (Step::ChooseOffer(cart), key) if key.starts_with("offer:") => {
            let offer = OfferId::from(&key["offer:".len()..]);
            let single = facts.offer(&offer).is_some_and(|o| matches!(o.kind, OfferKind::Single));
            let cart = Cart {
                offer: Some(offer),
                ..cart.clone()
            };
            if single {
                turn.go(Step::AskPromo(cart));
                let choices = yes_no(facts, "booking-promo-yes", "booking-promo-no");
                turn.say(facts.t("booking-ask-promo", &[]), choices);
            } else {
                confirm(turn, cart, facts)
            }
        }
        (Step::AskPromo(cart), "yes") => {
            turn.go(Step::TypePromo(cart.clone()));
            let choices = vec![Choice::new("no", facts.t("booking-promo-skip", &[]))];
            turn.say(facts.t("booking-type-promo", &[]), choices);
        }
        (Step::AskPromo(cart) | Step::TypePromo(cart), "no") => confirm(turn, cart.clone(), facts),
        (Step::Confirm(cart), "yes") => {
            turn.effects.push(Effect::Book(cart.clone()));
            turn.go(Step::Menu);
        }
        (Step::Confirm(_), "no") | (Step::OfferWaitlist { .. }, "no") => {
            turn.go(Step::Menu);
            turn.say(facts.t("booking-abandoned", &[]), menu(facts));
        }
        (Step::OfferWaitlist { session }, "yes") => {
            turn.effects.push(Effect::JoinWaitlist(session.clone()));
            turn.go(Step::Menu);
        }
        _ => stale(turn, facts),
    }
}

/// A button from an older message, or one that no longer applies.
pub(super) fn stale(turn: &mut Turn, facts: &Facts<'_>) {
    turn.go(Step::Menu);
    turn.say(facts.t("visitor-stale-choice", &[]), menu(facts));
}

fn offer_waitlist(turn: &mut Turn, session: SessionId, facts: &Facts<'_>) {
    turn.go(Step::OfferWaitlist { session });
    let text = facts.t("booking-refused-full", &[]);
    turn.say(text, yes_no(facts, "waitlist-join", "booking-abandon"));
}

/// "J'ai un code promo": it is asked for during the booking.
pub(super) fn promo_first(turn: &mut Turn, facts: &Facts<'_>) {
    turn.effects
        .push(Effect::Reply(Reply::text(facts.t("booking-promo-later", &[]))));
    choose_course(turn, facts)
}

pub(super) fn promo_accepted(turn: &mut Turn, code: String, price: Money, cart: Cart, facts: &Facts<'_>) {
    confirm(
        turn,
        Cart {
            promo: Some(code),
            price: Some(price),
            ..cart
        },
        facts,
    )
}

pub(super) fn booked(turn: &mut Turn, booking: &Booking, ticket: Option<Attachment>, facts: &Facts<'_>) {
    let when = facts
        .sessions
        .iter()
        .find(|s| s.id == booking.session)
        .map(|s| (facts.course_name(&s.course), facts.when(s.start)))
        .unwrap_or_default();
    let text = match booking.hold_until {
        Some(until) => facts.t(
            "booking-done-pending",
            &[
                ("course", when.0.into()),
                ("when", when.1.into()),
                ("reference", booking.reference.as_str().into()),
                ("until", facts.hour(until).into()),
            ],
        ),
        None if matches!(booking.payment, crate::domain::booking::Payment::Credit { .. }) => facts.t(
            "booking-done-credit",
            &[
                ("course", when.0.into()),
                ("when", when.1.into()),
                ("reference", booking.reference.as_str().into()),
            ],
        ),
        None => facts.t(
            "booking-done",
            &[
                ("course", when.0.into()),
                ("when", when.1.into()),
                ("reference", booking.reference.as_str().into()),
                ("price", booking.price.display(facts.language).into()),
            ],
        ),
    };
    turn.go(Step::Menu);
    turn.dialogue.choices = menu(facts);
    turn.effects.push(Effect::Reply(Reply {
        image: ticket,
        ..Reply::text(text).with_choices(menu(facts))
    }));
}

/// A refusal from the store or a rule: told as is; a full session offers the waitlist; a refused
/// promo code lets the visitor type another or go on without.
pub(super) fn refused(turn: &mut Turn, text: String, full: bool, facts: &Facts<'_>) {
    if let Step::TypePromo(cart) = &turn.dialogue.step {
        let cart = cart.clone();
        let choices = vec![Choice::new("no", facts.t("booking-promo-skip", &[]))];
        turn.go(Step::TypePromo(cart));
        return turn.say(format!("{text}\n{}", facts.t("booking-type-promo-again", &[])), choices);
    }
    if full && let Step::Confirm(cart) = &turn.dialogue.step {
        let session = cart.session.clone();
        return offer_waitlist(turn, session, facts);
    }
    turn.go(Step::Menu);
    turn.say(text, menu(facts));
}

/// The week to come, by day.
pub(super) fn schedule(turn: &mut Turn, facts: &Facts<'_>) {
    let week = facts.now + chrono::Duration::days(7);
    let lines: Vec<String> = facts
        .sessions
        .iter()
        .filter(|s| s.start < week && bookable(facts, s))
        .map(|s| {
            facts.t(
                "schedule-line",
                &[
                    ("when", facts.when(s.start).into()),
                    ("course", facts.course_name(&s.course).into()),
                    ("left", s.seats_left().into()),
                ],
            )
        })
        .collect();
    let text = match lines.is_empty() {
        true => facts.t("booking-no-session", &[]),
        false => format!("{}\n{}", facts.t("schedule-title", &[]), lines.join("\n")),
    };
    turn.go(Step::Menu);
    turn.say(text, menu(facts));
}

/// Offers and prices.
pub(super) fn prices(turn: &mut Turn, facts: &Facts<'_>) {
    let language = facts.language;
    let lines: Vec<String> = facts
        .offers
        .iter()
        .map(|o| {
            let price = o.price.display(language);
            match o.kind {
                OfferKind::Single => facts.t(
                    "prices-single",
                    &[("name", o.name.as_str().into()), ("price", price.into())],
                ),
                OfferKind::Pack { credits, valid_days } => facts.t(
                    "prices-pack",
                    &[
                        ("name", o.name.as_str().into()),
                        ("price", price.into()),
                        ("credits", credits.into()),
                        ("days", valid_days.into()),
                    ],
                ),
                OfferKind::Subscription {
                    period_days,
                    weekly_cap,
                } => facts.t(
                    "prices-subscription",
                    &[
                        ("name", o.name.as_str().into()),
                        ("price", price.into()),
                        ("days", period_days.into()),
                        ("cap", weekly_cap.unwrap_or(0).into()),
                    ],
                ),
            }
        })
        .collect();
    turn.go(Step::Menu);
    let text = format!("{}\n{}", facts.t("prices-title", &[]), lines.join("\n"));
    turn.say(text, menu(facts));
}
