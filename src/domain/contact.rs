//! Contacts: the people who talk to a bot, with their identities on each channel, their lead
//! details (name, email, phone in E.164) and their marketing consent.

use crate::domain::ids::{BotId, ContactId};
use crate::domain::language::Language;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A chat channel a contact can reach the bot through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// Telegram Bot API.
    Telegram,
    /// WhatsApp through Twilio.
    Whatsapp,
    /// Discord.
    Discord,
    /// The web chat widget.
    Web,
    /// `coachbot chat` in a terminal.
    Terminal,
}

impl Channel {
    /// All channels, in a stable order.
    pub const ALL: [Channel; 5] = [Self::Telegram, Self::Whatsapp, Self::Discord, Self::Web, Self::Terminal];

    /// The lower-case name used in keys and settings.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Telegram => "telegram",
            Self::Whatsapp => "whatsapp",
            Self::Discord => "discord",
            Self::Web => "web",
            Self::Terminal => "terminal",
        }
    }
}

impl FromStr for Channel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown channel {s:?}; expected telegram, whatsapp, discord, web or terminal"))
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who a contact is on one channel: `telegram:123456`, `whatsapp:+33612345678`.
/// Written as one string so that stores can index it as a unique key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Identity {
    channel: Channel,
    external_id: String,
}

impl Identity {
    /// An identity on a channel; the external id is the platform's user id, number or visitor id.
    pub fn new(channel: Channel, external_id: impl Into<String>) -> Self {
        Self {
            channel,
            external_id: external_id.into(),
        }
    }

    /// The channel.
    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// The platform's own id for this person.
    pub fn external_id(&self) -> &str {
        &self.external_id
    }

    /// The `channel:id` key.
    pub fn key(&self) -> String {
        format!("{}:{}", self.channel, self.external_id)
    }
}

impl TryFrom<String> for Identity {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        let (channel, id) = value
            .split_once(':')
            .ok_or_else(|| format!("identity {value:?} is not channel:id"))?;
        if id.is_empty() {
            return Err(format!("identity {value:?} has an empty id"));
        }
        Ok(Self::new(channel.parse()?, id))
    }
}

impl From<Identity> for String {
    fn from(value: Identity) -> Self {
        value.key()
    }
}

/// A checked email address, stored in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// Why a text is not an email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an email address (expected something like marie@example.fr)")]
pub struct EmailError(pub String);

impl Email {
    /// Checks an address as typed by a person (surrounding spaces ignored; a domain with a dot required).
    pub fn parse(text: &str) -> Result<Self, EmailError> {
        let trimmed = text.trim();
        let options = email_address::Options::default()
            .with_required_tld()
            .without_domain_literal()
            .without_display_text();
        match email_address::EmailAddress::parse_with_options(trimmed, options) {
            Ok(address) => Ok(Self(address.as_str().to_lowercase())),
            Err(_) => Err(EmailError(trimmed.to_owned())),
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The country whose numbering plan applies to numbers typed without `+` (the bot's region).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region(phonenumber::country::Id);

/// Why a text is not a region code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a two-letter country code (expected something like FR, BE, CH)")]
pub struct RegionError(pub String);

impl Region {
    /// Reads a two-letter country code such as `FR`.
    pub fn parse(code: &str) -> Result<Self, RegionError> {
        code.trim()
            .to_ascii_uppercase()
            .parse()
            .map(Self)
            .map_err(|_| RegionError(code.to_owned()))
    }

    /// The two-letter code.
    pub fn code(&self) -> &str {
        self.0.as_ref()
    }
}

/// A phone number in E.164 form (`+33612345678`), checked against the numbering plan.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

/// Why a text is not a phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a valid phone number (expected something like 06 12 34 56 78 or +33 6 12 34 56 78)")]
pub struct PhoneError(pub String);

impl Phone {
    /// Reads a number as typed by a person; a number without `+` is read in the default region.
    pub fn parse(text: &str, region: Option<Region>) -> Result<Self, PhoneError> {
        let trimmed = text.trim();
        let trimmed = trimmed.strip_prefix("whatsapp:").unwrap_or(trimmed);
        let parsed = phonenumber::parse(region.map(|r| r.0), trimmed).map_err(|_| PhoneError(trimmed.to_owned()))?;
        if !parsed.is_valid() {
            return Err(PhoneError(trimmed.to_owned()));
        }
        Ok(Self(parsed.format().mode(phonenumber::Mode::E164).to_string()))
    }

    /// The E.164 form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Phone {
    type Error = PhoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value, None)
    }
}

impl From<Phone> for String {
    fn from(value: Phone) -> Self {
        value.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A contact's answer to the marketing-consent question, with when and where it was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// Whether the contact accepts marketing messages.
    pub marketing: bool,
    /// When the answer was given.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub at: DateTime<Utc>,
    /// The channel it was given on.
    pub source: Channel,
}

/// A person known to a bot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// The bot this contact belongs to.
    pub bot: BotId,
    /// The contact's id.
    pub id: ContactId,
    /// Who they are on each channel; each identity belongs to one contact of the bot.
    pub identities: Vec<Identity>,
    /// First name (or the name they gave).
    pub name: Option<String>,
    /// Checked email.
    pub email: Option<Email>,
    /// Checked phone number.
    pub phone: Option<Phone>,
    /// Marketing consent, once asked.
    pub consent: Option<Consent>,
    /// The contact's language, when known.
    pub language: Option<Language>,
    /// Free tags set by the coach or by campaigns.
    pub tags: Vec<String>,
    /// Short facts remembered across conversations.
    pub memory: Vec<String>,
    /// The contact wrote STOP: no messages they did not ask for (campaigns, offers) until START.
    #[serde(default)]
    pub opted_out: bool,
    /// When the contact was first seen.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created_at: DateTime<Utc>,
}

impl Contact {
    /// A new contact first seen on one channel.
    pub fn new(bot: BotId, identity: Identity, now: DateTime<Utc>) -> Self {
        Self {
            bot,
            id: ContactId::generate(),
            identities: vec![identity],
            name: None,
            email: None,
            phone: None,
            consent: None,
            language: None,
            tags: Vec::new(),
            memory: Vec::new(),
            opted_out: false,
            created_at: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn fr() -> Option<Region> {
        Some(Region::parse("FR").unwrap())
    }

    #[rstest]
    #[case("06 12 34 56 78", "+33612345678")]
    #[case("+33 6 12 34 56 78", "+33612345678")]
    #[case("0033612345678", "+33612345678")]
    #[case("whatsapp:+32470123456", "+32470123456")]
    #[case("  06.12.34.56.78 ", "+33612345678")]
    fn phone_numbers_are_stored_in_e164(#[case] input: &str, #[case] e164: &str) {
        assert_eq!(Phone::parse(input, fr()).unwrap().as_str(), e164);
    }

    #[rstest]
    #[case("12")]
    #[case("06 12")]
    #[case("hello")]
    #[case("")]
    #[case("+33 1")]
    fn invalid_phone_numbers_are_refused_with_an_example(#[case] input: &str) {
        let err = Phone::parse(input, fr()).unwrap_err();
        assert!(err.to_string().contains("06 12 34 56 78"));
    }

    #[test]
    fn a_national_number_needs_a_region() {
        assert!(Phone::parse("06 12 34 56 78", None).is_err());
        assert!(Phone::parse("+33612345678", None).is_ok());
    }

    #[rstest]
    #[case("Marie@Example.FR", Some("marie@example.fr"))]
    #[case(" paul.durand+yoga@studio.co.uk ", Some("paul.durand+yoga@studio.co.uk"))]
    #[case("marie@localhost", None)]
    #[case("marie", None)]
    #[case("Marie <marie@example.fr>", None)]
    #[case("", None)]
    fn emails_are_checked_and_lower_cased(#[case] input: &str, #[case] stored: Option<&str>) {
        assert_eq!(Email::parse(input).ok().as_ref().map(Email::as_str), stored);
    }

    #[test]
    fn identities_are_written_as_channel_and_id() {
        let id = Identity::new(Channel::Whatsapp, "+33612345678");
        assert_eq!(serde_json::to_string(&id).unwrap(), r#""whatsapp:+33612345678""#);
        let back: Identity = serde_json::from_str(r#""telegram:42""#).unwrap();
        assert_eq!(back, Identity::new(Channel::Telegram, "42"));
        assert!(serde_json::from_str::<Identity>(r#""fax:1""#).is_err());
        assert!(serde_json::from_str::<Identity>(r#""web:""#).is_err());
    }

    #[test]
    fn regions_are_two_letter_codes() {
        assert_eq!(Region::parse("be").unwrap().code(), "BE");
        assert!(Region::parse("France").is_err());
    }

    proptest::proptest! {
        #[test]
        fn phone_parsing_never_panics(text in "\\PC{0,40}") {
            let _ = Phone::parse(&text, fr());
        }

        #[test]
        fn email_parsing_never_panics(text in "\\PC{0,60}") {
            let _ = Email::parse(&text);
        }
    }
}

/// The web widget's lead form, as typed: checked with the chat's rules before anything is saved.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LeadForm {
    /// First name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// WhatsApp number.
    pub phone: String,
    /// Yes to marketing messages (the box ticked).
    pub consent: bool,
}

impl LeadForm {
    /// What was typed in a text field (`name`, `email` or `phone`), trimmed; empty for others.
    pub fn typed(&self, field: &str) -> &str {
        match field {
            "name" => self.name.trim(),
            "email" => self.email.trim(),
            "phone" => self.phone.trim(),
            _ => "",
        }
    }
}
