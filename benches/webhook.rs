//! The chat path under load: Telegram updates posted to the webhook of a running app (SQLite,
//! rule path: record once, resolve the contact, dialogue, save, queue the reply), next to a bare
//! axum handler taking the same body, measured in the same run with the same client.
//!
//! Figures: messages/s at saturation (closed loop, 32 connections), latency p50/p99 at a fixed
//! 1,000 messages/s (open loop), and the process's memory per conversation (RSS growth over
//! 5,000 new conversations, then over a request for the schedule from each, after which their
//! chats are kept in memory for their next message). At saturation the three targets take turns of a
//! second, five times over: the host's speed, which drifts over seconds on a shared machine,
//! then weighs on each alike, where five seconds of each in a row compared different hosts.
//!
//! Before any figure, each of the 5,000 visitors has gone through lead capture — a greeting, then
//! their first name, e-mail, phone number and consent, each a write of the contact, after which
//! its chat is read from the file again — and asked for the schedule, a message that reads their
//! chat and keeps it. Every message measured is then "planning" from a known visitor in the
//! middle of a conversation, as the product keeps them, and its reply is the rule path's answer
//! to it: the week's sessions with the seats left, and the menu's buttons. (Without that last
//! message first, the first message of each visitor at saturation read the file: a sixth of five
//! seconds' messages.)
//!
//! Two set-ups of the same app: the default (`telegram.answer_in_webhook`), where a one-message
//! reply goes back in the webhook's answer as Telegram allows — the client reads it from the
//! response, as Telegram would — and the reply sent by the outbox sender's own `sendMessage` to a
//! fake Bot API in the same process, which pays for two HTTP exchanges per message (the update
//! in, the reply out) where the bare handler pays for one. Each run counts the replies that came
//! back either way. Each phase and each turn starts once the replies queued by the one before have
//! all been sent, so that none measures the sending of another's backlog.
//!
//! `cargo bench --bench webhook`. Under `cargo test` it runs a few requests only, to prove the path:
//! two visitors through lead capture to the schedule, its answer checked as after the warm-up.

mod support;

use coachbot::app::App;
use coachbot::config::Settings;
use coachbot::config::bots::{Bot, Bots};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const SECRET: &str = "bench-secret";

fn bots() -> Bots {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("bots/demo.toml"))
        .unwrap()
        .replace(
            "[channels.telegram]\nenabled = false",
            "[channels.telegram]\nenabled = true",
        );
    let secrets = BTreeMap::from([
        ("COACHBOT_DEMO_TELEGRAM_TOKEN".to_owned(), "1:BENCH".to_owned()),
        ("COACHBOT_DEMO_TELEGRAM_WEBHOOK_SECRET".to_owned(), SECRET.to_owned()),
        ("COACHBOT_DEMO_TICKET_KEY".to_owned(), "bench-ticket-key".to_owned()),
    ]);
    let mut bots = Bots::default();
    bots.add(Bot::parse("bots/demo.toml", &text, &secrets).unwrap())
        .unwrap();
    bots
}

static UPDATE: AtomicU64 = AtomicU64::new(1);
/// Replies that came back in a webhook's answer.
static ANSWERED: AtomicU64 = AtomicU64::new(0);
/// Calls the fake Bot API received (`sendMessage` from the outbox sender).
static API_CALLS: AtomicU64 = AtomicU64::new(0);

/// A message's text, made from the number of the visitor who writes it.
type Text = fn(u64) -> String;

/// A text update from one of `senders` visitors.
fn update(senders: u64, text: &str) -> serde_json::Value {
    update_with(senders, |_| text.to_owned())
}

/// A text update from one of `senders` visitors, its text made from the visitor's number.
fn update_with(senders: u64, text: impl FnOnce(u64) -> String) -> serde_json::Value {
    let id = UPDATE.fetch_add(1, Ordering::Relaxed);
    let chat = 1_000_000 + id % senders;
    json!({ "update_id": id, "message": {
        "message_id": id, "date": 1_764_000_000, "text": text(id % senders),
        "chat": { "id": chat, "type": "private", "first_name": "V" },
        "from": { "id": chat, "is_bot": false, "first_name": "V", "language_code": "fr" }
    }})
}

async fn fake_api() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let router = axum::Router::new().fallback(|| async {
        API_CALLS.fetch_add(1, Ordering::Relaxed);
        axum::Json(json!({ "ok": true, "result": { "message_id": 1, "date": 0, "chat": { "id": 1, "type": "private", "first_name": "X" }, "text": "ok" } }))
    });
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

async fn bare_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/bare", listener.local_addr().unwrap());
    let router = axum::Router::new().route(
        "/bare",
        axum::routing::post(|body: axum::body::Bytes| async move {
            let _: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            axum::http::StatusCode::OK
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

/// Posts an update; the reply in the webhook's answer, if any.
async fn post(client: &reqwest::Client, url: &str, body: &serde_json::Value) -> Option<serde_json::Value> {
    let response = client
        .post(url)
        .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{url}");
    let body = response.bytes().await.unwrap();
    if !body.starts_with(b"{") {
        return None;
    }
    let answer: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(answer["method"], "SendMessage", "{answer}");
    ANSWERED.fetch_add(1, Ordering::Relaxed);
    Some(answer)
}

/// Checks that an answer to "planning" is the schedule: sessions listed a line each, and the
/// menu's buttons. (Should the dialogue or its texts change, the figures would otherwise measure
/// whatever path the bench's messages now take.)
fn assert_schedule(answer: Option<&serde_json::Value>) {
    let answer = answer.expect("the schedule is answered in the webhook");
    let text = answer["text"].as_str().unwrap_or_default();
    assert!(
        text.lines().filter(|l| l.contains(" · ")).count() >= 3,
        "sessions listed: {answer}"
    );
    let buttons = answer["reply_markup"]["inline_keyboard"].to_string();
    assert!(buttons.contains("\"menu:book\""), "the menu's buttons: {answer}");
}

/// Replies counted since the last call: (in webhook answers, through the Bot API).
fn replies_since(last: &mut (u64, u64)) -> (u64, u64) {
    let now = (ANSWERED.load(Ordering::Relaxed), API_CALLS.load(Ordering::Relaxed));
    let since = (now.0 - last.0, now.1 - last.1);
    *last = now;
    since
}

/// Starts the app on a fresh SQLite file; the webhook's URL.
async fn start(dir: &Path, api: &str, answer_in_webhook: bool) -> String {
    // COACHBOT_BENCH_KEPT_CHATS_MIB=N: MiB of chats the store keeps in memory (default: the
    // product's).
    let kept = std::env::var("COACHBOT_BENCH_KEPT_CHATS_MIB")
        .map(|n| format!("sqlite_kept_chats_mib = {n}"))
        .unwrap_or_default();
    let settings = Settings::from_toml(&format!(
        "[http]\naddr = \"127.0.0.1:0\"\npublic_url = \"https://bench.example\"\nrequest_timeout_secs = 60\n\
         [store]\nsqlite_path = {:?}\n{kept}\n[telegram]\napi_url = {api:?}\nanswer_in_webhook = {answer_in_webhook}\n\
         [jobs]\ninterval_secs = 0\n[chat]\nmessages_per_minute = 0",
        dir.join(format!("bench-{answer_in_webhook}.db"))
    ))
    .unwrap();
    let app = App::build(settings, bots()).await.unwrap();
    let webhook = format!("http://127.0.0.1:{}/webhooks/telegram/demo", app.port());
    let state = app.state().clone();
    tokio::spawn(app.run_until(std::future::pending()));
    while state.store().is_none() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    webhook
}

/// Requests done with `connections` clients sending back to back for `length`, the seconds
/// that took, and the process's CPU time in ms meanwhile (client and server together): the cost
/// of a request seen as work done rather than as time waited.
async fn saturation(client: &reqwest::Client, url: &str, connections: usize, length: Duration, senders: u64) -> Turn {
    let done = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + length;
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (client, url, done) = (client.clone(), url.to_owned(), done.clone());
            tokio::spawn(async move {
                while Instant::now() < until {
                    post(&client, &url, &update(senders, "planning")).await;
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let (start, cpu) = (Instant::now(), support::cpu_ms());
    for worker in workers {
        worker.await.unwrap();
    }
    Turn {
        done: done.load(Ordering::Relaxed) as f64,
        seconds: start.elapsed().as_secs_f64(),
        cpu_ms: (support::cpu_ms() - cpu) as f64,
    }
}

/// What one target did in a turn of a saturation run, or in all of them.
#[derive(Default, Clone, Copy)]
struct Turn {
    done: f64,
    seconds: f64,
    cpu_ms: f64,
}

impl Turn {
    fn add(&mut self, other: Turn) {
        self.done += other.done;
        self.seconds += other.seconds;
        self.cpu_ms += other.cpu_ms;
    }

    fn rate(&self) -> f64 {
        self.done / self.seconds
    }

    /// µs of CPU per request.
    fn cpu_us(&self) -> f64 {
        self.cpu_ms * 1000.0 / self.done
    }
}

/// Latency percentiles (ms) of requests sent at `rate` per second for `seconds`, each measured
/// from the moment it was due (open loop: a slow server does not slow the sender down). The
/// requests are paced by a thread of their own, whose sleep ends within tens of µs of the due time
/// where the runtime's timer, ticking every millisecond, would add up to a millisecond to each.
async fn at_rate(client: &reqwest::Client, url: &str, rate: u64, seconds: u64, senders: u64) -> (f64, f64) {
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let (runtime, client, url_owned) = (tokio::runtime::Handle::current(), client.clone(), url.to_owned());
    let pacer = std::thread::spawn(move || {
        let start = Instant::now();
        (0..rate * seconds)
            .map(|n| {
                let due = start + interval * n as u32;
                std::thread::sleep(due.saturating_duration_since(Instant::now()));
                let (client, url) = (client.clone(), url_owned.clone());
                runtime.spawn(async move {
                    post(&client, &url, &update(senders, "planning")).await;
                    due.elapsed().as_secs_f64() * 1000.0
                })
            })
            .collect::<Vec<_>>()
    });
    let tasks = tokio::task::spawn_blocking(move || pacer.join().unwrap())
        .await
        .unwrap();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.push(task.await.unwrap());
    }
    // COACHBOT_BENCH_LATENCIES=FILE: each request's latency in sending order, to see when the
    // slow ones happened.
    if let Ok(file) = std::env::var("COACHBOT_BENCH_LATENCIES") {
        let lines: Vec<String> = latencies.iter().map(|l| format!("{url} {l:.3}")).collect();
        let mut old = std::fs::read_to_string(&file).unwrap_or_default();
        old.push_str(&(lines.join("\n") + "\n"));
        std::fs::write(&file, old).unwrap();
    }
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    (at(0.50), at(0.99))
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let api = fake_api().await;
        let answering = start(dir.path(), &api, true).await;
        let sending = start(dir.path(), &api, false).await;
        let bare = bare_server().await;
        let client = reqwest::Client::builder().pool_max_idle_per_host(256).build().unwrap();
        let mut counted = (0, 0);
        // Each visitor's messages: lead capture (each visitor's own e-mail and phone number: the
        // same one would be recognised as one person), then a request for the schedule.
        let rounds: [(Text, Option<&str>); 6] = [
            (|_| "bonjour".into(), Some("new conversations (SQLite page cache included)")),
            (|_| "Marie".into(), None),
            (|n| format!("marie.{n}@example.fr"), None),
            (|n| format!("+33612{n:06}"), None),
            (|_| "oui".into(), None),
            (|_| "planning".into(), Some("requests for the schedule (chats kept in memory)")),
        ];
        if !full {
            let mut answer = None;
            for (text, _) in rounds {
                for _ in 0..2 {
                    answer = post(&client, &answering, &update_with(2, text)).await;
                    post(&client, &sending, &update_with(2, text)).await;
                    post(&client, &bare, &update_with(2, text)).await;
                }
            }
            assert_schedule(answer.as_ref());
            println!("webhook bench: smoke run ok (cargo bench --bench webhook for the figures)");
            return;
        }
        // Memory: 5,000 new conversations, each one message (the other set-up gets the same);
        // then lead capture, each answer a write to the contact, after which its chat is read
        // from the file again (each visitor's own e-mail and phone number: the same one would be
        // recognised as one person); then a request for the schedule from each, whose chat is
        // read and kept in memory (within `store.sqlite_kept_chats_mib`) for their next one.
        let senders = 5_000;
        let mut answer = None;
        for (text, what) in rounds {
            let before = support::rss_kib();
            answer = greet(&client, &answering, senders, text).await;
            let grown = support::rss_kib().saturating_sub(before);
            if let Some(what) = what {
                println!(
                    "memory: RSS +{grown} KiB over {senders} {what} = {:.2} KiB per conversation",
                    grown as f64 / senders as f64
                );
            }
            greet(&client, &sending, senders, text).await;
        }
        assert_schedule(answer.as_ref());
        settle().await;
        replies_since(&mut counted);
        // Saturation: the three targets take turns, a second each, five times over, so that the
        // host's speed, which drifts over seconds on a shared machine, weighs on each alike. Each
        // turn starts once the replies queued by the one before have all been sent, so that none
        // measures the sending of another's backlog.
        let targets = [("bare axum", &bare), ("answer in the webhook", &answering), ("reply by sendMessage", &sending)];
        let (turns, length) = (5, Duration::from_secs(1));
        let mut totals = [Turn::default(); 3];
        let mut replies = [(0, 0); 3];
        let mut ratios = [Vec::new(), Vec::new()];
        for _ in 0..turns {
            let mut rates = [0.0; 3];
            for (n, (_, url)) in targets.iter().enumerate() {
                let turn = saturation(&client, url, 32, length, senders).await;
                settle().await;
                let (answered, api) = replies_since(&mut counted);
                replies[n] = (replies[n].0 + answered, replies[n].1 + api);
                rates[n] = turn.rate();
                totals[n].add(turn);
            }
            ratios[0].push(100.0 * rates[1] / rates[0]);
            ratios[1].push(100.0 * rates[2] / rates[0]);
        }
        let shape = format!("32 connections, {turns} turns of {} s each", length.as_secs());
        let bare_total = totals[0];
        println!(
            "saturation ({shape}), bare axum: {:.0} req/s, {:.0} µs CPU per request",
            bare_total.rate(),
            bare_total.cpu_us()
        );
        for (n, (name, _)) in targets.iter().enumerate().skip(1) {
            let (total, (answered, api)) = (totals[n], replies[n]);
            let turns_ratios = &mut ratios[n - 1];
            turns_ratios.sort_by(f64::total_cmp);
            println!(
                "saturation ({shape}), {name}: {:.0} msg/s = {:.0} % of bare axum {:.0} req/s (turn by turn: {:.0}–{:.0} %, median {:.0} %), \
                 {:.0} µs CPU per message = {:.1} × bare's (replies: {answered} in the answer, {api} by the Bot API)",
                total.rate(),
                100.0 * total.rate() / bare_total.rate(),
                bare_total.rate(),
                turns_ratios[0],
                turns_ratios[turns_ratios.len() - 1],
                turns_ratios[turns_ratios.len() / 2],
                total.cpu_us(),
                total.cpu_us() / bare_total.cpu_us()
            );
        }
        let (bare50, bare99) = at_rate(&client, &bare, 1000, 5, senders).await;
        println!("at 1,000 msg/s for 5 s: bare axum p50 {bare50:.2} ms p99 {bare99:.2} ms");
        for (name, url) in [("answer in the webhook", &answering), ("reply by sendMessage", &sending)] {
            let (p50, p99) = at_rate(&client, url, 1000, 5, senders).await;
            settle().await;
            let (answered, api) = replies_since(&mut counted);
            println!(
                "at 1,000 msg/s for 5 s, {name}: p50 {p50:.2} ms p99 {p99:.2} ms ({answered} replies in the answer, {api} by the Bot API)"
            );
        }
        // By now each conversation holds its twenty last lines, long ones: the most its kept
        // chat weighs.
        println!(
            "memory: RSS {} MiB at the end (two apps of {senders} conversations of 20 lines each, the client, the bare server)",
            support::rss_kib() / 1024
        );
    });
}

/// Waits until no reply has come back for half a second.
async fn settle() {
    let mut last = (u64::MAX, u64::MAX);
    loop {
        let now = (ANSWERED.load(Ordering::Relaxed), API_CALLS.load(Ordering::Relaxed));
        if now == last {
            return;
        }
        last = now;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// One message from each of `senders` visitors, its text made from the visitor's number, 50 at
/// a time; the last one's answer in the webhook, if any.
async fn greet(client: &reqwest::Client, url: &str, senders: u64, text: Text) -> Option<serde_json::Value> {
    let mut last = None;
    for _ in 0..senders / 50 {
        let posts = (0..50).map(|_| {
            let body = update_with(senders, text);
            async move { post(client, url, &body).await }
        });
        last = futures::future::join_all(posts).await.pop().flatten();
    }
    last
}
