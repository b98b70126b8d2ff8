//! Errors of the Slack and Discord API clients, typed by what the caller should do.

use sremesh_core::{Platform, SecretError};
use std::time::Duration;

/// A chat API call that did not succeed (after the retries its [`crate::RetryPolicy`] allowed).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// Rate limited, and waiting longer did not fit the retry budget: try again after
    /// `retry_after` (when the platform said).
    #[error("{} rate limited the call{}", platform.as_str(),
        retry_after.map(|d| format!(" (retry after {:.1} s)", d.as_secs_f64())).unwrap_or_default())]
    RateLimited {
        platform: Platform,
        retry_after: Option<Duration>,
    },
    /// A 5xx answer, a network failure or an unreadable answer, and the retries ran out: try
    /// again later.
    #[error("{} is unavailable: {reason}", platform.as_str())]
    Transient { platform: Platform, reason: String },
    /// The platform refused the request (unknown channel, bad token, missing scope…): do not
    /// retry; fix the request or the configuration. `error` is Slack's error code
    /// (`channel_not_found`, `not_authed`, `invalid_auth`) or Discord's JSON error code
    /// (`10003`); `message` is Discord's message (empty for Slack).
    #[error("{} refused the call (HTTP {status}, {error}){}", platform.as_str(),
        if message.is_empty() { String::new() } else { format!(": {message}") })]
    Permanent {
        platform: Platform,
        status: u16,
        error: String,
        message: String,
    },
    /// No answer within `after`. A write may or may not have taken effect.
    #[error("{} did not answer within {:.1} s", platform.as_str(), after.as_secs_f64())]
    Timeout { platform: Platform, after: Duration },
    /// The bot token could not be read: fix the secret (or retry when the store is down).
    #[error("{} token unavailable: {source}", platform.as_str())]
    Credential {
        platform: Platform,
        #[source]
        source: SecretError,
    },
    /// The request could not be built (a malformed base URL or id): fix the configuration.
    #[error("{} request cannot be built: {reason}", platform.as_str())]
    Config { platform: Platform, reason: String },
}

impl ApiError {
    /// The platform that answered.
    pub fn platform(&self) -> Platform {
        match self {
            ApiError::RateLimited { platform, .. }
            | ApiError::Transient { platform, .. }
            | ApiError::Permanent { platform, .. }
            | ApiError::Timeout { platform, .. }
            | ApiError::Credential { platform, .. }
            | ApiError::Config { platform, .. } => *platform,
        }
    }

    /// True when trying again later may succeed (rate limit, outage, timeout, secret store).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ApiError::RateLimited { .. }
                | ApiError::Transient { .. }
                | ApiError::Timeout { .. }
                | ApiError::Credential {
                    source: SecretError::Unavailable { .. },
                    ..
                }
        )
    }

    /// Slack's error code of a refused call (`channel_not_found`), if this is one.
    pub fn slack_error(&self) -> Option<&str> {
        match self {
            ApiError::Permanent {
                platform: Platform::Slack,
                error,
                ..
            } => Some(error),
            _ => None,
        }
    }

    /// Discord's JSON error code of a refused call (`10003` Unknown Channel), if this is one.
    pub fn discord_code(&self) -> Option<u64> {
        match self {
            ApiError::Permanent {
                platform: Platform::Discord,
                error,
                ..
            } => error.parse().ok(),
            _ => None,
        }
    }
}
