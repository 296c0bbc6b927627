//! The command-line twins of the coach's commands: `coachbot promo --bot demo 10 -20% exp:31/12`
//! runs the same grammar and the same operations as `/promo` in a chat, on the configured store,
//! with a higher limit (10,000,000 codes), streamed output and a progress bar.

pub mod book;

use crate::admin::promo::apply::explain;
use crate::admin::promo::export::{CsvRows, write_csv};
use crate::admin::promo::generate::{GenerateError, generate};
use crate::admin::promo::grammar::{PromoCommand, parse_promo, parse_promos};
use crate::admin::{AdminCommand, AdminContext, execute};
use crate::config::Settings;
use crate::config::bots::Bots;
use crate::domain::promo::PromoCode;
use anyhow::Context;
use rand::SeedableRng;
use std::io::Write;
use std::path::PathBuf;

/// Most codes one CLI command may create.
pub const CLI_MAX_CODES: u32 = 10_000_000;
/// From this count on, generation shows a progress bar (on a terminal).
const PROGRESS_FROM: u32 = 10_000;

/// A CLI command failed: how to exit.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command is wrong (exit status 2); the message says why, with an example.
    #[error("{0}")]
    Usage(String),
    /// Something failed while running it (exit status 1).
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// `coachbot promo --bot BOT [--out FILE] ARGS…`: `list`, `show LOT`, `export LOT`, or any
/// `/promo` form (`10 -20% exp:31/12`, `CODE off`, `lot LOT exp:15/01`, `aide`).
pub async fn promo(
    settings: &Settings,
    bots: &Bots,
    bot: &str,
    out: Option<PathBuf>,
    args: &[String],
) -> Result<(), CliError> {
    let (out, args) = take_out_option(out, args)?;
    let args = args.as_slice();
    let bot = find_bot(bots, bot)?;
    let texts = crate::config::load_texts(&settings.bots.dir).map_err(|e| CliError::Usage(e.to_string()))?;
    let store = crate::store::open(&settings.store).await.context("opening the store")?;
    crate::app::seed_catalogs(store.as_ref(), bots)
        .await
        .context("seeding the catalogs")?;
    let ctx = AdminContext {
        store: store.as_ref(),
        bot,
        texts: &texts,
        language: bot.language,
        now: chrono::Utc::now(),
        actor: "cli".into(),
        max_codes: CLI_MAX_CODES,
        ticket_key: &[],
    };
    let usage = |e: crate::admin::CommandError| CliError::Usage(e.render(&texts, bot.language));
    let command = match args.first().map(String::as_str) {
        Some("list") if args.len() == 1 => PromoCommand::ListBatches,
        Some("show") => parse_promos(&args[1..]).map_err(usage)?,
        Some("export") if args.len() == 2 => parse_promos(&[args[1].clone(), "csv".into()]).map_err(usage)?,
        _ => parse_promo(args, &ctx.parse_context()).map_err(usage)?,
    };
    let mut rng = rand::rngs::StdRng::from_os_rng();
    match command {
        PromoCommand::Generate(spec) => {
            let mut sink = CodeSink::open(out.as_ref(), &ctx)?;
            let progress = progress_bar(spec.count);
            let assigned = spec.assign.as_ref().map(ToString::to_string).unwrap_or_default();
            let now = ctx.now;
            let mut on_codes = |codes: &[PromoCode]| {
                sink.write(codes, &assigned, now);
                progress.inc(codes.len() as u64);
            };
            let result = generate(ctx.store, bot, &spec, &ctx.actor, ctx.now, &mut rng, &mut on_codes).await;
            progress.finish_and_clear();
            let batch = match result {
                Ok(batch) => batch,
                Err(GenerateError::Store(error)) => {
                    return Err(anyhow::Error::new(error).context("creating the codes").into());
                }
                Err(refused) => return Err(CliError::Usage(explain(&ctx, refused))),
            };
            sink.finish()?;
            eprintln!(
                "{}",
                crate::t!(texts, bot.language, "promo-cli-done", "count" => spec.count, "batch" => batch.id.as_str())
            );
            Ok(())
        }
        PromoCommand::Export(batch) => {
            let mut target = output(out.as_ref())?;
            write_csv(ctx.store, bot, &texts, bot.language, &batch, ctx.now, &mut target)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            target.flush().context("writing the export")?;
            Ok(())
        }
        other => {
            let reply = execute(AdminCommand::Promo(other), &ctx, &mut rng).await;
            println!("{}", reply.text);
            if let (Some(document), Some(path)) = (reply.document, out) {
                std::fs::write(&path, document.bytes).with_context(|| format!("writing {}", path.display()))?;
            }
            Ok(())
        }
    }
}

/// The bot with this id, or a usage error listing the bots here.
fn find_bot<'b>(bots: &'b Bots, id: &str) -> Result<&'b crate::config::bots::Bot, CliError> {
    bots.get(id).map(AsRef::as_ref).ok_or_else(|| {
        let known: Vec<String> = bots.iter().map(|b| b.id.to_string()).collect();
        CliError::Usage(format!("unknown bot {id:?}; bots here: {}", known.join(", ")))
    })
}

/// `--out FILE` (or `--out=FILE`) written after the command words, as people do, is still the option.
fn take_out_option(out: Option<PathBuf>, args: &[String]) -> Result<(Option<PathBuf>, Vec<String>), CliError> {
    let mut out = out;
    let mut rest = Vec::with_capacity(args.len());
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let value = if word == "--out" {
            Some(
                words
                    .next()
                    .cloned()
                    .ok_or_else(|| CliError::Usage("--out needs a file name".into()))?,
            )
        } else {
            word.strip_prefix("--out=").map(str::to_owned)
        };
        match value {
            Some(_) if out.is_some() => return Err(CliError::Usage("--out is given twice".into())),
            Some(path) => out = Some(PathBuf::from(path)),
            None => rest.push(word.clone()),
        }
    }
    Ok((out, rest))
}

fn output(path: Option<&PathBuf>) -> anyhow::Result<Box<dyn Write + Send>> {
    Ok(match path {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    })
}

fn progress_bar(count: u32) -> indicatif::ProgressBar {
    if count < PROGRESS_FROM {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(u64::from(count));
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} codes ({per_sec}, {eta})") {
        bar.set_style(style);
    }
    bar
}

/// Where generated codes go as they are stored: a CSV file, or one code per line on stdout.
enum CodeSink<'a> {
    Csv(Box<CsvRows<'a, Box<dyn Write + Send>>>, Option<csv::Error>),
    Lines(Box<dyn Write + Send>, Option<std::io::Error>),
}

impl<'a> CodeSink<'a> {
    fn open(path: Option<&PathBuf>, ctx: &'a AdminContext<'a>) -> anyhow::Result<Self> {
        let target = output(path)?;
        Ok(match path {
            Some(_) => Self::Csv(Box::new(CsvRows::new(target, ctx.bot, ctx.texts, ctx.language)?), None),
            None => Self::Lines(target, None),
        })
    }

    fn write(&mut self, codes: &[PromoCode], assigned: &str, now: chrono::DateTime<chrono::Utc>) {
        match self {
            Self::Csv(rows, error) if error.is_none() => {
                *error = codes.iter().try_for_each(|code| rows.push(code, assigned, now)).err();
            }
            Self::Lines(out, error) if error.is_none() => {
                *error = codes.iter().try_for_each(|code| writeln!(out, "{}", code.code)).err();
            }
            _ => {}
        }
    }

    fn finish(self) -> anyhow::Result<()> {
        match self {
            Self::Csv(_, Some(error)) => Err(error).context("writing the codes"),
            Self::Csv(rows, None) => rows.finish().context("writing the codes"),
            Self::Lines(_, Some(error)) => Err(error).context("writing the codes"),
            Self::Lines(mut out, None) => out.flush().context("writing the codes"),
        }
    }
}

/// `coachbot checkin --bot BOT (--image FILE | --token TOKEN)`: the door check of a ticket, from a
/// photo or a token, as `/checkin` does in a chat. Prints the verdict.
pub async fn checkin(
    settings: &Settings,
    bots: &Bots,
    bot: &str,
    image: Option<PathBuf>,
    token: Option<String>,
) -> Result<(), CliError> {
    use secrecy::ExposeSecret;
    let bot = find_bot(bots, bot)?;
    let key = bot.ticket_key.as_ref().ok_or_else(|| {
        CliError::Usage(format!(
            "bot {} has no ticket signing key: set the variable its bot file names",
            bot.id
        ))
    })?;
    let token = match (image, token) {
        (Some(path), None) => {
            let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            crate::tickets::decode(&bytes)
                .ok_or_else(|| CliError::Usage(format!("no QR code found in {}", path.display())))?
        }
        (None, Some(token)) => token,
        _ => return Err(CliError::Usage("give either --image FILE or --token TOKEN".into())),
    };
    let texts = crate::config::load_texts(&settings.bots.dir).map_err(|e| CliError::Usage(e.to_string()))?;
    let store = crate::store::open(&settings.store).await.context("opening the store")?;
    let now = chrono::Utc::now();
    let result = crate::ops::checkin::check_in(store.as_ref(), bot, key.expose_secret().as_bytes(), &token, now)
        .await
        .context("checking the ticket in")?;
    println!("{}", crate::ops::checkin::reply(&texts, bot.language, &result));
    Ok(())
}
