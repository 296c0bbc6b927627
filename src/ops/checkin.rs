//! Checking a visitor in at the door from their ticket: the token must be genuine, the booking
//! confirmed and for today; the first scan admits, later scans say when it was done.

use crate::config::bots::Bot;
use crate::domain::booking::BookingStatus;
use crate::domain::dates::local_day;
use crate::domain::language::Language;
use crate::domain::ticket::{self, TicketError};
use crate::i18n::Texts;
use crate::store::{Store, StoreError};
use crate::t;
use chrono::{DateTime, NaiveDate, Utc};

/// What a scan gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckIn {
    /// Welcome: who, which class, when it starts (local time).
    Admitted {
        /// `Marie D.`
        name: String,
        /// The course.
        course: String,
        /// Start, `18:30`.
        time: String,
    },
    /// Scanned before, at that local time.
    AlreadyIn {
        /// `18:02`.
        at: String,
    },
    /// Not admitted, and why.
    Refused(Refusal),
}

/// Why a ticket does not let someone in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a ticket of this studio, or altered.
    Invalid,
    /// No such booking.
    Unknown,
    /// The booking was cancelled (or its hold expired).
    Cancelled,
    /// Booked online and not paid yet.
    Unpaid,
    /// A ticket for another day.
    OtherDay(NaiveDate),
}

/// `Marie Dupont` → `Marie D.`; a single name as it is.
pub fn short_name(name: &str) -> String {
    let mut words = name.split_whitespace();
    match (words.next(), words.next()) {
        (Some(first), Some(last)) => format!("{first} {}.", last.chars().next().unwrap_or_default().to_uppercase()),
        (Some(first), None) => first.to_owned(),
        _ => String::new(),
    }
}

/// Checks the ticket `token` in at `now`.
pub async fn check_in(
    store: &dyn Store,
    bot: &Bot,
    key: &[u8],
    token: &str,
    now: DateTime<Utc>,
) -> Result<CheckIn, StoreError> {
    let booking_id = match ticket::verify(key, token) {
        Ok((claimed, id)) if claimed == bot.id => id,
        Ok(_) | Err(TicketError::Malformed | TicketError::BadSignature | TicketError::UnknownBot) => {
            return Ok(CheckIn::Refused(Refusal::Invalid));
        }
    };
    let booking = match store.get_booking(&bot.id, &booking_id).await {
        Ok(booking) => booking,
        Err(StoreError::NotFound) => return Ok(CheckIn::Refused(Refusal::Unknown)),
        Err(e) => return Err(e),
    };
    let session = store.get_session(&bot.id, &booking.session).await?;
    match booking.status {
        BookingStatus::Cancelled | BookingStatus::Expired => return Ok(CheckIn::Refused(Refusal::Cancelled)),
        BookingStatus::PendingPayment => return Ok(CheckIn::Refused(Refusal::Unpaid)),
        BookingStatus::Confirmed => {}
    }
    let day = local_day(session.start, bot.time_zone);
    if day != local_day(now, bot.time_zone) {
        return Ok(CheckIn::Refused(Refusal::OtherDay(day)));
    }
    let local_time = |at: DateTime<Utc>| at.with_timezone(&bot.time_zone).format("%H:%M").to_string();
    if !store.check_in(&bot.id, &booking.id, now).await? {
        let at = store
            .get_booking(&bot.id, &booking.id)
            .await?
            .checked_in_at
            .unwrap_or(now);
        return Ok(CheckIn::AlreadyIn { at: local_time(at) });
    }
    let course = store.get_course(&bot.id, &session.course).await?.name;
    let contact = store.get_contact(&bot.id, &booking.contact).await.ok();
    let name = contact
        .and_then(|c| c.name)
        .map(|n| short_name(&n))
        .unwrap_or_else(|| "—".into());
    Ok(CheckIn::Admitted {
        name,
        course,
        time: local_time(session.start),
    })
}

/// The coach's reply for a scan.
pub fn reply(texts: &Texts, language: Language, result: &CheckIn) -> String {
    match result {
        CheckIn::Admitted { name, course, time } => {
            t!(texts, language, "checkin-ok", "name" => name, "course" => course, "time" => time)
        }
        CheckIn::AlreadyIn { at } => t!(texts, language, "checkin-already", "at" => at),
        CheckIn::Refused(Refusal::Invalid) => t!(texts, language, "checkin-invalid"),
        CheckIn::Refused(Refusal::Unknown) => t!(texts, language, "checkin-unknown"),
        CheckIn::Refused(Refusal::Cancelled) => t!(texts, language, "checkin-cancelled"),
        CheckIn::Refused(Refusal::Unpaid) => t!(texts, language, "checkin-unpaid"),
        CheckIn::Refused(Refusal::OtherDay(day)) => {
            t!(texts, language, "checkin-other-day", "date" => day.format("%d/%m/%Y").to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::short_name;

    #[test]
    fn names_are_shortened_to_first_name_and_initial() {
        assert_eq!(short_name("Marie Dupont"), "Marie D.");
        assert_eq!(short_name("  léa   éluard "), "léa É.");
        assert_eq!(short_name("Paul"), "Paul");
        assert_eq!(short_name(""), "");
    }
}
