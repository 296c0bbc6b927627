//! The coach's plain words through the agent. The model's one tool, `propose_command`, turns a
//! request into a coach command line, checked by the same parser as a typed command: a command
//! that only reads runs at once; one that changes something is kept as pending and shown to the
//! coach, and runs only when they answer "oui". The pending command lives in the store (a
//! conversation record of the coach's own), so any replica can take the confirmation.

use super::Engine;
use crate::admin::{AdminCommand, PromoCommand};
use crate::agent::{AgentError, ToolRunner};
use crate::config::bots::Bot;
use crate::conversation::Intent;
use crate::domain::ContactId;
use crate::domain::contact::Identity;
use crate::domain::dialogue::ConversationRecord;
use crate::domain::reply::Reply;
use crate::t;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// Whether a command only reads.
fn reads_only(command: &AdminCommand) -> bool {
    matches!(
        command,
        AdminCommand::Help
            | AdminCommand::Courses
            | AdminCommand::Offers
            | AdminCommand::Bookings(_)
            | AdminCommand::Booking { cancel: false, .. }
            | AdminCommand::Promo(PromoCommand::Help | PromoCommand::ListBatches | PromoCommand::ListCodes(_))
    )
}

struct CoachTools<'e> {
    engine: &'e Engine<'e>,
    bot: &'e Bot,
    now: DateTime<Utc>,
    pending: Option<String>,
    preview: Option<String>,
}

#[async_trait]
impl ToolRunner for CoachTools<'_> {
    fn definitions(&self) -> Vec<Value> {
        crate::agent::tools::coach()
    }

    async fn run(&mut self, name: &str, arguments: &Value) -> Result<Value, AgentError> {
        if name != "propose_command" {
            return Err(AgentError::UnknownTool(name.to_owned()));
        }
        let Some(line) = arguments["command"]
            .as_str()
            .map(str::trim)
            .filter(|l| l.starts_with('/'))
        else {
            return Ok(json!({ "ok": false, "error": "a command line starting with /" }));
        };
        let ctx = self.engine.admin(self.bot, self.now);
        let command = match crate::admin::parse(line, &ctx.parse_context()) {
            Ok(command) => command,
            Err(error) => return Ok(json!({ "ok": false, "error": error.render(ctx.texts, ctx.language) })),
        };
        if reads_only(&command) {
            let reply = self.engine.admin_line(self.bot, line, self.now).await;
            return Ok(json!({ "ok": true, "ran": line, "result": reply.text }));
        }
        self.pending = Some(line.to_owned());
        self.preview = crate::admin::preview(&command, &ctx);
        Ok(json!({ "ok": true, "pending": line, "preview": self.preview, "needs_confirmation": true }))
    }
}

/// The record keeping a coach's pending command.
fn record_id(identity: &Identity) -> ContactId {
    ContactId::from(format!("coach:{}", identity.key()).as_str())
}

impl Engine<'_> {
    /// A coach's plain text: a pending command confirmed or dropped, else the agent's answer
    /// (with the command it proposes, to confirm).
    pub(super) async fn coach_turn(
        &self,
        agent: &crate::agent::Agent,
        bot: &Bot,
        identity: &Identity,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Reply, crate::store::StoreError> {
        let id = record_id(identity);
        let record = self.store.load_conversation(&bot.id, &id).await?;
        let pending = record
            .as_ref()
            .and_then(|r| r.state["pending"].as_str().map(str::to_owned));
        let save = |pending: Option<String>| ConversationRecord {
            bot: bot.id.clone(),
            contact: id.clone(),
            state: json!({ "pending": pending }),
            recent: Vec::new(),
            updated_at: now,
        };
        if let Some(command) = pending {
            self.store.save_conversation(&save(None)).await?;
            match crate::conversation::intent::detect(text) {
                Intent::Yes => return Ok(self.admin_line(bot, &command, now).await),
                Intent::No => return Ok(Reply::text(t!(self.texts, bot.language, "agent-cancelled"))),
                _ => {}
            }
        }
        let commands = crate::admin::help(self.texts, bot.language);
        let system = crate::agent::prompt::coach(bot, &commands, now);
        let mut tools = CoachTools {
            engine: self,
            bot,
            now,
            pending: None,
            preview: None,
        };
        let answer = match agent.answer(&system, &[], text, &mut tools, None).await {
            Ok(answer) => answer,
            Err(error) => {
                tracing::warn!(%error, "agent: the coach's request falls back to /aide");
                metrics::counter!("coachbot_agent_failures_total", "reason" => error.reason()).increment(1);
                return Ok(Reply::text(format!(
                    "{}\n\n{commands}",
                    t!(self.texts, bot.language, "agent-fallback")
                )));
            }
        };
        let Some(command) = tools.pending else {
            return Ok(Reply::text(answer));
        };
        self.store.save_conversation(&save(Some(command.clone()))).await?;
        let preview = tools.preview.map(|p| format!("\n{p}")).unwrap_or_default();
        let confirm =
            t!(self.texts, bot.language, "agent-confirm", "command" => command.as_str(), "preview" => preview);
        Ok(Reply::text(format!("{answer}\n\n{confirm}")))
    }
}
