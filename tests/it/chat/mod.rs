//! The engine and the visitor dialogue end to end, on every store: a person writes, the engine
//! records, resolves, routes and acts; replies are snapshots (French and English), effects are
//! checked in the store.

mod journeys;
mod robustness;

use chrono::{DateTime, Duration, TimeZone, Utc};
use coachbot::config::bots::{Bot, Bots};
use coachbot::domain::contact::Channel;
use coachbot::domain::language::Language;
use coachbot::engine::{Content, Engine, Handled, Inbound};
use coachbot::i18n::Texts;
use coachbot::store::Store;
use coachbot::tickets::TicketKeys;
use std::sync::Arc;

/// The coach's Telegram id in these tests.
pub const COACH: i64 = 1001;

/// Monday 23 November 2026, 09:00 UTC.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

/// The demo studio with a coach on Telegram, its catalog seeded and its sessions planned.
pub struct Studio {
    pub store: Arc<dyn Store>,
    pub bot: Bot,
    pub bots: Bots,
    pub texts: Texts,
    pub keys: TicketKeys,
    pub now: DateTime<Utc>,
    /// The LLM agent, when the test configures one.
    pub agent: Option<coachbot::agent::Agents>,
    next_id: u64,
}

impl Studio {
    pub async fn open(store: Arc<dyn Store>) -> Self {
        let mut bot = crate::admin::demo();
        bot.coach.telegram = vec![COACH];
        bot.ticket_key = Some(String::from_utf8(crate::admin::TICKET_KEY.to_vec()).unwrap().into());
        let mut bots = Bots::default();
        bots.add(bot.clone()).unwrap();
        coachbot::app::seed_catalogs(store.as_ref(), &bots).await.unwrap();
        coachbot::ops::schedule::plan_ahead(store.as_ref(), &bot, now())
            .await
            .unwrap();
        let keys = TicketKeys::for_bots(&bots, &mut rand::rng());
        Self {
            store,
            bot,
            bots,
            texts: Texts::builtin(),
            keys,
            now: now(),
            agent: None,
            next_id: 0,
        }
    }

    fn engine(&self) -> Engine<'_> {
        Engine {
            store: self.store.as_ref(),
            bots: &self.bots,
            texts: &self.texts,
            keys: &self.keys,
            agents: self.agent.as_ref(),
            web: None,
        }
    }

    /// Sends one message and returns what the engine did.
    pub async fn send(
        &mut self,
        channel: Channel,
        sender: &str,
        content: Content,
        language: Option<Language>,
    ) -> Handled {
        self.next_id += 1;
        self.now += Duration::seconds(5);
        let inbound = Inbound {
            bot: "demo".into(),
            channel,
            sender: sender.into(),
            message_id: format!("m{}", self.next_id),
            content,
            language,
        };
        self.engine().handle(&inbound, self.now).await.unwrap()
    }

    /// The messages queued in the outbox so far (leased to the test, so each is seen once).
    pub async fn outbox(&self) -> Vec<coachbot::domain::outbox::OutboxMessage> {
        self.store
            .claim_due(self.now + Duration::seconds(1), Duration::seconds(30), "test", 100)
            .await
            .unwrap()
    }

    /// A person at a keyboard on one channel.
    pub fn person(&self, channel: Channel, sender: &str) -> Person {
        Person {
            channel,
            sender: sender.into(),
            language: None,
            transcript: String::new(),
        }
    }
}

/// Someone writing to the studio, with the transcript of what was said.
pub struct Person {
    pub channel: Channel,
    pub sender: String,
    pub language: Option<Language>,
    pub transcript: String,
}

impl Person {
    /// Writes `text` and records the exchange as the terminal shows it.
    pub async fn says(&mut self, studio: &mut Studio, text: &str) -> Handled {
        let content = Content::Text { text: text.into() };
        let handled = studio.send(self.channel, &self.sender, content, self.language).await;
        self.transcript.push_str(&format!("> {text}\n{}\n", render(&handled)));
        handled
    }

    /// Presses a button (by its key).
    pub async fn presses(&mut self, studio: &mut Studio, key: &str) -> Handled {
        let content = Content::Choice { key: key.into() };
        let handled = studio.send(self.channel, &self.sender, content, self.language).await;
        self.transcript.push_str(&format!("[{key}]\n{}\n", render(&handled)));
        handled
    }

    /// Writes each line in turn.
    pub async fn script(&mut self, studio: &mut Studio, lines: &[&str]) {
        for line in lines {
            self.says(studio, line).await;
        }
    }
}

/// Replies as the terminal prints them (images by file name).
pub fn render(handled: &Handled) -> String {
    let mut out = String::new();
    for reply in &handled.replies {
        out.push_str(&reply.text);
        out.push('\n');
        for (n, choice) in reply.choices.iter().enumerate() {
            out.push_str(&format!("  {}. {}\n", n + 1, choice.label));
        }
        if reply.request_contact {
            out.push_str("  [📱 share my number]\n");
        }
        if let Some(image) = &reply.image {
            out.push_str(&format!("  [image {}]\n", image.file_name));
        }
    }
    out
}

/// Replaces booking references (random) with `REF1`, `REF2`… in order of appearance.
pub async fn redacted(studio: &Studio, transcript: &str) -> String {
    let mut bookings = Vec::new();
    let contacts = studio
        .store
        .list_contacts(&studio.bot.id, &coachbot::store::PageRequest::first(100))
        .await
        .unwrap();
    for contact in contacts.items {
        bookings.extend(
            studio
                .store
                .list_bookings_for_contact(&studio.bot.id, &contact.id)
                .await
                .unwrap(),
        );
    }
    bookings.sort_by_key(|b| transcript.find(&b.reference).unwrap_or(usize::MAX));
    let mut out = transcript.to_owned();
    for (n, booking) in bookings.iter().enumerate() {
        out = out.replace(&booking.reference, &format!("REF{}", n + 1));
    }
    out
}
