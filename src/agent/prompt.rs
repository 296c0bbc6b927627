//! The system prompts, from `prompts/visitor.md` and `prompts/coach.md` (built into the binary),
//! filled with the bot's facts: its name, language, places and policies. Never prices or session
//! dates: those reach the model only through tools.

use crate::config::bots::Bot;
use crate::domain::language::Language;
use chrono::{DateTime, Utc};

const VISITOR: &str = include_str!("../../prompts/visitor.md");
const COACH: &str = include_str!("../../prompts/coach.md");

/// Replaces each `{{key}}` with its value.
fn fill(template: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(template.to_owned(), |text, (key, value)| {
        text.replace(&format!("{{{{{key}}}}}"), value)
    })
}

fn language_name(language: Language) -> &'static str {
    match language {
        Language::Fr => "French",
        Language::En => "English",
    }
}

fn today(bot: &Bot, now: DateTime<Utc>) -> String {
    now.with_timezone(&bot.time_zone)
        .format("%A %Y-%m-%d %H:%M")
        .to_string()
}

/// Who the visitor is and what was said before the lines the model is sent.
pub struct Visitor<'a> {
    /// Their name.
    pub name: &'a str,
    /// Their details on file (their own: email, phone, consent).
    pub profile: String,
    /// The summary of the earlier conversation, if any.
    pub memory: Option<&'a str>,
    /// The channel they write on.
    pub channel: &'a str,
    /// Their language.
    pub language: Language,
}

/// The visitor's system prompt.
pub fn visitor(bot: &Bot, who: &Visitor<'_>, now: DateTime<Utc>) -> String {
    let Visitor {
        name,
        channel,
        language,
        ..
    } = *who;
    let mut places: Vec<&str> = bot
        .courses
        .iter()
        .map(|c| c.location.as_str())
        .filter(|l| !l.is_empty())
        .collect();
    places.dedup();
    let policy = &bot.booking;
    let about = match places.is_empty() {
        true => bot.name.clone(),
        false => format!("{} — {}", bot.name, places.join("; ")),
    };
    fill(
        VISITOR,
        &[
            ("studio", bot.name.clone()),
            ("name", name.to_owned()),
            ("channel", channel.to_owned()),
            ("language_name", language_name(language).into()),
            ("today", today(bot, now)),
            ("time_zone", bot.time_zone.to_string()),
            (
                "cancel_policy",
                format!(
                    "free until {} hours before the class (the credit or the payment comes back); later the seat is freed and the credit kept.",
                    policy.free_cancel_hours
                ),
            ),
            ("opens_days", policy.opens_days_before.to_string()),
            ("closes_minutes", policy.closes_minutes_before.to_string()),
            ("about", about),
            ("profile", who.profile.clone()),
            (
                "memory",
                who.memory
                    .map(|m| format!("Earlier in this conversation: {m}"))
                    .unwrap_or_default(),
            ),
        ],
    )
}

/// The coach's system prompt, with the command list of `/aide`.
pub fn coach(bot: &Bot, commands: &str, now: DateTime<Utc>) -> String {
    let ids = |items: Vec<&str>| items.join(", ");
    fill(
        COACH,
        &[
            ("coach_studio", bot.name.clone()),
            ("language_name", language_name(bot.language).into()),
            ("today", today(bot, now)),
            ("time_zone", bot.time_zone.to_string()),
            ("commands", commands.to_owned()),
            ("offers", ids(bot.offers.iter().map(|o| o.id.as_str()).collect())),
            ("courses", ids(bot.courses.iter().map(|c| c.id.as_str()).collect())),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_filled() {
        let text = fill(
            "Hi {{name}} at {{studio}}",
            &[("name", "Anna".into()), ("studio", "Nova".into())],
        );
        assert_eq!(text, "Hi Anna at Nova");
    }
}
