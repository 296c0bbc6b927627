//! Promo batches, codes and redemptions. A batch is inserted hidden (`pending`), its codes added in
//! multi-row statements, then published by clearing one flag: codes are read through a join on a
//! published batch, so a generation that stops half-way leaves nothing visible.

use super::{SqliteStore, args, backend_error, from_doc, query, to_doc, write_error};
use crate::domain::promo::{PromoBatch, PromoCode, Redemption};
use crate::domain::{BatchId, BotId, ContactId, RedemptionId};
use crate::store::PromoStore;
use crate::store::{BatchUsage, Page, PageRequest, RedeemOutcome, StoreError, StoreResult};
use async_trait::async_trait;
use sqlx::{Row, Sqlite};
use std::collections::HashMap;

/// Rows inserted per statement when codes are added.
const CODES_PER_STATEMENT: usize = 2000;

/// Codes of published batches only.
macro_rules! visible_codes {
    ($where:literal) => {
        visible_codes!($where, "")
    };
    ($where:literal, $extra:literal) => {
        concat!(
            "SELECT c.doc",
            $extra,
            " FROM promo_codes c JOIN promo_batches b ON b.bot = c.bot AND b.id = c.batch ",
            "WHERE b.pending IS NULL AND ",
            $where
        )
    };
}

fn count(row: &sqlx::sqlite::SqliteRow, index: usize) -> StoreResult<u64> {
    let value: Option<i64> = row.try_get(index).map_err(backend_error)?;
    u64::try_from(value.unwrap_or(0)).map_err(backend_error)
}

#[async_trait]
impl PromoStore for SqliteStore {
    async fn begin_promo_batch(&self, batch: &PromoBatch) -> StoreResult<()> {
        query(
            "INSERT INTO promo_batches (doc) VALUES (json_set(?, '$.pending', json('true')))",
            args![to_doc(batch)?],
        )
        .execute(&self.writer)
        .await
        .map_err(|e| write_error(e, "promo batch", batch.id.as_str()))?;
        Ok(())
    }

    async fn add_promo_codes(&self, codes: &[PromoCode]) -> StoreResult<Vec<String>> {
        let mut taken = Vec::new();
        let mut tx = self.writer.begin().await.map_err(backend_error)?;
        for chunk in codes.chunks(CODES_PER_STATEMENT) {
            let docs = chunk.iter().map(to_doc).collect::<StoreResult<Vec<_>>>()?;
            let mut insert = sqlx::QueryBuilder::<Sqlite>::new("INSERT INTO promo_codes (doc) ");
            insert.push_values(docs, |mut row, doc| {
                row.push_bind(doc);
            });
            insert.push(" ON CONFLICT (bot, key) DO NOTHING RETURNING key");
            let inserted: Vec<String> = insert
                .build_query_scalar()
                .fetch_all(&mut *tx)
                .await
                .map_err(backend_error)?;
            if inserted.len() < chunk.len() {
                // A key given twice in one call is inserted once: count, rather than test membership.
                let mut inserted_count: HashMap<&str, usize> = HashMap::new();
                for key in &inserted {
                    *inserted_count.entry(key.as_str()).or_default() += 1;
                }
                for code in chunk {
                    match inserted_count.get_mut(code.key.as_str()) {
                        Some(n) if *n > 0 => *n -= 1,
                        _ => taken.push(code.key.clone()),
                    }
                }
            }
        }
        tx.commit().await.map_err(backend_error)?;
        Ok(taken)
    }

    async fn publish_promo_batch(&self, bot: &BotId, id: &BatchId, count: u32) -> StoreResult<()> {
        self.update_one(
            "UPDATE promo_batches SET doc = json_set(json_remove(doc, '$.pending'), '$.count', ?) \
             WHERE bot = ? AND id = ? AND pending IS NOT NULL",
            args![i64::from(count), bot.as_str(), id.as_str()],
        )
        .await
    }

    async fn discard_promo_batch(&self, bot: &BotId, id: &BatchId) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(backend_error)?;
        let removed = query(
            "DELETE FROM promo_batches WHERE bot = ? AND id = ? AND pending IS NOT NULL",
            args![bot.as_str(), id.as_str()],
        )
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        if removed.rows_affected() == 1 {
            query(
                "DELETE FROM promo_codes WHERE bot = ? AND batch = ?",
                args![bot.as_str(), id.as_str()],
            )
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        }
        tx.commit().await.map_err(backend_error)
    }

    async fn get_promo_batch(&self, bot: &BotId, id: &BatchId) -> StoreResult<PromoBatch> {
        self.fetch_one(
            "SELECT doc FROM promo_batches WHERE bot = ? AND id = ? AND pending IS NULL",
            args![bot.as_str(), id.as_str()],
        )
        .await
    }

    async fn list_promo_batches(&self, bot: &BotId) -> StoreResult<Vec<PromoBatch>> {
        self.fetch_all(
            "SELECT doc FROM promo_batches WHERE bot = ? AND pending IS NULL ORDER BY doc ->> '$.created_at', id",
            args![bot.as_str()],
        )
        .await
    }

    async fn update_promo_batch(&self, batch: &PromoBatch) -> StoreResult<()> {
        self.update_one(
            "UPDATE promo_batches SET doc = ? WHERE bot = ? AND id = ? AND pending IS NULL",
            args![to_doc(batch)?, batch.bot.as_str(), batch.id.as_str()],
        )
        .await
    }

    async fn promo_batch_usage(&self, bot: &BotId, id: &BatchId) -> StoreResult<BatchUsage> {
        let row = query(
            "SELECT count(*), sum((doc ->> '$.uses') > 0) FROM promo_codes WHERE bot = ? AND batch = ?",
            args![bot.as_str(), id.as_str()],
        )
        .fetch_one(&self.reader)
        .await
        .map_err(backend_error)?;
        Ok(BatchUsage {
            codes: count(&row, 0)?,
            used: count(&row, 1)?,
        })
    }

    async fn get_promo_code(&self, bot: &BotId, key: &str) -> StoreResult<PromoCode> {
        self.fetch_one(visible_codes!("c.bot = ? AND c.key = ?"), args![bot.as_str(), key])
            .await
    }

    async fn list_promo_codes(&self, bot: &BotId, batch: &BatchId, page: &PageRequest) -> StoreResult<Page<PromoCode>> {
        let after: i64 = page.after.as_deref().map_or(Ok(0), str::parse).map_err(backend_error)?;
        let rows = query(
            visible_codes!(
                "c.bot = ? AND c.batch = ? AND c.rowid > ? ORDER BY c.rowid LIMIT ?",
                ", c.rowid"
            ),
            args![bot.as_str(), batch.as_str(), after, i64::from(page.limit) + 1],
        )
        .fetch_all(&self.reader)
        .await
        .map_err(backend_error)?;
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            let rowid: i64 = row.try_get(1).map_err(backend_error)?;
            items.push((rowid, from_doc::<PromoCode>(row)?));
        }
        let page = Page::from_overfetch(items, page.limit, |(rowid, _)| rowid.to_string());
        Ok(Page {
            items: page.items.into_iter().map(|(_, code)| code).collect(),
            next: page.next,
        })
    }

    async fn update_promo_code(&self, code: &PromoCode) -> StoreResult<()> {
        self.update_one(
            "UPDATE promo_codes SET doc = json_set(?, '$.uses', doc -> '$.uses') WHERE bot = ? AND key = ?",
            args![to_doc(code)?, code.bot.as_str(), code.key.as_str()],
        )
        .await
    }

    async fn delete_promo_code(&self, bot: &BotId, key: &str) -> StoreResult<bool> {
        let deleted = self
            .execute(
                "DELETE FROM promo_codes WHERE bot = ? AND key = ? AND (doc ->> '$.uses') = 0",
                args![bot.as_str(), key],
            )
            .await?;
        if deleted == 0 {
            self.get_promo_code(bot, key).await?;
        }
        Ok(deleted == 1)
    }

    async fn redeem_promo(&self, redemption: &Redemption) -> StoreResult<RedeemOutcome> {
        let (bot, key) = (redemption.bot.as_str(), redemption.code.as_str());
        let mut tx = self.writer.begin().await.map_err(backend_error)?;
        let row = query(visible_codes!("c.bot = ? AND c.key = ?"), args![bot, key])
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend_error)?
            .ok_or(StoreError::NotFound)?;
        let promo: PromoCode = from_doc(&row)?;
        if promo.terms.max_uses > 0 && promo.uses >= promo.terms.max_uses {
            return Ok(RedeemOutcome::UsedUp);
        }
        if promo.terms.per_contact > 0 {
            let used: i64 = query(
                "SELECT count(*) FROM redemptions WHERE bot = ? AND code = ? AND contact = ?",
                args![bot, key, redemption.contact.as_str()],
            )
            .fetch_one(&mut *tx)
            .await
            .and_then(|row| row.try_get(0))
            .map_err(backend_error)?;
            if used >= i64::from(promo.terms.per_contact) {
                return Ok(RedeemOutcome::AlreadyUsedByContact);
            }
        }
        query(
            "UPDATE promo_codes SET doc = json_set(doc, '$.uses', (doc ->> '$.uses') + 1) WHERE bot = ? AND key = ?",
            args![bot, key],
        )
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        query("INSERT INTO redemptions (doc) VALUES (?)", args![to_doc(redemption)?])
            .execute(&mut *tx)
            .await
            .map_err(|e| write_error(e, "redemption", redemption.id.as_str()))?;
        tx.commit().await.map_err(backend_error)?;
        Ok(RedeemOutcome::Redeemed)
    }

    async fn release_redemption(&self, bot: &BotId, id: &RedemptionId) -> StoreResult<bool> {
        let mut tx = self.writer.begin().await.map_err(backend_error)?;
        let Some(row) = query(
            "DELETE FROM redemptions WHERE bot = ? AND id = ? RETURNING doc",
            args![bot.as_str(), id.as_str()],
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?
        else {
            return Ok(false);
        };
        let redemption: Redemption = from_doc(&row)?;
        query(
            "UPDATE promo_codes SET doc = json_set(doc, '$.uses', (doc ->> '$.uses') - 1) \
             WHERE bot = ? AND key = ? AND (doc ->> '$.uses') > 0",
            args![bot.as_str(), redemption.code],
        )
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        Ok(true)
    }

    async fn list_redemptions(&self, bot: &BotId, key: &str) -> StoreResult<Vec<Redemption>> {
        self.fetch_all(
            "SELECT doc FROM redemptions WHERE bot = ? AND code = ? ORDER BY id",
            args![bot.as_str(), key],
        )
        .await
    }

    async fn count_contact_redemptions(&self, bot: &BotId, key: &str, contact: &ContactId) -> StoreResult<u32> {
        let row = query(
            "SELECT count(*) FROM redemptions WHERE bot = ? AND code = ? AND contact = ?",
            args![bot.as_str(), key, contact.as_str()],
        )
        .fetch_one(&self.reader)
        .await
        .map_err(backend_error)?;
        u32::try_from(count(&row, 0)?).map_err(backend_error)
    }
}
