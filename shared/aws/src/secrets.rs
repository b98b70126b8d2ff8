//! Credentials held in AWS Secrets Manager, as a [`SecretSource`]: `GetSecretValue` by ARN,
//! cached for a refresh TTL so that rotation takes effect without a restart; when a refresh
//! fails the last good value is served until it is older than a maximum staleness, then the
//! failure is returned. [`secret_source`] turns a config value (a literal, or a Secrets
//! Manager ARN) into a source.

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::DisplayErrorContext;
use sremesh_core::secret::SecretFuture;
use sremesh_core::{Secret, SecretError, SecretSource};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OnceCell};
use tokio::time::Instant;

/// How long values are cached and how stale they may get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
    /// A value younger than this is served without asking Secrets Manager.
    pub ttl: Duration,
    /// When a refresh fails, the last good value is served until it is this old.
    pub max_stale: Duration,
    /// After a failed refresh, wait this long before asking again (serving the stale value,
    /// or repeating the failure, meanwhile).
    pub retry_after_failure: Duration,
    /// Timeout of one `GetSecretValue`.
    pub fetch_timeout: Duration,
}

impl Default for CachePolicy {
    /// TTL 5 min, stale values up to 1 h, 30 s between failed refreshes, 10 s per call.
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(300),
            max_stale: Duration::from_secs(3600),
            retry_after_failure: Duration::from_secs(30),
            fetch_timeout: Duration::from_secs(10),
        }
    }
}

/// True for a Secrets Manager ARN in any partition (`arn:aws:secretsmanager:…`,
/// `arn:aws-cn:secretsmanager:…`).
pub fn is_secret_arn(value: &str) -> bool {
    let mut parts = value.trim().splitn(4, ':');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some("arn"), Some(p), Some("secretsmanager")) if p.starts_with("aws")
    )
}

/// The source for a configured value: a Secrets Manager ARN is resolved (client built on
/// first use from [`crate::sdk_config`], in the ARN's region); anything else is the secret itself.
pub fn secret_source(value: &str) -> Arc<dyn SecretSource> {
    if is_secret_arn(value) {
        Arc::new(SecretsManagerSource::from_fetch(
            value,
            Box::new(SdkFetch::lazy()),
            CachePolicy::default(),
        ))
    } else {
        Arc::new(Secret::new(value))
    }
}

/// Like [`secret_source`], with an explicit client (tests point it at moto).
pub fn secret_source_with(value: &str, client: &Client) -> Arc<dyn SecretSource> {
    if is_secret_arn(value) {
        Arc::new(SecretsManagerSource::new(
            client.clone(),
            value,
            CachePolicy::default(),
        ))
    } else {
        Arc::new(Secret::new(value))
    }
}

type FetchFuture<'a> = Pin<Box<dyn Future<Output = Result<String, String>> + Send + 'a>>;

/// Reads the current value of a secret (the SDK in production, a script in tests).
pub(crate) trait Fetch: Send + Sync {
    fn fetch<'a>(&'a self, arn: &'a str) -> FetchFuture<'a>;
}

/// `GetSecretValue` through the SDK; the client is given, or built on first use.
struct SdkFetch {
    client: OnceCell<Client>,
}

impl SdkFetch {
    fn lazy() -> Self {
        Self {
            client: OnceCell::new(),
        }
    }
}

impl Fetch for SdkFetch {
    fn fetch<'a>(&'a self, arn: &'a str) -> FetchFuture<'a> {
        Box::pin(async move {
            let client = self
                .client
                .get_or_init(|| async {
                    // The ARN names its region; a client elsewhere could not read it.
                    let region = arn.split(':').nth(3).filter(|r| !r.is_empty());
                    let conf = crate::sdk_config(crate::CallPolicy::default(), region).await;
                    Client::new(&conf)
                })
                .await;
            let out = client
                .get_secret_value()
                .secret_id(arn)
                .send()
                .await
                .map_err(|e| DisplayErrorContext(&e).to_string())?;
            if let Some(s) = out.secret_string() {
                return Ok(s.to_owned());
            }
            match out.secret_binary() {
                Some(b) => String::from_utf8(b.as_ref().to_vec())
                    .map_err(|_| "the secret's binary value is not UTF-8".to_owned()),
                None => Err("the secret has no value".to_owned()),
            }
        })
    }
}

struct Cached {
    value: Secret,
    fetched_at: Instant,
}

#[derive(Default)]
struct State {
    cached: Option<Cached>,
    /// The last failed refresh: when, and why.
    failure: Option<(Instant, String)>,
}

/// A secret read from Secrets Manager by ARN, cached per [`CachePolicy`].
pub struct SecretsManagerSource {
    arn: String,
    fetch: Box<dyn Fetch>,
    policy: CachePolicy,
    state: Mutex<State>,
}

impl std::fmt::Debug for SecretsManagerSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretsManagerSource")
            .field("arn", &self.arn)
            .field("policy", &self.policy)
            .finish()
    }
}

impl SecretsManagerSource {
    /// The secret `arn`, read with `client`.
    pub fn new(client: Client, arn: &str, policy: CachePolicy) -> Self {
        let cell = OnceCell::new_with(Some(client));
        Self::from_fetch(arn, Box::new(SdkFetch { client: cell }), policy)
    }

    pub(crate) fn from_fetch(arn: &str, fetch: Box<dyn Fetch>, policy: CachePolicy) -> Self {
        Self {
            arn: arn.trim().to_owned(),
            fetch,
            policy,
            state: Mutex::new(State::default()),
        }
    }

    /// The secret's ARN.
    pub fn arn(&self) -> &str {
        &self.arn
    }

    async fn current(&self) -> Result<Secret, SecretError> {
        // One refresh at a time: callers arriving during it wait for its answer.
        let mut st = self.state.lock().await;
        let now = Instant::now();
        let age = |c: &Cached| now.saturating_duration_since(c.fetched_at);
        if let Some(c) = st.cached.as_ref().filter(|c| age(c) < self.policy.ttl) {
            return Ok(c.value.clone());
        }
        let usable = st
            .cached
            .as_ref()
            .filter(|c| age(c) < self.policy.max_stale)
            .map(|c| c.value.clone());
        if let Some((at, reason)) = &st.failure
            && now.saturating_duration_since(*at) < self.policy.retry_after_failure
        {
            return usable.ok_or_else(|| self.unavailable(reason.clone()));
        }
        let fetched = tokio::time::timeout(self.policy.fetch_timeout, self.fetch.fetch(&self.arn))
            .await
            .unwrap_or_else(|_| {
                Err(format!(
                    "no answer within {:.1} s",
                    self.policy.fetch_timeout.as_secs_f64()
                ))
            });
        match fetched {
            Ok(v) => {
                let value = Secret::new(v);
                st.cached = Some(Cached {
                    value: value.clone(),
                    fetched_at: Instant::now(),
                });
                st.failure = None;
                tracing::debug!(arn = %self.arn, "secret refreshed");
                Ok(value)
            }
            Err(reason) => {
                st.failure = Some((Instant::now(), reason.clone()));
                match usable {
                    Some(v) => {
                        tracing::warn!(name: "secret_refresh_failed", arn = %self.arn, reason = %reason,
                            serving = "last good value", "secret refresh failed");
                        Ok(v)
                    }
                    None => {
                        tracing::error!(name: "secret_unavailable", arn = %self.arn, reason = %reason,
                            "secret cannot be read");
                        Err(self.unavailable(reason))
                    }
                }
            }
        }
    }

    fn unavailable(&self, reason: String) -> SecretError {
        SecretError::Unavailable {
            name: self.arn.clone(),
            reason,
        }
    }
}

impl SecretSource for SecretsManagerSource {
    fn get(&self) -> SecretFuture<'_> {
        Box::pin(self.current())
    }
}

#[cfg(test)]
mod tests {
    //! TTL, staleness and failure backoff on tokio's paused clock, with a scripted fetch.
    #![allow(clippy::unwrap_used)]

    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Answers from a script (`Ok` value / `Err` reason) in turn; counts calls.
    struct Script {
        answers: std::sync::Mutex<Vec<Result<&'static str, &'static str>>>,
        calls: Arc<AtomicUsize>,
    }

    impl Fetch for Script {
        fn fetch<'a>(&'a self, _: &'a str) -> FetchFuture<'a> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let next = self.answers.lock().unwrap().remove(0);
            Box::pin(async move { next.map(str::to_owned).map_err(str::to_owned) })
        }
    }

    const ARN: &str = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-bot-AbCdEf";

    fn source(
        script: Vec<Result<&'static str, &'static str>>,
    ) -> (SecretsManagerSource, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let fetch = Script {
            answers: std::sync::Mutex::new(script),
            calls: calls.clone(),
        };
        (
            SecretsManagerSource::from_fetch(ARN, Box::new(fetch), CachePolicy::default()),
            calls,
        )
    }

    async fn at(secs: u64) {
        tokio::time::advance(Duration::from_secs(secs)).await;
    }

    /// Each step: advance the clock by `secs`, then `get()` → expected value or error; the
    /// fetch count after the step.
    async fn check(
        src: &SecretsManagerSource,
        calls: &AtomicUsize,
        steps: &[(u64, Result<&str, ()>, usize)],
    ) {
        for (i, (secs, want, n)) in steps.iter().enumerate() {
            at(*secs).await;
            let got = src.get().await;
            match (want, &got) {
                (Ok(v), Ok(s)) => assert_eq!(s.expose(), *v, "step {i}"),
                (Err(()), Err(SecretError::Unavailable { name, .. })) => assert_eq!(name, ARN),
                _ => panic!("step {i}: got {got:?}"),
            }
            assert_eq!(calls.load(Ordering::SeqCst), *n, "fetches after step {i}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn cached_until_the_ttl_then_refreshed() {
        let (src, calls) = source(vec![Ok("v1"), Ok("v2")]);
        check(
            &src,
            &calls,
            &[
                (0, Ok("v1"), 1),
                (299, Ok("v1"), 1),
                (1, Ok("v2"), 2),
                (10, Ok("v2"), 2),
            ],
        )
        .await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_refresh_serves_the_last_value_until_max_stale() {
        let (src, calls) = source(vec![
            Ok("v1"),
            Err("throttled"),
            Err("throttled"),
            Err("down"),
            Ok("v2"),
        ]);
        check(
            &src,
            &calls,
            &[
                (0, Ok("v1"), 1),
                (300, Ok("v1"), 2), // refresh fails: stale value served
                (10, Ok("v1"), 2),  // within the failure backoff: no new call
                (30, Ok("v1"), 3),  // tried again, failed again, still fresh enough
                (3300, Err(()), 4), // 1 h old now: the failure is returned
                (5, Err(()), 4),    // backoff: the failure repeats without a call
                (30, Ok("v2"), 5),  // the store is back
            ],
        )
        .await;
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_fetch() {
        let (src, calls) = source(vec![Ok("v1")]);
        let (a, b) = tokio::join!(src.get(), src.get());
        assert_eq!((a.unwrap().expose(), b.unwrap().expose()), ("v1", "v1"));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn arns_are_told_from_literals() {
        let cases = [
            (ARN, true),
            ("arn:aws-cn:secretsmanager:cn-north-1:1:secret:x", true),
            (" arn:aws:secretsmanager:us-east-1:1:secret:x ", true),
            ("arn:aws:ssm:us-east-1:1:parameter/x", false),
            ("xoxb-123-abc", false),
            ("", false),
        ];
        for (value, want) in cases {
            assert_eq!(is_secret_arn(value), want, "{value:?}");
        }
    }
}
