//! `Store` itself: the backend's name, its health check and the dialogue's snapshot.

use super::{SqliteStore, backend_error};
use crate::domain::{BotId, ContactId};
use crate::store::{ChatSnapshot, Store, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> StoreResult<()> {
        self.read(|conn| conn.execute_batch("SELECT 1").map_err(backend_error))
            .await?;
        Ok(())
    }

    async fn chat_snapshot(
        &self,
        bot: &BotId,
        contact: &ContactId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<ChatSnapshot> {
        self.snapshot(bot, contact, from, to).await
    }
}
