//! The web widget's figures:
//!
//! - what a browser downloads on a first visit: widget.js and widget.css, raw and gzipped (goal
//!   ≤ 25 KB gzipped together);
//! - time to interactive of the demo page in headless Chromium: from navigation start to the
//!   widget's `coachbot-ready` mark (its button drawn, config loaded, stream open), median of 15
//!   fresh loads, next to the page's own DOMContentLoaded;
//! - memory of 2,000 open event streams on one process: the server's RSS growth while a child
//!   process (this binary again) holds 2,000 `GET /api/widget/demo/events` connections.
//!
//! `cargo bench --bench widget`. Under `cargo test` it checks the sizes and opens 20 streams.

mod support;

use coachbot::app::App;
use coachbot::config::Settings;
use coachbot::config::bots::{Bot, Bots};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CLIENT_ENV: &str = "COACHBOT_BENCH_SSE_CLIENT";

fn bots() -> Bots {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("bots/demo.toml")).unwrap();
    let secrets = BTreeMap::from([("COACHBOT_DEMO_TICKET_KEY".to_owned(), "bench-ticket-key".to_owned())]);
    let mut bots = Bots::default();
    bots.add(Bot::parse("bots/demo.toml", &text, &secrets).unwrap())
        .unwrap();
    bots
}

/// The child: opens `count` event streams to `addr`, says how many answered 200, holds them
/// until its stdin closes.
fn client(spec: &str) {
    let (addr, count) = spec.split_once(',').unwrap();
    let count: usize = count.parse().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut open = Vec::with_capacity(count);
        for i in 0..count {
            let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else { break };
            let request = format!(
                "GET /api/widget/demo/events?visitor=bench-visitor-{i:08}-0000 HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
            );
            stream.write_all(request.as_bytes()).await.unwrap();
            let mut head = [0u8; 12];
            if stream.read_exact(&mut head).await.is_ok() && head.ends_with(b"200") {
                open.push(stream);
            }
        }
        println!("{}", open.len());
        std::io::stdout().flush().unwrap();
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        drop(open);
    });
}

/// The server's RSS growth while a child holds `count` streams; how many opened.
async fn streams_memory(port: u16, count: usize, state: &coachbot::app::AppState) -> (usize, u64) {
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = support::rss_kib();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .env(CLIENT_ENV, format!("127.0.0.1:{port},{count}"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let opened = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        line.trim().parse::<usize>().unwrap_or(0)
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let grown = support::rss_kib().saturating_sub(before);
    let held = state.web().open_streams();
    assert!(
        held >= opened.saturating_sub(1),
        "{held} streams held for {opened} opened"
    );
    drop(child.stdin.take());
    let _ = child.wait();
    (opened, grown)
}

/// Median of the widget's ready mark and of DOMContentLoaded over `loads` fresh page loads.
async fn time_to_interactive(base: &str, loads: usize) -> Option<(f64, f64)> {
    use fantoccini::{ClientBuilder, Locator};
    if !Path::new("/usr/bin/chromedriver").exists() {
        println!("time to interactive: skipped (no /usr/bin/chromedriver; scripts/test installs it)");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut driver = std::process::Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let profile = tempfile::tempdir().unwrap();
    let capabilities = serde_json::json!({ "browserName": "chrome", "goog:chromeOptions": {
        "binary": "/usr/bin/chromium",
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-quic", "--disable-sync", "--no-first-run", "--lang=fr-FR",
                 "--disable-http-cache", format!("--user-data-dir={}", profile.path().display())] } });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap();
    let mut ready = Vec::new();
    let mut loaded = Vec::new();
    for _ in 0..loads {
        browser.goto(&format!("{base}/")).await.unwrap();
        let host = browser
            .wait()
            .for_element(Locator::Css("#coachbot-widget"))
            .await
            .unwrap();
        let _ = host;
        for _ in 0..100 {
            let mark = browser
                .execute(
                    "const m = performance.getEntriesByName('coachbot-ready')[0]; \
                     const n = performance.getEntriesByType('navigation')[0]; \
                     return m ? [m.startTime, n.domContentLoadedEventEnd] : null;",
                    vec![],
                )
                .await
                .unwrap();
            if let Some([r, d]) = mark.as_array().map(|a| [a[0].as_f64(), a[1].as_f64()]) {
                ready.push(r.unwrap_or_default());
                loaded.push(d.unwrap_or_default());
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        browser.execute("localStorage.clear()", vec![]).await.unwrap();
    }
    let _ = browser.close().await;
    let _ = driver.kill();
    let _ = driver.wait();
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or_default()
    };
    Some((median(&mut ready), median(&mut loaded)))
}

fn main() {
    if let Ok(spec) = std::env::var(CLIENT_ENV) {
        return client(&spec);
    }
    let full = std::env::args().any(|a| a == "--bench");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sizes = coachbot::http::assets::widget_sizes();
    let gz: usize = sizes.iter().map(|(_, _, gz)| gz).sum();
    for (name, raw, gz) in sizes {
        println!("{name}: {raw} bytes, {gz} bytes gzipped");
    }
    println!(
        "widget.js + widget.css gzipped: {gz} bytes ({:.1} KB; goal ≤ 25 KB)",
        gz as f64 / 1000.0
    );
    assert!(gz > 0);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::from_toml(&format!(
            "[http]\naddr = \"127.0.0.1:0\"\n[store]\nsqlite_path = {:?}\n[jobs]\ninterval_secs = 0\n\
             [widget]\nrequests_per_minute_per_ip = 0\npoll_ms = 1000",
            dir.path().join("bench.db")
        ))
        .unwrap();
        let app = App::build(settings, bots()).await.unwrap();
        let port = app.port();
        let state = app.state().clone();
        tokio::spawn(app.run_until(std::future::pending()));
        while state.store().is_none() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let count = if full { 2_000 } else { 20 };
        let (opened, grown) = streams_memory(port, count, &state).await;
        assert_eq!(opened, count, "every stream opened");
        println!(
            "{opened} open event streams: server RSS +{grown} KiB = {:.1} KiB per stream (each polls the store every second)",
            grown as f64 / opened as f64
        );
        if !full {
            println!("widget bench: smoke run ok (cargo bench --bench widget for the figures)");
            return;
        }
        if let Some((ready, loaded)) = time_to_interactive(&format!("http://127.0.0.1:{port}"), 15).await {
            println!("demo page in headless Chromium: widget ready at {ready:.0} ms (median of 15 loads); DOMContentLoaded at {loaded:.0} ms");
        }
    });
}
