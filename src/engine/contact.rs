//! Who wrote: the contact behind a message's sender, found with what its first dialogue step
//! reads, or created on first contact (and linked to a known contact by its WhatsApp number).

use super::{Engine, Inbound, Read, facts};
use crate::config::bots::Bot;
use crate::domain::contact::{Channel, Contact, Identity, Phone};
use crate::domain::dialogue::ConversationRecord;
use crate::store::StoreError;
use chrono::{DateTime, Utc};

impl Engine<'_> {
    /// The contact behind an identity, created on first contact (WhatsApp gives the phone), with
    /// its saved conversation, and the dialogue's snapshot when it was read with them; from the
    /// chat kept in memory when `may_keep` and the store keeps one.
    pub(super) async fn contact(
        &self,
        bot: &Bot,
        inbound: &Inbound,
        identity: &Identity,
        may_keep: bool,
        now: DateTime<Utc>,
    ) -> Result<(Contact, Read), StoreError> {
        let (from, to) = facts::window(bot, now);
        let found = match may_keep {
            true => self.store.find_chat_kept(&bot.id, identity, from, to).await?,
            false => self.store.find_chat(&bot.id, identity, from, to).await?,
        };
        if let Some(found) = found {
            let read = Read {
                conversation: found.conversation,
                snapshot: Some(found.snapshot),
                read_at: found.read_at,
            };
            return Ok((found.contact, read));
        }
        self.new_contact(bot, inbound, identity, now)
            .await
            .map(|(contact, conversation)| {
                let snapshot = None;
                let read_at = None;
                (
                    contact,
                    Read {
                        conversation,
                        snapshot,
                        read_at,
                    },
                )
            })
    }

    /// A contact not found by its identity: created, or found by its WhatsApp number.
    async fn new_contact(
        &self,
        bot: &Bot,
        inbound: &Inbound,
        identity: &Identity,
        now: DateTime<Utc>,
    ) -> Result<(Contact, Option<ConversationRecord>), StoreError> {
        let mut contact = Contact::new(bot.id.clone(), identity.clone(), now);
        contact.language = inbound.language;
        if inbound.channel == Channel::Whatsapp {
            contact.phone = Phone::parse(&inbound.sender, Some(bot.phone_region)).ok();
        }
        // A WhatsApp number already known (given on another channel): the same person, linked.
        if let Some(phone) = &contact.phone
            && let Some(mut known) = self.store.find_contact_by_phone(&bot.id, phone).await?
        {
            known.identities.push(identity.clone());
            self.store.update_contact(&known).await?;
            tracing::info!(contact = %known.id, channel = %inbound.channel, "visitor recognised by their number");
            let conversation = self.store.load_conversation(&bot.id, &known.id).await?;
            return Ok((known, conversation));
        }
        match self.store.insert_contact(&contact).await {
            Ok(()) => Ok((contact, None)),
            // The same person's two first messages at once: the other one created it.
            Err(StoreError::Conflict { .. }) => self
                .store
                .find_contact_with_conversation(&bot.id, identity)
                .await?
                .ok_or(StoreError::NotFound),
            Err(e) => Err(e),
        }
    }
}
