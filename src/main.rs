//! The `coachbot` command: a few lines per subcommand, the work lives in the library.

use clap::{Parser, Subcommand};
use coachbot::app::App;
use coachbot::config::bots::{Bots, ProcessEnv};
use coachbot::config::{ConfigError, Settings};
use std::process::ExitCode;

/// mimalloc rather than the system's allocator: a chat message allocates a few hundred small
/// objects across the runtime's threads, and glibc's arenas spent a sixth of a message's CPU time
/// in `malloc` and `free` (`benches/webhook.rs`, profiled).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Chat-first booking assistant for coaches and small studios.
#[derive(Parser)]
#[command(name = "coachbot", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Chats with a bot in the terminal, as a visitor (or `--as coach`), on the configured store.
    Chat(coachbot::channels::terminal::ChatArgs),
    /// Runs the HTTP server (webhooks, widget, health) for every bot in the bots folder.
    Serve,
    /// Prints the effective settings (secrets redacted) and each bot loaded, then exits.
    CheckConfig,
    /// Promo codes, as `/promo` in a chat: `promo --bot demo 10 -20% exp:31/12`, `list`,
    /// `show LOT`, `export LOT`, `CODE off`, `lot LOT exp:15/01`, `aide`.
    Promo {
        /// The bot (its id in the bots folder).
        #[arg(long)]
        bot: String,
        /// Write the codes (CSV) or the export to this file instead of stdout.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// The command, as after `/promo`.
        #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Books a class, as a visitor would in a chat (for demos and tests): `book --bot demo
    /// --course yoga-doux --name "Marie Dupont" --email marie@example.fr --on-site --ticket t.png`.
    Book(coachbot::cli::book::BookArgs),
    /// Checks a ticket in at the door, from a photo of it or its token.
    Checkin {
        /// The bot (its id in the bots folder).
        #[arg(long)]
        bot: String,
        /// A photo or screenshot of the ticket (PNG or JPEG).
        #[arg(long, conflicts_with = "token")]
        image: Option<std::path::PathBuf>,
        /// The ticket token.
        #[arg(long)]
        token: Option<String>,
    },
}

/// Exit status for settings, bot files or a command that cannot be used.
const BAD_CONFIG: u8 = 2;

fn load() -> Result<(Settings, Bots), ConfigError> {
    let settings = Settings::load()?;
    let bots = Bots::load_dir(&settings.bots.dir, &ProcessEnv)?;
    Ok((settings, bots))
}

#[tokio::main]
async fn main() -> ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = Cli::parse();
    let (settings, bots) = match load() {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("coachbot: {error}");
            return ExitCode::from(BAD_CONFIG);
        }
    };
    match cli.command {
        Command::CheckConfig => {
            println!("{}", coachbot::config::check::report(&settings, &bots));
            ExitCode::SUCCESS
        }
        Command::Promo { bot, out, args } => report(coachbot::cli::promo(&settings, &bots, &bot, out, &args).await),
        Command::Chat(args) => match coachbot::channels::terminal::run(&settings, &bots, &args).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("coachbot: {error:#}");
                ExitCode::FAILURE
            }
        },
        Command::Book(args) => report(coachbot::cli::book::run(&settings, &bots, &args).await),
        Command::Checkin { bot, image, token } => {
            report(coachbot::cli::checkin(&settings, &bots, &bot, image, token).await)
        }
        Command::Serve => {
            coachbot::telemetry::init_logging(&settings.log.filter);
            match serve(settings, bots).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    tracing::error!("{error:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// The exit status of a CLI command: 2 for a command that cannot be used as typed, 1 for a failure.
fn report(result: Result<(), coachbot::cli::CliError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(coachbot::cli::CliError::Usage(message)) => {
            eprintln!("{message}");
            ExitCode::from(BAD_CONFIG)
        }
        Err(coachbot::cli::CliError::Failed(error)) => {
            eprintln!("coachbot: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: Settings, bots: Bots) -> anyhow::Result<()> {
    let app = App::build(settings, bots).await?;
    let bots: Vec<String> = app.state().bots().iter().map(|b| b.id.to_string()).collect();
    tracing::info!(addr = %app.local_addr(), bots = ?bots, "coachbot listening");
    app.run_until_stopped().await
}
