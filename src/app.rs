//! `App`: the settings, the bots, the store and the HTTP listener of one process.
//!
//! `App::build` binds the listener itself (port 0 in tests) and starts connecting to the store in
//! the background: a store that is down at start makes `/ready` answer 503 while connection
//! attempts are retried with exponential backoff, each failure logged with its cause.

use crate::config::bots::Bots;
use crate::config::{Backend, Settings};
use crate::store::{self, Store, StoreError, StoreResult};
use anyhow::Context;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// What every request handler and job can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    settings: Settings,
    bots: Bots,
    texts: crate::i18n::Texts,
    ticket_keys: crate::tickets::TicketKeys,
    channels: crate::channels::Channels,
    limit: crate::channels::limit::SenderLimit,
    ip_limit: crate::channels::limit::SenderLimit,
    web: crate::channels::web::WebHub,
    agents: crate::agent::Agents,
    outbox: tokio::sync::Notify,
    sender_id: String,
    store: OnceLock<Arc<dyn Store>>,
}

impl AppState {
    /// State for these settings, bots and catalogs, with no store yet.
    pub fn new(settings: Settings, bots: Bots, texts: crate::i18n::Texts) -> Self {
        let ticket_keys = crate::tickets::TicketKeys::for_bots(&bots, &mut rand::rng());
        let channels = crate::channels::Channels::build(&settings, &bots);
        let limit = crate::channels::limit::SenderLimit::new(settings.chat.messages_per_minute);
        let ip_limit = crate::channels::limit::SenderLimit::new(settings.widget.requests_per_minute_per_ip);
        let agents = crate::agent::Agents::build(&settings.agent, &bots);
        Self {
            inner: Arc::new(Inner {
                settings,
                bots,
                texts,
                ticket_keys,
                channels,
                limit,
                ip_limit,
                web: crate::channels::web::WebHub::default(),
                agents,
                outbox: tokio::sync::Notify::new(),
                sender_id: format!("coachbot-{}", uuid::Uuid::new_v4()),
                store: OnceLock::new(),
            }),
        }
    }

    /// The platform clients.
    pub fn channels(&self) -> &crate::channels::Channels {
        &self.inner.channels
    }

    /// The engine over the connected store; `None` until it is.
    pub fn engine(&self) -> Option<crate::engine::Engine<'_>> {
        Some(crate::engine::Engine {
            store: self.store()?.as_ref(),
            bots: &self.inner.bots,
            texts: &self.inner.texts,
            keys: &self.inner.ticket_keys,
            agents: Some(&self.inner.agents),
            web: Some(&self.inner.web),
        })
    }

    /// Whether this sender may send one more message now (the per-sender rate limit).
    pub fn allow(&self, inbound: &crate::engine::Inbound) -> bool {
        self.inner.limit.allow(&inbound.bot, inbound.channel, &inbound.sender)
    }

    /// Whether this address may make one more widget API request now.
    pub fn allow_ip(&self, bot: &str, ip: std::net::IpAddr) -> bool {
        let key = format!("ip:{ip}");
        self.inner
            .ip_limit
            .allow(bot, crate::domain::contact::Channel::Web, &key)
    }

    /// The web widget's open streams on this process.
    pub fn web(&self) -> &crate::channels::web::WebHub {
        &self.inner.web
    }

    /// Wakes the outbox sender (replies were just queued).
    pub fn kick_outbox(&self) {
        self.inner.outbox.notify_one();
    }

    /// The catalogs.
    pub fn texts(&self) -> &crate::i18n::Texts {
        &self.inner.texts
    }

    /// The bots' ticket signing keys.
    pub fn ticket_keys(&self) -> &crate::tickets::TicketKeys {
        &self.inner.ticket_keys
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The bots hosted here.
    pub fn bots(&self) -> &Bots {
        &self.inner.bots
    }

    /// The store, once connected.
    pub fn store(&self) -> Option<&Arc<dyn Store>> {
        self.inner.store.get()
    }

    /// The configured backend's name, connected or not.
    pub fn settings_backend_name(&self) -> &'static str {
        match self.inner.settings.store.backend {
            Backend::Sqlite => "sqlite",
            Backend::Mongodb => "mongodb",
        }
    }

    /// Opens the store and seeds the bots' catalogs, retrying with exponential backoff until it
    /// works; then makes it available to handlers.
    async fn connect_until_ready(self) {
        let settings = &self.inner.settings.store;
        let max = Duration::from_millis(settings.retry_max_ms.max(1));
        let mut delay = Duration::from_millis(settings.retry_initial_ms.max(1)).min(max);
        for attempt in 1.. {
            match self.open_and_seed().await {
                Ok(store) => {
                    tracing::info!(backend = store.backend(), attempt, "store ready");
                    let _ = self.inner.store.set(store.clone());
                    tokio::join!(
                        self.run_jobs(store.clone()),
                        self.send_outbox(store),
                        crate::http::webhooks::telegram_start(&self),
                    );
                    return;
                }
                Err(error) => {
                    tracing::warn!(
                        backend = self.settings_backend_name(),
                        attempt,
                        retry_in_ms = delay.as_millis() as u64,
                        %error,
                        "store not ready; /ready answers 503 until it is"
                    );
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(max);
                }
            }
        }
    }

    /// Runs the background jobs every `jobs.interval_secs` (never when 0); a failed run is
    /// logged and the next one tries again.
    async fn run_jobs(&self, store: Arc<dyn Store>) {
        let every = self.inner.settings.jobs.interval_secs;
        if every == 0 {
            return;
        }
        let mut jobs = crate::jobs::Jobs::default();
        let mut interval = tokio::time::interval(Duration::from_secs(every));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            let now = chrono::Utc::now();
            self.resume_unhandled(now).await;
            match jobs
                .tick(store.as_ref(), &self.inner.bots, &self.inner.texts, now)
                .await
            {
                Ok(tick) if tick != crate::jobs::Tick::default() => tracing::info!(?tick, "jobs ran"),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "jobs failed; trying again at the next run"),
            }
        }
    }

    /// Answers the messages a stopped process recorded but never answered (older than a minute,
    /// so that messages being handled right now are left to their replica).
    async fn resume_unhandled(&self, now: chrono::DateTime<chrono::Utc>) {
        let Some(engine) = self.engine() else { return };
        let resumed = match engine
            .resume_unhandled(now - chrono::Duration::minutes(1), 50, now)
            .await
        {
            Ok(resumed) => resumed,
            Err(error) => return tracing::warn!(%error, "resuming unanswered messages failed"),
        };
        if !resumed.is_empty() {
            tracing::info!(count = resumed.len(), "unanswered messages handled; replies queued");
        }
        self.kick_outbox();
    }

    /// Sends due outbox messages as soon as they are queued here, and every second for those
    /// queued by other replicas or due for a retry.
    async fn send_outbox(&self, store: Arc<dyn Store>) {
        let inner = &self.inner;
        loop {
            let now = chrono::Utc::now();
            match crate::channels::deliver_due(
                store.as_ref(),
                &inner.channels,
                &inner.bots,
                &inner.texts,
                &inner.sender_id,
                now,
                32,
            )
            .await
            {
                Ok(32) => continue,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "outbox: sending failed; trying again shortly"),
            }
            let _ = tokio::time::timeout(Duration::from_secs(1), inner.outbox.notified()).await;
        }
    }

    async fn open_and_seed(&self) -> StoreResult<Arc<dyn Store>> {
        let store = store::open(&self.inner.settings.store).await?;
        seed_catalogs(store.as_ref(), &self.inner.bots).await?;
        for bot in self.inner.bots.iter() {
            let created = crate::ops::schedule::plan_ahead(store.as_ref(), bot, chrono::Utc::now()).await?;
            tracing::info!(bot = %bot.id, created, "sessions planned ahead");
        }
        Ok(store)
    }
}

/// Writes each bot's seed courses and offers that the store does not hold yet. Records already in
/// the store are kept as they are: once seeded, the catalog is edited by the coach, not by the file.
pub async fn seed_catalogs(store: &dyn Store, bots: &Bots) -> StoreResult<()> {
    for bot in bots.iter() {
        for course in &bot.courses {
            match store.get_course(&bot.id, &course.id).await {
                Err(StoreError::NotFound) => store.upsert_course(course).await?,
                other => drop(other?),
            }
        }
        for offer in &bot.offers {
            match store.get_offer(&bot.id, &offer.id).await {
                Err(StoreError::NotFound) => store.upsert_offer(offer).await?,
                other => drop(other?),
            }
        }
    }
    Ok(())
}

/// Aborts a background task when dropped, so an app that stops leaves nothing running.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A bound, not yet serving, coachbot server.
pub struct App {
    listener: TcpListener,
    addr: SocketAddr,
    state: AppState,
    connector: AbortOnDrop,
}

impl App {
    /// Binds `http.addr` and starts connecting to the store.
    pub async fn build(settings: Settings, bots: Bots) -> anyhow::Result<Self> {
        let texts = crate::config::load_texts(&settings.bots.dir).context("loading the catalogs")?;
        let listener = TcpListener::bind(settings.http.addr)
            .await
            .with_context(|| format!("binding http.addr {}", settings.http.addr))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        crate::telemetry::metrics();
        let state = AppState::new(settings, bots, texts);
        let connector = AbortOnDrop(tokio::spawn(state.clone().connect_until_ready()));
        Ok(Self {
            listener,
            addr,
            state,
            connector,
        })
    }

    /// The port actually bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGTERM or Ctrl-C, then finishes the requests in flight.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes, then finishes the requests in flight.
    pub async fn run_until(self, stop: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let Self {
            listener,
            state,
            connector,
            ..
        } = self;
        let router = crate::http::router(state);
        let router = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, router)
            .with_graceful_shutdown(stop)
            .await
            .context("serving HTTP")?;
        drop(connector);
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => drop(signal.recv().await),
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
