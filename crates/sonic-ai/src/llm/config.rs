//! [`LlmConfig`]: which provider, where, which model, with which key, read from the
//! environment.

use std::time::Duration;

use super::LlmError;

/// Every variable [`LlmConfig::from_env`] reads.
pub const ENV_VARIABLES: &[&str] = &[
    "SONIC_LLM_PROVIDER",
    "SONIC_LLM_BASE_URL",
    "SONIC_LLM_MODEL",
    "SONIC_LLM_API_KEY",
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "SONIC_LLM_TIMEOUT_SECS",
    "SONIC_LLM_MAX_RETRIES",
    "SONIC_LLM_RETRY_DELAY_MS",
    "SONIC_LLM_MAX_TOKENS",
];

/// The protocol a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    /// The Anthropic Messages API.
    Anthropic,
    /// The OpenAI-compatible chat completions API (OpenAI, Ollama, llama.cpp, vLLM).
    OpenAi,
}

impl ProviderKind {
    /// `anthropic` or `openai`.
    pub fn name(self) -> &'static str {
        match self {
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::OpenAi => "openai",
        }
    }

    /// The base URL the provider's own SDK uses by default.
    pub fn default_base_url(self) -> &'static str {
        match self {
            ProviderKind::Anthropic => "https://api.anthropic.com",
            ProviderKind::OpenAi => "https://api.openai.com/v1",
        }
    }

    /// The provider's usual API-key variable.
    pub fn key_variable(self) -> &'static str {
        match self {
            ProviderKind::Anthropic => "ANTHROPIC_API_KEY",
            ProviderKind::OpenAi => "OPENAI_API_KEY",
        }
    }
}

/// How to reach a model.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmConfig {
    /// The protocol.
    pub provider: ProviderKind,
    /// Base URL as the provider's SDK takes it: Anthropic without `/v1` (requests go to
    /// `{base}/v1/messages`), OpenAI-compatible with it (`{base}/chat/completions`).
    pub base_url: String,
    /// Model name.
    pub model: String,
    /// API key; optional for a local OpenAI-compatible server (Ollama needs none).
    pub api_key: Option<String>,
    /// Time allowed for one HTTP request (default 120 s).
    pub timeout: Duration,
    /// Retries after a 429 or 5xx answer or a failed connection (default 3).
    pub max_retries: u32,
    /// First retry delay, doubled each time (default 1 s); a `Retry-After` header wins,
    /// within [`MAX_RETRY_DELAY`].
    pub retry_delay: Duration,
    /// Output tokens per answer (default 4096).
    pub max_tokens: u32,
}

/// The longest wait before a retry, whatever the provider asks for.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(30);

impl LlmConfig {
    /// A configuration with the defaults: the provider's own base URL, 120 s timeout,
    /// 3 retries from 1 s, 4096 output tokens.
    pub fn new(provider: ProviderKind, model: impl Into<String>) -> Self {
        LlmConfig {
            provider,
            base_url: provider.default_base_url().into(),
            model: model.into(),
            api_key: None,
            timeout: Duration::from_secs(120),
            max_retries: 3,
            retry_delay: Duration::from_secs(1),
            max_tokens: 4096,
        }
    }

    /// Reads the configuration from the process environment (see [`ENV_VARIABLES`]).
    pub fn from_env() -> Result<Self, LlmError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads the configuration from `var` (a variable name to its value).
    ///
    /// `SONIC_LLM_PROVIDER` and `SONIC_LLM_MODEL` are required; the key comes from
    /// `SONIC_LLM_API_KEY`, else the provider's usual variable, and is required when the
    /// base URL is the provider's own.
    ///
    /// ```
    /// use sonic_ai::llm::{LlmConfig, ProviderKind};
    ///
    /// // Ollama: OpenAI-compatible, base URL with /v1, no key needed.
    /// let config = LlmConfig::from_vars(|name| match name {
    ///     "SONIC_LLM_PROVIDER" => Some("openai".into()),
    ///     "SONIC_LLM_BASE_URL" => Some("http://localhost:11434/v1".into()),
    ///     "SONIC_LLM_MODEL" => Some("llama3.1".into()),
    ///     _ => None,
    /// })?;
    /// assert_eq!(config.provider, ProviderKind::OpenAi);
    /// assert_eq!(config.api_key, None);
    /// # Ok::<(), sonic_ai::llm::LlmError>(())
    /// ```
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, LlmError> {
        let var = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let provider = match var("SONIC_LLM_PROVIDER").as_deref() {
            None => return Err(LlmError::NotConfigured),
            Some("anthropic") => ProviderKind::Anthropic,
            Some("openai") => ProviderKind::OpenAi,
            Some(other) => return Err(invalid("SONIC_LLM_PROVIDER", other, "anthropic or openai")),
        };
        let model = var("SONIC_LLM_MODEL")
            .ok_or_else(|| LlmError::MissingConfig("SONIC_LLM_MODEL".into()))?;
        let mut config = LlmConfig::new(provider, model);
        if let Some(base) = var("SONIC_LLM_BASE_URL") {
            if !(base.starts_with("http://") || base.starts_with("https://")) {
                return Err(invalid(
                    "SONIC_LLM_BASE_URL",
                    &base,
                    "an http:// or https:// URL",
                ));
            }
            config.base_url = base.trim_end_matches('/').to_owned();
        }
        config.api_key = var("SONIC_LLM_API_KEY").or_else(|| var(provider.key_variable()));
        if config.api_key.is_none() && config.base_url == provider.default_base_url() {
            return Err(LlmError::MissingConfig(format!(
                "SONIC_LLM_API_KEY (or {})",
                provider.key_variable()
            )));
        }
        if let Some(text) = var("SONIC_LLM_TIMEOUT_SECS") {
            let seconds: f64 = text
                .parse()
                .ok()
                .filter(|s: &f64| s.is_finite() && *s > 0.0 && *s <= 3600.0)
                .ok_or_else(|| invalid("SONIC_LLM_TIMEOUT_SECS", &text, "seconds, 0 < s ≤ 3600"))?;
            config.timeout = Duration::from_secs_f64(seconds);
        }
        if let Some(text) = var("SONIC_LLM_MAX_RETRIES") {
            config.max_retries = parse_in(&text, "SONIC_LLM_MAX_RETRIES", 0, 10)?;
        }
        if let Some(text) = var("SONIC_LLM_RETRY_DELAY_MS") {
            let ms = parse_in(&text, "SONIC_LLM_RETRY_DELAY_MS", 0, 30_000)?;
            config.retry_delay = Duration::from_millis(ms.into());
        }
        if let Some(text) = var("SONIC_LLM_MAX_TOKENS") {
            config.max_tokens = parse_in(&text, "SONIC_LLM_MAX_TOKENS", 1, 1_000_000)?;
        }
        Ok(config)
    }

    /// The delay before retry number `attempt` (0-based): `retry_delay × 2^attempt`, or what
    /// the provider asked for, never more than [`MAX_RETRY_DELAY`].
    pub fn backoff(&self, attempt: u32, asked: Option<Duration>) -> Duration {
        let doubled = self.retry_delay.saturating_mul(1 << attempt.min(16));
        asked.unwrap_or(doubled).min(MAX_RETRY_DELAY)
    }
}

fn invalid(variable: &str, value: &str, expected: &str) -> LlmError {
    LlmError::InvalidConfig {
        variable: variable.into(),
        value: value.into(),
        expected: expected.into(),
    }
}

fn parse_in(text: &str, variable: &str, min: u32, max: u32) -> Result<u32, LlmError> {
    text.parse()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| {
            invalid(
                variable,
                text,
                &format!("a whole number from {min} to {max}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(vars: &[(&str, &str)]) -> Result<LlmConfig, LlmError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        LlmConfig::from_vars(|name| map.get(name).cloned())
    }

    #[test]
    fn no_provider_is_one_error_naming_the_variables() {
        let err = read(&[("ANTHROPIC_API_KEY", "k")]).unwrap_err();
        assert_eq!(err, LlmError::NotConfigured);
        let text = err.to_string();
        for name in [
            "SONIC_LLM_PROVIDER",
            "SONIC_LLM_MODEL",
            "SONIC_LLM_API_KEY",
            "SONIC_LLM_BASE_URL",
        ] {
            assert!(text.contains(name), "{text}");
        }
    }

    #[test]
    fn anthropic_uses_its_own_base_url_and_key_variable() {
        let config = read(&[
            ("SONIC_LLM_PROVIDER", "anthropic"),
            ("SONIC_LLM_MODEL", "claude-test"),
            ("ANTHROPIC_API_KEY", "secret"),
        ])
        .unwrap();
        assert_eq!(config.base_url, "https://api.anthropic.com");
        assert_eq!(config.api_key.as_deref(), Some("secret"));
        assert_eq!(config.model, "claude-test");
    }

    #[test]
    fn a_local_openai_compatible_server_needs_no_key() {
        let config = read(&[
            ("SONIC_LLM_PROVIDER", "openai"),
            ("SONIC_LLM_MODEL", "llama3.1"),
            ("SONIC_LLM_BASE_URL", "http://localhost:11434/v1/"),
            ("SONIC_LLM_TIMEOUT_SECS", "0.5"),
            ("SONIC_LLM_MAX_RETRIES", "0"),
        ])
        .unwrap();
        assert_eq!(config.base_url, "http://localhost:11434/v1");
        assert_eq!(config.api_key, None);
        assert_eq!(config.timeout, Duration::from_millis(500));
        assert_eq!(config.max_retries, 0);
    }

    #[test]
    fn bad_values_name_the_variable() {
        let base = [("SONIC_LLM_MODEL", "m"), ("SONIC_LLM_API_KEY", "k")];
        let with = |extra: (&str, &str)| {
            let mut vars = base.to_vec();
            vars.push(("SONIC_LLM_PROVIDER", "openai"));
            vars.push(extra);
            read(&vars).unwrap_err().to_string()
        };
        assert!(read(&[("SONIC_LLM_PROVIDER", "gemini")])
            .unwrap_err()
            .to_string()
            .contains("SONIC_LLM_PROVIDER"));
        assert!(with(("SONIC_LLM_TIMEOUT_SECS", "soon")).contains("SONIC_LLM_TIMEOUT_SECS"));
        assert!(with(("SONIC_LLM_BASE_URL", "ftp://x")).contains("SONIC_LLM_BASE_URL"));
        assert!(with(("SONIC_LLM_MAX_RETRIES", "99")).contains("SONIC_LLM_MAX_RETRIES"));
        let missing = read(&[("SONIC_LLM_PROVIDER", "openai"), ("SONIC_LLM_MODEL", "m")]);
        assert!(missing.unwrap_err().to_string().contains("OPENAI_API_KEY"));
        let no_model = read(&[("SONIC_LLM_PROVIDER", "openai")]).unwrap_err();
        assert_eq!(no_model, LlmError::MissingConfig("SONIC_LLM_MODEL".into()));
    }

    #[test]
    fn backoff_doubles_and_is_bounded() {
        let config = LlmConfig::new(ProviderKind::OpenAi, "m");
        assert_eq!(config.backoff(0, None), Duration::from_secs(1));
        assert_eq!(config.backoff(2, None), Duration::from_secs(4));
        assert_eq!(config.backoff(10, None), MAX_RETRY_DELAY);
        assert_eq!(
            config.backoff(0, Some(Duration::from_secs(3600))),
            MAX_RETRY_DELAY
        );
        assert_eq!(
            config.backoff(3, Some(Duration::from_millis(5))),
            Duration::from_millis(5)
        );
    }
}
