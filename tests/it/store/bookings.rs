//! Booking as one store operation: a seat, the credit that pays for it and the booking record are
//! written together or not at all; cancelling, moving and hold expiry likewise, and races.

use crate::support::{booking, bot, session, t0, wallet};
use chrono::Duration;
use coachbot::domain::booking::{BookingStatus, Payment};
use coachbot::store::{BookOutcome, Store, StoreError};
use futures::future::join_all;
use std::sync::Arc;

super::conformance!(
    a_booking_takes_a_seat_and_a_credit_or_writes_nothing,
    cancelling_frees_the_seat_and_gives_the_credit_back_when_asked,
    moving_books_the_new_session_and_frees_the_old_or_changes_nothing,
    an_ended_hold_frees_its_seat_exactly_once,
    a_thousand_visitors_race_for_twenty_seats_and_exactly_twenty_book,
    one_visitor_booking_the_same_class_fifty_times_at_once_holds_one_seat,
);

async fn a_booking_takes_a_seat_and_a_credit_or_writes_nothing(store: Arc<dyn Store>) {
    let demo = bot("demo");
    let s = session("demo", "yoga", t0() + Duration::days(2), 1);
    store.insert_session(&s).await.unwrap();
    let w = wallet("demo", "marie", 1);
    store.insert_wallet(&w).await.unwrap();

    let paid_by_credit = booking(&s, "marie", Payment::Credit { wallet: w.id.clone() });
    assert_eq!(store.book(&paid_by_credit).await.unwrap(), BookOutcome::Booked);
    assert_eq!(store.get_session(&demo, &s.id).await.unwrap().seats_taken, 1);
    assert_eq!(store.get_wallet(&demo, &w.id).await.unwrap().credits_left, 0);
    assert_eq!(
        store.get_booking(&demo, &paid_by_credit.id).await.unwrap(),
        paid_by_credit
    );

    let twice = booking(&s, "marie", Payment::OnSite);
    assert_eq!(store.book(&twice).await.unwrap(), BookOutcome::AlreadyBooked);
    let late = booking(&s, "paul", Payment::OnSite);
    assert_eq!(store.book(&late).await.unwrap(), BookOutcome::Full);
    for refused in [&twice, &late] {
        assert_eq!(
            store.get_booking(&demo, &refused.id).await.unwrap_err(),
            StoreError::NotFound,
            "nothing written"
        );
    }

    let other = session("demo", "yoga", t0() + Duration::days(9), 5);
    store.insert_session(&other).await.unwrap();
    let no_credit = booking(&other, "marie", Payment::Credit { wallet: w.id.clone() });
    assert_eq!(store.book(&no_credit).await.unwrap(), BookOutcome::NoCredit);
    assert_eq!(
        store.get_session(&demo, &other.id).await.unwrap().seats_taken,
        0,
        "the seat came back"
    );
    assert_eq!(
        store.get_booking(&demo, &no_credit.id).await.unwrap_err(),
        StoreError::NotFound
    );

    let mut cancelled = session("demo", "yoga", t0() + Duration::days(16), 5);
    cancelled.cancelled = true;
    store.insert_session(&cancelled).await.unwrap();
    assert_eq!(
        store.book(&booking(&cancelled, "paul", Payment::OnSite)).await.unwrap(),
        BookOutcome::SessionCancelled
    );
}

async fn cancelling_frees_the_seat_and_gives_the_credit_back_when_asked(store: Arc<dyn Store>) {
    let demo = bot("demo");
    let s = session("demo", "yoga", t0() + Duration::days(2), 3);
    store.insert_session(&s).await.unwrap();
    let w = wallet("demo", "marie", 2);
    store.insert_wallet(&w).await.unwrap();
    let first = booking(&s, "marie", Payment::Credit { wallet: w.id.clone() });
    store.book(&first).await.unwrap();

    let cancelled = store
        .cancel_booking(&demo, &first.id, true)
        .await
        .unwrap()
        .expect("it was active");
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    assert_eq!(
        store.get_booking(&demo, &first.id).await.unwrap().status,
        BookingStatus::Cancelled
    );
    assert_eq!(store.get_session(&demo, &s.id).await.unwrap().seats_taken, 0);
    assert_eq!(store.get_wallet(&demo, &w.id).await.unwrap().credits_left, 2);
    assert!(
        store.cancel_booking(&demo, &first.id, true).await.unwrap().is_none(),
        "cancelled once"
    );
    assert_eq!(
        store.get_wallet(&demo, &w.id).await.unwrap().credits_left,
        2,
        "no second refund"
    );

    let again = booking(&s, "marie", Payment::Credit { wallet: w.id.clone() });
    assert_eq!(
        store.book(&again).await.unwrap(),
        BookOutcome::Booked,
        "the seat can be booked again"
    );
    store.cancel_booking(&demo, &again.id, false).await.unwrap();
    assert_eq!(
        store.get_wallet(&demo, &w.id).await.unwrap().credits_left,
        1,
        "a late cancel keeps the credit"
    );
}

async fn moving_books_the_new_session_and_frees_the_old_or_changes_nothing(store: Arc<dyn Store>) {
    let demo = bot("demo");
    let tuesday = session("demo", "yoga", t0() + Duration::days(1), 5);
    let thursday = session("demo", "yoga", t0() + Duration::days(3), 5);
    let full = session("demo", "yoga", t0() + Duration::days(8), 0);
    for s in [&tuesday, &thursday, &full] {
        store.insert_session(s).await.unwrap();
    }
    let w = wallet("demo", "marie", 1);
    store.insert_wallet(&w).await.unwrap();
    let original = booking(&tuesday, "marie", Payment::Credit { wallet: w.id.clone() });
    store.book(&original).await.unwrap();

    let to_full = booking(&full, "marie", original.payment.clone());
    assert_eq!(
        store.move_booking(&original.id, &to_full).await.unwrap(),
        BookOutcome::Full
    );
    assert_eq!(
        store.get_booking(&demo, &original.id).await.unwrap().status,
        BookingStatus::Confirmed,
        "unchanged"
    );
    assert_eq!(store.get_session(&demo, &tuesday.id).await.unwrap().seats_taken, 1);

    let moved = booking(&thursday, "marie", original.payment.clone());
    assert_eq!(
        store.move_booking(&original.id, &moved).await.unwrap(),
        BookOutcome::Booked
    );
    assert_eq!(
        store.get_booking(&demo, &original.id).await.unwrap().status,
        BookingStatus::Cancelled
    );
    assert_eq!(
        store.get_booking(&demo, &moved.id).await.unwrap().status,
        BookingStatus::Confirmed
    );
    assert_eq!(store.get_session(&demo, &tuesday.id).await.unwrap().seats_taken, 0);
    assert_eq!(store.get_session(&demo, &thursday.id).await.unwrap().seats_taken, 1);
    assert_eq!(
        store.get_wallet(&demo, &w.id).await.unwrap().credits_left,
        0,
        "one credit for one class"
    );

    let again = booking(&tuesday, "marie", original.payment.clone());
    assert_eq!(
        store.move_booking(&original.id, &again).await.unwrap(),
        BookOutcome::NotActive
    );
    assert_eq!(
        store.book(&booking(&tuesday, "paul", Payment::OnSite)).await.unwrap(),
        BookOutcome::Booked
    );
}

async fn an_ended_hold_frees_its_seat_exactly_once(store: Arc<dyn Store>) {
    let demo = bot("demo");
    let s = session("demo", "yoga", t0() + Duration::days(2), 2);
    store.insert_session(&s).await.unwrap();
    let mut held = booking(&s, "marie", Payment::Online);
    held.status = BookingStatus::PendingPayment;
    held.hold_until = Some(t0() + Duration::minutes(15));
    store.book(&held).await.unwrap();

    assert!(
        store
            .list_expired_holds(t0() + Duration::minutes(14), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !store
            .expire_hold(&demo, &held.id, t0() + Duration::minutes(14))
            .await
            .unwrap(),
        "still held"
    );
    let due = store
        .list_expired_holds(t0() + Duration::minutes(16), 10)
        .await
        .unwrap();
    assert_eq!(
        due.iter().map(|b| b.id.clone()).collect::<Vec<_>>(),
        vec![held.id.clone()]
    );

    let racers = (0..10).map(|_| {
        let (store, demo, id) = (store.clone(), demo.clone(), held.id.clone());
        tokio::spawn(async move {
            store
                .expire_hold(&demo, &id, t0() + Duration::minutes(16))
                .await
                .unwrap()
        })
    });
    let ended: Vec<bool> = join_all(racers).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(ended.iter().filter(|e| **e).count(), 1);
    assert_eq!(store.get_session(&demo, &s.id).await.unwrap().seats_taken, 0);
    assert_eq!(
        store.get_booking(&demo, &held.id).await.unwrap().status,
        BookingStatus::Expired
    );
}

async fn a_thousand_visitors_race_for_twenty_seats_and_exactly_twenty_book(store: Arc<dyn Store>) {
    let demo = bot("demo");
    let s = session("demo", "yoga", t0() + Duration::days(2), 20);
    store.insert_session(&s).await.unwrap();
    let tasks = (0..1000).map(|i| {
        let (store, b) = (store.clone(), booking(&s, &format!("visitor-{i}"), Payment::OnSite));
        tokio::spawn(async move { (store.book(&b).await.unwrap(), b.id) })
    });
    let results: Vec<_> = join_all(tasks).await.into_iter().map(Result::unwrap).collect();
    let booked: Vec<_> = results.iter().filter(|(o, _)| *o == BookOutcome::Booked).collect();
    assert_eq!(booked.len(), 20);
    assert_eq!(results.iter().filter(|(o, _)| *o == BookOutcome::Full).count(), 980);
    assert_eq!(store.get_session(&demo, &s.id).await.unwrap().seats_taken, 20);
    let stored = store.list_bookings_for_session(&demo, &s.id).await.unwrap();
    assert_eq!(stored.len(), 20, "only the winners have a booking");
}

async fn one_visitor_booking_the_same_class_fifty_times_at_once_holds_one_seat(store: Arc<dyn Store>) {
    let demo = bot("demo");
    let s = session("demo", "yoga", t0() + Duration::days(2), 20);
    store.insert_session(&s).await.unwrap();
    let tasks = (0..50).map(|_| {
        let (store, b) = (store.clone(), booking(&s, "marie", Payment::OnSite));
        tokio::spawn(async move { store.book(&b).await.unwrap() })
    });
    let outcomes: Vec<BookOutcome> = join_all(tasks).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(outcomes.iter().filter(|o| **o == BookOutcome::Booked).count(), 1);
    assert_eq!(
        outcomes.iter().filter(|o| **o == BookOutcome::AlreadyBooked).count(),
        49
    );
    assert_eq!(store.get_session(&demo, &s.id).await.unwrap().seats_taken, 1);
}
