//! Bot files (`bots/*.toml`): one per business, with its language, time zone, currency, coach
//! identities, appearance, channels (and the *names* of the environment variables holding their
//! secrets) and a seed catalog of courses and offers.

use super::ConfigError;
use crate::domain::booking::BookingPolicy;
use crate::domain::catalog::{Course, Offer, OfferKind};
use crate::domain::contact::{Phone, Region};
use crate::domain::language::Language;
use crate::domain::money::{Currency, Money};
use crate::domain::slot::WeeklySlot;
use crate::domain::{BotId, CourseId, OfferId};
use secrecy::SecretString;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// A bot as loaded and checked.
#[derive(Debug, Clone)]
pub struct Bot {
    /// The bot id (scopes every record).
    pub id: BotId,
    /// The business's name.
    pub name: String,
    /// Default language of its contacts.
    pub language: Language,
    /// Time zone of its schedule.
    pub time_zone: chrono_tz::Tz,
    /// Currency of its prices.
    pub currency: Currency,
    /// Region for phone numbers typed without `+`.
    pub phone_region: Region,
    /// Who the coach is on each channel.
    pub coach: CoachIdentities,
    /// Look of the widget and the PWA manifest.
    pub appearance: Appearance,
    /// Channel settings and secrets.
    pub channels: Channels,
    /// Key signing ticket tokens; `None` when its variable is not set.
    pub ticket_key: Option<SecretString>,
    /// Promo code policies.
    pub promo: PromoPolicy,
    /// Booking windows, holds and cancellation.
    pub booking: BookingPolicy,
    /// Seed courses.
    pub courses: Vec<Course>,
    /// Seed offers.
    pub offers: Vec<Offer>,
    /// This bot's own model settings, over the service's `[agent]`.
    pub agent: BotAgent,
}

/// A bot's `[agent]`: off for this bot, or another model, server, key or temperature.
#[derive(Debug, Clone)]
pub struct BotAgent {
    /// Whether the agent answers this bot's visitors (when one is configured).
    pub enabled: bool,
    /// Another OpenAI-compatible server.
    pub base_url: Option<url::Url>,
    /// Another model.
    pub model: Option<String>,
    /// Another key (from the variable the file names).
    pub api_key: Option<SecretString>,
    /// Another temperature.
    pub temperature: Option<f32>,
}

impl Default for BotAgent {
    fn default() -> Self {
        Self {
            enabled: true,
            base_url: None,
            model: None,
            api_key: None,
            temperature: None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BotAgentFile {
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default)]
    base_url: Option<url::Url>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    api_key_env: Option<String>,
    #[serde(default)]
    temperature: Option<f32>,
}

/// How promo codes behave for this bot.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromoPolicy {
    /// Whether cancelling a booking gives back the promo use it consumed.
    #[serde(default = "yes")]
    pub release_on_cancel: bool,
}

impl Default for PromoPolicy {
    fn default() -> Self {
        Self {
            release_on_cancel: true,
        }
    }
}

/// The coach's identities on each channel.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoachIdentities {
    /// Telegram user ids.
    #[serde(default)]
    pub telegram: Vec<i64>,
    /// WhatsApp numbers.
    #[serde(default)]
    pub whatsapp: Vec<Phone>,
    /// Discord user ids.
    #[serde(default)]
    pub discord: Vec<u64>,
}

impl CoachIdentities {
    /// The terminal sender that speaks as the coach (`coachbot chat --as coach`): whoever runs the
    /// terminal on this machine already holds the store.
    pub const TERMINAL: &'static str = "coach";

    /// Whether this identity is the bot's coach.
    pub fn includes(&self, identity: &crate::domain::contact::Identity) -> bool {
        use crate::domain::contact::Channel;
        let id = identity.external_id();
        match identity.channel() {
            Channel::Telegram => id.parse().is_ok_and(|n: i64| self.telegram.contains(&n)),
            Channel::Whatsapp => self.whatsapp.iter().any(|p| p.as_str() == id),
            Channel::Discord => id.parse().is_ok_and(|n: u64| self.discord.contains(&n)),
            Channel::Terminal => id == Self::TERMINAL,
            Channel::Web => false,
        }
    }

    /// Where the coach is reached (private chats), for handoffs.
    pub fn identities(&self) -> Vec<crate::domain::contact::Identity> {
        use crate::domain::contact::{Channel, Identity};
        let telegram = self
            .telegram
            .iter()
            .map(|id| Identity::new(Channel::Telegram, id.to_string()));
        let whatsapp = self
            .whatsapp
            .iter()
            .map(|p| Identity::new(Channel::Whatsapp, p.as_str()));
        let discord = self
            .discord
            .iter()
            .map(|id| Identity::new(Channel::Discord, id.to_string()));
        telegram.chain(whatsapp).chain(discord).collect()
    }
}

pub use crate::domain::appearance::{Appearance, Position};

/// Channel settings; a channel is on when its section is present with `enabled = true`.
#[derive(Debug, Clone, Default)]
pub struct Channels {
    /// Telegram, when on.
    pub telegram: Option<TelegramChannel>,
    /// WhatsApp through Twilio, when on.
    pub whatsapp: Option<WhatsappChannel>,
    /// The web widget.
    pub web: WebChannel,
}

/// Telegram secrets.
#[derive(Debug, Clone)]
pub struct TelegramChannel {
    /// Bot API token.
    pub token: SecretString,
    /// Secret checked on the webhook, if set.
    pub webhook_secret: Option<SecretString>,
}

/// Twilio account and sender.
#[derive(Debug, Clone)]
pub struct WhatsappChannel {
    /// Account SID.
    pub account_sid: String,
    /// Auth token (signs webhooks, authenticates REST calls).
    pub auth_token: SecretString,
    /// Sender, `whatsapp:+…`.
    pub from: String,
}

/// The web widget's settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebChannel {
    /// Whether the widget is served.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Origins allowed to call the widget API (`*` for any).
    #[serde(default)]
    pub allowed_origins: Vec<String>,
}

impl Default for WebChannel {
    fn default() -> Self {
        Self {
            enabled: true,
            allowed_origins: Vec::new(),
        }
    }
}

fn yes() -> bool {
    true
}

// ---- the file as written ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BotFile {
    id: BotId,
    name: String,
    #[serde(default)]
    language: Language,
    time_zone: String,
    #[serde(default = "euro")]
    currency: Currency,
    #[serde(default = "france")]
    phone_region: String,
    #[serde(default)]
    coach: CoachFile,
    appearance: Appearance,
    #[serde(default)]
    channels: ChannelsFile,
    #[serde(default)]
    tickets: TicketsFile,
    #[serde(default)]
    promo: PromoPolicy,
    #[serde(default)]
    booking: BookingPolicy,
    #[serde(default)]
    courses: Vec<CourseFile>,
    #[serde(default)]
    offers: Vec<OfferFile>,
    #[serde(default)]
    agent: Option<BotAgentFile>,
}

fn euro() -> Currency {
    Currency::EUR
}

fn france() -> String {
    "FR".into()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CoachFile {
    #[serde(default)]
    telegram: Vec<i64>,
    #[serde(default)]
    whatsapp: Vec<String>,
    #[serde(default)]
    discord: Vec<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ChannelsFile {
    telegram: Option<TelegramFile>,
    whatsapp: Option<WhatsappFile>,
    discord: Option<DiscordFile>,
    #[serde(default)]
    web: WebChannel,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TelegramFile {
    enabled: bool,
    token_env: String,
    webhook_secret_env: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WhatsappFile {
    enabled: bool,
    account_sid_env: String,
    auth_token_env: String,
    from: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DiscordFile {
    enabled: bool,
    #[expect(
        dead_code,
        reason = "the variable holding the bot token, read once Discord is served"
    )]
    token_env: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TicketsFile {
    signing_key_env: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CourseFile {
    id: String,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    location: String,
    duration_min: u32,
    capacity: u32,
    slots: Vec<WeeklySlot>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OfferFile {
    id: String,
    name: String,
    kind: OfferKind,
    price: String,
    #[serde(default)]
    courses: Vec<String>,
}

/// Reads secrets by variable name; the process environment in production, a map in tests.
pub trait SecretSource {
    /// The value of a variable, when set and not empty.
    fn get(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnv;

impl SecretSource for ProcessEnv {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

impl SecretSource for BTreeMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        BTreeMap::get(self, name).filter(|v| !v.is_empty()).cloned()
    }
}

impl Bot {
    /// Parses and checks one bot file's text; `file` names it in errors.
    pub fn parse(file: &str, text: &str, secrets: &dyn SecretSource) -> Result<Self, ConfigError> {
        let fail = |message: String| ConfigError::Bot {
            file: file.to_owned(),
            message,
        };
        let raw: BotFile = toml::from_str(text).map_err(|e| fail(e.to_string().trim_end().to_owned()))?;
        let time_zone: chrono_tz::Tz = raw.time_zone.parse().map_err(|_| {
            fail(format!(
                "time_zone: {:?} is not an IANA time zone; expected something like \"Europe/Paris\"",
                raw.time_zone
            ))
        })?;
        let phone_region = Region::parse(&raw.phone_region).map_err(|e| fail(format!("phone_region: {e}")))?;
        let whatsapp = raw
            .coach
            .whatsapp
            .iter()
            .map(|n| Phone::parse(n, Some(phone_region)))
            .collect::<Result<_, _>>()
            .map_err(|e| fail(format!("coach.whatsapp: {e}")))?;
        let coach = CoachIdentities {
            telegram: raw.coach.telegram,
            whatsapp,
            discord: raw.coach.discord,
        };
        let secret = |section: &str, var: &str| {
            secrets.get(var).map(SecretString::from).ok_or_else(|| {
                fail(format!(
                    "{section} is enabled but the environment variable {var} is not set"
                ))
            })
        };
        let telegram = match raw.channels.telegram.filter(|t| t.enabled) {
            Some(t) => Some(TelegramChannel {
                token: secret("channels.telegram", &t.token_env)?,
                webhook_secret: t
                    .webhook_secret_env
                    .as_deref()
                    .and_then(|v| secrets.get(v))
                    .map(SecretString::from),
            }),
            None => None,
        };
        let whatsapp = match raw.channels.whatsapp.filter(|w| w.enabled) {
            Some(w) => Some(WhatsappChannel {
                account_sid: secrets.get(&w.account_sid_env).ok_or_else(|| {
                    fail(format!(
                        "channels.whatsapp is enabled but the environment variable {} is not set",
                        w.account_sid_env
                    ))
                })?,
                auth_token: secret("channels.whatsapp", &w.auth_token_env)?,
                from: w.from,
            }),
            None => None,
        };
        // The file's `[channels.discord]` section is the format Discord will take; until this
        // release serves Discord, a bot turning it on is told so rather than left unanswered there.
        if raw.channels.discord.is_some_and(|d| d.enabled) {
            return Err(fail(
                "channels.discord is enabled, but this release does not serve Discord yet (it serves Telegram, \
                 WhatsApp and the web widget); set enabled = false"
                    .into(),
            ));
        }
        let agent = match raw.agent {
            None => BotAgent::default(),
            Some(a) => BotAgent {
                enabled: a.enabled,
                base_url: a.base_url,
                model: a.model,
                api_key: match a.api_key_env.as_deref() {
                    Some(var) => Some(secret("agent", var)?),
                    None => None,
                },
                temperature: a.temperature,
            },
        };
        let ticket_key = raw
            .tickets
            .signing_key_env
            .as_deref()
            .and_then(|v| secrets.get(v))
            .map(SecretString::from);
        let courses = raw
            .courses
            .into_iter()
            .map(|c| Course {
                bot: raw.id.clone(),
                id: CourseId::from(c.id),
                name: c.name,
                description: c.description,
                location: c.location,
                duration_min: c.duration_min,
                capacity: c.capacity,
                slots: c.slots,
                active: true,
            })
            .collect::<Vec<_>>();
        let mut offers = Vec::new();
        for (i, o) in raw.offers.into_iter().enumerate() {
            let price = Money::parse_decimal(&o.price, raw.currency).ok_or_else(|| {
                fail(format!(
                    "offers[{i}].price: {:?} is not an amount; expected something like \"15\" or \"12.50\"",
                    o.price
                ))
            })?;
            let covered: Vec<CourseId> = o.courses.into_iter().map(CourseId::from).collect();
            if let Some(unknown) = covered.iter().find(|c| !courses.iter().any(|k| &k.id == *c)) {
                return Err(fail(format!("offers[{i}].courses: no course with id {unknown:?}")));
            }
            offers.push(Offer {
                bot: raw.id.clone(),
                id: OfferId::from(o.id),
                name: o.name,
                kind: o.kind,
                price,
                courses: covered,
                active: true,
            });
        }
        Ok(Self {
            id: raw.id,
            name: raw.name,
            language: raw.language,
            time_zone,
            currency: raw.currency,
            phone_region,
            coach,
            appearance: raw.appearance,
            channels: Channels {
                telegram,
                whatsapp,
                web: raw.channels.web,
            },
            ticket_key,
            promo: raw.promo,
            booking: raw.booking,
            courses,
            offers,
            agent,
        })
    }
}

/// Every bot this process hosts, by id.
#[derive(Debug, Clone, Default)]
pub struct Bots {
    by_id: BTreeMap<BotId, Arc<Bot>>,
}

impl Bots {
    /// Loads every `*.toml` in `dir`, in name order; two files with one id, or none at all, is an error.
    pub fn load_dir(dir: &Path, secrets: &dyn SecretSource) -> Result<Self, ConfigError> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| ConfigError::Bots(format!("cannot read the bots folder {}: {e}", dir.display())))?;
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        let mut bots = Self::default();
        for path in paths {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::Bot {
                file: name.clone(),
                message: e.to_string(),
            })?;
            bots.add(Bot::parse(&name, &text, secrets)?)
                .map_err(|message| ConfigError::Bot { file: name, message })?;
        }
        if bots.by_id.is_empty() {
            return Err(ConfigError::Bots(format!(
                "no bot in {}: add a file such as {}/demo.toml (see the README)",
                dir.display(),
                dir.display()
            )));
        }
        Ok(bots)
    }

    /// Adds a bot; refuses a second bot with the same id.
    pub fn add(&mut self, bot: Bot) -> Result<(), String> {
        if self.by_id.contains_key(&bot.id) {
            return Err(format!("a bot with id {:?} is already loaded", bot.id.as_str()));
        }
        self.by_id.insert(bot.id.clone(), Arc::new(bot));
        Ok(())
    }

    /// The bot with this id.
    pub fn get(&self, id: &str) -> Option<&Arc<Bot>> {
        BotId::parse(id).ok().and_then(|id| self.by_id.get(&id))
    }

    /// All bots, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Bot>> {
        self.by_id.values()
    }

    /// How many bots.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

#[cfg(test)]
#[path = "bots_tests.rs"]
mod tests;
