//! The state machine alone: events in, effects out, no store and no clock.

use super::*;
use crate::domain::contact::{Consent, Identity};
use crate::domain::{BotId, ContactId};
use chrono::TimeZone;

fn bot() -> Bot {
    let text = include_str!("../../bots/demo.toml");
    Bot::parse("bots/demo.toml", text, &std::collections::BTreeMap::new()).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn contact(complete: bool) -> Contact {
    let mut contact = Contact::new(
        BotId::parse("demo").unwrap(),
        Identity::new(Channel::Telegram, "42"),
        now(),
    );
    contact.id = ContactId::from("c1");
    if complete {
        contact.name = Some("Marie Dupont".into());
        contact.email = Some(Email::parse("marie@example.fr").unwrap());
        contact.phone = Some(Phone::parse("+33612345678", None).unwrap());
        contact.consent = Some(Consent {
            marketing: false,
            at: now(),
            source: Channel::Telegram,
        });
    }
    contact
}

fn facts<'a>(bot: &'a Bot, texts: &'a Texts, contact: &'a Contact) -> Facts<'a> {
    Facts {
        bot,
        texts,
        language: Language::Fr,
        now: now(),
        channel: Channel::Telegram,
        contact,
        courses: bot.courses.clone().into(),
        offers: bot.offers.clone().into(),
        sessions: Arc::default(),
        bookings: Vec::new(),
        wallets: Vec::new(),
        held: None,
        welcome: None,
    }
}

fn replies(turn: &Turn) -> Vec<&Reply> {
    turn.effects
        .iter()
        .filter_map(|e| match e {
            Effect::Reply(reply) => Some(reply),
            _ => None,
        })
        .collect()
}

#[test]
fn what_a_new_visitor_asks_first_waits_for_the_lead_then_resumes() {
    let (bot, texts, contact) = (bot(), Texts::builtin(), contact(false));
    let turn = handle(
        &Dialogue::default(),
        Event::Text("je veux réserver".into()),
        &facts(&bot, &texts, &contact),
    );
    assert_eq!(turn.dialogue.step, Step::AskName);
    assert_eq!(turn.dialogue.after_lead, Some(Intent::Book));
    assert_eq!(turn.intent, Some(Intent::Book));
    assert!(
        replies(&turn)[0]
            .text
            .ends_with("Pour commencer, quel est votre prénom ?")
    );
}

#[test]
fn a_phone_is_asked_with_the_share_button_on_telegram_and_checked() {
    let (bot, texts, mut contact) = (bot(), Texts::builtin(), contact(false));
    contact.name = Some("Marie".into());
    contact.email = Some(Email::parse("marie@example.fr").unwrap());
    let dialogue = Dialogue {
        step: Step::AskEmail,
        ..Dialogue::default()
    };
    let asked = handle(
        &dialogue,
        Event::Outcome(Outcome::Saved { recognised: None }),
        &facts(&bot, &texts, &contact),
    );
    assert_eq!(asked.dialogue.step, Step::AskPhone);
    assert!(replies(&asked)[0].request_contact);
    let wrong = handle(
        &asked.dialogue,
        Event::Text("12".into()),
        &facts(&bot, &texts, &contact),
    );
    assert_eq!(wrong.dialogue.step, Step::AskPhone);
    let shared = handle(
        &asked.dialogue,
        Event::ContactShared("+33 6 12 34 56 78".into()),
        &facts(&bot, &texts, &contact),
    );
    assert_eq!(
        shared.effects,
        [Effect::Save(ProfileChange::Phone(
            Phone::parse("+33612345678", None).unwrap()
        ))]
    );
}

#[test]
fn a_typed_number_or_label_picks_the_offered_choice() {
    let choices = vec![
        Choice::new("course:yoga", "Yoga doux"),
        Choice::new("course:pilates", "Pilates"),
    ];
    assert_eq!(picked(&choices, "2"), Some("course:pilates".into()));
    assert_eq!(picked(&choices, " yoga DOUX "), Some("course:yoga".into()));
    assert_eq!(picked(&choices, "3"), None);
    assert_eq!(picked(&choices, "0"), None);
    assert_eq!(picked(&choices, "yoga"), None);
}

#[test]
fn yes_on_the_summary_books_and_a_full_class_then_offers_the_waitlist() {
    let (bot, texts, contact) = (bot(), Texts::builtin(), contact(true));
    let cart = Cart {
        offer: Some(OfferId::from("single")),
        ..Cart::new(SessionId::from("s1"))
    };
    let dialogue = Dialogue {
        step: Step::Confirm(cart.clone()),
        ..Dialogue::default()
    };
    let facts = facts(&bot, &texts, &contact);
    let yes = handle(&dialogue, Event::Text("oui".into()), &facts);
    assert_eq!(yes.effects, [Effect::Book(cart.clone())]);
    let full = handle(
        &dialogue,
        Event::Outcome(Outcome::Refused {
            text: "complet".into(),
            full: true,
        }),
        &facts,
    );
    assert_eq!(
        full.dialogue.step,
        Step::OfferWaitlist {
            session: SessionId::from("s1")
        }
    );
    let join = handle(&full.dialogue, Event::Text("1".into()), &facts);
    assert_eq!(join.effects, [Effect::JoinWaitlist(SessionId::from("s1"))]);
}

#[test]
fn stop_is_confirmed_before_it_is_saved() {
    let (bot, texts, contact) = (bot(), Texts::builtin(), contact(true));
    let facts = facts(&bot, &texts, &contact);
    let asked = handle(&Dialogue::default(), Event::Text("STOP".into()), &facts);
    assert_eq!(
        (asked.dialogue.step.clone(), asked.effects.len()),
        (Step::ConfirmStop, 1)
    );
    let done = handle(&asked.dialogue, Event::Text("oui".into()), &facts);
    assert_eq!(done.effects[0], Effect::Save(ProfileChange::OptOut(true)));
}
