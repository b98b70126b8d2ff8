//! The model provider contract (one chat turn with tools), its errors, and the retry policy
//! every provider applies: only throttling and 5xx are retried, with exponential backoff, and
//! the whole call — retries included — runs under the caller's timeout.

use crate::message::{ChatRequest, ChatResponse};
use backon::{ExponentialBuilder, Retryable};
use futures::future::BoxFuture;
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// A model endpoint: one chat turn with tools.
pub trait Provider: Send + Sync + std::fmt::Debug {
    /// The model id as configured (`us.anthropic.claude-haiku-4-5-20251001-v1:0`,
    /// `openai:qwen2.5:7b`): the key of the price table and of telemetry.
    fn model(&self) -> &str;

    /// Runs one turn. Must return (an error at worst) within `timeout`, retries included.
    fn chat<'a>(
        &'a self,
        request: &'a ChatRequest,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<ChatResponse, ProviderError>>;
}

/// Why a model call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// No answer within the call's time budget: answer with what you have.
    #[error("model call timed out after {0:?}")]
    Timeout(Duration),
    /// Still throttled after every retry: back off, answer without the model this time.
    #[error("model throttled after {attempts} attempt(s): {message}")]
    Throttled { attempts: u32, message: String },
    /// The service failed (5xx, or the model itself timed out) after every retry: answer
    /// without the model this time.
    #[error("model service failed after {attempts} attempt(s) (status {status:?}): {message}")]
    Unavailable {
        attempts: u32,
        status: Option<u16>,
        message: String,
    },
    /// The request was refused (4xx: bad request, auth, unknown model, guardrail config):
    /// fix the configuration; never retried.
    #[error("model rejected the request (status {status:?}): {message}")]
    Rejected {
        status: Option<u16>,
        message: String,
    },
    /// The endpoint could not be reached (connection refused, DNS, TLS): check the URL.
    #[error("cannot reach the model endpoint: {0}")]
    Connect(String),
    /// The answer could not be read (not the provider's wire format).
    #[error("unreadable model response: {0}")]
    Decode(String),
    /// The request could not be built from the conversation (a bug or a bad tool spec).
    #[error("cannot build the model request: {0}")]
    Request(String),
}

impl ProviderError {
    /// True for the errors worth another attempt (throttling, 5xx).
    pub fn is_retryable(&self) -> bool {
        match self {
            ProviderError::Throttled { .. } => true,
            ProviderError::Unavailable { status, .. } => status.is_none_or(|s| s >= 500),
            _ => false,
        }
    }

    fn with_attempts(self, n: u32) -> Self {
        match self {
            ProviderError::Throttled { message, .. } => ProviderError::Throttled {
                attempts: n,
                message,
            },
            ProviderError::Unavailable {
                status, message, ..
            } => ProviderError::Unavailable {
                attempts: n,
                status,
                message,
            },
            other => other,
        }
    }
}

/// One failed attempt: the error, and how long the server asked us to wait (`Retry-After`).
#[derive(Debug)]
pub(crate) struct AttemptError {
    pub error: ProviderError,
    pub retry_after: Option<Duration>,
}

impl From<ProviderError> for AttemptError {
    fn from(error: ProviderError) -> Self {
        Self {
            error,
            retry_after: None,
        }
    }
}

/// Retries of one model call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all (1 = never retry).
    pub max_attempts: u32,
    /// First backoff delay (doubled each retry, with jitter).
    pub min_delay: Duration,
    /// Longest backoff delay (also caps a server's `Retry-After`).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            min_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(4),
        }
    }
}

/// Runs `attempt` with the policy's retries, all of it under `timeout`.
pub(crate) async fn call_with_retries<T, F, Fut>(
    policy: RetryPolicy,
    timeout: Duration,
    model: &str,
    attempt: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AttemptError>>,
{
    let attempts = AtomicU32::new(0);
    let mut attempt = attempt;
    let counted = || {
        attempts.fetch_add(1, Ordering::Relaxed);
        attempt()
    };
    let max_delay = policy.max_delay;
    let backoff = ExponentialBuilder::default()
        .with_min_delay(policy.min_delay)
        .with_max_delay(policy.max_delay)
        .with_max_times(policy.max_attempts.saturating_sub(1) as usize)
        .with_jitter();
    let run = counted
        .retry(backoff)
        .sleep(tokio::time::sleep)
        .when(|e: &AttemptError| e.error.is_retryable())
        .adjust(|e: &AttemptError, next| {
            next.map(|d| e.retry_after.map_or(d, |ra| ra.min(max_delay)))
        })
        .notify(|e: &AttemptError, wait| {
            tracing::warn!(model, error = %e.error, wait_ms = wait.as_millis() as u64, "model_call_retried");
        });
    match tokio::time::timeout(timeout, run).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(e.error.with_attempts(attempts.load(Ordering::Relaxed))),
        Err(_) => Err(ProviderError::Timeout(timeout)),
    }
}

/// Parses a `Retry-After` header given in seconds (the HTTP-date form is ignored).
pub(crate) fn retry_after_secs(value: Option<&str>) -> Option<Duration> {
    value?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(3600.0)))
}
