//! `Store` itself: the backend's name and its health check.

use super::{SqliteStore, backend_error};
use crate::store::{Store, StoreResult};
use async_trait::async_trait;

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map_err(backend_error)?;
        Ok(())
    }
}
