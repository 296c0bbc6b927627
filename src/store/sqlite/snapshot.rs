//! `Store` itself: the backend's name, its health check, and the dialogue's snapshot in one read,
//! with the bot's catalog (courses, offers and the sessions of the window) kept parsed in memory
//! while `catalog_versions` says it is current. Every message reads the catalog, and parsing some
//! forty documents was the largest part of a message's time; now a message reads one counter, the
//! contact's bookings and wallets.

use super::contacts::contact_with_conversation;
use super::{SqliteStore, all, args, backend_error, parse_doc, scalar};
use crate::domain::booking::Booking;
use crate::domain::catalog::{Course, Offer};
use crate::domain::contact::Identity;
use crate::domain::session::Session;
use crate::domain::{BotId, ContactId};
use crate::store::{ChatRead, ChatSnapshot, Store, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How far past the window asked for a cached catalog reaches, so the next messages' windows
/// (a little later) are still inside it.
const REACH: Duration = Duration::hours(6);

/// One bot's catalog as parsed at `version`, with the sessions starting in `[from, to)`.
struct Catalog {
    version: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    courses: Vec<Course>,
    offers: Vec<Offer>,
    sessions: Vec<Session>,
}

/// The parsed catalogs by bot.
#[derive(Clone, Default)]
pub(super) struct CatalogCache(Arc<Mutex<HashMap<String, Arc<Catalog>>>>);

impl CatalogCache {
    fn current(&self, bot: &str, version: i64, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<Arc<Catalog>> {
        let cached = self.0.lock().ok()?.get(bot).cloned()?;
        (cached.version == version && cached.from <= from && to <= cached.to).then_some(cached)
    }

    fn keep(&self, bot: &str, catalog: Arc<Catalog>) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(bot.to_owned(), catalog);
        }
    }
}

fn load_catalog(
    conn: &Connection,
    bot: &str,
    version: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Catalog> {
    let of_bot = args![bot];
    Ok(Catalog {
        version,
        from,
        to,
        courses: all(conn, "SELECT doc FROM courses WHERE bot = ? ORDER BY id", &of_bot)?,
        offers: all(conn, "SELECT doc FROM offers WHERE bot = ? ORDER BY id", &of_bot)?,
        sessions: all(
            conn,
            "SELECT doc FROM sessions WHERE bot = ? AND start >= ? AND start < ? ORDER BY start, id",
            &args![bot, from.timestamp_millis(), to.timestamp_millis()],
        )?,
    })
}

fn bookings_with_sessions(conn: &Connection, bot: &str, contact: &str) -> StoreResult<Vec<(Booking, Session)>> {
    let mut statement = conn
        .prepare_cached(
            "SELECT b.doc, s.doc FROM bookings b JOIN sessions s ON s.bot = b.bot AND s.id = b.session \
             WHERE b.bot = ? AND b.contact = ? ORDER BY b.id",
        )
        .map_err(backend_error)?;
    let mut rows = statement.query([bot, contact]).map_err(backend_error)?;
    let mut bookings = Vec::new();
    while let Some(row) = rows.next().map_err(backend_error)? {
        let booking: String = row.get(0).map_err(backend_error)?;
        let session: String = row.get(1).map_err(backend_error)?;
        bookings.push((parse_doc::<Booking>(&booking)?, parse_doc::<Session>(&session)?));
    }
    Ok(bookings)
}

/// The dialogue's snapshot, the catalog from the cache while its version is current.
fn snapshot(
    conn: &Connection,
    cache: &CatalogCache,
    bot: &str,
    contact: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<ChatSnapshot> {
    // The counter first: data read after it is at least as new, so a catalog is never kept
    // under a version newer than what it holds.
    let version: i64 = scalar(conn, "SELECT version FROM catalog_versions WHERE bot = ?", &args![bot])?.unwrap_or(0);
    let catalog = match cache.current(bot, version, from, to) {
        Some(catalog) => catalog,
        None => {
            let catalog = Arc::new(load_catalog(conn, bot, version, from, to + REACH)?);
            cache.keep(bot, catalog.clone());
            catalog
        }
    };
    Ok(ChatSnapshot {
        courses: catalog.courses.clone(),
        offers: catalog.offers.clone(),
        sessions: catalog
            .sessions
            .iter()
            .filter(|s| from <= s.start && s.start < to)
            .cloned()
            .collect(),
        bookings: bookings_with_sessions(conn, bot, contact)?,
        wallets: all(
            conn,
            "SELECT doc FROM wallets WHERE bot = ? AND contact = ? ORDER BY id",
            &args![bot, contact],
        )?,
    })
}

/// Runs `read`'s statements in one read transaction: they see one snapshot of the file, and
/// SQLite takes its WAL read lock, and checks what changed since the connection's last read, once
/// rather than once per statement. (A lent connection left inside a transaction by a failing
/// read is rolled back by [`Lender::run`](super::writer::Lender::run).)
fn in_one_read<T>(conn: &Connection, read: impl FnOnce() -> StoreResult<T>) -> StoreResult<T> {
    if !conn.is_autocommit() {
        // Already inside a transaction (the writer's, for an in-memory database).
        return read();
    }
    let step = |sql: &str| {
        conn.prepare_cached(sql)
            .and_then(|mut s| s.execute([]))
            .map_err(backend_error)
    };
    step("BEGIN")?;
    let result = read();
    step(if result.is_ok() { "COMMIT" } else { "ROLLBACK" })?;
    result
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> StoreResult<()> {
        self.read(|conn| conn.execute_batch("SELECT 1").map_err(backend_error))
            .await
    }

    async fn chat_snapshot(
        &self,
        bot: &BotId,
        contact: &ContactId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<ChatSnapshot> {
        let (bot, contact, cache) = (bot.to_string(), contact.to_string(), self.catalogs.clone());
        self.read_here(move |conn| in_one_read(conn, || snapshot(conn, &cache, &bot, &contact, from, to)))
            .await
    }

    async fn find_chat(
        &self,
        bot: &BotId,
        identity: &Identity,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Option<ChatRead>> {
        let (bot, identity, cache) = (bot.to_string(), identity.key(), self.catalogs.clone());
        self.read_here(move |conn| {
            in_one_read(conn, || {
                let Some((contact, conversation)) = contact_with_conversation(conn, &bot, &identity)? else {
                    return Ok(None);
                };
                let snapshot = snapshot(conn, &cache, &bot, contact.id.as_str(), from, to)?;
                Ok(Some(ChatRead {
                    contact,
                    conversation,
                    snapshot,
                }))
            })
        })
        .await
    }
}
