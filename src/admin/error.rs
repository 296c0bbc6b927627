//! What can be wrong with a coach command. Each error renders as one line saying what is wrong,
//! then a valid example, in the coach's language.

use crate::domain::dates::DateError;
use crate::domain::language::Language;
use crate::domain::promo::DiscountError;
use crate::i18n::Texts;
use crate::t;

/// A command that cannot be run as typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// Not a command of this bot.
    #[error("unknown command /{name}")]
    UnknownCommand {
        /// The command typed.
        name: String,
    },
    /// The words do not form the command.
    #[error("usage of /{command}")]
    Usage {
        /// The command.
        command: &'static str,
    },
    /// The count is not a whole number above zero.
    #[error("bad count {got:?}")]
    Count {
        /// What was typed.
        got: String,
    },
    /// More codes than allowed at once.
    #[error("count {got} over the limit {limit}")]
    CountOverLimit {
        /// The count asked.
        got: u64,
        /// The limit here.
        limit: u32,
    },
    /// No discount given.
    #[error("missing discount")]
    MissingDiscount,
    /// The discount is wrong.
    #[error("bad discount: {0}")]
    Discount(DiscountError),
    /// An option name nobody knows.
    #[error("unknown option {name}")]
    UnknownOption {
        /// As typed.
        name: String,
        /// The closest known option.
        suggestion: Option<&'static str>,
    },
    /// The same option twice.
    #[error("option {name} given twice")]
    DuplicateOption {
        /// The option.
        name: String,
    },
    /// `option:` with nothing after.
    #[error("option {name} has no value")]
    EmptyValue {
        /// The option.
        name: String,
    },
    /// A date that is wrong or past.
    #[error("bad date for {option}: {error}")]
    Date {
        /// The option.
        option: String,
        /// What is wrong.
        error: DateError,
    },
    /// A number that is not one.
    #[error("bad number for {option}: {got:?}")]
    Number {
        /// The option.
        option: String,
        /// What was typed.
        got: String,
    },
    /// An amount that is not one.
    #[error("bad amount for {option}: {got:?}")]
    Amount {
        /// The option.
        option: String,
        /// What was typed.
        got: String,
    },
    /// A prefix with other characters than A–Z and 0–9, or too long.
    #[error("bad prefix {got:?}")]
    Prefix {
        /// What was typed.
        got: String,
    },
    /// A code length outside 6–16.
    #[error("bad length {got:?}")]
    Length {
        /// What was typed.
        got: String,
    },
    /// Neither a phone number nor an email.
    #[error("bad contact {got:?}")]
    Contact {
        /// What was typed.
        got: String,
    },
    /// An option that only makes sense when creating codes.
    #[error("option {option} only when creating codes")]
    OnlyWhenCreating {
        /// The option.
        option: String,
    },
    /// Two words that contradict each other.
    #[error("{first} and {second} together")]
    Conflicting {
        /// One.
        first: String,
        /// The other.
        second: String,
    },
    /// A word that has no place here.
    #[error("unexpected {word:?}")]
    Unexpected {
        /// The word.
        word: String,
    },
    /// A quote opened and never closed.
    #[error("unbalanced quote")]
    UnbalancedQuote,
    /// `/cours ajouter` without a name, a slot, a duration or a capacity.
    #[error("new course without its {field}")]
    CourseMissing {
        /// `name`, `slot`, `duration` or `capacity`.
        field: &'static str,
    },
    /// `/apparence` with a value that cannot be used.
    #[error("appearance: {0}")]
    Appearance(crate::domain::appearance::AppearanceError),
    /// `/cours ajouter` with a word that is none of those.
    #[error("new course: unexpected {got:?}")]
    CourseWord {
        /// The word.
        got: String,
    },
}

impl CommandError {
    /// The error in the coach's language, then a valid example.
    pub fn render(&self, texts: &Texts, language: Language) -> String {
        let line = match self {
            Self::UnknownCommand { name } => t!(texts, language, "admin-error-unknown-command", "name" => name),
            Self::Usage { command } => t!(texts, language, "admin-error-usage", "command" => *command),
            Self::Count { got } => t!(texts, language, "promo-error-count", "got" => got),
            Self::CountOverLimit { got, limit } => {
                t!(texts, language, "promo-error-count-limit", "got" => *got, "limit" => *limit)
            }
            Self::MissingDiscount => t!(texts, language, "promo-error-missing-discount"),
            Self::Discount(DiscountError::MissingMinus { suggestion }) => {
                t!(texts, language, "promo-error-missing-minus", "suggestion" => suggestion)
            }
            Self::Discount(DiscountError::PercentOutOfRange(got)) => {
                t!(texts, language, "promo-error-percent", "got" => *got)
            }
            Self::Discount(DiscountError::Zero) => t!(texts, language, "promo-error-zero"),
            Self::Discount(DiscountError::Malformed(got)) => t!(texts, language, "promo-error-discount", "got" => got),
            Self::UnknownOption {
                name,
                suggestion: Some(s),
            } => {
                t!(texts, language, "admin-error-unknown-option-suggest", "name" => name, "suggestion" => *s)
            }
            Self::UnknownOption { name, suggestion: None } => {
                t!(texts, language, "admin-error-unknown-option", "name" => name)
            }
            Self::DuplicateOption { name } => t!(texts, language, "admin-error-duplicate-option", "name" => name),
            Self::EmptyValue { name } => t!(texts, language, "admin-error-empty-value", "name" => name),
            Self::Date {
                option,
                error: DateError::Invalid(got),
            } => {
                t!(texts, language, "admin-error-date", "option" => option, "got" => got)
            }
            Self::Date {
                option,
                error: DateError::InPast(day),
            } => {
                let day = day.format("%d/%m/%Y").to_string();
                t!(texts, language, "admin-error-date-past", "option" => option, "date" => day)
            }
            Self::Number { option, got } => t!(texts, language, "admin-error-number", "option" => option, "got" => got),
            Self::Amount { option, got } => t!(texts, language, "admin-error-amount", "option" => option, "got" => got),
            Self::Prefix { got } => t!(texts, language, "promo-error-prefix", "got" => got),
            Self::Length { got } => t!(texts, language, "promo-error-length", "got" => got),
            Self::Contact { got } => t!(texts, language, "admin-error-contact", "got" => got),
            Self::OnlyWhenCreating { option } => t!(texts, language, "promo-error-only-create", "option" => option),
            Self::Conflicting { first, second } => {
                t!(texts, language, "admin-error-conflicting", "first" => first, "second" => second)
            }
            Self::Unexpected { word } => t!(texts, language, "admin-error-unexpected", "word" => word),
            Self::UnbalancedQuote => t!(texts, language, "admin-error-quote"),
            Self::CourseMissing { field } => t!(texts, language, "course-add-missing", "field" => *field),
            Self::CourseWord { got } => t!(texts, language, "course-add-word", "got" => got),
            Self::Appearance(error) => super::appearance::error_text(error, (texts, language)),
        };
        format!(
            "{line}\n{}",
            t!(texts, language, "admin-example", "example" => self.example())
        )
    }

    /// A valid command close to what was meant.
    pub fn example(&self) -> &'static str {
        match self {
            Self::UnknownCommand { .. } => "/aide",
            Self::Usage { command: "promos" } => "/promos K7Q2M csv",
            Self::Usage { command: "checkin" } => "/checkin demo.AbC…",
            Self::Usage { command: "resas" } => "/resas demain",
            Self::Usage { command: "resa" } => "/resa K7Q2MX annuler",
            Self::Usage { command: "repondre" } => "/repondre +33612345678 Bonjour, oui il reste de la place !",
            Self::Usage { command: "cours" } => "/cours pilates annuler 30/11",
            Self::Usage { command: "apparence" } | Self::Appearance(_) => "/apparence couleur #ff6600",
            Self::CourseMissing { .. } | Self::CourseWord { .. } => {
                r#"/cours ajouter "Yoga doux" mar 18:30 60min 12places"#
            }
            Self::UnknownOption {
                suggestion: Some(_), ..
            }
            | Self::Date { .. } => "/promo 10 -20% exp:31/12",
            Self::Prefix { .. } | Self::Length { .. } => "/promo 50 -10% prefix:NOEL len:8",
            Self::Contact { .. } => "/promo 1 -25% pour:+33612345678",
            Self::Conflicting { .. } | Self::OnlyWhenCreating { .. } => "/promo NOEL-7KQ2M9XT off",
            Self::Amount { .. } => "/promo 10 -5€ min:30",
            _ => "/promo 10 -20%",
        }
    }
}
