//! Fault knobs per source: fixed latency, random or counted failures (with `Retry-After` on
//! 429), and garbage bodies — one axum middleware applied to each source's router, settable at
//! start and at run time.

use crate::Shared;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// A data source the sandbox serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Slack,
    Discord,
    Kubernetes,
    CloudwatchLogs,
}

/// How one source misbehaves. All zero (the default) means it behaves.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Fault {
    /// Fixed latency added to every request, in milliseconds.
    pub delay_ms: u64,
    /// Probability (0.0–1.0) that a request fails with `error_status`.
    pub error_rate: f64,
    /// Status of injected failures (400–599; 0 means 500). 429 answers carry `Retry-After`.
    pub error_status: u16,
    /// `Retry-After` seconds on injected failures (default 1 for 429, none otherwise).
    pub retry_after: Option<u64>,
    /// Fail exactly the next N requests (deterministic; counted down before `error_rate`).
    pub fail_next: u32,
    /// Probability (0.0–1.0) of a 200 answer with a malformed body.
    pub garbage_rate: f64,
}

impl Fault {
    /// Checks the ranges; the message says which field is wrong.
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [
            ("error_rate", self.error_rate),
            ("garbage_rate", self.garbage_rate),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{name} must be between 0.0 and 1.0, got {v}"));
            }
        }
        if self.error_status != 0 && !(400..=599).contains(&self.error_status) {
            return Err(format!(
                "error_status must be 400–599, got {}",
                self.error_status
            ));
        }
        Ok(())
    }

    fn status(&self) -> StatusCode {
        StatusCode::from_u16(if self.error_status == 0 {
            500
        } else {
            self.error_status
        })
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// The knobs of every source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    pub slack: Fault,
    pub discord: Fault,
    pub kubernetes: Fault,
    pub cloudwatch_logs: Fault,
}

impl Faults {
    pub fn get(&self, s: Source) -> &Fault {
        match s {
            Source::Slack => &self.slack,
            Source::Discord => &self.discord,
            Source::Kubernetes => &self.kubernetes,
            Source::CloudwatchLogs => &self.cloudwatch_logs,
        }
    }

    pub fn get_mut(&mut self, s: Source) -> &mut Fault {
        match s {
            Source::Slack => &mut self.slack,
            Source::Discord => &mut self.discord,
            Source::Kubernetes => &mut self.kubernetes,
            Source::CloudwatchLogs => &mut self.cloudwatch_logs,
        }
    }
}

/// Current knobs plus a seeded RNG, so a given sequence of requests fails the same way each run.
pub(crate) struct FaultState {
    pub faults: Faults,
    rng: fastrand::Rng,
}

impl FaultState {
    pub fn new(faults: Faults) -> Self {
        Self {
            faults,
            rng: fastrand::Rng::with_seed(0x5e_ed),
        }
    }
}

enum Verdict {
    Pass,
    Fail(Fault),
    Garbage,
}

/// The middleware: decides under the lock, sleeps and answers outside it.
pub(crate) async fn layer(
    State((shared, source)): State<(Arc<Shared>, Source)>,
    req: Request,
    next: Next,
) -> Response {
    let (delay, verdict) = {
        let mut st = shared.lock_faults();
        let st = &mut *st;
        let f = st.faults.get_mut(source);
        let delay = f.delay_ms;
        let verdict = if f.fail_next > 0 {
            f.fail_next -= 1;
            Verdict::Fail(f.clone())
        } else if f.error_rate > 0.0 && st.rng.f64() < f.error_rate {
            Verdict::Fail(f.clone())
        } else if f.garbage_rate > 0.0 && st.rng.f64() < f.garbage_rate {
            Verdict::Garbage
        } else {
            Verdict::Pass
        };
        (delay, verdict)
    };
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    match verdict {
        Verdict::Pass => next.run(req).await,
        Verdict::Garbage => {
            tracing::info!(source = ?source, "sandbox fault: garbage body");
            json_response(
                StatusCode::OK,
                b"{\"ok\": tru\x00e, \"items\": [{".to_vec(),
                source,
            )
        }
        Verdict::Fail(f) => {
            let status = f.status();
            tracing::info!(source = ?source, status = status.as_u16(), "sandbox fault: injected failure");
            failure(source, status, &f)
        }
    }
}

fn json_response(status: StatusCode, body: Vec<u8>, source: Source) -> Response {
    let ct = if source == Source::CloudwatchLogs {
        "application/x-amz-json-1.1"
    } else {
        "application/json"
    };
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    r
}

/// The answer each real service gives for `status`.
fn failure(source: Source, status: StatusCode, f: &Fault) -> Response {
    let code = status.as_u16();
    let retry_after = f.retry_after.or((code == 429).then_some(1));
    let reason = status.canonical_reason().unwrap_or("Error");
    let body = match source {
        Source::Slack => {
            let error = match code {
                429 => "ratelimited",
                500..=599 => "fatal_error",
                _ => "request_failed",
            };
            serde_json::json!({"ok": false, "error": error})
        }
        Source::Discord => match code {
            429 => serde_json::json!({
                "message": "You are being rate limited.",
                "retry_after": retry_after.unwrap_or(1) as f64,
                "global": false,
                "code": 0
            }),
            _ => serde_json::json!({"message": format!("{code}: {reason}"), "code": 0}),
        },
        Source::Kubernetes => {
            let k8s_reason = match code {
                429 => "TooManyRequests",
                503 => "ServiceUnavailable",
                504 => "Timeout",
                400 => "BadRequest",
                401 => "Unauthorized",
                403 => "Forbidden",
                404 => "NotFound",
                _ => "InternalError",
            };
            let mut s = serde_json::json!({
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": format!("sandbox fault injection: {reason}"),
                "reason": k8s_reason, "code": code
            });
            if let Some(ra) = retry_after {
                s["details"] = serde_json::json!({"retryAfterSeconds": ra});
            }
            s
        }
        Source::CloudwatchLogs => {
            let ty = match code {
                429 => "ThrottlingException",
                500..=599 => "ServiceUnavailableException",
                _ => "InvalidParameterException",
            };
            serde_json::json!({"__type": ty, "message": format!("sandbox fault injection: {reason}")})
        }
    };
    let mut r = json_response(status, body.to_string().into_bytes(), source);
    if let Some(ra) = retry_after
        && let Ok(v) = HeaderValue::from_str(&ra.to_string())
    {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}
