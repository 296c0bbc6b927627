//! Chats kept in memory: what [`Store::find_chat`](crate::store::Store::find_chat) last read for
//! an identity (the contact, its conversation, bookings and wallets), with the versions of the
//! contact's data and of the catalog it was read at (`contact_versions` and `catalog_versions`,
//! which triggers bump on every write, from any connection or process).
//!
//! [`find_chat_kept`](crate::store::Store::find_chat_kept) answers from here without reading
//! the file: the read that began every message was a sixth of its time (each read transaction
//! that begins after a commit starts from an empty page cache). A kept read may be stale; the
//! message's one write ([`finish_inbound`](crate::store::MessageStore::finish_inbound)) compares
//! both versions before writing anything and refuses it when either moved, and the engine handles
//! the message again from a fresh read. When they match, the copy takes the conversation just
//! saved and the version it now has. A message whose dialogue wants any other write is handled
//! again from a fresh read before that write.
//!
//! A kept chat's conversation is lent to the message that reads it, not copied (copying twenty
//! lines and the dialogue's state, and dropping them, twice a message, was a twentieth of its
//! CPU time in `benches/webhook.rs`), and given back by its write. Meanwhile another message of
//! the same identity reads the file, as does one after a message that never wrote.
//!
//! They are kept within a memory budget (`store.sqlite_kept_chats_mib`), each chat counted by
//! an estimate of what it holds ([`KeptChat::weight`]): a chat's size depends mostly on its
//! last lines (up to 20 of up to 500 characters), from under 2 KiB to over 12, so a budget in
//! bytes bounds the memory where a count of chats would not. A chat past the budget takes the
//! place of arbitrary ones.

use crate::domain::booking::{Booking, Wallet};
use crate::domain::contact::Contact;
use crate::domain::dialogue::ConversationRecord;
use crate::domain::session::Session;
use crate::store::Versions;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One identity's chat as read, at its versions.
#[derive(Debug, Clone)]
pub(super) struct KeptChat {
    pub(super) contact: Contact,
    pub(super) conversation: Option<ConversationRecord>,
    pub(super) bookings: Vec<(Booking, Session)>,
    pub(super) wallets: Vec<Wallet>,
    pub(super) versions: Versions,
}

impl KeptChat {
    /// About how many bytes this chat holds in memory: a fixed part for the contact and the
    /// structures, its conversation's lines, and its bookings and wallets.
    fn weight(&self) -> usize {
        const BASE: usize = 1024;
        const LINE: usize = std::mem::size_of::<crate::domain::dialogue::ChatLine>();
        const BOOKING: usize = 768;
        const WALLET: usize = 256;
        let lines = self
            .conversation
            .as_ref()
            .map_or(0, |c| c.recent.iter().map(|l| LINE + l.text.len()).sum::<usize>() + 256);
        BASE + lines + BOOKING * self.bookings.len() + WALLET * self.wallets.len()
    }
}

/// A kept chat, its weight when it was last counted, and whether its conversation is lent.
struct Entry {
    chat: KeptChat,
    weight: usize,
    lent: bool,
}

#[derive(Default)]
struct Kept {
    /// By bot, then by identity key.
    chats: HashMap<String, HashMap<String, Entry>>,
    /// The kept chats' weights, summed.
    bytes: usize,
}

/// The kept chats of one store.
#[derive(Clone)]
pub(super) struct KeptChats {
    kept: Arc<Mutex<Kept>>,
    /// At most this many bytes, by [`KeptChat::weight`].
    budget: usize,
}

impl KeptChats {
    pub(super) fn new(budget: usize) -> Self {
        Self {
            kept: Arc::default(),
            budget,
        }
    }

    /// The chat kept for an identity, its conversation lent to the caller until
    /// [`saved`](Self::saved) gives one back; `None` when none is kept or it is lent already.
    pub(super) fn lend(&self, bot: &str, identity: &str) -> Option<KeptChat> {
        let mut kept = self.kept.lock().ok()?;
        let entry = kept.chats.get_mut(bot)?.get_mut(identity)?;
        if entry.lent {
            return None;
        }
        entry.lent = true;
        Some(KeptChat {
            contact: entry.chat.contact.clone(),
            conversation: entry.chat.conversation.take(),
            bookings: entry.chat.bookings.clone(),
            wallets: entry.chat.wallets.clone(),
            versions: entry.chat.versions,
        })
    }

    /// Keeps a chat just read, unless a newer one is kept already.
    pub(super) fn keep(&self, bot: &str, identity: &str, chat: KeptChat) {
        let weight = chat.weight();
        if weight > self.budget {
            return;
        }
        let Ok(mut kept) = self.kept.lock() else { return };
        let newer = kept
            .chats
            .get(bot)
            .and_then(|chats| chats.get(identity))
            .is_some_and(|old| old.chat.contact.id == chat.contact.id && newer(old.chat.versions, chat.versions));
        if newer {
            return;
        }
        kept.forget(bot, identity);
        while kept.bytes + weight > self.budget && kept.evict_one() {}
        kept.bytes += weight;
        let entry = Entry {
            chat,
            weight,
            lent: false,
        };
        kept.chats
            .entry(bot.to_owned())
            .or_default()
            .insert(identity.to_owned(), entry);
    }

    /// After a message's write that found the contact's data at `read` and left it at `now`
    /// with `conversation` saved: the kept copy moves along, with the conversation given back,
    /// when it is the one the message read; any other is dropped.
    pub(super) fn saved(
        &self,
        bot: &str,
        identity: &str,
        read: Versions,
        now: Versions,
        conversation: Option<ConversationRecord>,
    ) {
        let Ok(mut guard) = self.kept.lock() else { return };
        let kept = &mut *guard;
        let Some(entry) = kept.chats.get_mut(bot).and_then(|chats| chats.get_mut(identity)) else {
            return;
        };
        if entry.chat.versions != read || (entry.lent && conversation.is_none()) {
            kept.forget(bot, identity);
            return;
        }
        entry.lent = false;
        entry.chat.versions = now;
        if let Some(conversation) = conversation {
            entry.chat.conversation = Some(as_stored(conversation));
        }
        let (before, after) = (entry.weight, entry.chat.weight());
        entry.weight = after;
        kept.bytes = (kept.bytes + after).saturating_sub(before);
        while kept.bytes > self.budget && kept.evict_one() {}
    }

    /// Drops what is kept for an identity.
    pub(super) fn forget(&self, bot: &str, identity: &str) {
        if let Ok(mut kept) = self.kept.lock() {
            kept.forget(bot, identity);
        }
    }
}

impl Kept {
    fn forget(&mut self, bot: &str, identity: &str) {
        if let Some(entry) = self.chats.get_mut(bot).and_then(|chats| chats.remove(identity)) {
            self.bytes = self.bytes.saturating_sub(entry.weight);
        }
    }

    /// Drops one chat, any; false when none is left.
    fn evict_one(&mut self) -> bool {
        let victim = self
            .chats
            .iter()
            .find_map(|(bot, chats)| chats.keys().next().map(|identity| (bot.clone(), identity.clone())));
        match victim {
            Some((bot, identity)) => {
                self.forget(&bot, &identity);
                true
            }
            None => false,
        }
    }
}

/// Whether `a` was read after `b` (every counter only grows).
fn newer(a: Versions, b: Versions) -> bool {
    a.contact >= b.contact && a.conversation >= b.conversation && a.catalog >= b.catalog && a != b
}

/// The conversation as reading it back from the file gives it: its times are stored to the
/// millisecond.
fn as_stored(mut conversation: ConversationRecord) -> ConversationRecord {
    let millis = |at: DateTime<Utc>| DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at);
    conversation.updated_at = millis(conversation.updated_at);
    for line in &mut conversation.recent {
        line.at = millis(line.at);
    }
    conversation
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::BotId;
    use crate::domain::contact::{Channel, Identity};
    use crate::domain::dialogue::ChatLine;

    fn at(contact: i64) -> Versions {
        Versions {
            contact,
            conversation: 0,
            catalog: 1,
        }
    }

    fn chat(id: &str, version: i64) -> KeptChat {
        let mut contact = Contact::new(
            BotId::parse("demo").unwrap(),
            Identity::new(Channel::Telegram, id),
            Utc::now(),
        );
        contact.id = id.into();
        KeptChat {
            contact,
            conversation: None,
            bookings: Vec::new(),
            wallets: Vec::new(),
            versions: at(version),
        }
    }

    impl KeptChats {
        /// The versions of the chat kept for an identity, lent or not.
        fn versions(&self, bot: &str, identity: &str) -> Option<Versions> {
            let kept = self.kept.lock().unwrap();
            Some(kept.chats.get(bot)?.get(identity)?.chat.versions)
        }
    }

    /// Room for `n` chats without a conversation.
    fn room(n: usize) -> usize {
        n * chat("x", 1).weight()
    }

    #[test]
    fn a_chat_read_earlier_does_not_replace_a_newer_one() {
        let kept = KeptChats::new(room(8));
        kept.keep("demo", "telegram:1", chat("a", 5));
        kept.keep("demo", "telegram:1", chat("a", 4));
        assert_eq!(kept.versions("demo", "telegram:1").unwrap(), at(5));
        kept.keep("demo", "telegram:1", chat("a", 6));
        assert_eq!(kept.versions("demo", "telegram:1").unwrap(), at(6));
        assert!(kept.versions("other", "telegram:1").is_none(), "bots are apart");
    }

    #[test]
    fn a_saved_message_moves_its_copy_along_or_drops_another() {
        let kept = KeptChats::new(room(8));
        kept.keep("demo", "telegram:1", chat("a", 5));
        let when = DateTime::parse_from_rfc3339("2026-12-01T10:00:00.123456789Z")
            .unwrap()
            .to_utc();
        let conversation = ConversationRecord {
            bot: BotId::parse("demo").unwrap(),
            contact: "a".into(),
            state: serde_json::json!({ "step": "menu" }),
            recent: vec![ChatLine {
                from_bot: true,
                text: "Bonjour".into(),
                at: when,
            }],
            updated_at: when,
        };
        kept.saved("demo", "telegram:1", at(5), at(6), Some(conversation.clone()));
        let now = kept.lend("demo", "telegram:1").unwrap();
        assert_eq!(now.versions, at(6));
        let stored: ConversationRecord = serde_json::from_str(&serde_json::to_string(&conversation).unwrap()).unwrap();
        assert_eq!(now.conversation, Some(stored), "as the file gives it back");
        // A write that found another version than the one kept: the copy is dropped.
        kept.saved("demo", "telegram:1", at(6), at(7), now.conversation);
        assert_eq!(kept.versions("demo", "telegram:1"), Some(at(7)));
        kept.saved("demo", "telegram:1", at(5), at(8), None);
        assert!(kept.versions("demo", "telegram:1").is_none());
    }

    #[test]
    fn a_conversation_is_lent_to_one_message_at_a_time() {
        let kept = KeptChats::new(room(8));
        let mut first = chat("a", 5);
        first.conversation = Some(ConversationRecord {
            bot: BotId::parse("demo").unwrap(),
            contact: "a".into(),
            state: serde_json::json!({ "step": "menu" }),
            recent: Vec::new(),
            updated_at: DateTime::from_timestamp_millis(1_764_000_000_000).unwrap(),
        });
        kept.keep("demo", "telegram:1", first);
        let lent = kept.lend("demo", "telegram:1").unwrap();
        assert!(lent.conversation.is_some());
        assert!(
            kept.lend("demo", "telegram:1").is_none(),
            "lent already: the next message reads the file"
        );
        // Given back by the message's write: lent again, as it was saved.
        let mut conversation = lent.conversation.unwrap();
        conversation.state = serde_json::json!({ "step": "schedule" });
        kept.saved("demo", "telegram:1", at(5), at(6), Some(conversation.clone()));
        let again = kept.lend("demo", "telegram:1").unwrap();
        assert_eq!((again.versions, again.conversation), (at(6), Some(conversation)));
        // A write that gives nothing back drops a lent chat.
        kept.saved("demo", "telegram:1", at(6), at(7), None);
        assert!(kept.versions("demo", "telegram:1").is_none());
        // Never given back (the message failed): what the file gives next takes its place.
        kept.keep("demo", "telegram:2", chat("b", 3));
        assert!(kept.lend("demo", "telegram:2").is_some());
        kept.keep("demo", "telegram:2", chat("b", 3));
        assert_eq!(kept.lend("demo", "telegram:2").unwrap().versions, at(3));
        assert_eq!(kept.kept.lock().unwrap().bytes, room(1), "weighed once");
    }

    #[test]
    fn no_more_than_the_budget_is_kept() {
        let kept = KeptChats::new(room(3));
        for n in 0..10 {
            kept.keep("demo", &format!("telegram:{n}"), chat(&n.to_string(), 1));
        }
        let count = (0..10)
            .filter(|n| kept.versions("demo", &format!("telegram:{n}")).is_some())
            .count();
        assert_eq!(count, 3);
        assert!(
            kept.versions("demo", "telegram:9").is_some(),
            "the last one read is kept"
        );
        let none = KeptChats::new(0);
        none.keep("demo", "telegram:1", chat("a", 1));
        assert!(none.versions("demo", "telegram:1").is_none());
    }

    #[test]
    fn a_conversation_growing_makes_room_within_the_budget() {
        let kept = KeptChats::new(room(4));
        for n in 0..4 {
            kept.keep("demo", &format!("telegram:{n}"), chat(&n.to_string(), 1));
        }
        let count = |kept: &KeptChats| {
            (0..4)
                .filter(|n| kept.versions("demo", &format!("telegram:{n}")).is_some())
                .count()
        };
        assert_eq!(count(&kept), 4);
        // Twenty long lines weigh more than a chat without any: another chat makes way.
        let line = ChatLine {
            from_bot: true,
            text: "x".repeat(500),
            at: Utc::now(),
        };
        let conversation = ConversationRecord {
            bot: BotId::parse("demo").unwrap(),
            contact: "0".into(),
            state: serde_json::json!({}),
            recent: vec![line; 20],
            updated_at: Utc::now(),
        };
        kept.saved("demo", "telegram:0", at(1), at(2), Some(conversation));
        assert!(count(&kept) < 4, "the budget holds: {} chats kept", count(&kept));
        let bytes = kept.kept.lock().unwrap().bytes;
        assert!(bytes <= room(4), "{bytes} bytes kept");
        // What is dropped gives its weight back: nothing kept, nothing counted.
        for n in 0..4 {
            kept.forget("demo", &format!("telegram:{n}"));
        }
        assert_eq!(kept.kept.lock().unwrap().bytes, 0);
    }
}
