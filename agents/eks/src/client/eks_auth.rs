//! EKS access without kubectl or the AWS CLI: the cluster's endpoint and CA from
//! `DescribeCluster`, and the bearer token aws-iam-authenticator accepts — `k8s-aws-v1.` plus
//! base64url (no padding) of an STS `GetCallerIdentity` URL presigned with the header
//! `x-k8s-aws-id: <cluster>` and a 60 s expiry. A tower layer on the client puts a fresh token on
//! every request and replaces it well before it expires.

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures::future::BoxFuture;
use http::{HeaderValue, Request, header::AUTHORIZATION};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};
use tokio::time::Instant;
use tower::{BoxError, Layer, Service};

/// What every EKS bearer token starts with.
pub const TOKEN_PREFIX: &str = "k8s-aws-v1.";
/// The presigned URL's `X-Amz-Expires` (aws-iam-authenticator requires 60).
pub const PRESIGN_EXPIRY: Duration = Duration::from_secs(60);
/// A token older than this is replaced before the next request (well inside its expiry).
pub const REFRESH_AFTER: Duration = Duration::from_secs(45);

/// Why no token could be made.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TokenError {
    /// No AWS credentials (env, profile, IRSA, instance role): configure them.
    #[error("no AWS credentials for the EKS token: {0}")]
    Credentials(String),
    /// The request could not be signed (a bug, or a malformed region / cluster name).
    #[error("cannot presign the STS request for the EKS token: {0}")]
    Sign(String),
}

/// A bearer token and when it was made.
#[derive(Clone)]
pub struct BearerToken {
    pub value: String,
    pub made: Instant,
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BearerToken")
            .field("value", &"[redacted]")
            .field("made", &self.made)
            .finish()
    }
}

impl BearerToken {
    /// True once the token should be replaced.
    pub fn stale(&self) -> bool {
        self.made.elapsed() >= REFRESH_AFTER
    }
}

/// Presigns `GetCallerIdentity` for `cluster` in `region` at `at` and encodes it as an EKS token.
pub fn presign_token(
    cluster: &str,
    region: &str,
    creds: &Credentials,
    at: SystemTime,
) -> Result<String, TokenError> {
    let url =
        format!("https://sts.{region}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15");
    let identity = creds.clone().into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(PRESIGN_EXPIRY);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("sts")
        .time(at)
        .settings(settings)
        .build()
        .map_err(|e| TokenError::Sign(e.to_string()))?
        .into();
    let signable = SignableRequest::new(
        "GET",
        &url,
        std::iter::once(("x-k8s-aws-id", cluster)),
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| TokenError::Sign(e.to_string()))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| TokenError::Sign(e.to_string()))?
        .into_parts();
    let mut req = Request::builder()
        .uri(url.as_str())
        .body(())
        .map_err(|e| TokenError::Sign(e.to_string()))?;
    instructions.apply_to_request_http1x(&mut req);
    Ok(format!(
        "{TOKEN_PREFIX}{}",
        URL_SAFE_NO_PAD.encode(req.uri().to_string())
    ))
}

/// Makes tokens for one cluster from an AWS credentials provider.
pub struct TokenSource {
    cluster: String,
    region: String,
    credentials: SharedCredentialsProvider,
    made: AtomicU64,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("cluster", &self.cluster)
            .field("region", &self.region)
            .finish()
    }
}

impl TokenSource {
    pub fn new(
        cluster: impl Into<String>,
        region: impl Into<String>,
        credentials: SharedCredentialsProvider,
    ) -> Self {
        Self {
            cluster: cluster.into(),
            region: region.into(),
            credentials,
            made: AtomicU64::new(0),
        }
    }

    /// A fresh token (credentials are cached by their provider).
    pub async fn token(&self) -> Result<BearerToken, TokenError> {
        let creds = self
            .credentials
            .provide_credentials()
            .await
            .map_err(|e| TokenError::Credentials(e.to_string()))?;
        let value = presign_token(&self.cluster, &self.region, &creds, SystemTime::now())?;
        self.made.fetch_add(1, Ordering::Relaxed);
        Ok(BearerToken {
            value,
            made: Instant::now(),
        })
    }

    /// How many tokens this source has made.
    pub fn tokens_made(&self) -> u64 {
        self.made.load(Ordering::Relaxed)
    }
}

/// Puts `Authorization: Bearer <EKS token>` on every request, refreshing the token when stale.
#[derive(Debug, Clone)]
pub struct EksTokenLayer {
    source: Arc<TokenSource>,
}

impl EksTokenLayer {
    pub fn new(source: Arc<TokenSource>) -> Self {
        Self { source }
    }
}

impl<S> Layer<S> for EksTokenLayer {
    type Service = EksToken<S>;
    fn layer(&self, inner: S) -> Self::Service {
        EksToken {
            inner,
            source: self.source.clone(),
            current: None,
            pending: None,
        }
    }
}

/// The service [`EksTokenLayer`] builds. The refresh runs in `poll_ready`, so `call` always has
/// a fresh token at hand.
pub struct EksToken<S> {
    inner: S,
    source: Arc<TokenSource>,
    current: Option<BearerToken>,
    pending: Option<BoxFuture<'static, Result<BearerToken, TokenError>>>,
}

impl<S, B> Service<Request<B>> for EksToken<S>
where
    S: Service<Request<B>>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<S::Response, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        loop {
            if let Some(fut) = self.pending.as_mut() {
                match fut.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(token)) => {
                        self.current = Some(token);
                        self.pending = None;
                    }
                    Poll::Ready(Err(e)) => {
                        self.pending = None;
                        return Poll::Ready(Err(Box::new(e)));
                    }
                }
            }
            if self.current.as_ref().is_none_or(BearerToken::stale) {
                let source = self.source.clone();
                self.pending = Some(Box::pin(async move { source.token().await }));
                continue;
            }
            return self.inner.poll_ready(cx).map_err(Into::into);
        }
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        if let Some(t) = &self.current
            && let Ok(mut v) = HeaderValue::from_str(&format!("Bearer {}", t.value))
        {
            v.set_sensitive(true);
            req.headers_mut().insert(AUTHORIZATION, v);
        }
        let fut = self.inner.call(req);
        Box::pin(async move { fut.await.map_err(Into::into) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use tower::ServiceExt;

    fn creds() -> Credentials {
        Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            Some("session".into()),
            None,
            "test",
        )
    }

    fn decode(token: &str) -> String {
        let b64 = token.strip_prefix(TOKEN_PREFIX).expect("prefix");
        assert!(!b64.contains('='), "no padding");
        assert!(
            b64.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "base64url alphabet"
        );
        String::from_utf8(URL_SAFE_NO_PAD.decode(b64).unwrap()).unwrap()
    }

    /// The token is the presigned STS URL aws-iam-authenticator verifies.
    #[test]
    fn token_is_a_presigned_get_caller_identity_url() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_776_507_900); // 2026-04-18T10:25:00Z
        let token = presign_token("payments-prod-eks", "us-east-1", &creds(), at).unwrap();
        let url = decode(&token);
        let checks = [
            "https://sts.us-east-1.amazonaws.com/?",
            "Action=GetCallerIdentity",
            "Version=2011-06-15",
            "X-Amz-Algorithm=AWS4-HMAC-SHA256",
            "X-Amz-Credential=AKIDEXAMPLE%2F20260418%2Fus-east-1%2Fsts%2Faws4_request",
            "X-Amz-Date=20260418T102500Z",
            "X-Amz-Expires=60",
            "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id",
            "X-Amz-Security-Token=session",
            "X-Amz-Signature=",
        ];
        for c in checks {
            assert!(url.contains(c), "{c} missing in {url}");
        }
        let sig = url.split("X-Amz-Signature=").nth(1).unwrap();
        let sig: String = sig.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
        assert_eq!(sig.len(), 64, "{url}");
        // Deterministic for the same inputs; the cluster name is part of the signature.
        assert_eq!(
            presign_token("payments-prod-eks", "us-east-1", &creds(), at).unwrap(),
            token
        );
        assert_ne!(
            presign_token("other", "us-east-1", &creds(), at).unwrap(),
            token
        );
    }

    /// The layer reuses a token while it is fresh and makes a new one once it is 45 s old, well
    /// before the 60 s expiry.
    #[tokio::test(start_paused = true)]
    async fn layer_refreshes_the_token_before_it_expires() {
        let source = Arc::new(TokenSource::new(
            "c1",
            "eu-west-1",
            SharedCredentialsProvider::new(creds()),
        ));
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = seen.clone();
        let inner = tower::service_fn(move |req: Request<()>| {
            let auth = req
                .headers()
                .get(AUTHORIZATION)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            log.lock().unwrap().push(auth);
            async { Ok::<_, BoxError>(http::Response::new(())) }
        });
        let mut svc = EksTokenLayer::new(source.clone()).layer(inner);
        let req = || Request::builder().uri("/version").body(()).unwrap();
        let steps = [(0u64, 1u64), (20, 1), (20, 1), (10, 2), (30, 2), (20, 3)];
        for (advance, tokens) in steps {
            tokio::time::advance(Duration::from_secs(advance)).await;
            svc.ready().await.unwrap().call(req()).await.unwrap();
            assert_eq!(source.tokens_made(), tokens, "after +{advance}s");
        }
        let seen = seen.lock().unwrap();
        assert!(
            seen.iter()
                .all(|a| a.starts_with(&format!("Bearer {TOKEN_PREFIX}")))
        );
    }
}
