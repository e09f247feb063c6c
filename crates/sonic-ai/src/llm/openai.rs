//! The OpenAI-compatible chat completions API (OpenAI, Ollama, llama.cpp's server, vLLM):
//! `POST {base}/chat/completions` with `tools`; `tool_calls` in the answer, results go back
//! as `role: tool` messages, `finish_reason` says why it stopped.

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::http::{client, post_json};
use super::{
    LlmConfig, LlmError, LlmProvider, LlmRequest, LlmResponse, Message, StopReason, ToolCall,
};

/// A client of an OpenAI-compatible chat completions API.
#[derive(Debug, Clone)]
pub struct OpenAiProvider {
    config: LlmConfig,
    client: reqwest::Client,
    url: String,
}

impl OpenAiProvider {
    /// A client for `config` (its base URL with `/v1`, e.g. `http://localhost:11434/v1`).
    pub fn new(config: LlmConfig) -> Result<Self, LlmError> {
        let url = format!("{}/chat/completions", config.base_url.trim_end_matches('/'));
        Ok(OpenAiProvider {
            client: client(&config)?,
            config,
            url,
        })
    }

    fn headers(&self) -> Result<HeaderMap, LlmError> {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(key) = &self.config.api_key {
            let value = HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| {
                LlmError::InvalidConfig {
                    variable: "SONIC_LLM_API_KEY".into(),
                    value: "(hidden)".into(),
                    expected: "printable ASCII".into(),
                }
            })?;
            headers.insert(AUTHORIZATION, value);
        }
        Ok(headers)
    }
}

#[derive(Serialize)]
struct WireRequest<'a> {
    model: &'a str,
    max_tokens: u32,
    messages: Vec<Value>,
    tools: Vec<Value>,
}

#[derive(Deserialize)]
struct WireResponse {
    choices: Vec<WireChoice>,
}

#[derive(Deserialize)]
struct WireChoice {
    message: WireMessage,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct WireMessage {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    tool_calls: Vec<WireToolCall>,
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
    /// A JSON string by the spec; some servers send the object itself.
    #[serde(default)]
    arguments: Value,
}

/// The request body for `request`.
fn to_wire<'a>(config: &'a LlmConfig, request: &'a LlmRequest) -> WireRequest<'a> {
    let mut messages = vec![json!({"role": "system", "content": request.system})];
    for message in &request.messages {
        match message {
            Message::User(text) => messages.push(json!({"role": "user", "content": text})),
            Message::Assistant { text, tool_calls } => {
                let mut wire = json!({"role": "assistant", "content": text});
                if !tool_calls.is_empty() {
                    let calls: Vec<Value> = tool_calls
                        .iter()
                        .map(|call| {
                            let arguments = match &call.arguments {
                                Ok(value) => value.to_string(),
                                Err(_) => "{}".into(),
                            };
                            json!({"id": call.id, "type": "function",
                                   "function": {"name": call.name, "arguments": arguments}})
                        })
                        .collect();
                    wire["tool_calls"] = Value::Array(calls);
                }
                messages.push(wire);
            }
            // The protocol has no error flag on a tool message: say it in the content.
            Message::ToolResults(results) => messages.extend(results.iter().map(|r| {
                let content = if r.is_error {
                    format!("ERROR: {}", r.content)
                } else {
                    r.content.clone()
                };
                json!({"role": "tool", "tool_call_id": r.call_id, "content": content})
            })),
        }
    }
    let tools = request
        .tools
        .iter()
        .map(|t| {
            json!({"type": "function", "function": {
                "name": t.name, "description": t.description, "parameters": t.parameters}})
        })
        .collect();
    WireRequest {
        model: &config.model,
        max_tokens: config.max_tokens,
        messages,
        tools,
    }
}

/// The arguments of a call: a JSON object, given as a string or as the object itself.
fn arguments(value: Value) -> Result<Value, String> {
    let parsed = match value {
        Value::String(text) if text.trim().is_empty() => json!({}),
        Value::String(text) => serde_json::from_str(&text)
            .map_err(|e| format!("the arguments are not JSON ({e}): {text}"))?,
        Value::Null => json!({}),
        other => other,
    };
    match parsed {
        Value::Object(_) => Ok(parsed),
        other => Err(format!("the arguments must be a JSON object, not {other}")),
    }
}

fn from_wire(wire: WireResponse) -> Result<LlmResponse, LlmError> {
    let choice = wire
        .choices
        .into_iter()
        .next()
        .ok_or_else(|| LlmError::Malformed("no choices in the answer".into()))?;
    let tool_calls = choice
        .message
        .tool_calls
        .into_iter()
        .enumerate()
        .map(|(i, call)| ToolCall {
            id: call.id.unwrap_or_else(|| format!("call_{i}")),
            name: call.function.name,
            arguments: arguments(call.function.arguments),
        })
        .collect();
    let stop_reason = match choice.finish_reason.as_deref() {
        Some("stop") => StopReason::EndTurn,
        Some("tool_calls") | Some("function_call") => StopReason::ToolUse,
        Some("length") => StopReason::MaxTokens,
        Some(other) => StopReason::Other(other.into()),
        None => StopReason::Other(String::new()),
    };
    Ok(LlmResponse {
        text: choice.message.content.unwrap_or_default(),
        tool_calls,
        stop_reason,
    })
}

impl LlmProvider for OpenAiProvider {
    fn describe(&self) -> String {
        format!("openai/{}", self.config.model)
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

    #[test]
    fn the_conversation_becomes_chat_messages_with_tool_calls_and_tool_roles() {
        let config = LlmConfig::new(ProviderKind::OpenAi, "llama3.1");
        let request = LlmRequest {
            system: "be brief".into(),
            messages: vec![
                Message::User("faster".into()),
                Message::Assistant {
                    text: String::new(),
                    tool_calls: vec![ToolCall {
                        id: "c1".into(),
                        name: "set_tempo".into(),
                        arguments: Ok(json!({"tempo": 140})),
                    }],
                },
                Message::ToolResults(vec![ToolResult {
                    call_id: "c1".into(),
                    content: "{}".into(),
                    is_error: true,
                }]),
            ],
            tools: vec![ToolSpec {
                name: "set_tempo".into(),
                description: "Set the tempo.".into(),
                parameters: json!({"type": "object"}),
            }],
        };
        let body = serde_json::to_value(to_wire(&config, &request)).unwrap();
        let messages = body["messages"].as_array().unwrap();
        assert_eq!(messages[0]["role"], "system");
        assert_eq!(
            messages[2]["tool_calls"][0]["function"]["arguments"],
            "{\"tempo\":140}"
        );
        assert_eq!(messages[3]["role"], "tool");
        assert_eq!(messages[3]["tool_call_id"], "c1");
        assert!(messages[3]["content"]
            .as_str()
            .unwrap()
            .starts_with("ERROR"));
        assert_eq!(body["tools"][0]["function"]["name"], "set_tempo");
    }

    #[test]
    fn tool_calls_are_read_from_strings_or_objects_and_bad_json_is_kept_as_an_error() {
        let wire: WireResponse = serde_json::from_value(json!({"choices": [{
            "message": {"content": null, "tool_calls": [
                {"id": "a", "type": "function", "function": {"name": "set_tempo", "arguments": "{\"tempo\": 90}"}},
                {"type": "function", "function": {"name": "set_tempo", "arguments": {"tempo": 91}}},
                {"id": "c", "type": "function", "function": {"name": "set_tempo", "arguments": "{tempo"}}
            ]},
            "finish_reason": "tool_calls"
        }]}))
        .unwrap();
        let response = from_wire(wire).unwrap();
        assert_eq!(response.stop_reason, StopReason::ToolUse);
        assert_eq!(response.text, "");
        assert_eq!(response.tool_calls[0].arguments, Ok(json!({"tempo": 90})));
        assert_eq!(response.tool_calls[1].id, "call_1");
        assert_eq!(response.tool_calls[1].arguments, Ok(json!({"tempo": 91})));
        assert!(response.tool_calls[2].arguments.is_err());
    }

    #[test]
    fn an_answer_without_choices_is_malformed() {
        let wire: WireResponse = serde_json::from_value(json!({"choices": []})).unwrap();
        assert!(matches!(from_wire(wire), Err(LlmError::Malformed(_))));
    }
}
