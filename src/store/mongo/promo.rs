//! Promo batches, codes and redemptions.

use super::{MongoStore, backend_error, is_duplicate, key, to_document, with, write_error};
use crate::domain::promo::{PromoBatch, PromoCode, Redemption};
use crate::domain::{BatchId, BotId, RedemptionId};
use crate::store::PromoStore;
use crate::store::{Page, PageRequest, RedeemOutcome, StoreError, StoreResult};
use async_trait::async_trait;
use mongodb::bson::{Document, doc};
use mongodb::error::ErrorKind;

/// Codes sent per `insertMany` when a batch is written.
const CODES_PER_INSERT: usize = 1000;
/// Marks a promo batch and its codes while they are being written; readers never see them.
const PENDING: &str = "pending";

fn not_pending() -> Document {
    doc! { PENDING: { "$exists": false } }
}

/// The codes of a chunk that an unordered `insertMany` refused as duplicates.
fn duplicate_codes(error: &mongodb::error::Error, chunk: &[PromoCode]) -> Option<Vec<String>> {
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
            .filter_map(|w| chunk.get(w.index))
            .map(|c| c.code.clone())
            .collect(),
    )
}

impl MongoStore {
    async fn remove_pending_batch(&self, bot: &BotId, batch: &BatchId) -> StoreResult<()> {
        let filter = doc! { "bot": bot.as_str(), "batch": batch.as_str(), PENDING: true };
        self.coll::<Document>("promo_codes")
            .delete_many(filter)
            .await
            .map_err(backend_error)?;
        self.coll::<Document>("promo_batches")
            .delete_one(with(key(bot, batch.as_str()), doc! { PENDING: true }))
            .await
            .map_err(backend_error)?;
        Ok(())
    }
}

#[async_trait]
impl PromoStore for MongoStore {
    async fn insert_promo_batch(&self, batch: &PromoBatch, codes: &[PromoCode]) -> StoreResult<()> {
        let mut batch_doc = to_document(batch)?;
        batch_doc.insert(PENDING, true);
        self.coll::<Document>("promo_batches")
            .insert_one(batch_doc)
            .await
            .map_err(|e| write_error(e, "promo batch", batch.id.as_str()))?;
        let mut taken = Vec::new();
        for chunk in codes.chunks(CODES_PER_INSERT) {
            let docs = chunk
                .iter()
                .map(|code| to_document(code).map(|mut d| with(std::mem::take(&mut d), doc! { PENDING: true })))
                .collect::<StoreResult<Vec<_>>>()?;
            if let Err(e) = self
                .coll::<Document>("promo_codes")
                .insert_many(docs)
                .ordered(false)
                .await
            {
                match duplicate_codes(&e, chunk) {
                    Some(duplicates) => taken.extend(duplicates),
                    None => {
                        self.remove_pending_batch(&batch.bot, &batch.id).await?;
                        return Err(backend_error(e));
                    }
                }
            }
        }
        if !taken.is_empty() {
            self.remove_pending_batch(&batch.bot, &batch.id).await?;
            return Err(StoreError::Conflict {
                what: "promo code",
                keys: taken,
            });
        }
        let unset = doc! { "$unset": { PENDING: "" } };
        self.coll::<Document>("promo_codes")
            .update_many(
                doc! { "bot": batch.bot.as_str(), "batch": batch.id.as_str() },
                unset.clone(),
            )
            .await
            .map_err(backend_error)?;
        self.update_if("promo_batches", key(&batch.bot, batch.id.as_str()), unset)
            .await?;
        Ok(())
    }

    async fn get_promo_batch(&self, bot: &BotId, id: &BatchId) -> StoreResult<PromoBatch> {
        self.find_one("promo_batches", with(key(bot, id.as_str()), not_pending()))
            .await
    }

    async fn list_promo_batches(&self, bot: &BotId) -> StoreResult<Vec<PromoBatch>> {
        self.find_all(
            "promo_batches",
            with(doc! { "bot": bot.as_str() }, not_pending()),
            doc! { "id": 1 },
            None,
        )
        .await
    }

    async fn get_promo_code(&self, bot: &BotId, code: &str) -> StoreResult<PromoCode> {
        self.find_one(
            "promo_codes",
            with(doc! { "bot": bot.as_str(), "code": code }, not_pending()),
        )
        .await
    }

    async fn list_promo_codes(&self, bot: &BotId, batch: &BatchId, page: &PageRequest) -> StoreResult<Page<PromoCode>> {
        let after = page.after.clone().unwrap_or_default();
        let filter = with(
            doc! { "bot": bot.as_str(), "batch": batch.as_str(), "code": { "$gt": after } },
            not_pending(),
        );
        let items = self
            .find_all(
                "promo_codes",
                filter,
                doc! { "code": 1 },
                Some(i64::from(page.limit) + 1),
            )
            .await?;
        Ok(Page::from_overfetch(items, page.limit, |c: &PromoCode| c.code.clone()))
    }

    async fn update_promo_code(&self, code: &PromoCode) -> StoreResult<()> {
        let mut fields = to_document(code)?;
        fields.remove("uses");
        let filter = with(
            doc! { "bot": code.bot.as_str(), "code": code.code.as_str() },
            not_pending(),
        );
        match self.update_if("promo_codes", filter, doc! { "$set": fields }).await? {
            true => Ok(()),
            false => Err(StoreError::NotFound),
        }
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
        let mut filter = doc! { "bot": bot, "code": code };
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
        let code = doc! { "bot": bot.as_str(), "code": redemption.code.as_str() };
        let decrement = doc! { "$inc": { "uses": -1 } };
        let positive = doc! { "uses": { "$gt": 0 } };
        self.update_if("promo_codes", with(code.clone(), positive.clone()), decrement.clone())
            .await?;
        let per_contact = with(with(code, doc! { "contact": redemption.contact.as_str() }), positive);
        self.update_if("promo_contact_uses", per_contact, decrement).await?;
        Ok(true)
    }

    async fn list_redemptions(&self, bot: &BotId, code: &str) -> StoreResult<Vec<Redemption>> {
        self.find_all(
            "redemptions",
            doc! { "bot": bot.as_str(), "code": code },
            doc! { "id": 1 },
            None,
        )
        .await
    }
}
