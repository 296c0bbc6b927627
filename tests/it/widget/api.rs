//! The widget API over HTTP, as the widget (or a script) calls it.

use super::{Events, STUDIO_SITE, lead, post, start, texts, visitor};
use coachbot::domain::contact::Channel;
use coachbot::domain::outbox::OutboxMessage;
use serde_json::json;
use std::time::Duration;

const QUICK_POLL: &str = "[widget]\npoll_ms = 200";

async fn replies_resume_after_the_last_event_shown(backend: &str) {
    let app = start(backend, QUICK_POLL).await;
    let anna = visitor();
    lead(&app, &anna).await;
    let mut stream = Events::open(&app, &anna, None).await;
    let (id, first) = stream.next().await;
    assert_eq!(id, 1);
    assert_eq!(
        texts(&first),
        ["C'est noté, merci Anna !", "Que puis-je faire pour vous ?"]
    );
    assert_eq!(first["replies"][1]["choices"][0]["label"], "Réserver un cours");

    post(&app, "messages", &anna, json!({ "type": "text", "text": "planning" })).await;
    let (id, schedule) = stream.next().await;
    assert_eq!(id, 2);
    assert!(texts(&schedule)[0].contains("Yoga doux"), "{schedule}");
    drop(stream);

    // Offline: the reply waits; the reconnecting browser says what it showed last.
    let (status, _) = post(&app, "messages", &anna, json!({ "type": "text", "text": "tarifs" })).await;
    assert_eq!(status, 202);
    let mut stream = Events::open(&app, &anna, Some(2)).await;
    let (id, prices) = stream.next().await;
    assert_eq!(id, 3);
    assert!(texts(&prices)[0].contains("Cours à l'unité : 18 €"), "{prices}");
    assert!(
        stream.quiet_for(Duration::from_millis(800)).await,
        "nothing shown twice"
    );

    // A reply written elsewhere (another replica, a job, the coach's /repondre) reaches the stream.
    let store = app.state.store().unwrap().clone();
    let payload = json!({ "replies": [{ "text": "Le cours de samedi est maintenu." }] });
    let bot = coachbot::domain::BotId::parse("demo").unwrap();
    store
        .enqueue(&OutboxMessage::new(
            bot,
            Channel::Web,
            &anna,
            payload,
            chrono::Utc::now(),
        ))
        .await
        .unwrap();
    let (id, pushed) = stream.next().await;
    assert_eq!(
        (id, texts(&pushed)),
        (4, vec!["Le cours de samedi est maintenu.".to_owned()])
    );

    // Another visitor's stream sees none of it.
    let ben = visitor();
    let mut other = Events::open(&app, &ben, None).await;
    assert!(other.quiet_for(Duration::from_millis(500)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_replies_resume_after_the_last_event_shown() {
    replies_resume_after_the_last_event_shown("sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongodb_replies_resume_after_the_last_event_shown() {
    if crate::support::mongodb_uri().is_none() {
        eprintln!("skipped: COACHBOT_TEST_MONGODB_URI is not set");
        return;
    }
    replies_resume_after_the_last_event_shown("mongodb").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lead_form_is_checked_like_the_chat_and_a_retried_post_is_handled_once() {
    let app = start("sqlite", QUICK_POLL).await;
    let anna = visitor();
    let bad = json!({ "name": "4n<b>", "email": "anna@", "phone": "12", "consent": true });
    let (status, body) = post(&app, "lead", &anna, bad).await;
    assert_eq!(status, 422);
    insta::assert_json_snapshot!("widget_lead_refused", body);

    let form =
        json!({ "message_id": "same-message-id", "name": "Anna", "email": "anna@example.fr", "phone": "+33612345678" });
    assert_eq!(post(&app, "lead", &anna, form.clone()).await.0, 202);
    assert_eq!(post(&app, "lead", &anna, form).await.0, 202);
    let mut stream = Events::open(&app, &anna, None).await;
    assert_eq!(stream.next().await.0, 1);
    assert!(
        stream.quiet_for(Duration::from_millis(800)).await,
        "the replay was not answered again"
    );

    let config: serde_json::Value = reqwest::get(format!("{}/api/widget/demo/config?visitor={anna}", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["visitor"]["complete"], true);
    assert_eq!(config["visitor"]["name"], "Anna");
    assert_eq!(config["visitor"]["consent"], false, "the box was not ticked");
    assert_eq!(config["texts"]["not-me"], "Ce n'est pas moi");
    let english: serde_json::Value = reqwest::get(format!("{}/api/widget/demo/config?lang=en-GB", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (english["language"].as_str(), english["visitor"].is_null()),
        (Some("en"), true)
    );
    assert_eq!(english["texts"]["submit"], "Start chatting");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returning_visitor_is_greeted_by_name_and_html_stays_text() {
    let app = start("sqlite", QUICK_POLL).await;
    let anna = visitor();
    lead(&app, &anna).await;
    let mut stream = Events::open(&app, &anna, Some(1)).await;
    post(&app, "messages", &anna, json!({ "type": "open" })).await;
    let (_, greeting) = stream.next().await;
    assert!(texts(&greeting)[0].contains("Anna"), "{greeting}");

    post(
        &app,
        "messages",
        &anna,
        json!({ "type": "choice", "key": "menu:prices" }),
    )
    .await;
    assert!(texts(&stream.next().await.1)[0].contains("Carte 10 cours"));
    let (status, _) = post(
        &app,
        "messages",
        &anna,
        json!({ "type": "text", "text": "<img src=x onerror=alert(1)>" }),
    )
    .await;
    assert_eq!(status, 202);
    let (_, answer) = stream.next().await;
    assert!(
        !answer.to_string().contains("<img"),
        "a message's markup is never echoed: {answer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_on_sites_the_bot_does_not_allow_are_refused() {
    let app = start("sqlite", "").await;
    let client = reqwest::Client::new();
    let config = format!("{}/api/widget/demo/config", app.base);
    let from = |origin: &str| client.get(&config).header("origin", origin).send();

    let refused = from("https://evil.example").await.unwrap();
    assert_eq!(refused.status(), 403);
    assert!(refused.headers().get("access-control-allow-origin").is_none());
    assert_eq!(
        refused.json::<serde_json::Value>().await.unwrap()["error"],
        "origin not allowed"
    );

    let allowed = from(STUDIO_SITE).await.unwrap();
    assert_eq!(allowed.status(), 200);
    assert_eq!(allowed.headers()["access-control-allow-origin"], STUDIO_SITE);
    assert_eq!(from(&app.base).await.unwrap().status(), 200, "the server's own pages");
    assert_eq!(
        client.get(&config).send().await.unwrap().status(),
        200,
        "no Origin: not a browser"
    );

    let preflight = |origin: &str| {
        client
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/api/widget/demo/messages", app.base),
            )
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let ok = preflight(STUDIO_SITE).await.unwrap();
    assert_eq!(ok.status(), 204);
    assert_eq!(ok.headers()["access-control-allow-methods"], "GET, POST");
    assert_eq!(preflight("https://evil.example").await.unwrap().status(), 403);
    let posted = client
        .post(format!("{}/api/widget/demo/messages", app.base))
        .header("origin", "https://evil.example")
        .json(&json!({ "visitor": visitor(), "message_id": "m-12345678", "type": "text", "text": "bonjour" }))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_visitor_and_a_flooding_address_are_held_back() {
    let app = start(
        "sqlite",
        "[chat]\nmessages_per_minute = 3\n[widget]\nrequests_per_minute_per_ip = 12",
    )
    .await;
    let anna = visitor();
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(
            post(&app, "messages", &anna, json!({ "type": "text", "text": "bonjour" }))
                .await
                .0,
        );
    }
    assert_eq!(
        statuses,
        [202, 202, 202, 429, 429],
        "three messages a minute per visitor"
    );
    assert_eq!(
        post(
            &app,
            "messages",
            &visitor(),
            json!({ "type": "text", "text": "bonjour" })
        )
        .await
        .0,
        202,
        "another visitor"
    );
    let mut codes = Vec::new();
    for _ in 0..8 {
        let response = reqwest::get(format!("{}/api/widget/demo/config", app.base))
            .await
            .unwrap();
        codes.push(response.status().as_u16());
    }
    assert_eq!(codes[..6], [200, 200, 200, 200, 200, 200]);
    assert_eq!(
        codes[6..],
        [429, 429],
        "twelve requests a minute from this address, six used by the posts"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_a_clear_answer() {
    let app = start("sqlite", "[widget]\nmax_text_chars = 50\nbody_limit_bytes = 1024").await;
    let anna = visitor();
    let (status, body) = post(
        &app,
        "messages",
        &anna,
        json!({ "type": "text", "text": "a".repeat(51) }),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["fields"]["text"],
        "Votre message est trop long : 50 caractères au plus."
    );
    let (status, body) = post(
        &app,
        "messages",
        "not-a-visitor",
        json!({ "type": "text", "text": "salut" }),
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (422, Some("invalid")));
    let (status, _) = post(&app, "messages", &anna, json!({ "type": "dance" })).await;
    assert_eq!(status, 422, "an unknown kind of message");
    let big = json!({ "type": "text", "text": "b".repeat(2000) });
    assert_eq!(post(&app, "messages", &anna, big).await.0, 413);
    let unknown = reqwest::get(format!("{}/api/widget/nobody/config", app.base))
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_files_are_compressed_and_revalidated_and_the_api_is_described() {
    use std::io::Read;
    let app = start("sqlite", "").await;
    let client = reqwest::Client::new();
    let js = client
        .get(format!("{}/widget.js", app.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(js.headers()["content-encoding"], "gzip");
    let tag = js.headers()["etag"].to_str().unwrap().to_owned();
    let gz = js.bytes().await.unwrap();
    let mut raw = String::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut raw).unwrap();
    assert!(
        raw == include_str!("../../../web/widget.js"),
        "the gzip body is widget.js"
    );
    let again = client
        .get(format!("{}/widget.js", app.base))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let css = client.get(format!("{}/widget.css", app.base)).send().await.unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");

    let page = reqwest::get(format!("{}/", app.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"<script src="/widget.js" data-bot="demo" async></script>"#));
    assert!(page.contains("<h1>Studio Lumière</h1>"));

    let api: serde_json::Value = reqwest::get(format!("{}/api/widget/openapi.json", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths: Vec<&String> = api["paths"].as_object().unwrap().keys().collect();
    assert_eq!(
        paths,
        [
            "/api/widget/{bot}/config",
            "/api/widget/{bot}/events",
            "/api/widget/{bot}/lead",
            "/api/widget/{bot}/messages"
        ]
    );
    assert!(api["components"]["schemas"]["LeadRequest"]["properties"]["email"].is_object());
}
