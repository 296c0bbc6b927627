//! The embedded default backend: one SQLite file (WAL mode), its schema brought up to date at start.
//!
//! SQLite is a library: a statement takes microseconds, and what costs under load is handing work
//! from one thread to another. So every store call is exactly one hand-off, whatever it runs:
//!
//! - a **write** is a closure run on the single writer thread ([`writer`]), inside a transaction.
//!   The writer commits in groups: it takes every write waiting, runs each in its own savepoint
//!   (a failed or refused write is rolled back alone, so each call stays all-or-nothing), commits
//!   once, and only then answers them all; an answer never precedes its commit. One writer also
//!   means writes never wait on each other's locks and a read-then-write is serialised by
//!   construction (seats, promo uses).
//! - a **read** sees committed data (WAL snapshots) through a read-only connection. A read of a
//!   few rows by key (a contact with its conversation, the dialogue's snapshot, one document)
//!   runs right where it is asked, on a connection lent for its length ([`writer::Lender`]):
//!   it takes microseconds, less than a hand-off to another thread and back. A read of a list
//!   is a closure run by one of [`READERS`] threads, each with its own connection, so that a
//!   long one never holds up the async runtime.
//!
//! (An async driver that sends each statement to a worker thread and back spent most of a chat
//! message's time in those round trips; see `benches/webhook.rs`. With reader threads, a chat
//! message still made three hand-offs: its two reads and its write.)

mod bookings;
mod catalog;
mod chats;
mod checkpoint;
mod contacts;
mod messages;
mod migrate;
mod promo;
mod snapshot;
mod waitlist;
mod web;
mod writer;

use super::{StoreError, StoreResult};
use checkpoint::Checkpointer;
use rusqlite::types::ToSqlOutput;
use rusqlite::{Connection, OpenFlags, ToSql};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::Path;
use std::time::Duration;
use writer::{Lender, Readers, Tx, Writer};

const BACKEND: &str = "sqlite";
const READERS: usize = 4;
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection's page cache, in KiB (the readers keep a smaller one). The writer's commit walks
/// its whole cache (see `docs/architecture.md`, "The bundled SQLite is built…"), so a larger
/// one costs every chat message more than the pages it saves re-reading: with 64 MiB, the
/// writer spent about 12 % more CPU per message in `benches/webhook.rs`.
const CACHE_KIB: i64 = 8 * 1024;
/// The writer's page cache while a promo batch is generated ([`promo`]): the batch's random keys
/// go into a unique index that can grow past any small cache, and with SQLite's 2 MiB default,
/// inserting them into a million-row index thrashes.
const BATCH_CACHE_KIB: i64 = 64 * 1024;

/// The SQLite store. Cheap to clone.
#[derive(Clone)]
pub struct SqliteStore {
    writer: Writer,
    /// The reader threads and the connections lent to reads run here; none for an in-memory
    /// database, whose reads go to the writer.
    readers: Option<(Readers, Lender)>,
    /// Each bot's catalog, parsed, while current.
    catalogs: snapshot::CatalogCache,
    /// The chats last read, kept for the next message of the same sender.
    chats: chats::KeptChats,
}

/// MiB of chats kept in memory by default ([`SqliteStore::keeping_chats`]): some 5,000 to
/// 30,000 senders, by the length of their last lines.
pub const KEPT_CHATS_MIB: usize = 64;

fn backend_error(error: impl std::fmt::Display) -> StoreError {
    StoreError::backend(BACKEND, error)
}

/// Whether a statement failed on a unique index or primary key whose message names `column`.
fn unique_violation(error: &rusqlite::Error, column: &str) -> bool {
    match error {
        rusqlite::Error::SqliteFailure(failure, message) => {
            matches!(
                failure.extended_code,
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            ) && message.as_deref().unwrap_or_default().contains(column)
        }
        _ => false,
    }
}

/// Maps a failed write: a unique violation is a `Conflict` on `key`, anything else a backend error.
fn write_error(error: rusqlite::Error, what: &'static str, key: impl Into<String>) -> StoreError {
    if unique_violation(&error, "") {
        StoreError::conflict(what, key)
    } else {
        backend_error(error)
    }
}

fn to_doc<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(backend_error)
}

fn parse_doc<T: DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(backend_error)
}

/// A bound query parameter, owned so a call can move it to the thread that runs it.
#[derive(Debug, Clone)]
enum Arg {
    Text(String),
    Int(i64),
}

impl ToSql for Arg {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Self::Text(text) => text.to_sql(),
            Self::Int(int) => int.to_sql(),
        }
    }
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<&String> for Arg {
    fn from(value: &String) -> Self {
        Self::Text(value.clone())
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
    ($($value:expr),* $(,)?) => { [$(crate::store::sqlite::Arg::from($value)),*] };
}
use args;

/// The first column of a row, as text.
fn doc_text<'r>(row: &'r rusqlite::Row<'_>) -> StoreResult<&'r str> {
    row.get_ref(0).map_err(backend_error)?.as_str().map_err(backend_error)
}

/// The first column of the first row as a document, if any.
fn one<T: DeserializeOwned>(conn: &Connection, sql: &str, args: &[Arg]) -> StoreResult<Option<T>> {
    let mut statement = conn.prepare_cached(sql).map_err(backend_error)?;
    let mut rows = statement
        .query(rusqlite::params_from_iter(args))
        .map_err(backend_error)?;
    match rows.next().map_err(backend_error)? {
        Some(row) => parse_doc(doc_text(row)?).map(Some),
        None => Ok(None),
    }
}

/// The first column of every row as documents.
fn all<T: DeserializeOwned>(conn: &Connection, sql: &str, args: &[Arg]) -> StoreResult<Vec<T>> {
    let mut statement = conn.prepare_cached(sql).map_err(backend_error)?;
    let mut rows = statement
        .query(rusqlite::params_from_iter(args))
        .map_err(backend_error)?;
    let mut docs = Vec::new();
    while let Some(row) = rows.next().map_err(backend_error)? {
        docs.push(parse_doc(doc_text(row)?)?);
    }
    Ok(docs)
}

/// Runs one statement; returns the number of rows it changed.
fn run(conn: &Connection, sql: &str, args: &[Arg]) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(rusqlite::params_from_iter(args))
}

/// A scalar from the first row (`None` when there is no row).
fn scalar<T: rusqlite::types::FromSql>(conn: &Connection, sql: &str, args: &[Arg]) -> StoreResult<Option<T>> {
    let mut statement = conn.prepare_cached(sql).map_err(backend_error)?;
    let mut rows = statement
        .query(rusqlite::params_from_iter(args))
        .map_err(backend_error)?;
    match rows.next().map_err(backend_error)? {
        Some(row) => row.get(0).map(Some).map_err(backend_error),
        None => Ok(None),
    }
}

fn open(path: &str, flags: OpenFlags) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    conn.pragma_update(None, "temp_store", "memory")?;
    conn.set_prepared_statement_cache_capacity(64);
    stable_plans(&conn)?;
    Ok(conn)
}

/// A reader's connection, with a small page cache. It does not map the database file in memory:
/// in WAL mode, a read that begins after any commit makes SQLite drop the connection's cached
/// pages and unmap its whole map (`sqlite3PagerSharedLock`), to map it again page by page.
/// Under steady writes that was nearly every read, and `munmap`s stalled the async runtime's
/// threads for up to 5 ms. Reading the few pages a read needs costs less (`benches/webhook.rs`,
/// at 1,000 messages/s: p99 7.4–8.1 ms without the map, 11.5–11.6 ms with it).
fn reader(conn: Connection) -> rusqlite::Result<Connection> {
    conn.pragma_update(None, "cache_size", -2048)?;
    Ok(conn)
}

/// Plans that do not depend on bound values. Otherwise SQLite marks a statement whose plan could
/// use a parameter's value (a `LIMIT ?`, a range with statistics) to be prepared again at every
/// new binding, and the cached statements are re-parsed on each call: a fifth of a chat message's
/// time went there.
fn stable_plans(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
        .map(drop)
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path`, or a private in-memory database for
    /// `:memory:`, and brings its schema up to date.
    pub async fn connect(path: &str) -> StoreResult<Self> {
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || Self::connect_blocking(&path))
            .await
            .map_err(backend_error)?
    }

    fn connect_blocking(path: &str) -> StoreResult<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let cannot_open = |e: rusqlite::Error| backend_error(format!("cannot open {path}: {e}"));
        let (mut conn, readers) = if path == ":memory:" {
            let conn = Connection::open_in_memory().map_err(cannot_open)?;
            stable_plans(&conn).map_err(cannot_open)?;
            (conn, false)
        } else {
            if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .map_err(|e| backend_error(format!("cannot create {}: {e}", parent.display())))?;
            }
            let conn = open(path, flags).map_err(cannot_open)?;
            conn.pragma_update(None, "journal_mode", "WAL").map_err(cannot_open)?;
            conn.pragma_update(None, "synchronous", "NORMAL").map_err(cannot_open)?;
            (conn, true)
        };
        migrate::run(&mut conn).map_err(|e| backend_error(format!("migrating {path}: {e}")))?;
        // Every document is written by `serde_json`, so the schema's `CHECK (json_valid(doc))`
        // only parsed each one again: SQLite's JSON functions were a sixth of the writer's time.
        // (Any other connection, such as the `sqlite3` shell, still checks.)
        conn.pragma_update(None, "ignore_check_constraints", true)
            .map_err(cannot_open)?;
        let (readers, checkpoints) = if readers {
            let read_only = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let connections = (0..READERS)
                .map(|_| open(path, read_only).and_then(reader))
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(cannot_open)?;
            conn.pragma_update(None, "wal_autocheckpoint", checkpoint::BACKSTOP_PAGES)
                .map_err(cannot_open)?;
            let checkpoints = Checkpointer::start(open(path, flags).map_err(cannot_open)?).map_err(backend_error)?;
            let lent = path.to_owned();
            let lender = Lender::new(move || open(&lent, read_only).and_then(reader));
            (
                Some((Readers::start(connections).map_err(backend_error)?, lender)),
                Some(checkpoints),
            )
        } else {
            (None, None)
        };
        Ok(Self {
            writer: Writer::start(conn, checkpoints).map_err(backend_error)?,
            readers,
            catalogs: snapshot::CatalogCache::default(),
            chats: chats::KeptChats::new(KEPT_CHATS_MIB << 20),
        })
    }

    /// Keeps senders' chats in memory, for the next message of each, within `mib` MiB (`0`:
    /// none); see [`find_chat_kept`](crate::store::Store::find_chat_kept).
    pub fn keeping_chats(mut self, mib: usize) -> Self {
        self.chats = chats::KeptChats::new(mib << 20);
        self
    }

    /// Runs `f` with a read-only connection on one of the reader threads.
    async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        match &self.readers {
            Some((readers, _)) => readers.run(f).await,
            None => self.writer.run(move |tx: &Tx| f(tx)).await,
        }
    }

    /// Runs `f`, a read of a few rows by key, here with a lent read-only connection.
    async fn read_here<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        match &self.readers {
            Some((_, lender)) => lender.run(f),
            None => self.writer.run(move |tx: &Tx| f(tx)).await,
        }
    }

    /// Runs `f` on the writer thread inside a transaction: committed when it returns `Ok` (unless
    /// it called [`Tx::discard`]), rolled back otherwise.
    async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Tx) -> StoreResult<T> + Send + 'static,
    {
        self.writer.run(f).await
    }

    async fn fetch_optional<T: DeserializeOwned + Send + 'static>(
        &self,
        sql: &'static str,
        args: impl AsRef<[Arg]> + Send + 'static,
    ) -> StoreResult<Option<T>> {
        self.read_here(move |conn| one(conn, sql, args.as_ref())).await
    }

    async fn fetch_one<T: DeserializeOwned + Send + 'static>(
        &self,
        sql: &'static str,
        args: impl AsRef<[Arg]> + Send + 'static,
    ) -> StoreResult<T> {
        self.fetch_optional(sql, args).await?.ok_or(StoreError::NotFound)
    }

    async fn fetch_all<T: DeserializeOwned + Send + 'static>(
        &self,
        sql: &'static str,
        args: impl AsRef<[Arg]> + Send + 'static,
    ) -> StoreResult<Vec<T>> {
        self.read(move |conn| all(conn, sql, args.as_ref())).await
    }

    /// Runs one write statement; returns the number of rows it changed.
    async fn execute(&self, sql: &'static str, args: impl AsRef<[Arg]> + Send + 'static) -> StoreResult<u64> {
        self.write(move |tx| run(tx, sql, args.as_ref()).map(|n| n as u64).map_err(backend_error))
            .await
    }

    /// Inserts one document; a unique violation is a `Conflict` on `key`.
    async fn insert_doc<T: Serialize>(
        &self,
        sql: &'static str,
        doc: &T,
        what: &'static str,
        key: &str,
    ) -> StoreResult<()> {
        let (doc, key) = (to_doc(doc)?, key.to_owned());
        self.write(move |tx| {
            run(tx, sql, &args![doc])
                .map(drop)
                .map_err(|e| write_error(e, what, key))
        })
        .await
    }

    /// Runs an update that must touch one row; `NotFound` otherwise.
    async fn update_one(&self, sql: &'static str, args: impl AsRef<[Arg]> + Send + 'static) -> StoreResult<()> {
        match self.execute(sql, args).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The options `.cargo/config.toml` passes to the bundled SQLite's build took effect.
    #[test]
    fn the_bundled_sqlite_has_a_page_cache_and_a_lock_per_connection() {
        let conn = Connection::open_in_memory().unwrap();
        let options = conn
            .prepare("PRAGMA compile_options")
            .unwrap()
            .query_map([], |row| row.get::<_, String>(0))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        assert!(options.iter().any(|o| o == "THREADSAFE=1"), "{options:?}");
        assert!(
            !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
            "page caches share one lock: {options:?}"
        );
        assert!(options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"), "{options:?}");
    }
}
