//! The web widget's API without a browser: the lead form checked like the chat, replies as
//! server-sent events that resume after `Last-Event-ID`, replays handled once, CORS, rate limits,
//! bad input, the assets and the OpenAPI description. The browser test is in `browser`.

mod api;
mod browser;

use crate::support::{ChannelApp, channel_app, demo_bots};
use serde_json::{Value, json};
use std::time::Duration;

/// Allowed origin of the tests' studio site.
pub const STUDIO_SITE: &str = "https://studio-lumiere.fr";

/// The app on `backend` with the demo bot, its widget allowed on the studio's site only.
pub async fn start(backend: &str, settings: &str) -> ChannelApp {
    let bots = demo_bots(
        |text| {
            text.replace(
                r#"allowed_origins = ["*"]"#,
                &format!("allowed_origins = [{STUDIO_SITE:?}]"),
            )
        },
        &[("COACHBOT_DEMO_TICKET_KEY", "a test ticket key of 32 bytes ok")],
    );
    let settings = format!("[http]\naddr = \"127.0.0.1:0\"\n[jobs]\ninterval_secs = 0\n{settings}");
    channel_app(backend, &settings, bots).await
}

/// A new visitor id, as the widget makes them.
pub fn visitor() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Posts to `/api/widget/demo/{path}` with a fresh message id; the status and the JSON body.
pub async fn post(app: &ChannelApp, path: &str, visitor: &str, mut body: Value) -> (u16, Value) {
    body["visitor"] = json!(visitor);
    if body.get("message_id").is_none() {
        body["message_id"] = json!(uuid::Uuid::new_v4().to_string());
    }
    let response = reqwest::Client::new()
        .post(format!("{}/api/widget/demo/{path}", app.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Submits a valid lead form for Anna.
pub async fn lead(app: &ChannelApp, visitor: &str) {
    let form = json!({ "name": "Anna", "email": format!("anna-{visitor}@example.fr"), "phone": "06 12 34 56 78", "consent": true });
    let (status, body) = post(app, "lead", visitor, form).await;
    assert_eq!(status, 202, "{body}");
}

/// One open event stream, read event by event.
pub struct Events {
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    /// Opens the visitor's stream, resuming after `last` when given (as a browser reconnecting).
    pub async fn open(app: &ChannelApp, visitor: &str, last: Option<u64>) -> Self {
        let mut request = reqwest::Client::new().get(format!("{}/api/widget/demo/events?visitor={visitor}", app.base));
        if let Some(last) = last {
            request = request.header("last-event-id", last.to_string());
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next event: its id and its data; panics after 20 s without one.
    pub async fn next(&mut self) -> (u64, Value) {
        tokio::time::timeout(Duration::from_secs(20), self.read())
            .await
            .expect("an event within 20 s")
    }

    /// Whether an event comes within `wait`.
    pub async fn quiet_for(&mut self, wait: Duration) -> bool {
        tokio::time::timeout(wait, self.read()).await.is_err()
    }

    async fn read(&mut self) -> (u64, Value) {
        loop {
            if let (kind, Some(id), data) = self.any().await {
                assert_eq!(kind, "reply");
                return (id, data);
            }
        }
    }

    /// The next event of any kind (`reply`, `partial`): its name, id and data; within 20 s.
    pub async fn next_any(&mut self) -> (String, Option<u64>, Value) {
        tokio::time::timeout(Duration::from_secs(20), self.any())
            .await
            .expect("an event within 20 s")
    }

    async fn any(&mut self) -> (String, Option<u64>, Value) {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(name).map(|v| v.trim_start().to_owned()))
                };
                if let Some(data) = field("data:") {
                    let kind = field("event:").unwrap_or_default();
                    let id = field("id:").map(|id| id.parse().unwrap());
                    return (kind, id, serde_json::from_str(&data).unwrap());
                }
                continue;
            }
            let chunk = self.response.chunk().await.unwrap().expect("the stream stays open");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

/// The texts of an event's replies.
pub fn texts(event: &Value) -> Vec<String> {
    event["replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap().to_owned())
        .collect()
}
