//! Shared test fixtures: stores on every backend, records, and a running app.

use chrono::{DateTime, TimeZone, Utc};
use coachbot::domain::catalog::{Course, Offer, OfferKind};
use coachbot::domain::contact::{Channel, Contact, Identity};
use coachbot::domain::money::{Currency, Money};
use coachbot::domain::session::Session;
use coachbot::domain::{BotId, CourseId, OfferId, SessionId};
use coachbot::store::Store;
use std::sync::Arc;

/// A store under test, with what must be cleaned up after it.
pub struct TestStore {
    pub store: Arc<dyn Store>,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(#[expect(dead_code, reason = "held so the folder lives as long as the store")] tempfile::TempDir),
    Mongo(mongodb::Database),
}

impl TestStore {
    /// The MongoDB database behind the store, to read what it wrote as the server holds it.
    pub fn database(&self) -> Option<&mongodb::Database> {
        match &self.cleanup {
            Cleanup::Mongo(db) => Some(db),
            Cleanup::Dir(_) => None,
        }
    }

    /// Drops what the test created (the MongoDB database; the SQLite folder goes with `self`).
    pub async fn finish(self) {
        if let Cleanup::Mongo(db) = self.cleanup {
            let _ = db.drop().await;
        }
    }
}

/// Installs the TLS provider once, as `main` does.
pub fn init() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A fresh SQLite file in a temporary folder (WAL, separate reader and writer pools).
pub async fn sqlite() -> TestStore {
    init();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("coachbot.db");
    let store = coachbot::store::sqlite::SqliteStore::connect(path.to_str().unwrap())
        .await
        .expect("sqlite store");
    TestStore {
        store: Arc::new(store),
        cleanup: Cleanup::Dir(dir),
    }
}

/// The MongoDB URI for tests, if any; fails when `COACHBOT_REQUIRE_MONGODB` says one must be set.
///
/// The server must not run a TTL monitor: the tests' clocks are fixed, mostly in the past, so it
/// would delete inbound keys a test has just recorded (`scripts/secantusdb-for-tests.py`).
pub fn mongodb_uri() -> Option<String> {
    let uri = std::env::var("COACHBOT_TEST_MONGODB_URI")
        .ok()
        .filter(|u| !u.is_empty());
    if uri.is_none() && std::env::var("COACHBOT_REQUIRE_MONGODB").is_ok_and(|v| v == "1") {
        panic!("COACHBOT_REQUIRE_MONGODB=1 but COACHBOT_TEST_MONGODB_URI is not set");
    }
    uri
}

/// A fresh MongoDB database on the test server, when one is configured.
pub async fn mongo() -> Option<TestStore> {
    init();
    let uri = mongodb_uri()?;
    let name = format!("coachbot_test_{}", uuid::Uuid::new_v4().simple());
    let store = coachbot::store::mongo::MongoStore::connect(&uri, &name, std::time::Duration::from_secs(10))
        .await
        .expect("MongoDB store");
    let client = mongodb::Client::with_uri_str(&uri).await.expect("MongoDB client");
    Some(TestStore {
        store: Arc::new(store),
        cleanup: Cleanup::Mongo(client.database(&name)),
    })
}

pub fn bot(id: &str) -> BotId {
    BotId::parse(id).unwrap()
}

/// A fixed instant: Monday 2 March 2026, 10:00 UTC.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap()
}

pub fn contact(bot_id: &str, channel: Channel, external: &str) -> Contact {
    Contact::new(bot(bot_id), Identity::new(channel, external), t0())
}

pub fn course(bot_id: &str, id: &str) -> Course {
    Course {
        bot: bot(bot_id),
        id: CourseId::from(id),
        name: format!("Cours {id}"),
        description: String::new(),
        location: "Studio".into(),
        duration_min: 60,
        capacity: 12,
        slots: vec![coachbot::domain::slot::WeeklySlot::parse("mar 18:30").unwrap()],
        active: true,
    }
}

pub fn offer(bot_id: &str, id: &str, minor: i64) -> Offer {
    Offer {
        bot: bot(bot_id),
        id: OfferId::from(id),
        name: format!("Offre {id}"),
        kind: OfferKind::Single,
        price: Money::new(minor, Currency::EUR),
        courses: Vec::new(),
        active: true,
    }
}

pub fn session(bot_id: &str, course: &str, start: DateTime<Utc>, capacity: u32) -> Session {
    Session {
        bot: bot(bot_id),
        id: SessionId::generate(),
        course: CourseId::from(course),
        start,
        duration_min: 60,
        capacity,
        seats_taken: 0,
        cancelled: false,
    }
}

/// Terms of a test code: `-20 %`, `max_uses` uses in all, `per_contact` per contact.
pub fn terms(max_uses: u32, per_contact: u32) -> coachbot::domain::promo::PromoTerms {
    coachbot::domain::promo::PromoTerms {
        discount: coachbot::domain::promo::Discount::Percent { percent: 20 },
        max_uses,
        per_contact,
        starts_at: None,
        expires_at: None,
        offers: Vec::new(),
        courses: Vec::new(),
        min_amount: None,
    }
}

/// A batch with these codes, all on the same terms.
pub fn batch(
    bot_id: &str,
    codes: &[&str],
    max_uses: u32,
    per_contact: u32,
) -> (
    coachbot::domain::promo::PromoBatch,
    Vec<coachbot::domain::promo::PromoCode>,
) {
    use coachbot::domain::promo::{PromoBatch, PromoCode};
    let batch = PromoBatch {
        bot: bot(bot_id),
        id: coachbot::domain::BatchId::generate(),
        terms: terms(max_uses, per_contact),
        prefix: None,
        count: codes.len() as u32,
        note: None,
        created_by: "test".into(),
        created_at: t0(),
    };
    let codes = codes
        .iter()
        .map(|code| PromoCode::new(&batch, (*code).to_owned(), t0()))
        .collect();
    (batch, codes)
}

/// A use of `code` by `contact`.
pub fn redemption(
    bot_id: &str,
    code: &str,
    contact: &coachbot::domain::ContactId,
) -> coachbot::domain::promo::Redemption {
    coachbot::domain::promo::Redemption {
        bot: bot(bot_id),
        id: coachbot::domain::RedemptionId::generate(),
        code: code.to_owned(),
        contact: contact.clone(),
        booking: None,
        at: t0(),
    }
}

/// A confirmed booking of `contact` for `session`, paid as given.
pub fn booking(
    session: &Session,
    contact: &str,
    payment: coachbot::domain::booking::Payment,
) -> coachbot::domain::booking::Booking {
    coachbot::domain::booking::Booking {
        bot: session.bot.clone(),
        id: coachbot::domain::BookingId::generate(),
        reference: coachbot::domain::booking::Booking::new_reference(&mut rand::rng()),
        contact: coachbot::domain::ContactId::from(contact),
        session: session.id.clone(),
        offer: OfferId::from("single"),
        price: Money::new(1800, Currency::EUR),
        promo: None,
        payment,
        status: coachbot::domain::booking::BookingStatus::Confirmed,
        hold_until: None,
        free_cancel_until: session.start - chrono::Duration::hours(24),
        checked_in_at: None,
        created_at: t0(),
    }
}

/// A pack wallet of `contact` with `credits` left, valid 30 days from `t0`.
pub fn wallet(bot_id: &str, contact: &str, credits: u32) -> coachbot::domain::booking::Wallet {
    coachbot::domain::booking::Wallet {
        bot: bot(bot_id),
        id: coachbot::domain::WalletId::generate(),
        contact: coachbot::domain::ContactId::from(contact),
        offer: OfferId::from("pack10"),
        credits_left: credits,
        weekly_cap: None,
        expires_at: t0() + chrono::Duration::days(30),
        created_at: t0(),
    }
}

/// The app running on port 0 with a channel's fake platform API beside it; stops when dropped.
pub struct ChannelApp {
    /// The app's base URL.
    pub base: String,
    /// Its state (the store, once ready).
    pub state: coachbot::app::AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for ChannelApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Serves `router` on a free local port (a fake platform API); returns `http://127.0.0.1:PORT`.
pub async fn fake_server(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    base
}

/// The demo bot file with `edit` applied, parsed with these secrets.
pub fn demo_bots(edit: impl Fn(String) -> String, secrets: &[(&str, &str)]) -> coachbot::config::bots::Bots {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bots/demo.toml");
    let text = edit(std::fs::read_to_string(path).unwrap());
    let secrets: std::collections::BTreeMap<String, String> = secrets
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let mut bots = coachbot::config::bots::Bots::default();
    bots.add(coachbot::config::bots::Bot::parse("bots/demo.toml", &text, &secrets).unwrap())
        .unwrap();
    bots
}

/// Starts the app with `settings` (TOML, `[store]` added for `backend`: a temporary SQLite file or
/// a fresh MongoDB database) and waits until its store is ready.
pub async fn channel_app(backend: &str, settings: &str, bots: coachbot::config::bots::Bots) -> ChannelApp {
    init();
    let dir = tempfile::tempdir().unwrap();
    let store = match backend {
        "sqlite" => format!("[store]\nsqlite_path = {:?}", dir.path().join("coachbot.db")),
        _ => format!(
            "[store]\nbackend = \"mongodb\"\nmongodb_uri = {:?}\nmongodb_database = \"ch_{}\"",
            mongodb_uri().unwrap(),
            uuid::Uuid::new_v4().simple()
        ),
    };
    let settings = coachbot::config::Settings::from_toml(&format!("{settings}\n{store}")).unwrap();
    let app = coachbot::app::App::build(settings, bots).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel();
    tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    for _ in 0..200 {
        if state.store().is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    ChannelApp {
        base,
        state,
        stop: Some(stop),
        _dir: dir,
    }
}
