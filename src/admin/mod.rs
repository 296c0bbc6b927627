//! The coach's commands, typed in a private chat (or run from the CLI): parsed at the edge into an
//! `AdminCommand`, then applied through the store. One table lists the commands for `/aide`.

pub mod appearance;
pub mod course;
pub mod error;
pub mod promo;
pub mod studio;
pub mod tokens;

pub use error::CommandError;
pub use promo::grammar::{ParseContext, PromoCommand};

use crate::config::bots::Bot;
use crate::domain::language::Language;
use crate::domain::reply::Reply;
use crate::i18n::Texts;
use crate::store::Store;
use crate::t;
use chrono::{DateTime, Utc};

/// A coach command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminCommand {
    /// `/aide`: every command.
    Help,
    /// `/promo …` and `/promos …`.
    Promo(PromoCommand),
    /// `/checkin TOKEN`: admit a visitor at the door.
    CheckIn(String),
    /// `/cours`: the courses.
    Courses,
    /// `/offres`: the offers.
    Offers,
    /// `/resas [aujourdhui|demain|semaine|JJ/MM]`: bookings by session.
    Bookings(studio::Period),
    /// `/cours ID annuler JJ/MM`, `/cours ID capacite N`.
    Course(String, studio::CourseChange),
    /// `/cours ajouter "Yoga doux" mar 18:30 60min 12places`.
    AddCourse(course::NewCourse),
    /// `/repondre +33612345678 Bonjour…`: a message to a visitor, on their channel.
    Answer {
        /// The visitor: phone, email or contact id.
        to: String,
        /// The message.
        text: String,
    },
    /// `/apparence couleur #ff6600`: the web widget's look.
    Appearance(appearance::AppearanceChange),
    /// `/resa REF` and `/resa REF annuler`.
    Booking {
        /// The booking's reference.
        reference: String,
        /// Cancel it (else show it).
        cancel: bool,
    },
}

/// One line of `/aide`: the command, what it does, an example.
struct CommandSpec {
    names: &'static [&'static str],
    summary: &'static str,
    example: &'static str,
}

const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        names: &["promo"],
        summary: "admin-help-promo",
        example: "/promo 10 -20% exp:31/12",
    },
    CommandSpec {
        names: &["promo"],
        summary: "admin-help-promo-edit",
        example: "/promo NOEL-7KQ2M9XT -30%",
    },
    CommandSpec {
        names: &["promo"],
        summary: "admin-help-promo-batch",
        example: "/promo lot K7Q2M exp:15/01",
    },
    CommandSpec {
        names: &["promos"],
        summary: "admin-help-promos",
        example: "/promos K7Q2M csv",
    },
    CommandSpec {
        names: &["resas"],
        summary: "admin-help-bookings",
        example: "/resas demain",
    },
    CommandSpec {
        names: &["resa"],
        summary: "admin-help-booking",
        example: "/resa K7Q2MX annuler",
    },
    CommandSpec {
        names: &["cours"],
        summary: "admin-help-courses",
        example: "/cours",
    },
    CommandSpec {
        names: &["cours"],
        summary: "admin-help-course-add",
        example: r#"/cours ajouter "Yoga doux" mar 18:30 60min 12places"#,
    },
    CommandSpec {
        names: &["cours"],
        summary: "admin-help-course-cancel",
        example: "/cours pilates annuler 30/11",
    },
    CommandSpec {
        names: &["cours"],
        summary: "admin-help-course-capacity",
        example: "/cours pilates capacite 15",
    },
    CommandSpec {
        names: &["offres"],
        summary: "admin-help-offers",
        example: "/offres",
    },
    CommandSpec {
        names: &["repondre"],
        summary: "admin-help-answer",
        example: "/repondre +33612345678 Bonjour, oui il reste de la place !",
    },
    CommandSpec {
        names: &["apparence"],
        summary: "admin-help-appearance",
        example: "/apparence couleur #ff6600",
    },
    CommandSpec {
        names: &["apparence"],
        summary: "admin-help-appearance-text",
        example: r#"/apparence titre "Studio Lumière""#,
    },
    CommandSpec {
        names: &["checkin"],
        summary: "admin-help-checkin",
        example: "/checkin demo.AbC…",
    },
    CommandSpec {
        names: &["aide", "help"],
        summary: "admin-help-help",
        example: "/promo aide",
    },
];

/// Reads a command line such as `/promo 10 -20% exp:31/12` (a leading `/` and a Telegram
/// `@botname` suffix are optional).
pub fn parse(line: &str, ctx: &ParseContext) -> Result<AdminCommand, CommandError> {
    let words = tokens::split(line).map_err(|_| CommandError::UnbalancedQuote)?;
    let Some((first, rest)) = words.split_first() else {
        return Err(CommandError::UnknownCommand { name: String::new() });
    };
    let name = first
        .trim_start_matches('/')
        .split('@')
        .next()
        .unwrap_or_default()
        .to_lowercase();
    match name.as_str() {
        "aide" | "help" | "start" if rest.is_empty() => Ok(AdminCommand::Help),
        "promo" => promo::grammar::parse_promo(rest, ctx).map(AdminCommand::Promo),
        "promos" => promo::grammar::parse_promos(rest).map(AdminCommand::Promo),
        "cours" | "courses" if rest.is_empty() => Ok(AdminCommand::Courses),
        "cours" | "courses" if matches!(rest[0].to_lowercase().as_str(), "ajouter" | "add") => {
            course::parse_new_course(&rest[1..]).map(AdminCommand::AddCourse)
        }
        "cours" | "courses" => {
            studio::parse_course_change(&rest[1..]).map(|c| AdminCommand::Course(rest[0].clone(), c))
        }
        "offres" | "offers" if rest.is_empty() => Ok(AdminCommand::Offers),
        "resas" | "bookings" => studio::parse_period(rest).map(AdminCommand::Bookings),
        "resa" | "booking" => match rest {
            [reference] => Ok(AdminCommand::Booking {
                reference: reference.clone(),
                cancel: false,
            }),
            [reference, verb] if matches!(verb.to_lowercase().as_str(), "annuler" | "cancel") => {
                Ok(AdminCommand::Booking {
                    reference: reference.clone(),
                    cancel: true,
                })
            }
            _ => Err(CommandError::Usage { command: "resa" }),
        },
        "repondre" | "répondre" | "reply" => match rest {
            [to, first, ..] if !first.is_empty() => Ok(AdminCommand::Answer {
                to: to.clone(),
                text: rest[1..].join(" "),
            }),
            _ => Err(CommandError::Usage { command: "repondre" }),
        },
        "apparence" | "appearance" => appearance::parse(rest).map(AdminCommand::Appearance),
        "checkin" | "valider" => match rest {
            [token] => Ok(AdminCommand::CheckIn(token.clone())),
            _ => Err(CommandError::Usage { command: "checkin" }),
        },
        _ => Err(CommandError::UnknownCommand { name }),
    }
}

/// What a command runs with.
pub struct AdminContext<'a> {
    /// The store.
    pub store: &'a dyn Store,
    /// The coach's bot.
    pub bot: &'a Bot,
    /// The catalogs.
    pub texts: &'a Texts,
    /// The coach's language.
    pub language: Language,
    /// Now.
    pub now: DateTime<Utc>,
    /// Who runs it (`telegram:123`, `cli`).
    pub actor: String,
    /// Most codes one command may create here.
    pub max_codes: u32,
    /// The bot's ticket signing key.
    pub ticket_key: &'a [u8],
}

impl AdminContext<'_> {
    /// The parser's view of this context.
    pub fn parse_context(&self) -> ParseContext {
        ParseContext {
            today: crate::domain::dates::local_day(self.now, self.bot.time_zone),
            currency: self.bot.currency,
            region: self.bot.phone_region,
            max_codes: self.max_codes,
        }
    }

    /// Renders a catalog message in the coach's language.
    pub fn text(&self, id: &str, args: &[(&str, crate::i18n::Arg)]) -> String {
        self.texts.get(self.language, id, args)
    }
}

/// What a command that changes something would do, in words, when that is more than the command
/// line says (before the coach confirms it).
pub fn preview(command: &AdminCommand, ctx: &AdminContext<'_>) -> Option<String> {
    match command {
        AdminCommand::Promo(PromoCommand::Generate(spec)) => promo::apply::preview(ctx, spec),
        _ => None,
    }
}

/// Parses and runs one command line; every outcome, errors included, is a reply for the coach.
pub async fn handle(line: &str, ctx: &AdminContext<'_>, rng: &mut (dyn rand::RngCore + Send)) -> Reply {
    match parse(line, &ctx.parse_context()) {
        Ok(command) => execute(command, ctx, rng).await,
        Err(error) => Reply::text(error.render(ctx.texts, ctx.language)),
    }
}

/// Runs a parsed command.
pub async fn execute(command: AdminCommand, ctx: &AdminContext<'_>, rng: &mut (dyn rand::RngCore + Send)) -> Reply {
    match command {
        AdminCommand::Help => Reply::text(help(ctx.texts, ctx.language)),
        AdminCommand::Promo(command) => promo::apply::execute(command, ctx, rng).await,
        AdminCommand::CheckIn(token) => check_in(&token, ctx).await,
        AdminCommand::Courses => studio::courses(ctx).await.unwrap_or_else(|e| internal(ctx, e)),
        AdminCommand::Offers => studio::offers(ctx).await.unwrap_or_else(|e| internal(ctx, e)),
        AdminCommand::Bookings(period) => studio::bookings(ctx, period).await.unwrap_or_else(|e| internal(ctx, e)),
        AdminCommand::Booking { reference, cancel } => studio::booking(ctx, &reference, cancel)
            .await
            .unwrap_or_else(|e| internal(ctx, e)),
        AdminCommand::Course(course, change) => studio::change_course(ctx, &course, &change)
            .await
            .unwrap_or_else(|e| internal(ctx, e)),
        AdminCommand::AddCourse(new) => course::add_course(ctx, &new).await.unwrap_or_else(|e| internal(ctx, e)),
        AdminCommand::Appearance(change) => appearance::apply(ctx, change)
            .await
            .unwrap_or_else(|e| internal(ctx, e)),
        AdminCommand::Answer { to, text } => answer(ctx, &to, &text).await.unwrap_or_else(|e| internal(ctx, e)),
    }
}

fn internal(ctx: &AdminContext<'_>, error: crate::store::StoreError) -> Reply {
    tracing::error!(%error, "coach command failed");
    Reply::text(t!(ctx.texts, ctx.language, "admin-error-internal"))
}

async fn check_in(token: &str, ctx: &AdminContext<'_>) -> Reply {
    match crate::ops::checkin::check_in(ctx.store, ctx.bot, ctx.ticket_key, token, ctx.now).await {
        Ok(result) => Reply::text(crate::ops::checkin::reply(ctx.texts, ctx.language, &result)),
        Err(error) => {
            tracing::error!(%error, "check-in failed");
            Reply::text(t!(ctx.texts, ctx.language, "admin-error-internal"))
        }
    }
}

/// `/repondre`: finds the visitor by phone, email or id and queues the message on their channel.
async fn answer(ctx: &AdminContext<'_>, to: &str, text: &str) -> Result<Reply, crate::store::StoreError> {
    use crate::domain::contact::{Email, Phone};
    let store = ctx.store;
    let bot = &ctx.bot.id;
    let found = if let Ok(phone) = Phone::parse(to, Some(ctx.bot.phone_region)) {
        store.find_contact_by_phone(bot, &phone).await?
    } else if let Ok(email) = Email::parse(to) {
        store.find_contact_by_email(bot, &email).await?
    } else {
        match store.get_contact(bot, &crate::domain::ContactId::from(to)).await {
            Ok(contact) => Some(contact),
            Err(crate::store::StoreError::NotFound) => None,
            Err(e) => return Err(e),
        }
    };
    let Some(contact) = found else {
        return Ok(Reply::text(t!(ctx.texts, ctx.language, "answer-unknown", "to" => to)));
    };
    let name = contact.name.clone().unwrap_or_else(|| to.to_owned());
    let id = match crate::ops::booking::tell(store, &contact, text.to_owned(), ctx.now).await? {
        true => "answer-sent",
        false => "answer-no-channel",
    };
    Ok(Reply::text(t!(ctx.texts, ctx.language, id, "name" => name)))
}

/// A photo sent by the coach: the ticket's QR code is read from it and checked in.
pub async fn handle_photo(bytes: &[u8], ctx: &AdminContext<'_>) -> Reply {
    // A photo's bytes are not kept with the message: one handled again after a restart comes
    // without them, and the coach is asked to send it again.
    if bytes.is_empty() {
        return Reply::text(t!(ctx.texts, ctx.language, "checkin-photo-lost"));
    }
    match crate::tickets::decode(bytes) {
        Some(token) => check_in(&token, ctx).await,
        None => Reply::text(t!(ctx.texts, ctx.language, "checkin-no-code")),
    }
}

/// `/aide`: every command with an example, from the command table.
pub fn help(texts: &Texts, language: Language) -> String {
    let mut out = t!(texts, language, "admin-help-title");
    for command in COMMANDS {
        out.push_str(&format!(
            "\n• {} — {}",
            command.example,
            texts.get(language, command.summary, &[("name", command.names[0].into())])
        ));
    }
    out
}
