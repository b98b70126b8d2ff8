//! The AWS JSON 1.1 edge: target dispatch, request context, errors in the AWS shape, page tokens.

use super::{events, groups, queries, store::Store};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The account id in every ARN the sandbox hands out.
pub(crate) const ACCOUNT_ID: &str = "123456789012";
const TARGET_PREFIX: &str = "Logs_20140328.";
const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// Shared state behind the router.
pub(crate) struct Service {
    pub store: Store,
    pub queries: queries::Registry,
}

/// What every operation may need to know about the request besides its body.
pub(crate) struct Ctx {
    /// The region named in the SigV4 credential scope (`us-east-1` when absent).
    pub region: String,
}

impl Ctx {
    pub fn group_arn(&self, name: &str) -> String {
        format!("arn:aws:logs:{}:{ACCOUNT_ID}:log-group:{name}", self.region)
    }
}

/// An error answered to the client; the variant is the AWS error code.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    /// The named log group, stream or query does not exist: the caller should check the name.
    #[error("{0}")]
    ResourceNotFound(String),
    /// A parameter is missing, out of range or inconsistent: the caller should fix the request.
    #[error("{0}")]
    InvalidParameter(String),
    /// The Insights query is outside the supported language: the caller should rewrite it.
    #[error("{message}")]
    MalformedQuery {
        message: String,
        start: usize,
        end: usize,
    },
    /// The target names no operation this service knows.
    #[error("{0}")]
    UnknownOperation(String),
    /// The body is not the JSON the operation expects.
    #[error("{0}")]
    Serialization(String),
}

impl ApiError {
    fn code(&self) -> &'static str {
        match self {
            Self::ResourceNotFound(_) => "ResourceNotFoundException",
            Self::InvalidParameter(_) => "InvalidParameterException",
            Self::MalformedQuery { .. } => "MalformedQueryException",
            Self::UnknownOperation(_) => "UnknownOperationException",
            Self::Serialization(_) => "SerializationException",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({"__type": self.code(), "message": self.to_string()});
        if let Self::MalformedQuery {
            message,
            start,
            end,
        } = &self
        {
            body["queryCompileError"] = json!({
                "location": {"startCharOffset": start, "endCharOffset": end},
                "message": message,
            });
        }
        reply(StatusCode::BAD_REQUEST, &body)
    }
}

fn reply(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

/// The single entry point: routes on `X-Amz-Target`.
pub(crate) async fn handle(
    State(service): State<Arc<Service>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let op = target.strip_prefix(TARGET_PREFIX).unwrap_or_default();
    let ctx = Ctx {
        region: region_from_authorization(&headers),
    };
    let result = dispatch(&service, &ctx, op, &body);
    match result {
        Ok(value) => {
            tracing::debug!(op, status = 200, "cloudwatch logs request");
            reply(StatusCode::OK, &value)
        }
        Err(err) => {
            tracing::debug!(op, status = 400, code = err.code(), error = %err, "cloudwatch logs request");
            err.into_response()
        }
    }
}

fn dispatch(service: &Service, ctx: &Ctx, op: &str, body: &[u8]) -> Result<Value, ApiError> {
    let store = &service.store;
    match op {
        "DescribeLogGroups" => groups::describe_log_groups(store, ctx, parse(body)?),
        "DescribeLogStreams" => groups::describe_log_streams(store, ctx, parse(body)?),
        "FilterLogEvents" => events::filter_log_events(store, parse(body)?),
        "GetLogEvents" => events::get_log_events(store, parse(body)?),
        "StartQuery" => queries::start_query(service, parse(body)?),
        "GetQueryResults" => queries::get_query_results(&service.queries, parse(body)?),
        "StopQuery" => queries::stop_query(&service.queries, parse(body)?),
        _ => Err(ApiError::UnknownOperation(format!(
            "operation '{op}' is not served by this CloudWatch Logs sandbox (target prefix {TARGET_PREFIX})"
        ))),
    }
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| ApiError::Serialization(e.to_string()))
}

/// `AWS4-HMAC-SHA256 Credential=AKID/20260418/eu-west-1/logs/aws4_request, ...` → `eu-west-1`.
fn region_from_authorization(headers: &HeaderMap) -> String {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|auth| auth.split("Credential=").nth(1))
        .and_then(|scope| scope.split('/').nth(2))
        .filter(|r| {
            !r.is_empty()
                && r.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
        .unwrap_or("us-east-1")
        .to_string()
}

/// Checks an optional `limit` against `1..=max`, defaulting to `default`.
pub(crate) fn limit(value: Option<i64>, default: usize, max: usize) -> Result<usize, ApiError> {
    match value {
        None => Ok(default),
        Some(n) if n >= 1 && n as u64 <= max as u64 => Ok(n as usize),
        Some(n) => Err(ApiError::InvalidParameter(format!(
            "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: \
             Member must have value between 1 and {max}"
        ))),
    }
}

/// Opaque, resumable page tokens: an offset bound to the request that produced it.
pub(crate) mod page_token {
    use super::*;

    /// A fingerprint of the request parameters a token is valid for.
    pub fn fingerprint(parts: &impl Hash) -> u64 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        parts.hash(&mut hasher);
        hasher.finish()
    }

    pub fn encode(fingerprint: u64, offset: usize) -> String {
        format!("{fingerprint:016x}{offset:016x}")
    }

    /// The offset a token resumes at; `None` token means the first page.
    pub fn decode(token: Option<&str>, fingerprint: u64) -> Result<usize, ApiError> {
        let Some(token) = token else { return Ok(0) };
        let invalid = || ApiError::InvalidParameter("The specified nextToken is invalid.".into());
        if token.len() != 32 || !token.is_ascii() {
            return Err(invalid());
        }
        let (fp, offset) = token.split_at(16);
        let fp = u64::from_str_radix(fp, 16).map_err(|_| invalid())?;
        let offset = usize::from_str_radix(offset, 16).map_err(|_| invalid())?;
        if fp != fingerprint {
            return Err(invalid());
        }
        Ok(offset)
    }
}
