//! Identifiers as newtypes, so a course id can never be passed where a contact id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A fresh id, ordered by creation time (UUID v7).
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7().simple().to_string())
            }

            /// The id as stored and shown.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A contact (a visitor or a lead), unique within a bot.
    ContactId
);
id_type!(
    /// A course of the catalog (for example `yoga-doux`).
    CourseId
);
id_type!(
    /// One dated occurrence of a course.
    SessionId
);
id_type!(
    /// An offer of the catalog (single class, pack, subscription).
    OfferId
);
id_type!(
    /// A booking of a contact for a session.
    BookingId
);
id_type!(
    /// A credit wallet bought with a pack or a subscription.
    WalletId
);
id_type!(
    /// A batch of promo codes created together.
    BatchId
);
id_type!(
    /// One use of a promo code.
    RedemptionId
);
id_type!(
    /// One message waiting in the outbox.
    OutboxId
);
id_type!(
    /// A contact's place on the waitlist of a full session.
    WaitlistId
);

impl BatchId {
    /// A short batch id the coach can type (`K7Q2M`): 5 characters of the promo alphabet.
    pub fn short(rng: &mut (impl rand::Rng + ?Sized)) -> Self {
        Self(crate::domain::promo::code::generate(None, 5, rng))
    }

    /// A batch id as typed by the coach (case and spaces ignored).
    pub fn typed(text: &str) -> Self {
        Self(crate::domain::promo::code::key(text))
    }
}

/// The id of a bot (one business): lower-case letters, digits, `-` and `_`, 1 to 32 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BotId(String);

/// Why a text is not a bot id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a bot id is 1 to 32 characters among a-z, 0-9, '-' and '_' (got {0:?})")]
pub struct BotIdError(pub String);

impl BotId {
    /// Checks the shape of a bot id.
    pub fn parse(value: &str) -> Result<Self, BotIdError> {
        let ok = (1..=32).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(BotIdError(value.to_owned()))
        }
    }

    /// The id as stored and shown.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for BotId {
    type Error = BotIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<BotId> for String {
    fn from(value: BotId) -> Self {
        value.0
    }
}

impl fmt::Display for BotId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("demo", true)]
    #[case("studio-2_b", true)]
    #[case("", false)]
    #[case("Demo", false)]
    #[case("a b", false)]
    #[case("abcdefghijklmnopqrstuvwxyz0123456", false)]
    fn bot_ids_are_checked(#[case] input: &str, #[case] valid: bool) {
        assert_eq!(BotId::parse(input).is_ok(), valid);
    }

    #[test]
    fn generated_ids_are_unique_and_ordered() {
        let a = ContactId::generate();
        let b = ContactId::generate();
        assert_ne!(a, b);
        assert!(a < b, "v7 ids sort by creation time");
    }
}
