//! A scripted LLM server for the chat tests: axum on 127.0.0.1 (ephemeral port) in a
//! background thread, answering the Anthropic Messages API (`/v1/messages`) or the
//! OpenAI-compatible chat API (`/v1/chat/completions`) from a script, and recording every
//! request it got.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// The two protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Anthropic,
    OpenAi,
}

impl Protocol {
    pub const BOTH: [Protocol; 2] = [Protocol::Anthropic, Protocol::OpenAi];

    /// `SONIC_LLM_PROVIDER`.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Anthropic => "anthropic",
            Protocol::OpenAi => "openai",
        }
    }

    /// The path requests must go to.
    pub fn path(self) -> &'static str {
        match self {
            Protocol::Anthropic => "/v1/messages",
            Protocol::OpenAi => "/v1/chat/completions",
        }
    }

    /// A 200 answer calling `calls` (tool name, arguments).
    pub fn tool_calls(self, calls: &[(&str, Value)]) -> Reply {
        let body = match self {
            Protocol::Anthropic => {
                let blocks: Vec<Value> = calls
                    .iter()
                    .enumerate()
                    .map(|(i, (name, input))| json!({"type": "tool_use", "id": format!("toolu_{i}"), "name": name, "input": input}))
                    .collect();
                json!({"id": "msg_1", "type": "message", "role": "assistant", "model": "mock",
                       "content": blocks, "stop_reason": "tool_use"})
            }
            Protocol::OpenAi => {
                let list: Vec<Value> = calls
                    .iter()
                    .enumerate()
                    .map(|(i, (name, args))| {
                        json!({"id": format!("call_{i}"), "type": "function",
                        "function": {"name": name, "arguments": args.to_string()}})
                    })
                    .collect();
                json!({"id": "chatcmpl-1", "object": "chat.completion", "model": "mock", "choices": [{
                    "index": 0, "message": {"role": "assistant", "content": null, "tool_calls": list},
                    "finish_reason": "tool_calls"}]})
            }
        };
        Reply::json(body)
    }

    /// A 200 answer ending the turn with `text`.
    pub fn text(self, text: &str) -> Reply {
        let body = match self {
            Protocol::Anthropic => json!({"id": "msg_2", "type": "message", "role": "assistant",
                "model": "mock", "content": [{"type": "text", "text": text}], "stop_reason": "end_turn"}),
            Protocol::OpenAi => {
                json!({"id": "chatcmpl-2", "object": "chat.completion", "model": "mock",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                "finish_reason": "stop"}]})
            }
        };
        Reply::json(body)
    }
}

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    pub fn json(body: Value) -> Self {
        Reply {
            status: 200,
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    pub fn status(status: u16, body: &str) -> Self {
        Reply {
            status,
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// A request the server got.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Value,
}

#[derive(Default)]
struct Script {
    replies: VecDeque<Reply>,
    last: Option<Reply>,
    received: Vec<Received>,
}

/// The running server.
pub struct MockLlm {
    pub base: String,
    script: Arc<Mutex<Script>>,
}

async fn answer(
    State(script): State<Arc<Mutex<Script>>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let reply = {
        let mut script = script.lock().unwrap();
        script.received.push(Received {
            path: uri.path().to_string(),
            headers,
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        });
        // When the script runs out, the last answer repeats (a model that never stops).
        let next = script.replies.pop_front().or_else(|| script.last.clone());
        script.last = next.clone();
        next
    };
    let Some(reply) = reply else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "script is empty").into_response();
    };
    tokio::time::sleep(reply.delay).await;
    let status = StatusCode::from_u16(reply.status).unwrap();
    (status, [("content-type", "application/json")], reply.body).into_response()
}

impl MockLlm {
    /// Starts a server answering with `replies` in order (the last one repeats).
    pub fn start(replies: Vec<Reply>) -> Self {
        let script = Arc::new(Mutex::new(Script {
            replies: replies.into(),
            ..Script::default()
        }));
        let state = script.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                let app = axum::Router::new().fallback(answer).with_state(state);
                axum::serve(listener, app).await.unwrap();
            });
        });
        let addr = rx.recv().expect("mock LLM server started");
        MockLlm {
            base: format!("http://{addr}"),
            script,
        }
    }

    /// Every request so far.
    pub fn received(&self) -> Vec<Received> {
        self.script.lock().unwrap().received.clone()
    }

    /// The environment that points `sonic chat` at this server.
    pub fn env(&self, protocol: Protocol) -> Vec<(String, String)> {
        let base = match protocol {
            Protocol::Anthropic => self.base.clone(),
            Protocol::OpenAi => format!("{}/v1", self.base),
        };
        [
            ("SONIC_LLM_PROVIDER", protocol.name().to_string()),
            ("SONIC_LLM_BASE_URL", base),
            ("SONIC_LLM_MODEL", "mock-model".into()),
            ("SONIC_LLM_API_KEY", "test-key".into()),
            ("SONIC_LLM_RETRY_DELAY_MS", "10".into()),
            ("SONIC_LLM_TIMEOUT_SECS", "10".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}
