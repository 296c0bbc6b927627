//! Using codes: the rules a visitor meets (with the texts they read), and the race for the last
//! uses through the same operation the booking flow calls.

use super::{Coach, now};
use crate::store::conformance;
use coachbot::domain::language::Language;
use coachbot::domain::money::{Currency, Money};
use coachbot::domain::promo::{PromoError, Purchase};
use coachbot::domain::{ContactId, CourseId, OfferId};
use coachbot::ops::promo::{UseError, check, redeem, refusal};
use coachbot::store::{PageRequest, Store};
use futures::future::join_all;
use std::sync::Arc;

conformance!(
    a_hundred_visitors_race_for_a_five_use_code_and_exactly_five_get_it,
    each_refusal_reaches_the_visitor_with_its_reason,
    a_released_use_can_be_taken_again,
    a_cancelled_booking_gives_its_use_back_when_the_bot_says_so,
);

async fn a_cancelled_booking_gives_its_use_back_when_the_bot_says_so(store: Arc<dyn Store>) {
    use coachbot::domain::booking::{Booking, BookingStatus, Payment};
    use coachbot::ops::promo::release_for_cancelled_booking;
    let mut coach = Coach::new(store.clone()).await;
    coach.run("/promo 1 -20% max:1").await;
    let code = only_code(&coach).await;
    let (marie, offer, course) = (
        ContactId::from("marie"),
        OfferId::from("single"),
        CourseId::from("yoga-doux"),
    );
    let booking = Booking {
        bot: coach.bot.id.clone(),
        id: coachbot::domain::BookingId::generate(),
        reference: coachbot::domain::booking::Booking::new_reference(&mut rand::rng()),
        contact: marie.clone(),
        session: coachbot::domain::SessionId::from("s1"),
        offer: offer.clone(),
        price: Money::new(1440, Currency::EUR),
        promo: Some(code.clone()),
        payment: Payment::OnSite,
        status: BookingStatus::Cancelled,
        hold_until: None,
        free_cancel_until: now(),
        checked_in_at: None,
        created_at: now(),
    };
    redeem(
        store.as_ref(),
        &coach.bot,
        &code,
        &purchase(&marie, &offer, &course),
        Some(booking.id.clone()),
    )
    .await
    .unwrap();

    let mut keeps_uses = coach.bot.clone();
    keeps_uses.promo.release_on_cancel = false;
    assert!(
        !release_for_cancelled_booking(store.as_ref(), &keeps_uses, &booking)
            .await
            .unwrap()
    );
    let key = coachbot::domain::promo::code::key(&code);
    assert_eq!(
        store.get_promo_code(&coach.bot.id, &key).await.unwrap().uses,
        1,
        "policy off: the use stays"
    );

    assert!(
        release_for_cancelled_booking(store.as_ref(), &coach.bot, &booking)
            .await
            .unwrap()
    );
    assert_eq!(store.get_promo_code(&coach.bot.id, &key).await.unwrap().uses, 0);
    assert!(
        !release_for_cancelled_booking(store.as_ref(), &coach.bot, &booking)
            .await
            .unwrap(),
        "given back once"
    );
}

fn purchase<'a>(contact: &'a ContactId, offer: &'a OfferId, course: &'a CourseId) -> Purchase<'a> {
    Purchase {
        contact,
        offer,
        course,
        amount: Money::new(1800, Currency::EUR),
        now: now(),
    }
}

async fn only_code(coach: &Coach) -> String {
    let batch = coach.batch().await;
    let page = coach
        .store
        .list_promo_codes(&coach.bot.id, &batch.as_str().into(), &PageRequest::first(5))
        .await
        .unwrap();
    page.items[0].code.clone()
}

async fn a_hundred_visitors_race_for_a_five_use_code_and_exactly_five_get_it(store: Arc<dyn Store>) {
    let mut coach = Coach::new(store.clone()).await;
    coach.run("/promo 1 -20% max:5 par-client:1").await;
    let typed = only_code(&coach).await.to_lowercase().replace('-', " ");
    let bot = Arc::new(coach.bot.clone());
    let tasks = (0..100).map(|i| {
        let (store, bot, typed) = (store.clone(), bot.clone(), typed.clone());
        tokio::spawn(async move {
            let (contact, offer, course) = (
                ContactId::from(format!("v{i}")),
                OfferId::from("single"),
                CourseId::from("pilates"),
            );
            redeem(store.as_ref(), &bot, &typed, &purchase(&contact, &offer, &course), None)
                .await
                .map(|(_, price)| price)
        })
    });
    let results: Vec<_> = join_all(tasks).await.into_iter().map(Result::unwrap).collect();
    let won: Vec<&Money> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(won.len(), 5);
    assert!(won.iter().all(|price| price.minor == 1440));
    assert!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| matches!(e, UseError::Refused(PromoError::UsedUp)))
    );
    let code = coach
        .store
        .get_promo_code(&coach.bot.id, &coachbot::domain::promo::code::key(&typed))
        .await
        .unwrap();
    assert_eq!(code.uses, 5);
}

async fn each_refusal_reaches_the_visitor_with_its_reason(store: Arc<dyn Store>) {
    let mut coach = Coach::new(store.clone()).await;
    let (marie, paul) = (ContactId::from("marie"), ContactId::from("paul"));
    let (single, pack) = (OfferId::from("single"), OfferId::from("pack10"));
    let yoga = CourseId::from("yoga-doux");
    let mut transcript = String::new();
    let cases: Vec<(&str, &ContactId, &OfferId)> = vec![
        ("/promo 1 -20% offre:pack10", &marie, &single),
        ("/promo 1 -20% cours:pilates", &marie, &single),
        ("/promo 1 -5 min:30", &marie, &single),
        ("/promo 1 -20% debut:01/12", &marie, &single),
        ("/promo 1 -20% exp:+1j", &marie, &single),
        ("/promo 1 -20% pour:+33612345678", &paul, &pack),
    ];
    for (line, who, offer) in cases {
        let before: Vec<_> = store
            .list_promo_batches(&coach.bot.id)
            .await
            .unwrap()
            .into_iter()
            .map(|b| b.id)
            .collect();
        coach.run(line).await;
        let batches = coach.store.list_promo_batches(&coach.bot.id).await.unwrap();
        let batch = batches
            .iter()
            .find(|b| !before.contains(&b.id))
            .expect("the command created a batch");
        let page = coach
            .store
            .list_promo_codes(&coach.bot.id, &batch.id, &PageRequest::first(1))
            .await
            .unwrap();
        let code = &page.items[0].code;
        let mut p = purchase(who, offer, &yoga);
        if line.contains("exp:+1j") {
            p.now = now() + chrono::Duration::days(2);
        }
        let error = match check(store.as_ref(), &coach.bot, code, &p).await {
            Err(UseError::Refused(e)) => e,
            other => panic!("{line}: expected a refusal, got {other:?}"),
        };
        transcript.push_str(&format!(
            "{line}\n  fr: {}\n  en: {}\n",
            refusal(&coach.texts, Language::Fr, &coach.bot, &error),
            refusal(&coach.texts, Language::En, &coach.bot, &error)
        ));
    }
    let unknown = check(
        store.as_ref(),
        &coach.bot,
        "NOPE-1234",
        &purchase(&marie, &single, &yoga),
    )
    .await;
    assert!(matches!(unknown, Err(UseError::Refused(PromoError::Unknown))));
    insta::assert_snapshot!("promo_visitor_refusals", transcript);
}

async fn a_released_use_can_be_taken_again(store: Arc<dyn Store>) {
    let mut coach = Coach::new(store.clone()).await;
    coach.run("/promo 1 -50% max:1").await;
    let code = only_code(&coach).await;
    let (a, b) = (ContactId::from("a"), ContactId::from("b"));
    let (offer, course) = (OfferId::from("single"), CourseId::from("yoga-doux"));
    let (first, price) = redeem(store.as_ref(), &coach.bot, &code, &purchase(&a, &offer, &course), None)
        .await
        .unwrap();
    assert_eq!(price.minor, 900);
    let second = redeem(store.as_ref(), &coach.bot, &code, &purchase(&b, &offer, &course), None).await;
    assert!(matches!(second, Err(UseError::Refused(PromoError::UsedUp))));
    assert!(store.release_redemption(&coach.bot.id, &first.id).await.unwrap());
    assert!(
        redeem(store.as_ref(), &coach.bot, &code, &purchase(&b, &offer, &course), None)
            .await
            .is_ok()
    );
}
