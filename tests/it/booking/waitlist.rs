//! The waitlist of a full session, through the whole chain with a controlled clock, on every store:
//! join → a seat frees → held for the first in line → lapses → passes to the next → claimed; "non
//! merci" passes it on at once; an expired payment hold frees its seat exactly once; racing offers
//! never give a seat twice.

use super::studio::contact;
use super::{now, planned, request, sessions};
use crate::store::conformance;
use chrono::{DateTime, Duration, Utc};
use coachbot::config::bots::{Bot, Bots};
use coachbot::domain::booking::waitlist::{WaitlistEntry, WaitlistStatus};
use coachbot::domain::booking::{BookingError, BookingStatus};
use coachbot::domain::{ContactId, OfferId, SessionId};
use coachbot::i18n::Texts;
use coachbot::jobs::{Jobs, Tick};
use coachbot::ops::booking::{BookError, BookRequest, book, cancel};
use coachbot::ops::waitlist::{Joined, WaitlistEffect, claim, deliver, join, leave, seat_freed};
use coachbot::store::Store;
use futures::future::join_all;
use std::sync::Arc;

conformance!(
    a_freed_seat_goes_to_the_first_in_line_then_the_next_when_it_lapses,
    letting_a_held_seat_go_passes_it_on_at_once,
    an_unpaid_hold_frees_its_seat_exactly_once_and_the_line_gets_it,
    racing_offers_never_give_a_seat_twice,
);

/// A pilates session with one seat, taken by Marie (pay on site).
async fn full_session(store: &Arc<dyn Store>) -> (Bot, SessionId, ContactId) {
    let bot = planned(store).await;
    let session = sessions(store, &bot, "pilates").await.remove(1);
    store.set_session_capacity(&bot.id, &session.id, 1).await.unwrap();
    let marie = contact(store, "marie", "Marie Dupont").await;
    book(
        store.as_ref(),
        &bot,
        &BookRequest {
            pay_on_site: true,
            ..request(&marie, &session.id, &OfferId::from("single"))
        },
    )
    .await
    .unwrap();
    (bot, session.id, marie)
}

fn bots(bot: &Bot) -> Bots {
    let mut bots = Bots::default();
    bots.add(bot.clone()).unwrap();
    bots
}

fn on_site<'a>(contact: &'a ContactId, session: &'a SessionId, at: DateTime<Utc>) -> BookRequest<'a> {
    BookRequest {
        pay_on_site: true,
        now: at,
        ..request(contact, session, &SINGLE)
    }
}

static SINGLE: std::sync::LazyLock<OfferId> = std::sync::LazyLock::new(|| OfferId::from("single"));

fn offered(effects: &[WaitlistEffect]) -> Vec<(ContactId, Option<DateTime<Utc>>)> {
    effects
        .iter()
        .filter_map(|e| match e {
            WaitlistEffect::SeatOffered(entry) => Some((entry.contact.clone(), entry.offered_until)),
            WaitlistEffect::OfferLapsed(_) => None,
        })
        .collect()
}

async fn seats_taken(store: &Arc<dyn Store>, bot: &Bot, session: &SessionId) -> u32 {
    store.get_session(&bot.id, session).await.unwrap().seats_taken
}

/// The messages queued since the last call, as (channel id, payload), oldest first; they are
/// marked sent.
async fn told(store: &Arc<dyn Store>, at: DateTime<Utc>) -> Vec<(String, serde_json::Value)> {
    let due = store
        .claim_due(at + Duration::seconds(1), Duration::seconds(30), "test", 100)
        .await
        .unwrap();
    let mut payloads = Vec::new();
    for message in due {
        assert!(store.mark_sent(&message.bot, &message.id, "test").await.unwrap());
        payloads.push((message.to, message.payload));
    }
    payloads
}

async fn a_freed_seat_goes_to_the_first_in_line_then_the_next_when_it_lapses(store: Arc<dyn Store>) {
    let (bot, session, marie) = full_session(&store).await;
    let (paul, lea, zoe) = (
        contact(&store, "paul", "Paul Martin").await,
        contact(&store, "lea", "Léa Petit").await,
        contact(&store, "zoe", "Zoé Roux").await,
    );
    let full = book(store.as_ref(), &bot, &on_site(&paul, &session, now())).await;
    assert!(matches!(full, Err(BookError::Refused(BookingError::Full))));

    let t0 = now();
    let Joined::InLine {
        entry: paul_entry,
        position: 1,
    } = join(store.as_ref(), &bot, &paul, &session, t0).await.unwrap()
    else {
        panic!("Paul is first in line")
    };
    let lea_in = join(store.as_ref(), &bot, &lea, &session, t0 + Duration::seconds(1))
        .await
        .unwrap();
    assert!(matches!(lea_in, Joined::InLine { position: 2, .. }), "{lea_in:?}");
    let again = join(store.as_ref(), &bot, &paul, &session, t0 + Duration::seconds(2))
        .await
        .unwrap();
    assert!(matches!(again, Joined::AlreadyInLine { position: 1, .. }), "{again:?}");
    let booked = join(store.as_ref(), &bot, &marie, &session, t0).await;
    assert!(matches!(booked, Err(BookError::Refused(BookingError::AlreadyBooked))));

    // Marie cancels: the seat is held for Paul for 15 minutes, nobody else can take it.
    let t1 = t0 + Duration::minutes(5);
    let marie_booking = store
        .list_bookings_for_contact(&bot.id, &marie)
        .await
        .unwrap()
        .remove(0);
    let cancelled = cancel(store.as_ref(), &bot, &marie_booking.id, t1).await.unwrap();
    assert_eq!(
        offered(&cancelled.waitlist),
        [(paul.clone(), Some(t1 + Duration::minutes(15)))]
    );
    assert_eq!(seats_taken(&store, &bot, &session).await, 1, "held for Paul");
    let zoe_try = book(store.as_ref(), &bot, &on_site(&zoe, &session, t1)).await;
    assert!(matches!(zoe_try, Err(BookError::Refused(BookingError::Full))));
    let texts = Texts::builtin();
    assert_eq!(
        deliver(store.as_ref(), &bot, &texts, &cancelled.waitlist, t1)
            .await
            .unwrap(),
        1
    );
    let mut to_paul: Vec<serde_json::Value> = told(&store, t1).await.into_iter().map(|(_, p)| p).collect();
    assert_eq!(
        to_paul[0]["choices"][0]["key"],
        format!("waitlist:claim:{}", paul_entry.id).as_str()
    );
    let redacted = serde_json::to_string(&to_paul)
        .unwrap()
        .replace(paul_entry.id.as_str(), "ENTRY");
    to_paul = serde_json::from_str(&redacted).unwrap();
    insta::assert_json_snapshot!("waitlist_seat_offered", to_paul);

    // Paul does not answer: at 15 minutes the job passes the seat to Léa, once.
    let mut jobs = Jobs::default();
    let bots = bots(&bot);
    let early = jobs
        .tick(store.as_ref(), &bots, &texts, t1 + Duration::minutes(14))
        .await
        .unwrap();
    assert_eq!((early.offers_lapsed, early.seats_offered), (0, 0));
    let t2 = t1 + Duration::minutes(15);
    let tick = jobs.tick(store.as_ref(), &bots, &texts, t2).await.unwrap();
    assert_eq!(
        tick,
        Tick {
            offers_lapsed: 1,
            seats_offered: 1,
            messages: 2,
            ..Tick::default()
        }
    );
    assert_eq!(
        jobs.tick(store.as_ref(), &bots, &texts, t2).await.unwrap(),
        Tick::default()
    );
    let told_at_t2 = told(&store, t2).await;
    let to = |who: &str| {
        told_at_t2
            .iter()
            .filter(|(to, _)| to == who)
            .map(|(_, p)| p)
            .collect::<Vec<_>>()
    };
    let lapsed = to("paul");
    assert_eq!(lapsed.len(), 1);
    assert!(
        lapsed[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("La place pour Pilates le 25/11 07:30")
    );
    assert_eq!(to("lea").len(), 1);
    assert!(to("lea")[0]["text"].as_str().unwrap().starts_with("Bonne nouvelle"));

    // Paul comes back too late; Léa claims her held seat.
    let late = claim(store.as_ref(), &bot, &paul_entry.id, &on_site(&paul, &session, t2)).await;
    assert!(matches!(late, Err(BookError::Refused(BookingError::Full))), "{late:?}");
    let lea_entry = store.list_waitlist(&bot.id, &session).await.unwrap().remove(0);
    assert_eq!(
        (lea_entry.contact.clone(), lea_entry.status),
        (lea.clone(), WaitlistStatus::Offered)
    );
    let t3 = t2 + Duration::minutes(3);
    let booking = claim(store.as_ref(), &bot, &lea_entry.id, &on_site(&lea, &session, t3))
        .await
        .unwrap();
    assert_eq!(booking.status, BookingStatus::Confirmed);
    assert_eq!(
        seats_taken(&store, &bot, &session).await,
        1,
        "the held seat, not another one"
    );
    assert_eq!(
        store.get_waitlist_entry(&bot.id, &lea_entry.id).await.unwrap().status,
        WaitlistStatus::Claimed
    );
    assert!(store.list_waitlist(&bot.id, &session).await.unwrap().is_empty());
    assert_eq!(
        store.get_waitlist_entry(&bot.id, &paul_entry.id).await.unwrap().status,
        WaitlistStatus::Expired
    );
}

async fn letting_a_held_seat_go_passes_it_on_at_once(store: Arc<dyn Store>) {
    let (bot, session, marie) = full_session(&store).await;
    let (paul, lea) = (
        contact(&store, "paul", "Paul Martin").await,
        contact(&store, "lea", "Léa Petit").await,
    );
    join(store.as_ref(), &bot, &paul, &session, now()).await.unwrap();
    join(store.as_ref(), &bot, &lea, &session, now() + Duration::seconds(1))
        .await
        .unwrap();
    let marie_booking = store
        .list_bookings_for_contact(&bot.id, &marie)
        .await
        .unwrap()
        .remove(0);
    let t1 = now() + Duration::minutes(1);
    let freed = cancel(store.as_ref(), &bot, &marie_booking.id, t1)
        .await
        .unwrap()
        .waitlist;
    let WaitlistEffect::SeatOffered(paul_entry) = &freed[0] else {
        panic!("{freed:?}")
    };
    let not_hers = leave(store.as_ref(), &bot, &lea, &paul_entry.id, t1).await;
    assert!(not_hers.is_err(), "only Paul can let Paul's seat go");
    let passed = leave(store.as_ref(), &bot, &paul, &paul_entry.id, t1 + Duration::minutes(2))
        .await
        .unwrap();
    assert_eq!(offered(&passed), [(lea.clone(), Some(t1 + Duration::minutes(17)))]);
    assert_eq!(
        seats_taken(&store, &bot, &session).await,
        1,
        "still one seat, now Léa's"
    );
    let twice = leave(store.as_ref(), &bot, &paul, &paul_entry.id, t1).await.unwrap();
    assert!(twice.is_empty());

    // Léa leaves too: nobody waits any more, the seat is free for anyone.
    let lea_entry = store.list_waitlist(&bot.id, &session).await.unwrap().remove(0);
    assert!(
        leave(store.as_ref(), &bot, &lea, &lea_entry.id, t1)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(seats_taken(&store, &bot, &session).await, 0);
    let zoe = contact(&store, "zoe", "Zoé Roux").await;
    book(store.as_ref(), &bot, &on_site(&zoe, &session, t1)).await.unwrap();
    let full_again = join(store.as_ref(), &bot, &paul, &session, t1).await.unwrap();
    assert!(
        matches!(full_again, Joined::InLine { position: 1, .. }),
        "Paul may queue again"
    );
}

async fn an_unpaid_hold_frees_its_seat_exactly_once_and_the_line_gets_it(store: Arc<dyn Store>) {
    let bot = planned(&store).await;
    let session = sessions(&store, &bot, "pilates").await.remove(1).id;
    store.set_session_capacity(&bot.id, &session, 1).await.unwrap();
    let (marie, paul) = (
        contact(&store, "marie", "Marie Dupont").await,
        contact(&store, "paul", "Paul Martin").await,
    );
    let hold = book(store.as_ref(), &bot, &request(&marie, &session, &SINGLE))
        .await
        .unwrap();
    assert_eq!(hold.status, BookingStatus::PendingPayment);
    join(store.as_ref(), &bot, &paul, &session, now()).await.unwrap();

    let (texts, bots) = (Texts::builtin(), bots(&bot));
    let expiry = now() + Duration::minutes(15);
    // Two replicas run the job at the same moment: the hold expires once, Paul is offered once.
    let (a, b) = tokio::join!(
        async {
            Jobs::default()
                .tick(store.as_ref(), &bots, &texts, expiry)
                .await
                .unwrap()
        },
        async {
            Jobs::default()
                .tick(store.as_ref(), &bots, &texts, expiry)
                .await
                .unwrap()
        },
    );
    assert_eq!(a.holds_expired + b.holds_expired, 1, "{a:?} {b:?}");
    assert_eq!(a.seats_offered + b.seats_offered, 1, "{a:?} {b:?}");
    assert_eq!(
        store.get_booking(&bot.id, &hold.id).await.unwrap().status,
        BookingStatus::Expired
    );
    assert_eq!(seats_taken(&store, &bot, &session).await, 1, "held for Paul");
    let sent = told(&store, expiry).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, "paul");
}

async fn racing_offers_never_give_a_seat_twice(store: Arc<dyn Store>) {
    let bot = Arc::new(planned(&store).await);
    let session = sessions(&store, &bot, "pilates").await.remove(1).id;
    store.set_session_capacity(&bot.id, &session, 0).await.unwrap();
    for i in 0..50 {
        let entry = WaitlistEntry::new(
            bot.id.clone(),
            session.clone(),
            ContactId::from(format!("w{i:02}")),
            now() + Duration::milliseconds(i),
        );
        assert!(store.join_waitlist(&entry).await.unwrap());
        assert!(
            !store
                .join_waitlist(&WaitlistEntry {
                    id: coachbot::domain::WaitlistId::generate(),
                    ..entry
                })
                .await
                .unwrap()
        );
    }
    store.set_session_capacity(&bot.id, &session, 3).await.unwrap();
    let tasks = (0..200).map(|_| {
        let (store, bot, session) = (store.clone(), bot.clone(), session.clone());
        tokio::spawn(async move { seat_freed(store.as_ref(), &bot, &session, now()).await.unwrap() })
    });
    let mut winners: Vec<String> = join_all(tasks)
        .await
        .into_iter()
        .flat_map(Result::unwrap)
        .map(|e| e.entry().contact.to_string())
        .collect();
    winners.sort();
    assert_eq!(winners, ["w00", "w01", "w02"], "the first three in line, once each");
    assert_eq!(seats_taken(&store, &bot, &session).await, 3);
    let line = store.list_waitlist(&bot.id, &session).await.unwrap();
    assert_eq!(line.len(), 50);
    assert_eq!(line.iter().filter(|e| e.status == WaitlistStatus::Offered).count(), 3);
}
