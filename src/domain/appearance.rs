//! How a bot's web widget looks: colour, title, welcome line, avatar and side. The bot file sets
//! it; the coach changes it from chat (`/apparence`), and the change is kept in the store.

use serde::{Deserialize, Serialize};

/// Which side of the page the widget's button sits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    /// Bottom right.
    #[default]
    Right,
    /// Bottom left.
    Left,
}

/// How the bot looks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Appearance {
    /// Main colour, `#rrggbb`.
    #[serde(deserialize_with = "hex_colour")]
    pub color: String,
    /// Title of the chat panel.
    pub title: String,
    /// First message of a conversation.
    pub welcome: String,
    /// URL or path of the avatar image.
    #[serde(default)]
    pub avatar: Option<String>,
    /// Button position.
    #[serde(default)]
    pub position: Position,
}

/// Longest title, in characters.
pub const MAX_TITLE: usize = 60;
/// Longest welcome line, in characters.
pub const MAX_WELCOME: usize = 500;

/// Why a change is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppearanceError {
    /// Not `#rrggbb`.
    #[error("{0:?} is not a colour; expected #rrggbb, like \"#ff6600\"")]
    Colour(String),
    /// Empty or longer than allowed.
    #[error("the text must have 1 to {0} characters")]
    Length(usize),
    /// Neither side.
    #[error("{0:?} is not a side; expected droite or gauche")]
    Position(String),
    /// Not something the appearance has.
    #[error("{0:?} is not part of the appearance")]
    Field(String),
    /// Not an http(s) URL or a path on this server.
    #[error("{0:?} is not an image address (https://… or /…)")]
    Avatar(String),
}

/// A colour as `#rrggbb` in lower case (`#FF6600` and `ff6600` are accepted).
pub fn colour(text: &str) -> Result<String, AppearanceError> {
    let hex = text.trim().trim_start_matches('#');
    match hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        true => Ok(format!("#{}", hex.to_ascii_lowercase())),
        false => Err(AppearanceError::Colour(text.trim().to_owned())),
    }
}

/// A one-line text of 1 to `max` characters, spaces collapsed.
pub fn line(text: &str, max: usize) -> Result<String, AppearanceError> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match !text.is_empty() && text.chars().count() <= max {
        true => Ok(text),
        false => Err(AppearanceError::Length(max)),
    }
}

/// An avatar address: `https://…`, `http://…` or an absolute path on this server; `""` removes it.
pub fn avatar(text: &str) -> Result<Option<String>, AppearanceError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let ok = (text.starts_with("https://") || text.starts_with("http://") || text.starts_with('/'))
        && text.len() <= 500
        && !text
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '\\'));
    match ok {
        true => Ok(Some(text.to_owned())),
        false => Err(AppearanceError::Avatar(text.to_owned())),
    }
}

fn hex_colour<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = String::deserialize(deserializer)?;
    colour(&text).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_six_hex_digits_with_or_without_the_hash() {
        assert_eq!(colour("#FF6600"), Ok("#ff6600".into()));
        assert_eq!(colour("ff6600"), Ok("#ff6600".into()));
        assert_eq!(colour("orange"), Err(AppearanceError::Colour("orange".into())));
        assert_eq!(colour("#f60"), Err(AppearanceError::Colour("#f60".into())));
    }

    #[test]
    fn titles_are_one_line_within_the_limit() {
        assert_eq!(line("  Studio   Nova ", MAX_TITLE), Ok("Studio Nova".into()));
        assert_eq!(line("   ", MAX_TITLE), Err(AppearanceError::Length(MAX_TITLE)));
        assert_eq!(
            line(&"a".repeat(61), MAX_TITLE),
            Err(AppearanceError::Length(MAX_TITLE))
        );
    }

    #[test]
    fn avatars_are_web_addresses_or_paths_without_markup() {
        assert_eq!(avatar("https://x.fr/a.png"), Ok(Some("https://x.fr/a.png".into())));
        assert_eq!(avatar("/static/a.png"), Ok(Some("/static/a.png".into())));
        assert_eq!(avatar(""), Ok(None));
        assert!(avatar("javascript:alert(1)").is_err());
        assert!(avatar("https://x.fr/\"onerror=").is_err());
    }
}
