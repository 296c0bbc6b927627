//! The driver every channel feeds: an [`Inbound`] message is recorded once (a replay is dropped),
//! its sender resolved to a contact, then routed to the coach's commands (a coach of this bot
//! writing `/…` or sending a photo) or to the visitor dialogue, whose effects run here, against the
//! store. The replies come back channel-neutral; each channel renders them.

mod assistant;
mod coach_agent;
mod contact;
mod effects;
mod facts;
mod unrecorded;

use crate::admin::AdminContext;
use crate::config::bots::{Bot, Bots};
use crate::conversation::{Dialogue, Event, Intent, handle};
use crate::domain::OutboxId;
use crate::domain::contact::{Channel, Contact, Identity};
use crate::domain::dialogue::{ChatLine, ConversationRecord};
use crate::domain::inbound::InboundRecord;
use crate::domain::language::Language;
use crate::domain::outbox::OutboxMessage;
use crate::domain::reply::Reply;
use crate::i18n::Texts;
use crate::store::{ChatSnapshot, Finish, Finished, ReadAt, Store, StoreError};
use crate::t;
use crate::tickets::TicketKeys;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use unrecorded::{Finishing, Unrecorded};

/// How long a message id is remembered to drop replays.
const REPLAY_WINDOW_DAYS: i64 = 7;
/// Lines of conversation kept with the dialogue (for the coach's summary and the agent).
const RECENT_LINES: usize = 20;
/// How long a replica resuming a message left unhandled holds it before another may try
/// (longer than any message takes, the agent's calls included).
const RESUME_LEASE_MINUTES: i64 = 10;
/// Effects one message may chain (a guard against a dialogue bug looping).
const MAX_STEPS: usize = 16;

/// What a person sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    /// Text typed.
    Text {
        /// The text.
        text: String,
    },
    /// A button pressed (its key).
    Choice {
        /// The choice's key.
        key: String,
    },
    /// A phone number shared with the platform's contact button.
    Contact {
        /// The number.
        phone: String,
    },
    /// The web widget's lead form.
    Lead {
        /// The details typed.
        form: crate::domain::contact::LeadForm,
    },
    /// The web widget opened by a visitor whose details are known: greet them.
    Open,
    /// A picture.
    Photo {
        /// The image bytes (not kept in the inbound record: a photo handled again after a
        /// restart has none).
        #[serde(skip)]
        bytes: Vec<u8>,
    },
}

/// One message from a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbound {
    /// The bot it was sent to.
    pub bot: String,
    /// The channel.
    pub channel: Channel,
    /// The sender's id on that channel (chat id, phone number…).
    pub sender: String,
    /// The platform's message id (idempotency).
    pub message_id: String,
    /// What was sent.
    pub content: Content,
    /// The language the platform reports for the sender.
    pub language: Option<Language>,
}

/// What the engine did with a message.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Handled {
    /// The replies, in order.
    pub replies: Vec<Reply>,
    /// A replay of a message already handled: nothing was done.
    pub duplicate: bool,
    /// The intent the dialogue recognised, if any.
    pub intent: Option<Intent>,
    /// The dialogue's step after the message (`menu`, `ask_email`…), or `admin`.
    pub state: String,
    /// The one reply is to be handed over in the answer to the webhook (see [`Arrival::Webhook`]):
    /// it was kept as the message's answer, not queued for the sender.
    pub inline: bool,
}

/// When a message is recorded — what a stop half-way through its handling relies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// Recorded on arrival, before anything else; a stop half-way leaves it recorded and not
    /// done, and the jobs handle it again (long polling, the widget, the terminal).
    Recorded,
    /// From a webhook that the platform delivers again until it gets an answer (Telegram's),
    /// and answered only once handled. A message the dialogue answers without touching anything
    /// but the conversation is recorded by the same write that saves its answer — one write per
    /// message, and a replay of it writes nothing; one that books, cancels, saves details, runs
    /// a coach's command or calls the agent is recorded first, as with [`Arrival::Recorded`], so
    /// two deliveries at once never both act. A reply that is one text message may be handed
    /// over in the webhook's answer ([`Handled::inline`]) when `answer_inline` says so.
    Webhook {
        /// The webhook's answer may carry the reply.
        answer_inline: bool,
    },
}

/// Why a message could not be handled (it stays recorded, not done, for a retry).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// No such bot here.
    #[error("unknown bot {0:?}")]
    UnknownBot(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The message turned out to be recorded already, half-way through handling it: a replay.
    /// [`Engine::handle`] reports it as [`Handled::duplicate`], never as this error.
    #[error("a replay of a message already recorded")]
    Replay,
    /// The message was being handled from a chat kept in memory, which may be stale, and wants
    /// to write: it is handled again from a fresh read. [`Engine::handle`] never returns it.
    #[error("a message handled from a kept read wants to write")]
    Kept,
}

/// The engine over one store; cheap to build per message.
#[derive(Clone, Copy)]
pub struct Engine<'a> {
    /// The store.
    pub store: &'a dyn Store,
    /// The bots hosted here.
    pub bots: &'a Bots,
    /// The catalogs.
    pub texts: &'a Texts,
    /// Ticket signing keys.
    pub keys: &'a TicketKeys,
    /// The bots' LLM agents, when configured: they answer free text with tools.
    pub agents: Option<&'a crate::agent::Agents>,
    /// The web widget's open streams, which show the agent's answer as it is written.
    pub web: Option<&'a crate::channels::web::WebHub>,
}

impl Engine<'_> {
    /// Handles one inbound message at `now` and queues the replies for its sender, in the same
    /// write that saves the conversation and marks the message done.
    #[tracing::instrument(skip_all, fields(bot = %inbound.bot, channel = %inbound.channel))]
    pub async fn handle(&self, inbound: &Inbound, now: DateTime<Utc>) -> Result<Handled, EngineError> {
        self.handle_with(inbound, now, true, Arrival::Recorded).await
    }

    /// Handles a message from a webhook the platform redelivers until answered
    /// ([`Arrival::Webhook`]). With `answer_inline`, a reply that is one text message comes back
    /// [`Handled::inline`], for the webhook's answer, when nothing earlier to the same person is
    /// still waiting to go.
    #[tracing::instrument(skip_all, fields(bot = %inbound.bot, channel = %inbound.channel))]
    pub async fn handle_webhook(
        &self,
        inbound: &Inbound,
        now: DateTime<Utc>,
        answer_inline: bool,
    ) -> Result<Handled, EngineError> {
        self.handle_with(inbound, now, true, Arrival::Webhook { answer_inline })
            .await
    }

    /// Handles one inbound message at `now`, the replies only returned (the terminal prints them).
    pub async fn handle_here(&self, inbound: &Inbound, now: DateTime<Utc>) -> Result<Handled, EngineError> {
        self.handle_with(inbound, now, false, Arrival::Recorded).await
    }

    async fn handle_with(
        &self,
        inbound: &Inbound,
        now: DateTime<Utc>,
        queue: bool,
        arrival: Arrival,
    ) -> Result<Handled, EngineError> {
        let bot = self
            .bots
            .get(&inbound.bot)
            .ok_or_else(|| EngineError::UnknownBot(inbound.bot.clone()))?;
        let key = InboundRecord::key_for(inbound.channel, &inbound.message_id);
        let replay = || Handled {
            duplicate: true,
            ..Handled::default()
        };
        let mut unrecorded = Unrecorded {
            inbound,
            hold: unrecorded::hold(self.agent(bot)),
            record: Some(InboundRecord {
                bot: bot.id.clone(),
                key: key.clone(),
                channel: inbound.channel,
                payload: serde_json::Value::Null,
                done: false,
                received_at: now,
                expires_at: now + Duration::days(REPLAY_WINDOW_DAYS),
                answer: None,
                resuming_until: None,
            }),
            may_keep: true,
            read_at: None,
        };
        if arrival == Arrival::Recorded {
            match unrecorded.record(self.store).await {
                Err(EngineError::Replay) => return Ok(replay()),
                other => other?,
            }
        }
        loop {
            let (mut handled, conversation) = match self.process(bot, inbound, &mut unrecorded, now).await {
                Err(EngineError::Replay) => return Ok(replay()),
                Err(EngineError::Kept) => {
                    unrecorded.again();
                    continue;
                }
                other => other?,
            };
            let finish = Finishing {
                bot,
                key: &key,
                inbound,
                // Recorded by the answer's own write: done, and nothing left to handle again.
                record: unrecorded
                    .record
                    .clone()
                    .map(|record| InboundRecord { done: true, ..record }),
                inline: arrival == (Arrival::Webhook { answer_inline: true }) && one_message(&handled.replies),
                queue,
                read_at: unrecorded.read_at.clone(),
            };
            let finished = self.finish(finish, &handled, conversation, now).await?;
            if finished.stale {
                unrecorded.again();
                continue;
            }
            if finished.replay {
                return Ok(replay());
            }
            handled.inline = finished.inline;
            return Ok(handled);
        }
    }

    /// Handles again the messages recorded before `before` and never marked done (the process
    /// stopped between recording and answering), queueing their replies; returns them with what
    /// was done. Each is taken first ([`Store::claim_unhandled_inbound`]), so replicas resuming
    /// together handle it once. A photo's bytes are not kept: the coach is asked to send a
    /// resumed one again.
    pub async fn resume_unhandled(
        &self,
        before: DateTime<Utc>,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<(Inbound, Handled)>, EngineError> {
        let mut resumed = Vec::new();
        for record in self.store.list_unhandled_inbound(before, limit).await? {
            // Every replica resumes: the one that takes the message handles it.
            let until = now + Duration::minutes(RESUME_LEASE_MINUTES);
            if !self
                .store
                .claim_unhandled_inbound(&record.bot, &record.key, now, until)
                .await?
            {
                continue;
            }
            let parsed = serde_json::from_value::<Inbound>(record.payload.clone());
            let (Ok(inbound), Some(bot)) = (parsed, self.bots.get(record.bot.as_str())) else {
                tracing::warn!(key = %record.key, "an unhandled message cannot be read back; dropped");
                self.store.mark_inbound_done(&record.bot, &record.key).await?;
                continue;
            };
            tracing::info!(key = %record.key, "handling a message left unanswered");
            let mut recorded = Unrecorded {
                inbound: &inbound,
                hold: Duration::zero(),
                record: None,
                may_keep: false,
                read_at: None,
            };
            let (handled, conversation) = self.process(bot, &inbound, &mut recorded, now).await?;
            let finish = Finishing {
                bot,
                key: &record.key,
                inbound: &inbound,
                record: None,
                inline: false,
                queue: true,
                read_at: recorded.read_at.clone(),
            };
            self.finish(finish, &handled, conversation, now).await?;
            resumed.push((inbound, handled));
        }
        Ok(resumed)
    }

    /// One write: the replies queued (under an id taken from the message's, so a message handled
    /// twice after a crash queues them once), the conversation saved, the message marked done
    /// (or recorded done, when it was not recorded yet).
    async fn finish(
        &self,
        finishing: Finishing<'_>,
        handled: &Handled,
        conversation: Option<ConversationRecord>,
        now: DateTime<Utc>,
    ) -> Result<Finished, StoreError> {
        let Finishing {
            bot,
            key,
            inbound,
            record,
            inline,
            queue,
            read_at,
        } = finishing;
        let reply = (queue && !handled.replies.is_empty()).then(|| {
            OutboxMessage::with_id(
                reply_id(key),
                bot.id.clone(),
                inbound.channel,
                inbound.sender.clone(),
                crate::channels::payload(&handled.replies),
                now,
            )
        });
        self.store
            .finish_inbound(Finish {
                bot: bot.id.clone(),
                key: key.to_owned(),
                conversation,
                reply,
                record,
                answer_inline: inline,
                read_at,
            })
            .await
    }

    /// Handles a message already recorded: what to answer, and the conversation to save (none
    /// for a coach's command).
    async fn process(
        &self,
        bot: &Bot,
        inbound: &Inbound,
        unrecorded: &mut Unrecorded<'_>,
        now: DateTime<Utc>,
    ) -> Result<(Handled, Option<ConversationRecord>), EngineError> {
        let identity = Identity::new(inbound.channel, inbound.sender.clone());
        if bot.coach.includes(&identity) {
            // A coach's message may run a command: recorded before anything is done.
            unrecorded.record(self.store).await?;
            let admin = match &inbound.content {
                Content::Text { text } if text.trim_start().starts_with('/') => {
                    Some(self.admin_line(bot, text, now).await)
                }
                Content::Photo { bytes } => Some(crate::admin::handle_photo(bytes, &self.admin(bot, now)).await),
                Content::Text { text } if !text.trim().is_empty() => match self.agent(bot) {
                    Some(agent) => Some(self.coach_turn(agent, bot, &identity, text, now).await?),
                    None => None,
                },
                _ => None,
            };
            if let Some(reply) = admin {
                let handled = Handled {
                    replies: vec![reply],
                    state: "admin".into(),
                    ..Handled::default()
                };
                return Ok((handled, None));
            }
        }
        let (contact, read) = self.contact(bot, inbound, &identity, unrecorded.may_keep, now).await?;
        unrecorded.read_at = read.read_at.clone();
        let language = contact.language.unwrap_or(bot.language);
        if let Content::Text { text } = &inbound.content
            && text.trim_start().starts_with('/')
            && !text.trim().eq_ignore_ascii_case("/start")
        {
            tracing::warn!(sender = %identity.key(), command = %text.split_whitespace().next().unwrap_or_default(), "a visitor typed a coach command");
            let handled = Handled {
                replies: vec![Reply::text(t!(self.texts, language, "visitor-unknown-command"))],
                state: "visitor".into(),
                ..Handled::default()
            };
            return Ok((handled, None));
        }
        self.dialogue(bot, inbound, contact, read, unrecorded, now)
            .await
            .map(|(h, c)| (h, Some(c)))
    }

    /// The agent of this bot, if any.
    fn agent(&self, bot: &Bot) -> Option<&crate::agent::Agent> {
        self.agents?.get(&bot.id)
    }

    fn admin<'b>(&'b self, bot: &'b Bot, now: DateTime<Utc>) -> AdminContext<'b> {
        AdminContext {
            store: self.store,
            bot,
            texts: self.texts,
            language: bot.language,
            now,
            actor: "chat".into(),
            max_codes: u32::MAX,
            ticket_key: self.keys.get(&bot.id),
        }
    }

    async fn admin_line(&self, bot: &Bot, line: &str, now: DateTime<Utc>) -> Reply {
        let ctx = self.admin(bot, now);
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_os_rng();
        crate::admin::handle(line, &ctx, &mut rng).await
    }

    async fn dialogue(
        &self,
        bot: &Bot,
        inbound: &Inbound,
        mut contact: Contact,
        read: Read,
        unrecorded: &mut Unrecorded<'_>,
        now: DateTime<Utc>,
    ) -> Result<(Handled, ConversationRecord), EngineError> {
        let Read {
            conversation: record,
            mut snapshot,
            ..
        } = read;
        let mut dialogue: Dialogue = record
            .as_ref()
            .and_then(|r| <Dialogue as serde::Deserialize>::deserialize(&r.state).ok())
            .unwrap_or_default();
        let mut recent = record.map(|r| r.recent).unwrap_or_default();
        let (first, said) = match &inbound.content {
            Content::Text { text } => (Event::Text(text.clone()), text.clone()),
            Content::Choice { key } => (Event::Choice(key.clone()), key.clone()),
            Content::Contact { phone } => (Event::ContactShared(phone.clone()), phone.clone()),
            Content::Photo { .. } => (Event::Photo, "[photo]".into()),
            Content::Lead { form } => (Event::LeadForm(form.clone()), format!("[form] {}", form.name)),
            Content::Open => (Event::Open, "[open]".into()),
        };
        recent.push(ChatLine {
            from_bot: false,
            text: said.chars().take(500).collect(),
            at: now,
        });
        let mut handled = Handled::default();
        if let Some(agent) = self.agent(bot)
            && let Content::Text { text } = &inbound.content
            && crate::conversation::agent_may_answer(&dialogue, text, &contact)
        {
            unrecorded.record(self.store).await?;
            // The agent's tools may book: the snapshot read before is read again.
            snapshot = None;
            let (answer, mut tickets) = self
                .agent_turn(agent, bot, &mut dialogue, &mut contact, inbound, &recent, text, now)
                .await;
            match answer {
                Ok(answer) => {
                    handled.replies = vec![Reply::text(answer)];
                    handled.replies.append(&mut tickets);
                    dialogue.step = crate::conversation::Step::Menu;
                    dialogue.choices = Vec::new();
                    return Ok(self.finish_turn(bot, &contact, dialogue, recent, handled, now));
                }
                Err(error) => {
                    tracing::warn!(%error, "agent: the rule path answers instead");
                    metrics::counter!("coachbot_agent_failures_total", "reason" => error.reason()).increment(1);
                    let language = contact.language.unwrap_or(bot.language);
                    handled
                        .replies
                        .push(Reply::text(t!(self.texts, language, "agent-fallback")));
                    handled.replies.append(&mut tickets);
                }
            }
        }
        let mut queue = vec![first];
        let mut steps = 0;
        // What the last step read, while the effects since left it true.
        let mut kept: Option<facts::Loaded> = None;
        while let Some(event) = queue.pop() {
            steps += 1;
            if steps > MAX_STEPS {
                tracing::error!(step = ?dialogue.step, "dialogue chained too many effects; stopping");
                break;
            }
            let loaded = match kept.take() {
                Some(loaded) => loaded,
                None => facts::load(self.store, bot, &contact, &event, now, snapshot.take()).await?,
            };
            let mut facts = loaded.view(bot, self.texts, inbound.channel, &contact, now);
            if dialogue.step == crate::conversation::Step::New {
                facts.welcome = self.store.load_appearance(&bot.id).await?.map(|a| a.welcome);
            }
            let turn = handle(&dialogue, event, &facts);
            handled.intent = handled.intent.or(turn.intent);
            dialogue = turn.dialogue;
            let reusable = turn.effects.iter().all(facts::keeps_facts);
            let (loaded, reader) = (facts::Loaded::again(facts), contact.id.clone());
            for effect in turn.effects {
                if !matches!(effect, crate::conversation::Effect::Reply(_)) {
                    unrecorded.record(self.store).await?;
                }
                match effects::run(self, bot, &mut contact, effect, inbound, &recent, now).await? {
                    effects::Ran::Reply(reply) => handled.replies.push(reply),
                    effects::Ran::Outcome(outcome) => queue.insert(0, Event::Outcome(outcome)),
                }
            }
            // A contact recognised as a known one has their own bookings and credits.
            if reusable && contact.id == reader {
                kept = Some(loaded);
            }
        }
        Ok(self.finish_turn(bot, &contact, dialogue, recent, handled, now))
    }

    /// The conversation after a message: the bot's lines added to the last ones, the state saved.
    fn finish_turn(
        &self,
        bot: &Bot,
        contact: &Contact,
        dialogue: Dialogue,
        mut recent: Vec<ChatLine>,
        mut handled: Handled,
        now: DateTime<Utc>,
    ) -> (Handled, ConversationRecord) {
        for reply in &handled.replies {
            recent.push(ChatLine {
                from_bot: true,
                text: reply.text.chars().take(500).collect(),
                at: now,
            });
        }
        let keep = recent.len().saturating_sub(RECENT_LINES);
        recent.drain(..keep);
        handled.state = step_name(&dialogue);
        let record = ConversationRecord {
            bot: bot.id.clone(),
            contact: contact.id.clone(),
            state: serde_json::to_value(&dialogue).unwrap_or_default(),
            recent,
            updated_at: now,
        };
        (handled, record)
    }
}

/// What was read with the contact: its conversation, and the snapshot for its first dialogue
/// step (none when the contact was just created).
struct Read {
    conversation: Option<ConversationRecord>,
    snapshot: Option<ChatSnapshot>,
    read_at: Option<ReadAt>,
}

/// The outbox id of the replies to the message with this inbound key.
pub fn reply_id(key: &str) -> OutboxId {
    OutboxId::from(format!("reply-{key}"))
}

/// Whether the replies are one text message (with its buttons), which a webhook's answer can
/// carry; pictures and documents are uploads of their own.
fn one_message(replies: &[Reply]) -> bool {
    matches!(replies, [reply] if !reply.text.is_empty() && reply.image.is_none() && reply.document.is_none())
}

/// The step's name as saved (`menu`, `choose_course`…).
fn step_name(dialogue: &Dialogue) -> String {
    serde_json::to_value(&dialogue.step)
        .ok()
        .and_then(|v| v.get("step").and_then(|s| s.as_str()).map(str::to_owned))
        .unwrap_or_default()
}
