//! Language-model providers for the chat agent: one provider-neutral conversation
//! ([`LlmRequest`] in, [`LlmResponse`] out) and two implementations over plain HTTP, the
//! Anthropic Messages API ([`AnthropicProvider`]) and the OpenAI-compatible chat completions
//! API ([`OpenAiProvider`], which Ollama, llama.cpp's server and vLLM serve too). Both retry
//! 429 and 5xx answers with a bounded exponential backoff and time out.

mod anthropic;
mod config;
mod http;
mod openai;

use std::future::Future;

use serde_json::Value;

pub use anthropic::AnthropicProvider;
pub use config::{LlmConfig, ProviderKind, ENV_VARIABLES, MAX_RETRY_DELAY};
pub use openai::OpenAiProvider;

/// A tool the model may call: a name, what it does, and the JSON Schema of its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    /// Tool name (an action name).
    pub name: String,
    /// What it does.
    pub description: String,
    /// JSON Schema of the arguments (an object).
    pub parameters: Value,
}

/// A tool call the model made.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    /// The provider's id of the call, echoed with its result.
    pub id: String,
    /// Tool name.
    pub name: String,
    /// The arguments, or why they could not be read (OpenAI sends them as a JSON string the
    /// model wrote; a broken one goes back to the model as an error, not a provider failure).
    pub arguments: Result<Value, String>,
}

/// The answer to one tool call, sent back to the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolResult {
    /// The id of the call answered.
    pub call_id: String,
    /// The tool's output (JSON text).
    pub content: String,
    /// The call failed: the model should read the content and correct itself.
    pub is_error: bool,
}

/// One message of the conversation, provider-neutral.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// What the person wrote.
    User(String),
    /// What the model answered: text and tool calls.
    Assistant {
        /// Text (may be empty when the model only called tools).
        text: String,
        /// Tool calls, in order.
        tool_calls: Vec<ToolCall>,
    },
    /// The results of the previous assistant message's tool calls.
    ToolResults(Vec<ToolResult>),
}

/// One request to the model.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmRequest {
    /// System prompt.
    pub system: String,
    /// The conversation so far.
    pub messages: Vec<Message>,
    /// The tools offered.
    pub tools: Vec<ToolSpec>,
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    /// It finished its turn.
    EndTurn,
    /// It wants the results of its tool calls.
    ToolUse,
    /// It ran out of output tokens.
    MaxTokens,
    /// Anything else the provider reported.
    Other(String),
}

/// The model's answer to one request.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmResponse {
    /// Text of the answer (may be empty).
    pub text: String,
    /// Tool calls, in order.
    pub tool_calls: Vec<ToolCall>,
    /// Why it stopped.
    pub stop_reason: StopReason,
}

/// Why a provider call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LlmError {
    /// No provider is configured; names the variables to set.
    #[error(
        "no LLM provider configured: set SONIC_LLM_PROVIDER (anthropic|openai), SONIC_LLM_MODEL, \
         SONIC_LLM_API_KEY (or ANTHROPIC_API_KEY / OPENAI_API_KEY) and, for a local or \
         compatible server, SONIC_LLM_BASE_URL"
    )]
    NotConfigured,
    /// A configuration variable holds a bad value.
    #[error("{variable}={value:?} is invalid: {expected}")]
    InvalidConfig {
        /// The variable.
        variable: String,
        /// Its value.
        value: String,
        /// What was expected.
        expected: String,
    },
    /// A required variable is missing.
    #[error("{0} is not set")]
    MissingConfig(String),
    /// The provider could not be reached (connection refused, DNS, TLS).
    #[error("cannot reach the LLM provider at {url}: {reason}")]
    Unreachable {
        /// The URL called.
        url: String,
        /// What failed.
        reason: String,
    },
    /// No answer within the timeout.
    #[error("the LLM provider at {url} did not answer within {seconds} s")]
    Timeout {
        /// The URL called.
        url: String,
        /// The timeout.
        seconds: f64,
    },
    /// The provider answered with an error status (after the retries for 429/5xx).
    #[error("the LLM provider answered HTTP {status}: {body}")]
    Status {
        /// HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// The answer is not what the protocol says.
    #[error("the LLM provider sent an unreadable answer: {0}")]
    Malformed(String),
}

/// A language model that answers a conversation, possibly with tool calls.
pub trait LlmProvider: Send + Sync {
    /// `provider/model`, for messages.
    fn describe(&self) -> String;

    /// Sends the conversation and returns the model's next message.
    fn complete(
        &self,
        request: &LlmRequest,
    ) -> impl Future<Output = Result<LlmResponse, LlmError>> + Send;
}

/// The provider a [`LlmConfig`] names.
#[derive(Debug, Clone)]
pub enum Provider {
    /// Anthropic Messages API.
    Anthropic(AnthropicProvider),
    /// OpenAI-compatible chat completions.
    OpenAi(OpenAiProvider),
}

impl Provider {
    /// The provider for `config`.
    pub fn new(config: LlmConfig) -> Result<Self, LlmError> {
        Ok(match config.provider {
            ProviderKind::Anthropic => Provider::Anthropic(AnthropicProvider::new(config)?),
            ProviderKind::OpenAi => Provider::OpenAi(OpenAiProvider::new(config)?),
        })
    }

    /// The provider configured by the environment (see [`LlmConfig::from_env`]).
    pub fn from_env() -> Result<Self, LlmError> {
        Self::new(LlmConfig::from_env()?)
    }
}

impl LlmProvider for Provider {
    fn describe(&self) -> String {
        match self {
            Provider::Anthropic(p) => p.describe(),
            Provider::OpenAi(p) => p.describe(),
        }
    }

    async fn complete(&self, request: &LlmRequest) -> Result<LlmResponse, LlmError> {
        match self {
            Provider::Anthropic(p) => p.complete(request).await,
            Provider::OpenAi(p) => p.complete(request).await,
        }
    }
}
