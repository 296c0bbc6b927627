//! WhatsApp through Twilio end to end: signed form webhooks posted to a running app, replies sent
//! to a local fake Twilio API that records them. On SQLite and MongoDB.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use coachbot::channels::whatsapp::signature;
use coachbot::config::bots::Bots;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SID: &str = "AC0123456789";
const AUTH: &str = "twilio-auth-token-for-tests";
const TICKET_KEY: &str = "whatsapp-test-ticket-key";
const COACH: &str = "+33611223344";
const CLOSED: &str = "+33699999999";
const PUBLIC: &str = "https://bot.example.fr";

#[derive(Clone, Default)]
struct FakeTwilio {
    sent: Arc<Mutex<Vec<BTreeMap<String, String>>>>,
    photo: Arc<Mutex<Vec<u8>>>,
    /// Numbers whose next message fails once with a 500.
    fail_once: Arc<Mutex<Vec<String>>>,
}

async fn fake_twilio(
    State(api): State<FakeTwilio>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let expected = format!("Basic {}", base64_encode(&format!("{SID}:{AUTH}")));
    if auth != expected {
        return (axum::http::StatusCode::UNAUTHORIZED, "no").into_response();
    }
    if method == Method::GET && uri.path() == "/media/photo" {
        return api.photo.lock().unwrap().clone().into_response();
    }
    if uri.path() != format!("/2010-04-01/Accounts/{SID}/Messages.json") {
        return (axum::http::StatusCode::NOT_FOUND, "?").into_response();
    }
    let form: BTreeMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let closed = form.get("To").is_some_and(|to| to == &format!("whatsapp:{CLOSED}"));
    let to = form.get("To").cloned().unwrap_or_default();
    api.sent.lock().unwrap().push(form);
    let mut fail_once = api.fail_once.lock().unwrap();
    if let Some(at) = fail_once.iter().position(|n| to == format!("whatsapp:{n}")) {
        fail_once.remove(at);
        return (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "down").into_response();
    }
    drop(fail_once);
    if closed {
        let error = serde_json::json!({ "code": 63016, "message": "Failed to send freeform message because you are outside the allowed window.", "status": 400 });
        return (axum::http::StatusCode::BAD_REQUEST, axum::Json(error)).into_response();
    }
    (
        axum::http::StatusCode::CREATED,
        axum::Json(serde_json::json!({ "sid": "SM1" })),
    )
        .into_response()
}

fn base64_encode(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

struct Running {
    app: crate::support::ChannelApp,
    api: FakeTwilio,
    fake: String,
}

impl std::ops::Deref for Running {
    type Target = crate::support::ChannelApp;
    fn deref(&self) -> &Self::Target {
        &self.app
    }
}

fn bots() -> Bots {
    let edit = |text: String| {
        text.replace(
            "[channels.whatsapp]\nenabled = false",
            "[channels.whatsapp]\nenabled = true",
        )
        .replace("whatsapp = []", &format!("whatsapp = [{COACH:?}]"))
    };
    crate::support::demo_bots(
        edit,
        &[
            ("COACHBOT_DEMO_TWILIO_ACCOUNT_SID", SID),
            ("COACHBOT_DEMO_TWILIO_AUTH_TOKEN", AUTH),
            ("COACHBOT_DEMO_TICKET_KEY", TICKET_KEY),
        ],
    )
}

async fn start(store: &str) -> Running {
    let api = FakeTwilio::default();
    let fake = crate::support::fake_server(axum::Router::new().fallback(fake_twilio).with_state(api.clone())).await;
    let settings = format!(
        "[http]\naddr = \"127.0.0.1:0\"\npublic_url = {PUBLIC:?}\n[twilio]\napi_url = \"{fake}/\"\n\
         [jobs]\ninterval_secs = 0"
    );
    let app = crate::support::channel_app(store, &settings, bots()).await;
    Running { app, api, fake }
}

static SIDS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

fn form(from: &str, body: &str) -> Vec<(String, String)> {
    let sid = format!("SM{:032}", SIDS.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
    [
        ("MessageSid", sid.as_str()),
        ("AccountSid", SID),
        ("From", &format!("whatsapp:{from}")),
        ("To", "whatsapp:+14155238886"),
        ("Body", body),
        ("NumMedia", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

impl Running {
    async fn post(&self, params: &[(String, String)], signature_given: Option<String>, host: Option<&str>) -> u16 {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params.iter())
            .finish();
        let mut request = reqwest::Client::new()
            .post(format!("{}/webhooks/twilio/demo", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(given) = signature_given {
            request = request.header("X-Twilio-Signature", given);
        }
        if let Some(host) = host {
            request = request.header("host", host);
        }
        request.send().await.unwrap().status().as_u16()
    }

    fn signed(params: &[(String, String)]) -> Option<String> {
        Some(signature(AUTH, &format!("{PUBLIC}/webhooks/twilio/demo"), params))
    }

    fn sent_to(&self, to: &str) -> Vec<BTreeMap<String, String>> {
        let to = format!("whatsapp:{to}");
        self.api
            .sent
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m["To"] == to)
            .cloned()
            .collect()
    }

    /// Writes `text` as `from` and returns the body of the reply (the last of `n`).
    async fn says(&self, from: &str, text: &str, n: usize) -> BTreeMap<String, String> {
        let before = self.sent_to(from).len();
        let params = form(from, text);
        assert_eq!(self.post(&params, Self::signed(&params), None).await, 200);
        for _ in 0..400 {
            let sent = self.sent_to(from);
            if sent.len() >= before + n {
                return sent[before + n - 1].clone();
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("no reply to {text:?}: {:?}", self.api.sent.lock().unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_visitor_books_on_whatsapp_and_the_coach_checks_in_by_photo() {
    a_visitor_books_on_whatsapp_and_the_coach_checks_in_by_photo("sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongodb_a_visitor_books_on_whatsapp_and_the_coach_checks_in_by_photo() {
    if crate::support::mongodb_uri().is_none() {
        eprintln!("skipped: COACHBOT_TEST_MONGODB_URI is not set");
        return;
    }
    a_visitor_books_on_whatsapp_and_the_coach_checks_in_by_photo("mongodb").await;
}

async fn a_visitor_books_on_whatsapp_and_the_coach_checks_in_by_photo(store: &str) {
    let app = start(store).await;
    let marie = "+33612345678";

    let params = form(marie, "Bonjour");
    assert_eq!(app.post(&params, None, None).await, 403, "no signature");
    assert_eq!(app.post(&params, Some("AAAA".into()), None).await, 403, "a wrong one");
    let mut altered = params.clone();
    altered[4].1 = "Bonsoir".into();
    assert_eq!(
        app.post(&altered, Running::signed(&params), None).await,
        403,
        "a changed body"
    );
    // The URL checked is the public one, whatever Host the request claims.
    assert_eq!(
        app.post(&params, Running::signed(&params), Some("evil.example")).await,
        200
    );
    assert_eq!(app.post(&params, Running::signed(&params), None).await, 200, "a replay");
    let name = {
        for _ in 0..400 {
            if !app.sent_to(marie).is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        app.sent_to(marie)
    };
    assert_eq!(name.len(), 1, "the replayed message is answered once");
    assert!(name[0]["Body"].ends_with("Pour commencer, quel est votre prénom ?"));
    assert_eq!(name[0]["From"], "whatsapp:+14155238886");

    app.says(marie, "Marie Dupont", 1).await;
    let consent = app.says(marie, "marie@example.fr", 1).await;
    assert!(
        consent["Body"].ends_with("\n1. Oui, volontiers\n2. Non merci"),
        "the phone is known on WhatsApp, choices are numbered: {consent:?}"
    );
    let menu = app.says(marie, "1", 2).await;
    assert!(menu["Body"].contains("\n1. Réserver un cours\n"), "{menu:?}");
    app.says(marie, "1", 1).await;
    app.says(marie, "Yoga doux", 1).await;
    app.says(marie, "2", 1).await;
    app.says(marie, "1", 1).await;
    app.says(marie, "2", 1).await;
    let booked = app.says(marie, "1", 1).await;
    assert!(booked["Body"].starts_with("✅ C'est réservé : Yoga doux"), "{booked:?}");
    let media = booked.get("MediaUrl").expect("the ticket goes by its public URL");
    let path = media.strip_prefix(PUBLIC).expect("on the public URL");
    let png = reqwest::get(format!("{}{path}", app.base))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let token = coachbot::tickets::decode(&png).expect("the served ticket reads back");
    coachbot::domain::ticket::verify(TICKET_KEY.as_bytes(), &token).unwrap();

    // The coach sends a photo of the ticket: Twilio's media is fetched with the account's credentials.
    *app.api.photo.lock().unwrap() = png.to_vec();
    let mut photo = form(COACH, "");
    photo[5].1 = "1".into();
    photo.push(("MediaUrl0".into(), format!("{}/media/photo", app.fake)));
    photo.push(("MediaContentType0".into(), "image/png".into()));
    assert_eq!(app.post(&photo, Running::signed(&photo), None).await, 200);
    for _ in 0..400 {
        if !app.sent_to(COACH).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let verdict = &app.sent_to(COACH)[0];
    assert!(verdict["Body"].starts_with("⛔ Ce billet est pour le "), "{verdict:?}");

    // Outside WhatsApp's 24-hour window (error 63016): recorded on the contact, not retried.
    let params = form(CLOSED, "Bonjour");
    assert_eq!(app.post(&params, Running::signed(&params), None).await, 200);
    let store = app.state.store().unwrap().clone();
    let demo = coachbot::domain::BotId::parse("demo").unwrap();
    let identity = coachbot::domain::contact::Identity::new(coachbot::domain::contact::Channel::Whatsapp, CLOSED);
    let mut tagged = false;
    for _ in 0..400 {
        let contact = store.find_contact_by_identity(&demo, &identity).await.unwrap();
        if contact.is_some_and(|c| c.tags.iter().any(|t| t == coachbot::channels::WINDOW_CLOSED_TAG)) {
            tagged = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(tagged, "the contact is marked");
    assert_eq!(app.sent_to(CLOSED).len(), 1, "one attempt, given up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_reply_holds_back_that_persons_next_ones_only() {
    use coachbot::domain::contact::Channel;
    use coachbot::domain::outbox::OutboxMessage;
    let app = start("sqlite").await;
    let store = app.state.store().unwrap().clone();
    let demo = coachbot::domain::BotId::parse("demo").unwrap();
    let (anna, ben) = ("+33611111111", "+33622222222");
    app.api.fail_once.lock().unwrap().push(anna.to_owned());
    let now = chrono::Utc::now();
    for (to, text) in [(anna, "un"), (anna, "deux"), (ben, "trois")] {
        let payload = serde_json::json!({ "text": text });
        store
            .enqueue(&OutboxMessage::new(demo.clone(), Channel::Whatsapp, to, payload, now))
            .await
            .unwrap();
    }
    app.state.kick_outbox();
    let bodies = |to: &str| app.sent_to(to).iter().map(|m| m["Body"].clone()).collect::<Vec<_>>();
    for _ in 0..400 {
        if !bodies(ben).is_empty() && !bodies(anna).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(bodies(ben), ["trois"], "another person is not held back");
    assert_eq!(
        bodies(anna),
        ["un"],
        "after a failure, the next reply to the same person waits"
    );
    for _ in 0..600 {
        if bodies(anna).len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(bodies(anna), ["un", "un", "deux"], "retried, then in order");
}

/// The store fails half-way through a run of the sender, on SQLite (a trigger in the file
/// refuses the write): what went out before is not sent again, what did not is sent once its
/// lease runs out, and nothing is lost. The runs are given their time, a day ahead, so that the
/// app's own sender (on the clock) leaves these messages alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_failing_half_way_through_a_sending_run_loses_nothing_and_sends_nothing_twice() {
    use coachbot::domain::contact::Channel;
    use coachbot::domain::outbox::OutboxMessage;
    let app = start("sqlite").await;
    let store = app.state.store().unwrap().clone();
    let demo = coachbot::domain::BotId::parse("demo").unwrap();
    let (anna, ben) = ("+33611111111", "+33622222222");
    let day = chrono::Utc::now() + chrono::Duration::days(1);
    for (to, text) in [(anna, "un"), (ben, "deux")] {
        let payload = serde_json::json!({ "text": text });
        store
            .enqueue(&OutboxMessage::new(demo.clone(), Channel::Whatsapp, to, payload, day))
            .await
            .unwrap();
    }
    let run = |now: chrono::DateTime<chrono::Utc>| {
        let (state, store) = (app.state.clone(), store.clone());
        async move {
            coachbot::channels::deliver_due(
                store.as_ref(),
                state.channels(),
                state.bots(),
                state.texts(),
                "test-sender",
                now,
                32,
            )
            .await
        }
    };
    let file = rusqlite::Connection::open(&app.state.settings().store.sqlite_path).unwrap();
    let refuse = |why: &str, to: &str, state: &str| {
        file.execute_batch(&format!(
            "DROP TRIGGER IF EXISTS refused; CREATE TRIGGER refused AFTER UPDATE ON outbox \
             WHEN json_extract(NEW.doc, '$.to') = '{to}' AND json_extract(NEW.doc, '$.state') = '{state}' \
             BEGIN SELECT RAISE(ABORT, '{why}'); END;"
        ))
        .unwrap();
    };
    let bodies = |to: &str| app.sent_to(to).iter().map(|m| m["Body"].clone()).collect::<Vec<_>>();

    // Anna's message fails at Twilio, and the store refuses to put it back in the queue.
    app.api.fail_once.lock().unwrap().push(anna.to_owned());
    refuse("disk full", anna, "pending");
    let failed = run(day).await;
    assert!(failed.is_err(), "the run says it failed: {failed:?}");
    assert_eq!(
        (bodies(anna), bodies(ben)),
        (vec!["un".to_owned()], vec!["deux".to_owned()])
    );
    // Ben's went out and is marked so; Anna's is still leased to the run that failed.
    assert_eq!(run(day).await.unwrap(), 0, "nothing is due while the lease holds");
    file.execute_batch("DROP TRIGGER refused").unwrap();
    let later = day + chrono::Duration::minutes(2);
    assert_eq!(run(later).await.unwrap(), 1, "Anna's, once its lease ran out");
    assert_eq!(bodies(anna), ["un", "un"], "tried again");
    assert_eq!(bodies(ben), ["deux"], "never sent twice");

    // A send whose marking fails (a stop right after it, as well) goes out again once its lease
    // runs out: a reply is never lost, at the price of a rare second copy.
    let payload = serde_json::json!({ "text": "trois" });
    store
        .enqueue(&OutboxMessage::new(
            demo.clone(),
            Channel::Whatsapp,
            ben,
            payload,
            later,
        ))
        .await
        .unwrap();
    refuse("disk full", ben, "sent");
    assert!(run(later).await.is_err());
    file.execute_batch("DROP TRIGGER refused").unwrap();
    assert_eq!(run(later).await.unwrap(), 0, "leased");
    let last = later + chrono::Duration::minutes(2);
    assert_eq!(run(last).await.unwrap(), 1);
    assert_eq!(bodies(ben), ["deux", "trois", "trois"]);
    assert_eq!(run(last + chrono::Duration::minutes(2)).await.unwrap(), 0, "all sent");
}
