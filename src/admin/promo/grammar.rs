//! The `/promo` and `/promos` grammar: words in, a `PromoCommand` out, and back to words
//! (`Display`), so that every command round-trips. The option table drives the parser and `/promo aide`.

use super::super::error::CommandError;
use super::super::tokens::quote;
use crate::domain::BatchId;
use crate::domain::contact::{Email, Phone, Region};
use crate::domain::dates::DaySpec;
use crate::domain::money::{Currency, Money};
use crate::domain::promo::{Discount, code};
use chrono::NaiveDate;
use std::fmt;

/// What the parser needs to know about the bot and the moment.
#[derive(Debug, Clone, Copy)]
pub struct ParseContext {
    /// Today in the bot's time zone (dates without a year, dates in the past).
    pub today: NaiveDate,
    /// The bot's currency (amounts).
    pub currency: Currency,
    /// The bot's region (phone numbers without `+`).
    pub region: Region,
    /// Most codes one command may create here.
    pub max_codes: u32,
}

/// The options of `/promo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Opt {
    /// `exp:`
    Expires,
    /// `debut:`
    Starts,
    /// `max:`
    MaxUses,
    /// `par-client:`
    PerContact,
    /// `offre:`
    Offers,
    /// `cours:`
    Courses,
    /// `min:`
    Min,
    /// `prefix:`
    Prefix,
    /// `len:`
    Len,
    /// `pour:`
    For,
    /// `note:`
    Note,
}

/// One option: its names (French first), an example and its help message id.
#[derive(Debug)]
pub struct OptionSpec {
    /// The option.
    pub opt: Opt,
    /// Names accepted; the first is the one written back.
    pub names: &'static [&'static str],
    /// An example.
    pub example: &'static str,
    /// The catalog message explaining it.
    pub help: &'static str,
}

/// Every option of `/promo`, in the order commands are written back.
pub const OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        opt: Opt::Expires,
        names: &["exp"],
        example: "exp:31/12",
        help: "promo-help-exp",
    },
    OptionSpec {
        opt: Opt::Starts,
        names: &["debut", "début", "start"],
        example: "debut:01/12",
        help: "promo-help-start",
    },
    OptionSpec {
        opt: Opt::MaxUses,
        names: &["max"],
        example: "max:1",
        help: "promo-help-max",
    },
    OptionSpec {
        opt: Opt::PerContact,
        names: &["par-client", "per-contact"],
        example: "par-client:1",
        help: "promo-help-per-contact",
    },
    OptionSpec {
        opt: Opt::Offers,
        names: &["offre", "offer"],
        example: "offre:pack10",
        help: "promo-help-offer",
    },
    OptionSpec {
        opt: Opt::Courses,
        names: &["cours", "course"],
        example: "cours:yoga-doux",
        help: "promo-help-course",
    },
    OptionSpec {
        opt: Opt::Min,
        names: &["min"],
        example: "min:30",
        help: "promo-help-min",
    },
    OptionSpec {
        opt: Opt::Prefix,
        names: &["prefix", "prefixe", "préfixe"],
        example: "prefix:NOEL",
        help: "promo-help-prefix",
    },
    OptionSpec {
        opt: Opt::Len,
        names: &["len", "longueur"],
        example: "len:10",
        help: "promo-help-len",
    },
    OptionSpec {
        opt: Opt::For,
        names: &["pour", "for"],
        example: "pour:+33612345678",
        help: "promo-help-for",
    },
    OptionSpec {
        opt: Opt::Note,
        names: &["note"],
        example: "note:\"Salon du bien-être\"",
        help: "promo-help-note",
    },
];

fn spec(opt: Opt) -> &'static OptionSpec {
    OPTIONS
        .iter()
        .find(|s| s.opt == opt)
        .expect("every option is in the table")
}

/// Who a code is reserved for, as the coach wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ContactRef {
    /// By phone number.
    Phone(Phone),
    /// By email.
    Email(Email),
}

impl fmt::Display for ContactRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Phone(phone) => f.write_str(phone.as_str()),
            Self::Email(email) => f.write_str(email.as_str()),
        }
    }
}

/// Changes to the terms of codes (each `None` leaves that term alone).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TermChanges {
    /// Discount.
    pub discount: Option<Discount>,
    /// End date.
    pub expires: Option<DaySpec>,
    /// Start date.
    pub starts: Option<DaySpec>,
    /// Uses per code (0: unlimited).
    pub max_uses: Option<u32>,
    /// Uses per contact (0: unlimited).
    pub per_contact: Option<u32>,
    /// Offer ids it is limited to.
    pub offers: Option<Vec<String>>,
    /// Course ids it is limited to.
    pub courses: Option<Vec<String>>,
    /// Minimum amount in minor units.
    pub min_amount: Option<i64>,
}

impl TermChanges {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// `/promo COUNT DISCOUNT [options]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generate {
    /// How many codes.
    pub count: u32,
    /// Their terms (the discount is always set).
    pub terms: TermChanges,
    /// Prefix of the codes.
    pub prefix: Option<String>,
    /// Length of the random part.
    pub len: Option<u8>,
    /// Who they are reserved for.
    pub assign: Option<ContactRef>,
    /// A note.
    pub note: Option<String>,
}

/// `on`, `off` or `suppr` on one code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Switch {
    /// Usable again.
    On,
    /// Disabled.
    Off,
    /// Deleted (only when never used).
    Delete,
}

/// `/promo CODE [changes]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditCode {
    /// The code as typed (matched by key).
    pub code: String,
    /// Term changes.
    pub terms: TermChanges,
    /// New assignment.
    pub assign: Option<ContactRef>,
    /// On, off or delete.
    pub switch: Option<Switch>,
}

/// A promo command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromoCommand {
    /// Create codes.
    Generate(Generate),
    /// `/promo aide`.
    Help,
    /// Change one code.
    EditCode(EditCode),
    /// `/promo lot LOT [changes]`: change a batch's terms (codes with their own value keep it).
    EditBatch {
        /// The batch.
        batch: BatchId,
        /// The changes.
        terms: TermChanges,
    },
    /// `/promos`.
    ListBatches,
    /// `/promos LOT`.
    ListCodes(BatchId),
    /// `/promos LOT csv`.
    Export(BatchId),
}

/// Reads the words after `/promo`.
pub fn parse_promo(words: &[String], ctx: &ParseContext) -> Result<PromoCommand, CommandError> {
    let usage = CommandError::Usage { command: "promo" };
    let Some(first) = words.first() else { return Err(usage) };
    let lower = first.to_lowercase();
    if matches!(lower.as_str(), "aide" | "help" | "?") && words.len() == 1 {
        return Ok(PromoCommand::Help);
    }
    if matches!(lower.as_str(), "lot" | "batch") {
        let Some(batch) = words.get(1) else { return Err(usage) };
        let parsed = parse_options(&words[2..], ctx)?;
        reject_create_only(&parsed)?;
        if parsed.assign.is_some() || parsed.switch.is_some() {
            return Err(CommandError::Unexpected {
                word: words[2..].join(" "),
            });
        }
        if parsed.terms.is_empty() {
            return Err(usage);
        }
        return Ok(PromoCommand::EditBatch {
            batch: BatchId::typed(batch),
            terms: parsed.terms,
        });
    }
    if first.bytes().all(|b| b.is_ascii_digit()) {
        let count: u64 = first.parse().map_err(|_| CommandError::Count { got: first.clone() })?;
        if count == 0 {
            return Err(CommandError::Count { got: first.clone() });
        }
        if count > u64::from(ctx.max_codes) {
            return Err(CommandError::CountOverLimit {
                got: count,
                limit: ctx.max_codes,
            });
        }
        let parsed = parse_options(&words[1..], ctx)?;
        if parsed.terms.discount.is_none() {
            return Err(CommandError::MissingDiscount);
        }
        if let Some(switch) = parsed.switch_word {
            return Err(CommandError::Unexpected { word: switch });
        }
        return Ok(PromoCommand::Generate(Generate {
            count: count as u32,
            terms: parsed.terms,
            prefix: parsed.prefix,
            len: parsed.len,
            assign: parsed.assign,
            note: parsed.note,
        }));
    }
    if first.starts_with('-') || first.ends_with('%') {
        return Err(CommandError::Count { got: first.clone() });
    }
    let parsed = parse_options(&words[1..], ctx)?;
    reject_create_only(&parsed)?;
    let parsed_switch_word = parsed.switch_word.clone();
    let edit = EditCode {
        code: code::key(first),
        terms: parsed.terms,
        assign: parsed.assign,
        switch: parsed.switch,
    };
    if edit.switch == Some(Switch::Delete) && (!edit.terms.is_empty() || edit.assign.is_some()) {
        let others: Vec<&str> = words[1..]
            .iter()
            .map(String::as_str)
            .filter(|w| Some(*w) != parsed_switch_word.as_deref())
            .collect();
        return Err(CommandError::Conflicting {
            first: "suppr".into(),
            second: others.join(" "),
        });
    }
    if edit.terms.is_empty() && edit.assign.is_none() && edit.switch.is_none() {
        return Err(usage);
    }
    Ok(PromoCommand::EditCode(edit))
}

/// Reads the words after `/promos`.
pub fn parse_promos(words: &[String]) -> Result<PromoCommand, CommandError> {
    match words {
        [] => Ok(PromoCommand::ListBatches),
        [batch] => Ok(PromoCommand::ListCodes(BatchId::typed(batch))),
        [batch, csv] if csv.eq_ignore_ascii_case("csv") => Ok(PromoCommand::Export(BatchId::typed(batch))),
        _ => Err(CommandError::Usage { command: "promos" }),
    }
}

#[derive(Default)]
struct Parsed {
    terms: TermChanges,
    prefix: Option<String>,
    len: Option<u8>,
    assign: Option<ContactRef>,
    note: Option<String>,
    switch: Option<Switch>,
    switch_word: Option<String>,
    seen: Vec<Opt>,
}

fn reject_create_only(parsed: &Parsed) -> Result<(), CommandError> {
    for opt in [Opt::Prefix, Opt::Len, Opt::Note] {
        if parsed.seen.contains(&opt) {
            return Err(CommandError::OnlyWhenCreating {
                option: spec(opt).names[0].to_owned(),
            });
        }
    }
    Ok(())
}

fn parse_options(words: &[String], ctx: &ParseContext) -> Result<Parsed, CommandError> {
    let mut parsed = Parsed::default();
    for word in words {
        let option = word
            .split_once(':')
            .filter(|(name, _)| !name.is_empty() && name.chars().all(|c| c.is_alphabetic() || c == '-'));
        let Some((name, value)) = option else {
            if word.starts_with('-') || word.ends_with('%') || word.ends_with('€') {
                if parsed.terms.discount.is_some() {
                    return Err(CommandError::DuplicateOption { name: word.clone() });
                }
                parsed.terms.discount = Some(Discount::parse(word, ctx.currency).map_err(CommandError::Discount)?);
                continue;
            }
            let switch = match word.to_lowercase().as_str() {
                "on" | "activer" => Switch::On,
                "off" | "desactiver" | "désactiver" => Switch::Off,
                "suppr" | "supprimer" | "delete" => Switch::Delete,
                _ if word.bytes().all(|b| b.is_ascii_digit()) => {
                    return Err(CommandError::Discount(
                        crate::domain::promo::DiscountError::MissingMinus {
                            suggestion: format!("-{word}"),
                        },
                    ));
                }
                _ => return Err(CommandError::Unexpected { word: word.clone() }),
            };
            if let Some(previous) = parsed.switch_word.replace(word.clone()) {
                return Err(CommandError::Conflicting {
                    first: previous,
                    second: word.clone(),
                });
            }
            parsed.switch = Some(switch);
            continue;
        };
        let lower = name.to_lowercase();
        let Some(option) = OPTIONS.iter().find(|s| s.names.contains(&lower.as_str())) else {
            return Err(CommandError::UnknownOption {
                name: name.to_owned(),
                suggestion: closest(&lower),
            });
        };
        if parsed.seen.contains(&option.opt) {
            return Err(CommandError::DuplicateOption { name: name.to_owned() });
        }
        parsed.seen.push(option.opt);
        let value = value.trim();
        if value.is_empty() {
            return Err(CommandError::EmptyValue { name: name.to_owned() });
        }
        read_option(option.opt, name, value, ctx, &mut parsed)?;
    }
    Ok(parsed)
}

fn read_option(opt: Opt, name: &str, value: &str, ctx: &ParseContext, parsed: &mut Parsed) -> Result<(), CommandError> {
    let number = || {
        value.parse::<u32>().map_err(|_| CommandError::Number {
            option: name.into(),
            got: value.into(),
        })
    };
    let date = || {
        DaySpec::parse(value, ctx.today).map_err(|error| CommandError::Date {
            option: name.into(),
            error,
        })
    };
    let ids = || {
        value
            .split(',')
            .map(|id| id.trim().to_lowercase())
            .filter(|id| !id.is_empty())
            .collect()
    };
    match opt {
        Opt::Expires => parsed.terms.expires = Some(date()?),
        Opt::Starts => parsed.terms.starts = Some(date()?),
        Opt::MaxUses => parsed.terms.max_uses = Some(number()?),
        Opt::PerContact => parsed.terms.per_contact = Some(number()?),
        Opt::Offers => parsed.terms.offers = Some(ids()),
        Opt::Courses => parsed.terms.courses = Some(ids()),
        Opt::Min => {
            let amount = Money::parse_decimal(value.trim_end_matches('€'), ctx.currency).ok_or_else(|| {
                CommandError::Amount {
                    option: name.into(),
                    got: value.into(),
                }
            })?;
            parsed.terms.min_amount = Some(amount.minor);
        }
        Opt::Prefix => {
            parsed.prefix = Some(code::parse_prefix(value).map_err(|_| CommandError::Prefix { got: value.into() })?);
        }
        Opt::Len => {
            let len = value.parse::<u8>().ok().filter(|l| code::LEN_RANGE.contains(l));
            parsed.len = Some(len.ok_or_else(|| CommandError::Length { got: value.into() })?);
        }
        Opt::For => {
            let contact = if value.contains('@') {
                Email::parse(value).map(ContactRef::Email).ok()
            } else {
                Phone::parse(value, Some(ctx.region)).map(ContactRef::Phone).ok()
            };
            parsed.assign = Some(contact.ok_or_else(|| CommandError::Contact { got: value.into() })?);
        }
        Opt::Note => parsed.note = Some(value.to_owned()),
    }
    Ok(())
}

/// The known option name closest to a mistyped one, when it is close enough to be meant.
fn closest(name: &str) -> Option<&'static str> {
    let candidates = OPTIONS
        .iter()
        .flat_map(|s| s.names.iter().map(move |n| (s.names[0], *n)));
    let (best, score) = candidates
        .map(|(primary, n)| {
            let prefix_bonus = if n.starts_with(name) || name.starts_with(n) {
                0.1
            } else {
                0.0
            };
            (primary, strsim::jaro_winkler(name, n) + prefix_bonus)
        })
        .fold(("", 0.0), |best, c| if c.1 > best.1 { c } else { best });
    (score >= 0.8).then_some(best)
}

fn write_terms(f: &mut fmt::Formatter<'_>, terms: &TermChanges, currency: Currency) -> fmt::Result {
    if let Some(discount) = terms.discount {
        write!(f, " {}", discount.to_command(currency))?;
    }
    let name = |opt| spec(opt).names[0];
    if let Some(d) = terms.expires {
        write!(f, " {}:{d}", name(Opt::Expires))?;
    }
    if let Some(d) = terms.starts {
        write!(f, " {}:{d}", name(Opt::Starts))?;
    }
    if let Some(n) = terms.max_uses {
        write!(f, " {}:{n}", name(Opt::MaxUses))?;
    }
    if let Some(n) = terms.per_contact {
        write!(f, " {}:{n}", name(Opt::PerContact))?;
    }
    if let Some(ids) = &terms.offers {
        write!(f, " {}:{}", name(Opt::Offers), ids.join(","))?;
    }
    if let Some(ids) = &terms.courses {
        write!(f, " {}:{}", name(Opt::Courses), ids.join(","))?;
    }
    if let Some(min) = terms.min_amount {
        write!(f, " {}:{}", name(Opt::Min), Money::new(min, currency).decimal())?;
    }
    Ok(())
}

/// A command written back as the coach would type it, in the bot's currency.
pub struct CommandText<'a>(pub &'a PromoCommand, pub Currency);

impl fmt::Display for CommandText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let currency = self.1;
        match self.0 {
            PromoCommand::Help => f.write_str("/promo aide"),
            PromoCommand::ListBatches => f.write_str("/promos"),
            PromoCommand::ListCodes(batch) => write!(f, "/promos {batch}"),
            PromoCommand::Export(batch) => write!(f, "/promos {batch} csv"),
            PromoCommand::EditBatch { batch, terms } => {
                write!(f, "/promo lot {batch}")?;
                write_terms(f, terms, currency)
            }
            PromoCommand::Generate(g) => {
                write!(f, "/promo {}", g.count)?;
                write_terms(f, &g.terms, currency)?;
                if let Some(prefix) = &g.prefix {
                    write!(f, " {}:{prefix}", spec(Opt::Prefix).names[0])?;
                }
                if let Some(len) = g.len {
                    write!(f, " {}:{len}", spec(Opt::Len).names[0])?;
                }
                if let Some(who) = &g.assign {
                    write!(f, " {}:{who}", spec(Opt::For).names[0])?;
                }
                if let Some(note) = &g.note {
                    write!(f, " {}:{}", spec(Opt::Note).names[0], quote(note))?;
                }
                Ok(())
            }
            PromoCommand::EditCode(edit) => {
                write!(f, "/promo {}", edit.code)?;
                write_terms(f, &edit.terms, currency)?;
                if let Some(who) = &edit.assign {
                    write!(f, " {}:{who}", spec(Opt::For).names[0])?;
                }
                match edit.switch {
                    Some(Switch::On) => f.write_str(" on"),
                    Some(Switch::Off) => f.write_str(" off"),
                    Some(Switch::Delete) => f.write_str(" suppr"),
                    None => Ok(()),
                }
            }
        }
    }
}
