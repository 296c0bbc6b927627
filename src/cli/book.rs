//! `coachbot book`: books a class from the command line, for demos and tests, through the same
//! operation as the chat (`ops::booking::book`). A full session puts the person on the waitlist
//! with `--waitlist`; `--ticket FILE` writes the ticket image of a confirmed booking.

use super::CliError;
use crate::config::Settings;
use crate::config::bots::{Bot, Bots};
use crate::domain::booking::BookingStatus;
use crate::domain::contact::{Channel, Contact, Email, Identity, Phone};
use crate::domain::dates::{DaySpec, local_day};
use crate::domain::{CourseId, OfferId};
use crate::i18n::Texts;
use crate::ops::booking::{BookError, BookRequest, book, refusal};
use crate::ops::waitlist::{Joined, join};
use crate::store::Store;
use crate::t;
use anyhow::Context;
use chrono::{DateTime, Utc};
use std::path::PathBuf;

/// What to book, as given on the command line.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct BookArgs {
    /// The bot (its id in the bots folder).
    #[arg(long)]
    pub bot: String,
    /// The course id, as `/cours` lists them.
    #[arg(long)]
    pub course: String,
    /// The visitor's name.
    #[arg(long)]
    pub name: String,
    /// The visitor's email (finds a known visitor, or records a new one).
    #[arg(long)]
    pub email: Option<String>,
    /// The visitor's phone number.
    #[arg(long)]
    pub phone: Option<String>,
    /// The day (JJ/MM); the next session open for booking when absent.
    #[arg(long)]
    pub date: Option<String>,
    /// The offer id, as `/offres` lists them.
    #[arg(long, default_value = "single")]
    pub offer: String,
    /// A promo code.
    #[arg(long)]
    pub promo: Option<String>,
    /// Pay at the studio (else the seat is held while paying online).
    #[arg(long)]
    pub on_site: bool,
    /// Join the waitlist when the session is full.
    #[arg(long)]
    pub waitlist: bool,
    /// Write the ticket image (PNG) of the booking here.
    #[arg(long)]
    pub ticket: Option<PathBuf>,
}

/// Runs `coachbot book`.
pub async fn run(settings: &Settings, bots: &Bots, args: &BookArgs) -> Result<(), CliError> {
    let bot = super::find_bot(bots, &args.bot)?;
    let texts = crate::config::load_texts(&settings.bots.dir).map_err(|e| CliError::Usage(e.to_string()))?;
    let store = crate::store::open(&settings.store).await.context("opening the store")?;
    crate::app::seed_catalogs(store.as_ref(), bots)
        .await
        .context("seeding the catalogs")?;
    let now = Utc::now();
    crate::ops::schedule::plan_ahead(store.as_ref(), bot, now)
        .await
        .context("planning sessions")?;
    let message = book_once(store.as_ref(), bot, &texts, args, now).await?;
    println!("{message}");
    Ok(())
}

/// Books (or queues) and returns what to print.
async fn book_once(
    store: &dyn Store,
    bot: &Bot,
    texts: &Texts,
    args: &BookArgs,
    now: DateTime<Utc>,
) -> Result<String, CliError> {
    let language = bot.language;
    let contact = find_or_add_contact(store, bot, args, now).await?;
    let course = store
        .get_course(&bot.id, &CourseId::from(args.course.to_lowercase()))
        .await
        .map_err(|_| CliError::Usage(format!("unknown course {:?}; see /cours", args.course)))?;
    let horizon = now + chrono::Duration::weeks(i64::from(bot.booking.weeks_ahead) + 1);
    let mut sessions = store
        .list_sessions(&bot.id, now, horizon)
        .await
        .context("listing sessions")?;
    sessions.retain(|s| s.course == course.id && !s.cancelled);
    let session = match &args.date {
        Some(text) => {
            let today = local_day(now, bot.time_zone);
            let Ok(DaySpec::On(day)) = DaySpec::parse(text, today) else {
                return Err(CliError::Usage(format!(
                    "--date {text:?}: expected a day such as 24/12"
                )));
            };
            sessions
                .into_iter()
                .find(|s| local_day(s.start, bot.time_zone) == day)
                .ok_or_else(|| CliError::Usage(format!("no session of {} on {text}", course.name)))?
        }
        None => sessions
            .into_iter()
            .find(|s| bot.booking.check_window(s.start, now).is_ok())
            .ok_or_else(|| CliError::Usage(format!("no session of {} open for booking", course.name)))?,
    };
    let offer = OfferId::from(args.offer.to_lowercase());
    let request = BookRequest {
        contact: &contact.id,
        session: &session.id,
        offer: &offer,
        promo: args.promo.as_deref(),
        pay_on_site: args.on_site,
        now,
    };
    let local = |at: DateTime<Utc>, format: &str| at.with_timezone(&bot.time_zone).format(format).to_string();
    let when = local(session.start, "%d/%m %H:%M");
    let name = contact.name.clone().unwrap_or_default();
    let booking = match book(store, bot, &request).await {
        Ok(booking) => booking,
        Err(BookError::Refused(crate::domain::booking::BookingError::Full)) if args.waitlist => {
            let position = match join(store, bot, &contact.id, &session.id, now).await {
                Ok(Joined::InLine { position, .. } | Joined::AlreadyInLine { position, .. }) => position,
                Ok(Joined::SeatsLeft) => return Err(CliError::Failed(anyhow::anyhow!("a seat freed: try again"))),
                Err(refused) => {
                    return Err(CliError::Failed(anyhow::anyhow!(refusal(
                        texts, language, bot, &refused
                    ))));
                }
            };
            return Ok(t!(texts, language, "waitlist-joined",
                "name" => name, "course" => &course.name, "when" => when, "position" => position));
        }
        Err(refused) => {
            return Err(CliError::Failed(anyhow::anyhow!(refusal(
                texts, language, bot, &refused
            ))));
        }
    };
    let offer_name = store
        .get_offer(&bot.id, &offer)
        .await
        .map(|o| o.name)
        .unwrap_or_default();
    let price = booking.price.display(language);
    let mut message = match (booking.status, booking.hold_until) {
        (BookingStatus::PendingPayment, Some(until)) => t!(texts, language, "booking-booked-pending",
            "reference" => &booking.reference, "name" => name, "course" => &course.name, "when" => when,
            "offer" => offer_name, "price" => price, "until" => local(until, "%H:%M")),
        _ => t!(texts, language, "booking-booked",
            "reference" => &booking.reference, "name" => name, "course" => &course.name, "when" => when,
            "offer" => offer_name, "price" => price),
    };
    if let Some(path) = &args.ticket {
        use secrecy::ExposeSecret;
        let key = bot.ticket_key.as_ref().ok_or_else(|| {
            CliError::Usage(format!(
                "bot {} has no ticket signing key: set the variable its bot file names",
                bot.id
            ))
        })?;
        let token = crate::ops::ticket::token(key.expose_secret().as_bytes(), &booking);
        let facts = crate::ops::ticket::facts(store, bot, &booking)
            .await
            .context("reading the ticket")?;
        std::fs::write(path, crate::tickets::render_png(&token, &facts))
            .with_context(|| format!("writing {}", path.display()))?;
        message.push_str(&format!("\n{}", path.display()));
    }
    Ok(message)
}

/// The contact with this email (or phone), else a new lead with the name given.
async fn find_or_add_contact(
    store: &dyn Store,
    bot: &Bot,
    args: &BookArgs,
    now: DateTime<Utc>,
) -> Result<Contact, CliError> {
    let email = args
        .email
        .as_deref()
        .map(Email::parse)
        .transpose()
        .map_err(|e| CliError::Usage(format!("--email: {e}")))?;
    let phone = args
        .phone
        .as_deref()
        .map(|p| Phone::parse(p, Some(bot.phone_region)))
        .transpose()
        .map_err(|e| CliError::Usage(format!("--phone: {e}")))?;
    if let Some(email) = &email
        && let Some(found) = store
            .find_contact_by_email(&bot.id, email)
            .await
            .context("finding the contact")?
    {
        return Ok(found);
    }
    if let Some(phone) = &phone
        && let Some(found) = store
            .find_contact_by_phone(&bot.id, phone)
            .await
            .context("finding the contact")?
    {
        return Ok(found);
    }
    let address = match (&email, &phone) {
        (Some(email), _) => email.as_str().to_owned(),
        (None, Some(phone)) => phone.as_str().to_owned(),
        (None, None) => {
            return Err(CliError::Usage(
                "give --email or --phone: a booking needs a way to reach the person".into(),
            ));
        }
    };
    let mut contact = Contact::new(bot.id.clone(), Identity::new(Channel::Terminal, address), now);
    contact.name = Some(args.name.trim().to_owned()).filter(|n| !n.is_empty());
    contact.email = email;
    contact.phone = phone;
    store.insert_contact(&contact).await.context("recording the contact")?;
    Ok(contact)
}
