//! Promo batches, codes and redemptions.

use super::{SqliteStore, args, backend_error, from_doc, query, to_doc, write_error};
use crate::domain::promo::{PromoBatch, PromoCode, Redemption};
use crate::domain::{BatchId, BotId, RedemptionId};
use crate::store::PromoStore;
use crate::store::{Page, PageRequest, RedeemOutcome, StoreError, StoreResult};
use async_trait::async_trait;
use sqlx::{Row, Sqlite};

/// Rows inserted per statement when a batch of promo codes is written.
const CODES_PER_STATEMENT: usize = 500;

#[async_trait]
impl PromoStore for SqliteStore {
    async fn insert_promo_batch(&self, batch: &PromoBatch, codes: &[PromoCode]) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(backend_error)?;
        query("INSERT INTO promo_batches (doc) VALUES (?)", args![to_doc(batch)?])
            .execute(&mut *tx)
            .await
            .map_err(|e| write_error(e, "promo batch", batch.id.as_str()))?;
        let mut taken = Vec::new();
        for chunk in codes.chunks(CODES_PER_STATEMENT) {
            let mut insert = sqlx::QueryBuilder::<Sqlite>::new("INSERT INTO promo_codes (doc) ");
            let docs = chunk.iter().map(to_doc).collect::<StoreResult<Vec<_>>>()?;
            insert.push_values(docs, |mut row, doc| {
                row.push_bind(doc);
            });
            insert.push(" ON CONFLICT (bot, code) DO NOTHING RETURNING code");
            let inserted: Vec<String> = insert
                .build_query_scalar()
                .fetch_all(&mut *tx)
                .await
                .map_err(backend_error)?;
            if inserted.len() < chunk.len() {
                let inserted: std::collections::HashSet<&str> = inserted.iter().map(String::as_str).collect();
                taken.extend(
                    chunk
                        .iter()
                        .filter(|c| !inserted.contains(c.code.as_str()))
                        .map(|c| c.code.clone()),
                );
            }
        }
        if !taken.is_empty() {
            tx.rollback().await.map_err(backend_error)?;
            return Err(StoreError::Conflict {
                what: "promo code",
                keys: taken,
            });
        }
        tx.commit().await.map_err(backend_error)
    }

    async fn get_promo_batch(&self, bot: &BotId, id: &BatchId) -> StoreResult<PromoBatch> {
        self.fetch_one(
            "SELECT doc FROM promo_batches WHERE bot = ? AND id = ?",
            args![bot.as_str(), id.as_str()],
        )
        .await
    }

    async fn list_promo_batches(&self, bot: &BotId) -> StoreResult<Vec<PromoBatch>> {
        self.fetch_all(
            "SELECT doc FROM promo_batches WHERE bot = ? ORDER BY id",
            args![bot.as_str()],
        )
        .await
    }

    async fn get_promo_code(&self, bot: &BotId, code: &str) -> StoreResult<PromoCode> {
        self.fetch_one(
            "SELECT doc FROM promo_codes WHERE bot = ? AND code = ?",
            args![bot.as_str(), code],
        )
        .await
    }

    async fn list_promo_codes(&self, bot: &BotId, batch: &BatchId, page: &PageRequest) -> StoreResult<Page<PromoCode>> {
        let items = self
            .fetch_all(
                "SELECT doc FROM promo_codes WHERE bot = ? AND batch = ? AND code > ? ORDER BY code LIMIT ?",
                args![
                    bot.as_str(),
                    batch.as_str(),
                    page.after.clone().unwrap_or_default(),
                    i64::from(page.limit) + 1
                ],
            )
            .await?;
        Ok(Page::from_overfetch(items, page.limit, |c: &PromoCode| c.code.clone()))
    }

    async fn update_promo_code(&self, code: &PromoCode) -> StoreResult<()> {
        self.update_one(
            "UPDATE promo_codes SET doc = json_set(?, '$.uses', doc -> '$.uses') WHERE bot = ? AND code = ?",
            args![to_doc(code)?, code.bot.as_str(), code.code.as_str()],
        )
        .await
    }

    async fn redeem_promo(&self, redemption: &Redemption) -> StoreResult<RedeemOutcome> {
        let (bot, code) = (redemption.bot.as_str(), redemption.code.as_str());
        let mut tx = self.writer.begin().await.map_err(backend_error)?;
        let row = query(
            "SELECT doc FROM promo_codes WHERE bot = ? AND code = ?",
            args![bot, code],
        )
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
                args![bot, code, redemption.contact.as_str()],
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
            "UPDATE promo_codes SET doc = json_set(doc, '$.uses', (doc ->> '$.uses') + 1) WHERE bot = ? AND code = ?",
            args![bot, code],
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
             WHERE bot = ? AND code = ? AND (doc ->> '$.uses') > 0",
            args![bot.as_str(), redemption.code],
        )
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        Ok(true)
    }

    async fn list_redemptions(&self, bot: &BotId, code: &str) -> StoreResult<Vec<Redemption>> {
        self.fetch_all(
            "SELECT doc FROM redemptions WHERE bot = ? AND code = ? ORDER BY id",
            args![bot.as_str(), code],
        )
        .await
    }
}
