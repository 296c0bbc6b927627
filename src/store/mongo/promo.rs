//! Promo batches, codes and redemptions. A batch and its codes are written flagged `pending`
//! (invisible to every read) and unflagged when complete; a failed generation removes them.

use super::{MongoStore, backend_error, is_duplicate, key, to_document, with, write_error};
use crate::domain::promo::{PromoBatch, PromoCode, Redemption};
use crate::domain::{BatchId, BotId, ContactId, RedemptionId};
use crate::store::PromoStore;
use crate::store::{BatchUsage, Page, PageRequest, RedeemOutcome, StoreError, StoreResult};
use async_trait::async_trait;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{Document, doc};
use mongodb::error::ErrorKind;

/// Marks a promo batch and its codes while they are being written; readers never see them.
const PENDING: &str = "pending";

fn not_pending() -> Document {
    doc! { PENDING: { "$exists": false } }
}

fn code_filter(bot: &BotId, key: &str) -> Document {
    with(doc! { "bot": bot.as_str(), "key": key }, not_pending())
}

/// The keys of the codes an unordered `insertMany` refused as duplicates; `None` for other failures.
fn duplicate_keys(error: &mongodb::error::Error, codes: &[PromoCode]) -> Option<Vec<String>> {
    let ErrorKind::InsertMany(failure) = error.kind.as_ref() else {
        return None;
    };
    let write_errors = failure.write_errors.as_ref()?;
    if failure.write_concern_error.is_some() || write_errors.iter().any(|w| w.code != super::DUPLICATE_KEY) {
        return None;
    }
    Some(
        write_errors
            .iter()
            .filter_map(|w| codes.get(w.index))
            .map(|c| c.key.clone())
            .collect(),
    )
}

#[async_trait]
impl PromoStore for MongoStore {
    async fn begin_promo_batch(&self, batch: &PromoBatch) -> StoreResult<()> {
        let mut doc = to_document(batch)?;
        doc.insert(PENDING, true);
        self.coll::<Document>("promo_batches")
            .insert_one(doc)
            .await
            .map_err(|e| write_error(e, "promo batch", batch.id.as_str()))?;
        Ok(())
    }

    async fn add_promo_codes(&self, codes: &[PromoCode]) -> StoreResult<Vec<String>> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let docs = codes
            .iter()
            .map(|code| to_document(code).map(|d| with(d, doc! { PENDING: true })))
            .collect::<StoreResult<Vec<_>>>()?;
        match self
            .coll::<Document>("promo_codes")
            .insert_many(docs)
            .ordered(false)
            .await
        {
            Ok(_) => Ok(Vec::new()),
            Err(e) => duplicate_keys(&e, codes).ok_or_else(|| backend_error(e)),
        }
    }

    async fn publish_promo_batch(&self, bot: &BotId, id: &BatchId, count: u32) -> StoreResult<()> {
        self.coll::<Document>("promo_codes")
            .update_many(
                doc! { "bot": bot.as_str(), "batch": id.as_str() },
                doc! { "$unset": { PENDING: "" } },
            )
            .await
            .map_err(backend_error)?;
        let filter = with(key(bot, id.as_str()), doc! { PENDING: true });
        let update = doc! { "$unset": { PENDING: "" }, "$set": { "count": i64::from(count) } };
        match self.update_if("promo_batches", filter, update).await? {
            true => Ok(()),
            false => Err(StoreError::NotFound),
        }
    }

    async fn discard_promo_batch(&self, bot: &BotId, id: &BatchId) -> StoreResult<()> {
        let filter = doc! { "bot": bot.as_str(), "batch": id.as_str(), PENDING: true };
        self.coll::<Document>("promo_codes")
            .delete_many(filter)
            .await
            .map_err(backend_error)?;
        self.coll::<Document>("promo_batches")
            .delete_one(with(key(bot, id.as_str()), doc! { PENDING: true }))
            .await
            .map_err(backend_error)?;
        Ok(())
    }

    async fn get_promo_batch(&self, bot: &BotId, id: &BatchId) -> StoreResult<PromoBatch> {
        self.find_one("promo_batches", with(key(bot, id.as_str()), not_pending()))
            .await
    }

    async fn list_promo_batches(&self, bot: &BotId) -> StoreResult<Vec<PromoBatch>> {
        let filter = with(doc! { "bot": bot.as_str() }, not_pending());
        self.find_all("promo_batches", filter, doc! { "created_at": 1, "id": 1 }, None)
            .await
    }

    async fn update_promo_batch(&self, batch: &PromoBatch) -> StoreResult<()> {
        let filter = with(key(&batch.bot, batch.id.as_str()), not_pending());
        self.replace("promo_batches", filter, batch, false, "promo batch").await
    }

    async fn promo_batch_usage(&self, bot: &BotId, id: &BatchId) -> StoreResult<BatchUsage> {
        let codes = self.coll::<Document>("promo_codes");
        let all = doc! { "bot": bot.as_str(), "batch": id.as_str() };
        let total = codes.count_documents(all.clone()).await.map_err(backend_error)?;
        let used = codes
            .count_documents(with(all, doc! { "uses": { "$gt": 0 } }))
            .await
            .map_err(backend_error)?;
        Ok(BatchUsage { codes: total, used })
    }

    async fn get_promo_code(&self, bot: &BotId, key: &str) -> StoreResult<PromoCode> {
        // Filter on the unique key alone and look at `pending` here: the lookup stays a pure index
        // match on any server (SecantusDB, for one, scans when a filter holds more than the index).
        let doc: Document = self
            .find_one("promo_codes", doc! { "bot": bot.as_str(), "key": key })
            .await?;
        if doc.contains_key(PENDING) {
            return Err(StoreError::NotFound);
        }
        mongodb::bson::deserialize_from_document(doc).map_err(backend_error)
    }

    async fn list_promo_codes(&self, bot: &BotId, batch: &BatchId, page: &PageRequest) -> StoreResult<Page<PromoCode>> {
        let mut filter = with(doc! { "bot": bot.as_str(), "batch": batch.as_str() }, not_pending());
        if let Some(after) = &page.after {
            let after = ObjectId::parse_str(after).map_err(backend_error)?;
            filter.insert("_id", doc! { "$gt": after });
        }
        let docs: Vec<Document> = self
            .find_all(
                "promo_codes",
                filter,
                doc! { "_id": 1 },
                Some(i64::from(page.limit) + 1),
            )
            .await?;
        let mut items = Vec::with_capacity(docs.len());
        for doc in docs {
            let id = doc.get_object_id("_id").map_err(backend_error)?;
            items.push((
                id,
                mongodb::bson::deserialize_from_document::<PromoCode>(doc).map_err(backend_error)?,
            ));
        }
        let page = Page::from_overfetch(items, page.limit, |(id, _)| id.to_hex());
        Ok(Page {
            items: page.items.into_iter().map(|(_, code)| code).collect(),
            next: page.next,
        })
    }

    async fn update_promo_code(&self, code: &PromoCode) -> StoreResult<()> {
        let mut fields = to_document(code)?;
        fields.remove("uses");
        match self
            .update_if(
                "promo_codes",
                code_filter(&code.bot, &code.key),
                doc! { "$set": fields },
            )
            .await?
        {
            true => Ok(()),
            false => Err(StoreError::NotFound),
        }
    }

    async fn delete_promo_code(&self, bot: &BotId, key: &str) -> StoreResult<bool> {
        let deleted = self
            .coll::<Document>("promo_codes")
            .delete_one(with(code_filter(bot, key), doc! { "uses": 0 }))
            .await
            .map_err(backend_error)?;
        if deleted.deleted_count == 0 {
            self.get_promo_code(bot, key).await?;
        }
        Ok(deleted.deleted_count == 1)
    }

    async fn redeem_promo(&self, redemption: &Redemption) -> StoreResult<RedeemOutcome> {
        let (bot, code) = (redemption.bot.as_str(), redemption.code.as_str());
        let promo = self.get_promo_code(&redemption.bot, code).await?;
        let contact_key = doc! { "bot": bot, "code": code, "contact": redemption.contact.as_str() };
        // The per-contact count first: it only races with the same contact, so a use it takes back
        // never makes another contact lose the last use of the code.
        if promo.terms.per_contact > 0 {
            let filter = with(
                contact_key.clone(),
                doc! { "uses": { "$lt": i64::from(promo.terms.per_contact) } },
            );
            let counted = self
                .coll::<Document>("promo_contact_uses")
                .update_one(filter, doc! { "$inc": { "uses": 1 } })
                .upsert(true)
                .await;
            match counted {
                Ok(_) => {}
                Err(e) if is_duplicate(&e) => return Ok(RedeemOutcome::AlreadyUsedByContact),
                Err(e) => return Err(backend_error(e)),
            }
        }
        let mut filter = code_filter(&redemption.bot, code);
        if promo.terms.max_uses > 0 {
            filter.insert("uses", doc! { "$lt": i64::from(promo.terms.max_uses) });
        }
        if !self
            .update_if("promo_codes", filter, doc! { "$inc": { "uses": 1 } })
            .await?
        {
            if promo.terms.per_contact > 0 {
                self.update_if("promo_contact_uses", contact_key, doc! { "$inc": { "uses": -1 } })
                    .await?;
            }
            return Ok(RedeemOutcome::UsedUp);
        }
        self.insert("redemptions", redemption, "redemption", redemption.id.as_str())
            .await?;
        Ok(RedeemOutcome::Redeemed)
    }

    async fn release_redemption(&self, bot: &BotId, id: &RedemptionId) -> StoreResult<bool> {
        let Some(redemption) = self
            .coll::<Redemption>("redemptions")
            .find_one_and_delete(key(bot, id.as_str()))
            .await
            .map_err(backend_error)?
        else {
            return Ok(false);
        };
        let decrement = doc! { "$inc": { "uses": -1 } };
        let positive = doc! { "uses": { "$gt": 0 } };
        let code = doc! { "bot": bot.as_str(), "key": redemption.code.as_str() };
        self.update_if("promo_codes", with(code, positive.clone()), decrement.clone())
            .await?;
        let per_contact =
            doc! { "bot": bot.as_str(), "code": redemption.code.as_str(), "contact": redemption.contact.as_str() };
        self.update_if("promo_contact_uses", with(per_contact, positive), decrement)
            .await?;
        Ok(true)
    }

    async fn list_redemptions(&self, bot: &BotId, key: &str) -> StoreResult<Vec<Redemption>> {
        self.find_all(
            "redemptions",
            doc! { "bot": bot.as_str(), "code": key },
            doc! { "id": 1 },
            None,
        )
        .await
    }

    async fn count_contact_redemptions(&self, bot: &BotId, key: &str, contact: &ContactId) -> StoreResult<u32> {
        let filter = doc! { "bot": bot.as_str(), "code": key, "contact": contact.as_str() };
        let n = self
            .coll::<Document>("redemptions")
            .count_documents(filter)
            .await
            .map_err(backend_error)?;
        u32::try_from(n).map_err(backend_error)
    }
}
