//! Telegram end to end: real update JSON posted to the webhook of a running app, replies sent to a
//! local fake Bot API that records every call and answers like Telegram. The poster plays
//! Telegram's part for the webhook's answer too: a method in it is run as a call to the Bot API
//! (recorded with the others), as Telegram does. On SQLite and MongoDB.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, Uri};
use coachbot::config::bots::Bots;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TOKEN: &str = "123456:TEST-TOKEN";
const SECRET: &str = "webhook-secret-for-tests";
const TICKET_KEY: &str = "telegram-test-ticket-key";
const COACH: i64 = 1001;

/// One call the fake Bot API received.
#[derive(Debug, Clone)]
struct Call {
    method: String,
    body: Bytes,
}

impl Call {
    /// The call's parameters: a JSON body, or the text fields of a multipart one.
    fn json(&self) -> Value {
        if let Ok(value) = serde_json::from_slice(&self.body) {
            return value;
        }
        let text = String::from_utf8_lossy(&self.body);
        let mut fields = serde_json::Map::new();
        for part in text.split("Content-Disposition: form-data; name=\"").skip(1) {
            let Some((name, rest)) = part.split_once('"') else {
                continue;
            };
            let Some((_, value)) = rest.split_once("\r\n\r\n") else {
                continue;
            };
            let value = value.split("\r\n--").next().unwrap_or_default();
            fields.insert(name.to_owned(), Value::String(value.to_owned()));
        }
        Value::Object(fields)
    }

    /// A PNG inside a multipart upload.
    fn png(&self) -> Option<Vec<u8>> {
        let start = self.body.windows(4).position(|w| w == b"\x89PNG")?;
        let end = self.body.windows(4).rposition(|w| w == b"IEND")? + 8;
        Some(self.body[start..end].to_vec())
    }
}

#[derive(Clone, Default)]
struct FakeApi {
    calls: Arc<Mutex<Vec<Call>>>,
    photo: Arc<Mutex<Vec<u8>>>,
    /// Updates handed out by `getUpdates` (long polling), then emptied.
    updates: Arc<Mutex<Vec<Value>>>,
}

async fn fake_api(State(api): State<FakeApi>, method: Method, uri: Uri, body: Bytes) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = uri.path().to_owned();
    if method == Method::GET && path.starts_with(&format!("/file/bot{TOKEN}/")) {
        return api.photo.lock().unwrap().clone().into_response();
    }
    // Method names are case-insensitive for the Bot API (teloxide writes `SetWebhook`).
    let name = path.rsplit('/').next().unwrap_or_default().to_lowercase();
    api.calls.lock().unwrap().push(Call {
        method: name.clone(),
        body,
    });
    let message = json!({
        "message_id": 1, "date": 1_764_000_000,
        "chat": { "id": 1, "type": "private", "first_name": "X" }, "text": "ok"
    });
    let result = match name.as_str() {
        "sendmessage" | "sendphoto" | "senddocument" => message,
        "getfile" => {
            json!({ "file_id": "PHOTO", "file_unique_id": "u1", "file_size": 10, "file_path": "photos/t.png" })
        }
        "getupdates" => {
            let queued = std::mem::take(&mut *api.updates.lock().unwrap());
            if queued.is_empty() {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Value::Array(queued)
        }
        _ => json!(true),
    };
    axum::Json(json!({ "ok": true, "result": result })).into_response()
}

struct Running {
    app: crate::support::ChannelApp,
    api: FakeApi,
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
            "[channels.telegram]\nenabled = false",
            "[channels.telegram]\nenabled = true",
        )
        .replace("telegram = []", &format!("telegram = [{COACH}]"))
    };
    crate::support::demo_bots(
        edit,
        &[
            ("COACHBOT_DEMO_TELEGRAM_TOKEN", TOKEN),
            ("COACHBOT_DEMO_TELEGRAM_WEBHOOK_SECRET", SECRET),
            ("COACHBOT_DEMO_TICKET_KEY", TICKET_KEY),
        ],
    )
}

async fn start(store: &str) -> Running {
    start_with(store, "", true).await
}

/// Without a public URL: long polling.
async fn start_polling() -> Running {
    start_with("sqlite", "", false).await
}

async fn start_with(store: &str, extra: &str, public: bool) -> Running {
    let api = FakeApi::default();
    let api_url = crate::support::fake_server(axum::Router::new().fallback(fake_api).with_state(api.clone())).await;
    let settings = format!(
        "[http]\naddr = \"127.0.0.1:0\"\npublic_url = {:?}\n\
         [telegram]\napi_url = \"{api_url}/\"\npoll_timeout_secs = 1\n[jobs]\ninterval_secs = 0\n{extra}",
        if public { "https://bot.example.fr" } else { "" }
    );
    let app = crate::support::channel_app(store, &settings, bots()).await;
    Running { app, api }
}

impl Running {
    /// Posts an update as Telegram does, and runs the Bot API call the answer carries, if any.
    async fn post(&self, update: Value, secret: Option<&str>) -> u16 {
        let mut request = reqwest::Client::new()
            .post(format!("{}/webhooks/telegram/demo", self.base))
            .json(&update);
        if let Some(secret) = secret {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body = response.bytes().await.unwrap();
        if let Ok(answer) = serde_json::from_slice::<Value>(&body)
            && let Some(method) = answer["method"].as_str()
        {
            self.api.calls.lock().unwrap().push(Call {
                method: method.to_lowercase(),
                body,
            });
        }
        status
    }

    /// Calls that came in the webhook's answers (they carry the method's name).
    fn answered(&self) -> usize {
        self.calls().iter().filter(|c| c.json().get("method").is_some()).count()
    }

    fn calls(&self) -> Vec<Call> {
        self.api.calls.lock().unwrap().clone()
    }

    /// Waits until the fake API has received `count` calls of `method` (a bound, not a timing).
    async fn wait_for(&self, method: &str, count: usize) -> Vec<Call> {
        for _ in 0..400 {
            let calls: Vec<Call> = self
                .calls()
                .into_iter()
                .filter(|c| c.method == method.to_lowercase())
                .collect();
            if calls.len() >= count {
                return calls;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("waited for {count} {method} calls; got {:?}", self.calls());
    }

    /// Sends an update and returns the message sent back.
    async fn exchange(&self, update: Value) -> Value {
        self.exchange_n(update, 1).await
    }

    /// Sends an update that is answered with `n` messages; returns the last.
    async fn exchange_n(&self, update: Value, n: usize) -> Value {
        let before = self.calls().iter().filter(|c| c.method == "sendmessage").count();
        assert_eq!(self.post(update, Some(SECRET)).await, 200);
        self.wait_for("sendMessage", before + n).await[before + n - 1].json()
    }
}

static UPDATE_ID: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

fn next_id() -> u32 {
    UPDATE_ID.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
}

fn user(id: i64) -> Value {
    json!({ "id": id, "is_bot": false, "first_name": "Marie", "language_code": "fr" })
}

fn message(from: i64, extra: Value) -> Value {
    let mut message = json!({
        "message_id": next_id(), "date": 1_764_000_000,
        "chat": { "id": from, "type": "private", "first_name": "Marie" },
        "from": user(from),
    });
    message
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    json!({ "update_id": next_id(), "message": message })
}

fn text(from: i64, text: &str) -> Value {
    message(from, json!({ "text": text }))
}

fn press(from: i64, data: &str) -> Value {
    json!({ "update_id": next_id(), "callback_query": {
        "id": format!("cb{}", next_id()), "from": user(from), "chat_instance": "ci", "data": data,
        "message": { "message_id": 1, "date": 1_764_000_000, "chat": { "id": from, "type": "private", "first_name": "Marie" }, "text": "…" }
    }})
}

/// The callback data of the buttons of a sent message.
fn buttons(sent: &Value) -> Vec<String> {
    sent["reply_markup"]["inline_keyboard"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|row| row[0]["callback_data"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_visitor_books_on_telegram_and_the_coach_checks_in_by_photo() {
    a_visitor_books_on_telegram_and_the_coach_checks_in_by_photo("sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongodb_a_visitor_books_on_telegram_and_the_coach_checks_in_by_photo() {
    if crate::support::mongodb_uri().is_none() {
        eprintln!("skipped: COACHBOT_TEST_MONGODB_URI is not set");
        return;
    }
    a_visitor_books_on_telegram_and_the_coach_checks_in_by_photo("mongodb").await;
}

async fn a_visitor_books_on_telegram_and_the_coach_checks_in_by_photo(store: &str) {
    let app = start(store).await;
    let marie = 555_000_111;
    app.wait_for("setWebhook", 1).await;
    let set = app
        .calls()
        .into_iter()
        .find(|c| c.method == "setwebhook")
        .unwrap()
        .json();
    assert_eq!(set["url"], "https://bot.example.fr/webhooks/telegram/demo");
    assert_eq!(set["secret_token"], SECRET);

    // Signatures and shapes first: nothing of this reaches the engine.
    assert_eq!(app.post(text(marie, "bonjour"), None).await, 401);
    assert_eq!(app.post(text(marie, "bonjour"), Some("wrong")).await, 401);
    let garbage = reqwest::Client::new()
        .post(format!("{}/webhooks/telegram/demo", app.base))
        .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
        .body("{ not json")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);

    let start_update = text(marie, "/start");
    let greeting = app.exchange(start_update.clone()).await;
    assert_eq!(greeting["chat_id"], marie);
    assert!(
        greeting["text"]
            .as_str()
            .unwrap()
            .ends_with("Pour commencer, quel est votre prénom ?")
    );
    assert_eq!(app.answered(), 1, "the greeting went back in the webhook's answer");
    // The same update again: Telegram delivers it again only when it did not get the answer, so
    // the same answer is given again; the conversation does not move.
    let again = app.exchange(start_update).await;
    assert_eq!(again["text"], greeting["text"]);
    let email = app.exchange(text(marie, "Marie Dupont")).await;
    assert!(email["text"].as_str().unwrap().contains("e-mail"), "{email}");
    let phone = app.exchange(text(marie, "marie@example.fr")).await;
    assert_eq!(phone["reply_markup"]["keyboard"][0][0]["request_contact"], true);
    assert_eq!(
        phone["reply_markup"]["keyboard"][0][0]["text"],
        "📱 Partager mon numéro"
    );
    let shared = message(
        marie,
        json!({ "contact": { "phone_number": "33612345678", "first_name": "Marie", "user_id": marie } }),
    );
    let consent = app.exchange(shared).await;
    assert_eq!(buttons(&consent), ["yes", "no"]);
    let menu = app.exchange_n(press(marie, "yes"), 2).await;
    assert_eq!(buttons(&menu)[0], "menu:book");
    app.wait_for("answerCallbackQuery", 1).await;
    let courses = app.exchange(press(marie, "menu:book")).await;
    assert!(buttons(&courses).contains(&"course:yoga-doux".to_owned()));
    let dates = app.exchange(press(marie, "course:yoga-doux")).await;
    let offers = app.exchange(press(marie, &buttons(&dates)[1])).await;
    let promo = app.exchange(press(marie, &buttons(&offers)[0])).await;
    let summary = app.exchange(press(marie, "no")).await;
    assert!(
        summary["text"]
            .as_str()
            .unwrap()
            .starts_with("Récapitulatif : Yoga doux")
    );
    let through_api = app.calls().iter().filter(|c| c.method == "sendmessage").count() - app.answered();
    let booked = app.exchange(press(marie, "yes")).await;
    assert_eq!(
        app.calls().iter().filter(|c| c.method == "sendmessage").count() - app.answered(),
        through_api + 1,
        "the confirmation and its ticket (a picture) go through the Bot API"
    );
    assert!(
        booked["text"]
            .as_str()
            .unwrap()
            .starts_with("✅ C'est réservé : Yoga doux")
    );
    let photo = app.wait_for("sendPhoto", 1).await.remove(0);
    let png = photo.png().expect("the ticket goes as a photo");
    let token = coachbot::tickets::decode(&png).expect("its QR code reads back");
    coachbot::domain::ticket::verify(TICKET_KEY.as_bytes(), &token).unwrap();
    let _ = promo;

    // The coach sends a photo of the ticket from their private chat.
    *app.api.photo.lock().unwrap() = png;
    let sizes = json!({ "photo": [
        { "file_id": "SMALL", "file_unique_id": "s", "width": 90, "height": 90 },
        { "file_id": "PHOTO", "file_unique_id": "p", "width": 800, "height": 1200 }
    ]});
    let verdict = app.exchange(message(COACH, sizes)).await;
    assert_eq!(verdict["chat_id"], COACH);
    assert!(
        verdict["text"]
            .as_str()
            .unwrap()
            .starts_with("⛔ Ce billet est pour le "),
        "{verdict}"
    );
    let file = app.calls().into_iter().find(|c| c.method == "getfile").unwrap().json();
    assert_eq!(file["file_id"], "PHOTO", "the largest size is fetched");
    let listed = app.exchange(text(COACH, "/resas semaine")).await;
    assert!(listed["text"].as_str().unwrap().contains("Marie D."), "{listed}");
    let created = app.exchange(text(COACH, "/promo 3 -10%")).await;
    let batch = created["text"].as_str().unwrap().split("(lot ").nth(1).unwrap()[..5].to_owned();
    app.exchange(text(COACH, &format!("/promos {batch} csv"))).await;
    let csv = app.wait_for("sendDocument", 1).await.remove(0);
    let body = String::from_utf8_lossy(&csv.body);
    assert!(
        body.contains(&format!("codes-{batch}.csv")) && body.contains("code,remise,fin"),
        "{body}"
    );

    let cancel = app.exchange(text(marie, "annuler")).await;
    assert_eq!(buttons(&cancel), ["yes", "no"]);
    let cancelled = app.exchange(press(marie, "yes")).await;
    assert!(cancelled["text"].as_str().unwrap().starts_with("✅ C'est annulé"));
    let to_marie = app
        .calls()
        .into_iter()
        .filter(|c| c.method == "sendmessage" && c.json()["chat_id"] == marie)
        .count();
    assert_eq!(to_marie, 15, "one answer per update, and the replayed /start's again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_flooding_the_webhook_is_held_to_the_limit() {
    let app = start_with("sqlite", "[chat]\nmessages_per_minute = 3", true).await;
    let (flooder, other) = (777_000_001, 777_000_002);
    for n in 0..6 {
        assert_eq!(
            app.post(text(flooder, &format!("spam {n}")), Some(SECRET)).await,
            200,
            "acknowledged"
        );
    }
    app.exchange(text(other, "bonjour")).await;
    let to_flooder = app
        .calls()
        .into_iter()
        .filter(|c| c.method == "sendmessage" && c.json()["chat_id"] == flooder)
        .count();
    assert_eq!(to_flooder, 3, "three answered, three dropped; another sender is served");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_public_url_updates_come_by_long_polling() {
    let app = start_polling().await;
    app.wait_for("deleteWebhook", 1).await;
    app.api.updates.lock().unwrap().push(text(424_242, "bonjour"));
    let greeting = app.wait_for("sendMessage", 1).await.remove(0).json();
    assert_eq!(greeting["chat_id"], 424_242);
    assert!(greeting["text"].as_str().unwrap().ends_with("quel est votre prénom ?"));
    // The reply is sent by the outbox sender, concurrently with the next poll: wait for the poll.
    let next_offset = || {
        app.calls()
            .into_iter()
            .filter(|c| c.method == "getupdates")
            .map(|c| c.json()["offset"].as_i64().unwrap_or(0))
            .max()
            .unwrap_or(0)
    };
    for _ in 0..200 {
        if next_offset() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        next_offset() > 0,
        "the next poll asks for updates after the handled one"
    );
    assert!(app.calls().iter().all(|c| c.method != "setwebhook"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_an_update_delivered_twice_at_once_is_handled_once() {
    an_update_delivered_twice_at_once_is_handled_once("sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongodb_an_update_delivered_twice_at_once_is_handled_once() {
    if crate::support::mongodb_uri().is_none() {
        eprintln!("skipped: COACHBOT_TEST_MONGODB_URI is not set");
        return;
    }
    an_update_delivered_twice_at_once_is_handled_once("mongodb").await;
}

/// Two copies of one update at once: whether the answer only moves the conversation (recorded
/// with its answer) or books a seat (recorded first), it is acted on once.
async fn an_update_delivered_twice_at_once_is_handled_once(store: &str) {
    let app = start(store).await;
    let paul = 555_000_222;
    let to_paul = |app: &Running| -> Vec<Value> {
        app.calls()
            .into_iter()
            .filter(|c| c.method == "sendmessage" && c.json()["chat_id"] == paul)
            .map(|c| c.json())
            .collect()
    };
    app.exchange(text(paul, "bonjour")).await;
    let name = text(paul, "Paul Martin");
    let (a, b) = tokio::join!(app.post(name.clone(), Some(SECRET)), app.post(name, Some(SECRET)));
    assert_eq!((a, b), (200, 200));
    let asked = to_paul(&app);
    assert!(asked.last().unwrap()["text"].as_str().unwrap().contains("e-mail"));
    // Whichever copy lost gives nothing, or the same answer again: the step moved once.
    let next = app.exchange(text(paul, "paul@example.fr")).await;
    assert_eq!(
        next["reply_markup"]["keyboard"][0][0]["request_contact"], true,
        "{next}"
    );
    let shared = message(
        paul,
        json!({ "contact": { "phone_number": "33698765432", "first_name": "Paul", "user_id": paul } }),
    );
    app.exchange(shared).await;
    app.exchange_n(press(paul, "yes"), 2).await;
    app.exchange(press(paul, "menu:book")).await;
    let dates = app.exchange(press(paul, "course:yoga-doux")).await;
    let offers = app.exchange(press(paul, &buttons(&dates)[1])).await;
    app.exchange(press(paul, &buttons(&offers)[0])).await;
    app.exchange(press(paul, "no")).await;

    let confirm = press(paul, "yes");
    let (a, b) = tokio::join!(app.post(confirm.clone(), Some(SECRET)), app.post(confirm, Some(SECRET)));
    assert_eq!((a, b), (200, 200));
    app.wait_for("sendPhoto", 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let booked = to_paul(&app)
        .iter()
        .filter(|m| m["text"].as_str().unwrap().starts_with("✅ C'est réservé"))
        .count();
    assert_eq!(booked, 1, "one booking confirmed");
    assert_eq!(
        app.calls().iter().filter(|c| c.method == "sendphoto").count(),
        1,
        "one ticket"
    );
    let store = app.state.store().unwrap();
    let contact = store
        .find_contact_by_identity(
            &crate::support::bot("demo"),
            &coachbot::domain::contact::Identity::new(coachbot::domain::contact::Channel::Telegram, paul.to_string()),
        )
        .await
        .unwrap()
        .unwrap();
    let bookings = store
        .list_bookings_for_contact(&crate::support::bot("demo"), &contact.id)
        .await
        .unwrap();
    assert_eq!(bookings.len(), 1, "{bookings:?}");
}
