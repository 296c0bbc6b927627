//! Discounts: a percentage or an amount off a price. Percent discounts round the amount taken off
//! to the currency's minor unit, half up (12.345 € off → 12.35 € off); an amount discount never
//! makes a price negative.

use crate::domain::language::Language;
use crate::domain::money::{Currency, Money};
use serde::{Deserialize, Serialize};

/// What a code takes off the price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Discount {
    /// A percentage, 1 to 100.
    Percent {
        /// The percentage.
        percent: u8,
    },
    /// An amount in the bot's currency, in minor units.
    Amount {
        /// Minor units off.
        minor: i64,
    },
}

/// Why a text is not a discount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscountError {
    /// Written without the minus sign: `20%` instead of `-20%`.
    #[error("a discount starts with a minus sign: write {suggestion}")]
    MissingMinus {
        /// The same text with the minus.
        suggestion: String,
    },
    /// A percentage outside 1–100.
    #[error("a percentage goes from 1 to 100 (got {0})")]
    PercentOutOfRange(u64),
    /// Zero off.
    #[error("a discount must take something off")]
    Zero,
    /// Not a discount at all.
    #[error("{0:?} is not a discount; write -20% or -15")]
    Malformed(String),
}

impl Discount {
    /// Reads `-20%`, `-15€`, `-15`, `-12.50`, `-12,50 €`.
    pub fn parse(text: &str, currency: Currency) -> Result<Self, DiscountError> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let Some(body) = compact.strip_prefix('-') else {
            let looks_like_one = compact.chars().next().is_some_and(|c| c.is_ascii_digit());
            return Err(if looks_like_one {
                DiscountError::MissingMinus {
                    suggestion: format!("-{compact}"),
                }
            } else {
                DiscountError::Malformed(text.to_owned())
            });
        };
        if let Some(number) = body.strip_suffix('%') {
            let percent: u64 = number.parse().map_err(|_| DiscountError::Malformed(text.to_owned()))?;
            return match percent {
                0 => Err(DiscountError::Zero),
                1..=100 => Ok(Self::Percent { percent: percent as u8 }),
                _ => Err(DiscountError::PercentOutOfRange(percent)),
            };
        }
        let number = body
            .strip_suffix('€')
            .or_else(|| body.strip_suffix(currency.code()))
            .or_else(|| body.strip_suffix(&currency.code().to_lowercase()))
            .unwrap_or(body);
        let amount = Money::parse_decimal(number, currency).ok_or_else(|| DiscountError::Malformed(text.to_owned()))?;
        match amount.minor {
            0 => Err(DiscountError::Zero),
            minor => Ok(Self::Amount { minor }),
        }
    }

    /// The price after this discount, never below zero.
    pub fn apply(&self, price: Money) -> Money {
        let off = match *self {
            Self::Percent { percent } => {
                let scaled = i128::from(price.minor) * i128::from(percent);
                ((scaled + 50) / 100) as i64
            }
            Self::Amount { minor } => minor,
        };
        Money::new((price.minor - off).max(0), price.currency)
    }

    /// The discount as the coach writes it: `-20%`, `-15`, `-12.50`.
    pub fn to_command(&self, currency: Currency) -> String {
        match *self {
            Self::Percent { percent } => format!("-{percent}%"),
            Self::Amount { minor } => format!("-{}", Money::new(minor, currency).decimal()),
        }
    }

    /// The discount written for people: `-20 %` / `-15 €` in French, `-20%` / `-€15` in English.
    pub fn display(&self, currency: Currency, language: Language) -> String {
        match (*self, language) {
            (Self::Percent { percent }, Language::Fr) => format!("-{percent} %"),
            (Self::Percent { percent }, Language::En) => format!("-{percent}%"),
            (Self::Amount { minor }, _) => format!("-{}", Money::new(minor, currency).display(language)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::EUR)
    }

    #[rstest]
    #[case("-20%", Discount::Percent { percent: 20 })]
    #[case("-100%", Discount::Percent { percent: 100 })]
    #[case("-15€", Discount::Amount { minor: 1500 })]
    #[case("-15", Discount::Amount { minor: 1500 })]
    #[case("-12.50", Discount::Amount { minor: 1250 })]
    #[case("-12,5 €", Discount::Amount { minor: 1250 })]
    #[case("-7EUR", Discount::Amount { minor: 700 })]
    fn discounts_are_read_as_the_coach_writes_them(#[case] text: &str, #[case] expected: Discount) {
        assert_eq!(Discount::parse(text, Currency::EUR), Ok(expected));
    }

    #[rstest]
    #[case("20%", DiscountError::MissingMinus { suggestion: "-20%".into() })]
    #[case("15€", DiscountError::MissingMinus { suggestion: "-15€".into() })]
    #[case("-120%", DiscountError::PercentOutOfRange(120))]
    #[case("-0%", DiscountError::Zero)]
    #[case("-0", DiscountError::Zero)]
    #[case("-abc", DiscountError::Malformed("-abc".into()))]
    #[case("moins", DiscountError::Malformed("moins".into()))]
    #[case("-12.505", DiscountError::Malformed("-12.505".into()))]
    fn bad_discounts_say_what_is_wrong(#[case] text: &str, #[case] error: DiscountError) {
        assert_eq!(Discount::parse(text, Currency::EUR), Err(error));
    }

    #[rstest]
    #[case(Discount::Percent { percent: 20 }, 1800, 1440)]
    #[case(Discount::Percent { percent: 15 }, 999, 849)] // 149.85 off → 150 (half up)
    #[case(Discount::Percent { percent: 10 }, 1205, 1084)] // 120.5 off → 121 (half up)
    #[case(Discount::Percent { percent: 33 }, 1000, 670)]
    #[case(Discount::Percent { percent: 100 }, 7990, 0)]
    #[case(Discount::Amount { minor: 500 }, 1800, 1300)]
    #[case(Discount::Amount { minor: 5000 }, 1800, 0)] // never negative
    fn discounts_round_half_up_and_never_go_below_zero(#[case] d: Discount, #[case] price: i64, #[case] after: i64) {
        assert_eq!(d.apply(eur(price)), eur(after));
    }

    #[rstest]
    #[case(Discount::Percent { percent: 20 }, "-20%", "-20 %")]
    #[case(Discount::Amount { minor: 1500 }, "-15", "-15 €")]
    #[case(Discount::Amount { minor: 1250 }, "-12.50", "-12,50 €")]
    fn discounts_are_written_back_for_commands_and_people(
        #[case] d: Discount,
        #[case] command: &str,
        #[case] fr: &str,
    ) {
        assert_eq!(d.to_command(Currency::EUR), command);
        assert_eq!(d.display(Currency::EUR, Language::Fr), fr);
        assert_eq!(Discount::parse(command, Currency::EUR), Ok(d));
    }
}
