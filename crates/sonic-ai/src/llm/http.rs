//! The HTTP call both providers make: POST JSON, retry 429/5xx and failed connections with a
//! bounded backoff, turn everything else into an [`LlmError`].

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{LlmConfig, LlmError};

/// How much of an error body goes into a message.
const BODY_EXCERPT: usize = 500;

/// A client with the configured timeout.
pub(crate) fn client(config: &LlmConfig) -> Result<reqwest::Client, LlmError> {
    reqwest::Client::builder()
        .timeout(config.timeout)
        .connect_timeout(config.timeout.min(Duration::from_secs(10)))
        .build()
        .map_err(|e| LlmError::Unreachable {
            url: config.base_url.clone(),
            reason: format!("cannot build an HTTP client: {e}"),
        })
}

/// POSTs `body` to `url` with `headers` and reads the answer as `T`.
pub(crate) async fn post_json<B: Serialize, T: DeserializeOwned>(
    client: &reqwest::Client,
    config: &LlmConfig,
    url: &str,
    headers: HeaderMap,
    body: &B,
) -> Result<T, LlmError> {
    let mut attempt = 0;
    loop {
        let sent = client
            .post(url)
            .headers(headers.clone())
            .json(body)
            .send()
            .await;
        let (error, asked) = match sent {
            Ok(response) if response.status().is_success() => {
                let bytes = response
                    .bytes()
                    .await
                    .map_err(|e| transport(url, config, e))?;
                return serde_json::from_slice(&bytes).map_err(|e| {
                    LlmError::Malformed(format!(
                        "{e}: {}",
                        excerpt(&String::from_utf8_lossy(&bytes))
                    ))
                });
            }
            Ok(response) => {
                let status = response.status();
                let asked = retry_after(response.headers());
                let body = response.text().await.unwrap_or_default();
                let error = LlmError::Status {
                    status: status.as_u16(),
                    body: excerpt(&body),
                };
                if !retryable(status) {
                    return Err(error);
                }
                (error, asked)
            }
            Err(e) if e.is_connect() => (transport(url, config, e), None),
            Err(e) => return Err(transport(url, config, e)),
        };
        if attempt >= config.max_retries {
            return Err(error);
        }
        let delay = config.backoff(attempt, asked);
        tracing::warn!(%error, attempt, ?delay, "LLM request failed; retrying");
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

fn retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// `Retry-After` in seconds (the HTTP-date form is rare from LLM APIs and ignored).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: f64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(3600.0)))
}

fn transport(url: &str, config: &LlmConfig, e: reqwest::Error) -> LlmError {
    if e.is_timeout() {
        LlmError::Timeout {
            url: url.into(),
            seconds: config.timeout.as_secs_f64(),
        }
    } else {
        // The causes hold the useful part ("Connection refused"); the top message only
        // repeats the URL.
        let mut causes = Vec::new();
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            causes.push(cause.to_string());
            source = cause.source();
        }
        let reason = if causes.is_empty() {
            e.to_string()
        } else {
            causes.join(": ")
        };
        LlmError::Unreachable {
            url: url.into(),
            reason,
        }
    }
}

fn excerpt(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(BODY_EXCERPT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn rate_limits_and_server_errors_are_retried_but_client_errors_are_not() {
        assert!(retryable(StatusCode::TOO_MANY_REQUESTS));
        assert!(retryable(StatusCode::BAD_GATEWAY));
        assert!(!retryable(StatusCode::BAD_REQUEST));
        assert!(!retryable(StatusCode::UNAUTHORIZED));
    }

    #[test]
    fn retry_after_in_seconds_is_read() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn long_bodies_are_cut() {
        let long = "x".repeat(2000);
        assert_eq!(excerpt(&long).chars().count(), BODY_EXCERPT + 1);
        assert_eq!(excerpt(" short "), "short");
    }
}
