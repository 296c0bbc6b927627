//! Bookings and credit wallets.

use super::{SqliteStore, args, to_doc};
use crate::domain::booking::{Booking, Wallet};
use crate::domain::{BookingId, BotId, ContactId, SessionId, WalletId};
use crate::store::BookingStore;
use crate::store::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
impl BookingStore for SqliteStore {
    async fn insert_booking(&self, booking: &Booking) -> StoreResult<()> {
        self.insert_doc(
            "INSERT INTO bookings (doc) VALUES (?)",
            booking,
            "booking",
            booking.id.as_str(),
        )
        .await
    }

    async fn update_booking(&self, booking: &Booking) -> StoreResult<()> {
        self.update_one(
            "UPDATE bookings SET doc = ? WHERE bot = ? AND id = ?",
            args![to_doc(booking)?, booking.bot.as_str(), booking.id.as_str()],
        )
        .await
    }

    async fn get_booking(&self, bot: &BotId, id: &BookingId) -> StoreResult<Booking> {
        self.fetch_one(
            "SELECT doc FROM bookings WHERE bot = ? AND id = ?",
            args![bot.as_str(), id.as_str()],
        )
        .await
    }

    async fn list_bookings_for_contact(&self, bot: &BotId, contact: &ContactId) -> StoreResult<Vec<Booking>> {
        self.fetch_all(
            "SELECT doc FROM bookings WHERE bot = ? AND contact = ? ORDER BY id",
            args![bot.as_str(), contact.as_str()],
        )
        .await
    }

    async fn list_bookings_for_session(&self, bot: &BotId, session: &SessionId) -> StoreResult<Vec<Booking>> {
        self.fetch_all(
            "SELECT doc FROM bookings WHERE bot = ? AND session = ? ORDER BY id",
            args![bot.as_str(), session.as_str()],
        )
        .await
    }

    async fn insert_wallet(&self, wallet: &Wallet) -> StoreResult<()> {
        self.insert_doc(
            "INSERT INTO wallets (doc) VALUES (?)",
            wallet,
            "wallet",
            wallet.id.as_str(),
        )
        .await
    }

    async fn get_wallet(&self, bot: &BotId, id: &WalletId) -> StoreResult<Wallet> {
        self.fetch_one(
            "SELECT doc FROM wallets WHERE bot = ? AND id = ?",
            args![bot.as_str(), id.as_str()],
        )
        .await
    }

    async fn list_wallets(&self, bot: &BotId, contact: &ContactId) -> StoreResult<Vec<Wallet>> {
        self.fetch_all(
            "SELECT doc FROM wallets WHERE bot = ? AND contact = ? ORDER BY id",
            args![bot.as_str(), contact.as_str()],
        )
        .await
    }

    async fn take_credit(&self, bot: &BotId, id: &WalletId, now: DateTime<Utc>) -> StoreResult<bool> {
        let changed = self
            .execute(
                "UPDATE wallets SET doc = json_set(doc, '$.credits_left', (doc ->> '$.credits_left') - 1) \
                 WHERE bot = ? AND id = ? AND (doc ->> '$.credits_left') > 0 AND (doc ->> '$.expires_at') > ?",
                args![bot.as_str(), id.as_str(), now.timestamp_millis()],
            )
            .await?;
        if changed == 0 {
            self.get_wallet(bot, id).await?;
        }
        Ok(changed == 1)
    }

    async fn give_back_credit(&self, bot: &BotId, id: &WalletId) -> StoreResult<()> {
        self.update_one(
            "UPDATE wallets SET doc = json_set(doc, '$.credits_left', (doc ->> '$.credits_left') + 1) \
             WHERE bot = ? AND id = ?",
            args![bot.as_str(), id.as_str()],
        )
        .await
    }
}
