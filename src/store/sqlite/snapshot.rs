//! `Store` itself: the backend's name, its health check, and the dialogue's snapshot in one read,
//! with the bot's catalog (courses, offers and the sessions of the window) kept parsed in memory
//! while `catalog_versions` says it is current. Every message reads the catalog, and parsing some
//! forty documents was the largest part of a message's time; now a message reads one counter, the
//! contact's bookings and wallets. A chat read is kept for the sender's next message, which reads
//! nothing at all ([`super::chats`]).

use super::chats::KeptChat;
use super::contacts::contact_with_conversation;
use super::{SqliteStore, all, args, backend_error, parse_doc, scalar};
use crate::domain::booking::{Booking, Wallet};
use crate::domain::catalog::{Course, Offer};
use crate::domain::contact::Identity;
use crate::domain::session::Session;
use crate::domain::{BotId, ContactId};
use crate::store::{ChatRead, ChatSnapshot, ReadAt, Store, StoreResult, Versions};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How far past the window asked for a cached catalog reaches, so the next messages' windows
/// (a little later) are still inside it.
const REACH: Duration = Duration::hours(6);

/// One bot's catalog as parsed at `version`, with the sessions starting in `[from, to)`.
/// Every message is handed the same lists (an `Arc` each), not copies: copying them was about
/// a twentieth of a message's CPU time in `benches/webhook.rs`.
struct Catalog {
    version: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    courses: Arc<[Course]>,
    offers: Arc<[Offer]>,
    /// By start.
    sessions: Arc<[Session]>,
    /// The last window's sessions (their range in `sessions`): a message's window starts at its
    /// own `now`, so its sessions change only as one starts or comes into reach.
    window: Mutex<(std::ops::Range<usize>, Arc<[Session]>)>,
}

impl Catalog {
    fn new(
        version: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        courses: Vec<Course>,
        offers: Vec<Offer>,
        sessions: Vec<Session>,
    ) -> Self {
        let sessions: Arc<[Session]> = sessions.into();
        Self {
            version,
            from,
            to,
            courses: courses.into(),
            offers: offers.into(),
            window: Mutex::new((0..sessions.len(), sessions.clone())),
            sessions,
        }
    }

    /// The sessions starting in `[from, to)`.
    fn sessions_in(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Arc<[Session]> {
        let range = self.sessions.partition_point(|s| s.start < from)..self.sessions.partition_point(|s| s.start < to);
        let Ok(mut window) = self.window.lock() else {
            return self.sessions[range].into();
        };
        if window.0 != range {
            *window = (range.clone(), self.sessions[range].into());
        }
        window.1.clone()
    }
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
    Ok(Catalog::new(
        version,
        from,
        to,
        all(conn, "SELECT doc FROM courses WHERE bot = ? ORDER BY id", &of_bot)?,
        all(conn, "SELECT doc FROM offers WHERE bot = ? ORDER BY id", &of_bot)?,
        all(
            conn,
            "SELECT doc FROM sessions WHERE bot = ? AND start >= ? AND start < ? ORDER BY start, id",
            &args![bot, from.timestamp_millis(), to.timestamp_millis()],
        )?,
    ))
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
    let version = catalog_version(conn, bot)?;
    let catalog = match cache.current(bot, version, from, to) {
        Some(catalog) => catalog,
        None => {
            let catalog = Arc::new(load_catalog(conn, bot, version, from, to + REACH)?);
            cache.keep(bot, catalog.clone());
            catalog
        }
    };
    let bookings = bookings_with_sessions(conn, bot, contact)?;
    let wallets = all(
        conn,
        "SELECT doc FROM wallets WHERE bot = ? AND contact = ? ORDER BY id",
        &args![bot, contact],
    )?;
    Ok(with_catalog(&catalog, from, to, bookings, wallets))
}

/// A snapshot from a parsed catalog and the contact's bookings and wallets.
fn with_catalog(
    catalog: &Catalog,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    bookings: Vec<(Booking, Session)>,
    wallets: Vec<Wallet>,
) -> ChatSnapshot {
    ChatSnapshot {
        courses: catalog.courses.clone(),
        offers: catalog.offers.clone(),
        sessions: catalog.sessions_in(from, to),
        bookings,
        wallets,
    }
}

/// What a contact's data is at: `contact_versions` (0 before its first write), its
/// conversation's revision (-1 while it has none) and the catalog's version.
pub(super) fn versions(conn: &Connection, bot: &str, contact: &str) -> StoreResult<Versions> {
    let mut statement = conn
        .prepare_cached(
            "SELECT coalesce((SELECT version FROM contact_versions WHERE bot = ?1 AND contact = ?2), 0), \
                    coalesce((SELECT rev FROM conversations WHERE bot = ?1 AND contact = ?2), -1), \
                    coalesce((SELECT version FROM catalog_versions WHERE bot = ?1), 0)",
        )
        .map_err(backend_error)?;
    statement
        .query_row([bot, contact], |row| {
            Ok(Versions {
                contact: row.get(0)?,
                conversation: row.get(1)?,
                catalog: row.get(2)?,
            })
        })
        .map_err(backend_error)
}

/// The version of a bot's catalog (`catalog_versions`; 0 before its first write).
fn catalog_version(conn: &Connection, bot: &str) -> StoreResult<i64> {
    Ok(scalar(conn, "SELECT version FROM catalog_versions WHERE bot = ?", &args![bot])?.unwrap_or(0))
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
        let (bot, key, cache) = (bot.to_string(), identity.key(), self.catalogs.clone());
        let (at_bot, at_key) = (bot.clone(), key.clone());
        let read = self
            .read_here(move |conn| {
                in_one_read(conn, || {
                    let Some((contact, conversation)) = contact_with_conversation(conn, &at_bot, &at_key)? else {
                        return Ok(None);
                    };
                    let versions = versions(conn, &at_bot, contact.id.as_str())?;
                    let snapshot = snapshot(conn, &cache, &at_bot, contact.id.as_str(), from, to)?;
                    Ok(Some((contact, conversation, snapshot, versions)))
                })
            })
            .await?;
        let Some((contact, conversation, snapshot, versions)) = read else {
            self.chats.forget(&bot, &key);
            return Ok(None);
        };
        self.chats.keep(
            &bot,
            &key,
            KeptChat {
                contact: contact.clone(),
                conversation: conversation.clone(),
                bookings: snapshot.bookings.clone(),
                wallets: snapshot.wallets.clone(),
                versions,
            },
        );
        let read_at = ReadAt {
            identity: identity.clone(),
            contact: contact.id.clone(),
            versions,
            kept: false,
        };
        Ok(Some(ChatRead {
            contact,
            conversation,
            snapshot,
            read_at: Some(read_at),
        }))
    }

    async fn find_chat_kept(
        &self,
        bot: &BotId,
        identity: &Identity,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Option<ChatRead>> {
        let key = identity.key();
        // A catalog not current makes the file read again, and what it reads takes the lent
        // chat's place.
        let kept = self.chats.lend(bot.as_str(), &key).and_then(|chat| {
            let catalog = self.catalogs.current(bot.as_str(), chat.versions.catalog, from, to)?;
            Some((chat, catalog))
        });
        let Some((chat, catalog)) = kept else {
            return self.find_chat(bot, identity, from, to).await;
        };
        let read_at = ReadAt {
            identity: identity.clone(),
            contact: chat.contact.id.clone(),
            versions: chat.versions,
            kept: true,
        };
        Ok(Some(ChatRead {
            snapshot: with_catalog(&catalog, from, to, chat.bookings, chat.wallets),
            contact: chat.contact,
            conversation: chat.conversation,
            read_at: Some(read_at),
        }))
    }
}
