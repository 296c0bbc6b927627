//! Promo batches, codes and redemptions. A batch is inserted hidden (`pending`), its codes added in
//! multi-row statements, then published by clearing one flag: codes are read through a join on a
//! published batch, so a generation that stops half-way leaves nothing visible.

use super::{SqliteStore, args, backend_error, one, parse_doc, run, scalar, to_doc, write_error};
use crate::domain::promo::{PromoBatch, PromoCode, Redemption};
use crate::domain::{BatchId, BotId, ContactId, RedemptionId};
use crate::store::PromoStore;
use crate::store::{BatchUsage, Page, PageRequest, RedeemOutcome, StoreError, StoreResult};
use async_trait::async_trait;

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

/// The writer's page cache back to its everyday size once a batch is generated.
fn small_cache(tx: &super::Tx) -> StoreResult<()> {
    tx.pragma_update(None, "cache_size", -super::CACHE_KIB)
        .map_err(backend_error)
}

fn count(value: Option<i64>) -> StoreResult<u64> {
    u64::try_from(value.unwrap_or(0)).map_err(backend_error)
}

#[async_trait]
impl PromoStore for SqliteStore {
    async fn begin_promo_batch(&self, batch: &PromoBatch) -> StoreResult<()> {
        let (doc, id) = (to_doc(batch)?, batch.id.to_string());
        self.write(move |tx| {
            run(
                tx,
                "INSERT INTO promo_batches (doc) VALUES (json_set(?, '$.pending', json('true')))",
                &args![doc],
            )
            .map(drop)
            .map_err(|e| write_error(e, "promo batch", id))
        })
        .await
    }

    async fn add_promo_codes(&self, codes: &[PromoCode]) -> StoreResult<Vec<String>> {
        let docs = codes
            .iter()
            .map(|code| Ok((code.key.clone(), to_doc(code)?)))
            .collect::<StoreResult<Vec<_>>>()?;
        self.write(move |tx| {
            // Until the batch is published or discarded.
            tx.pragma_update(None, "cache_size", -super::BATCH_CACHE_KIB)
                .map_err(backend_error)?;
            let mut insert = tx
                .prepare_cached("INSERT INTO promo_codes (doc) VALUES (?) ON CONFLICT (bot, key) DO NOTHING")
                .map_err(backend_error)?;
            let mut taken = Vec::new();
            for (key, doc) in docs {
                if insert.execute([doc]).map_err(backend_error)? == 0 {
                    taken.push(key);
                }
            }
            Ok(taken)
        })
        .await
    }

    async fn publish_promo_batch(&self, bot: &BotId, id: &BatchId, count: u32) -> StoreResult<()> {
        let args = args![i64::from(count), bot.as_str(), id.as_str()];
        self.write(move |tx| {
            small_cache(tx)?;
            match run(
                tx,
                "UPDATE promo_batches SET doc = json_set(json_remove(doc, '$.pending'), '$.count', ?) \
                 WHERE bot = ? AND id = ? AND pending IS NOT NULL",
                &args,
            )
            .map_err(backend_error)?
            {
                0 => Err(StoreError::NotFound),
                _ => Ok(()),
            }
        })
        .await
    }

    async fn discard_promo_batch(&self, bot: &BotId, id: &BatchId) -> StoreResult<()> {
        let args = args![bot.as_str(), id.as_str()];
        self.write(move |tx| {
            small_cache(tx)?;
            let removed = run(
                tx,
                "DELETE FROM promo_batches WHERE bot = ? AND id = ? AND pending IS NOT NULL",
                &args,
            )
            .map_err(backend_error)?;
            if removed == 1 {
                run(tx, "DELETE FROM promo_codes WHERE bot = ? AND batch = ?", &args).map_err(backend_error)?;
            }
            Ok(())
        })
        .await
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
        let args = args![bot.as_str(), id.as_str()];
        let (codes, used) = self
            .read(move |conn| {
                conn.prepare_cached(
                    "SELECT count(*), sum((doc ->> '$.uses') > 0) FROM promo_codes WHERE bot = ? AND batch = ?",
                )
                .and_then(|mut s| {
                    s.query_row(rusqlite::params_from_iter(&args), |row| {
                        Ok((row.get::<_, Option<i64>>(0)?, row.get::<_, Option<i64>>(1)?))
                    })
                })
                .map_err(backend_error)
            })
            .await?;
        Ok(BatchUsage {
            codes: count(codes)?,
            used: count(used)?,
        })
    }

    async fn get_promo_code(&self, bot: &BotId, key: &str) -> StoreResult<PromoCode> {
        self.fetch_one(visible_codes!("c.bot = ? AND c.key = ?"), args![bot.as_str(), key])
            .await
    }

    async fn list_promo_codes(&self, bot: &BotId, batch: &BatchId, page: &PageRequest) -> StoreResult<Page<PromoCode>> {
        let after: i64 = page.after.as_deref().map_or(Ok(0), str::parse).map_err(backend_error)?;
        let args = args![bot.as_str(), batch.as_str(), after, i64::from(page.limit) + 1];
        let items: Vec<(i64, PromoCode)> = self
            .read(move |conn| {
                let mut statement = conn
                    .prepare_cached(visible_codes!(
                        "c.bot = ? AND c.batch = ? AND c.rowid > ? ORDER BY c.rowid LIMIT ?",
                        ", c.rowid"
                    ))
                    .map_err(backend_error)?;
                let mut rows = statement
                    .query(rusqlite::params_from_iter(&args))
                    .map_err(backend_error)?;
                let mut items = Vec::new();
                while let Some(row) = rows.next().map_err(backend_error)? {
                    let doc: String = row.get(0).map_err(backend_error)?;
                    let rowid: i64 = row.get(1).map_err(backend_error)?;
                    items.push((rowid, parse_doc::<PromoCode>(&doc)?));
                }
                Ok(items)
            })
            .await?;
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
        let (bot, key) = (redemption.bot.to_string(), redemption.code.clone());
        let (contact, id, doc) = (
            redemption.contact.to_string(),
            redemption.id.to_string(),
            to_doc(redemption)?,
        );
        self.write(move |tx| {
            let promo: PromoCode =
                one(tx, visible_codes!("c.bot = ? AND c.key = ?"), &args![&bot, &key])?.ok_or(StoreError::NotFound)?;
            if promo.terms.max_uses > 0 && promo.uses >= promo.terms.max_uses {
                return Ok(RedeemOutcome::UsedUp);
            }
            if promo.terms.per_contact > 0 {
                let used: i64 = scalar(
                    tx,
                    "SELECT count(*) FROM redemptions WHERE bot = ? AND code = ? AND contact = ?",
                    &args![&bot, &key, contact],
                )?
                .unwrap_or(0);
                if used >= i64::from(promo.terms.per_contact) {
                    return Ok(RedeemOutcome::AlreadyUsedByContact);
                }
            }
            run(
                tx,
                "UPDATE promo_codes SET doc = json_set(doc, '$.uses', (doc ->> '$.uses') + 1) WHERE bot = ? AND key = ?",
                &args![&bot, &key],
            )
            .map_err(backend_error)?;
            run(tx, "INSERT INTO redemptions (doc) VALUES (?)", &args![doc])
                .map_err(|e| write_error(e, "redemption", id))?;
            Ok(RedeemOutcome::Redeemed)
        })
        .await
    }

    async fn release_redemption(&self, bot: &BotId, id: &RedemptionId) -> StoreResult<bool> {
        let (bot, id) = (bot.to_string(), id.to_string());
        self.write(move |tx| {
            let Some(redemption) = one::<Redemption>(
                tx,
                "DELETE FROM redemptions WHERE bot = ? AND id = ? RETURNING doc",
                &args![&bot, id],
            )?
            else {
                return Ok(false);
            };
            run(
                tx,
                "UPDATE promo_codes SET doc = json_set(doc, '$.uses', (doc ->> '$.uses') - 1) \
                 WHERE bot = ? AND key = ? AND (doc ->> '$.uses') > 0",
                &args![&bot, redemption.code],
            )
            .map_err(backend_error)?;
            Ok(true)
        })
        .await
    }

    async fn list_redemptions(&self, bot: &BotId, key: &str) -> StoreResult<Vec<Redemption>> {
        self.fetch_all(
            "SELECT doc FROM redemptions WHERE bot = ? AND code = ? ORDER BY id",
            args![bot.as_str(), key],
        )
        .await
    }

    async fn count_contact_redemptions(&self, bot: &BotId, key: &str, contact: &ContactId) -> StoreResult<u32> {
        let args = args![bot.as_str(), key, contact.as_str()];
        let used: Option<i64> = self
            .read(move |conn| {
                scalar(
                    conn,
                    "SELECT count(*) FROM redemptions WHERE bot = ? AND code = ? AND contact = ?",
                    &args,
                )
            })
            .await?;
        u32::try_from(count(used)?).map_err(backend_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::promo::generate::default_terms;
    use crate::domain::promo::Discount;
    use chrono::Utc;

    /// The writer's page cache is large only while a batch's codes go in.
    #[tokio::test]
    async fn the_writer_keeps_its_small_page_cache_except_while_a_batch_is_generated() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::connect(dir.path().join("p.db").to_str().unwrap())
            .await
            .unwrap();
        let cache_kib = || {
            store.write(|tx| {
                tx.pragma_query_value(None, "cache_size", |row| row.get::<_, i64>(0))
                    .map(|size| -size)
                    .map_err(backend_error)
            })
        };
        assert_eq!(cache_kib().await.unwrap(), super::super::CACHE_KIB);
        let batch = PromoBatch {
            bot: BotId::parse("demo").unwrap(),
            id: BatchId::generate(),
            terms: default_terms(Discount::Percent { percent: 20 }),
            prefix: None,
            count: 2,
            note: None,
            created_by: "test".into(),
            created_at: Utc::now(),
        };
        let codes: Vec<PromoCode> = ["ABC123", "DEF456"]
            .iter()
            .map(|code| PromoCode::new(&batch, (*code).to_owned(), Utc::now()))
            .collect();
        store.begin_promo_batch(&batch).await.unwrap();
        assert!(store.add_promo_codes(&codes).await.unwrap().is_empty());
        assert_eq!(cache_kib().await.unwrap(), super::super::BATCH_CACHE_KIB);
        store.publish_promo_batch(&batch.bot, &batch.id, 2).await.unwrap();
        assert_eq!(cache_kib().await.unwrap(), super::super::CACHE_KIB);
        assert_eq!(store.get_promo_batch(&batch.bot, &batch.id).await.unwrap().count, 2);
    }
}
