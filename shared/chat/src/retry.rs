//! Retries for chat API calls: exponential backoff with jitter (backon) on 429, 5xx and network
//! failures, honouring `Retry-After`, capped in attempts and in total time; never on other 4xx.
//! Writes that are not idempotent are retried only when the request cannot have taken effect.

use crate::ApiError;
use backon::{BackoffBuilder, ExponentialBuilder};
use sremesh_core::Platform;
use std::fmt;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// How hard a client tries: per-attempt timeout, attempts and the total time budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all (1 = never retry).
    pub max_attempts: u32,
    /// Time for the whole call — every attempt and every wait. A wait (`Retry-After`
    /// included) that would end past it is not started; the last error is returned instead.
    pub budget: Duration,
    /// Timeout of one attempt (cut to what is left of the budget).
    pub attempt_timeout: Duration,
    /// First backoff delay; it doubles per retry, with jitter, up to `max_delay`.
    pub min_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 5 attempts within 30 s, 10 s per attempt, backoff 250 ms → 8 s.
    fn default() -> Self {
        Self {
            max_attempts: 5,
            budget: Duration::from_secs(30),
            attempt_timeout: Duration::from_secs(10),
            min_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// One attempt with `timeout`, no retry (e.g. the intake's acknowledgements).
    pub fn once(timeout: Duration) -> Self {
        Self {
            max_attempts: 1,
            budget: timeout,
            attempt_timeout: timeout,
            ..Self::default()
        }
    }
}

/// How one attempt failed; decides whether to try again.
#[derive(Debug)]
pub(crate) enum Failure {
    /// 429 (or Slack's `ratelimited`), with the wait the platform asked for.
    RateLimited(Option<Duration>),
    /// 5xx or a connection that never carried the request: safe to retry.
    Unavailable(String),
    /// The connection failed mid-request: a write may have landed.
    Interrupted(String),
    /// A success status with a body we cannot read: a write has landed.
    Unreadable(String),
    /// No answer within the attempt's timeout.
    Timeout(Duration),
    /// Any other 4xx (or Slack `ok: false`): never retried.
    Refused {
        status: u16,
        error: String,
        message: String,
    },
    /// Not an HTTP failure at all (credential, bad request): returned as is.
    Fatal(ApiError),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::RateLimited(Some(d)) => {
                write!(f, "rate limited (retry after {:.1} s)", d.as_secs_f64())
            }
            Failure::RateLimited(None) => f.write_str("rate limited"),
            Failure::Unavailable(r) | Failure::Interrupted(r) => f.write_str(r),
            Failure::Unreadable(r) => write!(f, "unreadable answer: {r}"),
            Failure::Timeout(d) => write!(f, "no answer within {:.1} s", d.as_secs_f64()),
            Failure::Refused { status, error, .. } => write!(f, "refused (HTTP {status}, {error})"),
            Failure::Fatal(e) => write!(f, "{e}"),
        }
    }
}

impl Failure {
    fn retryable(&self, idempotent: bool) -> bool {
        match self {
            Failure::RateLimited(_) | Failure::Unavailable(_) => true,
            Failure::Interrupted(_) | Failure::Unreadable(_) | Failure::Timeout(_) => idempotent,
            Failure::Refused { .. } | Failure::Fatal(_) => false,
        }
    }

    fn into_error(self, platform: Platform) -> ApiError {
        match self {
            Failure::RateLimited(retry_after) => ApiError::RateLimited {
                platform,
                retry_after,
            },
            f @ (Failure::Unavailable(_) | Failure::Interrupted(_) | Failure::Unreadable(_)) => {
                ApiError::Transient {
                    platform,
                    reason: f.to_string(),
                }
            }
            Failure::Timeout(after) => ApiError::Timeout { platform, after },
            Failure::Refused {
                status,
                error,
                message,
            } => ApiError::Permanent {
                platform,
                status,
                error,
                message,
            },
            Failure::Fatal(e) => e,
        }
    }

    /// Classifies a transport error from reqwest.
    pub(crate) fn from_reqwest(e: &reqwest::Error, timeout: Duration, platform: Platform) -> Self {
        if e.is_timeout() {
            Failure::Timeout(timeout)
        } else if e.is_connect() {
            Failure::Unavailable(format!("cannot connect: {e}"))
        } else if e.is_builder() {
            Failure::Fatal(ApiError::Config {
                platform,
                reason: e.to_string(),
            })
        } else {
            Failure::Interrupted(format!("request interrupted: {e}"))
        }
    }
}

/// The wait a 429 (or 503) asked for in its `Retry-After` header (seconds; fractions allowed).
pub(crate) fn retry_after_header(headers: &http::HeaderMap) -> Option<Duration> {
    let v = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    let secs: f64 = v.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(3600.0)))
}

/// The one HTTP client setup of both platforms (rustls with the workspace's ring provider).
pub(crate) fn http_client(platform: Platform) -> Result<reqwest::Client, ApiError> {
    sremesh_core::tls::ensure_crypto_provider();
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| ApiError::Config {
            platform,
            reason: format!("cannot build the HTTP client: {e}"),
        })
}

/// Runs `attempt` (given its timeout) until it succeeds, fails for good, or `policy` is spent.
/// One `chat_delivery_retried` event per retry.
pub(crate) async fn run<T, F, Fut>(
    policy: &RetryPolicy,
    platform: Platform,
    method: &str,
    idempotent: bool,
    mut attempt: F,
) -> Result<T, ApiError>
where
    F: FnMut(Duration) -> Fut,
    Fut: Future<Output = Result<T, Failure>>,
{
    let deadline = Instant::now() + policy.budget;
    let mut backoff = ExponentialBuilder::new()
        .with_jitter()
        .with_min_delay(policy.min_delay)
        .with_max_delay(policy.max_delay)
        .without_max_times()
        .build();
    let mut n = 0u32;
    loop {
        n += 1;
        let left = deadline.saturating_duration_since(Instant::now());
        let timeout = policy
            .attempt_timeout
            .min(left)
            .max(Duration::from_millis(1));
        let failure = match tokio::time::timeout(timeout, attempt(timeout)).await {
            Ok(Ok(v)) => return Ok(v),
            Ok(Err(f)) => f,
            Err(_) => Failure::Timeout(timeout),
        };
        if !failure.retryable(idempotent) || n >= policy.max_attempts.max(1) {
            return Err(failure.into_error(platform));
        }
        let base = backoff.next().unwrap_or(policy.max_delay);
        let delay = match &failure {
            Failure::RateLimited(Some(asked)) => base.max(*asked),
            _ => base,
        };
        if Instant::now() + delay >= deadline {
            return Err(failure.into_error(platform));
        }
        tracing::warn!(
            name: "chat_delivery_retried",
            platform = platform.as_str(),
            method,
            attempt = n,
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            reason = %failure,
            "chat API call retried"
        );
        tokio::time::sleep(delay).await;
    }
}

#[cfg(test)]
mod tests {
    //! The retry loop on tokio's paused clock with scripted attempt outcomes.
    #![allow(clippy::unwrap_used)]

    use super::*;
    use std::collections::VecDeque;
    use std::sync::Mutex;

    /// An outcome of one scripted attempt.
    #[derive(Clone, Copy)]
    enum O {
        Ok,
        RateLimited(u64),
        Unavailable,
        Interrupted,
        Hang,
        Refused,
    }

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            budget: Duration::from_secs(60),
            attempt_timeout: Duration::from_secs(5),
            min_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        }
    }

    /// Runs `script` (one outcome per attempt); returns (attempts, result kind, paused time).
    async fn run_script(script: &[O], idempotent: bool) -> (usize, &'static str, Duration) {
        let queue = Mutex::new(script.iter().copied().collect::<VecDeque<_>>());
        let attempts = Mutex::new(0usize);
        let start = Instant::now();
        let r = run(
            &policy(),
            Platform::Slack,
            "chat.postMessage",
            idempotent,
            |_| {
                *attempts.lock().unwrap() += 1;
                let next = queue.lock().unwrap().pop_front().unwrap_or(O::Ok);
                async move {
                    match next {
                        O::Ok => Ok(()),
                        O::RateLimited(s) => {
                            Err(Failure::RateLimited(Some(Duration::from_secs(s))))
                        }
                        O::Unavailable => Err(Failure::Unavailable("HTTP 503".into())),
                        O::Interrupted => Err(Failure::Interrupted("reset".into())),
                        O::Hang => std::future::pending().await,
                        O::Refused => Err(Failure::Refused {
                            status: 200,
                            error: "channel_not_found".into(),
                            message: String::new(),
                        }),
                    }
                }
            },
        )
        .await;
        let kind = match r {
            Ok(()) => "ok",
            Err(ApiError::RateLimited { .. }) => "rate_limited",
            Err(ApiError::Transient { .. }) => "transient",
            Err(ApiError::Timeout { .. }) => "timeout",
            Err(ApiError::Permanent { .. }) => "permanent",
            Err(_) => "other",
        };
        let n = *attempts.lock().unwrap();
        (n, kind, start.elapsed())
    }

    /// (script, idempotent, attempts made, result, least and most paused time taken).
    type Case = (&'static [O], bool, usize, &'static str, Duration, Duration);

    #[tokio::test(start_paused = true)]
    async fn retry_table() {
        use O::*;
        let secs = Duration::from_secs;
        let cases: [Case; 9] = [
            (&[Ok], false, 1, "ok", secs(0), secs(0)),
            (&[RateLimited(30), Ok], false, 2, "ok", secs(30), secs(31)),
            (
                &[Unavailable, Unavailable, Ok],
                false,
                3,
                "ok",
                Duration::from_millis(200),
                secs(2),
            ),
            (
                &[Unavailable; 5],
                true,
                4,
                "transient",
                Duration::from_millis(300),
                secs(3),
            ),
            (
                &[RateLimited(90)],
                true,
                1,
                "rate_limited",
                secs(0),
                secs(0),
            ),
            (&[Refused], true, 1, "permanent", secs(0), secs(0)),
            (&[Hang], false, 1, "timeout", secs(5), secs(5)),
            (&[Interrupted, Ok], false, 1, "transient", secs(0), secs(0)),
            (&[Hang, Interrupted, Ok], true, 3, "ok", secs(5), secs(7)),
        ];
        for (script, idempotent, attempts, kind, least, most) in cases {
            let (n, k, t) = run_script(script, idempotent).await;
            assert_eq!((n, k), (attempts, kind), "{kind} after {attempts}");
            assert!(
                t >= least && t <= most,
                "{kind}: took {t:?}, expected {least:?}..{most:?}"
            );
        }
    }
}
