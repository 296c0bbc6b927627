//! Weekly slots such as `mar 18:30`: a day of the week and a local time in the bot's time zone.

use chrono::{NaiveTime, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A weekly recurring time, in the bot's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WeeklySlot {
    /// Day of the week.
    pub weekday: Weekday,
    /// Local start time.
    pub time: NaiveTime,
}

/// Why a text is not a weekly slot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a weekly slot (expected a day and a time, like \"mar 18:30\" or \"tue 18:30\")")]
pub struct SlotError(pub String);

const DAYS: [(Weekday, &[&str]); 7] = [
    (Weekday::Mon, &["lun", "lundi", "mon", "monday"]),
    (Weekday::Tue, &["mar", "mardi", "tue", "tuesday"]),
    (Weekday::Wed, &["mer", "mercredi", "wed", "wednesday"]),
    (Weekday::Thu, &["jeu", "jeudi", "thu", "thursday"]),
    (Weekday::Fri, &["ven", "vendredi", "fri", "friday"]),
    (Weekday::Sat, &["sam", "samedi", "sat", "saturday"]),
    (Weekday::Sun, &["dim", "dimanche", "sun", "sunday"]),
];

/// Reads a day name in French or English, short or long, any case.
pub fn parse_weekday(text: &str) -> Option<Weekday> {
    let lower = text.trim().trim_end_matches('.').to_lowercase();
    DAYS.iter()
        .find(|(_, names)| names.contains(&lower.as_str()))
        .map(|(day, _)| *day)
}

/// The short French name of a day (`lun`, `mar`, …).
pub fn short_french_name(day: Weekday) -> &'static str {
    DAYS.iter()
        .find(|(d, _)| *d == day)
        .map(|(_, names)| names[0])
        .unwrap_or("lun")
}

/// The short name of a day in a language (`mar` / `Tue`).
pub fn short_name(day: Weekday, language: crate::domain::language::Language) -> String {
    match language {
        crate::domain::language::Language::Fr => short_french_name(day).to_owned(),
        crate::domain::language::Language::En => {
            let english = DAYS
                .iter()
                .find(|(d, _)| *d == day)
                .map_or("mon", |(_, names)| names[2]);
            let mut chars = english.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
                .collect()
        }
    }
}

/// A local date and time with its day: `mar 24/11 18:30` (`Tue 24/11 18:30`). Written out rather
/// than with `format("%d/%m %H:%M")`, which parses its pattern at every call: a schedule formats
/// one date a line.
pub fn day_and_time<Tz: chrono::TimeZone>(
    local: &chrono::DateTime<Tz>,
    language: crate::domain::language::Language,
) -> String {
    use chrono::Datelike;
    let mut text = short_name(local.weekday(), language);
    for (before, n) in [(' ', local.day()), ('/', local.month())] {
        text.push(before);
        two_digits(&mut text, n);
    }
    text.push(' ');
    text.push_str(&hour_minute(local));
    text
}

/// A local time: `09:05`.
pub fn hour_minute<Tz: chrono::TimeZone>(local: &chrono::DateTime<Tz>) -> String {
    use chrono::Timelike;
    let mut text = String::with_capacity(5);
    two_digits(&mut text, local.hour());
    text.push(':');
    two_digits(&mut text, local.minute());
    text
}

/// A day, month, hour or minute as two digits.
fn two_digits(to: &mut String, n: u32) {
    for digit in [n / 10 % 10, n % 10] {
        to.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
}

/// Reads `18:30`, `18h30`, `18h` or `9:05`.
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let lower = text.trim().to_lowercase();
    let (h, m) = match lower.split_once([':', 'h']) {
        Some((h, "")) => (h, "0"),
        Some((h, m)) => (h, m),
        None => return None,
    };
    let valid = |s: &str, max_len: usize| !s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit());
    if !valid(h, 2) || !valid(m, 2) {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

impl WeeklySlot {
    /// Reads `mar 18:30`, `mardi 18h30`, `tue 6:30`…
    pub fn parse(text: &str) -> Result<Self, SlotError> {
        let err = || SlotError(text.to_owned());
        let mut parts = text.split_whitespace();
        let (Some(day), Some(time), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(err());
        };
        Ok(Self {
            weekday: parse_weekday(day).ok_or_else(err)?,
            time: parse_time(time).ok_or_else(err)?,
        })
    }
}

impl fmt::Display for WeeklySlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", short_french_name(self.weekday), self.time.format("%H:%M"))
    }
}

impl TryFrom<String> for WeeklySlot {
    type Error = SlotError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<WeeklySlot> for String {
    fn from(value: WeeklySlot) -> Self {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("mar 18:30", Weekday::Tue, 18, 30)]
    #[case("Mardi 18h30", Weekday::Tue, 18, 30)]
    #[case("sat 9h", Weekday::Sat, 9, 0)]
    #[case("dim. 10:05", Weekday::Sun, 10, 5)]
    fn slots_are_read_in_french_and_english(#[case] text: &str, #[case] day: Weekday, #[case] h: u32, #[case] m: u32) {
        let slot = WeeklySlot::parse(text).unwrap();
        assert_eq!(
            (slot.weekday, slot.time),
            (day, NaiveTime::from_hms_opt(h, m, 0).unwrap())
        );
    }

    #[rstest]
    #[case("mar")]
    #[case("18:30")]
    #[case("mar 25:00")]
    #[case("mar 18:30 extra")]
    #[case("foo 18:30")]
    #[case("mar 18:3a")]
    fn malformed_slots_are_refused_with_an_example(#[case] text: &str) {
        assert!(WeeklySlot::parse(text).unwrap_err().to_string().contains("mar 18:30"));
    }

    #[test]
    fn dates_and_times_read_as_chrono_writes_them() {
        use crate::domain::language::Language;
        use chrono::TimeZone;
        for (y, mo, d, h, mi) in [(2026, 3, 7, 9, 5), (2026, 12, 24, 18, 30), (2027, 1, 1, 0, 0)] {
            let at = chrono_tz::Europe::Paris.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap();
            let day = short_name(chrono::Datelike::weekday(&at), Language::Fr);
            assert_eq!(
                day_and_time(&at, Language::Fr),
                format!("{day} {}", at.format("%d/%m %H:%M"))
            );
            assert_eq!(hour_minute(&at), at.format("%H:%M").to_string());
        }
        let at = chrono::Utc.with_ymd_and_hms(2026, 3, 7, 9, 5, 0).unwrap();
        assert_eq!(day_and_time(&at, Language::En), "Sat 07/03 09:05");
    }

    proptest::proptest! {
        #[test]
        fn display_and_parse_round_trip(day in 0u8..7, h in 0u32..24, m in 0u32..60) {
            let slot = WeeklySlot {
                weekday: Weekday::try_from(day).unwrap(),
                time: NaiveTime::from_hms_opt(h, m, 0).unwrap(),
            };
            proptest::prop_assert_eq!(WeeklySlot::parse(&slot.to_string()).unwrap(), slot);
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,30}") {
            let _ = WeeklySlot::parse(&text);
        }
    }
}
