//! A batch as CSV (code, discount, end, max, uses, assigned contact, status), read a page at a
//! time and written as it goes: flat memory at any batch size.

use super::Describe;
use crate::config::bots::Bot;
use crate::domain::language::Language;
use crate::domain::promo::PromoCode;
use crate::domain::{BatchId, ContactId};
use crate::i18n::Texts;
use crate::store::{PageRequest, Store, StoreError};
use crate::t;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::io::Write;

/// Codes read per page.
const PAGE: u32 = 1000;

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The store failed (or the batch does not exist: `NotFound`).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing failed.
    #[error("writing the CSV: {0}")]
    Write(#[from] csv::Error),
}

/// A CSV of codes being written: the header first, then one row per code.
pub struct CsvRows<'a, W: Write> {
    writer: csv::Writer<W>,
    describe: Describe<'a>,
}

impl<'a, W: Write> CsvRows<'a, W> {
    /// Starts a CSV on `out` with the header in the coach's language.
    pub fn new(out: W, bot: &'a Bot, texts: &'a Texts, language: Language) -> Result<Self, csv::Error> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(t!(texts, language, "promo-csv-header").split(',').map(str::trim))?;
        Ok(Self {
            writer,
            describe: Describe { bot, texts, language },
        })
    }

    /// Writes one code; `assigned` is how its contact is shown (empty when none).
    pub fn push(&mut self, code: &PromoCode, assigned: &str, now: DateTime<Utc>) -> Result<(), csv::Error> {
        let d = &self.describe;
        let expiry = if code.terms.expires_at.is_some() {
            d.expiry(&code.terms)
        } else {
            String::new()
        };
        self.writer.write_record([
            code.code.as_str(),
            &d.discount(&code.terms),
            &expiry,
            &d.count(code.terms.max_uses),
            &code.uses.to_string(),
            assigned,
            &d.status(code.status(now)),
        ])
    }

    /// Flushes what is buffered.
    pub fn finish(mut self) -> Result<(), csv::Error> {
        self.writer.flush().map_err(csv::Error::from)
    }
}

/// Writes the batch's codes to `out`; returns how many.
pub async fn write_csv(
    store: &dyn Store,
    bot: &Bot,
    texts: &Texts,
    language: Language,
    batch: &BatchId,
    now: DateTime<Utc>,
    out: impl Write,
) -> Result<u64, ExportError> {
    store.get_promo_batch(&bot.id, batch).await?;
    let mut rows = CsvRows::new(out, bot, texts, language)?;
    let mut contacts: HashMap<ContactId, String> = HashMap::new();
    let mut page = PageRequest::first(PAGE);
    let mut written = 0;
    loop {
        let codes = store.list_promo_codes(&bot.id, batch, &page).await?;
        for code in &codes.items {
            let assigned = match &code.assigned_to {
                Some(id) => match contacts.get(id) {
                    Some(shown) => shown.clone(),
                    None => {
                        let shown = contact_label(store, bot, id).await?;
                        contacts.insert(id.clone(), shown.clone());
                        shown
                    }
                },
                None => String::new(),
            };
            rows.push(code, &assigned, now)?;
            written += 1;
        }
        match codes.next {
            Some(next) => {
                page = PageRequest {
                    after: Some(next),
                    limit: PAGE,
                }
            }
            None => break,
        }
    }
    rows.finish()?;
    Ok(written)
}

/// How a contact is shown to the coach: email, else phone, else name, else id.
pub(crate) async fn contact_label(store: &dyn Store, bot: &Bot, id: &ContactId) -> Result<String, StoreError> {
    let contact = match store.get_contact(&bot.id, id).await {
        Ok(contact) => contact,
        Err(StoreError::NotFound) => return Ok(id.to_string()),
        Err(e) => return Err(e),
    };
    Ok(contact
        .email
        .map(|e| e.to_string())
        .or(contact.phone.map(|p| p.to_string()))
        .or(contact.name)
        .unwrap_or_else(|| id.to_string()))
}
