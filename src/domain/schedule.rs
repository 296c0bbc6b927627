//! Weekly slots become dated sessions: local times in the bot's IANA zone, stored in UTC, right
//! across daylight-saving changes.

use crate::domain::catalog::Course;
use crate::domain::ids::SessionId;
use crate::domain::session::Session;
use crate::domain::slot::WeeklySlot;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The instant a local date and time stands for in `tz`. When the clock goes back and the time
/// happens twice, the first one; when the clock jumps forward over it, the same time on the new
/// clock (02:30 on a night that skips from 02:00 to 03:00 is 03:30).
pub fn local_instant(date: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    let local = date.and_time(time);
    if let Some(instant) = tz.from_local_datetime(&local).earliest() {
        return instant.with_timezone(&Utc);
    }
    (1..=3)
        .find_map(|hours| tz.from_local_datetime(&(local + Duration::hours(hours))).earliest())
        .map(|after| after.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

/// Start instants of the slots over `days` days from `from` (included), in time order.
pub fn starts(slots: &[WeeklySlot], tz: Tz, from: NaiveDate, days: u32) -> Vec<DateTime<Utc>> {
    let mut starts: Vec<DateTime<Utc>> = (0..days)
        .filter_map(|offset| from.checked_add_signed(Duration::days(i64::from(offset))))
        .flat_map(|date| {
            slots
                .iter()
                .filter(move |slot| slot.weekday == date.weekday())
                .map(move |slot| local_instant(date, slot.time, tz))
        })
        .collect();
    starts.sort();
    starts.dedup();
    starts
}

/// The sessions of a course starting after `now` over the next `weeks` weeks (from today in the
/// bot's zone). Ids are fresh: the store keeps one session per course and start.
pub fn upcoming_sessions(course: &Course, tz: Tz, now: DateTime<Utc>, weeks: u32) -> Vec<Session> {
    let today = now.with_timezone(&tz).date_naive();
    starts(&course.slots, tz, today, weeks * 7)
        .into_iter()
        .filter(|start| *start > now)
        .map(|start| Session {
            bot: course.bot.clone(),
            id: SessionId::generate(),
            course: course.id.clone(),
            start,
            duration_min: course.duration_min,
            capacity: course.capacity,
            seats_taken: 0,
            cancelled: false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BotId, CourseId};
    use chrono_tz::Europe::Paris;
    use rstest::rstest;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn slots(texts: &[&str]) -> Vec<WeeklySlot> {
        texts.iter().map(|t| WeeklySlot::parse(t).unwrap()).collect()
    }

    #[rstest]
    // Winter (UTC+1) before the last Sunday of March, summer (UTC+2) after it.
    #[case("2026-03-24", "18:30", utc(2026, 3, 24, 17, 30))]
    #[case("2026-03-31", "18:30", utc(2026, 3, 31, 16, 30))]
    // 29 March 2026, 02:30 does not exist in Paris (02:00 → 03:00): 03:30 summer time.
    #[case("2026-03-29", "02:30", utc(2026, 3, 29, 1, 30))]
    // 25 October 2026, 02:30 happens twice (03:00 → 02:00): the first, still in summer time.
    #[case("2026-10-25", "02:30", utc(2026, 10, 25, 0, 30))]
    #[case("2026-10-25", "18:30", utc(2026, 10, 25, 17, 30))]
    #[case("2026-10-24", "18:30", utc(2026, 10, 24, 16, 30))]
    fn local_times_become_the_right_utc_instants(
        #[case] date: &str,
        #[case] time: &str,
        #[case] expected: DateTime<Utc>,
    ) {
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        let time = NaiveTime::parse_from_str(time, "%H:%M").unwrap();
        assert_eq!(local_instant(date, time, Paris), expected);
    }

    #[test]
    fn a_week_across_the_spring_change_keeps_the_local_hour() {
        let from = NaiveDate::from_ymd_opt(2026, 3, 23).unwrap();
        let got = starts(&slots(&["mar 18:30", "dim 10:00"]), Paris, from, 14);
        assert_eq!(
            got,
            vec![
                utc(2026, 3, 24, 17, 30),
                utc(2026, 3, 29, 8, 0), // Sunday of the change: 10:00 summer time
                utc(2026, 3, 31, 16, 30),
                utc(2026, 4, 5, 8, 0),
            ]
        );
        assert!(
            got.iter()
                .all(|s| s.with_timezone(&Paris).format("%H:%M").to_string() != "00:00")
        );
    }

    #[test]
    fn a_week_across_the_autumn_change_keeps_the_local_hour() {
        let from = NaiveDate::from_ymd_opt(2026, 10, 19).unwrap();
        let got = starts(&slots(&["sam 09:00", "lun 19:00"]), Paris, from, 9);
        let local: Vec<String> = got
            .iter()
            .map(|s| s.with_timezone(&Paris).format("%a %d %H:%M").to_string())
            .collect();
        assert_eq!(local, ["Mon 19 19:00", "Sat 24 09:00", "Mon 26 19:00"]);
        assert_eq!(got[0], utc(2026, 10, 19, 17, 0));
        assert_eq!(got[2], utc(2026, 10, 26, 18, 0), "winter time after the change");
    }

    #[test]
    fn upcoming_sessions_skip_what_already_started() {
        let course = Course {
            bot: BotId::parse("demo").unwrap(),
            id: CourseId::from("yoga"),
            name: "Yoga".into(),
            description: String::new(),
            location: String::new(),
            duration_min: 60,
            capacity: 12,
            slots: slots(&["mer 09:00", "mer 18:30"]),
            active: true,
        };
        let now = utc(2026, 11, 25, 12, 0); // Wednesday 13:00 in Paris
        let sessions = upcoming_sessions(&course, Paris, now, 2);
        let starts: Vec<DateTime<Utc>> = sessions.iter().map(|s| s.start).collect();
        assert_eq!(
            starts,
            vec![
                utc(2026, 11, 25, 17, 30),
                utc(2026, 12, 2, 8, 0),
                utc(2026, 12, 2, 17, 30)
            ]
        );
        assert!(
            sessions
                .iter()
                .all(|s| s.capacity == 12 && s.seats_taken == 0 && s.course == course.id)
        );
    }
}
