//! The bot's look as the widget shows it: the bot file's, or the coach's latest change.

use crate::config::bots::Bot;
use crate::domain::appearance::Appearance;
use crate::store::{Store, StoreResult};

/// The appearance in force: the one the coach set from chat, else the bot file's.
pub async fn current(store: &dyn Store, bot: &Bot) -> StoreResult<Appearance> {
    let mut look = store
        .load_appearance(&bot.id)
        .await?
        .unwrap_or_else(|| bot.appearance.clone());
    look.avatar = look.avatar.filter(|a| !a.trim().is_empty());
    Ok(look)
}
