//! The Anthropic Messages API: `POST {base}/v1/messages` with `tools`; the answer's
//! `tool_use` blocks are tool calls, results go back as `tool_result` blocks (with
//! `is_error`), `stop_reason` says why it stopped.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::http::{client, post_json};
use super::{
    LlmConfig, LlmError, LlmProvider, LlmRequest, LlmResponse, Message, StopReason, ToolCall,
};

/// The API version this client speaks.
const API_VERSION: &str = "2023-06-01";

/// A client of the Anthropic Messages API.
#[derive(Debug, Clone)]
pub struct AnthropicProvider {
    config: LlmConfig,
    client: reqwest::Client,
    url: String,
}

impl AnthropicProvider {
    /// A client for `config` (its base URL without `/v1`).
    pub fn new(config: LlmConfig) -> Result<Self, LlmError> {
        let url = format!("{}/v1/messages", config.base_url.trim_end_matches('/'));
        Ok(AnthropicProvider {
            client: client(&config)?,
            config,
            url,
        })
    }

    fn headers(&self) -> Result<HeaderMap, LlmError> {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(
            HeaderName::from_static("anthropic-version"),
            HeaderValue::from_static(API_VERSION),
        );
        if let Some(key) = &self.config.api_key {
            let value = HeaderValue::from_str(key).map_err(|_| LlmError::InvalidConfig {
                variable: "SONIC_LLM_API_KEY".into(),
                value: "(hidden)".into(),
                expected: "printable ASCII".into(),
            })?;
            headers.insert(HeaderName::from_static("x-api-key"), value);
        }
        Ok(headers)
    }
}

#[derive(Serialize)]
struct WireRequest<'a> {
    model: &'a str,
    max_tokens: u32,
    system: &'a str,
    messages: Vec<Value>,
    tools: Vec<Value>,
}

#[derive(Deserialize)]
struct WireResponse {
    content: Vec<Value>,
    #[serde(default)]
    stop_reason: Option<String>,
}

/// The request body for `request`.
fn to_wire<'a>(config: &'a LlmConfig, request: &'a LlmRequest) -> WireRequest<'a> {
    let messages = request
        .messages
        .iter()
        .filter_map(|message| match message {
            Message::User(text) => Some(json!({"role": "user", "content": [{"type": "text", "text": text}]})),
            Message::Assistant { text, tool_calls } => {
                let mut blocks = Vec::new();
                if !text.is_empty() {
                    blocks.push(json!({"type": "text", "text": text}));
                }
                for call in tool_calls {
                    let input = call.arguments.clone().unwrap_or_else(|_| json!({}));
                    blocks.push(json!({"type": "tool_use", "id": call.id, "name": call.name, "input": input}));
                }
                // The API refuses an empty assistant message.
                (!blocks.is_empty()).then(|| json!({"role": "assistant", "content": blocks}))
            }
            Message::ToolResults(results) => {
                let blocks: Vec<Value> = results
                    .iter()
                    .map(|r| json!({"type": "tool_result", "tool_use_id": r.call_id, "content": r.content, "is_error": r.is_error}))
                    .collect();
                Some(json!({"role": "user", "content": blocks}))
            }
        })
        .collect();
    let tools = request
        .tools
        .iter()
        .map(
            |t| json!({"name": t.name, "description": t.description, "input_schema": t.parameters}),
        )
        .collect();
    WireRequest {
        model: &config.model,
        max_tokens: config.max_tokens,
        system: &request.system,
        messages,
        tools,
    }
}

/// Reads the answer's blocks: text joined, `tool_use` blocks as calls, others ignored.
fn from_wire(wire: WireResponse) -> Result<LlmResponse, LlmError> {
    let mut texts = Vec::new();
    let mut tool_calls = Vec::new();
    for block in wire.content {
        match block.get("type").and_then(Value::as_str) {
            Some("text") => {
                let text = block
                    .get("text")
                    .and_then(Value::as_str)
                    .ok_or_else(|| LlmError::Malformed("a text block without text".into()))?;
                texts.push(text.to_owned());
            }
            Some("tool_use") => {
                let field = |name: &str| {
                    block
                        .get(name)
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .ok_or_else(|| {
                            LlmError::Malformed(format!("a tool_use block without {name}"))
                        })
                };
                let arguments = match block.get("input") {
                    Some(input @ Value::Object(_)) => Ok(input.clone()),
                    other => Err(format!(
                        "the tool input must be an object, not {}",
                        other.unwrap_or(&Value::Null)
                    )),
                };
                tool_calls.push(ToolCall {
                    id: field("id")?,
                    name: field("name")?,
                    arguments,
                });
            }
            _ => {}
        }
    }
    let stop_reason = match wire.stop_reason.as_deref() {
        Some("end_turn") | Some("stop_sequence") => StopReason::EndTurn,
        Some("tool_use") => StopReason::ToolUse,
        Some("max_tokens") => StopReason::MaxTokens,
        Some(other) => StopReason::Other(other.into()),
        None => StopReason::Other(String::new()),
    };
    Ok(LlmResponse {
        text: texts.join("\n"),
        tool_calls,
        stop_reason,
    })
}

impl LlmProvider for AnthropicProvider {
    fn describe(&self) -> String {
        format!("anthropic/{}", self.config.model)
    }

    async fn complete(&self, request: &LlmRequest) -> Result<LlmResponse, LlmError> {
        let body = to_wire(&self.config, request);
        let wire: WireResponse = post_json(
            &self.client,
            &self.config,
            &self.url,
            self.headers()?,
            &body,
        )
        .await?;
        from_wire(wire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::{ProviderKind, ToolResult, ToolSpec};

    fn request() -> LlmRequest {
        LlmRequest {
            system: "be brief".into(),
            messages: vec![
                Message::User("add a bass".into()),
                Message::Assistant {
                    text: String::new(),
                    tool_calls: vec![ToolCall {
                        id: "tu_1".into(),
                        name: "create_track".into(),
                        arguments: Ok(json!({"name": "Bass"})),
                    }],
                },
                Message::ToolResults(vec![ToolResult {
                    call_id: "tu_1".into(),
                    content: "{\"error\":\"OUT_OF_RANGE\"}".into(),
                    is_error: true,
                }]),
            ],
            tools: vec![ToolSpec {
                name: "create_track".into(),
                description: "Add a track.".into(),
                parameters: json!({"type": "object", "properties": {}}),
            }],
        }
    }

    #[test]
    fn the_conversation_becomes_messages_with_tool_use_and_tool_result_blocks() {
        let config = LlmConfig::new(ProviderKind::Anthropic, "claude-test");
        let request = request();
        let body = serde_json::to_value(to_wire(&config, &request)).unwrap();
        assert_eq!(body["model"], "claude-test");
        assert_eq!(body["system"], "be brief");
        assert_eq!(body["max_tokens"], 4096);
        assert_eq!(body["tools"][0]["input_schema"]["type"], "object");
        let messages = body["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 3);
        assert_eq!(messages[1]["content"][0]["type"], "tool_use");
        assert_eq!(messages[1]["content"][0]["input"]["name"], "Bass");
        assert_eq!(messages[2]["role"], "user");
        assert_eq!(messages[2]["content"][0]["tool_use_id"], "tu_1");
        assert_eq!(messages[2]["content"][0]["is_error"], true);
    }

    #[test]
    fn tool_use_blocks_become_calls_and_stop_reasons_are_read() {
        let wire: WireResponse = serde_json::from_value(json!({
            "content": [
                {"type": "text", "text": "Adding it."},
                {"type": "tool_use", "id": "tu_2", "name": "set_tempo", "input": {"tempo": 90}},
                {"type": "tool_use", "id": "tu_3", "name": "set_tempo", "input": "90"}
            ],
            "stop_reason": "tool_use"
        }))
        .unwrap();
        let response = from_wire(wire).unwrap();
        assert_eq!(response.text, "Adding it.");
        assert_eq!(response.stop_reason, StopReason::ToolUse);
        assert_eq!(response.tool_calls[0].arguments, Ok(json!({"tempo": 90})));
        assert!(response.tool_calls[1].arguments.is_err());
    }

    #[test]
    fn a_tool_use_block_without_an_id_is_malformed() {
        let wire: WireResponse = serde_json::from_value(json!({
            "content": [{"type": "tool_use", "name": "set_tempo", "input": {}}],
            "stop_reason": "tool_use"
        }))
        .unwrap();
        assert!(matches!(from_wire(wire), Err(LlmError::Malformed(_))));
    }
}
