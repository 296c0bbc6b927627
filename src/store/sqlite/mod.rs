//! The embedded default backend: one SQLite file (WAL mode), schema created by migrations at start.
//!
//! All writes go through a pool of exactly one connection, so write transactions never wait on each
//! other's locks (no `SQLITE_BUSY` under contention) and a read-then-write inside a transaction is
//! serialised by construction. Reads use a separate pool and see committed data (WAL snapshots).

mod bookings;
mod catalog;
mod contacts;
mod health;
mod messages;
mod promo;
mod waitlist;

use super::{StoreError, StoreResult};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::sqlite::{SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::path::Path;
use std::time::Duration;

const BACKEND: &str = "sqlite";
const READERS: u32 = 4;

/// The SQLite store. Cheap to clone.
#[derive(Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

fn backend_error(error: impl std::fmt::Display) -> StoreError {
    StoreError::backend(BACKEND, error)
}

/// Maps a failed write: a unique violation is a `Conflict` on `key`, anything else a backend error.
fn write_error(error: sqlx::Error, what: &'static str, key: impl Into<String>) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::conflict(what, key),
        _ => backend_error(error),
    }
}

fn to_doc<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(backend_error)
}

fn from_doc<T: DeserializeOwned>(row: &sqlx::sqlite::SqliteRow) -> StoreResult<T> {
    let text: &str = row.try_get(0).map_err(backend_error)?;
    serde_json::from_str(text).map_err(backend_error)
}

/// A bound query parameter.
enum Arg {
    Text(String),
    Int(i64),
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<i64> for Arg {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

macro_rules! args {
    ($($value:expr),* $(,)?) => { vec![$(crate::store::sqlite::Arg::from($value)),*] };
}
use args;

fn query(sql: &'static str, args: Vec<Arg>) -> sqlx::query::Query<'static, sqlx::Sqlite, SqliteArguments> {
    args.into_iter().fold(sqlx::query(sql), |q, arg| match arg {
        Arg::Text(text) => q.bind(text),
        Arg::Int(int) => q.bind(int),
    })
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path`, or a private in-memory database for
    /// `:memory:`, and brings its schema up to date.
    pub async fn connect(path: &str) -> StoreResult<Self> {
        let store = if path == ":memory:" {
            let options = SqliteConnectOptions::new().in_memory(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await
                .map_err(backend_error)?;
            Self {
                writer: pool.clone(),
                reader: pool,
            }
        } else {
            if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .map_err(|e| backend_error(format!("cannot create {}: {e}", parent.display())))?;
            }
            let options = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                // A 64 MiB page cache keeps the unique-key indexes of large promo batches in memory:
                // with SQLite's 2 MiB default, inserting random keys into a million-row index thrashes.
                .pragma("cache_size", "-65536")
                .pragma("temp_store", "memory");
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options.clone())
                .await
                .map_err(|e| backend_error(format!("cannot open {path}: {e}")))?;
            let reader = SqlitePoolOptions::new()
                .max_connections(READERS)
                .connect_with(options.read_only(true))
                .await
                .map_err(|e| backend_error(format!("cannot open {path}: {e}")))?;
            Self { writer, reader }
        };
        sqlx::migrate!("src/store/sqlite/migrations")
            .run(&store.writer)
            .await
            .map_err(|e| backend_error(format!("migrating {path}: {e}")))?;
        Ok(store)
    }

    async fn fetch_optional<T: DeserializeOwned>(&self, sql: &'static str, args: Vec<Arg>) -> StoreResult<Option<T>> {
        let row = query(sql, args)
            .fetch_optional(&self.reader)
            .await
            .map_err(backend_error)?;
        row.as_ref().map(from_doc).transpose()
    }

    async fn fetch_one<T: DeserializeOwned>(&self, sql: &'static str, args: Vec<Arg>) -> StoreResult<T> {
        self.fetch_optional(sql, args).await?.ok_or(StoreError::NotFound)
    }

    async fn fetch_all<T: DeserializeOwned>(&self, sql: &'static str, args: Vec<Arg>) -> StoreResult<Vec<T>> {
        let rows = query(sql, args).fetch_all(&self.reader).await.map_err(backend_error)?;
        rows.iter().map(from_doc).collect()
    }

    /// Runs one write statement; returns the number of rows it changed.
    async fn execute(&self, sql: &'static str, args: Vec<Arg>) -> StoreResult<u64> {
        let done = query(sql, args).execute(&self.writer).await.map_err(backend_error)?;
        Ok(done.rows_affected())
    }

    /// Inserts one document; a unique violation is a `Conflict` on `key`.
    async fn insert_doc<T: Serialize>(
        &self,
        sql: &'static str,
        doc: &T,
        what: &'static str,
        key: &str,
    ) -> StoreResult<()> {
        query(sql, args![to_doc(doc)?])
            .execute(&self.writer)
            .await
            .map_err(|e| write_error(e, what, key))?;
        Ok(())
    }

    /// Runs an update that must touch one row; `NotFound` otherwise.
    async fn update_one(&self, sql: &'static str, args: Vec<Arg>) -> StoreResult<()> {
        match self.execute(sql, args).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }
}
