//! The `coachbot` command: a few lines per subcommand, the work lives in the library.

use clap::{Parser, Subcommand};
use coachbot::app::App;
use coachbot::config::bots::{Bots, ProcessEnv};
use coachbot::config::{ConfigError, Settings};
use std::process::ExitCode;

/// Chat-first booking assistant for coaches and small studios.
#[derive(Parser)]
#[command(name = "coachbot", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the HTTP server (webhooks, widget, health) for every bot in the bots folder.
    Serve,
    /// Prints the effective settings (secrets redacted) and each bot loaded, then exits.
    CheckConfig,
}

/// Exit status for settings or bot files that cannot be used.
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

async fn serve(settings: Settings, bots: Bots) -> anyhow::Result<()> {
    let app = App::build(settings, bots).await?;
    let bots: Vec<String> = app.state().bots().iter().map(|b| b.id.to_string()).collect();
    tracing::info!(addr = %app.local_addr(), bots = ?bots, "coachbot listening");
    app.run_until_stopped().await
}
