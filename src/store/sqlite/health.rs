//! `Store` itself: the backend's name, its health check and the dialogue's snapshot in one read.

use super::{SqliteStore, all, args, backend_error, parse_doc};
use crate::domain::booking::Booking;
use crate::domain::session::Session;
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
        let (bot, contact) = (bot.to_string(), contact.to_string());
        self.read(move |conn| {
            let of_bot = args![&bot];
            let of_contact = args![&bot, &contact];
            let mut statement = conn
                .prepare_cached(
                    "SELECT b.doc, s.doc FROM bookings b JOIN sessions s ON s.bot = b.bot AND s.id = b.session \
                     WHERE b.bot = ? AND b.contact = ? ORDER BY b.id",
                )
                .map_err(backend_error)?;
            let mut rows = statement
                .query(rusqlite::params_from_iter(&of_contact))
                .map_err(backend_error)?;
            let mut bookings = Vec::new();
            while let Some(row) = rows.next().map_err(backend_error)? {
                let booking: String = row.get(0).map_err(backend_error)?;
                let session: String = row.get(1).map_err(backend_error)?;
                bookings.push((parse_doc::<Booking>(&booking)?, parse_doc::<Session>(&session)?));
            }
            Ok(ChatSnapshot {
                courses: all(conn, "SELECT doc FROM courses WHERE bot = ? ORDER BY id", &of_bot)?,
                offers: all(conn, "SELECT doc FROM offers WHERE bot = ? ORDER BY id", &of_bot)?,
                sessions: all(
                    conn,
                    "SELECT doc FROM sessions WHERE bot = ? AND start >= ? AND start < ? ORDER BY start, id",
                    &args![&bot, from.timestamp_millis(), to.timestamp_millis()],
                )?,
                bookings,
                wallets: all(
                    conn,
                    "SELECT doc FROM wallets WHERE bot = ? AND contact = ? ORDER BY id",
                    &of_contact,
                )?,
            })
        })
        .await
    }
}
