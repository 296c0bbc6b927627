//! Promo code texts: generation from an alphabet without look-alikes, and the key a typed code is
//! matched by (case-insensitive, spaces and dashes ignored).

use rand::Rng;

/// The characters of generated codes: A–Z and 2–9 without the look-alikes 0/O, 1/I/L.
pub const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Default length of the random part.
pub const DEFAULT_LEN: u8 = 8;
/// Shortest and longest random part.
pub const LEN_RANGE: std::ops::RangeInclusive<u8> = 6..=16;
/// Longest prefix.
pub const MAX_PREFIX: usize = 12;

/// Why a prefix cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a prefix is 1 to 12 letters A–Z or digits 0–9 (got {0:?}); for example prefix:NOEL")]
pub struct PrefixError(pub String);

/// Checks a prefix (upper-cased).
pub fn parse_prefix(text: &str) -> Result<String, PrefixError> {
    let upper = text.trim().to_ascii_uppercase();
    let ok =
        (1..=MAX_PREFIX).contains(&upper.len()) && upper.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if ok {
        Ok(upper)
    } else {
        Err(PrefixError(text.to_owned()))
    }
}

/// A new code: `PREFIX-XXXXXXXX`, or the random part alone. The random part always holds a letter,
/// so a code can never be mistaken for a count in a command.
pub fn generate(prefix: Option<&str>, len: u8, rng: &mut (impl Rng + ?Sized)) -> String {
    let random: String = loop {
        let candidate: String = (0..len)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect();
        if candidate.bytes().any(|b| b.is_ascii_alphabetic()) {
            break candidate;
        }
    };
    match prefix {
        Some(prefix) => format!("{prefix}-{random}"),
        None => random,
    }
}

/// The key a code is stored and matched by: upper case, without spaces, dashes, dots or underscores.
pub fn key(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '.' | '–'))
        .flat_map(char::to_uppercase)
        .collect()
}

/// Whether a word looks like a promo code someone could have typed (for free-text detection).
pub fn looks_like_code(word: &str) -> bool {
    let k = key(word);
    (LEN_RANGE.start().to_owned() as usize..=MAX_PREFIX + *LEN_RANGE.end() as usize).contains(&k.len())
        && k.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::collections::HashSet;

    #[test]
    fn generated_codes_use_the_alphabet_and_the_prefix() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..1000 {
            let code = generate(Some("NOEL"), 8, &mut rng);
            let random = code.strip_prefix("NOEL-").expect("prefixed");
            assert_eq!(random.len(), 8);
            assert!(random.bytes().all(|b| ALPHABET.contains(&b)), "{code}");
            assert!(!random.contains(['0', 'O', '1', 'I', 'L']), "{code}");
            assert!(random.bytes().any(|b| b.is_ascii_alphabetic()), "{code}");
        }
        assert_eq!(generate(None, 12, &mut rng).len(), 12);
    }

    #[test]
    fn typed_codes_match_whatever_the_case_spaces_and_dashes() {
        assert_eq!(key("noel-7kq2 m9xt"), "NOEL7KQ2M9XT");
        assert_eq!(key(" NOEL 7KQ2-M9XT "), key("NOEL-7KQ2M9XT"));
        assert_eq!(key("été"), "ÉTÉ");
    }

    #[test]
    fn prefixes_are_letters_and_digits_only() {
        assert_eq!(parse_prefix("noel25"), Ok("NOEL25".into()));
        for bad in ["", "NO-EL", "NOËL", "ABCDEFGHIJKLM", "a b"] {
            assert!(parse_prefix(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_million_codes_from_a_seeded_generator_are_mostly_unique() {
        // Uniqueness is enforced by the store (a taken code is regenerated); this only checks that
        // the generator spreads over its space: at 31^8 codes, collisions among 10^5 are rare.
        let mut rng = rand::rngs::StdRng::seed_from_u64(42);
        let codes: HashSet<String> = (0..100_000).map(|_| generate(None, 8, &mut rng)).collect();
        assert!(codes.len() >= 99_990, "{}", codes.len());
    }

    proptest::proptest! {
        #[test]
        fn key_is_idempotent(text in "\\PC{0,30}") {
            proptest::prop_assert_eq!(key(&key(&text)), key(&text));
        }
    }
}
