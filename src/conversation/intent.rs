//! What a visitor's free text asks for, French first and English too. Accents, case and
//! punctuation are ignored and one typo is forgiven in longer words ("reserver", "RÉSERVER",
//! "réserer" all book).

use unicode_normalization::UnicodeNormalization;

/// What the visitor wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// Book a class.
    Book,
    /// See when classes are.
    Schedule,
    /// See offers and prices.
    Prices,
    /// See their bookings.
    MyBookings,
    /// Cancel a booking.
    Cancel,
    /// Move a booking to another date.
    Move,
    /// See their credits.
    Credits,
    /// Enter a promo code.
    Promo,
    /// Talk to the coach.
    Coach,
    /// What can you do?
    Help,
    /// Stop receiving messages.
    Stop,
    /// Receive messages again (also Telegram's `/start`).
    Start,
    /// Hello.
    Greeting,
    /// Thanks.
    Thanks,
    /// Yes.
    Yes,
    /// No.
    No,
    /// Nothing recognised.
    Unknown,
}

/// Lower-case words without accents or punctuation.
pub fn words(text: &str) -> Vec<String> {
    let plain: String = text
        .nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() || c == '?' { c } else { ' ' })
        .collect();
    plain
        .split_whitespace()
        .flat_map(|w| {
            // "reserver?" → "reserver", "?"
            let (word, question) = match w.strip_suffix('?') {
                Some(rest) if !rest.is_empty() => (rest, true),
                _ => (w, false),
            };
            std::iter::once(word.to_owned()).chain(question.then(|| "?".to_owned()))
        })
        .collect()
}

/// Whether `word` is `key`, allowing one typo when both are long enough. One typo changes the
/// length by one letter at most, so other lengths are told apart without the distance. A typo is
/// one letter added, dropped, replaced, or two neighbours swapped: at a distance of one, the
/// optimal-string-alignment distance is the Damerau–Levenshtein one, and it costs three small
/// vectors where the other builds a table and a map for every word compared.
fn is(word: &str, key: &str) -> bool {
    word == key
        || (key.len() >= 6
            && word.len() >= 5
            && word.chars().count().abs_diff(key.chars().count()) <= 1
            && strsim::osa_distance(word, key) <= 1)
}

fn any(words: &[String], keys: &[&str]) -> bool {
    words.iter().any(|w| keys.iter().any(|k| is(w, k)))
}

const STOP: &[&str] = &[
    "stop",
    "arret",
    "arreter",
    "desabonner",
    "desinscrire",
    "unsubscribe",
    "stopall",
];
const START: &[&str] = &["start", "demarrer", "subscribe", "reabonner"];
const CANCEL: &[&str] = &["annuler", "annulation", "annule", "cancel", "desister", "decommander"];
const MOVE: &[&str] = &[
    "deplacer",
    "decaler",
    "reporter",
    "changer",
    "modifier",
    "move",
    "reschedule",
    "change",
];
const MINE: &[&str] = &["mes", "ma", "mon", "my"];
const BOOKINGS: &[&str] = &[
    "reservations",
    "reservation",
    "resas",
    "resa",
    "bookings",
    "booking",
    "cours",
    "seances",
];
const CREDITS: &[&str] = &["credit", "credits", "solde", "carnet", "balance"];
const PROMO: &[&str] = &["promo", "code", "coupon", "reduction", "remise", "discount"];
const COACH: &[&str] = &[
    "coach",
    "humain",
    "quelqu",
    "personne",
    "parler",
    "human",
    "someone",
    "prof",
    "professeur",
];
const BOOK: &[&str] = &[
    "reserver",
    "reservation",
    "reserve",
    "inscrire",
    "inscription",
    "book",
    "booking",
    "place",
    "essai",
];
const SCHEDULE: &[&str] = &[
    "planning",
    "horaires",
    "horaire",
    "quand",
    "schedule",
    "calendrier",
    "when",
    "jours",
    "heures",
];
const PRICES: &[&str] = &[
    "prix",
    "tarif",
    "tarifs",
    "combien",
    "coute",
    "offre",
    "offres",
    "abonnement",
    "price",
    "prices",
    "cost",
    "pack",
    "forfait",
];
const HELP: &[&str] = &["aide", "help", "menu", "?", "options"];
const YES: &[&str] = &[
    "oui",
    "yes",
    "ok",
    "okay",
    "ouais",
    "yep",
    "volontiers",
    "daccord",
    "accord",
    "sure",
    "certes",
];
const NO: &[&str] = &["non", "no", "nope", "nan", "jamais"];
const GREETING: &[&str] = &["bonjour", "salut", "hello", "hi", "coucou", "bonsoir", "hey", "yo"];
const THANKS: &[&str] = &["merci", "thanks", "thank", "thx"];

/// The intent of a free text.
pub fn detect(text: &str) -> Intent {
    let words = words(text);
    if words.is_empty() {
        return Intent::Unknown;
    }
    let short = words.len() <= 2;
    if short && any(&words, STOP) {
        return Intent::Stop;
    }
    if short && (any(&words, START) || text.trim().eq_ignore_ascii_case("/start")) {
        return Intent::Start;
    }
    if any(&words, CANCEL) {
        return Intent::Cancel;
    }
    if any(&words, MOVE) && (short || any(&words, BOOKINGS)) {
        return Intent::Move;
    }
    if any(&words, MINE) && any(&words, BOOKINGS) {
        return Intent::MyBookings;
    }
    let table: [(&[&str], Intent); 6] = [
        (CREDITS, Intent::Credits),
        (PROMO, Intent::Promo),
        (COACH, Intent::Coach),
        (BOOK, Intent::Book),
        (SCHEDULE, Intent::Schedule),
        (PRICES, Intent::Prices),
    ];
    if let Some((_, intent)) = table.iter().find(|(keys, _)| any(&words, keys)) {
        return *intent;
    }
    if words
        .iter()
        .any(|w| w == "cours" || w == "class" || w == "classes" || w == "yoga")
    {
        return Intent::Book;
    }
    let table: [(&[&str], Intent); 5] = [
        (HELP, Intent::Help),
        (YES, Intent::Yes),
        (NO, Intent::No),
        (GREETING, Intent::Greeting),
        (THANKS, Intent::Thanks),
    ];
    table
        .iter()
        .find(|(keys, _)| any(&words, keys))
        .map_or(Intent::Unknown, |(_, intent)| *intent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("Je voudrais réserver un cours", Intent::Book)]
    #[case("RESERVER", Intent::Book)]
    #[case("réserer", Intent::Book)]
    #[case("resevrer", Intent::Book)]
    #[case("reserverr", Intent::Book)]
    #[case("plannign", Intent::Schedule)]
    #[case("planing", Intent::Schedule)]
    #[case("palnnign", Intent::Unknown)]
    #[case("I'd like to book a class", Intent::Book)]
    #[case("c'est quoi le planning ?", Intent::Schedule)]
    #[case("Horaires", Intent::Schedule)]
    #[case("combien ça coûte", Intent::Prices)]
    #[case("vos tarifs svp", Intent::Prices)]
    #[case("what are your prices?", Intent::Prices)]
    #[case("mes réservations", Intent::MyBookings)]
    #[case("my bookings", Intent::MyBookings)]
    #[case("je veux annuler ma réservation", Intent::Cancel)]
    #[case("cancel", Intent::Cancel)]
    #[case("déplacer mon cours", Intent::Move)]
    #[case("Déplacer", Intent::Move)]
    #[case("il me reste combien de crédits", Intent::Credits)]
    #[case("j'ai un code promo", Intent::Promo)]
    #[case("je veux parler au coach", Intent::Coach)]
    #[case("aide", Intent::Help)]
    #[case("STOP", Intent::Stop)]
    #[case("Arrêt", Intent::Stop)]
    #[case("désabonner", Intent::Stop)]
    #[case("START", Intent::Start)]
    #[case("/start", Intent::Start)]
    #[case("Bonjour !", Intent::Greeting)]
    #[case("oui", Intent::Yes)]
    #[case("Non merci", Intent::No)]
    #[case("merci beaucoup", Intent::Thanks)]
    #[case("", Intent::Unknown)]
    #[case("🙂", Intent::Unknown)]
    #[case("مرحبا", Intent::Unknown)]
    #[case("xylophone", Intent::Unknown)]
    fn free_text_finds_its_intent(#[case] text: &str, #[case] expected: Intent) {
        assert_eq!(detect(text), expected, "{text:?}");
    }

    #[test]
    fn a_long_sentence_with_stop_in_it_is_not_an_opt_out() {
        assert_ne!(detect("je ne veux pas que ça s'arrête, je veux réserver"), Intent::Stop);
    }

    proptest::proptest! {
        #[test]
        fn any_text_gets_an_intent_without_panicking(text in "\\PC{0,300}") {
            let _ = detect(&text);
        }

        #[test]
        fn binary_junk_gets_an_intent_without_panicking(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2000)) {
            let _ = detect(&String::from_utf8_lossy(&bytes));
        }
    }
}
