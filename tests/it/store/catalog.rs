//! Courses, offers, sessions with their seats, bookings and wallets.

use crate::support::{bot, contact, course, offer, session, t0};
use chrono::Duration;
use coachbot::domain::booking::{Booking, BookingStatus, Payment, Wallet};
use coachbot::domain::contact::Channel;
use coachbot::domain::money::{Currency, Money};
use coachbot::domain::{BookingId, CourseId, OfferId, SessionId, WalletId};
use coachbot::store::{SeatOutcome, Store, StoreError};
use std::sync::Arc;

super::conformance!(
    courses_and_offers_are_upserted_and_listed,
    sessions_are_listed_by_start_and_unique_per_course_and_time,
    seats_are_taken_up_to_capacity_and_given_back_down_to_zero,
    bookings_are_stored_updated_and_listed,
    credits_are_taken_while_left_and_valid,
    the_chat_snapshot_follows_every_change_to_the_catalog,
);

async fn courses_and_offers_are_upserted_and_listed(store: Arc<dyn Store>) {
    store.upsert_course(&course("demo", "yoga")).await.unwrap();
    store.upsert_course(&course("demo", "afro")).await.unwrap();
    let mut yoga = course("demo", "yoga");
    yoga.capacity = 15;
    store.upsert_course(&yoga).await.unwrap();
    let courses = store.list_courses(&bot("demo")).await.unwrap();
    assert_eq!(
        courses.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["afro", "yoga"]
    );
    assert_eq!(
        store
            .get_course(&bot("demo"), &CourseId::from("yoga"))
            .await
            .unwrap()
            .capacity,
        15
    );

    let mut pack = offer("demo", "pack10", 15000);
    pack.kind = coachbot::domain::catalog::OfferKind::Pack {
        credits: 10,
        valid_days: 180,
    };
    pack.courses = vec![CourseId::from("yoga")];
    store.upsert_offer(&pack).await.unwrap();
    store.upsert_offer(&offer("demo", "single", 1800)).await.unwrap();
    assert_eq!(
        store.get_offer(&bot("demo"), &OfferId::from("pack10")).await.unwrap(),
        pack
    );
    assert_eq!(store.list_offers(&bot("demo")).await.unwrap().len(), 2);
    assert_eq!(
        store.get_offer(&bot("demo"), &OfferId::from("nope")).await.unwrap_err(),
        StoreError::NotFound
    );
}

async fn sessions_are_listed_by_start_and_unique_per_course_and_time(store: Arc<dyn Store>) {
    let later = session("demo", "yoga", t0() + Duration::days(2), 10);
    let sooner = session("demo", "afro", t0() + Duration::days(1), 10);
    let outside = session("demo", "yoga", t0() + Duration::days(9), 10);
    for s in [&later, &sooner, &outside] {
        store.insert_session(s).await.unwrap();
    }
    let week = store
        .list_sessions(&bot("demo"), t0(), t0() + Duration::days(7))
        .await
        .unwrap();
    assert_eq!(
        week.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
        vec![sooner.id.clone(), later.id.clone()]
    );
    assert_eq!(store.get_session(&bot("demo"), &later.id).await.unwrap(), later);

    let same_slot = session("demo", "yoga", later.start, 10);
    assert!(matches!(
        store.insert_session(&same_slot).await,
        Err(StoreError::Conflict { what: "session", .. })
    ));
}

async fn seats_are_taken_up_to_capacity_and_given_back_down_to_zero(store: Arc<dyn Store>) {
    let s = session("demo", "yoga", t0(), 2);
    store.insert_session(&s).await.unwrap();
    let demo = bot("demo");
    assert_eq!(
        store.reserve_seat(&demo, &s.id).await.unwrap(),
        SeatOutcome::Reserved { seats_taken: 1 }
    );
    assert_eq!(
        store.reserve_seat(&demo, &s.id).await.unwrap(),
        SeatOutcome::Reserved { seats_taken: 2 }
    );
    assert_eq!(store.reserve_seat(&demo, &s.id).await.unwrap(), SeatOutcome::Full);
    assert_eq!(store.get_session(&demo, &s.id).await.unwrap().seats_taken, 2);

    assert!(store.release_seat(&demo, &s.id).await.unwrap());
    assert!(store.release_seat(&demo, &s.id).await.unwrap());
    assert!(!store.release_seat(&demo, &s.id).await.unwrap(), "never below zero");
    assert_eq!(store.get_session(&demo, &s.id).await.unwrap().seats_taken, 0);

    let mut cancelled = session("demo", "yoga", t0() + Duration::days(7), 5);
    cancelled.cancelled = true;
    store.insert_session(&cancelled).await.unwrap();
    assert_eq!(
        store.reserve_seat(&demo, &cancelled.id).await.unwrap(),
        SeatOutcome::Cancelled
    );
    let unknown = SessionId::from("missing");
    assert_eq!(
        store.reserve_seat(&demo, &unknown).await.unwrap_err(),
        StoreError::NotFound
    );
    assert_eq!(
        store.release_seat(&demo, &unknown).await.unwrap_err(),
        StoreError::NotFound
    );
}

async fn bookings_are_stored_updated_and_listed(store: Arc<dyn Store>) {
    let who = contact("demo", Channel::Web, "b1");
    let s = session("demo", "yoga", t0(), 10);
    let mut booking = Booking {
        bot: bot("demo"),
        id: BookingId::generate(),
        reference: coachbot::domain::booking::Booking::new_reference(&mut rand::rng()),
        contact: who.id.clone(),
        session: s.id.clone(),
        offer: OfferId::from("single"),
        price: Money::new(1800, Currency::EUR),
        promo: Some("NOEL-ABCDEFGH".into()),
        payment: Payment::OnSite,
        status: BookingStatus::PendingPayment,
        hold_until: Some(t0() + Duration::minutes(15)),
        free_cancel_until: t0() + Duration::days(1),
        checked_in_at: None,
        created_at: t0(),
    };
    store.insert_booking(&booking).await.unwrap();
    assert!(matches!(
        store.insert_booking(&booking).await,
        Err(StoreError::Conflict { .. })
    ));
    booking.status = BookingStatus::Confirmed;
    booking.hold_until = None;
    store.update_booking(&booking).await.unwrap();
    assert_eq!(store.get_booking(&bot("demo"), &booking.id).await.unwrap(), booking);
    assert_eq!(
        store.list_bookings_for_contact(&bot("demo"), &who.id).await.unwrap(),
        vec![booking.clone()]
    );
    assert_eq!(
        store.list_bookings_for_session(&bot("demo"), &s.id).await.unwrap(),
        vec![booking.clone()]
    );
    assert!(
        store
            .list_bookings_for_session(&bot("other"), &s.id)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn credits_are_taken_while_left_and_valid(store: Arc<dyn Store>) {
    let who = contact("demo", Channel::Web, "w1");
    let wallet = Wallet {
        bot: bot("demo"),
        id: WalletId::generate(),
        contact: who.id.clone(),
        offer: OfferId::from("pack10"),
        credits_left: 2,
        weekly_cap: None,
        expires_at: t0() + Duration::days(30),
        created_at: t0(),
    };
    store.insert_wallet(&wallet).await.unwrap();
    let demo = bot("demo");
    assert!(store.take_credit(&demo, &wallet.id, t0()).await.unwrap());
    assert!(store.take_credit(&demo, &wallet.id, t0()).await.unwrap());
    assert!(
        !store.take_credit(&demo, &wallet.id, t0()).await.unwrap(),
        "no credit left"
    );
    store.give_back_credit(&demo, &wallet.id).await.unwrap();
    assert!(
        !store
            .take_credit(&demo, &wallet.id, t0() + Duration::days(31))
            .await
            .unwrap(),
        "expired"
    );
    assert_eq!(store.get_wallet(&demo, &wallet.id).await.unwrap().credits_left, 1);
    assert_eq!(store.list_wallets(&demo, &who.id).await.unwrap().len(), 1);
    assert_eq!(
        store
            .take_credit(&demo, &WalletId::from("nope"), t0())
            .await
            .unwrap_err(),
        StoreError::NotFound
    );
}

async fn the_chat_snapshot_follows_every_change_to_the_catalog(store: Arc<dyn Store>) {
    let demo = bot("demo");
    let visitor = coachbot::domain::ContactId::from("c-snap");
    let (from, to) = (t0(), t0() + Duration::days(31));
    store.upsert_course(&course("demo", "yoga")).await.unwrap();
    store.upsert_offer(&offer("demo", "single", 1500)).await.unwrap();
    let soon = session("demo", "yoga", t0() + Duration::days(2), 2);
    let late = session("demo", "yoga", t0() + Duration::days(40), 2);
    store.insert_session(&soon).await.unwrap();
    store.insert_session(&late).await.unwrap();

    let first = store.chat_snapshot(&demo, &visitor, from, to).await.unwrap();
    assert_eq!(first.courses[0].name, "Cours yoga");
    assert_eq!(first.sessions.iter().map(|s| &s.id).collect::<Vec<_>>(), [&soon.id]);
    assert!(first.bookings.is_empty() && first.wallets.is_empty());

    let mut renamed = course("demo", "yoga");
    renamed.name = "Yoga doux".into();
    store.upsert_course(&renamed).await.unwrap();
    store.reserve_seat(&demo, &soon.id).await.unwrap();
    let mut pricier = offer("demo", "single", 1800);
    pricier.active = false;
    store.upsert_offer(&pricier).await.unwrap();
    let later = store
        .chat_snapshot(&demo, &visitor, from + Duration::minutes(1), to + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(later.courses[0].name, "Yoga doux", "a renamed course is seen at once");
    assert_eq!(later.sessions[0].seats_taken, 1, "a seat taken is seen at once");
    assert!(!later.offers[0].active, "an offer turned off is seen at once");
    assert!(store.cancel_session(&demo, &soon.id).await.unwrap());
    let cancelled = store.chat_snapshot(&demo, &visitor, from, to).await.unwrap();
    assert!(cancelled.sessions[0].cancelled);
    let wide = store
        .chat_snapshot(&demo, &visitor, from, t0() + Duration::days(60))
        .await
        .unwrap();
    assert_eq!(wide.sessions.len(), 2, "a wider window reads the sessions it adds");
    // Windows inside what was read: each holds exactly its own sessions, however they move.
    let ids =
        |snapshot: &coachbot::store::ChatSnapshot| snapshot.sessions.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    let past_soon = soon.start + Duration::minutes(1);
    let (end, day) = (t0() + Duration::days(60), Duration::days(1));
    for (window, expected) in [
        ((past_soon, end), vec![late.id.clone()]),
        ((past_soon, end - Duration::days(30)), vec![]),
        ((from, end), vec![soon.id.clone(), late.id.clone()]),
        ((from + day, end - day), vec![soon.id.clone(), late.id.clone()]),
        ((from, soon.start), vec![]),
        ((from, soon.start + Duration::milliseconds(1)), vec![soon.id.clone()]),
    ] {
        let snapshot = store.chat_snapshot(&demo, &visitor, window.0, window.1).await.unwrap();
        assert_eq!(ids(&snapshot), expected, "window {window:?}");
    }
}

/// Two stores on one SQLite file, as the server and the CLI (another process) open it: (the
/// folder, kept alive; the server's; the CLI's).
async fn server_and_cli() -> (
    tempfile::TempDir,
    coachbot::store::sqlite::SqliteStore,
    coachbot::store::sqlite::SqliteStore,
) {
    use coachbot::store::sqlite::SqliteStore;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let server = SqliteStore::connect(path.to_str().unwrap()).await.unwrap();
    let cli = SqliteStore::connect(path.to_str().unwrap()).await.unwrap();
    (dir, server, cli)
}

/// The server keeps the catalog parsed in memory; the CLI (another process, another connection)
/// changing it must be seen by the server's next message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_change_made_by_another_process_is_seen_by_the_next_snapshot() {
    use coachbot::store::prelude::*;
    let (_dir, server, cli) = server_and_cli().await;
    let (demo, visitor) = (bot("demo"), coachbot::domain::ContactId::from("c-1"));
    server.upsert_course(&course("demo", "yoga")).await.unwrap();
    let before = server
        .chat_snapshot(&demo, &visitor, t0(), t0() + Duration::days(31))
        .await
        .unwrap();
    assert_eq!(before.courses.len(), 1);
    cli.upsert_course(&course("demo", "pilates")).await.unwrap();
    cli.insert_session(&session("demo", "pilates", t0() + Duration::days(1), 8))
        .await
        .unwrap();
    let after = server
        .chat_snapshot(&demo, &visitor, t0(), t0() + Duration::days(31))
        .await
        .unwrap();
    assert_eq!(after.courses.len(), 2);
    assert_eq!(after.sessions.len(), 1);
}

/// What another process (the CLI) writes to a visitor — their details, a wallet, a booking — is
/// read by the server's very next message, after the server had read that visitor already.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_another_process_changing_a_visitor_is_seen_at_once() {
    use crate::support::{booking, wallet};
    use coachbot::domain::contact::Identity;
    use coachbot::store::prelude::*;
    let (_dir, server, cli) = server_and_cli().await;
    let demo = bot("demo");
    let mut who = contact("demo", Channel::Telegram, "7");
    who.id = coachbot::domain::ContactId::from("marie");
    let telegram = Identity::new(Channel::Telegram, "7");
    server.insert_contact(&who).await.unwrap();
    server.upsert_course(&course("demo", "yoga")).await.unwrap();
    let s = session("demo", "yoga", t0() + Duration::days(1), 8);
    server.insert_session(&s).await.unwrap();
    let (from, to) = (t0(), t0() + Duration::days(31));
    for _ in 0..2 {
        server.find_contact_with_conversation(&demo, &telegram).await.unwrap();
        server.chat_snapshot(&demo, &who.id, from, to).await.unwrap();
    }

    who.name = Some("Marie".into());
    cli.update_contact(&who).await.unwrap();
    let w = wallet("demo", "marie", 1);
    cli.insert_wallet(&w).await.unwrap();
    cli.book(&booking(&s, "marie", Payment::Credit { wallet: w.id.clone() }))
        .await
        .unwrap();
    let (found, _) = server
        .find_contact_with_conversation(&demo, &telegram)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.name.as_deref(), Some("Marie"));
    let snapshot = server.chat_snapshot(&demo, &who.id, from, to).await.unwrap();
    assert_eq!(snapshot.bookings.len(), 1);
    assert_eq!(snapshot.wallets[0].credits_left, 0);
    assert_eq!(snapshot.sessions[0].seats_taken, 1);
}
