//! The agent's tools for a visitor: each one reads the same facts as the dialogue or runs the same
//! effect ([`super::effects::run`]), for the contact the engine resolved. Ids the model passes are
//! looked up among this visitor's facts (their sessions to book, their own bookings), so a made-up
//! or someone else's id is refused as a result the model can read.

use super::effects::{self, Ran};
use super::facts;
use super::{Engine, Inbound};
use crate::agent::{Agent, AgentError, Line, ToolRunner};
use crate::config::bots::Bot;
use crate::conversation::{Cart, Effect, Event, Facts, Outcome};
use crate::domain::catalog::OfferKind;
use crate::domain::contact::Contact;
use crate::domain::dialogue::ChatLine;
use crate::domain::reply::Reply;
use crate::domain::{OfferId, SessionId};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

/// One visitor's tools for one turn; the ticket images booked go out with the answer.
pub(super) struct VisitorTools<'e, 'c> {
    pub engine: &'e Engine<'e>,
    pub bot: &'e Bot,
    pub contact: &'c mut Contact,
    pub inbound: &'e Inbound,
    pub recent: &'e [ChatLine],
    pub now: DateTime<Utc>,
    /// Replies to send besides the answer (tickets).
    pub extra: Vec<Reply>,
}

fn text(arguments: &Value, key: &str) -> Option<String> {
    arguments[key]
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn refused(reason: impl Into<String>) -> Value {
    json!({ "ok": false, "refused": reason.into() })
}

impl VisitorTools<'_, '_> {
    async fn with_facts<T>(&self, f: impl FnOnce(&Facts<'_>) -> T) -> Result<T, AgentError> {
        let loaded = facts::load(self.engine.store, self.bot, self.contact, &Event::Photo, self.now, None).await?;
        let view = loaded.view(
            self.bot,
            self.engine.texts,
            self.inbound.channel,
            self.contact,
            self.now,
        );
        Ok(f(&view))
    }

    async fn effect(&mut self, effect: Effect) -> Result<Outcome, AgentError> {
        let ran = effects::run(
            self.engine,
            self.bot,
            self.contact,
            effect,
            self.inbound,
            self.recent,
            self.now,
        )
        .await?;
        match ran {
            Ran::Outcome(outcome) => Ok(outcome),
            Ran::Reply(_) => Ok(Outcome::Done),
        }
    }

    fn sessions(&self, facts: &Facts<'_>, arguments: &Value) -> Value {
        let zone = self.bot.time_zone;
        let day = |key: &str| text(arguments, key).and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
        let (from, to) = (day("from"), day("to"));
        let course = text(arguments, "course");
        let closes = chrono::Duration::minutes(i64::from(self.bot.booking.closes_minutes_before));
        let list: Vec<Value> = facts
            .sessions
            .iter()
            .filter(|s| s.start - closes > self.now)
            .filter(|s| course.as_deref().is_none_or(|c| s.course.as_str() == c))
            .filter(|s| {
                let local = s.start.with_timezone(&zone).date_naive();
                from.is_none_or(|f| local >= f) && to.is_none_or(|t| local <= t)
            })
            .take(20)
            .map(|s| {
                let name = facts.courses.iter().find(|c| c.id == s.course).map(|c| c.name.as_str());
                json!({ "id": s.id.as_str(), "course": s.course.as_str(), "course_name": name,
                        "start": facts.when(s.start), "seats_left": s.seats_left() })
            })
            .collect();
        json!({ "sessions": list })
    }

    async fn book(&mut self, arguments: &Value) -> Result<Value, AgentError> {
        let (Some(session), Some(offer)) = (text(arguments, "session"), text(arguments, "offer")) else {
            return Ok(refused("session and offer are required"));
        };
        let (session, offer) = (SessionId::from(session.as_str()), OfferId::from(offer.as_str()));
        let known = self
            .with_facts(|f| {
                (
                    f.sessions.iter().any(|s| s.id == session),
                    f.offers.iter().any(|o| o.id == offer),
                )
            })
            .await?;
        match known {
            (false, _) => return Ok(refused("no such session open for booking: call list_sessions")),
            (_, false) => return Ok(refused("no such offer: call list_offers")),
            _ => {}
        }
        let mut cart = Cart {
            session,
            offer: Some(offer),
            promo: None,
            price: None,
            claim: None,
        };
        if let Some(code) = text(arguments, "promo") {
            match self
                .effect(Effect::CheckPromo {
                    code,
                    cart: cart.clone(),
                })
                .await?
            {
                Outcome::PromoAccepted { code, price, .. } => {
                    cart.promo = Some(code);
                    cart.price = Some(price);
                }
                Outcome::Refused { text, .. } => return Ok(refused(text)),
                _ => return Ok(refused("the promo code could not be checked")),
            }
        }
        let language = self.contact.language.unwrap_or(self.bot.language);
        match self.effect(Effect::Book(cart)).await? {
            Outcome::Booked { booking, ticket } => {
                let start = self
                    .with_facts(|f| {
                        f.sessions
                            .iter()
                            .find(|s| s.id == booking.session)
                            .map(|s| f.when(s.start))
                    })
                    .await?;
                if let Some(ticket) = ticket {
                    self.extra.push(Reply {
                        image: Some(ticket),
                        ..Reply::text(crate::t!(self.engine.texts, language, "agent-ticket", "reference" => booking.reference.as_str()))
                    });
                }
                Ok(
                    json!({ "ok": true, "reference": booking.reference, "status": booking.status, "start": start,
                           "price": booking.price.display(language), "ticket_sent": booking.status == crate::domain::booking::BookingStatus::Confirmed }),
                )
            }
            Outcome::Refused { text, full } => Ok(json!({ "ok": false, "refused": text, "full": full })),
            _ => Ok(refused("the booking could not be made")),
        }
    }

    /// The id of this visitor's booking with that reference.
    async fn mine(&self, reference: &str) -> Result<Option<crate::domain::BookingId>, AgentError> {
        self.with_facts(|f| {
            f.bookings
                .iter()
                .find(|b| b.booking.reference.eq_ignore_ascii_case(reference))
                .map(|b| b.booking.id.clone())
        })
        .await
    }

    async fn move_to(&mut self, arguments: &Value) -> Result<Value, AgentError> {
        let (Some(reference), Some(session)) = (text(arguments, "reference"), text(arguments, "session")) else {
            return Ok(refused("reference and session are required"));
        };
        let Some(booking) = self.mine(&reference).await? else {
            return Ok(refused(
                "none of this visitor's bookings has that reference: call my_bookings",
            ));
        };
        let to = SessionId::from(session.as_str());
        if !self.with_facts(|f| f.sessions.iter().any(|s| s.id == to)).await? {
            return Ok(refused("no such session open for booking: call list_sessions"));
        }
        Ok(match self.effect(Effect::Move { booking, to }).await? {
            Outcome::Moved => json!({ "ok": true }),
            Outcome::Refused { text, .. } => refused(text),
            _ => refused("the booking could not be moved"),
        })
    }

    async fn save_contact(&mut self, arguments: &Value) -> Result<Value, AgentError> {
        let form = crate::domain::contact::LeadForm {
            name: text(arguments, "name").unwrap_or_default(),
            email: text(arguments, "email").unwrap_or_default(),
            phone: text(arguments, "phone").unwrap_or_default(),
            consent: arguments["consent"].as_bool().unwrap_or(false),
        };
        let language = self.contact.language.unwrap_or(self.bot.language);
        match crate::conversation::check_form(&form, self.bot.phone_region) {
            Ok(changes) => {
                self.effect(Effect::SaveAll(changes)).await?;
                Ok(json!({ "ok": true }))
            }
            Err(wrong) => {
                let texts: Vec<String> = wrong
                    .iter()
                    .map(|(field, hint)| {
                        self.engine
                            .texts
                            .get(language, hint, &[("got", form.typed(field).into())])
                    })
                    .collect();
                Ok(refused(texts.join(" ")))
            }
        }
    }

    async fn cancel(&mut self, arguments: &Value) -> Result<Value, AgentError> {
        let Some(reference) = text(arguments, "reference") else {
            return Ok(refused("reference is required"));
        };
        let Some(id) = self.mine(&reference).await? else {
            return Ok(refused(
                "none of this visitor's bookings has that reference: call my_bookings",
            ));
        };
        Ok(match self.effect(Effect::Cancel(id)).await? {
            Outcome::Cancelled { late } => json!({ "ok": true, "late": late }),
            Outcome::Refused { text, .. } => refused(text),
            _ => refused("the booking could not be cancelled"),
        })
    }
}

#[async_trait]
impl ToolRunner for VisitorTools<'_, '_> {
    fn definitions(&self) -> Vec<Value> {
        crate::agent::tools::visitor()
    }

    async fn run(&mut self, name: &str, arguments: &Value) -> Result<Value, AgentError> {
        let language = self.contact.language.unwrap_or(self.bot.language);
        match name {
            "list_courses" => self
                .with_facts(|f| {
                    let list: Vec<Value> = f.courses.iter().map(|c| json!({ "id": c.id.as_str(), "name": c.name,
                        "description": c.description, "location": c.location, "duration_min": c.duration_min })).collect();
                    json!({ "courses": list })
                })
                .await,
            "list_sessions" => {
                let arguments = arguments.clone();
                let facts = facts::load(self.engine.store, self.bot, self.contact, &Event::Photo, self.now, None).await?;
                let view = facts.view(self.bot, self.engine.texts, self.inbound.channel, self.contact, self.now);
                Ok(self.sessions(&view, &arguments))
            }
            "list_offers" => self
                .with_facts(|f| {
                    let list: Vec<Value> = f.offers.iter().map(|o| {
                        let kind = match o.kind {
                            OfferKind::Single => "single class".to_owned(),
                            OfferKind::Pack { credits, valid_days } => format!("pack of {credits} classes, valid {valid_days} days"),
                            OfferKind::Subscription { period_days, weekly_cap } => format!("subscription of {period_days} days{}", weekly_cap.map(|c| format!(", {c} classes a week")).unwrap_or_default()),
                        };
                        json!({ "id": o.id.as_str(), "name": o.name, "kind": kind, "price": o.price.display(language),
                                "courses": o.courses.iter().map(|c| c.as_str()).collect::<Vec<_>>() })
                    }).collect();
                    json!({ "offers": list })
                })
                .await,
            "check_promo" => {
                let (Some(code), Some(offer), Some(session)) = (text(arguments, "code"), text(arguments, "offer"), text(arguments, "session")) else {
                    return Ok(refused("code, offer and session are required"));
                };
                let cart = Cart { session: SessionId::from(session.as_str()), offer: Some(OfferId::from(offer.as_str())), promo: None, price: None, claim: None };
                Ok(match self.effect(Effect::CheckPromo { code, cart }).await? {
                    Outcome::PromoAccepted { code, price, .. } => json!({ "ok": true, "code": code, "price": price.display(language) }),
                    Outcome::Refused { text, .. } => refused(text),
                    _ => refused("the code could not be checked"),
                })
            }
            "book" => self.book(arguments).await,
            "my_bookings" => self
                .with_facts(|f| {
                    let list: Vec<Value> = f.bookings.iter().map(|b| json!({ "reference": b.booking.reference, "course": b.course,
                        "start": f.when(b.session.start), "status": b.booking.status, "price": b.booking.price.display(language) })).collect();
                    json!({ "bookings": list })
                })
                .await,
            "cancel_booking" => self.cancel(arguments).await,
            "move_booking" => self.move_to(arguments).await,
            "save_contact" => self.save_contact(arguments).await,
            "my_credits" => self
                .with_facts(|f| {
                    let list: Vec<Value> = f.wallets.iter().map(|(offer, left, until)| json!({ "offer": offer.name,
                        "credits_left": left, "until": f.when(*until) })).collect();
                    json!({ "credits": list })
                })
                .await,
            "handoff_to_coach" => match self.effect(Effect::Handoff).await? {
                Outcome::Done => Ok(json!({ "ok": true })),
                _ => Ok(refused("the coach could not be reached")),
            },
            other => Err(AgentError::UnknownTool(other.to_owned())),
        }
    }
}

impl Engine<'_> {
    /// The agent answers a visitor's text: its answer, and the tickets of what it booked (kept
    /// even when the answer failed, so a booking made is never left untold).
    #[expect(clippy::too_many_arguments, reason = "one turn's context, passed through")]
    pub(super) async fn agent_turn(
        &self,
        agent: &Agent,
        bot: &Bot,
        dialogue: &mut crate::conversation::Dialogue,
        contact: &mut Contact,
        inbound: &Inbound,
        recent: &[ChatLine],
        text: &str,
        now: DateTime<Utc>,
    ) -> (Result<String, crate::agent::AgentError>, Vec<Reply>) {
        let language = contact.language.unwrap_or(bot.language);
        let name = contact.name.clone().unwrap_or_default();
        // The last lines before this message (which `recent` already ends with).
        let earlier = &recent[..recent.len().saturating_sub(1)];
        remember(agent, dialogue, earlier).await;
        let profile = format!(
            "email {}, phone {}, news and offers: {}",
            contact.email.as_ref().map_or("unknown", |e| e.as_str()),
            contact.phone.as_ref().map_or("unknown", |p| p.as_str()),
            match contact.consent.as_ref().map(|c| c.marketing) {
                Some(true) => "yes",
                Some(false) => "no",
                None => "not asked",
            }
        );
        let who = crate::agent::prompt::Visitor {
            name: &name,
            profile,
            memory: dialogue.summary.as_ref().map(|s| s.text.as_str()),
            channel: inbound.channel.as_str(),
            language,
        };
        let system = crate::agent::prompt::visitor(bot, &who, now);
        let history: Vec<Line> = earlier
            .iter()
            .rev()
            .take(agent.history())
            .rev()
            .map(|l| Line {
                from_bot: l.from_bot,
                text: l.text.clone(),
            })
            .collect();
        let mut tools = VisitorTools {
            engine: self,
            bot,
            contact,
            inbound,
            recent,
            now,
            extra: Vec::new(),
        };
        let visitor = inbound.sender.clone();
        let mut show = |so_far: &str| {
            if let Some(hub) = self.web {
                hub.partial(bot.id.as_str(), &visitor, so_far);
            }
        };
        let streams = self.web.is_some() && inbound.channel == crate::domain::contact::Channel::Web;
        let sink: Option<&mut (dyn FnMut(&str) + Send)> = match streams {
            true => Some(&mut show),
            false => None,
        };
        let answer = agent.answer(&system, &history, text, &mut tools, sink).await;
        (answer, tools.extra)
    }
}

/// Unsent lines summarised at once.
const SUMMARY_BATCH: usize = 4;

/// Keeps a summary of the lines older than those the model is sent: when at least
/// [`SUMMARY_BATCH`] of them are not in it yet, the model summarises them with the summary so far.
/// A failure keeps the summary as it was.
async fn remember(agent: &Agent, dialogue: &mut crate::conversation::Dialogue, earlier: &[ChatLine]) {
    let cut = earlier.len().saturating_sub(agent.history());
    let since = dialogue.summary.as_ref().map(|s| s.through);
    let fresh: Vec<&ChatLine> = earlier[..cut]
        .iter()
        .filter(|l| since.is_none_or(|t| l.at > t))
        .collect();
    let Some(last) = fresh.last().map(|l| l.at) else { return };
    if fresh.len() < SUMMARY_BATCH {
        return;
    }
    let lines: Vec<Line> = fresh
        .iter()
        .map(|l| Line {
            from_bot: l.from_bot,
            text: l.text.clone(),
        })
        .collect();
    let previous = dialogue.summary.as_ref().map(|s| s.text.as_str());
    match agent.summarise(previous, &lines).await {
        Ok(text) if !text.is_empty() => {
            dialogue.summary = Some(crate::conversation::Summary { text, through: last });
        }
        Ok(_) => {}
        Err(error) => {
            tracing::warn!(%error, "agent: cannot summarise the conversation; keeping the last summary");
            metrics::counter!("coachbot_agent_failures_total", "reason" => error.reason()).increment(1);
        }
    }
}
