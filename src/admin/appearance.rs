//! `/apparence`: the widget's look changed from chat. `/apparence` alone shows it;
//! `/apparence couleur #ff6600`, `titre "Studio Nova"`, `accueil "Bienvenue !"`,
//! `avatar https://…/logo.png` (or `aucun`), `position gauche|droite` change one thing.

use super::{AdminContext, CommandError};
use crate::domain::appearance::{self, Appearance, AppearanceError, Position};
use crate::domain::reply::Reply;
use crate::store::StoreResult;
use crate::t;

/// What `/apparence` changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppearanceChange {
    /// Show the current look.
    Show,
    /// The main colour.
    Colour(String),
    /// The panel's title.
    Title(String),
    /// The first message.
    Welcome(String),
    /// The avatar (`None` removes it).
    Avatar(Option<String>),
    /// The button's side.
    Position(Position),
}

/// Reads the words after `/apparence`.
pub fn parse(words: &[String]) -> Result<AppearanceChange, CommandError> {
    let Some((what, rest)) = words.split_first() else {
        return Ok(AppearanceChange::Show);
    };
    let value = rest.join(" ");
    let usage = || CommandError::Usage { command: "apparence" };
    let bad = CommandError::Appearance;
    match what.to_lowercase().as_str() {
        "couleur" | "color" | "colour" | "titre" | "title" | "accueil" | "welcome" | "avatar" | "position"
            if rest.is_empty() =>
        {
            Err(usage())
        }
        "couleur" | "color" | "colour" => appearance::colour(&value).map(AppearanceChange::Colour).map_err(bad),
        "titre" | "title" => appearance::line(&value, appearance::MAX_TITLE)
            .map(AppearanceChange::Title)
            .map_err(bad),
        "accueil" | "welcome" => appearance::line(&value, appearance::MAX_WELCOME)
            .map(AppearanceChange::Welcome)
            .map_err(bad),
        "avatar" if matches!(value.to_lowercase().as_str(), "aucun" | "none") => Ok(AppearanceChange::Avatar(None)),
        "avatar" => appearance::avatar(&value).map(AppearanceChange::Avatar).map_err(bad),
        "position" => match value.to_lowercase().as_str() {
            "droite" | "right" => Ok(AppearanceChange::Position(Position::Right)),
            "gauche" | "left" => Ok(AppearanceChange::Position(Position::Left)),
            _ => Err(bad(AppearanceError::Position(value))),
        },
        _ => Err(bad(AppearanceError::Field(what.clone()))),
    }
}

/// Applies a change (kept in the store, seen by every replica's widget) and describes the result.
pub async fn apply(ctx: &AdminContext<'_>, change: AppearanceChange) -> StoreResult<Reply> {
    let mut look = crate::ops::appearance::current(ctx.store, ctx.bot).await?;
    let changed = change != AppearanceChange::Show;
    match change {
        AppearanceChange::Show => {}
        AppearanceChange::Colour(colour) => look.color = colour,
        AppearanceChange::Title(title) => look.title = title,
        AppearanceChange::Welcome(welcome) => look.welcome = welcome,
        AppearanceChange::Avatar(avatar) => look.avatar = avatar,
        AppearanceChange::Position(position) => look.position = position,
    }
    if changed {
        ctx.store.save_appearance(&ctx.bot.id, &look).await?;
    }
    let heading = match changed {
        true => t!(ctx.texts, ctx.language, "appearance-saved"),
        false => t!(ctx.texts, ctx.language, "appearance-current"),
    };
    Ok(Reply::text(format!("{heading}\n{}", describe(ctx, &look))))
}

fn describe(ctx: &AdminContext<'_>, look: &Appearance) -> String {
    let side = match look.position {
        Position::Right => t!(ctx.texts, ctx.language, "appearance-right"),
        Position::Left => t!(ctx.texts, ctx.language, "appearance-left"),
    };
    let avatar = look
        .avatar
        .clone()
        .unwrap_or_else(|| t!(ctx.texts, ctx.language, "appearance-no-avatar"));
    t!(ctx.texts, ctx.language, "appearance-summary",
        "color" => look.color.as_str(),
        "title" => look.title.as_str(),
        "welcome" => look.welcome.as_str(),
        "avatar" => avatar,
        "position" => side)
}

/// The coach's text for a refused value.
pub fn error_text(error: &AppearanceError, ctx: (&crate::i18n::Texts, crate::domain::language::Language)) -> String {
    let (texts, language) = ctx;
    match error {
        AppearanceError::Colour(got) => t!(texts, language, "appearance-error-colour", "got" => got.as_str()),
        AppearanceError::Length(max) => t!(texts, language, "appearance-error-length", "max" => *max),
        AppearanceError::Avatar(got) => t!(texts, language, "appearance-error-avatar", "got" => got.as_str()),
        AppearanceError::Position(got) => t!(texts, language, "appearance-error-position", "got" => got.as_str()),
        AppearanceError::Field(got) => t!(texts, language, "appearance-error-field", "got" => got.as_str()),
    }
}
