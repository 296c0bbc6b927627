//! The texts people read, in French and English, from the Fluent catalogs in `bots/locales/`
//! (`fr.ftl`, `en.ftl`). Code names a message and its arguments; the words live in the catalogs.
//!
//! The catalogs are compiled in, and a `locales/` folder next to the bot files replaces them at
//! start, so a studio can reword its bot without a rebuild. Rendering is pure: usable from the
//! dialogue state machine as well as from the coach's commands.
//!
//! A message rendered with arguments is remembered for the next time the same ones are asked for
//! (a bounded memo, which the output cannot tell from rendering again): Fluent resolves a pattern
//! in about 2 µs, and a schedule renders a line per session with the same few arguments for every
//! visitor who asks for it, a twentieth of a chat message's CPU time in `benches/webhook.rs`.

use crate::domain::language::Language;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::collections::HashMap;
use std::sync::Mutex;

/// At most this many rendered messages are remembered; past it, the memo starts again empty.
const MEMO_ENTRIES: usize = 4096;

/// The compiled-in French catalog.
pub const FR: &str = include_str!("../bots/locales/fr.ftl");
/// The compiled-in English catalog.
pub const EN: &str = include_str!("../bots/locales/en.ftl");

/// One argument of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A text, inserted as is.
    Text(String),
    /// A number (drives plural forms).
    Number(f64),
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<&String> for Arg {
    fn from(value: &String) -> Self {
        Self::Text(value.clone())
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(value: $t) -> Self {
                Self::Number(value as f64)
            }
        }
    )*};
}
number_arg!(u8, u32, u64, usize, i64);

/// The catalogs of every language.
pub struct Texts {
    bundles: HashMap<Language, FluentBundle<FluentResource>>,
    /// Messages rendered with arguments, by [`memo_key`].
    memo: Mutex<HashMap<Vec<u8>, String>>,
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Texts")
            .field("languages", &self.bundles.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Texts {
    /// The compiled-in catalogs.
    pub fn builtin() -> Self {
        Self::from_sources(&[(Language::Fr, FR.to_owned()), (Language::En, EN.to_owned())])
            .expect("the compiled-in catalogs are checked by tests")
    }

    /// Catalogs from Fluent sources; an error names the language and what is wrong.
    pub fn from_sources(sources: &[(Language, String)]) -> Result<Self, String> {
        let mut bundles = HashMap::new();
        for (language, source) in sources {
            let resource = FluentResource::try_new(source.clone())
                .map_err(|(_, errors)| format!("{}.ftl: {errors:?}", language.code()))?;
            let id = language
                .code()
                .parse()
                .map_err(|e| format!("{}: {e}", language.code()))?;
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            bundle.set_use_isolating(false);
            bundle
                .add_resource(resource)
                .map_err(|errors| format!("{}.ftl: {errors:?}", language.code()))?;
            bundles.insert(*language, bundle);
        }
        if !bundles.contains_key(&Language::Fr) {
            return Err("the French catalog (fr.ftl) is required".into());
        }
        Ok(Self {
            bundles,
            memo: Mutex::default(),
        })
    }

    /// Renders message `id` in `language` (French when that language lacks it). A message missing
    /// everywhere renders as its id, and is logged.
    pub fn get(&self, language: Language, id: &str, args: &[(&str, Arg)]) -> String {
        if args.is_empty() {
            return self.render(language, id, args).0;
        }
        let key = memo_key(language, id, args);
        if let Some(text) = self.memo.lock().ok().and_then(|memo| memo.get(&key).cloned()) {
            return text;
        }
        let (text, clean) = self.render(language, id, args);
        if clean && let Ok(mut memo) = self.memo.lock() {
            if memo.len() >= MEMO_ENTRIES {
                memo.clear();
            }
            memo.insert(key, text.clone());
        }
        text
    }

    /// Renders a message with Fluent; whether it rendered without errors.
    fn render(&self, language: Language, id: &str, args: &[(&str, Arg)]) -> (String, bool) {
        let bundle = self
            .bundles
            .get(&language)
            .filter(|b| b.has_message(id))
            .or_else(|| self.bundles.get(&Language::Fr));
        let Some((bundle, pattern)) = bundle.and_then(|b| Some((b, b.get_message(id)?.value()?))) else {
            tracing::error!(id, "message missing from the catalogs");
            return (id.to_owned(), false);
        };
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            match value {
                Arg::Text(text) => fluent_args.set(*name, FluentValue::from(text.as_str())),
                Arg::Number(n) => fluent_args.set(*name, FluentValue::from(*n)),
            }
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            tracing::error!(id, ?errors, "message rendered with errors");
        }
        (text.into_owned(), errors.is_empty())
    }

    /// The ids of every message in a language's catalog.
    pub fn ids(source: &str) -> Vec<String> {
        let Ok(resource) = FluentResource::try_new(source.to_owned()) else {
            return Vec::new();
        };
        resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }
}

/// Renders a message: `t!(texts, lang, "promo-created", "count" => 10)`.
#[macro_export]
macro_rules! t {
    ($texts:expr, $lang:expr, $id:expr $(, $name:literal => $value:expr)* $(,)?) => {
        $texts.get($lang, $id, &[$(($name, $crate::i18n::Arg::from($value))),*])
    };
}

/// A message's language, id and arguments, written so that two different ones never give the
/// same key: each text is preceded by its length, each argument's value by its kind.
fn memo_key(language: Language, id: &str, args: &[(&str, Arg)]) -> Vec<u8> {
    fn text(key: &mut Vec<u8>, text: &str) {
        key.extend_from_slice(&text.len().to_le_bytes());
        key.extend_from_slice(text.as_bytes());
    }
    let mut key = Vec::with_capacity(128);
    text(&mut key, language.code());
    text(&mut key, id);
    for (name, value) in args {
        text(&mut key, name);
        match value {
            Arg::Text(value) => {
                key.push(b'"');
                text(&mut key, value);
            }
            Arg::Number(n) => {
                key.push(b'#');
                key.extend_from_slice(&n.to_bits().to_le_bytes());
            }
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn french_and_english_catalogs_hold_the_same_messages() {
        let fr: BTreeSet<String> = Texts::ids(FR).into_iter().collect();
        let en: BTreeSet<String> = Texts::ids(EN).into_iter().collect();
        assert!(!fr.is_empty());
        assert_eq!(
            fr.difference(&en).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "missing in en.ftl"
        );
        assert_eq!(
            en.difference(&fr).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "missing in fr.ftl"
        );
    }

    #[test]
    fn plurals_follow_the_language() {
        let texts = Texts::builtin();
        assert_eq!(
            t!(texts, Language::Fr, "promo-created-count", "count" => 1u32),
            "1 code créé"
        );
        assert_eq!(
            t!(texts, Language::Fr, "promo-created-count", "count" => 10u32),
            "10 codes créés"
        );
        assert_eq!(
            t!(texts, Language::En, "promo-created-count", "count" => 1u32),
            "1 code created"
        );
    }

    #[test]
    fn a_remembered_message_is_the_one_its_arguments_render() {
        let texts = Texts::builtin();
        let line = |when: &str, course: &str, left: u32| t!(texts, Language::Fr, "schedule-line", "when" => when, "course" => course, "left" => left);
        for _ in 0..2 {
            assert_eq!(
                line("lun 07/12 19:00", "Pilates", 1),
                "lun 07/12 19:00 · Pilates · 1 place"
            );
            assert_eq!(
                line("lun 07/12 19:00", "Pilates", 10),
                "lun 07/12 19:00 · Pilates · 10 places"
            );
            assert_eq!(
                line("lun 07/12 19:00", "Pilates", 0),
                "lun 07/12 19:00 · Pilates · complet"
            );
            // Texts that would read alike if joined without their lengths.
            assert_eq!(line("a|course:1:b", "c", 2), "a|course:1:b · c · 2 places");
            assert_eq!(line("a", "b|course:1:c", 2), "a · b|course:1:c · 2 places");
        }
        assert_eq!(
            t!(texts, Language::En, "schedule-line", "when" => "Mon 07/12 19:00", "course" => "Pilates", "left" => 1u32),
            "Mon 07/12 19:00 · Pilates · 1 seat"
        );
        for n in 0..MEMO_ENTRIES + 10 {
            line("x", &n.to_string(), 3);
        }
        assert!(texts.memo.lock().unwrap().len() <= MEMO_ENTRIES);
        assert_eq!(
            line("lun 07/12 19:00", "Pilates", 1),
            "lun 07/12 19:00 · Pilates · 1 place"
        );
    }

    #[test]
    fn a_missing_message_falls_back_to_french_then_to_its_id() {
        let texts = Texts::from_sources(&[
            (
                Language::Fr,
                "hello = Bonjour { $name }\nonly-fr = Seulement en français".into(),
            ),
            (Language::En, "hello = Hello { $name }".into()),
        ])
        .unwrap();
        assert_eq!(t!(texts, Language::En, "hello", "name" => "Marie"), "Hello Marie");
        assert_eq!(t!(texts, Language::En, "only-fr"), "Seulement en français");
        assert_eq!(t!(texts, Language::En, "nowhere"), "nowhere");
    }
}
