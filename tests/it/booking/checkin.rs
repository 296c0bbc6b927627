//! At the door: `/checkin TOKEN` or a photo of the ticket, through the admin handler, on every store.

use super::{now, planned, request, sessions};
use crate::admin::{Coach, TICKET_KEY};
use crate::store::conformance;
use chrono::Duration;
use coachbot::admin::{AdminContext, handle_photo};
use coachbot::domain::contact::{Channel, Contact, Identity};
use coachbot::domain::ticket::sign;
use coachbot::domain::{ContactId, OfferId};
use coachbot::ops::booking::{BookRequest, book, cancel};
use coachbot::store::Store;
use coachbot::tickets::{TicketFacts, render_png};
use std::sync::Arc;

conformance!(
    the_first_scan_admits_the_next_ones_say_when_and_bad_tickets_are_refused,
    a_photo_of_the_ticket_checks_in
);

async fn marie(store: &Arc<dyn Store>) -> ContactId {
    let mut contact = Contact::new(super::demo().id, Identity::new(Channel::Telegram, "42"), now());
    contact.name = Some("Marie Dupont".into());
    store.insert_contact(&contact).await.unwrap();
    contact.id
}

async fn the_first_scan_admits_the_next_ones_say_when_and_bad_tickets_are_refused(store: Arc<dyn Store>) {
    let bot = planned(&store).await;
    let who = marie(&store).await;
    let pilates = sessions(&store, &bot, "pilates").await;
    let single = OfferId::from("single");
    let today = &pilates[0];
    let booked = book(
        store.as_ref(),
        &bot,
        &BookRequest {
            pay_on_site: true,
            ..request(&who, &today.id, &single)
        },
    )
    .await
    .unwrap();
    let token = sign(TICKET_KEY, &bot.id, &booked.id);

    let mut coach = Coach::new(store.clone()).await;
    coach.now = today.start - Duration::minutes(28);
    assert_eq!(
        coach.run(&format!("/checkin {token}")).await.text,
        "✅ Marie D. — Pilates 19:00"
    );
    coach.now = today.start - Duration::minutes(5);
    assert_eq!(
        coach.run(&format!("/checkin {token}")).await.text,
        "Billet déjà validé à 18:32."
    );

    let forged = sign(b"not the studio's key", &bot.id, &booked.id);
    assert!(
        coach
            .run(&format!("/checkin {forged}"))
            .await
            .text
            .contains("n'est pas valable")
    );
    let later = &pilates[1];
    let other = book(
        store.as_ref(),
        &bot,
        &BookRequest {
            pay_on_site: true,
            ..request(&who, &later.id, &single)
        },
    )
    .await
    .unwrap();
    let other_token = sign(TICKET_KEY, &bot.id, &other.id);
    let local_day = later.start.with_timezone(&bot.time_zone).format("%d/%m/%Y").to_string();
    assert_eq!(
        coach.run(&format!("/checkin {other_token}")).await.text,
        format!("⛔ Ce billet est pour le {local_day}.")
    );
    cancel(store.as_ref(), &bot, &other.id, now()).await.unwrap();
    coach.now = later.start - Duration::minutes(10);
    assert_eq!(
        coach.run(&format!("/checkin {other_token}")).await.text,
        "⛔ Cette réservation a été annulée."
    );
    assert!(coach.run("/checkin").await.text.contains("/checkin demo."));
}

async fn a_photo_of_the_ticket_checks_in(store: Arc<dyn Store>) {
    let bot = planned(&store).await;
    let who = marie(&store).await;
    let today = &sessions(&store, &bot, "pilates").await[0];
    let single = OfferId::from("single");
    let booked = book(
        store.as_ref(),
        &bot,
        &BookRequest {
            pay_on_site: true,
            ..request(&who, &today.id, &single)
        },
    )
    .await
    .unwrap();
    let token = sign(TICKET_KEY, &bot.id, &booked.id);
    let facts = TicketFacts {
        studio: bot.name.clone(),
        course: "Pilates".into(),
        when: "19:00".into(),
        first_name: "Marie D.".into(),
    };
    let png = render_png(&token, &facts);

    let coach = Coach::new(store.clone()).await;
    let ctx = AdminContext {
        store: store.as_ref(),
        bot: &coach.bot,
        texts: &coach.texts,
        language: coach.language,
        now: today.start - Duration::minutes(15),
        actor: "telegram:1001".into(),
        max_codes: 10,
        ticket_key: TICKET_KEY,
    };
    assert_eq!(handle_photo(&png, &ctx).await.text, "✅ Marie D. — Pilates 19:00");
    assert!(
        handle_photo(b"not a photo", &ctx)
            .await
            .text
            .starts_with("Je ne trouve pas de QR code")
    );
    assert!(
        handle_photo(b"", &ctx)
            .await
            .text
            .ends_with("Envoyez-la à nouveau, s'il vous plaît."),
        "a photo handled again after a restart has lost its bytes"
    );
}
