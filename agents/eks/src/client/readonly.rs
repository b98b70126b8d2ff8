//! Defense in depth: a tower layer on the Kubernetes client that refuses every request that is not
//! a GET or HEAD before it leaves the process, whatever RBAC would have allowed.

use http::{Method, Request};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tower::{BoxError, Layer, Service};

/// A request the read-only guard refused (a bug in the agent if it ever happens).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refused {method} {path}: the EKS agent is read-only")]
pub struct ReadOnlyViolation {
    pub method: String,
    pub path: String,
}

/// Wraps a service so only `GET` and `HEAD` requests reach it.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOnlyLayer;

impl<S> Layer<S> for ReadOnlyLayer {
    type Service = ReadOnly<S>;
    fn layer(&self, inner: S) -> Self::Service {
        ReadOnly { inner }
    }
}

/// The service [`ReadOnlyLayer`] builds.
#[derive(Debug, Clone)]
pub struct ReadOnly<S> {
    inner: S,
}

type BoxFut<T> = Pin<Box<dyn Future<Output = Result<T, BoxError>> + Send>>;

impl<S, B> Service<Request<B>> for ReadOnly<S>
where
    S: Service<Request<B>>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = BoxFut<S::Response>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        if req.method() != Method::GET && req.method() != Method::HEAD {
            let violation = ReadOnlyViolation {
                method: req.method().to_string(),
                path: req.uri().path().to_owned(),
            };
            tracing::error!(method = %violation.method, path = %violation.path, "read_only_violation");
            return Box::pin(async move { Err(Box::new(violation) as BoxError) });
        }
        let fut = self.inner.call(req);
        Box::pin(async move { fut.await.map_err(Into::into) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tower::ServiceExt;

    /// Every method but GET and HEAD is refused before the inner service sees it.
    #[tokio::test]
    async fn only_get_and_head_pass() {
        let seen = Arc::new(AtomicUsize::new(0));
        let counter = seen.clone();
        let inner = tower::service_fn(move |_req: Request<()>| {
            counter.fetch_add(1, Ordering::SeqCst);
            async { Ok::<_, BoxError>(http::Response::new(())) }
        });
        let svc = ReadOnlyLayer.layer(inner);
        let cases = [
            (Method::GET, true),
            (Method::HEAD, true),
            (Method::POST, false),
            (Method::PUT, false),
            (Method::PATCH, false),
            (Method::DELETE, false),
            (Method::OPTIONS, false),
        ];
        for (method, allowed) in cases {
            let before = seen.load(Ordering::SeqCst);
            let req = Request::builder()
                .method(method.clone())
                .uri("/api/v1/namespaces/x/pods/y")
                .body(())
                .unwrap();
            let out = svc.clone().oneshot(req).await;
            assert_eq!(out.is_ok(), allowed, "{method}");
            let passed = seen.load(Ordering::SeqCst) > before;
            assert_eq!(passed, allowed, "{method} reached the inner service");
            if !allowed {
                let err = out.unwrap_err();
                let v = err.downcast_ref::<ReadOnlyViolation>().unwrap();
                assert_eq!(v.method, method.as_str());
                assert_eq!(v.path, "/api/v1/namespaces/x/pods/y");
            }
        }
    }
}
