//! `Store` itself: the backend's name and its health check.

use super::{MongoStore, backend_error};
use crate::store::{Store, StoreResult};
use async_trait::async_trait;
use mongodb::bson::doc;

#[async_trait]
impl Store for MongoStore {
    fn backend(&self) -> &'static str {
        "mongodb"
    }

    async fn ping(&self) -> StoreResult<()> {
        self.db.run_command(doc! { "ping": 1 }).await.map_err(backend_error)?;
        Ok(())
    }
}
