//! The visitor's own bookings: list, cancel (the policy explained before confirming), move to
//! another date of the same course, credits left, a held waitlist seat, and STOP.

use super::booking::stale;
use super::{BookingView, Cart, Effect, Facts, ProfileChange, Step, Turn, menu};
use crate::domain::BookingId;
use crate::domain::booking::CancelOutcome;
use crate::domain::booking::waitlist::WaitlistStatus;
use crate::domain::reply::Choice;
use crate::domain::{SessionId, WaitlistId};

fn line(view: &BookingView, facts: &Facts<'_>) -> String {
    facts.t(
        "mine-line",
        &[
            ("reference", view.booking.reference.as_str().into()),
            ("course", view.course.as_str().into()),
            ("when", facts.when(view.session.start).into()),
        ],
    )
}

fn none(turn: &mut Turn, facts: &Facts<'_>) {
    turn.go(Step::Menu);
    let choices = vec![Choice::new("menu:book", facts.t("menu-book", &[]))];
    turn.say(facts.t("mine-none", &[]), choices);
}

/// "Mes réservations".
pub(super) fn my_bookings(turn: &mut Turn, facts: &Facts<'_>) {
    if facts.bookings.is_empty() {
        return none(turn, facts);
    }
    let lines: Vec<String> = facts.bookings.iter().map(|b| line(b, facts)).collect();
    let text = format!("{}\n{}", facts.t("mine-title", &[]), lines.join("\n"));
    let choices = vec![
        Choice::new("menu:cancel", facts.t("mine-cancel", &[])),
        Choice::new("menu:move", facts.t("mine-move", &[])),
        Choice::new("menu:book", facts.t("menu-book", &[])),
    ];
    turn.go(Step::Menu);
    turn.say(text, choices);
}

fn pick(turn: &mut Turn, facts: &Facts<'_>, step: Step, prefix: &str, question: &str) {
    let choices = facts
        .bookings
        .iter()
        .map(|b| Choice::new(format!("{prefix}{}", b.booking.id), line(b, facts)))
        .collect();
    turn.go(step);
    turn.say(facts.t(question, &[]), choices);
}

/// "Annuler": which booking, then the policy.
pub(super) fn choose_cancel(turn: &mut Turn, facts: &Facts<'_>) {
    match facts.bookings.as_slice() {
        [] => none(turn, facts),
        [only] => explain_cancel(turn, only.booking.id.clone(), facts),
        _ => pick(turn, facts, Step::ChooseCancel, "cancel:", "mine-which-cancel"),
    }
}

fn explain_cancel(turn: &mut Turn, id: BookingId, facts: &Facts<'_>) {
    let Some(view) = facts.bookings.iter().find(|b| b.booking.id == id) else {
        return stale(turn, facts);
    };
    let args = [
        ("course", view.course.as_str().into()),
        ("when", facts.when(view.session.start).into()),
        ("until", facts.when(view.booking.free_cancel_until).into()),
        ("hours", facts.bot.booking.free_cancel_hours.into()),
    ];
    let text = match CancelOutcome::at(view.booking.free_cancel_until, facts.now) {
        CancelOutcome::Free => facts.t("cancel-explain-free", &args),
        CancelOutcome::Late => facts.t("cancel-explain-late", &args),
    };
    turn.go(Step::ConfirmCancel { booking: id });
    let choices = vec![
        Choice::new("yes", facts.t("cancel-confirm", &[])),
        Choice::new("no", facts.t("cancel-keep", &[])),
    ];
    turn.say(text, choices);
}

/// "Déplacer": which booking, then which date.
pub(super) fn choose_move(turn: &mut Turn, facts: &Facts<'_>) {
    match facts.bookings.as_slice() {
        [] => none(turn, facts),
        [only] => move_targets(turn, only.booking.id.clone(), facts),
        _ => pick(turn, facts, Step::ChooseMove, "move:", "mine-which-move"),
    }
}

fn move_targets(turn: &mut Turn, id: BookingId, facts: &Facts<'_>) {
    let Some(view) = facts.bookings.iter().find(|b| b.booking.id == id) else {
        return stale(turn, facts);
    };
    let choices: Vec<Choice> = facts
        .sessions
        .iter()
        .filter(|s| s.course == view.session.course && s.id != view.session.id && s.seats_left() > 0)
        .filter(|s| facts.bot.booking.check_window(s.start, facts.now).is_ok())
        .take(6)
        .map(|s| Choice::new(format!("to:{}", s.id), facts.when(s.start)))
        .collect();
    if choices.is_empty() {
        turn.go(Step::Menu);
        return turn.say(facts.t("move-no-date", &[]), menu(facts));
    }
    turn.go(Step::ChooseMoveTarget { booking: id });
    let text = facts.t("move-choose-date", &[("course", view.course.as_str().into())]);
    turn.say(text, choices);
}

/// A choice while cancelling or moving.
pub(super) fn on_choice(turn: &mut Turn, step: &Step, key: &str, facts: &Facts<'_>) {
    match (step, key) {
        (Step::ChooseCancel, key) if key.starts_with("cancel:") => {
            explain_cancel(turn, BookingId::from(&key["cancel:".len()..]), facts)
        }
        (Step::ConfirmCancel { booking }, "yes") => {
            turn.effects.push(Effect::Cancel(booking.clone()));
            turn.go(Step::Menu);
        }
        (Step::ConfirmCancel { .. }, "no") => {
            turn.go(Step::Menu);
            turn.say(facts.t("cancel-kept", &[]), menu(facts));
        }
        (Step::ChooseMove, key) if key.starts_with("move:") => {
            move_targets(turn, BookingId::from(&key["move:".len()..]), facts)
        }
        (Step::ChooseMoveTarget { booking }, key) if key.starts_with("to:") => {
            turn.effects.push(Effect::Move {
                booking: booking.clone(),
                to: SessionId::from(&key["to:".len()..]),
            });
            turn.go(Step::Menu);
        }
        _ => stale(turn, facts),
    }
}

/// After a cancellation.
pub(super) fn cancelled(turn: &mut Turn, late: bool, facts: &Facts<'_>) {
    turn.go(Step::Menu);
    let id = if late { "cancelled-late" } else { "cancelled-free" };
    turn.say(facts.t(id, &[]), menu(facts));
}

/// Credits left.
pub(super) fn credits(turn: &mut Turn, facts: &Facts<'_>) {
    let lines: Vec<String> = facts
        .wallets
        .iter()
        .map(|(offer, left, until)| match left {
            Some(left) => facts.t(
                "credits-line",
                &[
                    ("offer", offer.name.as_str().into()),
                    ("left", (*left).into()),
                    ("until", facts.when(*until).into()),
                ],
            ),
            None => facts.t(
                "credits-unlimited",
                &[
                    ("offer", offer.name.as_str().into()),
                    ("until", facts.when(*until).into()),
                ],
            ),
        })
        .collect();
    let text = match lines.is_empty() {
        true => facts.t("credits-none", &[]),
        false => lines.join("\n"),
    };
    turn.go(Step::Menu);
    turn.say(text, menu(facts));
}

/// "Je la prends": the held seat, if it is still theirs, goes into a booking.
pub(super) fn claim(turn: &mut Turn, entry: WaitlistId, facts: &Facts<'_>) {
    let held = facts.held.as_ref().filter(|e| {
        e.id == entry
            && e.contact == facts.contact.id
            && e.status == WaitlistStatus::Offered
            && e.offered_until.is_some_and(|until| until > facts.now)
    });
    let Some(held) = held else {
        turn.go(Step::Menu);
        return turn.say(facts.t("waitlist-gone", &[]), menu(facts));
    };
    let cart = Cart {
        claim: Some(entry),
        ..Cart::new(held.session.clone())
    };
    super::booking::choose_offer(turn, cart, facts)
}

/// STOP: confirm first.
pub(super) fn ask_stop(turn: &mut Turn, facts: &Facts<'_>) {
    turn.go(Step::ConfirmStop);
    let choices = vec![
        Choice::new("yes", facts.t("stop-confirm", &[])),
        Choice::new("no", facts.t("stop-keep", &[])),
    ];
    turn.say(facts.t("stop-ask", &[]), choices);
}

pub(super) fn on_stop_answer(turn: &mut Turn, key: &str, facts: &Facts<'_>) {
    turn.go(Step::Menu);
    if key == "yes" {
        turn.effects.push(Effect::Save(ProfileChange::OptOut(true)));
        turn.say(facts.t("stop-done", &[]), Vec::new());
    } else {
        turn.say(facts.t("stop-kept", &[]), menu(facts));
    }
}
