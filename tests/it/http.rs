//! The HTTP server on port 0: health, readiness (and its recovery), metrics, manifests, errors.

use coachbot::app::App;
use coachbot::config::Settings;
use coachbot::config::bots::{Bot, Bots};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// A running app and its base URL; stops when dropped.
struct Running {
    base: String,
    state: coachbot::app::AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Running {
    async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.done).await.unwrap()
    }
}

/// The ticket key the tests give the demo bot through its environment variable.
const TICKET_KEY: &str = "http-test-ticket-key";

fn demo_bots() -> Bots {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("bots/demo.toml")).unwrap();
    let secrets = BTreeMap::from([("COACHBOT_DEMO_TICKET_KEY".to_owned(), TICKET_KEY.to_owned())]);
    let mut bots = Bots::default();
    bots.add(Bot::parse("bots/demo.toml", &text, &secrets).unwrap())
        .unwrap();
    bots
}

async fn start(overrides: &str) -> Running {
    crate::support::init();
    let settings = Settings::from_toml(&format!(
        "[http]\naddr = \"127.0.0.1:0\"\nbody_limit_bytes = 1024\n{overrides}"
    ))
    .unwrap();
    let app = App::build(settings, demo_bots()).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel();
    let done = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    Running {
        base,
        state,
        stop: Some(stop),
        done,
    }
}

fn client() -> reqwest::Client {
    crate::support::init();
    reqwest::Client::new()
}

/// Polls `/ready` until it answers `status` (a bound on waiting, not a speed assertion).
async fn wait_ready(base: &str, status: u16) -> bool {
    for _ in 0..200 {
        let response = client().get(format!("{base}/ready")).send().await.unwrap();
        if response.status().as_u16() == status {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test]
async fn health_answers_and_ready_reports_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(&format!(
        "[store]\nsqlite_path = {:?}",
        dir.path().join("db/coachbot.db")
    ))
    .await;
    let health = client().get(format!("{}/health", app.base)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.json::<serde_json::Value>().await.unwrap()["status"], "ok");
    assert!(wait_ready(&app.base, 200).await);
    let ready: serde_json::Value = client()
        .get(format!("{}/ready", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready, serde_json::json!({ "status": "ready", "store": "sqlite" }));
    assert!(
        dir.path().join("db/coachbot.db").exists(),
        "the database and its folder are created"
    );
    app.stop().await.unwrap();
}

#[tokio::test]
async fn the_seed_catalog_is_in_the_store_once_ready() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coachbot.db");
    let app = start(&format!("[store]\nsqlite_path = {path:?}")).await;
    assert!(wait_ready(&app.base, 200).await);
    app.stop().await.unwrap();
    let store = coachbot::store::sqlite::SqliteStore::connect(path.to_str().unwrap())
        .await
        .unwrap();
    let demo = coachbot::domain::BotId::parse("demo").unwrap();
    use coachbot::store::prelude::*;
    let courses = store.list_courses(&demo).await.unwrap();
    assert_eq!(
        courses.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["danse-afro", "pilates", "yoga-doux"]
    );
    assert_eq!(store.list_offers(&demo).await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_store_down_at_start_keeps_ready_false_then_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("data");
    std::fs::write(&blocker, "a file where the data folder should be").unwrap();
    let overrides = format!(
        "[store]\nsqlite_path = {:?}\nretry_initial_ms = 20\nretry_max_ms = 100",
        blocker.join("coachbot.db")
    );
    let app = start(&overrides).await;
    let health = client().get(format!("{}/health", app.base)).send().await.unwrap();
    assert_eq!(health.status(), 200, "liveness does not depend on the store");
    let ready = client().get(format!("{}/ready", app.base)).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    assert_eq!(ready.json::<serde_json::Value>().await.unwrap()["status"], "starting");

    std::fs::remove_file(&blocker).unwrap();
    assert!(
        wait_ready(&app.base, 200).await,
        "the retries reach the store once it can be opened"
    );
    app.stop().await.unwrap();
}

#[tokio::test]
async fn an_unreachable_mongodb_keeps_ready_false() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let overrides = format!(
        "[store]\nbackend = \"mongodb\"\nmongodb_uri = \"mongodb://127.0.0.1:{port}/?directConnection=true\"\n\
         connect_timeout_ms = 200\nretry_initial_ms = 50\nretry_max_ms = 100"
    );
    let app = start(&overrides).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let ready = client().get(format!("{}/ready", app.base)).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    assert_eq!(ready.json::<serde_json::Value>().await.unwrap()["store"], "mongodb");
    assert_eq!(
        client()
            .get(format!("{}/health", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    app.stop().await.unwrap();
}

#[tokio::test]
async fn the_manifest_comes_from_the_bots_appearance_and_unknown_bots_get_a_json_404() {
    let app = start("[store]\nsqlite_path = \":memory:\"").await;
    let response = client()
        .get(format!("{}/b/demo/manifest.json", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/manifest+json");
    let manifest: serde_json::Value = response.json().await.unwrap();
    insta::assert_json_snapshot!("demo_manifest", manifest);

    let unknown = client()
        .get(format!("{}/b/nope/manifest.json", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        unknown.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({ "error": "unknown bot", "bot": "nope" })
    );

    let nowhere = client().get(format!("{}/no/such/page", app.base)).send().await.unwrap();
    assert_eq!(nowhere.status(), 404);
    assert_eq!(
        nowhere.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({ "error": "not found" })
    );
    app.stop().await.unwrap();
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let app = start("[store]\nsqlite_path = \":memory:\"").await;
    let response = client()
        .post(format!("{}/health", app.base))
        .body(vec![b'x'; 4096])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    app.stop().await.unwrap();
}

#[tokio::test]
async fn metrics_count_requests_by_route_in_prometheus_text() {
    let app = start("[store]\nsqlite_path = \":memory:\"").await;
    for _ in 0..3 {
        client()
            .get(format!("{}/b/demo/manifest.json", app.base))
            .send()
            .await
            .unwrap();
    }
    let response = client().get(format!("{}/metrics", app.base)).send().await.unwrap();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    // One counter per status: the first requests may find the store still connecting (503).
    let count: f64 = text
        .lines()
        .filter(|l| l.starts_with("coachbot_http_requests_total") && l.contains("route=\"/b/{bot}/manifest.json\""))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert!(
        count >= 3.0,
        "three requests counted for the manifest route in:\n{text}"
    );
    assert!(
        text.contains("coachbot_http_request_duration_seconds_bucket"),
        "latency histogram present"
    );
    app.stop().await.unwrap();
}

#[tokio::test]
async fn stopping_finishes_cleanly() {
    let app = start("[store]\nsqlite_path = \":memory:\"").await;
    let base = app.base.clone();
    app.stop().await.expect("graceful shutdown returns Ok");
    assert!(
        client().get(format!("{base}/health")).send().await.is_err(),
        "the port is closed"
    );
}

#[tokio::test]
async fn a_ticket_image_is_served_at_its_signed_url_and_decodes_to_its_token() {
    use coachbot::domain::{ContactId, OfferId};
    use coachbot::ops::booking::{BookRequest, book};
    let app = start("[store]\nsqlite_path = \":memory:\"").await;
    assert!(wait_ready(&app.base, 200).await);
    let store = app.state.store().unwrap().clone();
    let bot = app.state.bots().get("demo").unwrap().clone();
    let now = chrono::Utc::now();
    let sessions = store
        .list_sessions(
            &bot.id,
            now + chrono::Duration::hours(3),
            now + chrono::Duration::days(8),
        )
        .await
        .unwrap();
    let session = sessions.first().expect("sessions are planned at start");
    let (contact, offer) = (ContactId::from("marie"), OfferId::from("single"));
    let request = BookRequest {
        contact: &contact,
        session: &session.id,
        offer: &offer,
        promo: None,
        pay_on_site: true,
        now,
    };
    let booking = book(store.as_ref(), &bot, &request).await.unwrap();
    let token = coachbot::domain::ticket::sign(TICKET_KEY.as_bytes(), &bot.id, &booking.id);

    let response = client()
        .get(format!("{}/t/{token}.png", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    let png = response.bytes().await.unwrap();
    assert_eq!(coachbot::tickets::decode(&png).as_deref(), Some(token.as_str()));

    let forged = coachbot::domain::ticket::sign(b"guess", &bot.id, &booking.id);
    for path in [
        format!("/t/{forged}.png"),
        format!("/t/{token}"),
        "/t/demo.abc.png".to_owned(),
    ] {
        let refused = client().get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(refused.status(), 404, "{path}");
    }
    app.stop().await.unwrap();
}
