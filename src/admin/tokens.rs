//! Splits a command line into words; `note:"un texte"` (or with “ ” « » as phones type them) is one word.

/// Why a line cannot be split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnbalancedQuote;

fn is_open_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '«' | '„')
}

fn is_close_quote(c: char) -> bool {
    matches!(c, '"' | '”' | '»' | '“')
}

/// The words of `line`, quotes removed.
pub fn split(line: &str) -> Result<Vec<String>, UnbalancedQuote> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut in_word = false;
    let mut quote_start = 0;
    for c in line.chars() {
        if quoted {
            if is_close_quote(c) {
                quoted = false;
                // « Noël » as typed in French: spaces just inside the quotes are not part of the value.
                let inner = word[quote_start..].trim().to_owned();
                word.truncate(quote_start);
                word.push_str(&inner);
            } else {
                word.push(c);
            }
        } else if is_open_quote(c) {
            quoted = true;
            in_word = true;
            quote_start = word.len();
        } else if c.is_whitespace() {
            if in_word {
                words.push(std::mem::take(&mut word).trim().to_owned());
                in_word = false;
            }
        } else {
            word.push(c);
            in_word = true;
        }
    }
    if quoted {
        return Err(UnbalancedQuote);
    }
    if in_word {
        words.push(word.trim().to_owned());
    }
    Ok(words)
}

/// A value written back into a command, quoted when it holds spaces.
pub fn quote(value: &str) -> String {
    if value.chars().any(char::is_whitespace) || value.is_empty() {
        format!("\"{value}\"")
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_stay_one_word() {
        assert_eq!(
            split("/promo 5 -10% note:\"Salon du bien-être\" max:2").unwrap(),
            ["/promo", "5", "-10%", "note:Salon du bien-être", "max:2"]
        );
        assert_eq!(split("note:“Noël 2026”").unwrap(), ["note:Noël 2026"]);
        assert_eq!(split("note:« Noël »").unwrap(), ["note:Noël"]);
        assert_eq!(split("  a   b ").unwrap(), ["a", "b"]);
        assert_eq!(split("note:\"oops"), Err(UnbalancedQuote));
    }
}
