//! The MongoDB backend, for production with several replicas.
//!
//! Indexes are created at start (unique keys per bot, TTL on inbound keys, session start, outbox due).
//! Atomicity comes from single-document operations (`$inc` under a condition, `findAndModify`,
//! unique indexes), so no operation needs a multi-document transaction and any MongoDB 6+ deployment
//! works, a standalone server included.

mod bookings;
mod catalog;
mod contacts;
mod health;
mod messages;
mod promo;
mod waitlist;
mod web;

use super::{StoreError, StoreResult};
use crate::domain::BotId;
use futures::TryStreamExt;
use mongodb::bson::{Document, doc};
use mongodb::error::{ErrorKind, WriteFailure};
use mongodb::options::{ClientOptions, IndexOptions};
use mongodb::{Client, Collection, Database, IndexModel};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

const BACKEND: &str = "mongodb";
const DUPLICATE_KEY: i32 = 11000;

/// The MongoDB store. Cheap to clone.
#[derive(Clone)]
pub struct MongoStore {
    db: Database,
}

fn backend_error(error: impl std::fmt::Display) -> StoreError {
    StoreError::backend(BACKEND, error)
}

/// Whether a driver error is a unique-index violation.
fn is_duplicate(error: &mongodb::error::Error) -> bool {
    match error.kind.as_ref() {
        ErrorKind::Write(WriteFailure::WriteError(e)) => e.code == DUPLICATE_KEY,
        ErrorKind::InsertMany(e) => e.write_errors.iter().flatten().any(|w| w.code == DUPLICATE_KEY),
        ErrorKind::Command(e) => e.code == DUPLICATE_KEY,
        _ => false,
    }
}

fn write_error(error: mongodb::error::Error, what: &'static str, key: impl Into<String>) -> StoreError {
    if is_duplicate(&error) {
        StoreError::conflict(what, key)
    } else {
        backend_error(error)
    }
}

fn to_document<T: Serialize>(value: &T) -> StoreResult<Document> {
    mongodb::bson::serialize_to_document(value).map_err(backend_error)
}

/// The filter of one record of a bot.
pub(super) fn key(bot: &BotId, id: &str) -> Document {
    doc! { "bot": bot.as_str(), "id": id }
}

/// `filter` with more conditions.
pub(super) fn with(mut filter: Document, extra: Document) -> Document {
    filter.extend(extra);
    filter
}

fn unique(keys: Document) -> IndexModel {
    IndexModel::builder()
        .keys(keys)
        .options(IndexOptions::builder().unique(true).build())
        .build()
}

fn plain(keys: Document) -> IndexModel {
    IndexModel::builder().keys(keys).build()
}

impl MongoStore {
    /// Connects to `uri`, uses `database`, checks the server answers and creates the indexes.
    /// `timeout` bounds server selection, so a server that is down fails fast instead of hanging.
    pub async fn connect(uri: &str, database: &str, timeout: Duration) -> StoreResult<Self> {
        let mut options = ClientOptions::parse(uri).await.map_err(backend_error)?;
        options.app_name = Some("coachbot".into());
        options.server_selection_timeout = Some(timeout);
        options.connect_timeout = Some(timeout);
        let client = Client::with_options(options).map_err(backend_error)?;
        let store = Self {
            db: client.database(database),
        };
        store.db.run_command(doc! { "ping": 1 }).await.map_err(backend_error)?;
        store.create_indexes().await?;
        Ok(store)
    }

    async fn create_indexes(&self) -> StoreResult<()> {
        let by_id = || unique(doc! { "bot": 1, "id": 1 });
        let identities = IndexModel::builder()
            .keys(doc! { "bot": 1, "identities": 1 })
            .options(
                IndexOptions::builder()
                    .unique(true)
                    .partial_filter_expression(doc! { "identities.0": { "$exists": true } })
                    .build(),
            )
            .build();
        // A contact is once in a session's line: `open` is true while waiting or offered.
        let waitlist_once = IndexModel::builder()
            .keys(doc! { "bot": 1, "session": 1, "contact": 1 })
            .options(
                IndexOptions::builder()
                    .unique(true)
                    .partial_filter_expression(doc! { "open": true })
                    .build(),
            )
            .build();
        let ttl = IndexModel::builder()
            .keys(doc! { "expire_at": 1 })
            .options(IndexOptions::builder().expire_after(Duration::ZERO).build())
            .build();
        let plan: Vec<(&str, Vec<IndexModel>)> = vec![
            (
                "contacts",
                vec![
                    by_id(),
                    identities,
                    plain(doc! { "bot": 1, "email": 1, "created_at": 1 }),
                    plain(doc! { "bot": 1, "phone": 1, "created_at": 1 }),
                ],
            ),
            ("courses", vec![by_id()]),
            ("offers", vec![by_id()]),
            (
                "sessions",
                vec![
                    by_id(),
                    unique(doc! { "bot": 1, "course": 1, "start": 1 }),
                    plain(doc! { "bot": 1, "start": 1 }),
                ],
            ),
            (
                "bookings",
                vec![
                    by_id(),
                    plain(doc! { "bot": 1, "contact": 1 }),
                    plain(doc! { "bot": 1, "session": 1 }),
                    plain(doc! { "bot": 1, "reference": 1 }),
                ],
            ),
            ("wallets", vec![by_id(), plain(doc! { "bot": 1, "contact": 1 })]),
            (
                "active_bookings",
                vec![unique(doc! { "bot": 1, "session": 1, "contact": 1 })],
            ),
            (
                "waitlist",
                vec![
                    by_id(),
                    waitlist_once,
                    plain(doc! { "bot": 1, "session": 1, "status": 1, "joined_at": 1, "id": 1 }),
                    plain(doc! { "status": 1, "offered_until": 1 }),
                ],
            ),
            ("promo_batches", vec![by_id()]),
            (
                "promo_codes",
                vec![
                    unique(doc! { "bot": 1, "key": 1 }),
                    plain(doc! { "bot": 1, "batch": 1, "_id": 1 }),
                ],
            ),
            (
                "promo_contact_uses",
                vec![unique(doc! { "bot": 1, "code": 1, "contact": 1 })],
            ),
            (
                "redemptions",
                vec![by_id(), plain(doc! { "bot": 1, "code": 1, "contact": 1 })],
            ),
            (
                "outbox",
                vec![
                    by_id(),
                    plain(doc! { "state": 1, "due_at": 1 }),
                    plain(doc! { "state": 1, "lease_until": 1 }),
                ],
            ),
            (
                "inbound",
                vec![
                    unique(doc! { "bot": 1, "key": 1 }),
                    plain(doc! { "done": 1, "received_at": 1 }),
                    ttl,
                ],
            ),
            ("conversations", vec![unique(doc! { "bot": 1, "contact": 1 })]),
            (
                "web_events",
                vec![
                    by_id(),
                    unique(doc! { "bot": 1, "visitor": 1, "seq": 1 }),
                    plain(doc! { "created_at": 1 }),
                ],
            ),
            ("bot_settings", vec![unique(doc! { "bot": 1 })]),
        ];
        for (collection, indexes) in plan {
            self.db
                .collection::<Document>(collection)
                .create_indexes(indexes)
                .await
                .map_err(|e| backend_error(format!("creating indexes on {collection}: {e}")))?;
        }
        Ok(())
    }

    fn coll<T: Send + Sync>(&self, name: &str) -> Collection<T> {
        self.db.collection(name)
    }

    async fn find_optional<T>(&self, collection: &str, filter: Document) -> StoreResult<Option<T>>
    where
        T: DeserializeOwned + Send + Sync,
    {
        self.coll::<T>(collection).find_one(filter).await.map_err(backend_error)
    }

    async fn find_one<T>(&self, collection: &str, filter: Document) -> StoreResult<T>
    where
        T: DeserializeOwned + Send + Sync,
    {
        self.find_optional(collection, filter)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn find_all<T>(
        &self,
        collection: &str,
        filter: Document,
        sort: Document,
        limit: Option<i64>,
    ) -> StoreResult<Vec<T>>
    where
        T: DeserializeOwned + Send + Sync,
    {
        let coll = self.coll::<T>(collection);
        let mut find = coll.find(filter).sort(sort);
        if let Some(limit) = limit {
            find = find.limit(limit);
        }
        find.await
            .map_err(backend_error)?
            .try_collect()
            .await
            .map_err(backend_error)
    }

    async fn insert<T: Serialize>(
        &self,
        collection: &str,
        value: &T,
        what: &'static str,
        key: &str,
    ) -> StoreResult<()> {
        self.coll::<Document>(collection)
            .insert_one(to_document(value)?)
            .await
            .map_err(|e| write_error(e, what, key))?;
        Ok(())
    }

    /// Replaces the document matching `filter`; with `upsert`, inserts it when missing (retrying
    /// once when a concurrent upsert of the same key won the insert).
    async fn replace<T: Serialize>(
        &self,
        collection: &str,
        filter: Document,
        value: &T,
        upsert: bool,
        what: &'static str,
    ) -> StoreResult<()> {
        let doc = to_document(value)?;
        let coll = self.coll::<Document>(collection);
        let mut attempt = 0;
        loop {
            match coll.replace_one(filter.clone(), doc.clone()).upsert(upsert).await {
                Ok(result) if result.matched_count == 0 && result.upserted_id.is_none() => {
                    return Err(StoreError::NotFound);
                }
                Ok(_) => return Ok(()),
                Err(e) if is_duplicate(&e) && upsert && attempt == 0 => attempt += 1,
                Err(e) => return Err(write_error(e, what, format!("{filter}"))),
            }
        }
    }

    /// Runs a conditional `$inc`-style update; true when a document matched.
    async fn update_if(&self, collection: &str, filter: Document, update: Document) -> StoreResult<bool> {
        let result = self
            .coll::<Document>(collection)
            .update_one(filter, update)
            .await
            .map_err(backend_error)?;
        Ok(result.matched_count == 1)
    }
}
