//! `coachbot chat`: the terminal as a channel, on the configured store. Choices print as numbered
//! lines (type the number or the words), images are saved as files and their path printed.
//! `--script FILE` reads one message a line; `--json` prints one JSON object per reply.

use crate::config::Settings;
use crate::config::bots::{Bots, CoachIdentities};
use crate::domain::contact::Channel;
use crate::domain::reply::Reply;
use crate::engine::{Content, Engine, Handled, Inbound};
use crate::tickets::TicketKeys;
use anyhow::Context;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// `coachbot chat` options.
#[derive(Debug, Clone, clap::Args)]
pub struct ChatArgs {
    /// The bot (its id in the bots folder).
    #[arg(long, default_value = "demo")]
    pub bot: String,
    /// Speak as the bot's coach (`/promo …`, `/resas`, `/checkin`…).
    #[arg(long = "as", value_name = "WHO", value_parser = ["visitor", "coach"], default_value = "visitor")]
    pub role: String,
    /// Who is typing: a new name is a new visitor, the same name later a returning one.
    #[arg(long, default_value = "visitor")]
    pub name: String,
    /// Read the messages from this file, one per line, instead of the keyboard.
    #[arg(long)]
    pub script: Option<PathBuf>,
    /// Print one JSON object per reply: text, choices, image, intent, state.
    #[arg(long)]
    pub json: bool,
}

/// Runs the chat until the input ends.
pub async fn run(settings: &Settings, bots: &Bots, args: &ChatArgs) -> anyhow::Result<()> {
    let bot = bots
        .get(&args.bot)
        .with_context(|| format!("unknown bot {:?}", args.bot))?
        .clone();
    let texts = crate::config::load_texts(&settings.bots.dir)?;
    let store = crate::store::open(&settings.store).await.context("opening the store")?;
    crate::app::seed_catalogs(store.as_ref(), bots)
        .await
        .context("seeding the catalogs")?;
    let now = chrono::Utc::now();
    crate::ops::schedule::plan_ahead(store.as_ref(), &bot, now)
        .await
        .context("planning sessions")?;
    let keys = TicketKeys::for_bots(bots, &mut rand::rng());
    let agents = crate::agent::Agents::build(&settings.agent, bots);
    let engine = Engine {
        store: store.as_ref(),
        bots,
        texts: &texts,
        keys: &keys,
        agents: Some(&agents),
        web: None,
    };
    let sender = match args.role.as_str() {
        "coach" => CoachIdentities::TERMINAL.to_owned(),
        _ => args.name.clone(),
    };
    let images = image_folder(settings);
    let input: Box<dyn BufRead> = match &args.script {
        Some(path) => Box::new(std::io::BufReader::new(
            std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?,
        )),
        None => Box::new(std::io::BufReader::new(std::io::stdin())),
    };
    let interactive = args.script.is_none() && !args.json;
    let mut out = std::io::stdout().lock();
    if interactive {
        writeln!(out, "{} — écrivez votre message (Ctrl-D pour quitter)", bot.name)?;
    }
    for line in input.lines() {
        let line = line.context("reading the input")?;
        if args.script.is_some() && !args.json {
            writeln!(out, "> {line}")?;
        }
        let inbound = Inbound {
            bot: bot.id.to_string(),
            channel: Channel::Terminal,
            sender: sender.clone(),
            message_id: uuid::Uuid::now_v7().to_string(),
            content: Content::Text { text: line },
            language: None,
        };
        let handled = engine.handle_here(&inbound, chrono::Utc::now()).await?;
        print(&mut out, &handled, &images, args.json)?;
    }
    Ok(())
}

/// Where ticket images are saved: `tickets/` next to the SQLite file (or the working folder).
fn image_folder(settings: &Settings) -> PathBuf {
    Path::new(&settings.store.sqlite_path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty() && settings.store.sqlite_path != ":memory:")
        .map_or_else(|| PathBuf::from("tickets"), |p| p.join("tickets"))
}

fn save_image(folder: &Path, reply: &Reply) -> anyhow::Result<Option<String>> {
    let Some(image) = &reply.image else { return Ok(None) };
    std::fs::create_dir_all(folder).with_context(|| format!("creating {}", folder.display()))?;
    let path = folder.join(&image.file_name);
    std::fs::write(&path, &image.bytes).with_context(|| format!("writing {}", path.display()))?;
    Ok(Some(path.display().to_string()))
}

/// Prints the replies of one message.
pub fn print(out: &mut impl Write, handled: &Handled, images: &Path, json: bool) -> anyhow::Result<()> {
    for reply in &handled.replies {
        let image = save_image(images, reply)?;
        if json {
            let line = serde_json::json!({
                "text": reply.text,
                "choices": reply.choices.iter().map(|c| c.label.as_str()).collect::<Vec<_>>(),
                "image": image,
                "intent": handled.intent,
                "state": handled.state,
            });
            writeln!(out, "{line}")?;
            continue;
        }
        writeln!(out, "{}", reply.text)?;
        for (n, choice) in reply.choices.iter().enumerate() {
            writeln!(out, "  {}. {}", n + 1, choice.label)?;
        }
        if let Some(path) = image {
            writeln!(out, "  🎟  {path}")?;
        }
        if let Some(document) = &reply.document {
            let path = images.join(&document.file_name);
            std::fs::create_dir_all(images)?;
            std::fs::write(&path, &document.bytes)?;
            writeln!(out, "  📄 {}", path.display())?;
        }
    }
    Ok(())
}
