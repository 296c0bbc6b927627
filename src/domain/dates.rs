//! Dates as coaches type them (`31/12`, `31/12/2026`, `2026-12-31`, `+30j`, `+2sem`) and the
//! instants they stand for in the bot's time zone.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use std::fmt;

/// A unit of a relative date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Days (`j`, `d`).
    Days,
    /// Weeks (`sem`, `w`).
    Weeks,
}

/// A date as given in a command: a calendar day, or a delay after the moment a code is issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DaySpec {
    /// That calendar day, in the bot's time zone.
    On(NaiveDate),
    /// So long after issue.
    After {
        /// How many units.
        amount: u32,
        /// Days or weeks.
        unit: Unit,
    },
}

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not a date at all, or a day that does not exist (31/02).
    #[error("{0:?} is not a date")]
    Invalid(String),
    /// A day before today.
    #[error("{0} is in the past")]
    InPast(NaiveDate),
}

impl DaySpec {
    /// Reads a date typed on `today` (in the bot's zone). A day without a year is the next such day
    /// (this year's, or next year's when it has passed). Days before today are refused.
    pub fn parse(text: &str, today: NaiveDate) -> Result<Self, DateError> {
        let invalid = || DateError::Invalid(text.to_owned());
        let text = text.trim();
        if let Some(relative) = text.strip_prefix('+') {
            let split = relative.find(|c: char| !c.is_ascii_digit()).ok_or_else(invalid)?;
            let (number, unit) = relative.split_at(split);
            let amount: u32 = number.parse().map_err(|_| invalid())?;
            let unit = match unit.to_lowercase().as_str() {
                "j" | "d" | "jours" | "days" => Unit::Days,
                "sem" | "s" | "w" | "semaines" | "weeks" => Unit::Weeks,
                _ => return Err(invalid()),
            };
            if amount == 0 || amount > 3660 {
                return Err(invalid());
            }
            return Ok(Self::After { amount, unit });
        }
        let date = if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            date
        } else {
            let parts: Vec<&str> = text.split('/').collect();
            let number = |s: &str| s.parse::<u32>().map_err(|_| invalid());
            match parts.as_slice() {
                [d, m] => {
                    let (d, m) = (number(d)?, number(m)?);
                    let this_year = NaiveDate::from_ymd_opt(today.year(), m, d);
                    match this_year {
                        Some(date) if date >= today => date,
                        _ => NaiveDate::from_ymd_opt(today.year() + 1, m, d).ok_or_else(invalid)?,
                    }
                }
                [d, m, y] if y.len() == 2 || y.len() == 4 => {
                    let year = number(y)? as i32 + if y.len() == 2 { 2000 } else { 0 };
                    NaiveDate::from_ymd_opt(year, number(m)?, number(d)?).ok_or_else(invalid)?
                }
                _ => return Err(invalid()),
            }
        };
        if date < today {
            return Err(DateError::InPast(date));
        }
        Ok(Self::On(date))
    }

    /// The instant a code issued at `issued` stops being valid: the end of the day (midnight after
    /// it, local time), or exactly the delay after issue.
    pub fn end_instant(self, issued: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
        match self {
            Self::On(date) => start_of_day(date.succ_opt().unwrap_or(date), tz),
            Self::After { .. } => issued + self.duration(),
        }
    }

    /// The instant a code becomes valid: the start of the day, or the delay after issue.
    pub fn start_instant(self, issued: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
        match self {
            Self::On(date) => start_of_day(date, tz),
            Self::After { .. } => issued + self.duration(),
        }
    }

    fn duration(self) -> Duration {
        match self {
            Self::On(_) => Duration::zero(),
            Self::After {
                amount,
                unit: Unit::Days,
            } => Duration::days(i64::from(amount)),
            Self::After {
                amount,
                unit: Unit::Weeks,
            } => Duration::weeks(i64::from(amount)),
        }
    }
}

impl fmt::Display for DaySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::On(date) => write!(f, "{}", date.format("%d/%m/%Y")),
            Self::After {
                amount,
                unit: Unit::Days,
            } => write!(f, "+{amount}j"),
            Self::After {
                amount,
                unit: Unit::Weeks,
            } => write!(f, "+{amount}sem"),
        }
    }
}

/// Local midnight starting `date` in `tz`, as UTC (the first midnight when a change of time
/// repeats it; the first instant after the gap when it skips it).
pub fn start_of_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    let local = tz
        .from_local_datetime(&midnight)
        .earliest()
        .or_else(|| tz.from_local_datetime(&(midnight + Duration::hours(1))).earliest())
        .unwrap_or_else(|| tz.from_utc_datetime(&midnight));
    local.with_timezone(&Utc)
}

/// The day `instant` falls on in `tz`.
pub fn local_day(instant: DateTime<Utc>, tz: Tz) -> NaiveDate {
    instant.with_timezone(&tz).date_naive()
}

/// The day shown to people for an end instant (the last valid day: the day before the midnight
/// that ends it).
pub fn last_valid_day(end: DateTime<Utc>, tz: Tz) -> NaiveDate {
    local_day(end - Duration::milliseconds(1), tz)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[rstest]
    #[case("31/12", DaySpec::On(day(2026, 12, 31)))]
    #[case("15/01", DaySpec::On(day(2027, 1, 15)))]
    #[case("25/11", DaySpec::On(day(2026, 11, 25)))]
    #[case("31/12/2026", DaySpec::On(day(2026, 12, 31)))]
    #[case("01/02/27", DaySpec::On(day(2027, 2, 1)))]
    #[case("2026-12-31", DaySpec::On(day(2026, 12, 31)))]
    #[case("+30j", DaySpec::After { amount: 30, unit: Unit::Days })]
    #[case("+30d", DaySpec::After { amount: 30, unit: Unit::Days })]
    #[case("+2sem", DaySpec::After { amount: 2, unit: Unit::Weeks })]
    #[case("+2w", DaySpec::After { amount: 2, unit: Unit::Weeks })]
    fn dates_are_read_as_coaches_type_them(#[case] text: &str, #[case] expected: DaySpec) {
        assert_eq!(DaySpec::parse(text, day(2026, 11, 25)), Ok(expected));
    }

    #[rstest]
    #[case("31/02")]
    #[case("31/02/2027")]
    #[case("32/01")]
    #[case("demain")]
    #[case("+0j")]
    #[case("+3x")]
    #[case("12/12/202")]
    fn impossible_dates_are_refused(#[case] text: &str) {
        assert_eq!(
            DaySpec::parse(text, day(2026, 11, 25)),
            Err(DateError::Invalid(text.into()))
        );
    }

    #[test]
    fn past_days_are_refused() {
        assert_eq!(
            DaySpec::parse("24/11/2026", day(2026, 11, 25)),
            Err(DateError::InPast(day(2026, 11, 24)))
        );
    }

    #[test]
    fn an_end_date_lasts_until_local_midnight_across_daylight_saving() {
        let tz = chrono_tz::Europe::Paris;
        let issued = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
        // Winter (UTC+1): 28 March ends at 29 March 00:00 local, 28 March 23:00 UTC.
        let end = DaySpec::On(day(2026, 3, 28)).end_instant(issued, tz);
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 3, 28, 23, 0, 0).unwrap());
        // 29 March 2026 is the change to summer time: its end is 30 March 00:00 local = 29 March 22:00 UTC.
        let end = DaySpec::On(day(2026, 3, 29)).end_instant(issued, tz);
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 3, 29, 22, 0, 0).unwrap());
        assert_eq!(last_valid_day(end, tz), day(2026, 3, 29));
        // 25 October 2026 is the change back: its start is still 24 October 22:00 UTC.
        assert_eq!(
            start_of_day(day(2026, 10, 25), tz),
            Utc.with_ymd_and_hms(2026, 10, 24, 22, 0, 0).unwrap()
        );
        assert_eq!(
            start_of_day(day(2026, 10, 26), tz),
            Utc.with_ymd_and_hms(2026, 10, 25, 23, 0, 0).unwrap()
        );
    }

    #[test]
    fn a_delay_counts_from_issue() {
        let issued = Utc.with_ymd_and_hms(2026, 11, 25, 10, 30, 0).unwrap();
        let spec = DaySpec::After {
            amount: 2,
            unit: Unit::Weeks,
        };
        assert_eq!(
            spec.end_instant(issued, chrono_tz::Europe::Paris),
            issued + Duration::days(14)
        );
    }

    proptest::proptest! {
        #[test]
        fn display_and_parse_round_trip(offset in 0i64..2000, relative in 1u32..500, weeks: bool, pick: bool) {
            let today = day(2026, 11, 25);
            let spec = if pick {
                DaySpec::On(today + Duration::days(offset))
            } else {
                DaySpec::After { amount: relative, unit: if weeks { Unit::Weeks } else { Unit::Days } }
            };
            proptest::prop_assert_eq!(DaySpec::parse(&spec.to_string(), today), Ok(spec));
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,20}") {
            let _ = DaySpec::parse(&text, day(2026, 11, 25));
        }
    }
}
