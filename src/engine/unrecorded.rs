//! A message between its arrival and its end: whether it is recorded yet, and what its chat was
//! read at; and what its end writes ([`Finishing`]).

use super::{EngineError, Inbound};
use crate::config::bots::Bot;
use crate::domain::inbound::InboundRecord;
use crate::store::{ReadAt, Store};

/// A message on its way: not recorded yet ([`Arrival::Webhook`](super::Arrival::Webhook)), recorded before the first
/// write that is not the answer's own, or else by the answer's write; and what its chat was read
/// at. A chat kept in memory ([`Store::find_chat_kept`]) may be stale: a message handled from one
/// writes nothing before its end, which checks it; a write before that hands it back
/// ([`EngineError::Kept`]) to be handled again from a fresh read.
pub(super) struct Unrecorded<'a> {
    pub(super) inbound: &'a Inbound,
    /// How long a record written before the message's end holds it against resuming.
    pub(super) hold: chrono::Duration,
    pub(super) record: Option<InboundRecord>,
    /// The chat may come from memory.
    pub(super) may_keep: bool,
    /// What the chat was read at.
    pub(super) read_at: Option<ReadAt>,
}

/// How long a message recorded before its end is held by the process handling it
/// ([`InboundRecord::resuming_until`]): a minute, the resume cut-off, and every model call the
/// bot's agent may make. The jobs of another replica resume it only after that.
pub(super) fn hold(agent: Option<&crate::agent::Agent>) -> chrono::Duration {
    let calls = agent.map_or(std::time::Duration::ZERO, crate::agent::Agent::longest_turn);
    chrono::Duration::minutes(1) + chrono::Duration::from_std(calls).unwrap_or_default()
}

impl Unrecorded<'_> {
    /// To handle the message again, from a fresh read.
    pub(super) fn again(&mut self) {
        self.may_keep = false;
        self.read_at = None;
    }

    /// Before a write other than the message's end: records the message now, if it was not yet
    /// (a replay stops the handling); a message handled from a kept read starts again instead.
    pub(super) async fn record(&mut self, store: &dyn Store) -> Result<(), EngineError> {
        if self.read_at.as_ref().is_some_and(|at| at.kept) {
            return Err(EngineError::Kept);
        }
        let Some(mut record) = self.record.take() else {
            return Ok(());
        };
        record.payload = serde_json::to_value(self.inbound).unwrap_or_default();
        record.resuming_until = Some(record.received_at + self.hold);
        match store.record_inbound_once(&record).await? {
            true => Ok(()),
            false => Err(EngineError::Replay),
        }
    }
}

/// How a handled message ends ([`Engine::finish`]).
pub(super) struct Finishing<'a> {
    pub(super) bot: &'a Bot,
    pub(super) key: &'a str,
    pub(super) inbound: &'a Inbound,
    /// The message, when it is recorded by this write.
    pub(super) record: Option<InboundRecord>,
    /// The reply may go in the webhook's answer.
    pub(super) inline: bool,
    /// Queue the replies (the terminal prints them instead).
    pub(super) queue: bool,
    /// What the chat was read at.
    pub(super) read_at: Option<ReadAt>,
}
