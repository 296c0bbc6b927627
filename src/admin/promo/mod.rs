//! Promo codes from the coach's side: `/promo` (create, edit one code, edit a batch, help) and
//! `/promos` (list batches, list a batch's codes, export a batch as CSV).

pub mod apply;
pub mod export;
pub mod generate;
pub mod grammar;
#[cfg(test)]
mod grammar_tests;

use crate::config::bots::Bot;
use crate::domain::dates::last_valid_day;
use crate::domain::language::Language;
use crate::domain::money::Money;
use crate::domain::promo::{CodeStatus, PromoTerms};
use crate::i18n::Texts;
use crate::t;

/// How a term reads for people (`31/12/2026`, `illimité`, `pack10, single`…).
pub(crate) struct Describe<'a> {
    pub bot: &'a Bot,
    pub texts: &'a Texts,
    pub language: Language,
}

impl Describe<'_> {
    pub fn discount(&self, terms: &PromoTerms) -> String {
        terms.discount.display(self.bot.currency, self.language)
    }

    pub fn expiry(&self, terms: &PromoTerms) -> String {
        match terms.expires_at {
            Some(end) => last_valid_day(end, self.bot.time_zone).format("%d/%m/%Y").to_string(),
            None => t!(self.texts, self.language, "promo-value-none"),
        }
    }

    pub fn start(&self, terms: &PromoTerms) -> String {
        match terms.starts_at {
            Some(start) => crate::domain::dates::local_day(start, self.bot.time_zone)
                .format("%d/%m/%Y")
                .to_string(),
            None => t!(self.texts, self.language, "promo-value-none"),
        }
    }

    pub fn count(&self, n: u32) -> String {
        if n == 0 {
            t!(self.texts, self.language, "promo-value-unlimited")
        } else {
            n.to_string()
        }
    }

    pub fn ids(&self, ids: &[impl AsRef<str>]) -> String {
        if ids.is_empty() {
            t!(self.texts, self.language, "promo-value-all")
        } else {
            ids.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", ")
        }
    }

    pub fn min(&self, terms: &PromoTerms) -> String {
        match terms.min_amount {
            Some(minor) => Money::new(minor, self.bot.currency).display(self.language),
            None => t!(self.texts, self.language, "promo-value-none"),
        }
    }

    pub fn status(&self, status: CodeStatus) -> String {
        let id = match status {
            CodeStatus::Unused => "promo-status-unused",
            CodeStatus::Used => "promo-status-used",
            CodeStatus::UsedUp => "promo-status-used-up",
            CodeStatus::Expired => "promo-status-expired",
            CodeStatus::Disabled => "promo-status-disabled",
        };
        t!(self.texts, self.language, id)
    }

    /// One line with the terms that matter: discount, end, uses, restrictions.
    pub fn summary(&self, terms: &PromoTerms) -> String {
        let mut parts = vec![self.discount(terms)];
        parts.push(match terms.expires_at {
            Some(_) => t!(self.texts, self.language, "promo-term-until", "date" => self.expiry(terms)),
            None => t!(self.texts, self.language, "promo-term-no-end"),
        });
        parts.push(t!(self.texts, self.language, "promo-term-max", "max" => terms.max_uses));
        if terms.per_contact > 0 {
            parts.push(t!(self.texts, self.language, "promo-term-per-contact", "max" => terms.per_contact));
        }
        if terms.starts_at.is_some() {
            parts.push(t!(self.texts, self.language, "promo-term-from", "date" => self.start(terms)));
        }
        if !terms.offers.is_empty() {
            parts.push(t!(self.texts, self.language, "promo-term-offers", "ids" => self.ids(&terms.offers)));
        }
        if !terms.courses.is_empty() {
            parts.push(t!(self.texts, self.language, "promo-term-courses", "ids" => self.ids(&terms.courses)));
        }
        if terms.min_amount.is_some() {
            parts.push(t!(self.texts, self.language, "promo-term-min", "amount" => self.min(terms)));
        }
        parts.join(" · ")
    }
}
