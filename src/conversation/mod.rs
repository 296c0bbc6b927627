//! The visitor dialogue as a pure state machine: `handle(dialogue, event, facts) -> (dialogue,
//! effects)`. It never performs I/O and never reads a clock: the engine loads the [`Facts`] it
//! needs (the contact, the catalog, the sessions to come, the contact's bookings), runs the
//! [`Effect`]s it returns (save a lead detail, check a promo code, book…) and feeds each result
//! back as [`Event::Outcome`]. Every text comes from the catalogs.
//!
//! Lead capture comes first: first name, email, phone (skipped where the channel knows it) and the
//! marketing-consent question. What the visitor asked before that is remembered and resumed.

mod booking;
pub mod intent;
mod lead;

pub use lead::check_form;
mod manage;
#[cfg(test)]
mod tests;

use crate::config::bots::Bot;
use crate::domain::booking::Booking;
use crate::domain::catalog::{Course, Offer};
use crate::domain::contact::{Channel, Contact, Email, Phone};
use crate::domain::language::Language;
use crate::domain::money::Money;
use crate::domain::reply::{Attachment, Choice, Reply};
use crate::domain::session::Session;
use crate::domain::{BookingId, CourseId, OfferId, SessionId, WaitlistId};
use crate::i18n::{Arg, Texts};
use chrono::{DateTime, Utc};
pub use intent::Intent;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Where the dialogue stands between two messages (saved with the conversation).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Dialogue {
    /// The current step.
    pub step: Step,
    /// What the visitor asked for before the lead was complete, resumed after.
    #[serde(default)]
    pub after_lead: Option<Intent>,
    /// The choices offered with the last reply: "2" or the label typed picks one.
    #[serde(default)]
    pub choices: Vec<Choice>,
    /// The agent's summary of the conversation older than the lines it is sent, and the time of
    /// the last line it covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
}

/// A summary of a conversation's earlier lines, written by the agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// The summary.
    pub text: String,
    /// The last line it covers.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub through: DateTime<Utc>,
}

/// A booking being put together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    /// The session.
    pub session: SessionId,
    /// The offer, once chosen.
    pub offer: Option<OfferId>,
    /// The promo code accepted, if any.
    pub promo: Option<String>,
    /// The price shown in the summary (after the promo).
    pub price: Option<Money>,
    /// The waitlist entry whose held seat this booking takes.
    pub claim: Option<WaitlistId>,
}

impl Cart {
    fn new(session: SessionId) -> Self {
        Self {
            session,
            offer: None,
            promo: None,
            price: None,
            claim: None,
        }
    }
}

/// The steps of the dialogue.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// Nothing said yet.
    #[default]
    New,
    /// Waiting for the first name.
    AskName,
    /// Waiting for the email.
    AskEmail,
    /// Waiting for the phone number.
    AskPhone,
    /// Waiting for yes or no to marketing messages.
    AskConsent,
    /// The menu: anything can be asked.
    Menu,
    /// Which course?
    ChooseCourse,
    /// Which date?
    ChooseSession {
        /// The course.
        course: CourseId,
    },
    /// Which offer?
    ChooseOffer(Cart),
    /// A promo code?
    AskPromo(Cart),
    /// Waiting for the code.
    TypePromo(Cart),
    /// The summary: confirm?
    Confirm(Cart),
    /// Full: join the waitlist?
    OfferWaitlist {
        /// The full session.
        session: SessionId,
    },
    /// Which booking to cancel?
    ChooseCancel,
    /// Cancel this one (the policy was explained)?
    ConfirmCancel {
        /// The booking.
        booking: BookingId,
    },
    /// Which booking to move?
    ChooseMove,
    /// To which date?
    ChooseMoveTarget {
        /// The booking.
        booking: BookingId,
    },
    /// Stop all messages?
    ConfirmStop,
}

/// What happened to the visitor.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// They wrote something.
    Text(String),
    /// They picked a choice (its key).
    Choice(String),
    /// They shared their phone number (Telegram's contact button).
    ContactShared(String),
    /// They sent a picture.
    Photo,
    /// They sent the widget's lead form.
    LeadForm(crate::domain::contact::LeadForm),
    /// They opened the widget again.
    Open,
    /// The result of an effect the dialogue asked for.
    Outcome(Outcome),
}

/// A lead detail to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileChange {
    /// First name (or the name they gave).
    Name(String),
    /// A checked email.
    Email(Email),
    /// A checked phone number.
    Phone(Phone),
    /// Yes or no to marketing messages.
    Consent(bool),
    /// STOP (true) or START (false).
    OptOut(bool),
}

/// What the engine must do for the dialogue.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send this reply.
    Reply(Reply),
    /// Save a lead detail; answered by [`Outcome::Saved`].
    Save(ProfileChange),
    /// Save several lead details in order (a form); answered by one [`Outcome::Saved`].
    SaveAll(Vec<ProfileChange>),
    /// Check a promo code for this booking; answered by `PromoAccepted` or `Refused`.
    CheckPromo {
        /// As typed.
        code: String,
        /// The booking being made.
        cart: Cart,
    },
    /// Book; answered by `Booked` or `Refused`.
    Book(Cart),
    /// Join a full session's waitlist; answered by `Joined` or `Refused`.
    JoinWaitlist(SessionId),
    /// Let a held seat go (or leave a line); answered by `Done`.
    LeaveWaitlist(WaitlistId),
    /// Cancel a booking; answered by `Cancelled` or `Refused`.
    Cancel(BookingId),
    /// Move a booking; answered by `Moved` or `Refused`.
    Move {
        /// The booking.
        booking: BookingId,
        /// The new session.
        to: SessionId,
    },
    /// Tell the coach, in their private chat; answered by `Done`.
    Handoff,
}

/// The result of an effect.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A lead detail was saved; `recognised` when the email or phone belonged to a contact known
    /// from another channel, now linked (their name).
    Saved {
        /// The known contact's name.
        recognised: Option<String>,
    },
    /// The promo code applies: the new price.
    PromoAccepted {
        /// The code as stored.
        code: String,
        /// The price after the discount.
        price: Money,
        /// The booking being made.
        cart: Cart,
    },
    /// Booked.
    Booked {
        /// The booking.
        booking: Box<Booking>,
        /// The ticket image, for a confirmed booking.
        ticket: Option<Attachment>,
    },
    /// Placed on the waitlist, at this position.
    Joined(usize),
    /// Cancelled; `late` when past the free-cancellation limit.
    Cancelled {
        /// Past the limit: the credit is kept.
        late: bool,
    },
    /// Moved.
    Moved,
    /// Done, nothing to add.
    Done,
    /// Refused, with the text to tell (`full` when the session is full).
    Refused {
        /// What to tell the visitor.
        text: String,
        /// The session was full (offer the waitlist).
        full: bool,
    },
}

/// A booking of the contact, with what the dialogue shows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingView {
    /// The booking.
    pub booking: Booking,
    /// Its session.
    pub session: Session,
    /// The course name.
    pub course: String,
}

/// What the dialogue knows when it handles an event: loaded by the engine, read-only here.
pub struct Facts<'a> {
    /// The bot.
    pub bot: &'a Bot,
    /// The catalogs.
    pub texts: &'a Texts,
    /// The visitor's language.
    pub language: Language,
    /// Now.
    pub now: DateTime<Utc>,
    /// The channel they write on.
    pub channel: Channel,
    /// The contact.
    pub contact: &'a Contact,
    /// Active courses (shared with the store's parsed catalog).
    pub courses: Arc<[Course]>,
    /// Active offers.
    pub offers: Arc<[Offer]>,
    /// Sessions to come, not cancelled, by start.
    pub sessions: Arc<[Session]>,
    /// The contact's active bookings to come, by start.
    pub bookings: Vec<BookingView>,
    /// The contact's usable wallets with their offer: credits left (`None`: unlimited) and end.
    pub wallets: Vec<(Offer, Option<u32>, DateTime<Utc>)>,
    /// The waitlist entry a "Je la prends" refers to, when the event is one.
    pub held: Option<crate::domain::booking::waitlist::WaitlistEntry>,
    /// The welcome line the coach set from chat, when it replaces the bot file's (loaded for a
    /// conversation's first message only).
    pub welcome: Option<String>,
}

impl Facts<'_> {
    /// A catalog text in the visitor's language.
    pub fn t(&self, id: &str, args: &[(&str, Arg)]) -> String {
        self.texts.get(self.language, id, args)
    }

    /// A date and time in the bot's zone: `mar. 24/11 18:30` style (`%d/%m %H:%M`, with the day).
    pub fn when(&self, at: DateTime<Utc>) -> String {
        crate::domain::slot::day_and_time(&at.with_timezone(&self.bot.time_zone), self.language)
    }

    /// An hour in the bot's zone.
    pub fn hour(&self, at: DateTime<Utc>) -> String {
        crate::domain::slot::hour_minute(&at.with_timezone(&self.bot.time_zone))
    }

    fn course(&self, id: &CourseId) -> Option<&Course> {
        self.courses.iter().find(|c| &c.id == id)
    }

    fn course_name(&self, id: &CourseId) -> String {
        self.course(id)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    fn session(&self, id: &SessionId) -> Option<&Session> {
        self.sessions.iter().find(|s| &s.id == id)
    }

    fn offer(&self, id: &OfferId) -> Option<&Offer> {
        self.offers.iter().find(|o| &o.id == id)
    }

    fn first_name(&self) -> String {
        let name = self.contact.name.clone().unwrap_or_default();
        name.split_whitespace().next().unwrap_or_default().to_owned()
    }
}

/// The dialogue's answer to one event.
pub struct Turn {
    /// The dialogue after it.
    pub dialogue: Dialogue,
    /// What to do.
    pub effects: Vec<Effect>,
    /// The intent recognised in the visitor's text, if any.
    pub intent: Option<Intent>,
}

/// Handles one event.
pub fn handle(dialogue: &Dialogue, event: Event, facts: &Facts<'_>) -> Turn {
    // An outcome continues the same message: the choices just offered stay offered.
    let choices = match event {
        Event::Outcome(_) => dialogue.choices.clone(),
        _ => Vec::new(),
    };
    let mut turn = Turn {
        dialogue: Dialogue {
            choices,
            ..dialogue.clone()
        },
        effects: Vec::new(),
        intent: None,
    };
    let event = match event {
        Event::Text(text) => match picked(&dialogue.choices, &text) {
            Some(key) => Event::Choice(key),
            None => Event::Text(text),
        },
        other => other,
    };
    match event {
        Event::Outcome(outcome) => on_outcome(&mut turn, outcome, facts),
        Event::Choice(key) => on_choice(&mut turn, dialogue, &key, facts),
        Event::ContactShared(number) => lead::on_answer(&mut turn, &dialogue.step, &number, facts),
        Event::Photo => turn.say(facts.t("visitor-photo", &[]), Vec::new()),
        Event::LeadForm(form) => lead::on_form(&mut turn, &dialogue.step, &form, facts),
        Event::Open if lead::complete(facts) => start(&mut turn, Intent::Greeting, facts),
        Event::Open => lead::next_question(&mut turn, facts, false),
        Event::Text(text) => on_text(&mut turn, dialogue, &text, facts),
    }
    turn
}

impl Turn {
    /// Sends a reply offering `choices`, remembered for the next message.
    fn say(&mut self, text: String, choices: Vec<Choice>) {
        self.dialogue.choices = choices.clone();
        self.effects
            .push(Effect::Reply(Reply::text(text).with_choices(choices)));
    }

    fn go(&mut self, step: Step) {
        self.dialogue.step = step;
    }
}

/// Whether a visitor's free text may go to the LLM agent: their details are all known, the text
/// does not pick one of the choices on screen, no promo code is awaited, and it is not STOP or
/// START (which the rule path always handles).
pub fn agent_may_answer(dialogue: &Dialogue, text: &str, contact: &crate::domain::contact::Contact) -> bool {
    let known =
        contact.name.is_some() && contact.email.is_some() && contact.phone.is_some() && contact.consent.is_some();
    let waiting = matches!(
        dialogue.step,
        Step::New
            | Step::AskName
            | Step::AskEmail
            | Step::AskPhone
            | Step::AskConsent
            | Step::TypePromo(_)
            | Step::ConfirmStop
    );
    known
        && !waiting
        && !text.trim().is_empty()
        && picked(&dialogue.choices, text).is_none()
        && !matches!(intent::detect(text), Intent::Stop | Intent::Start)
}

/// The key of the choice a typed text picks: its number ("2") or its label, accents and case aside.
fn picked(choices: &[Choice], text: &str) -> Option<String> {
    let text = text.trim();
    if let Ok(n) = text.trim_end_matches(['.', ')']).parse::<usize>() {
        return choices.get(n.checked_sub(1)?).map(|c| c.key.clone());
    }
    let typed = intent::words(text);
    choices
        .iter()
        .find(|c| !typed.is_empty() && intent::words(&c.label) == typed)
        .map(|c| c.key.clone())
}

fn on_text(turn: &mut Turn, dialogue: &Dialogue, text: &str, facts: &Facts<'_>) {
    if text.trim().is_empty() {
        turn.dialogue.choices = dialogue.choices.clone();
        turn.say(facts.t("visitor-empty", &[]), dialogue.choices.clone());
        return;
    }
    let intent = intent::detect(text);
    turn.intent = Some(intent);
    if intent == Intent::Stop {
        return manage::ask_stop(turn, facts);
    }
    match &dialogue.step {
        Step::New | Step::AskName | Step::AskEmail | Step::AskPhone | Step::AskConsent => {
            lead::on_text(turn, dialogue, text, intent, facts)
        }
        // A code is one word; a sentence that asks for something else leaves the promo step.
        Step::TypePromo(cart) if text.split_whitespace().count() == 1 || intent == Intent::Unknown => {
            turn.effects.push(Effect::CheckPromo {
                code: text.trim().to_owned(),
                cart: cart.clone(),
            });
        }
        step if matches!(intent, Intent::Yes | Intent::No) && confirms(step) => {
            let key = if intent == Intent::Yes { "yes" } else { "no" };
            on_choice(turn, dialogue, key, facts)
        }
        _ => start(turn, intent, facts),
    }
}

/// Steps a plain "oui"/"non" answers.
fn confirms(step: &Step) -> bool {
    matches!(
        step,
        Step::AskPromo(_)
            | Step::Confirm(_)
            | Step::OfferWaitlist { .. }
            | Step::ConfirmCancel { .. }
            | Step::ConfirmStop
    )
}

/// Starts what an intent asks for, from anywhere.
pub(crate) fn start(turn: &mut Turn, intent: Intent, facts: &Facts<'_>) {
    if !lead::complete(facts) && !matches!(intent, Intent::Stop) {
        turn.dialogue.after_lead = Some(intent);
        return lead::next_question(turn, facts, false);
    }
    match intent {
        Intent::Book => booking::choose_course(turn, facts),
        Intent::Schedule => booking::schedule(turn, facts),
        Intent::Prices => booking::prices(turn, facts),
        Intent::MyBookings => manage::my_bookings(turn, facts),
        Intent::Cancel => manage::choose_cancel(turn, facts),
        Intent::Move => manage::choose_move(turn, facts),
        Intent::Credits => manage::credits(turn, facts),
        Intent::Promo => booking::promo_first(turn, facts),
        Intent::Coach => {
            turn.effects.push(Effect::Handoff);
            turn.go(Step::Menu);
            turn.say(facts.t("visitor-handoff", &[]), menu(facts));
        }
        Intent::Stop => manage::ask_stop(turn, facts),
        Intent::Start if facts.contact.opted_out => {
            turn.effects.push(Effect::Save(ProfileChange::OptOut(false)));
            turn.go(Step::Menu);
            let text = facts.t("visitor-resubscribed", &[]);
            turn.say(text, menu(facts));
        }
        Intent::Greeting | Intent::Start => {
            turn.go(Step::Menu);
            let text = facts.t("visitor-welcome-back", &[("name", facts.first_name().into())]);
            turn.say(text, menu(facts));
        }
        Intent::Thanks => {
            turn.go(Step::Menu);
            turn.say(facts.t("visitor-thanks", &[]), menu(facts));
        }
        Intent::Help | Intent::Yes | Intent::No => {
            turn.go(Step::Menu);
            turn.say(facts.t("visitor-help", &[]), menu(facts));
        }
        Intent::Unknown => {
            turn.go(Step::Menu);
            turn.say(facts.t("visitor-not-understood", &[]), menu(facts));
        }
    }
}

/// The main menu.
pub(crate) fn menu(facts: &Facts<'_>) -> Vec<Choice> {
    [
        ("menu:book", "menu-book"),
        ("menu:schedule", "menu-schedule"),
        ("menu:prices", "menu-prices"),
        ("menu:bookings", "menu-bookings"),
        ("menu:coach", "menu-coach"),
    ]
    .into_iter()
    .map(|(key, label)| Choice::new(key, facts.t(label, &[])))
    .collect()
}

fn on_choice(turn: &mut Turn, dialogue: &Dialogue, key: &str, facts: &Facts<'_>) {
    let menu_intent = match key {
        "menu:book" => Some(Intent::Book),
        "menu:schedule" => Some(Intent::Schedule),
        "menu:prices" => Some(Intent::Prices),
        "menu:bookings" => Some(Intent::MyBookings),
        "menu:coach" => Some(Intent::Coach),
        "menu:cancel" => Some(Intent::Cancel),
        "menu:move" => Some(Intent::Move),
        _ => None,
    };
    if let Some(intent) = menu_intent {
        turn.intent = Some(intent);
        return start(turn, intent, facts);
    }
    if let Some(entry) = key.strip_prefix("waitlist:claim:") {
        return manage::claim(turn, WaitlistId::from(entry), facts);
    }
    if let Some(entry) = key.strip_prefix("waitlist:leave:") {
        turn.effects.push(Effect::LeaveWaitlist(WaitlistId::from(entry)));
        turn.go(Step::Menu);
        return turn.say(facts.t("waitlist-left", &[]), menu(facts));
    }
    match &dialogue.step {
        Step::AskConsent | Step::AskPhone => lead::on_choice(turn, &dialogue.step, key, facts),
        Step::ConfirmStop => manage::on_stop_answer(turn, key, facts),
        Step::ChooseCancel | Step::ConfirmCancel { .. } | Step::ChooseMove | Step::ChooseMoveTarget { .. } => {
            manage::on_choice(turn, &dialogue.step, key, facts)
        }
        step => booking::on_choice(turn, step, key, facts),
    }
}

fn on_outcome(turn: &mut Turn, outcome: Outcome, facts: &Facts<'_>) {
    match outcome {
        Outcome::Saved { recognised } => lead::after_save(turn, recognised, facts),
        Outcome::PromoAccepted { code, price, cart } => booking::promo_accepted(turn, code, price, cart, facts),
        Outcome::Booked { booking, ticket } => booking::booked(turn, &booking, ticket, facts),
        Outcome::Refused { text, full } => booking::refused(turn, text, full, facts),
        Outcome::Joined(position) => {
            turn.go(Step::Menu);
            let text = facts.t("waitlist-visitor-joined", &[("position", position.into())]);
            turn.say(text, menu(facts));
        }
        Outcome::Cancelled { late } => manage::cancelled(turn, late, facts),
        Outcome::Moved => {
            turn.go(Step::Menu);
            turn.say(facts.t("visitor-moved", &[]), menu(facts));
        }
        Outcome::Done => {}
    }
}
