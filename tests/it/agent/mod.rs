//! The LLM agent against a fake OpenAI-compatible server on 127.0.0.1 that answers from a script
//! (text, tool calls, malformed arguments, 500, too slow) and records every request: effects in
//! the store, the tools offered to a visitor and to the coach, the prompt's content, and the rule
//! path taking over on every failure.

mod guard;
mod visitor;

use crate::chat::Studio;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use coachbot::agent::{Agent, Agents};
use coachbot::domain::contact::Channel;
use coachbot::engine::Handled;

use futures::StreamExt;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One scripted answer: from the request so far, the response.
pub(super) type Step = Box<dyn Fn(&Value) -> Response + Send + Sync>;

#[derive(Clone, Default)]
pub(super) struct FakeModel {
    script: Arc<Mutex<VecDeque<Step>>>,
    requests: Arc<Mutex<Vec<Value>>>,
}

impl FakeModel {
    pub(super) fn then(&self, step: impl Fn(&Value) -> Response + Send + Sync + 'static) -> &Self {
        self.script.lock().unwrap().push_back(Box::new(step));
        self
    }

    pub(super) fn requests(&self) -> Vec<Value> {
        self.requests.lock().unwrap().clone()
    }
}

pub(super) async fn completions(State(model): State<FakeModel>, Json(request): Json<Value>) -> Response {
    model.requests.lock().unwrap().push(request.clone());
    let step = model.script.lock().unwrap().pop_front();
    let response = match step {
        Some(step) => step(&request),
        None => (StatusCode::INTERNAL_SERVER_ERROR, "script exhausted").into_response(),
    };
    let delay = response
        .headers()
        .get("x-delay-ms")
        .and_then(|v| v.to_str().ok()?.parse().ok());
    if let Some(ms) = delay {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    response
}

pub(super) fn text(content: &str) -> Response {
    Json(
        json!({ "id": "c1", "object": "chat.completion", "choices": [{ "index": 0, "finish_reason": "",
        "message": { "role": "assistant", "content": content } }] }),
    )
    .into_response()
}

pub(super) fn call(name: &str, arguments: &str) -> Response {
    Json(json!({ "choices": [{ "index": 0, "finish_reason": "tool_calls", "message": { "role": "assistant", "content": null,
        "tool_calls": [{ "id": format!("call-{name}"), "type": "function", "function": { "name": name, "arguments": arguments } }] } }] }))
    .into_response()
}

/// The content of the last tool result the request carries.
pub(super) fn last_tool_result(request: &Value) -> Value {
    let messages = request["messages"].as_array().unwrap();
    let last = messages
        .iter()
        .rev()
        .find(|m| m["role"] == "tool")
        .expect("a tool result");
    serde_json::from_str(last["content"].as_str().unwrap()).unwrap()
}

pub(super) async fn start(model: &FakeModel, timeout_secs: u64, max_tool_calls: u32) -> Agent {
    // A long history: no summary call comes between the scripted steps.
    let settings = format!("timeout_secs = {timeout_secs}\nmax_tool_calls = {max_tool_calls}\nhistory_messages = 100");
    start_with(model, &settings).await
}

pub(super) async fn start_with(model: &FakeModel, extra: &str) -> Agent {
    let router = axum::Router::new()
        .route("/v1/chat/completions", axum::routing::post(completions))
        .with_state(model.clone());
    let base = crate::support::fake_server(router).await;
    let settings = coachbot::config::Settings::from_toml(&format!(
        "[agent]\nbase_url = \"{base}/v1\"\nmodel = \"test-model\"\n{extra}"
    ))
    .unwrap();
    Agent::from_settings(&settings.agent).expect("an agent with a base URL")
}

/// A visitor whose details are known (captured by the rule path).
pub(super) async fn known_visitor(studio: &mut Studio, sender: &str) -> crate::chat::Person {
    let mut anna = studio.person(Channel::Telegram, sender);
    anna.script(
        studio,
        &[
            "bonjour",
            "Anna",
            &format!("anna-{sender}@example.fr"),
            "06 12 34 56 78",
            "oui",
        ],
    )
    .await;
    anna
}

pub(super) fn texts(handled: &Handled) -> Vec<String> {
    handled.replies.iter().map(|r| r.text.clone()).collect()
}

/// The model's side of a booking: sessions, offers, book the first session, then the answer.
pub(super) fn script_booking(model: &FakeModel) {
    model
        .then(|_| call("list_sessions", r#"{"course":"yoga-doux"}"#))
        .then(|_| call("list_offers", ""))
        .then(|request| {
            let sessions = &request["messages"].as_array().unwrap();
            let listed = sessions.iter().find(|m| m["role"] == "tool").unwrap();
            let listed: Value = serde_json::from_str(listed["content"].as_str().unwrap()).unwrap();
            let session = listed["sessions"][0]["id"].as_str().unwrap().to_owned();
            call("book", &json!({ "session": session, "offer": "single" }).to_string())
        })
        .then(|request| {
            let booked = last_tool_result(request);
            assert_eq!(booked["ok"], true, "{booked}");
            text(&format!(
                "C'est réservé ! Référence {}, {} à régler sur place.",
                booked["reference"].as_str().unwrap(),
                booked["price"].as_str().unwrap()
            ))
        });
}

#[test]
fn a_bot_file_turns_the_agent_off_or_picks_its_own_model() {
    let service = |toml: &str| coachbot::config::Settings::from_toml(toml).unwrap().agent;
    let with_url = service("[agent]\nbase_url = \"http://127.0.0.1:9/v1\"\nmodel = \"gpt-4o-mini\"");
    let bots = |section: &str| {
        let section = section.to_owned();
        crate::support::demo_bots(
            move |text| format!("{text}\n{section}\n"),
            &[("DEMO_AGENT_KEY", "sk-demo")],
        )
    };
    let demo = coachbot::domain::BotId::parse("demo").unwrap();
    let plain = Agents::build(&with_url, &bots(""));
    assert_eq!(plain.get(&demo).map(Agent::model), Some("gpt-4o-mini"));
    let own = Agents::build(
        &with_url,
        &bots("[agent]\nmodel = \"llama3.1\"\napi_key_env = \"DEMO_AGENT_KEY\""),
    );
    assert_eq!(own.get(&demo).map(Agent::model), Some("llama3.1"));
    assert!(
        Agents::build(&with_url, &bots("[agent]\nenabled = false"))
            .get(&demo)
            .is_none()
    );
    let no_url = service("");
    assert!(
        !Agents::build(&no_url, &bots("")).any(),
        "no base URL anywhere: no agent"
    );
    let local = Agents::build(
        &no_url,
        &bots("[agent]\nbase_url = \"http://127.0.0.1:11434/v1\"\nmodel = \"qwen\""),
    );
    assert_eq!(
        local.get(&demo).map(Agent::model),
        Some("qwen"),
        "a bot can bring its own server"
    );
}

/// A streamed completion: each piece of text as a chunk, `gap` apart.
fn streamed(pieces: &[&str], gap: Duration) -> Response {
    let chunks: Vec<String> = pieces
        .iter()
        .map(|p| {
            format!(
                "data: {}\n\n",
                json!({ "choices": [{ "index": 0, "delta": { "content": p }, "finish_reason": null }] })
            )
        })
        .chain(["data: [DONE]\n\n".to_owned()])
        .collect();
    let body = futures::stream::iter(chunks).then(move |chunk| async move {
        tokio::time::sleep(gap).await;
        Ok::<_, std::convert::Infallible>(chunk)
    });
    (
        [("content-type", "text/event-stream")],
        axum::body::Body::from_stream(body),
    )
        .into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agents_answer_reaches_the_widget_as_it_is_written() {
    let model = FakeModel::default();
    let router = axum::Router::new()
        .route("/v1/chat/completions", axum::routing::post(completions))
        .with_state(model.clone());
    let base = crate::support::fake_server(router).await;
    let app = crate::widget::start(
        "sqlite",
        &format!("[agent]\nbase_url = \"{base}/v1\"\ntimeout_secs = 10"),
    )
    .await;
    let anna = crate::widget::visitor();
    crate::widget::lead(&app, &anna).await;
    let mut stream = crate::widget::Events::open(&app, &anna, Some(1)).await;
    model.then(|request| {
        assert_eq!(request["stream"], true, "the web channel streams");
        streamed(
            &["Bonjour Anna, ", "je regarde ", "ça pour vous."],
            Duration::from_millis(300),
        )
    });
    let (status, _) = crate::widget::post(
        &app,
        "messages",
        &anna,
        json!({ "type": "text", "text": "une question sur le yoga" }),
    )
    .await;
    assert_eq!(status, 202);
    let mut partials = Vec::new();
    let reply = loop {
        match stream.next_any().await {
            (kind, None, data) if kind == "partial" => partials.push(data["text"].as_str().unwrap().to_owned()),
            (kind, Some(id), data) if kind == "reply" => break (id, data),
            other => panic!("unexpected event {other:?}"),
        }
    };
    assert_eq!(reply.0, 2);
    assert_eq!(
        crate::widget::texts(&reply.1),
        ["Bonjour Anna, je regarde ça pour vous."]
    );
    assert!(!partials.is_empty(), "the answer showed while written");
    assert!(
        partials
            .iter()
            .all(|p| "Bonjour Anna, je regarde ça pour vous.".starts_with(p.as_str())),
        "{partials:?}"
    );
    assert!(partials.len() >= 2, "piece by piece: {partials:?}");
}
