//! Races: many tasks at once against one store; exactly the allowed number win.

use crate::support::{batch, bot, redemption, session, t0};
use chrono::Duration;
use coachbot::domain::ContactId;
use coachbot::domain::outbox::OutboxMessage;
use coachbot::store::{RedeemOutcome, SeatOutcome, Store};
use futures::future::join_all;
use std::sync::Arc;

super::conformance!(
    two_hundred_tasks_race_for_ten_seats_and_exactly_ten_win,
    a_hundred_tasks_race_for_a_five_use_code_and_exactly_five_win,
    one_contact_racing_for_a_once_per_contact_code_wins_once,
    two_claimers_of_one_due_message_never_both_get_it,
);

async fn two_hundred_tasks_race_for_ten_seats_and_exactly_ten_win(store: Arc<dyn Store>) {
    let s = session("demo", "yoga", t0(), 10);
    store.insert_session(&s).await.unwrap();
    let tasks = (0..200).map(|_| {
        let (store, id) = (store.clone(), s.id.clone());
        tokio::spawn(async move { store.reserve_seat(&bot("demo"), &id).await.unwrap() })
    });
    let outcomes: Vec<SeatOutcome> = join_all(tasks).await.into_iter().map(Result::unwrap).collect();
    let won = outcomes
        .iter()
        .filter(|o| matches!(o, SeatOutcome::Reserved { .. }))
        .count();
    assert_eq!(won, 10);
    assert_eq!(outcomes.iter().filter(|o| **o == SeatOutcome::Full).count(), 190);
    let mut counts: Vec<u32> = outcomes
        .iter()
        .filter_map(|o| match o {
            SeatOutcome::Reserved { seats_taken } => Some(*seats_taken),
            _ => None,
        })
        .collect();
    counts.sort_unstable();
    assert_eq!(counts, (1..=10).collect::<Vec<_>>(), "each winner got its own seat");
    assert_eq!(store.get_session(&bot("demo"), &s.id).await.unwrap().seats_taken, 10);
}

async fn a_hundred_tasks_race_for_a_five_use_code_and_exactly_five_win(store: Arc<dyn Store>) {
    let (b, codes) = batch("demo", &["RACE5"], 5, 1);
    store.insert_promo_batch(&b, &codes).await.unwrap();
    let tasks = (0..100).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            let who = ContactId::from(format!("contact-{i}"));
            store.redeem_promo(&redemption("demo", "RACE5", &who)).await.unwrap()
        })
    });
    let outcomes: Vec<RedeemOutcome> = join_all(tasks).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(outcomes.iter().filter(|o| **o == RedeemOutcome::Redeemed).count(), 5);
    assert_eq!(outcomes.iter().filter(|o| **o == RedeemOutcome::UsedUp).count(), 95);
    assert_eq!(store.get_promo_code(&bot("demo"), "RACE5").await.unwrap().uses, 5);
    assert_eq!(store.list_redemptions(&bot("demo"), "RACE5").await.unwrap().len(), 5);
}

async fn one_contact_racing_for_a_once_per_contact_code_wins_once(store: Arc<dyn Store>) {
    let (b, codes) = batch("demo", &["ONCE"], 0, 1);
    store.insert_promo_batch(&b, &codes).await.unwrap();
    let tasks = (0..50).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .redeem_promo(&redemption("demo", "ONCE", &ContactId::from("same")))
                .await
                .unwrap()
        })
    });
    let outcomes: Vec<RedeemOutcome> = join_all(tasks).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(outcomes.iter().filter(|o| **o == RedeemOutcome::Redeemed).count(), 1);
    assert_eq!(store.get_promo_code(&bot("demo"), "ONCE").await.unwrap().uses, 1);
}

async fn two_claimers_of_one_due_message_never_both_get_it(store: Arc<dyn Store>) {
    let m = OutboxMessage::new(
        bot("demo"),
        coachbot::domain::contact::Channel::Telegram,
        "v1",
        serde_json::json!({}),
        t0(),
    );
    store.enqueue(&m).await.unwrap();
    let lease = Duration::seconds(30);
    for round in 0..20 {
        let now = t0() + Duration::seconds(31 * round);
        let claim = |owner: &'static str| {
            let store = store.clone();
            tokio::spawn(async move { store.claim_due(now, lease, owner, 5).await.unwrap() })
        };
        let (a, b) = tokio::join!(claim("replica-a"), claim("replica-b"));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(
            a.len() + b.len(),
            1,
            "round {round}: exactly one replica holds the lease"
        );
    }
}
