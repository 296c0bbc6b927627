//! The languages bots speak. French first.

use serde::{Deserialize, Serialize};

/// A language a bot and its contacts can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// French, the default.
    #[default]
    Fr,
    /// English.
    En,
}

impl Language {
    /// Reads a language tag such as `fr`, `fr-FR` or `en_GB`; `None` for anything else.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Self::Fr),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The two-letter code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("fr", Some(Language::Fr))]
    #[case("fr-CA", Some(Language::Fr))]
    #[case("EN_gb", Some(Language::En))]
    #[case("de", None)]
    #[case("", None)]
    fn language_tags_are_read_by_their_primary_subtag(#[case] tag: &str, #[case] expected: Option<Language>) {
        assert_eq!(Language::from_tag(tag), expected);
    }
}
