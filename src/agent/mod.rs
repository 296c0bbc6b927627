//! The LLM path: an OpenAI-compatible chat model answering free text with tools. Every fact and
//! every action goes through a [`ToolRunner`] the engine provides, which runs the same operations
//! as the rule path with the contact the engine resolved — never an id the model made up.
//!
//! Any failure (time-out, HTTP error, malformed reply or tool arguments, an unknown tool, too many
//! tool calls in one turn, a price in the answer that no tool returned) ends the turn with an
//! [`AgentError`]; the engine then lets the rule path answer, with a short apology, and the failure
//! is logged and counted (`coachbot_agent_failures_total`).

mod client;
pub mod prompt;
pub mod tools;

pub use client::{Client, ClientError};

use crate::config::AgentSettings;
use async_trait::async_trait;
use serde_json::{Value, json};
use std::time::Duration;

/// Why the agent gave up on a turn.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// The model did not answer in time.
    #[error("the model did not answer within {0:?}")]
    Timeout(Duration),
    /// The call failed (HTTP status, connection, a reply that does not parse).
    #[error("model call failed: {0}")]
    Call(#[from] ClientError),
    /// A tool the model may not use, or one that does not exist.
    #[error("unknown tool {0:?}")]
    UnknownTool(String),
    /// Tool arguments that are not the JSON object the tool takes.
    #[error("bad arguments for {tool}: {reason}")]
    BadArguments {
        /// The tool.
        tool: String,
        /// What is wrong.
        reason: String,
    },
    /// The model kept calling tools.
    #[error("more than {0} tool calls in one turn")]
    TooManyCalls(u32),
    /// The answer gives a price no tool returned.
    #[error("the answer gives a price no tool returned: {0}")]
    UnverifiedPrice(String),
    /// The store failed under a tool.
    #[error("store: {0}")]
    Store(#[from] crate::store::StoreError),
}

impl AgentError {
    /// A short label for the metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Timeout(_) => "timeout",
            Self::Call(ClientError::Status(_)) => "http_status",
            Self::Call(_) => "call",
            Self::UnknownTool(_) => "unknown_tool",
            Self::BadArguments { .. } => "bad_arguments",
            Self::TooManyCalls(_) => "too_many_calls",
            Self::UnverifiedPrice(_) => "unverified_price",
            Self::Store(_) => "store",
        }
    }
}

/// Runs the tools of one turn for one person.
#[async_trait]
pub trait ToolRunner: Send {
    /// The tools this person may use (OpenAI `tools` entries).
    fn definitions(&self) -> Vec<Value>;
    /// Runs a tool; its result is shown to the model as JSON. `Err` only for what the model
    /// cannot fix (an unknown tool, the store failing); a refusal is a result.
    async fn run(&mut self, name: &str, arguments: &Value) -> Result<Value, AgentError>;
}

/// A line of the conversation so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Said by the bot.
    pub from_bot: bool,
    /// What was said.
    pub text: String,
}

/// The agent of each bot hosted here: the service's `[agent]`, with each bot file's `[agent]` over
/// it (another model or server, or off for that bot).
#[derive(Default)]
pub struct Agents {
    by_bot: std::collections::HashMap<crate::domain::BotId, Agent>,
}

impl Agents {
    /// The agents of these bots; a bot without a base URL (or with `enabled = false`) has none.
    pub fn build(settings: &AgentSettings, bots: &crate::config::bots::Bots) -> Self {
        let by_bot = bots
            .iter()
            .filter(|bot| bot.agent.enabled)
            .filter_map(|bot| {
                let own = &bot.agent;
                let merged = AgentSettings {
                    base_url: own.base_url.clone().or_else(|| settings.base_url.clone()),
                    model: own.model.clone().unwrap_or_else(|| settings.model.clone()),
                    api_key: own.api_key.clone().or_else(|| settings.api_key.clone()),
                    temperature: own.temperature.unwrap_or(settings.temperature),
                    ..settings.clone()
                };
                Some((bot.id.clone(), Agent::from_settings(&merged)?))
            })
            .collect();
        Self { by_bot }
    }

    /// One agent for one bot (tests).
    pub fn one(bot: crate::domain::BotId, agent: Agent) -> Self {
        Self {
            by_bot: [(bot, agent)].into(),
        }
    }

    /// The agent of a bot, if it has one.
    pub fn get(&self, bot: &crate::domain::BotId) -> Option<&Agent> {
        self.by_bot.get(bot)
    }

    /// Whether any bot has one.
    pub fn any(&self) -> bool {
        !self.by_bot.is_empty()
    }
}

/// The configured model, shared by every conversation.
pub struct Agent {
    client: Client,
    settings: AgentSettings,
}

impl Agent {
    /// The agent of these settings; `None` without a base URL.
    pub fn from_settings(settings: &AgentSettings) -> Option<Self> {
        let client = Client::new(settings)?;
        Some(Self {
            client,
            settings: settings.clone(),
        })
    }

    /// The model it asks.
    pub fn model(&self) -> &str {
        &self.settings.model
    }

    /// Lines of history sent with each turn.
    pub fn history(&self) -> usize {
        self.settings.history_messages
    }

    /// One turn: the system prompt, the last lines, the new text; tools run as the model asks,
    /// until it answers in text. The answer's prices are checked against the tools' results.
    pub async fn answer(
        &self,
        system: &str,
        history: &[Line],
        text: &str,
        tools: &mut dyn ToolRunner,
        mut on_text: Option<&mut (dyn FnMut(&str) + Send)>,
    ) -> Result<String, AgentError> {
        let timeout = Duration::from_secs(self.settings.timeout_secs.max(1));
        let mut messages = vec![json!({ "role": "system", "content": system })];
        for line in history {
            let role = if line.from_bot { "assistant" } else { "user" };
            messages.push(json!({ "role": role, "content": line.text }));
        }
        messages.push(json!({ "role": "user", "content": text }));
        let definitions = tools.definitions();
        let allowed: Vec<String> = definitions
            .iter()
            .filter_map(|d| d["function"]["name"].as_str().map(str::to_owned))
            .collect();
        let mut results = String::new();
        for _ in 0..=self.settings.max_tool_calls {
            let request = self.request(&messages, &definitions);
            let call = async {
                match on_text.as_deref_mut() {
                    Some(sink) => self.client.complete_streamed(&request, sink).await,
                    None => self.client.complete(&request).await,
                }
            };
            let reply = tokio::time::timeout(timeout, call)
                .await
                .map_err(|_| AgentError::Timeout(timeout))??;
            if reply.tool_calls.is_empty() {
                let answer = reply.content.unwrap_or_default();
                check_prices(&answer, &results)?;
                return Ok(answer.trim().to_owned());
            }
            messages.push(json!({ "role": "assistant", "content": reply.content, "tool_calls": reply.tool_calls.iter().map(|c| json!({
                "id": c.id, "type": "function", "function": { "name": c.name, "arguments": c.arguments }
            })).collect::<Vec<_>>() }));
            for call in &reply.tool_calls {
                if !allowed.iter().any(|name| name == &call.name) {
                    return Err(AgentError::UnknownTool(call.name.clone()));
                }
                let arguments = parse_arguments(&call.name, &call.arguments)?;
                let result = tools.run(&call.name, &arguments).await?;
                let result = result.to_string();
                results.push_str(&result);
                results.push('\n');
                messages.push(json!({ "role": "tool", "tool_call_id": call.id, "content": result }));
            }
        }
        Err(AgentError::TooManyCalls(self.settings.max_tool_calls))
    }

    /// The longest one turn may take: each model call it may make (the answer's, one per tool
    /// round, and a summary) at its time-out.
    pub fn longest_turn(&self) -> Duration {
        Duration::from_secs(self.settings.timeout_secs.max(1)) * (self.settings.max_tool_calls + 2)
    }

    /// A short summary of `lines` following `previous` (no tools), for the memory of long
    /// conversations.
    pub async fn summarise(&self, previous: Option<&str>, lines: &[Line]) -> Result<String, AgentError> {
        let timeout = Duration::from_secs(self.settings.timeout_secs.max(1));
        let mut transcript = String::new();
        if let Some(previous) = previous {
            transcript.push_str(&format!("Summary so far: {previous}\n\n"));
        }
        for line in lines {
            let who = if line.from_bot { "Assistant" } else { "Visitor" };
            transcript.push_str(&format!("{who}: {}\n", line.text));
        }
        let messages = [
            json!({ "role": "system", "content": SUMMARISE }),
            json!({ "role": "user", "content": transcript }),
        ];
        let request = self.request(&messages, &[]);
        let reply = tokio::time::timeout(timeout, self.client.complete(&request))
            .await
            .map_err(|_| AgentError::Timeout(timeout))??;
        Ok(reply.content.unwrap_or_default().trim().to_owned())
    }

    fn request(&self, messages: &[Value], tools: &[Value]) -> Value {
        let mut request = json!({
            "model": self.settings.model,
            "messages": messages,
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
        });
        if !tools.is_empty() {
            request["tools"] = json!(tools);
            request["tool_choice"] = json!("auto");
        }
        request
    }
}

/// The instruction for summaries.
const SUMMARISE: &str = "Summarise this conversation between a studio's chat assistant and a visitor in at most three sentences, in the conversation's language: what they asked, booked or cancelled, their preferences and any open question. Reply with the summary only.";

/// Tool arguments: a JSON object (an empty string counts as `{}`).
fn parse_arguments(tool: &str, text: &str) -> Result<Value, AgentError> {
    if text.trim().is_empty() {
        return Ok(json!({}));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(AgentError::BadArguments {
            tool: tool.to_owned(),
            reason: "not a JSON object".into(),
        }),
        Err(e) => Err(AgentError::BadArguments {
            tool: tool.to_owned(),
            reason: e.to_string(),
        }),
    }
}

/// Every amount of money in `answer` (`18 €`, `79,90 €`, `€18`, `18 EUR`) must appear in the
/// tools' results of this turn.
fn check_prices(answer: &str, results: &str) -> Result<(), AgentError> {
    let known: Vec<String> = amounts(results).into_iter().map(|(_, n)| n).collect();
    match amounts(answer).into_iter().find(|(_, n)| !known.contains(n)) {
        Some((shown, _)) => Err(AgentError::UnverifiedPrice(shown)),
        None => Ok(()),
    }
}

/// The amounts written in a text: as written, and as a normalised number (`79.9`, `18`).
fn amounts(text: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len()
            && (chars[i].is_ascii_digit()
                || ((chars[i] == ',' || chars[i] == '.') && chars.get(i + 1).is_some_and(char::is_ascii_digit)))
        {
            i += 1;
        }
        let number: String = chars[start..i].iter().collect();
        let after: String = chars[i..].iter().take(5).collect::<String>();
        let before: String = chars[start.saturating_sub(2)..start].iter().collect();
        let money = after
            .trim_start_matches([' ', '\u{a0}', '\u{202f}'])
            .starts_with(['€', '$', '£'])
            || after.trim_start().starts_with("EUR")
            || before.trim_end().ends_with(['€', '$', '£']);
        if money {
            let normal = number.replace(',', ".");
            let normal = match normal.contains('.') {
                true => normal.trim_end_matches('0').trim_end_matches('.').to_owned(),
                false => normal,
            };
            found.push((format!("{number} €"), normal));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_in_an_answer_must_come_from_the_tools() {
        let results = r#"[{"name":"Carte 10 cours","price":"150 €"},{"name":"Cours à l'unité","price":"18 €"},{"price":"79,90 €"}]"#;
        assert!(check_prices("La carte coûte 150 € et le cours 18 €.", results).is_ok());
        assert!(check_prices("L'abonnement est à 79.90€ par mois.", results).is_ok());
        assert!(
            check_prices("Rendez-vous à 18:30, salle 2.", results).is_ok(),
            "not money"
        );
        assert!(matches!(
            check_prices("Le cours coûte 15 €.", results),
            Err(AgentError::UnverifiedPrice(p)) if p == "15 €"
        ));
        assert!(check_prices("Only €12 today!", "").is_err());
    }

    #[test]
    fn tool_arguments_must_be_a_json_object() {
        assert_eq!(parse_arguments("list_courses", "").unwrap(), json!({}));
        assert_eq!(parse_arguments("book", r#"{"session":"s1"}"#).unwrap()["session"], "s1");
        assert!(parse_arguments("book", "{session: s1").is_err());
        assert!(parse_arguments("book", "[1,2]").is_err());
    }
}
