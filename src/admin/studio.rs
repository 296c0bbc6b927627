//! The studio at a glance for the coach: `/cours` (courses and their weekly slots), `/offres`
//! (offers and prices) and `/resas [aujourdhui|demain|semaine|JJ/MM]` (bookings by session).

use super::{AdminContext, CommandError};
use crate::domain::booking::{BookingStatus, Payment};
use crate::domain::catalog::OfferKind;
use crate::domain::dates::{local_day, start_of_day};
use crate::domain::reply::Reply;
use crate::domain::slot::WeeklySlot;
use crate::ops::checkin::short_name;
use crate::store::StoreError;
use crate::t;
use chrono::{Datelike, Duration, NaiveDate};

/// Which days `/resas` covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Today.
    Today,
    /// Tomorrow.
    Tomorrow,
    /// Today and the next six days.
    Week,
    /// One day (`JJ/MM`, this year).
    Day {
        /// Day of the month.
        day: u32,
        /// Month.
        month: u32,
    },
}

/// Reads `JJ/MM`: a day that exists in some year (29/02 included).
fn day_month(text: &str) -> Option<(u32, u32)> {
    let (d, m) = text.split_once('/')?;
    let (day, month) = (d.parse().ok()?, m.parse().ok()?);
    NaiveDate::from_ymd_opt(2024, month, day).map(|_| (day, month))
}

/// Reads the word after `/resas`.
pub fn parse_period(words: &[String]) -> Result<Period, CommandError> {
    let usage = CommandError::Usage { command: "resas" };
    match words {
        [] => Ok(Period::Today),
        [word] => match word.to_lowercase().replace('\'', "").as_str() {
            "aujourdhui" | "today" => Ok(Period::Today),
            "demain" | "tomorrow" => Ok(Period::Tomorrow),
            "semaine" | "week" => Ok(Period::Week),
            other => {
                let (day, month) = day_month(other).ok_or(usage)?;
                Ok(Period::Day { day, month })
            }
        },
        _ => Err(usage),
    }
}

fn slots(slots: &[WeeklySlot]) -> String {
    slots.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// `/cours`.
pub async fn courses(ctx: &AdminContext<'_>) -> Result<Reply, StoreError> {
    let mut lines = vec![t!(ctx.texts, ctx.language, "courses-title")];
    for course in ctx.store.list_courses(&ctx.bot.id).await? {
        lines.push(t!(ctx.texts, ctx.language, "course-line",
            "id" => course.id.as_str(), "name" => &course.name, "slots" => slots(&course.slots),
            "minutes" => course.duration_min, "capacity" => course.capacity));
    }
    Ok(Reply::text(lines.join("\n")))
}

/// `/offres`.
pub async fn offers(ctx: &AdminContext<'_>) -> Result<Reply, StoreError> {
    let mut lines = vec![t!(ctx.texts, ctx.language, "offers-title")];
    for offer in ctx.store.list_offers(&ctx.bot.id).await? {
        let price = offer.price.display(ctx.language);
        let (id, name) = (offer.id.as_str(), offer.name.as_str());
        let mut line = match offer.kind {
            OfferKind::Single => {
                t!(ctx.texts, ctx.language, "offer-line-single", "id" => id, "name" => name, "price" => price)
            }
            OfferKind::Pack { credits, valid_days } => t!(ctx.texts, ctx.language, "offer-line-pack",
                "id" => id, "name" => name, "price" => price, "credits" => credits, "days" => valid_days),
            OfferKind::Subscription {
                period_days,
                weekly_cap,
            } => t!(ctx.texts, ctx.language, "offer-line-subscription",
                "id" => id, "name" => name, "price" => price, "days" => period_days,
                "cap" => weekly_cap.unwrap_or(0)),
        };
        if !offer.courses.is_empty() {
            let ids: Vec<&str> = offer.courses.iter().map(|c| c.as_str()).collect();
            line.push_str(&format!(" · {}", ids.join(", ")));
        }
        lines.push(line);
    }
    Ok(Reply::text(lines.join("\n")))
}

/// `/resas …`: the period's sessions with their bookings.
pub async fn bookings(ctx: &AdminContext<'_>, period: Period) -> Result<Reply, StoreError> {
    let tz = ctx.bot.time_zone;
    let today = local_day(ctx.now, tz);
    let (first, days) = match period {
        Period::Today => (today, 1),
        Period::Tomorrow => (today + Duration::days(1), 1),
        Period::Week => (today, 7),
        Period::Day { day, month } => (NaiveDate::from_ymd_opt(today.year(), month, day).unwrap_or(today), 1),
    };
    let (from, to) = (start_of_day(first, tz), start_of_day(first + Duration::days(days), tz));
    let sessions = ctx.store.list_sessions(&ctx.bot.id, from, to).await?;
    let mut lines = Vec::new();
    for session in sessions {
        let booked: Vec<_> = ctx
            .store
            .list_bookings_for_session(&ctx.bot.id, &session.id)
            .await?
            .into_iter()
            .filter(|b| b.is_active())
            .collect();
        if booked.is_empty() {
            continue;
        }
        let course = ctx.store.get_course(&ctx.bot.id, &session.course).await?.name;
        let when = session.start.with_timezone(&tz).format("%d/%m %H:%M").to_string();
        lines.push(t!(ctx.texts, ctx.language, "bookings-session",
            "course" => course, "when" => when, "taken" => session.seats_taken, "capacity" => session.capacity));
        for booking in booked {
            let name = match ctx.store.get_contact(&ctx.bot.id, &booking.contact).await {
                Ok(contact) => contact.name.map(|n| short_name(&n)).unwrap_or_else(|| "—".into()),
                Err(StoreError::NotFound) => "—".into(),
                Err(e) => return Err(e),
            };
            let offer = ctx
                .store
                .get_offer(&ctx.bot.id, &booking.offer)
                .await
                .map(|o| o.name)
                .unwrap_or_default();
            let payment = match (&booking.status, &booking.payment) {
                (BookingStatus::PendingPayment, _) => "payment-pending",
                (_, Payment::Online) => "payment-online",
                (_, Payment::OnSite) => "payment-on-site",
                (_, Payment::Credit { .. }) => "payment-credit",
                (_, Payment::Free) => "payment-free",
            };
            let mut line = t!(ctx.texts, ctx.language, "bookings-line",
                "reference" => &booking.reference, "name" => name, "offer" => offer,
                "payment" => t!(ctx.texts, ctx.language, payment));
            if booking.checked_in_at.is_some() {
                line.push_str(&format!(" · {}", t!(ctx.texts, ctx.language, "bookings-checked-in")));
            }
            lines.push(line);
        }
    }
    if lines.is_empty() {
        return Ok(Reply::text(t!(ctx.texts, ctx.language, "bookings-none")));
    }
    Ok(Reply::text(lines.join("\n")))
}

/// `/cours ID annuler JJ/MM` and `/cours ID capacite N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CourseChange {
    /// Cancel the session of that day.
    CancelDate {
        /// Day of the month.
        day: u32,
        /// Month.
        month: u32,
    },
    /// New capacity for the course and its sessions to come.
    Capacity(u32),
}

/// Reads the words after `/cours ID`.
pub fn parse_course_change(words: &[String]) -> Result<CourseChange, CommandError> {
    let usage = CommandError::Usage { command: "cours" };
    match words {
        [verb, date] if matches!(verb.to_lowercase().as_str(), "annuler" | "cancel") => {
            let (day, month) = day_month(date).ok_or(usage)?;
            Ok(CourseChange::CancelDate { day, month })
        }
        [verb, n] if matches!(verb.to_lowercase().as_str(), "capacite" | "capacité" | "capacity") => {
            let capacity = n.trim_end_matches("places").parse().map_err(|_| CommandError::Number {
                option: "capacite".into(),
                got: n.clone(),
            })?;
            Ok(CourseChange::Capacity(capacity))
        }
        _ => Err(usage),
    }
}

/// Applies a course change.
pub async fn change_course(ctx: &AdminContext<'_>, course: &str, change: &CourseChange) -> Result<Reply, StoreError> {
    use crate::ops::schedule::{DateError, cancel_date, set_capacity};
    let id = crate::domain::CourseId::from(course.to_lowercase());
    let name = match ctx.store.get_course(&ctx.bot.id, &id).await {
        Ok(course) => course.name,
        Err(StoreError::NotFound) => {
            let known: Vec<String> = ctx
                .store
                .list_courses(&ctx.bot.id)
                .await?
                .into_iter()
                .map(|c| c.id.to_string())
                .collect();
            return Ok(Reply::text(
                t!(ctx.texts, ctx.language, "promo-error-unknown-course", "id" => course, "known" => known.join(", ")),
            ));
        }
        Err(e) => return Err(e),
    };
    match *change {
        CourseChange::Capacity(capacity) => {
            let set = set_capacity(ctx.store, ctx.bot, &id, capacity, ctx.now).await?;
            crate::ops::waitlist::deliver(ctx.store, ctx.bot, ctx.texts, &set.waitlist, ctx.now).await?;
            Ok(Reply::text(t!(ctx.texts, ctx.language, "course-capacity-set",
                "course" => &name, "capacity" => capacity, "sessions" => set.sessions)))
        }
        CourseChange::CancelDate { day, month } => {
            let today = local_day(ctx.now, ctx.bot.time_zone);
            let mut date = NaiveDate::from_ymd_opt(today.year(), month, day).unwrap_or(today);
            if date < today {
                date = NaiveDate::from_ymd_opt(today.year() + 1, month, day).unwrap_or(date);
            }
            let (texts, bot) = (ctx.texts, ctx.bot);
            let message = |session: &crate::domain::session::Session,
                           language: Option<crate::domain::language::Language>| {
                let when = session
                    .start
                    .with_timezone(&bot.time_zone)
                    .format("%d/%m %H:%M")
                    .to_string();
                t!(texts, language.unwrap_or(bot.language), "session-cancelled-visitor", "course" => &name, "when" => when)
            };
            let shown = date.format("%d/%m").to_string();
            match cancel_date(ctx.store, ctx.bot, &id, date, ctx.now, message).await {
                Ok(done) => Ok(Reply::text(t!(ctx.texts, ctx.language, "course-date-cancelled",
                    "course" => &name, "date" => shown, "bookings" => done.bookings, "told" => done.told))),
                Err(DateError::NoSession) => Ok(Reply::text(
                    t!(ctx.texts, ctx.language, "course-no-session", "course" => &name, "date" => shown),
                )),
                Err(DateError::Store(e)) => Err(e),
            }
        }
    }
}

/// `/resa REF` (details) and `/resa REF annuler` (cancelled by the coach: everything given back,
/// the visitor told).
pub async fn booking(ctx: &AdminContext<'_>, reference: &str, cancel: bool) -> Result<Reply, StoreError> {
    let reference = crate::domain::promo::code::key(reference);
    let Some(booking) = ctx.store.find_booking_by_reference(&ctx.bot.id, &reference).await? else {
        return Ok(Reply::text(
            t!(ctx.texts, ctx.language, "booking-unknown", "reference" => &reference),
        ));
    };
    let session = ctx.store.get_session(&ctx.bot.id, &booking.session).await?;
    let course = ctx.store.get_course(&ctx.bot.id, &session.course).await?.name;
    let when = session
        .start
        .with_timezone(&ctx.bot.time_zone)
        .format("%d/%m %H:%M")
        .to_string();
    let contact = ctx.store.get_contact(&ctx.bot.id, &booking.contact).await.ok();
    let who = contact
        .as_ref()
        .and_then(|c| c.name.clone())
        .unwrap_or_else(|| "—".into());
    if cancel {
        if crate::ops::booking::cancel_by_studio(ctx.store, ctx.bot, &booking.id)
            .await?
            .is_none()
        {
            return Ok(Reply::text(
                t!(ctx.texts, ctx.language, "booking-unknown", "reference" => &reference),
            ));
        }
        let freed = crate::ops::waitlist::seat_freed(ctx.store, ctx.bot, &booking.session, ctx.now).await?;
        crate::ops::waitlist::deliver(ctx.store, ctx.bot, ctx.texts, &freed, ctx.now).await?;
        let mut told = false;
        if let Some(contact) = &contact {
            let language = contact.language.unwrap_or(ctx.bot.language);
            let text =
                t!(ctx.texts, language, "booking-cancelled-by-coach-visitor", "course" => &course, "when" => &when);
            told = crate::ops::booking::tell(ctx.store, contact, text, ctx.now).await?;
        }
        let id = if told {
            "booking-cancelled-by-coach"
        } else {
            "booking-cancelled-by-coach-untold"
        };
        return Ok(Reply::text(
            t!(ctx.texts, ctx.language, id, "reference" => &reference, "name" => who, "course" => course, "when" => when),
        ));
    }
    let reach = contact
        .as_ref()
        .map(|c| {
            [
                c.email.as_ref().map(ToString::to_string),
                c.phone.as_ref().map(ToString::to_string),
            ]
        })
        .into_iter()
        .flatten()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    let offer = ctx
        .store
        .get_offer(&ctx.bot.id, &booking.offer)
        .await
        .map(|o| o.name)
        .unwrap_or_default();
    let mut text = t!(ctx.texts, ctx.language, "booking-details",
        "reference" => &reference, "name" => who, "course" => course, "when" => when, "offer" => offer,
        "price" => booking.price.display(ctx.language));
    if !reach.is_empty() {
        text.push_str(&format!("\n{reach}"));
    }
    if let Some(at) = booking.checked_in_at {
        let at = at.with_timezone(&ctx.bot.time_zone).format("%H:%M").to_string();
        text.push_str(&format!(
            "\n{}",
            t!(ctx.texts, ctx.language, "checkin-already", "at" => at)
        ));
    }
    Ok(Reply::text(text))
}
