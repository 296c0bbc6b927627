//! The OpenAI-compatible chat-completions call, through async-openai's "bring your own types"
//! calls: the request is plain JSON and the reply is read with tolerant types, because local
//! servers (Ollama, vLLM, llama.cpp) send values the strict types refuse (`finish_reason: ""`,
//! `content: null` with tool calls, missing ids).

use crate::config::AgentSettings;
use async_openai::config::OpenAIConfig;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::Value;

/// The model's client.
pub struct Client {
    inner: async_openai::Client<OpenAIConfig>,
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an error status.
    #[error("status {0}")]
    Status(u16),
    /// The reply is not a chat completion.
    #[error("malformed reply: {0}")]
    Malformed(String),
    /// Connection or protocol failure.
    #[error("{0}")]
    Transport(String),
}

/// What the model said: text, or tool calls.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    /// The text, if any.
    pub content: Option<String>,
    /// The tools it asks for.
    pub tool_calls: Vec<ToolCall>,
}

/// One tool call.
#[derive(Debug, Clone)]
pub struct ToolCall {
    /// Its id (made up when the server sends none).
    pub id: String,
    /// The tool.
    pub name: String,
    /// Its arguments, as the JSON text the model wrote.
    pub arguments: String,
}

#[derive(Deserialize)]
struct Completion {
    #[serde(default)]
    choices: Vec<CompletionChoice>,
}

#[derive(Deserialize)]
struct CompletionChoice {
    message: CompletionMessage,
}

#[derive(Deserialize, Default)]
struct CompletionMessage {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<WireToolCall>>,
}

#[derive(Deserialize)]
struct WireToolCall {
    #[serde(default)]
    id: Option<String>,
    function: WireFunction,
}

#[derive(Deserialize)]
struct WireFunction {
    name: String,
    #[serde(default)]
    arguments: Value,
}

impl Client {
    /// A client for these settings; `None` without a base URL.
    pub fn new(settings: &AgentSettings) -> Option<Self> {
        let base = settings.base_url.as_ref()?;
        let mut config = OpenAIConfig::new().with_api_base(base.as_str().trim_end_matches('/'));
        if let Some(key) = &settings.api_key {
            config = config.with_api_key(key.expose_secret());
        }
        Some(Self {
            inner: async_openai::Client::with_config(config),
        })
    }

    /// One chat completion.
    pub async fn complete(&self, request: &Value) -> Result<Reply, ClientError> {
        let completion: Completion = self.inner.chat().create_byot(request).await.map_err(classify)?;
        let Some(choice) = completion.choices.into_iter().next() else {
            return Err(ClientError::Malformed("no choices".into()));
        };
        let tool_calls = choice
            .message
            .tool_calls
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, call)| ToolCall {
                id: call
                    .id
                    .filter(|id| !id.is_empty())
                    .unwrap_or_else(|| format!("call-{i}")),
                name: call.function.name,
                arguments: match call.function.arguments {
                    Value::String(text) => text,
                    Value::Null => String::new(),
                    other => other.to_string(),
                },
            })
            .collect();
        Ok(Reply {
            content: choice.message.content.filter(|c| !c.trim().is_empty()),
            tool_calls,
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Chunk {
    choices: Vec<ChunkChoice>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ChunkChoice {
    delta: Delta,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Delta {
    content: Option<String>,
    tool_calls: Option<Vec<DeltaCall>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DeltaCall {
    index: Option<usize>,
    id: Option<String>,
    function: Option<DeltaFunction>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DeltaFunction {
    name: Option<String>,
    arguments: Option<String>,
}

impl Client {
    /// One chat completion, streamed: `on_text` sees the text so far after each piece; tool
    /// calls are put together from their pieces.
    pub async fn complete_streamed(
        &self,
        request: &Value,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<Reply, ClientError> {
        use futures::StreamExt;
        let mut request = request.clone();
        request["stream"] = Value::Bool(true);
        let mut stream = self
            .inner
            .chat()
            .create_stream_byot::<_, Chunk>(request)
            .await
            .map_err(classify)?;
        let mut content = String::new();
        let mut calls: Vec<ToolCall> = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(classify)?;
            let Some(choice) = chunk.choices.into_iter().next() else {
                continue;
            };
            if let Some(piece) = choice.delta.content.filter(|p| !p.is_empty()) {
                content.push_str(&piece);
                on_text(&content);
            }
            for piece in choice.delta.tool_calls.unwrap_or_default() {
                let index = piece.index.unwrap_or(calls.len().saturating_sub(1));
                while calls.len() <= index {
                    calls.push(ToolCall {
                        id: format!("call-{}", calls.len()),
                        name: String::new(),
                        arguments: String::new(),
                    });
                }
                let call = &mut calls[index];
                if let Some(id) = piece.id.filter(|id| !id.is_empty()) {
                    call.id = id;
                }
                if let Some(function) = piece.function {
                    call.name.push_str(&function.name.unwrap_or_default());
                    call.arguments.push_str(&function.arguments.unwrap_or_default());
                }
            }
        }
        Ok(Reply {
            content: Some(content).filter(|c| !c.trim().is_empty()),
            tool_calls: calls,
        })
    }
}

fn classify(error: async_openai::error::OpenAIError) -> ClientError {
    use async_openai::error::OpenAIError;
    match error {
        OpenAIError::ApiError(api) => ClientError::Status(api.status_code.as_u16()),
        OpenAIError::JSONDeserialize(e, _) => ClientError::Malformed(e.to_string()),
        OpenAIError::Reqwest(e) => match e.status() {
            Some(status) => ClientError::Status(status.as_u16()),
            None => ClientError::Transport(e.to_string()),
        },
        other => ClientError::Transport(other.to_string()),
    }
}
