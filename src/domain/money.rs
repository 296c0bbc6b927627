//! Money in minor units (cents) with its currency. Never a float.

use crate::domain::language::Language;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A currency the bots can price in, with its number of minor digits (ISO 4217).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    minor_digits: u8,
    symbol: &'static str,
}

const CURRENCIES: &[Currency] = &[
    Currency {
        code: "EUR",
        minor_digits: 2,
        symbol: "€",
    },
    Currency {
        code: "CHF",
        minor_digits: 2,
        symbol: "CHF",
    },
    Currency {
        code: "GBP",
        minor_digits: 2,
        symbol: "£",
    },
    Currency {
        code: "USD",
        minor_digits: 2,
        symbol: "$",
    },
    Currency {
        code: "CAD",
        minor_digits: 2,
        symbol: "$",
    },
    Currency {
        code: "MAD",
        minor_digits: 2,
        symbol: "MAD",
    },
    Currency {
        code: "XOF",
        minor_digits: 0,
        symbol: "FCFA",
    },
    Currency {
        code: "XPF",
        minor_digits: 0,
        symbol: "F",
    },
    Currency {
        code: "JPY",
        minor_digits: 0,
        symbol: "¥",
    },
];

/// Why a text is not a supported currency.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported currency {0:?}; expected one of EUR, CHF, GBP, USD, CAD, MAD, XOF, XPF, JPY")]
pub struct CurrencyError(pub String);

impl Currency {
    /// The euro, the default currency of a bot.
    pub const EUR: Currency = CURRENCIES[0];

    /// Reads an ISO 4217 code, case-insensitively.
    pub fn parse(code: &str) -> Result<Self, CurrencyError> {
        CURRENCIES
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code.trim()))
            .copied()
            .ok_or_else(|| CurrencyError(code.to_owned()))
    }

    /// The ISO 4217 code.
    pub fn code(self) -> &'static str {
        self.code
    }

    /// How many digits the minor unit has (2 for cents, 0 for yen).
    pub fn minor_digits(self) -> u8 {
        self.minor_digits
    }

    /// How many minor units make one major unit.
    pub fn minor_per_major(self) -> i64 {
        10_i64.pow(u32::from(self.minor_digits))
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Self::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// An amount of money: an integer count of minor units in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Minor units (cents for EUR).
    pub minor: i64,
    /// The currency.
    pub currency: Currency,
}

impl Money {
    /// An amount in minor units.
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Zero in a currency.
    pub fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    /// Reads a decimal amount typed by a person: `15`, `12.50`, `12,5`. At most the currency's minor
    /// digits after the separator; no sign.
    pub fn parse_decimal(text: &str, currency: Currency) -> Option<Self> {
        let text = text.trim();
        let (whole, frac) = match text.split_once(['.', ',']) {
            Some((w, f)) => (w, f),
            None => (text, ""),
        };
        let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits_ok(whole) || !digits_ok(frac) {
            return None;
        }
        let minor_digits = usize::from(currency.minor_digits);
        if frac.len() > minor_digits || (text.contains(['.', ',']) && frac.is_empty()) {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let frac_padded = format!("{frac:0<minor_digits$}");
        let frac: i64 = if minor_digits == 0 {
            0
        } else {
            frac_padded.parse().ok()?
        };
        let minor = whole.checked_mul(currency.minor_per_major())?.checked_add(frac)?;
        Some(Self::new(minor, currency))
    }

    /// The amount as typed in a command: `15`, `12.50` (no symbol, a dot, no sign).
    pub fn decimal(&self) -> String {
        let per = self.currency.minor_per_major();
        let digits = usize::from(self.currency.minor_digits);
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let (whole, frac) = (abs / per.unsigned_abs(), abs % per.unsigned_abs());
        if frac == 0 {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole}.{frac:0digits$}")
        }
    }

    /// The amount written for people: `12,50 €` in French, `€12.50` in English.
    pub fn display(&self, language: Language) -> String {
        let per = self.currency.minor_per_major();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let whole = abs / per.unsigned_abs();
        let frac = abs % per.unsigned_abs();
        let digits = usize::from(self.currency.minor_digits);
        let (sep, number) = match language {
            Language::Fr => (",", whole.to_string()),
            Language::En => (".", whole.to_string()),
        };
        let amount = if digits == 0 || frac == 0 {
            number
        } else {
            format!("{number}{sep}{frac:0digits$}")
        };
        match language {
            Language::Fr => format!("{sign}{amount} {}", self.currency.symbol),
            Language::En if self.currency.symbol.chars().count() == 1 => {
                format!("{sign}{}{amount}", self.currency.symbol)
            }
            Language::En => format!("{sign}{amount} {}", self.currency.symbol),
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display(Language::Fr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(1250, Language::Fr, "12,50 €")]
    #[case(1200, Language::Fr, "12 €")]
    #[case(1205, Language::En, "€12.05")]
    #[case(-300, Language::Fr, "-3 €")]
    #[case(0, Language::En, "€0")]
    fn amounts_are_written_the_local_way(#[case] minor: i64, #[case] lang: Language, #[case] text: &str) {
        assert_eq!(Money::new(minor, Currency::EUR).display(lang), text);
    }

    #[rstest]
    #[case("15", Some(1500))]
    #[case("12.50", Some(1250))]
    #[case("12,5", Some(1250))]
    #[case("0,05", Some(5))]
    #[case("12.", None)]
    #[case("12.505", None)]
    #[case("-3", None)]
    #[case("abc", None)]
    #[case("", None)]
    fn decimal_amounts_are_read_in_minor_units(#[case] text: &str, #[case] minor: Option<i64>) {
        assert_eq!(Money::parse_decimal(text, Currency::EUR).map(|m| m.minor), minor);
    }

    #[test]
    fn zero_digit_currencies_refuse_decimals() {
        let xof = Currency::parse("xof").unwrap();
        assert_eq!(Money::parse_decimal("500", xof).map(|m| m.minor), Some(500));
        assert_eq!(Money::parse_decimal("5.5", xof), None);
        assert_eq!(Money::new(5000, xof).display(Language::Fr), "5000 FCFA");
    }

    #[test]
    fn unknown_currencies_are_refused_with_the_list() {
        let err = Currency::parse("BTC").unwrap_err();
        assert!(err.to_string().contains("EUR"));
    }

    #[test]
    fn currency_round_trips_through_json() {
        let m = Money::new(990, Currency::EUR);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"minor":990,"currency":"EUR"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
    }
}
