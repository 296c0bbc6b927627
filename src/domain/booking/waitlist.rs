//! The waitlist of a full session: contacts in line, in the order they joined. When a seat frees,
//! the store takes it for the first one waiting and their entry is *offered* until a deadline; they
//! claim it (book with the held seat) or let it go, and the seat passes to the next in line.

use crate::domain::booking::BookingPolicy;
use crate::domain::ids::{BotId, ContactId, SessionId, WaitlistId};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Where a place in line stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitlistStatus {
    /// In line.
    Waiting,
    /// A seat is held for this contact until `offered_until`.
    Offered,
    /// The contact booked the held seat.
    Claimed,
    /// The contact let the held seat go in time (or left the line).
    Left,
    /// The held seat was not claimed in time.
    Expired,
}

impl WaitlistStatus {
    /// Whether the entry is still in line (waiting, or holding a seat).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Waiting | Self::Offered)
    }

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Offered => "offered",
            Self::Claimed => "claimed",
            Self::Left => "left",
            Self::Expired => "expired",
        }
    }
}

/// A contact's place on a session's waitlist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitlistEntry {
    /// The bot.
    pub bot: BotId,
    /// The entry id (time-ordered: ties on `joined_at` keep the order of joining).
    pub id: WaitlistId,
    /// The full session.
    pub session: SessionId,
    /// Who waits.
    pub contact: ContactId,
    /// Where it stands.
    pub status: WaitlistStatus,
    /// Until when the held seat is theirs (set while offered).
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub offered_until: Option<DateTime<Utc>>,
    /// When they joined: the line is in this order.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub joined_at: DateTime<Utc>,
}

impl WaitlistEntry {
    /// A new place at the end of the line.
    pub fn new(bot: BotId, session: SessionId, contact: ContactId, now: DateTime<Utc>) -> Self {
        Self {
            bot,
            id: WaitlistId::generate(),
            session,
            contact,
            status: WaitlistStatus::Waiting,
            offered_until: None,
            joined_at: now,
        }
    }
}

/// Until when a seat freed at `now` is held for the first in line: `claim_minutes`, but never past
/// the close of booking; `None` when booking has closed (nobody could claim it any more).
pub fn offer_deadline(policy: &BookingPolicy, start: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let closes = start - Duration::minutes(i64::from(policy.closes_minutes_before));
    let until = (now + Duration::minutes(i64::from(policy.claim_minutes))).min(closes);
    (until > now).then_some(until)
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
    #[case::days_before(start() - Duration::days(2), Some(start() - Duration::days(2) + Duration::minutes(15)))]
    #[case::near_the_close(start() - Duration::minutes(70), Some(start() - Duration::minutes(60)))]
    #[case::at_the_close(start() - Duration::minutes(60), None)]
    #[case::started(start() + Duration::minutes(1), None)]
    fn a_held_seat_is_kept_for_claim_minutes_but_never_past_the_close(
        #[case] now: DateTime<Utc>,
        #[case] expected: Option<DateTime<Utc>>,
    ) {
        assert_eq!(offer_deadline(&BookingPolicy::default(), start(), now), expected);
    }

    #[test]
    fn only_waiting_and_offered_entries_are_in_line() {
        let open: Vec<bool> = [
            WaitlistStatus::Waiting,
            WaitlistStatus::Offered,
            WaitlistStatus::Claimed,
            WaitlistStatus::Left,
            WaitlistStatus::Expired,
        ]
        .into_iter()
        .map(WaitlistStatus::is_open)
        .collect();
        assert_eq!(open, [true, true, false, false, false]);
    }
}
