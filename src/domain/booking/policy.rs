//! When a class can be booked and cancelled: the booking window (opens N days before, closes M
//! minutes before the start) and the free-cancellation window, snapshotted on each booking.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A bot's booking rules (`[booking]` in its file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingPolicy {
    /// Booking opens this many days before the start.
    #[serde(default = "defaults::opens_days_before")]
    pub opens_days_before: u32,
    /// Booking closes this many minutes before the start.
    #[serde(default = "defaults::closes_minutes_before")]
    pub closes_minutes_before: u32,
    /// Cancelling up to this many hours before the start gives the credit back.
    #[serde(default = "defaults::free_cancel_hours")]
    pub free_cancel_hours: u32,
    /// Minutes a seat is held while the visitor pays online.
    #[serde(default = "defaults::hold_minutes")]
    pub hold_minutes: u32,
    /// Minutes the first in line has to claim a seat freed on a full session.
    #[serde(default = "defaults::claim_minutes")]
    pub claim_minutes: u32,
    /// How many weeks of sessions are kept ahead.
    #[serde(default = "defaults::weeks_ahead")]
    pub weeks_ahead: u32,
}

mod defaults {
    pub fn opens_days_before() -> u32 {
        30
    }
    pub fn closes_minutes_before() -> u32 {
        60
    }
    pub fn free_cancel_hours() -> u32 {
        24
    }
    pub fn hold_minutes() -> u32 {
        15
    }
    pub fn claim_minutes() -> u32 {
        15
    }
    pub fn weeks_ahead() -> u32 {
        8
    }
}

impl Default for BookingPolicy {
    fn default() -> Self {
        Self {
            opens_days_before: defaults::opens_days_before(),
            closes_minutes_before: defaults::closes_minutes_before(),
            free_cancel_hours: defaults::free_cancel_hours(),
            hold_minutes: defaults::hold_minutes(),
            claim_minutes: defaults::claim_minutes(),
            weeks_ahead: defaults::weeks_ahead(),
        }
    }
}

/// Why a booking cannot be made (or moved); each has a friendly text in the catalogs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookingError {
    /// Booking opens later.
    #[error("booking opens at {0}")]
    NotOpenYet(DateTime<Utc>),
    /// Too close to the start.
    #[error("booking closed")]
    Closed,
    /// The coach cancelled this date.
    #[error("session cancelled")]
    SessionCancelled,
    /// No seat left.
    #[error("full")]
    Full,
    /// The contact already holds a seat in this session.
    #[error("already booked")]
    AlreadyBooked,
    /// The offer does not cover this course.
    #[error("offer not for this course")]
    OfferNotForCourse,
    /// The offer is no longer sold.
    #[error("offer inactive")]
    OfferInactive,
    /// No usable credit (none bought, none left, or expired).
    #[error("no credit")]
    NoCredit,
    /// The subscription's weekly cap is reached for that week.
    #[error("weekly cap of {0} reached")]
    WeeklyCapReached(u32),
    /// A move to a session of another course.
    #[error("not the same course")]
    NotSameCourse,
    /// The booking is not active (cancelled or expired).
    #[error("booking not active")]
    NotActive,
}

impl BookingPolicy {
    /// Whether a session starting at `start` can be booked at `now`.
    pub fn check_window(&self, start: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), BookingError> {
        let opens = start - Duration::days(i64::from(self.opens_days_before));
        if now < opens {
            return Err(BookingError::NotOpenYet(opens));
        }
        if now > start - Duration::minutes(i64::from(self.closes_minutes_before)) {
            return Err(BookingError::Closed);
        }
        Ok(())
    }

    /// Until when a booking of a session starting at `start` can be cancelled for free.
    pub fn free_cancel_until(&self, start: DateTime<Utc>) -> DateTime<Utc> {
        start - Duration::hours(i64::from(self.free_cancel_hours))
    }
}

/// What cancelling does, by the policy snapshotted on the booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelOutcome {
    /// In time: the seat, the credit and the promo use come back.
    Free,
    /// Late: the seat is freed for others, but the credit (or the payment) is kept.
    Late,
}

impl CancelOutcome {
    /// The outcome of cancelling at `now` a booking freely cancellable until `free_until`.
    pub fn at(free_until: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        if now <= free_until { Self::Free } else { Self::Late }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rstest::rstest;

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 17, 30, 0).unwrap()
    }

    #[rstest]
    #[case::too_early(start() - Duration::days(31), Err(BookingError::NotOpenYet(start() - Duration::days(30))))]
    #[case::just_open(start() - Duration::days(30), Ok(()))]
    #[case::the_day_before(start() - Duration::days(1), Ok(()))]
    #[case::last_minute(start() - Duration::minutes(60), Ok(()))]
    #[case::too_late(start() - Duration::minutes(59), Err(BookingError::Closed))]
    #[case::started(start() + Duration::minutes(5), Err(BookingError::Closed))]
    fn the_booking_window_opens_and_closes(#[case] now: DateTime<Utc>, #[case] expected: Result<(), BookingError>) {
        assert_eq!(BookingPolicy::default().check_window(start(), now), expected);
    }

    #[rstest]
    #[case(start() - Duration::hours(48), CancelOutcome::Free)]
    #[case(start() - Duration::hours(24), CancelOutcome::Free)]
    #[case(start() - Duration::hours(23), CancelOutcome::Late)]
    #[case(start() + Duration::hours(1), CancelOutcome::Late)]
    fn cancelling_is_free_until_the_snapshotted_limit(#[case] now: DateTime<Utc>, #[case] expected: CancelOutcome) {
        let until = BookingPolicy::default().free_cancel_until(start());
        assert_eq!(CancelOutcome::at(until, now), expected);
    }

    #[test]
    fn a_policy_reads_with_defaults() {
        let policy: BookingPolicy = toml::from_str("free_cancel_hours = 12").unwrap();
        assert_eq!(
            policy,
            BookingPolicy {
                free_cancel_hours: 12,
                ..BookingPolicy::default()
            }
        );
    }
}
