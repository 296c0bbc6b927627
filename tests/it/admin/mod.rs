//! The coach's commands through the admin handler, on every store backend. Replies are snapshots;
//! both backends must give the same replies (a seeded RNG makes the codes reproducible).

mod appearance;
mod promo_commands;
mod promo_use;

use chrono::{DateTime, TimeZone, Utc};
use coachbot::admin::{AdminContext, handle};
use coachbot::config::bots::Bot;
use coachbot::domain::language::Language;
use coachbot::domain::reply::Reply;
use coachbot::i18n::Texts;
use coachbot::store::Store;
use rand::SeedableRng;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The ticket signing key of the tests.
pub const TICKET_KEY: &[u8] = b"a test ticket key of 32 bytes ok";

/// The demo bot as shipped.
pub fn demo() -> Bot {
    let text =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bots/demo.toml")).unwrap();
    Bot::parse("bots/demo.toml", &text, &BTreeMap::new()).unwrap()
}

/// Wednesday 25 November 2026, 10:00 UTC.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()
}

/// A coach at the keyboard of one store: runs command lines and returns the replies.
pub struct Coach {
    pub store: Arc<dyn Store>,
    pub bot: Bot,
    pub texts: Texts,
    pub rng: rand::rngs::StdRng,
    pub now: DateTime<Utc>,
    pub language: Language,
}

impl Coach {
    pub async fn new(store: Arc<dyn Store>) -> Self {
        let bot = demo();
        let mut bots = coachbot::config::bots::Bots::default();
        bots.add(bot.clone()).unwrap();
        coachbot::app::seed_catalogs(store.as_ref(), &bots).await.unwrap();
        Self {
            store,
            bot,
            texts: Texts::builtin(),
            rng: rand::rngs::StdRng::seed_from_u64(2026),
            now: now(),
            language: Language::Fr,
        }
    }

    pub async fn run(&mut self, line: &str) -> Reply {
        let ctx = AdminContext {
            store: self.store.as_ref(),
            bot: &self.bot,
            texts: &self.texts,
            language: self.language,
            now: self.now,
            actor: "telegram:1001".into(),
            max_codes: 10_000,
            ticket_key: TICKET_KEY,
        };
        handle(line, &ctx, &mut self.rng).await
    }

    /// The id of the only batch.
    pub async fn batch(&self) -> String {
        let batches = self.store.list_promo_batches(&self.bot.id).await.unwrap();
        assert_eq!(batches.len(), 1, "{batches:?}");
        batches[0].id.to_string()
    }
}
