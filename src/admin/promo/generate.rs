//! Creating a batch of codes, for `/promo N …` and `coachbot promo`: codes are drawn in chunks,
//! added to a hidden batch (a taken code is drawn again), and the batch is published at the end, so
//! memory stays flat at any count and a failure half-way leaves nothing visible.

use super::grammar::{ContactRef, Generate, TermChanges};
use crate::config::bots::Bot;
use crate::domain::contact::Contact;
use crate::domain::promo::{Discount, PromoBatch, PromoCode, PromoTerms, code};
use crate::domain::{BatchId, ContactId};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// Codes drawn and written per round trip to the store.
pub const CHUNK: usize = 10_000;
/// Rounds of redrawing taken codes before giving up (each round redraws only the taken ones).
const REDRAWS: usize = 20;

/// Why codes could not be created.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// An `offre:` id that the bot does not have.
    #[error("unknown offer {id:?}")]
    UnknownOffer {
        /// As typed.
        id: String,
        /// The bot's offers.
        known: Vec<String>,
    },
    /// A `cours:` id that the bot does not have.
    #[error("unknown course {id:?}")]
    UnknownCourse {
        /// As typed.
        id: String,
        /// The bot's courses.
        known: Vec<String>,
    },
    /// The code space is so full that fresh codes keep colliding (use a longer `len:`).
    #[error("could not draw unique codes")]
    Exhausted,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks that the offers and courses named exist, so that a code never points at nothing.
pub async fn check_ids(store: &dyn Store, bot: &Bot, changes: &TermChanges) -> Result<(), GenerateError> {
    if let Some(offers) = &changes.offers {
        let known: Vec<String> = store
            .list_offers(&bot.id)
            .await?
            .into_iter()
            .map(|o| o.id.to_string())
            .collect();
        if let Some(id) = offers.iter().find(|id| !known.contains(id)) {
            return Err(GenerateError::UnknownOffer { id: id.clone(), known });
        }
    }
    if let Some(courses) = &changes.courses {
        let known: Vec<String> = store
            .list_courses(&bot.id)
            .await?
            .into_iter()
            .map(|c| c.id.to_string())
            .collect();
        if let Some(id) = courses.iter().find(|id| !known.contains(id)) {
            return Err(GenerateError::UnknownCourse { id: id.clone(), known });
        }
    }
    Ok(())
}

/// Applies term changes on top of `base`; the dates are resolved from `now` in the bot's zone.
pub fn apply_changes(base: &PromoTerms, changes: &TermChanges, bot: &Bot, now: DateTime<Utc>) -> PromoTerms {
    let mut terms = base.clone();
    if let Some(discount) = changes.discount {
        terms.discount = discount;
    }
    if let Some(end) = changes.expires {
        terms.expires_at = Some(end.end_instant(now, bot.time_zone));
    }
    if let Some(start) = changes.starts {
        terms.starts_at = Some(start.start_instant(now, bot.time_zone));
    }
    if let Some(n) = changes.max_uses {
        terms.max_uses = n;
    }
    if let Some(n) = changes.per_contact {
        terms.per_contact = n;
    }
    if let Some(ids) = &changes.offers {
        terms.offers = ids.iter().map(|id| id.as_str().into()).collect();
    }
    if let Some(ids) = &changes.courses {
        terms.courses = ids.iter().map(|id| id.as_str().into()).collect();
    }
    if let Some(min) = changes.min_amount {
        terms.min_amount = Some(min);
    }
    terms
}

/// The terms of new codes before options: one use per code, one per contact, no dates.
pub fn default_terms(discount: Discount) -> PromoTerms {
    PromoTerms {
        discount,
        max_uses: 1,
        per_contact: 1,
        starts_at: None,
        expires_at: None,
        offers: Vec::new(),
        courses: Vec::new(),
        min_amount: None,
    }
}

/// The contact a `pour:` names: the one with that phone or email, or a new lead created for it
/// (they will be recognised by that phone or email when they first write).
pub async fn resolve_contact(
    store: &dyn Store,
    bot: &Bot,
    who: &ContactRef,
    now: DateTime<Utc>,
) -> Result<ContactId, StoreError> {
    let found = match who {
        ContactRef::Phone(phone) => store.find_contact_by_phone(&bot.id, phone).await?,
        ContactRef::Email(email) => store.find_contact_by_email(&bot.id, email).await?,
    };
    if let Some(contact) = found {
        return Ok(contact.id);
    }
    let mut lead = Contact {
        bot: bot.id.clone(),
        id: ContactId::generate(),
        identities: Vec::new(),
        name: None,
        email: None,
        phone: None,
        consent: None,
        language: None,
        tags: vec!["promo".into()],
        memory: Vec::new(),
        opted_out: false,
        created_at: now,
    };
    match who {
        ContactRef::Phone(phone) => lead.phone = Some(phone.clone()),
        ContactRef::Email(email) => lead.email = Some(email.clone()),
    }
    store.insert_contact(&lead).await?;
    Ok(lead.id)
}

/// Creates the batch and its codes, calling `on_codes` with each chunk once it is stored.
pub async fn generate(
    store: &dyn Store,
    bot: &Bot,
    spec: &Generate,
    created_by: &str,
    now: DateTime<Utc>,
    rng: &mut (dyn rand::RngCore + Send),
    on_codes: &mut (dyn FnMut(&[PromoCode]) + Send),
) -> Result<PromoBatch, GenerateError> {
    check_ids(store, bot, &spec.terms).await?;
    let discount = spec.terms.discount.ok_or(GenerateError::Exhausted)?;
    let terms = apply_changes(&default_terms(discount), &spec.terms, bot, now);
    let assigned = match &spec.assign {
        Some(who) => Some(resolve_contact(store, bot, who, now).await?),
        None => None,
    };
    let mut batch = PromoBatch {
        bot: bot.id.clone(),
        id: BatchId::short(rng),
        terms,
        prefix: spec.prefix.clone(),
        count: spec.count,
        note: spec.note.clone(),
        created_by: created_by.to_owned(),
        created_at: now,
    };
    let mut attempts = 0;
    loop {
        match store.begin_promo_batch(&batch).await {
            Ok(()) => break,
            Err(StoreError::Conflict { .. }) if attempts < 5 => {
                attempts += 1;
                batch.id = BatchId::short(rng);
            }
            Err(e) => return Err(e.into()),
        }
    }
    match fill(store, &batch, spec, assigned.as_ref(), now, rng, on_codes).await {
        Ok(()) => {
            store.publish_promo_batch(&batch.bot, &batch.id, spec.count).await?;
            Ok(batch)
        }
        Err(error) => {
            if let Err(cleanup) = store.discard_promo_batch(&batch.bot, &batch.id).await {
                tracing::error!(batch = %batch.id, error = %cleanup, "could not discard a failed promo batch");
            }
            Err(error)
        }
    }
}

async fn fill(
    store: &dyn Store,
    batch: &PromoBatch,
    spec: &Generate,
    assigned: Option<&ContactId>,
    now: DateTime<Utc>,
    rng: &mut (dyn rand::RngCore + Send),
    on_codes: &mut (dyn FnMut(&[PromoCode]) + Send),
) -> Result<(), GenerateError> {
    let len = spec.len.unwrap_or(code::DEFAULT_LEN);
    // Codes drawn together are distinct, so a key the store reports as taken belongs to another
    // batch (or an earlier chunk) and only that code is drawn again.
    let draw = |n: usize, rng: &mut (dyn rand::RngCore + Send)| -> Vec<PromoCode> {
        let mut keys = HashSet::with_capacity(n);
        let mut codes = Vec::with_capacity(n);
        while codes.len() < n {
            let mut code = PromoCode::new(batch, code::generate(spec.prefix.as_deref(), len, rng), now);
            if keys.insert(code.key.clone()) {
                code.assigned_to = assigned.cloned();
                codes.push(code);
            }
        }
        codes
    };
    let mut remaining = spec.count as usize;
    while remaining > 0 {
        let size = remaining.min(CHUNK);
        let mut pending = draw(size, rng);
        let mut stored: Vec<PromoCode> = Vec::with_capacity(size);
        for round in 0.. {
            let taken: HashSet<String> = store.add_promo_codes(&pending).await?.into_iter().collect();
            let (lost, kept): (Vec<PromoCode>, Vec<PromoCode>) =
                pending.into_iter().partition(|c| taken.contains(&c.key));
            stored.extend(kept);
            if lost.is_empty() {
                break;
            }
            if round >= REDRAWS {
                return Err(GenerateError::Exhausted);
            }
            pending = draw(lost.len(), rng);
        }
        on_codes(&stored);
        remaining -= size;
    }
    Ok(())
}
