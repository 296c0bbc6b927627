//! `/cours`, `/offres` and `/resas` for the coach, on every store.

use super::{now, planned, request, sessions};
use crate::admin::Coach;
use crate::store::conformance;
use coachbot::domain::contact::{Channel, Contact, Identity};
use coachbot::domain::{ContactId, OfferId};
use coachbot::ops::booking::{BookRequest, book, buy_offer};
use coachbot::store::Store;
use std::sync::Arc;

conformance!(
    the_coach_sees_courses_offers_and_the_days_bookings,
    the_coach_cancels_a_date_and_changes_a_capacity,
    the_coach_adds_a_course_and_its_sessions_are_planned,
);

pub(crate) async fn contact(store: &Arc<dyn Store>, external: &str, name: &str) -> ContactId {
    let mut contact = Contact::new(super::demo().id, Identity::new(Channel::Telegram, external), now());
    contact.name = Some(name.into());
    store.insert_contact(&contact).await.unwrap();
    contact.id
}

async fn the_coach_cancels_a_date_and_changes_a_capacity(store: Arc<dyn Store>) {
    let bot = planned(&store).await;
    let pilates = &sessions(&store, &bot, "pilates").await[0];
    let (marie, paul) = (
        contact(&store, "m", "Marie Dupont").await,
        contact(&store, "p", "Paul Martin").await,
    );
    let (single, pack) = (OfferId::from("single"), OfferId::from("pack10"));
    let wallet = buy_offer(store.as_ref(), &bot, &marie, &pack, now()).await.unwrap();
    book(store.as_ref(), &bot, &request(&marie, &pilates.id, &pack))
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

    let mut coach = Coach::new(store.clone()).await;
    coach.now = now();
    let mut transcript = String::new();
    for line in [
        "/cours pilates annuler 23/11",
        "/cours pilates annuler 24/11",
        "/cours pilates capacite 15",
        "/cours boxe capacite 3",
        "/cours pilates",
    ] {
        transcript.push_str(&format!("> {line}\n{}\n\n", coach.run(line).await.text));
    }
    insta::assert_snapshot!("studio_changes", transcript);

    let cancelled = store.get_session(&bot.id, &pilates.id).await.unwrap();
    assert!(cancelled.cancelled && cancelled.seats_taken == 0);
    assert_eq!(
        store.get_wallet(&bot.id, &wallet.id).await.unwrap().credits_left,
        10,
        "the credit came back"
    );
    let told = store
        .claim_due(
            now() + chrono::Duration::seconds(1),
            chrono::Duration::seconds(30),
            "test",
            10,
        )
        .await
        .unwrap();
    assert_eq!(told.len(), 2);
    assert!(told.iter().all(|m| {
        m.payload["text"]
            .as_str()
            .unwrap()
            .starts_with("Désolé, la séance de Pilates du 23/11 19:00")
    }));
    let later = sessions(&store, &bot, "pilates").await;
    assert!(later.iter().filter(|s| s.start > now()).all(|s| s.capacity == 15));
    assert_eq!(store.get_course(&bot.id, &"pilates".into()).await.unwrap().capacity, 15);
}

async fn the_coach_sees_courses_offers_and_the_days_bookings(store: Arc<dyn Store>) {
    let bot = planned(&store).await;
    let pilates = &sessions(&store, &bot, "pilates").await[0];
    let marie = contact(&store, "m", "Marie Dupont").await;
    let paul = contact(&store, "p", "Paul Martin").await;
    let lea = contact(&store, "l", "Léa").await;
    let (single, pack) = (OfferId::from("single"), OfferId::from("pack10"));
    buy_offer(store.as_ref(), &bot, &marie, &pack, now()).await.unwrap();
    let with_credit = book(store.as_ref(), &bot, &request(&marie, &pilates.id, &pack))
        .await
        .unwrap();
    let on_site_request = BookRequest {
        pay_on_site: true,
        ..request(&paul, &pilates.id, &single)
    };
    let on_site = book(store.as_ref(), &bot, &on_site_request).await.unwrap();
    let pending = book(store.as_ref(), &bot, &request(&lea, &pilates.id, &single))
        .await
        .unwrap();
    store.check_in(&bot.id, &with_credit.id, pilates.start).await.unwrap();

    let mut coach = Coach::new(store.clone()).await;
    coach.now = now();
    let refs = [
        (&with_credit.reference, "REF-MARIE"),
        (&on_site.reference, "REF-PAUL"),
        (&pending.reference, "REF-LEA"),
    ];
    let details = format!("/resa {}", with_credit.reference.to_lowercase());
    let cancel = format!("/resa {} annuler", on_site.reference);
    let lines = [
        "/cours",
        "/offres",
        "/resas",
        "/resas demain",
        "/resas 23/11",
        "/resas hier",
        &details,
        &cancel,
        &cancel,
        "/resa",
    ];
    let mut transcript = String::new();
    for line in lines {
        let mut text = format!("> {line}\n{}\n\n", coach.run(line).await.text);
        for (reference, shown) in refs {
            text = text
                .replace(reference.as_str(), shown)
                .replace(&reference.to_lowercase(), shown);
        }
        transcript.push_str(&text);
    }
    insta::assert_snapshot!("studio_overview", transcript);

    let told = store
        .claim_due(
            now() + chrono::Duration::seconds(1),
            chrono::Duration::seconds(30),
            "test",
            10,
        )
        .await
        .unwrap();
    assert_eq!(told.len(), 1, "Paul is told once");
    assert_eq!(told[0].to, "p");
    let cancelled = store.get_booking(&bot.id, &on_site.id).await.unwrap();
    assert_eq!(cancelled.status, coachbot::domain::booking::BookingStatus::Cancelled);
    assert_eq!(store.get_session(&bot.id, &pilates.id).await.unwrap().seats_taken, 2);
}

async fn the_coach_adds_a_course_and_its_sessions_are_planned(store: Arc<dyn Store>) {
    let bot = planned(&store).await;
    let mut coach = Coach::new(store.clone()).await;
    coach.now = now();
    let mut transcript = String::new();
    for line in [
        r#"/cours ajouter "Yoga doux" mar 18:30 60min 12places"#,
        r#"/cours ajouter Stretching 60min 10places"#,
        r#"/cours ajouter Stretching mar 18:30 60min dix"#,
        r#"/cours ajouter « Barre au sol » lun 9:00 jeu 12h15 45min 8places lieu:"Salle 2""#,
        "/cours",
    ] {
        transcript.push_str(&format!("> {line}\n{}\n\n", coach.run(line).await.text));
    }
    insta::assert_snapshot!("course_added", transcript);

    let barre = store.get_course(&bot.id, &"barre-au-sol".into()).await.unwrap();
    assert_eq!(
        (barre.location.as_str(), barre.capacity, barre.duration_min),
        ("Salle 2", 8, 45)
    );
    let planned = super::sessions(&store, &bot, "barre-au-sol").await;
    let local = super::local_starts(&bot, &planned);
    assert_eq!(
        local,
        [
            "Thu 26/11 12:15",
            "Mon 30/11 09:00",
            "Thu 03/12 12:15",
            "Mon 07/12 09:00"
        ]
    );
    assert!(planned.iter().all(|s| s.capacity == 8));
}
