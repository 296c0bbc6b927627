//! Contacts and their conversations.

use super::{SqliteStore, args, backend_error, query, to_doc, write_error};
use crate::domain::contact::{Contact, Email, Identity, Phone};
use crate::domain::dialogue::ConversationRecord;
use crate::domain::{BotId, ContactId};
use crate::store::ContactStore;
use crate::store::{Page, PageRequest, StoreError, StoreResult};
use async_trait::async_trait;
use sqlx::{Sqlite, Transaction};

impl SqliteStore {
    async fn insert_identities(tx: &mut Transaction<'_, Sqlite>, contact: &Contact) -> StoreResult<()> {
        for identity in &contact.identities {
            query(
                "INSERT INTO contact_identities (bot, identity, contact) VALUES (?, ?, ?)",
                args![contact.bot.as_str(), identity.key(), contact.id.as_str()],
            )
            .execute(&mut **tx)
            .await
            .map_err(|e| write_error(e, "identity", identity.key()))?;
        }
        Ok(())
    }
}

#[async_trait]
impl ContactStore for SqliteStore {
    async fn insert_contact(&self, contact: &Contact) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(backend_error)?;
        Self::insert_identities(&mut tx, contact).await?;
        query("INSERT INTO contacts (doc) VALUES (?)", args![to_doc(contact)?])
            .execute(&mut *tx)
            .await
            .map_err(|e| write_error(e, "contact", contact.id.as_str()))?;
        tx.commit().await.map_err(backend_error)
    }

    async fn update_contact(&self, contact: &Contact) -> StoreResult<()> {
        let (bot, id) = (contact.bot.as_str(), contact.id.as_str());
        let mut tx = self.writer.begin().await.map_err(backend_error)?;
        let updated = query(
            "UPDATE contacts SET doc = ? WHERE bot = ? AND id = ?",
            args![to_doc(contact)?, bot, id],
        )
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        query(
            "DELETE FROM contact_identities WHERE bot = ? AND contact = ?",
            args![bot, id],
        )
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        Self::insert_identities(&mut tx, contact).await?;
        tx.commit().await.map_err(backend_error)
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

    async fn load_conversation(&self, bot: &BotId, contact: &ContactId) -> StoreResult<Option<ConversationRecord>> {
        self.fetch_optional(
            "SELECT doc FROM conversations WHERE bot = ? AND contact = ?",
            args![bot.as_str(), contact.as_str()],
        )
        .await
    }

    async fn save_conversation(&self, record: &ConversationRecord) -> StoreResult<()> {
        self.execute(
            "INSERT INTO conversations (doc) VALUES (?) ON CONFLICT (bot, contact) DO UPDATE SET doc = excluded.doc",
            args![to_doc(record)?],
        )
        .await
        .map(drop)
    }
}
