//! The report printed by `coachbot check-config`.

use super::Settings;
use super::bots::Bots;

/// The effective settings and one line per bot, secrets shown only as set or not.
pub fn report(settings: &Settings, bots: &Bots) -> String {
    let mut out = String::from("# effective settings\n");
    out.push_str(&settings.describe());
    out.push_str(&format!(
        "\n\n# bots ({} loaded from {})\n",
        bots.len(),
        settings.bots.dir.display()
    ));
    for bot in bots.iter() {
        let mut channels: Vec<&str> = Vec::new();
        if bot.channels.telegram.is_some() {
            channels.push("telegram");
        }
        if bot.channels.whatsapp.is_some() {
            channels.push("whatsapp");
        }
        if bot.channels.web.enabled {
            channels.push("web");
        }
        let coaches = bot.coach.telegram.len() + bot.coach.whatsapp.len() + bot.coach.discord.len();
        out.push_str(&format!(
            "{id}: \"{name}\" language={lang} time_zone={tz} currency={cur} courses={courses} offers={offers} \
             channels={channels} coaches={coaches} ticket_key={key}\n",
            id = bot.id,
            name = bot.name,
            lang = bot.language.code(),
            tz = bot.time_zone,
            cur = bot.currency.code(),
            courses = bot.courses.len(),
            offers = bot.offers.len(),
            channels = if channels.is_empty() {
                "none".to_owned()
            } else {
                channels.join(",")
            },
            key = if bot.ticket_key.is_some() { "set" } else { "not set" },
        ));
    }
    out
}
