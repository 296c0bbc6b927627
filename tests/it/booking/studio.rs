//! `/cours`, `/offres` and `/resas` for the coach, on every store.

use super::{now, planned, request, sessions};
use crate::admin::Coach;
use crate::store::conformance;
use coachbot::domain::contact::{Channel, Contact, Identity};
use coachbot::domain::{ContactId, OfferId};
use coachbot::ops::booking::{BookRequest, book, buy_offer};
use coachbot::store::Store;
use std::sync::Arc;

conformance!(the_coach_sees_courses_offers_and_the_days_bookings);

async fn contact(store: &Arc<dyn Store>, external: &str, name: &str) -> ContactId {
    let mut contact = Contact::new(super::demo().id, Identity::new(Channel::Web, external), now());
    contact.name = Some(name.into());
    store.insert_contact(&contact).await.unwrap();
    contact.id
}

async fn the_coach_sees_courses_offers_and_the_days_bookings(store: Arc<dyn Store>) {
    let bot = planned(&store).await;
    let pilates = &sessions(&store, &bot, "pilates").await[0];
    let (marie, paul, lea) = (
        contact(&store, "m", "Marie Dupont").await,
        contact(&store, "p", "Paul Martin").await,
        contact(&store, "l", "Léa").await,
    );
    let (single, pack) = (OfferId::from("single"), OfferId::from("pack10"));
    buy_offer(store.as_ref(), &bot, &marie, &pack, now()).await.unwrap();
    let with_credit = book(store.as_ref(), &bot, &request(&marie, &pilates.id, &pack))
        .await
        .unwrap();
    book(
        store.as_ref(),
        &bot,
        &BookRequest {
            pay_on_site: true,
            ..request(&paul, &pilates.id, &single)
        },
    )
    .await
    .unwrap();
    book(store.as_ref(), &bot, &request(&lea, &pilates.id, &single))
        .await
        .unwrap();
    store.check_in(&bot.id, &with_credit.id, pilates.start).await.unwrap();

    let mut coach = Coach::new(store.clone()).await;
    coach.now = now();
    let mut transcript = String::new();
    for line in [
        "/cours",
        "/offres",
        "/resas",
        "/resas demain",
        "/resas 23/11",
        "/resas hier",
    ] {
        transcript.push_str(&format!("> {line}\n{}\n\n", coach.run(line).await.text));
    }
    insta::assert_snapshot!("studio_overview", transcript);
}
