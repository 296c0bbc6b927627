//! Ticket tokens: compact, URL-safe, signed. `demo.<base64url(booking id ‖ tag)>`, where the tag is
//! the first 16 bytes of HMAC-SHA256(bot key, "coachbot-ticket" ‖ bot ‖ booking id). Forged or
//! altered tokens fail the constant-time check.

use crate::domain::ids::{BookingId, BotId};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Bytes of the signature kept in a token.
const TAG_LEN: usize = 16;

/// Why a token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    /// Not a ticket token at all.
    #[error("malformed ticket")]
    Malformed,
    /// No such bot here.
    #[error("unknown bot")]
    UnknownBot,
    /// The signature does not match: forged or altered.
    #[error("forged or altered ticket")]
    BadSignature,
}

fn mac(key: &[u8], bot: &BotId, id: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(b"coachbot-ticket");
    mac.update(bot.as_str().as_bytes());
    mac.update(&[0]);
    mac.update(id);
    mac
}

/// The token of a booking of `bot`, signed with the bot's key.
pub fn sign(key: &[u8], bot: &BotId, booking: &BookingId) -> String {
    let id = booking.as_str().as_bytes();
    let tag = mac(key, bot, id).finalize().into_bytes();
    let mut payload = Vec::with_capacity(id.len() + TAG_LEN);
    payload.extend_from_slice(id);
    payload.extend_from_slice(&tag[..TAG_LEN]);
    format!("{bot}.{}", URL_SAFE_NO_PAD.encode(payload))
}

/// The bot a token claims to belong to (before checking it with that bot's key).
pub fn claimed_bot(token: &str) -> Result<BotId, TicketError> {
    let (bot, _) = token.trim().split_once('.').ok_or(TicketError::Malformed)?;
    BotId::parse(bot).map_err(|_| TicketError::Malformed)
}

/// Checks a token with its bot's key and returns the booking it names.
pub fn verify(key: &[u8], token: &str) -> Result<(BotId, BookingId), TicketError> {
    let bot = claimed_bot(token)?;
    let (_, encoded) = token.trim().split_once('.').ok_or(TicketError::Malformed)?;
    let payload = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| TicketError::Malformed)?;
    if payload.len() <= TAG_LEN {
        return Err(TicketError::Malformed);
    }
    let (id, tag) = payload.split_at(payload.len() - TAG_LEN);
    mac(key, &bot, id)
        .verify_truncated_left(tag)
        .map_err(|_| TicketError::BadSignature)?;
    let id = std::str::from_utf8(id).map_err(|_| TicketError::Malformed)?;
    Ok((bot, BookingId::from(id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> BotId {
        BotId::parse("demo").unwrap()
    }

    #[test]
    fn a_signed_token_names_its_booking() {
        let booking = BookingId::generate();
        let token = sign(b"secret", &demo(), &booking);
        assert!(token.starts_with("demo.") && token.len() < 80, "{token}");
        assert!(
            token.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
            "URL-safe: {token}"
        );
        assert_eq!(verify(b"secret", &token), Ok((demo(), booking)));
        assert_eq!(claimed_bot(&token), Ok(demo()));
    }

    #[test]
    fn forged_and_altered_tokens_are_refused() {
        let token = sign(b"secret", &demo(), &BookingId::from("0192f5e1c9a87b3e8e2f6d4c1b0a9f87"));
        assert_eq!(verify(b"another key", &token), Err(TicketError::BadSignature));
        let mut altered = token.clone().into_bytes();
        let last = altered.len() - 3;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            verify(b"secret", std::str::from_utf8(&altered).unwrap()),
            Err(TicketError::BadSignature)
        );
        let other_bot = token.replacen("demo.", "other.", 1);
        assert_eq!(
            verify(b"secret", &other_bot),
            Err(TicketError::BadSignature),
            "the bot is signed too"
        );
        for junk in ["", "demo", "demo.", "demo.@@@", "Demo.abc", "demo.YWJj"] {
            assert_eq!(verify(b"secret", junk), Err(TicketError::Malformed), "{junk:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn verifying_never_panics(token in "\\PC{0,120}") {
            let _ = verify(b"secret", &token);
        }
    }
}
