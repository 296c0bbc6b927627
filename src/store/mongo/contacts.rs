//! Contacts and their conversations.

use super::{MongoStore, key};
use crate::domain::contact::{Contact, Email, Identity, Phone};
use crate::domain::dialogue::ConversationRecord;
use crate::domain::{BotId, ContactId};
use crate::store::ContactStore;
use crate::store::{Page, PageRequest, StoreResult};
use async_trait::async_trait;
use mongodb::bson::doc;

#[async_trait]
impl ContactStore for MongoStore {
    async fn insert_contact(&self, contact: &Contact) -> StoreResult<()> {
        let keys = contact
            .identities
            .iter()
            .map(Identity::key)
            .collect::<Vec<_>>()
            .join(", ");
        self.insert("contacts", contact, "contact or identity", &keys).await
    }

    async fn update_contact(&self, contact: &Contact) -> StoreResult<()> {
        self.replace(
            "contacts",
            key(&contact.bot, contact.id.as_str()),
            contact,
            false,
            "identity",
        )
        .await
    }

    async fn get_contact(&self, bot: &BotId, id: &ContactId) -> StoreResult<Contact> {
        self.find_one("contacts", key(bot, id.as_str())).await
    }

    async fn find_contact_by_identity(&self, bot: &BotId, identity: &Identity) -> StoreResult<Option<Contact>> {
        self.find_optional("contacts", doc! { "bot": bot.as_str(), "identities": identity.key() })
            .await
    }

    async fn find_contact_by_email(&self, bot: &BotId, email: &Email) -> StoreResult<Option<Contact>> {
        let found = self
            .find_all(
                "contacts",
                doc! { "bot": bot.as_str(), "email": email.as_str() },
                doc! { "created_at": 1, "id": 1 },
                Some(1),
            )
            .await?;
        Ok(found.into_iter().next())
    }

    async fn find_contact_by_phone(&self, bot: &BotId, phone: &Phone) -> StoreResult<Option<Contact>> {
        let found = self
            .find_all(
                "contacts",
                doc! { "bot": bot.as_str(), "phone": phone.as_str() },
                doc! { "created_at": 1, "id": 1 },
                Some(1),
            )
            .await?;
        Ok(found.into_iter().next())
    }

    async fn list_contacts(&self, bot: &BotId, page: &PageRequest) -> StoreResult<Page<Contact>> {
        let after = page.after.clone().unwrap_or_default();
        let items = self
            .find_all(
                "contacts",
                doc! { "bot": bot.as_str(), "id": { "$gt": after } },
                doc! { "id": 1 },
                Some(i64::from(page.limit) + 1),
            )
            .await?;
        Ok(Page::from_overfetch(items, page.limit, |c: &Contact| c.id.to_string()))
    }

    async fn load_conversation(&self, bot: &BotId, contact: &ContactId) -> StoreResult<Option<ConversationRecord>> {
        self.find_optional(
            "conversations",
            doc! { "bot": bot.as_str(), "contact": contact.as_str() },
        )
        .await
    }

    async fn save_conversation(&self, record: &ConversationRecord) -> StoreResult<()> {
        let filter = doc! { "bot": record.bot.as_str(), "contact": record.contact.as_str() };
        self.replace("conversations", filter, record, true, "conversation")
            .await
    }
}
