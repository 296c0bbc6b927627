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
/// length by one letter at most, so other lengths are told apart without comparing further.
fn is(word: &str, key: &str) -> bool {
    word == key
        || (key.len() >= 6
            && word.len() >= 5
            && word.chars().count().abs_diff(key.chars().count()) <= 1
            && one_typo_apart(word, key))
}

/// Whether one typo turns `a` into `b`: a letter added, dropped or replaced, or two neighbours
/// swapped (an optimal-string-alignment distance of one at most). What the two share at the start
/// and at the end is set aside; one typo leaves at most one letter on each side in between, or two
/// swapped ones. No table is built: this runs for every word of a message against every keyword,
/// and `strsim::osa_distance`'s vectors were 2 % of a message's time.
fn one_typo_apart(a: &str, b: &str) -> bool {
    let shared = |x: &mut dyn Iterator<Item = (char, char)>| -> usize {
        x.take_while(|(p, q)| p == q).map(|(p, _)| p.len_utf8()).sum()
    };
    let start = shared(&mut a.chars().zip(b.chars()));
    let (a, b) = (&a[start..], &b[start..]);
    let end = shared(&mut a.chars().rev().zip(b.chars().rev()));
    let (a, b) = (&a[..a.len() - end], &b[..b.len() - end]);
    let (mut x, mut y) = (a.chars(), b.chars());
    match (a.chars().count(), b.chars().count()) {
        (0 | 1, 0 | 1) => true,
        (2, 2) => {
            let (x0, x1, y0, y1) = (x.next(), x.next(), y.next(), y.next());
            x0 == y1 && x1 == y0
        }
        _ => false,
    }
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

    #[rstest]
    #[case("planning", "planning", true)]
    #[case("planing", "planning", true)]
    #[case("plannign", "planning", true)]
    #[case("plenning", "planning", true)]
    #[case("planningg", "planning", true)]
    #[case("palnnign", "planning", false)]
    #[case("plannnnng", "planning", false)]
    #[case("réserer", "réserver", true)]
    #[case("rséerver", "réserver", true)]
    #[case("reserver", "réserver", true)]
    #[case("ab", "ba", true)]
    #[case("abc", "ca", false)]
    #[case("", "a", true)]
    #[case("", "ab", false)]
    fn one_typo_is_a_letter_added_dropped_replaced_or_two_swapped(
        #[case] a: &str,
        #[case] b: &str,
        #[case] expected: bool,
    ) {
        assert_eq!(one_typo_apart(a, b), expected, "{a:?} {b:?}");
        assert_eq!(one_typo_apart(b, a), expected, "{b:?} {a:?}");
    }

    proptest::proptest! {
        /// The optimal-string-alignment distance itself says which words are one typo apart.
        #[test]
        fn one_typo_apart_agrees_with_the_edit_distance(a in "[abé]{0,7}", b in "[abé]{0,7}") {
            proptest::prop_assert_eq!(one_typo_apart(&a, &b), strsim::osa_distance(&a, &b) <= 1);
        }

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
