//! Typed settings, read once at start: `config/default.toml` (compiled in), then the file named by
//! `COACHBOT_CONFIG`, then environment variables `COACHBOT__SECTION__KEY`.
//!
//! This module is the only place that reads the environment: the settings, the bots' secrets (each
//! bot file names the variables holding them) and the config file's path all come through here.
//! Secrets are `SecretString`s: redacted in `Debug`, shown only as "set" by `check-config`.

pub mod bots;
pub mod check;
mod expected;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The compiled-in defaults; the same text as `config/default.toml`.
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

/// The environment variable naming an optional settings file.
pub const CONFIG_FILE_VAR: &str = "COACHBOT_CONFIG";

/// A setting that cannot be used; the process exits with status 2.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A value has the wrong type or shape; the message names the key, the value, what was expected
    /// and where it came from.
    #[error("invalid setting: {0}")]
    Invalid(String),
    /// A secret was written in a file.
    #[error("{key} holds credentials and must come from the environment ({env}), not from {source_name}")]
    SecretInFile {
        /// The dotted key.
        key: &'static str,
        /// The environment variable to use instead.
        env: &'static str,
        /// The file it was found in.
        source_name: String,
    },
    /// A bot file is wrong.
    #[error("{file}: {message}")]
    Bot {
        /// The bot file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The bots folder cannot be read or holds no bot.
    #[error("{0}")]
    Bots(String),
}

/// All settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// HTTP server.
    pub http: HttpSettings,
    /// Persistence.
    pub store: StoreSettings,
    /// Promo codes.
    pub promo: PromoSettings,
    /// Where the bots are.
    pub bots: BotsSettings,
    /// Logging.
    pub log: LogSettings,
    /// Background jobs.
    pub jobs: JobsSettings,
    /// The Telegram Bot API.
    pub telegram: TelegramSettings,
    /// The Twilio API (WhatsApp).
    pub twilio: TwilioSettings,
    /// Conversations.
    pub chat: ChatSettings,
    /// The web chat widget.
    pub widget: WidgetSettings,
    /// The LLM agent.
    pub agent: AgentSettings,
}

/// `[agent]`: an OpenAI-compatible chat model; no base URL, no agent (the rule path answers).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentSettings {
    /// Base URL of the OpenAI-compatible API (`https://api.openai.com/v1`,
    /// `http://127.0.0.1:11434/v1` for Ollama); empty: no agent.
    #[serde(deserialize_with = "optional_url")]
    pub base_url: Option<url::Url>,
    /// The model.
    pub model: String,
    /// The API key (from `COACHBOT__AGENT__API_KEY` only).
    #[serde(default)]
    pub api_key: Option<secrecy::SecretString>,
    /// Sampling temperature.
    pub temperature: f32,
    /// Seconds one model call may take before the rule path answers instead.
    pub timeout_secs: u64,
    /// Most tokens in one answer.
    pub max_tokens: u32,
    /// Most tool calls in one turn.
    pub max_tool_calls: u32,
    /// Lines of the conversation sent with each turn.
    pub history_messages: usize,
}

impl std::fmt::Debug for AgentSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentSettings")
            .field("base_url", &self.base_url.as_ref().map(url::Url::as_str))
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("temperature", &self.temperature)
            .field("timeout_secs", &self.timeout_secs)
            .field("max_tokens", &self.max_tokens)
            .field("max_tool_calls", &self.max_tool_calls)
            .field("history_messages", &self.history_messages)
            .finish()
    }
}

/// `[widget]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WidgetSettings {
    /// Requests one IP address may make to the widget API a minute (0: no limit).
    pub requests_per_minute_per_ip: u32,
    /// Largest widget API request body, in bytes.
    pub body_limit_bytes: usize,
    /// Longest message a visitor may type, in characters.
    pub max_text_chars: usize,
    /// Milliseconds between two reads of a visitor's events by an open stream, for replies
    /// written by another replica or a job (replies to this process's requests wake it at once).
    pub poll_ms: u64,
    /// Seconds between two keep-alive comments on an idle stream.
    pub keepalive_secs: u64,
    /// Take the client's address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
}

/// `[http]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    /// Listen address.
    pub addr: SocketAddr,
    /// Public base URL, if any.
    #[serde(deserialize_with = "optional_url")]
    pub public_url: Option<url::Url>,
    /// Largest request body in bytes.
    pub body_limit_bytes: usize,
    /// Per-request time-out in seconds.
    pub request_timeout_secs: u64,
}

/// Which store backend to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// Embedded SQLite file.
    Sqlite,
    /// MongoDB server or cluster.
    Mongodb,
}

/// `[store]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSettings {
    /// Backend.
    pub backend: Backend,
    /// SQLite file path or `:memory:`.
    pub sqlite_path: String,
    /// MiB in which the SQLite store keeps senders' chats for their next message (`0`: none).
    pub sqlite_kept_chats_mib: usize,
    /// MongoDB URI (secret when it holds credentials).
    #[serde(deserialize_with = "optional_secret")]
    pub mongodb_uri: Option<SecretString>,
    /// MongoDB database name.
    pub mongodb_database: String,
    /// One connection attempt's time-out, in ms.
    pub connect_timeout_ms: u64,
    /// First retry delay, in ms.
    pub retry_initial_ms: u64,
    /// Largest retry delay, in ms.
    pub retry_max_ms: u64,
}

impl StoreSettings {
    /// One connection attempt's time-out.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }
}

/// `[promo]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromoSettings {
    /// Most codes one chat command may create.
    pub chat_max_codes: u32,
}

/// `[bots]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BotsSettings {
    /// Folder of bot files.
    pub dir: PathBuf,
}

/// `[telegram]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelegramSettings {
    /// Base URL of the Bot API.
    pub api_url: url::Url,
    /// Seconds a long poll waits for updates (when there is no public URL for a webhook).
    pub poll_timeout_secs: u32,
    /// A reply that is one text message goes back in the webhook's answer (one Bot API call
    /// Telegram makes for us) instead of through the sender's own `sendMessage`.
    pub answer_in_webhook: bool,
}

/// `[chat]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatSettings {
    /// Messages one sender may send a minute (0: no limit).
    pub messages_per_minute: u32,
}

/// `[twilio]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwilioSettings {
    /// Base URL of the Twilio REST API.
    pub api_url: url::Url,
}

/// `[jobs]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobsSettings {
    /// Seconds between two runs of the jobs (hold and offer expiry, planning); 0 turns them off.
    pub interval_secs: u64,
}

/// `[log]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// tracing filter directives.
    pub filter: String,
}

fn optional_url<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<url::Url>, D::Error> {
    let text = String::deserialize(deserializer)?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    let url = url::Url::parse(text.trim()).map_err(|e| {
        serde::de::Error::custom(format!(
            "{text:?} is not a URL ({e}); expected something like \"https://bot.example.fr\""
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(serde::de::Error::custom(format!(
            "{text:?} must start with https:// (or http://)"
        )));
    }
    Ok(Some(url))
}

fn optional_secret<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<SecretString>, D::Error> {
    let text = String::deserialize(deserializer)?;
    Ok((!text.trim().is_empty()).then(|| SecretString::from(text.trim().to_owned())))
}

/// Whether a connection string carries a user name or password.
fn has_credentials(uri: &str) -> bool {
    let rest = uri.split_once("://").map_or(uri, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    authority.contains('@')
}

/// A connection string with its password replaced by `***`, for logs and `check-config`.
pub fn redact_uri(uri: &str) -> String {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return "***".into();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, hosts)) => {
            let user = user_info.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{hosts}{tail}")
        }
        None => uri.to_owned(),
    }
}

impl Settings {
    /// Reads the settings from the defaults, the `COACHBOT_CONFIG` file and the environment.
    pub fn load() -> Result<Self, ConfigError> {
        let file = std::env::var_os(CONFIG_FILE_VAR).map(PathBuf::from);
        Self::load_layers(file, Env::prefixed("COACHBOT__").split("__"))
    }

    /// The defaults with `overrides` (a TOML text) on top; no file, no environment. For tests and tools.
    pub fn from_toml(overrides: &str) -> Result<Self, ConfigError> {
        let figment = Figment::from(Toml::string(DEFAULT_TOML)).merge(Toml::string(overrides));
        Self::check_file_secrets(&figment, "the settings text")?;
        figment
            .extract::<Self>()
            .map_err(|e| describe(e, &figment))?
            .validated()
    }

    fn load_layers(file: Option<PathBuf>, env: Env) -> Result<Self, ConfigError> {
        let mut files = Figment::from(Toml::string(DEFAULT_TOML));
        let mut source_name = "config/default.toml".to_owned();
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError::Invalid(format!(
                    "{CONFIG_FILE_VAR}={} does not name a readable file",
                    path.display()
                )));
            }
            source_name = path.display().to_string();
            files = files.merge(Toml::file_exact(path));
        }
        Self::check_file_secrets(&files, &source_name)?;
        let figment = files.merge(env);
        figment
            .extract::<Self>()
            .map_err(|e| describe(e, &figment))?
            .validated()
    }

    /// Checks what no single value's type can: combinations of settings.
    fn validated(self) -> Result<Self, ConfigError> {
        if self.store.backend == Backend::Mongodb && self.store.mongodb_uri.is_none() {
            return Err(ConfigError::Invalid(
                "store.backend is \"mongodb\" but store.mongodb_uri is empty; set COACHBOT__STORE__MONGODB_URI \
                 (e.g. mongodb://db.example.net:27017)"
                    .into(),
            ));
        }
        if self.promo.chat_max_codes == 0 {
            return Err(ConfigError::Invalid(
                "promo.chat_max_codes is 0; expected a number of codes such as 10000".into(),
            ));
        }
        if self.store.backend == Backend::Sqlite && self.store.sqlite_path.trim().is_empty() {
            return Err(ConfigError::Invalid(
                "store.sqlite_path is empty; expected a file path such as data/coachbot.db".into(),
            ));
        }
        Ok(self)
    }

    fn check_file_secrets(files: &Figment, source_name: &str) -> Result<(), ConfigError> {
        let uri = files.extract_inner::<String>("store.mongodb_uri").unwrap_or_default();
        if has_credentials(&uri) {
            return Err(ConfigError::SecretInFile {
                key: "store.mongodb_uri",
                env: "COACHBOT__STORE__MONGODB_URI",
                source_name: source_name.to_owned(),
            });
        }
        Ok(())
    }

    /// The effective settings, one `key = value` line each, secrets redacted.
    pub fn describe(&self) -> String {
        let uri = self
            .store
            .mongodb_uri
            .as_ref()
            .map_or_else(|| "(not set)".to_owned(), |u| redact_uri(u.expose_secret()));
        let public_url = self
            .http
            .public_url
            .as_ref()
            .map_or("(not set)".to_owned(), url::Url::to_string);
        let backend = match self.store.backend {
            Backend::Sqlite => "sqlite",
            Backend::Mongodb => "mongodb",
        };
        [
            format!("http.addr = {}", self.http.addr),
            format!("http.public_url = {public_url}"),
            format!("http.body_limit_bytes = {}", self.http.body_limit_bytes),
            format!("http.request_timeout_secs = {}", self.http.request_timeout_secs),
            format!("store.backend = {backend}"),
            format!("store.sqlite_path = {}", self.store.sqlite_path),
            format!("store.sqlite_kept_chats_mib = {}", self.store.sqlite_kept_chats_mib),
            format!("store.mongodb_uri = {uri}"),
            format!("store.mongodb_database = {}", self.store.mongodb_database),
            format!("store.connect_timeout_ms = {}", self.store.connect_timeout_ms),
            format!("store.retry_initial_ms = {}", self.store.retry_initial_ms),
            format!("store.retry_max_ms = {}", self.store.retry_max_ms),
            format!("promo.chat_max_codes = {}", self.promo.chat_max_codes),
            format!("bots.dir = {}", self.bots.dir.display()),
            format!("log.filter = {}", self.log.filter),
            format!("jobs.interval_secs = {}", self.jobs.interval_secs),
            format!("telegram.api_url = {}", self.telegram.api_url),
            format!("telegram.poll_timeout_secs = {}", self.telegram.poll_timeout_secs),
            format!("telegram.answer_in_webhook = {}", self.telegram.answer_in_webhook),
            format!("twilio.api_url = {}", self.twilio.api_url),
            format!("chat.messages_per_minute = {}", self.chat.messages_per_minute),
        ]
        .join("\n")
    }
}

/// The catalogs: `locales/fr.ftl` and `locales/en.ftl` in the bots folder when present, the
/// compiled-in ones otherwise.
pub fn load_texts(bots_dir: &std::path::Path) -> Result<crate::i18n::Texts, ConfigError> {
    use crate::domain::language::Language;
    let mut sources = Vec::new();
    for (language, builtin) in [(Language::Fr, crate::i18n::FR), (Language::En, crate::i18n::EN)] {
        let path = bots_dir.join("locales").join(format!("{}.ftl", language.code()));
        let text = if path.is_file() {
            std::fs::read_to_string(&path).map_err(|e| ConfigError::Bot {
                file: path.display().to_string(),
                message: e.to_string(),
            })?
        } else {
            builtin.to_owned()
        };
        sources.push((language, text));
    }
    crate::i18n::Texts::from_sources(&sources).map_err(ConfigError::Bots)
}

/// Turns figment's errors into one message per problem: the key, the value given, what was
/// expected and where the value came from (the file, or the exact environment variable).
fn describe(error: figment::Error, figment: &Figment) -> ConfigError {
    let lines: Vec<String> = error
        .into_iter()
        .map(|e| {
            let key = e.path.join(".");
            let value = figment
                .find_value(&key)
                .ok()
                .map(|v| match v.as_str() {
                    Some(text) => format!(" (got {text:?})"),
                    None => format!(" (got {})", serde_json::to_string(&v).unwrap_or_default()),
                })
                .unwrap_or_default();
            let expected = expected::EXPECTED
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, hint)| format!("; expected {hint}"))
                .unwrap_or_default();
            let source = match e.metadata.as_ref() {
                Some(m) if m.name.contains("environment") => {
                    format!(" from {}", format!("COACHBOT__{}", e.path.join("__")).to_uppercase())
                }
                Some(m) => format!(
                    " from {}",
                    m.source
                        .as_ref()
                        .map_or_else(|| m.name.to_string(), ToString::to_string)
                ),
                None => String::new(),
            };
            format!("{key}: {}{value}{expected}{source}", e.kind)
        })
        .collect();
    ConfigError::Invalid(lines.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn defaults_are_safe_and_complete() {
        let settings = Settings::from_toml("").unwrap();
        assert_eq!(settings.http.addr.to_string(), "0.0.0.0:8080");
        assert_eq!(settings.store.backend, Backend::Sqlite);
        assert_eq!(settings.store.sqlite_path, "data/coachbot.db");
        assert!(settings.store.mongodb_uri.is_none());
        assert!(settings.http.public_url.is_none());
        assert_eq!(settings.bots.dir, PathBuf::from("bots"));
    }

    #[test]
    fn a_bad_value_names_the_key_the_value_and_the_expectation() {
        let err = Settings::from_toml("[http]\naddr = \"localhost-8080\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("http.addr"), "{err}");
        assert!(err.contains("localhost-8080"), "{err}");
        assert!(err.contains("socket address"), "{err}");
    }

    #[test]
    fn an_unknown_backend_lists_the_choices() {
        let err = Settings::from_toml("[store]\nbackend = \"postgres\"")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("store.backend") && err.contains("sqlite") && err.contains("mongodb"),
            "{err}"
        );
    }

    #[test]
    fn a_misspelt_key_is_refused() {
        let err = Settings::from_toml("[http]\nadr = \"127.0.0.1:1\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("adr") && err.contains("addr"), "{err}");
    }

    #[test]
    fn credentials_in_a_file_are_refused() {
        let err = Settings::from_toml("[store]\nmongodb_uri = \"mongodb://app:hunter2@db:27017\"").unwrap_err();
        assert!(matches!(err, ConfigError::SecretInFile { .. }));
        assert!(err.to_string().contains("COACHBOT__STORE__MONGODB_URI"));
        assert!(!err.to_string().contains("hunter2"));
        assert!(Settings::from_toml("[store]\nmongodb_uri = \"mongodb://db:27017\"").is_ok());
    }

    #[test]
    fn mongodb_needs_a_uri() {
        let err = Settings::from_toml("[store]\nbackend = \"mongodb\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("COACHBOT__STORE__MONGODB_URI"), "{err}");
    }

    #[test]
    fn a_public_url_must_be_http() {
        assert!(Settings::from_toml("[http]\npublic_url = \"ftp://x\"").is_err());
        let ok = Settings::from_toml("[http]\npublic_url = \"https://bot.example.fr\"").unwrap();
        assert_eq!(ok.http.public_url.unwrap().as_str(), "https://bot.example.fr/");
    }

    #[rstest]
    #[case(
        "mongodb://app:pw@db1,db2/coachbot?tls=true",
        "mongodb://app:***@db1,db2/coachbot?tls=true"
    )]
    #[case("mongodb+srv://app@cluster.example.net", "mongodb+srv://app:***@cluster.example.net")]
    #[case("mongodb://localhost:27017", "mongodb://localhost:27017")]
    #[case("garbage", "***")]
    fn uris_are_redacted_for_display(#[case] uri: &str, #[case] shown: &str) {
        assert_eq!(redact_uri(uri), shown);
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let mut settings = Settings::from_toml("").unwrap();
        settings.store.mongodb_uri = Some(SecretString::from("mongodb://app:hunter2@db"));
        assert!(!format!("{settings:?}").contains("hunter2"));
        assert!(!settings.describe().contains("hunter2"));
    }
}
