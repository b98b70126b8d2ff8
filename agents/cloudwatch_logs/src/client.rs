//! The CloudWatch Logs client: read-only calls (DescribeLogGroups, StartQuery / GetQueryResults /
//! StopQuery, FilterLogEvents), each under an explicit timeout and the caller's deadline, with
//! errors sorted by what the caller should do.

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudwatchlogs::types::QueryStatus;
use jiff::Timestamp;
use sremesh_agent::Deadline;
use std::future::Future;
use std::time::Duration;

/// Why a call failed, by what the caller should do about it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LogsError {
    /// Credentials are missing, invalid or not allowed: the deployment must be fixed
    /// (the agent is unhealthy, not this request).
    #[error("CloudWatch Logs refused the credentials ({code}): {message}")]
    Unauthorized { code: String, message: String },
    /// The endpoint could not be reached (DNS, connection, TLS): unhealthy until it can.
    #[error("CloudWatch Logs is unreachable: {0}")]
    Unreachable(String),
    /// The query or a parameter was rejected: rewrite it or fall back to FilterLogEvents.
    #[error("CloudWatch Logs rejected the request ({code}): {message}")]
    Rejected { code: String, message: String },
    /// Throttled or a server-side failure: retry later; this request answers with what it has.
    #[error("CloudWatch Logs failed ({code}): {message}")]
    Service { code: String, message: String },
    /// The answer could not be read (malformed body): retry later.
    #[error("CloudWatch Logs sent a response that could not be read: {0}")]
    Malformed(String),
    /// The deadline came first.
    #[error("no answer from CloudWatch Logs within the time left ({0:.1}s)")]
    Deadline(f64),
}

impl LogsError {
    /// True when the agent cannot work in this deployment at all.
    pub fn is_unhealthy(&self) -> bool {
        matches!(
            self,
            LogsError::Unauthorized { .. } | LogsError::Unreachable(_)
        )
    }

    fn from_sdk<E, R>(e: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let detail = source_chain(&e);
        match e {
            SdkError::ServiceError(se) => {
                let err = se.err();
                // A 2xx/4xx/5xx whose body names no error code could not be read at all.
                let Some(code) = err.code().map(str::to_owned) else {
                    return LogsError::Malformed(detail);
                };
                let message = err.message().unwrap_or("").to_owned();
                match code.as_str() {
                    "AccessDeniedException"
                    | "AccessDenied"
                    | "UnrecognizedClientException"
                    | "InvalidClientTokenId"
                    | "ExpiredTokenException"
                    | "InvalidSignatureException"
                    | "IncompleteSignature"
                    | "MissingAuthenticationToken"
                    | "UnauthorizedOperation" => LogsError::Unauthorized { code, message },
                    "MalformedQueryException"
                    | "InvalidParameterException"
                    | "ResourceNotFoundException"
                    | "UnknownOperationException"
                    | "InvalidOperationException"
                    | "LimitExceededException"
                    | "SerializationException" => LogsError::Rejected { code, message },
                    _ => LogsError::Service { code, message },
                }
            }
            SdkError::TimeoutError(_) => LogsError::Service {
                code: "Timeout".into(),
                message: "the operation timed out".into(),
            },
            SdkError::DispatchFailure(d) if d.is_timeout() => LogsError::Service {
                code: "Timeout".into(),
                message: "the connection timed out".into(),
            },
            SdkError::DispatchFailure(_) => LogsError::Unreachable(detail),
            SdkError::ConstructionFailure(_) => LogsError::Unreachable(format!(
                "the request could not be built (credentials or region missing?): {detail}"
            )),
            _ => LogsError::Malformed(detail),
        }
    }
}

fn source_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(inner) = cur {
        let t = inner.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = inner.source();
    }
    s
}

/// Runs `f` with at most the deadline's budget (minus `reserve`).
async fn within<T>(
    deadline: Deadline,
    reserve: Duration,
    f: impl Future<Output = Result<T, LogsError>>,
) -> Result<T, LogsError> {
    let budget = deadline.budget(reserve);
    if budget.is_zero() {
        return Err(LogsError::Deadline(0.0));
    }
    // Boxed: the SDK's futures are large, and several run side by side in one task.
    tokio::time::timeout(budget, Box::pin(f))
        .await
        .unwrap_or(Err(LogsError::Deadline(budget.as_secs_f64())))
}

/// A log group as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedGroup {
    pub name: String,
    pub stored_bytes: Option<i64>,
}

/// DescribeLogGroups' answer, paged and capped.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub groups: Vec<ListedGroup>,
    /// True when more groups exist than the cap let us read.
    pub truncated: bool,
}

/// One Insights poll's state.
#[derive(Debug, Clone, PartialEq)]
pub enum PollState {
    /// Still running (rows so far, possibly partial).
    Running,
    Complete,
    /// Failed, Cancelled or Timeout on the service side.
    Ended(String),
}

/// One GetQueryResults answer.
#[derive(Debug, Clone)]
pub struct Poll {
    pub state: PollState,
    /// Each row's `(field, value)` pairs.
    pub rows: Vec<Vec<(String, String)>>,
    pub records_matched: f64,
    pub records_scanned: f64,
}

/// One FilterLogEvents event.
#[derive(Debug, Clone)]
pub struct Event {
    pub at: Timestamp,
    pub stream: String,
    pub message: String,
}

/// The read-only CloudWatch Logs client.
#[derive(Debug, Clone)]
pub struct LogsClient {
    inner: Client,
    /// The region (for console links).
    pub region: String,
}

impl LogsClient {
    /// Wraps an SDK client configured for `region`.
    pub fn new(inner: Client, region: impl Into<String>) -> Self {
        Self {
            inner,
            region: region.into(),
        }
    }

    /// Lists log groups, 50 a page, until `cap` groups or the deadline.
    pub async fn list_groups(&self, cap: usize, deadline: Deadline) -> Result<Listing, LogsError> {
        let mut out = Listing::default();
        let mut token: Option<String> = None;
        loop {
            let call = self
                .inner
                .describe_log_groups()
                .limit(50)
                .set_next_token(token.take())
                .send();
            let page = within(deadline, Duration::ZERO, async {
                call.await.map_err(LogsError::from_sdk)
            })
            .await;
            let page = match page {
                Ok(p) => p,
                // A deadline after the first page still leaves a usable (partial) listing.
                Err(LogsError::Deadline(_)) if !out.groups.is_empty() => {
                    out.truncated = true;
                    return Ok(out);
                }
                Err(e) => return Err(e),
            };
            for g in page.log_groups() {
                if let Some(name) = g.log_group_name() {
                    out.groups.push(ListedGroup {
                        name: name.to_owned(),
                        stored_bytes: g.stored_bytes(),
                    });
                }
            }
            match page.next_token() {
                Some(t) if out.groups.len() < cap && !t.is_empty() => token = Some(t.to_owned()),
                Some(_) => {
                    out.truncated = true;
                    out.groups.truncate(cap);
                    return Ok(out);
                }
                None => return Ok(out),
            }
        }
    }

    /// StartQuery over `groups` between `start` and `end` (whole seconds, both inclusive).
    pub async fn start_query(
        &self,
        groups: &[String],
        query: &str,
        start: Timestamp,
        end: Timestamp,
        limit: i32,
        deadline: Deadline,
    ) -> Result<String, LogsError> {
        let call = self
            .inner
            .start_query()
            .set_log_group_names(Some(groups.to_vec()))
            .start_time(start.as_second())
            .end_time(end.as_second())
            .query_string(query)
            .limit(limit)
            .send();
        let out = within(deadline, Duration::ZERO, async {
            call.await.map_err(LogsError::from_sdk)
        })
        .await?;
        out.query_id()
            .map(str::to_owned)
            .ok_or_else(|| LogsError::Malformed("StartQuery answered without a queryId".into()))
    }

    /// One GetQueryResults call.
    pub async fn poll(&self, query_id: &str, deadline: Deadline) -> Result<Poll, LogsError> {
        let call = self.inner.get_query_results().query_id(query_id).send();
        let out = within(deadline, Duration::ZERO, async {
            call.await.map_err(LogsError::from_sdk)
        })
        .await?;
        let state = match out.status() {
            Some(QueryStatus::Complete) => PollState::Complete,
            Some(QueryStatus::Running | QueryStatus::Scheduled) | None => PollState::Running,
            Some(other) => PollState::Ended(other.as_str().to_owned()),
        };
        let rows = out
            .results()
            .iter()
            .map(|row| {
                row.iter()
                    .filter_map(|f| Some((f.field()?.to_owned(), f.value()?.to_owned())))
                    .collect()
            })
            .collect();
        let (records_matched, records_scanned) = out
            .statistics()
            .map_or((0.0, 0.0), |s| (s.records_matched(), s.records_scanned()));
        Ok(Poll {
            state,
            rows,
            records_matched,
            records_scanned,
        })
    }

    /// StopQuery; `Ok(true)` when a running query was stopped.
    pub async fn stop(&self, query_id: &str, deadline: Deadline) -> Result<bool, LogsError> {
        let call = self.inner.stop_query().query_id(query_id).send();
        let out = within(deadline, Duration::ZERO, async {
            call.await.map_err(LogsError::from_sdk)
        })
        .await?;
        Ok(out.success())
    }

    /// FilterLogEvents over one group, paged, until `cap` events or the deadline (what was read
    /// by then is returned, with `true` when cut short).
    pub async fn filter_events(
        &self,
        group: &str,
        pattern: &str,
        start: Timestamp,
        end: Timestamp,
        cap: usize,
        deadline: Deadline,
    ) -> Result<(Vec<Event>, bool), LogsError> {
        let mut events = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let call = self
                .inner
                .filter_log_events()
                .log_group_name(group)
                .filter_pattern(pattern)
                .start_time(start.as_millisecond())
                .end_time(end.as_millisecond())
                .limit(1000)
                .set_next_token(token.take())
                .send();
            let page = match within(deadline, Duration::ZERO, async {
                call.await.map_err(LogsError::from_sdk)
            })
            .await
            {
                Ok(p) => p,
                Err(LogsError::Deadline(_)) if !events.is_empty() => return Ok((events, true)),
                Err(e) => return Err(e),
            };
            for e in page.events() {
                let at = e
                    .timestamp()
                    .and_then(|ms| Timestamp::from_millisecond(ms).ok());
                if let (Some(at), Some(message)) = (at, e.message()) {
                    events.push(Event {
                        at,
                        stream: e.log_stream_name().unwrap_or_default().to_owned(),
                        message: message.to_owned(),
                    });
                }
            }
            match page.next_token() {
                Some(t) if events.len() < cap && !t.is_empty() => token = Some(t.to_owned()),
                Some(_) => {
                    events.truncate(cap);
                    return Ok((events, true));
                }
                None => return Ok((events, false)),
            }
        }
    }
}
