//! Bookings and credit wallets.

use super::{MongoStore, key, with};
use crate::domain::booking::{Booking, Wallet};
use crate::domain::{BookingId, BotId, ContactId, SessionId, WalletId};
use crate::store::BookingStore;
use crate::store::{StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mongodb::bson::doc;

#[async_trait]
impl BookingStore for MongoStore {
    async fn insert_booking(&self, booking: &Booking) -> StoreResult<()> {
        self.insert("bookings", booking, "booking", booking.id.as_str()).await
    }

    async fn update_booking(&self, booking: &Booking) -> StoreResult<()> {
        self.replace(
            "bookings",
            key(&booking.bot, booking.id.as_str()),
            booking,
            false,
            "booking",
        )
        .await
    }

    async fn get_booking(&self, bot: &BotId, id: &BookingId) -> StoreResult<Booking> {
        self.find_one("bookings", key(bot, id.as_str())).await
    }

    async fn list_bookings_for_contact(&self, bot: &BotId, contact: &ContactId) -> StoreResult<Vec<Booking>> {
        self.find_all(
            "bookings",
            doc! { "bot": bot.as_str(), "contact": contact.as_str() },
            doc! { "id": 1 },
            None,
        )
        .await
    }

    async fn list_bookings_for_session(&self, bot: &BotId, session: &SessionId) -> StoreResult<Vec<Booking>> {
        self.find_all(
            "bookings",
            doc! { "bot": bot.as_str(), "session": session.as_str() },
            doc! { "id": 1 },
            None,
        )
        .await
    }

    async fn insert_wallet(&self, wallet: &Wallet) -> StoreResult<()> {
        self.insert("wallets", wallet, "wallet", wallet.id.as_str()).await
    }

    async fn get_wallet(&self, bot: &BotId, id: &WalletId) -> StoreResult<Wallet> {
        self.find_one("wallets", key(bot, id.as_str())).await
    }

    async fn list_wallets(&self, bot: &BotId, contact: &ContactId) -> StoreResult<Vec<Wallet>> {
        self.find_all(
            "wallets",
            doc! { "bot": bot.as_str(), "contact": contact.as_str() },
            doc! { "id": 1 },
            None,
        )
        .await
    }

    async fn take_credit(&self, bot: &BotId, id: &WalletId, now: DateTime<Utc>) -> StoreResult<bool> {
        let filter = with(
            key(bot, id.as_str()),
            doc! { "credits_left": { "$gt": 0 }, "expires_at": { "$gt": now.timestamp_millis() } },
        );
        let taken = self
            .update_if("wallets", filter, doc! { "$inc": { "credits_left": -1 } })
            .await?;
        if !taken {
            self.get_wallet(bot, id).await?;
        }
        Ok(taken)
    }

    async fn give_back_credit(&self, bot: &BotId, id: &WalletId) -> StoreResult<()> {
        match self
            .update_if("wallets", key(bot, id.as_str()), doc! { "$inc": { "credits_left": 1 } })
            .await?
        {
            true => Ok(()),
            false => Err(StoreError::NotFound),
        }
    }
}
