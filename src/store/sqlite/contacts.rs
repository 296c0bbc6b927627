//! Contacts and their conversations.

use super::{Arg, SqliteStore, Tx, args, backend_error, doc_text, parse_doc, run, to_doc, write_error};
use crate::domain::contact::{Contact, Email, Identity, Phone};
use crate::domain::dialogue::ConversationRecord;
use crate::domain::{BotId, ContactId};
use crate::store::ContactStore;
use crate::store::{Page, PageRequest, StoreError, StoreResult};
use async_trait::async_trait;

/// Saves a conversation: its bot, its contact, its document.
pub(super) const SAVE_CONVERSATION: &str = "INSERT INTO conversations (bot, contact, doc) VALUES (?, ?, ?) \
                                             ON CONFLICT (bot, contact) DO UPDATE SET doc = excluded.doc, rev = rev + 1";

/// The arguments of [`SAVE_CONVERSATION`] for a conversation.
pub(super) fn conversation_args(record: &ConversationRecord) -> StoreResult<[Arg; 3]> {
    Ok(args![record.bot.as_str(), record.contact.as_str(), to_doc(record)?])
}

fn insert_identities(tx: &Tx, bot: &str, id: &str, identities: &[String]) -> StoreResult<()> {
    for identity in identities {
        run(
            tx,
            "INSERT INTO contact_identities (bot, identity, contact) VALUES (?, ?, ?)",
            &args![bot, identity, id],
        )
        .map_err(|e| write_error(e, "identity", identity))?;
    }
    Ok(())
}

#[async_trait]
impl ContactStore for SqliteStore {
    async fn insert_contact(&self, contact: &Contact) -> StoreResult<()> {
        let (bot, id, doc) = (contact.bot.to_string(), contact.id.to_string(), to_doc(contact)?);
        let identities: Vec<String> = contact.identities.iter().map(Identity::key).collect();
        self.write(move |tx| {
            insert_identities(tx, &bot, &id, &identities)?;
            run(tx, "INSERT INTO contacts (doc) VALUES (?)", &args![doc]).map_err(|e| write_error(e, "contact", id))?;
            Ok(())
        })
        .await
    }

    async fn update_contact(&self, contact: &Contact) -> StoreResult<()> {
        let (bot, id, doc) = (contact.bot.to_string(), contact.id.to_string(), to_doc(contact)?);
        let identities: Vec<String> = contact.identities.iter().map(Identity::key).collect();
        self.write(move |tx| {
            let updated = run(
                tx,
                "UPDATE contacts SET doc = ? WHERE bot = ? AND id = ?",
                &args![doc, &bot, &id],
            )
            .map_err(backend_error)?;
            if updated == 0 {
                return Err(StoreError::NotFound);
            }
            run(
                tx,
                "DELETE FROM contact_identities WHERE bot = ? AND contact = ?",
                &args![&bot, &id],
            )
            .map_err(backend_error)?;
            insert_identities(tx, &bot, &id, &identities)
        })
        .await
    }

    async fn get_contact(&self, bot: &BotId, id: &ContactId) -> StoreResult<Contact> {
        self.fetch_one(
            "SELECT doc FROM contacts WHERE bot = ? AND id = ?",
            args![bot.as_str(), id.as_str()],
        )
        .await
    }

    async fn find_contact_by_identity(&self, bot: &BotId, identity: &Identity) -> StoreResult<Option<Contact>> {
        self.fetch_optional(
            "SELECT c.doc FROM contact_identities i JOIN contacts c ON c.bot = i.bot AND c.id = i.contact \
             WHERE i.bot = ? AND i.identity = ?",
            args![bot.as_str(), identity.key()],
        )
        .await
    }

    async fn find_contact_by_email(&self, bot: &BotId, email: &Email) -> StoreResult<Option<Contact>> {
        self.fetch_optional(
            "SELECT doc FROM contacts WHERE bot = ? AND email = ? ORDER BY created_at, id LIMIT 1",
            args![bot.as_str(), email.as_str()],
        )
        .await
    }

    async fn find_contact_by_phone(&self, bot: &BotId, phone: &Phone) -> StoreResult<Option<Contact>> {
        self.fetch_optional(
            "SELECT doc FROM contacts WHERE bot = ? AND phone = ? ORDER BY created_at, id LIMIT 1",
            args![bot.as_str(), phone.as_str()],
        )
        .await
    }

    async fn list_contacts(&self, bot: &BotId, page: &PageRequest) -> StoreResult<Page<Contact>> {
        let items = self
            .fetch_all(
                "SELECT doc FROM contacts WHERE bot = ? AND id > ? ORDER BY id LIMIT ?",
                args![
                    bot.as_str(),
                    page.after.clone().unwrap_or_default(),
                    i64::from(page.limit) + 1
                ],
            )
            .await?;
        Ok(Page::from_overfetch(items, page.limit, |c: &Contact| c.id.to_string()))
    }

    async fn find_contact_with_conversation(
        &self,
        bot: &BotId,
        identity: &Identity,
    ) -> StoreResult<Option<(Contact, Option<ConversationRecord>)>> {
        let (bot, identity) = (bot.to_string(), identity.key());
        self.read_here(move |conn| contact_with_conversation(conn, &bot, &identity))
            .await
    }

    async fn load_conversation(&self, bot: &BotId, contact: &ContactId) -> StoreResult<Option<ConversationRecord>> {
        self.fetch_optional(
            "SELECT doc FROM conversations WHERE bot = ? AND contact = ?",
            args![bot.as_str(), contact.as_str()],
        )
        .await
    }

    async fn save_conversation(&self, record: &ConversationRecord) -> StoreResult<()> {
        self.execute(SAVE_CONVERSATION, conversation_args(record)?)
            .await
            .map(drop)
    }
}

/// The contact owning an identity (its key), with its conversation: one join.
pub(super) fn contact_with_conversation(
    conn: &rusqlite::Connection,
    bot: &str,
    identity: &str,
) -> StoreResult<Option<(Contact, Option<ConversationRecord>)>> {
    let mut statement = conn
        .prepare_cached(
            "SELECT c.doc, v.doc FROM contact_identities i \
             JOIN contacts c ON c.bot = i.bot AND c.id = i.contact \
             LEFT JOIN conversations v ON v.bot = c.bot AND v.contact = c.id \
             WHERE i.bot = ? AND i.identity = ?",
        )
        .map_err(backend_error)?;
    let mut rows = statement.query([bot, identity]).map_err(backend_error)?;
    let Some(row) = rows.next().map_err(backend_error)? else {
        return Ok(None);
    };
    let contact = parse_doc(doc_text(row)?)?;
    let conversation = match row.get_ref(1).map_err(backend_error)?.as_str_or_null() {
        Ok(Some(text)) => Some(parse_doc(text)?),
        Ok(None) => None,
        Err(e) => return Err(backend_error(e)),
    };
    Ok(Some((contact, conversation)))
}
