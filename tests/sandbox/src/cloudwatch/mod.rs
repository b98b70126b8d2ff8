//! CloudWatch Logs over the AWS JSON 1.1 protocol, serving a scenario's log groups.
//!
//! `POST /` with `X-Amz-Target: Logs_20140328.<Operation>` and an
//! `application/x-amz-json-1.1` body, exactly what the Rust SDK (`aws-sdk-cloudwatchlogs`) and
//! boto3 send. Any credentials and signature are accepted (SigV4 is not verified; the region in
//! the signature's credential scope is used for ARNs, `us-east-1` when there is none). Errors use
//! the AWS JSON shape `{"__type": "...", "message": "..."}` with HTTP 400.
//!
//! Operations: `DescribeLogGroups`, `DescribeLogStreams`, `FilterLogEvents`, `GetLogEvents`,
//! `StartQuery`, `GetQueryResults`, `StopQuery`; any other target answers
//! `UnknownOperationException`.
//!
//! - Filter patterns (`FilterLogEvents`): see [`filter_pattern`] for the exact supported syntax.
//! - Logs Insights (`StartQuery`): see [`insights`] for the exact supported subset; anything
//!   outside it answers `MalformedQueryException` naming what is unsupported.
//!
//! Module map: `wire` (protocol, errors, dispatch), `store` (log groups, streams, event ids),
//! `groups` (DescribeLogGroups/Streams), `events` (FilterLogEvents/GetLogEvents), `queries`
//! (the Insights query registry and its three operations), `filter_pattern` + `filter_json`
//! (filter-pattern parser and matcher), `insights` (query parser and evaluator).

mod events;
mod filter_json;
pub mod filter_pattern;
mod groups;
pub mod insights;
mod queries;
mod store;
mod wire;

use std::sync::Arc;

/// One log group of a scenario, with all its events (in any order).
#[derive(Debug, Clone, PartialEq)]
pub struct LogGroupData {
    /// The log group name, e.g. `/aws/containerinsights/payments-prod-eks/application`.
    pub name: String,
    /// Its events; streams are the distinct `stream` values.
    pub events: Vec<EventData>,
}

/// One log event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventData {
    /// Event time, milliseconds since the Unix epoch (UTC).
    pub timestamp_ms: i64,
    /// The log stream the event belongs to.
    pub stream: String,
    /// The raw message (JSON messages get their fields discovered by Logs Insights).
    pub message: String,
}

/// The CloudWatch Logs service over `groups`: `POST /` with `X-Amz-Target: Logs_20140328.<Op>`.
pub fn router(groups: Vec<LogGroupData>) -> axum::Router {
    let service = Arc::new(wire::Service {
        store: store::Store::new(groups),
        queries: queries::Registry::default(),
    });
    axum::Router::new()
        .route("/", axum::routing::post(wire::handle))
        .with_state(service)
}
