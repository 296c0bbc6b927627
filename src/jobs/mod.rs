//! Background work: expiring unpaid seat holds and unclaimed waitlist offers (their seats pass to
//! the next in line, who is told through the outbox), keeping sessions planned ahead, and
//! forgetting the keys of messages older than the replay window and the web widget's replies older
//! than [`WEB_REPLIES_KEPT`] (every [`PURGE_EVERY`]).
//!
//! Every replica runs the same loop, and no lease is needed: each step is exactly-once in the store
//! (`expire_hold` and `expire_waitlist_offer` are conditional updates that only one caller wins,
//! `offer_waitlist_seat` takes a seat atomically, sessions are unique by course and start), and only
//! the winner of a step queues the messages it calls for. Two replicas ticking together therefore
//! do the work once and send each message once.

use crate::config::bots::Bots;
use crate::i18n::Texts;
use crate::ops::waitlist::{WaitlistEffect, deliver, expire_offers, seat_freed};
use crate::store::{Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

/// How many holds or offers one tick handles at most (the next tick takes the rest).
const BATCH: u32 = 500;

/// How often the keys of messages past their replay window, and the old web replies, are forgotten.
pub const PURGE_EVERY: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// How long the web widget's replies are kept for a visitor's stream to show again (a page
/// opened again starts from its last reply shown; a new browser, from the first kept). The
/// conversation itself, what the bot and the coach read, is kept with the contact.
pub const WEB_REPLIES_KEPT: chrono::TimeDelta = chrono::TimeDelta::days(30);

/// What one tick did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tick {
    /// Unpaid holds expired (their seats freed).
    pub holds_expired: usize,
    /// Waitlist offers that ran out.
    pub offers_lapsed: usize,
    /// Seats offered to the next in line.
    pub seats_offered: usize,
    /// Messages queued in the outbox.
    pub messages: usize,
    /// Sessions planned ahead.
    pub sessions_planned: usize,
    /// Inbound message keys forgotten (past the replay window).
    pub inbound_forgotten: u64,
    /// Web widget replies forgotten (older than [`WEB_REPLIES_KEPT`]).
    pub web_replies_forgotten: u64,
}

/// The jobs' memory between ticks: the local day each bot's sessions were last planned for, and
/// when the inbound keys and web replies were last purged.
#[derive(Debug, Default)]
pub struct Jobs {
    planned: HashMap<String, NaiveDate>,
    purged: Option<DateTime<Utc>>,
}

impl Jobs {
    /// Runs every job once at `now`.
    pub async fn tick(
        &mut self,
        store: &dyn Store,
        bots: &Bots,
        texts: &Texts,
        now: DateTime<Utc>,
    ) -> Result<Tick, StoreError> {
        let mut tick = Tick::default();
        let mut effects: Vec<(crate::domain::BotId, WaitlistEffect)> = Vec::new();
        for hold in store.list_expired_holds(now, BATCH).await? {
            let Some(bot) = bots.get(hold.bot.as_str()) else {
                continue;
            };
            if !store.expire_hold(&bot.id, &hold.id, now).await? {
                continue;
            }
            tick.holds_expired += 1;
            crate::ops::promo::release_for_cancelled_booking(store, bot, &hold).await?;
            for effect in seat_freed(store, bot, &hold.session, now).await? {
                effects.push((bot.id.clone(), effect));
            }
        }
        let lookup = |id: &crate::domain::BotId| bots.get(id.as_str()).map(AsRef::as_ref);
        effects.extend(expire_offers(store, lookup, now, BATCH).await?);
        for (bot, effect) in &effects {
            match effect {
                WaitlistEffect::SeatOffered(_) => tick.seats_offered += 1,
                WaitlistEffect::OfferLapsed(_) => tick.offers_lapsed += 1,
            }
            let Some(bot) = bots.get(bot.as_str()) else { continue };
            tick.messages += deliver(store, bot, texts, std::slice::from_ref(effect), now).await?;
        }
        for bot in bots.iter() {
            let today = crate::domain::dates::local_day(now, bot.time_zone);
            if self.planned.get(bot.id.as_str()) != Some(&today) {
                tick.sessions_planned += crate::ops::schedule::plan_ahead(store, bot, now).await?;
                self.planned.insert(bot.id.as_str().to_owned(), today);
            }
        }
        if self.purged.is_none_or(|at| now - at >= PURGE_EVERY) {
            tick.inbound_forgotten = store.purge_inbound(now).await?;
            tick.web_replies_forgotten = store.purge_web_events(now - WEB_REPLIES_KEPT).await?;
            self.purged = Some(now);
        }
        Ok(tick)
    }
}
