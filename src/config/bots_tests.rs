//! Bot files: the demo loads, secrets come from the variables named, mistakes are named.

use super::*;

const DEMO: &str = include_str!("../../bots/demo.toml");

fn parse(text: &str, secrets: &[(&str, &str)]) -> Result<Bot, ConfigError> {
    let secrets: BTreeMap<String, String> = secrets.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
    Bot::parse("bots/demo.toml", text, &secrets)
}

fn error(text: &str) -> String {
    parse(text, &[]).unwrap_err().to_string()
}

#[test]
fn the_demo_bot_loads_with_its_catalog() {
    let bot = parse(DEMO, &[]).unwrap();
    assert_eq!(
        (bot.id.as_str(), bot.language, bot.currency.code()),
        ("demo", Language::Fr, "EUR")
    );
    assert_eq!(bot.time_zone, chrono_tz::Europe::Paris);
    assert_eq!(bot.courses.len(), 3);
    assert_eq!(
        bot.offers.iter().map(|o| o.price.minor).collect::<Vec<_>>(),
        vec![1800, 15000, 7990]
    );
    assert!(bot.courses.iter().all(|c| c.bot == bot.id) && bot.offers.iter().all(|o| o.bot == bot.id));
    assert!(bot.channels.telegram.is_none() && bot.channels.web.enabled);
    assert!(bot.ticket_key.is_none());
}

#[test]
fn secrets_come_from_the_variables_the_file_names() {
    let text = DEMO.replacen(
        "enabled = false\ntoken_env = \"COACHBOT_DEMO_TELEGRAM_TOKEN\"",
        "enabled = true\ntoken_env = \"COACHBOT_DEMO_TELEGRAM_TOKEN\"",
        1,
    );
    let err = parse(&text, &[]).unwrap_err().to_string();
    assert!(
        err.contains("channels.telegram is enabled") && err.contains("COACHBOT_DEMO_TELEGRAM_TOKEN"),
        "{err}"
    );
    let bot = parse(
        &text,
        &[
            ("COACHBOT_DEMO_TELEGRAM_TOKEN", "123:abc"),
            ("COACHBOT_DEMO_TICKET_KEY", "k"),
        ],
    )
    .unwrap();
    assert!(bot.channels.telegram.is_some() && bot.ticket_key.is_some());
    assert!(!format!("{bot:?}").contains("123:abc"), "secrets are redacted in Debug");
}

#[test]
fn mistakes_in_a_bot_file_are_named_with_an_example() {
    assert!(error(&DEMO.replace("Europe/Paris", "Paris")).contains("\"Europe/Paris\""));
    assert!(error(&DEMO.replace("\"#7c3aed\"", "\"purple\"")).contains("#rrggbb"));
    assert!(error(&DEMO.replace("\"sam 10:00\"", "\"samedi\"")).contains("mar 18:30"));
    assert!(error(&DEMO.replace("price = \"150\"", "price = \"cent\"")).contains("offers[1].price"));
    assert!(error(&DEMO.replace("courses = [\"yoga-doux\", \"pilates\"]", "courses = [\"boxe\"]")).contains("boxe"));
    assert!(error(&DEMO.replace("currency = \"EUR\"", "currency = \"BTC\"")).contains("unsupported currency"));
    assert!(error(&DEMO.replace("id = \"demo\"", "id = \"Demo Studio\"")).contains("bot id"));
    assert!(error(&DEMO.replace("time_zone", "timezone")).contains("timezone"));
}

#[test]
fn a_folder_needs_at_least_one_bot_and_distinct_ids() {
    let dir = tempfile::tempdir().unwrap();
    let err = Bots::load_dir(dir.path(), &ProcessEnv).unwrap_err().to_string();
    assert!(err.contains("no bot in"), "{err}");
    std::fs::write(dir.path().join("a.toml"), DEMO).unwrap();
    std::fs::write(dir.path().join("b.toml"), DEMO).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
    let err = Bots::load_dir(dir.path(), &ProcessEnv).unwrap_err().to_string();
    assert!(err.contains("b.toml") && err.contains("already loaded"), "{err}");
    std::fs::remove_file(dir.path().join("b.toml")).unwrap();
    let bots = Bots::load_dir(dir.path(), &ProcessEnv).unwrap();
    assert_eq!(bots.len(), 1);
    assert!(bots.get("demo").is_some() && bots.get("nope").is_none() && bots.get("Bad Id").is_none());
}

#[test]
fn a_bot_turning_discord_on_is_told_it_is_not_served_yet() {
    let text = DEMO.replacen(
        "enabled = false\ntoken_env = \"COACHBOT_DEMO_DISCORD_TOKEN\"",
        "enabled = true\ntoken_env = \"COACHBOT_DEMO_DISCORD_TOKEN\"",
        1,
    );
    assert_ne!(text, DEMO);
    let err = parse(&text, &[("COACHBOT_DEMO_DISCORD_TOKEN", "t")])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("channels.discord") && err.contains("does not serve Discord") && err.contains("enabled = false"),
        "{err}"
    );
}
