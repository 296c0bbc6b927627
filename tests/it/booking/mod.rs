//! Booking through `ops::booking` on every store: windows, payments, credits, subscription caps,
//! promo codes (given back when the seat is refused), cancel and move policies, and the race for
//! the last seats.

mod checkin;
mod studio;
mod waitlist;

use crate::admin::{Coach, demo};
use crate::store::conformance;
use chrono::{DateTime, Duration, TimeZone, Utc};
use coachbot::config::bots::Bot;
use coachbot::domain::booking::{BookingError, BookingStatus, CancelOutcome, Payment};
use coachbot::domain::session::Session;
use coachbot::domain::{ContactId, CourseId, OfferId, SessionId};
use coachbot::ops::booking::{BookError, BookRequest, book, buy_offer, cancel, move_to};
use coachbot::ops::schedule::plan_ahead;
use coachbot::store::Store;
use futures::future::join_all;
use std::sync::Arc;

conformance!(
    sessions_are_planned_ahead_once,
    a_single_class_is_held_while_paying_online_and_confirmed_on_site,
    a_pack_credit_pays_and_comes_back_only_on_a_timely_cancel,
    a_subscription_stops_at_its_weekly_cap,
    a_promo_lowers_the_price_and_comes_back_when_the_seat_is_refused,
    booking_opens_and_closes_with_the_window,
    a_booking_moves_within_its_course_or_not_at_all,
    a_thousand_visitors_race_for_twenty_seats_through_the_booking_operation,
);

/// Monday 23 November 2026, 09:00 UTC.
pub(crate) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

pub(crate) async fn planned(store: &Arc<dyn Store>) -> Bot {
    let bot = demo();
    Coach::new(store.clone()).await;
    plan_ahead(store.as_ref(), &bot, now()).await.unwrap();
    bot
}

/// The sessions of a course in the next two weeks, by start.
pub(crate) async fn sessions(store: &Arc<dyn Store>, bot: &Bot, course: &str) -> Vec<Session> {
    let all = store
        .list_sessions(&bot.id, now(), now() + Duration::days(14))
        .await
        .unwrap();
    all.into_iter().filter(|s| s.course == CourseId::from(course)).collect()
}

/// Session starts in the bot's zone, as `Tue 24/11 18:30`.
pub(crate) fn local_starts(bot: &Bot, sessions: &[Session]) -> Vec<String> {
    sessions
        .iter()
        .map(|s| {
            s.start
                .with_timezone(&bot.time_zone)
                .format("%a %d/%m %H:%M")
                .to_string()
        })
        .collect()
}

pub(crate) fn request<'a>(contact: &'a ContactId, session: &'a SessionId, offer: &'a OfferId) -> BookRequest<'a> {
    BookRequest {
        contact,
        session,
        offer,
        promo: None,
        pay_on_site: false,
        now: now(),
    }
}

async fn sessions_are_planned_ahead_once(store: Arc<dyn Store>) {
    let bot = demo();
    Coach::new(store.clone()).await;
    let created = plan_ahead(store.as_ref(), &bot, now()).await.unwrap();
    assert_eq!(created, 8 * 6, "three courses, six slots a week, eight weeks");
    assert_eq!(
        plan_ahead(store.as_ref(), &bot, now()).await.unwrap(),
        0,
        "nothing twice"
    );
    let yoga = sessions(&store, &bot, "yoga-doux").await;
    let local = local_starts(&bot, &yoga);
    assert_eq!(local[..3], ["Tue 24/11 18:30", "Thu 26/11 12:15", "Sat 28/11 10:00"]);
    assert!(yoga.iter().all(|s| s.capacity == 12 && s.seats_taken == 0));
}

async fn a_single_class_is_held_while_paying_online_and_confirmed_on_site(store: Arc<dyn Store>) {
    let bot = planned(&store).await;
    let s = &sessions(&store, &bot, "pilates").await[0];
    let (marie, paul, single) = (
        ContactId::from("marie"),
        ContactId::from("paul"),
        OfferId::from("single"),
    );
    let online = book(store.as_ref(), &bot, &request(&marie, &s.id, &single))
        .await
        .unwrap();
    assert_eq!(
        (online.status, online.payment.clone()),
        (BookingStatus::PendingPayment, Payment::Online)
    );
    assert_eq!(online.hold_until, Some(now() + Duration::minutes(15)));
    assert_eq!(online.price.minor, 1800);
    assert_eq!(online.free_cancel_until, s.start - Duration::hours(24));

    let on_site = book(
        store.as_ref(),
        &bot,
        &BookRequest {
            pay_on_site: true,
            ..request(&paul, &s.id, &single)
        },
    )
    .await
    .unwrap();
    assert_eq!((on_site.status, on_site.hold_until), (BookingStatus::Confirmed, None));
    assert_eq!(store.get_session(&bot.id, &s.id).await.unwrap().seats_taken, 2);
    let again = book(store.as_ref(), &bot, &request(&marie, &s.id, &single)).await;
    assert!(matches!(again, Err(BookError::Refused(BookingError::AlreadyBooked))));
}

async fn a_pack_credit_pays_and_comes_back_only_on_a_timely_cancel(store: Arc<dyn Store>) {
    let bot = planned(&store).await;
    let yoga = sessions(&store, &bot, "yoga-doux").await;
    let (marie, pack) = (ContactId::from("marie"), OfferId::from("pack10"));
    let refused = book(store.as_ref(), &bot, &request(&marie, &yoga[0].id, &pack)).await;
    assert!(
        matches!(refused, Err(BookError::Refused(BookingError::NoCredit))),
        "no pack bought yet"
    );

    let wallet = buy_offer(store.as_ref(), &bot, &marie, &pack, now()).await.unwrap();
    assert_eq!(
        (wallet.credits_left, wallet.expires_at),
        (10, now() + Duration::days(180))
    );
    let timely = book(store.as_ref(), &bot, &request(&marie, &yoga[3].id, &pack))
        .await
        .unwrap();
    assert_eq!((timely.status, timely.price.minor), (BookingStatus::Confirmed, 0));
    assert_eq!(store.get_wallet(&bot.id, &wallet.id).await.unwrap().credits_left, 9);
    let cancelled = cancel(store.as_ref(), &bot, &timely.id, now()).await.unwrap();
    assert_eq!(cancelled.outcome, CancelOutcome::Free);
    assert_eq!(
        store.get_wallet(&bot.id, &wallet.id).await.unwrap().credits_left,
        10,
        "credit back"
    );

    let tomorrow = book(store.as_ref(), &bot, &request(&marie, &yoga[0].id, &pack))
        .await
        .unwrap();
    let late = cancel(store.as_ref(), &bot, &tomorrow.id, yoga[0].start - Duration::hours(2))
        .await
        .unwrap();
    assert_eq!(late.outcome, CancelOutcome::Late);
    assert_eq!(
        store.get_wallet(&bot.id, &wallet.id).await.unwrap().credits_left,
        9,
        "a late cancel keeps the credit"
    );
    assert_eq!(
        store.get_session(&bot.id, &yoga[0].id).await.unwrap().seats_taken,
        0,
        "but frees the seat"
    );
    let twice = cancel(store.as_ref(), &bot, &tomorrow.id, now()).await;
    assert!(matches!(twice, Err(BookError::Refused(BookingError::NotActive))));
}

async fn a_subscription_stops_at_its_weekly_cap(store: Arc<dyn Store>) {
    let bot = planned(&store).await;
    let (marie, sub) = (ContactId::from("marie"), OfferId::from("illimite"));
    buy_offer(store.as_ref(), &bot, &marie, &sub, now()).await.unwrap();
    let mut week: Vec<Session> = store
        .list_sessions(&bot.id, now(), now() + Duration::days(6))
        .await
        .unwrap();
    week.retain(|s| s.course != CourseId::from("danse-afro"));
    assert!(week.len() >= 4, "{week:?}");
    for s in &week[..3] {
        book(store.as_ref(), &bot, &request(&marie, &s.id, &sub)).await.unwrap();
    }
    let fourth = book(store.as_ref(), &bot, &request(&marie, &week[3].id, &sub)).await;
    assert!(matches!(
        fourth,
        Err(BookError::Refused(BookingError::WeeklyCapReached(3)))
    ));
    let afro = sessions(&store, &bot, "danse-afro").await;
    let not_covered = book(store.as_ref(), &bot, &request(&marie, &afro[0].id, &sub)).await;
    assert!(matches!(
        not_covered,
        Err(BookError::Refused(BookingError::OfferNotForCourse))
    ));
    let next_week = sessions(&store, &bot, "pilates")
        .await
        .into_iter()
        .find(|s| s.start > now() + Duration::days(7))
        .unwrap();
    book(store.as_ref(), &bot, &request(&marie, &next_week.id, &sub))
        .await
        .expect("a new week, a new cap");
}

async fn a_promo_lowers_the_price_and_comes_back_when_the_seat_is_refused(store: Arc<dyn Store>) {
    let bot = planned(&store).await;
    let mut coach = Coach::new(store.clone()).await;
    coach.run("/promo 1 -25% max:5 par-client:0").await;
    let batch = coach.batch().await;
    let page = store
        .list_promo_codes(&bot.id, &batch.as_str().into(), &coachbot::store::PageRequest::first(1))
        .await
        .unwrap();
    let code = page.items[0].code.to_lowercase();
    let later = sessions(&store, &bot, "pilates").await;
    let s = later
        .iter()
        .find(|s| s.start > now() + Duration::days(2))
        .expect("a class in a few days");
    let (marie, single) = (ContactId::from("marie"), OfferId::from("single"));

    let with_code = BookRequest {
        promo: Some(&code),
        pay_on_site: true,
        ..request(&marie, &s.id, &single)
    };
    let booked = book(store.as_ref(), &bot, &with_code).await.unwrap();
    assert_eq!(booked.price.minor, 1350);
    assert_eq!(booked.promo.as_deref(), Some(page.items[0].key.as_str()));
    let uses = || async { store.get_promo_code(&bot.id, &page.items[0].key).await.unwrap().uses };
    assert_eq!(uses().await, 1);

    let refused = book(store.as_ref(), &bot, &with_code).await;
    assert!(matches!(refused, Err(BookError::Refused(BookingError::AlreadyBooked))));
    assert_eq!(uses().await, 1, "the use taken for the refused booking came back");

    let cancelled = cancel(store.as_ref(), &bot, &booked.id, now()).await.unwrap();
    assert!(cancelled.promo_released);
    assert_eq!(uses().await, 0);
    let bad = BookRequest {
        promo: Some("NOPE-0000"),
        ..request(&marie, &s.id, &single)
    };
    assert!(matches!(
        book(store.as_ref(), &bot, &bad).await,
        Err(BookError::Promo(coachbot::domain::promo::PromoError::Unknown))
    ));
}

async fn booking_opens_and_closes_with_the_window(store: Arc<dyn Store>) {
    let bot = planned(&store).await;
    let s = &sessions(&store, &bot, "danse-afro").await[0];
    let (marie, single) = (ContactId::from("marie"), OfferId::from("single"));
    let late = BookRequest {
        now: s.start - Duration::minutes(30),
        ..request(&marie, &s.id, &single)
    };
    assert!(matches!(
        book(store.as_ref(), &bot, &late).await,
        Err(BookError::Refused(BookingError::Closed))
    ));
    let early = BookRequest {
        now: s.start - Duration::days(31),
        ..request(&marie, &s.id, &single)
    };
    assert!(matches!(
        book(store.as_ref(), &bot, &early).await,
        Err(BookError::Refused(BookingError::NotOpenYet(_)))
    ));
    assert_eq!(store.get_session(&bot.id, &s.id).await.unwrap().seats_taken, 0);
}

async fn a_booking_moves_within_its_course_or_not_at_all(store: Arc<dyn Store>) {
    let bot = planned(&store).await;
    let yoga = sessions(&store, &bot, "yoga-doux").await;
    let pilates = sessions(&store, &bot, "pilates").await;
    let (marie, single) = (ContactId::from("marie"), OfferId::from("single"));
    let booked = book(
        store.as_ref(),
        &bot,
        &BookRequest {
            pay_on_site: true,
            ..request(&marie, &yoga[0].id, &single)
        },
    )
    .await
    .unwrap();

    let other_course = move_to(store.as_ref(), &bot, &booked.id, &pilates[0].id, now()).await;
    assert!(matches!(
        other_course,
        Err(BookError::Refused(BookingError::NotSameCourse))
    ));
    let moved = move_to(store.as_ref(), &bot, &booked.id, &yoga[1].id, now())
        .await
        .unwrap()
        .booking;
    assert_eq!(
        (moved.session.clone(), moved.free_cancel_until),
        (yoga[1].id.clone(), yoga[1].start - Duration::hours(24))
    );
    assert_eq!(
        store.get_booking(&bot.id, &booked.id).await.unwrap().status,
        BookingStatus::Cancelled
    );
    assert_eq!(store.get_session(&bot.id, &yoga[0].id).await.unwrap().seats_taken, 0);
    assert_eq!(store.get_session(&bot.id, &yoga[1].id).await.unwrap().seats_taken, 1);
}

async fn a_thousand_visitors_race_for_twenty_seats_through_the_booking_operation(store: Arc<dyn Store>) {
    let bot = Arc::new(planned(&store).await);
    let mut s = sessions(&store, &bot, "danse-afro").await.remove(0);
    assert_eq!(s.capacity, 20);
    let tasks = (0..1000).map(|i| {
        let (store, bot, session) = (store.clone(), bot.clone(), s.id.clone());
        tokio::spawn(async move {
            let (contact, offer) = (ContactId::from(format!("v{i}")), OfferId::from("single"));
            book(
                store.as_ref(),
                &bot,
                &BookRequest {
                    pay_on_site: true,
                    ..request(&contact, &session, &offer)
                },
            )
            .await
        })
    });
    let results: Vec<_> = join_all(tasks).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 20);
    assert!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| matches!(e, BookError::Refused(BookingError::Full)))
    );
    let texts = coachbot::i18n::Texts::builtin();
    let refused = results.iter().find_map(|r| r.as_ref().err()).unwrap();
    let told = coachbot::ops::booking::refusal(&texts, bot.language, &bot, refused);
    assert_eq!(
        told,
        "Cette séance est complète. Voulez-vous être sur la liste d'attente ? Vous serez prévenu·e dès qu'une place se libère.",
        "the others are told it is full and offered the waitlist"
    );
    s = store.get_session(&bot.id, &s.id).await.unwrap();
    assert_eq!(s.seats_taken, 20);
    let confirmed = store.list_bookings_for_session(&bot.id, &s.id).await.unwrap();
    assert_eq!(
        confirmed
            .iter()
            .filter(|b| b.status == BookingStatus::Confirmed)
            .count(),
        20
    );
}
