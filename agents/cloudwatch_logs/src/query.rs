//! The queries this agent runs, and running one to the end within a deadline: Logs Insights
//! (StartQuery, GetQueryResults polled with backoff, StopQuery when time runs out) with a
//! FilterLogEvents fallback when Insights is refused.

use crate::client::{LogsClient, LogsError, PollState};
use crate::records::{LogRecord, parse_insights_time};
use jiff::Timestamp;
use sremesh_agent::Deadline;
use sremesh_core::TimeWindow;
use std::time::Duration;

/// Words of a change announced in an application's own log: a feature flag updated or
/// toggled, configuration reloaded or applied (see [`crate::analyzers::changes`]).
macro_rules! change_words {
    () => {
        "flag.{0,40}(updat|chang|toggl|enabl|disabl|switch|turned|flipp)|(updat|chang|toggl|enabl|disabl|flipp)\\w* (feature )?flag|(config|configuration|settings).{0,20}(reload|updat|chang|appl)|reload\\w* (config|configuration|settings)"
    };
}

/// The change-event words alone (the same alternation the default query adds).
pub const CHANGE_REGEX: &str = concat!("(?i)(", change_words!(), ")");

/// The error-ish words the default query keeps (a superset: the analyzers decide what is an
/// error line). The sandbox and the service both accept this regex.
pub const ERROR_REGEX: &str = concat!(
    "(?i)(error|exception|fail|fatal|panic|traceback|timed out|timeout|refused|denied|forbidden|unauthorized|not authorized|throttl|too many|rate exceeded|concurrentinvocation|concurrentexecutions|out of memory|oom|killed|exit code|unavailable|unreachable|no such host|name resolution|name or service|getaddrinfo|nxdomain|misbehaving|could not|cannot|unable to|x509|certificate|expired|ssl|handshake|invalid|malformed|unexpected|deserializ|parse error|dead.letter|dlq|reserved|max_connections|pool|deadline exceeded|econn|enotfound|eai_again|connection reset|connection closed|broken pipe|no space left|disk full|segfault|segmentation|sigsegv|nullpointer|nil pointer|undefined|bad gateway|upstream|evict|back-off|crash|slow|too many open files|emfile|read.only|readonly|notwritableprimary|used before issued|not yet valid|in the future|skew|synchroni[sz]|system clock|etcd|took too long|leader changed|validation|must be|schema version|poison|lockup|blocked for more than|hung_task|self-detected stall|detected stall|kernel panic|i.o error|ext4-fs|xfs \\(|nmi watchdog|hardware error|disruption budget|duplicate|unique constraint|e11000|lenient|coerced|skipped|rejected|dropped|discarded|mismatch|truncated|unparse?able|nan |fell back|still waiting for|holding the lock|lock wait|lock timeout|deadlock|statement: +(alter|lock|reindex|vacuum full|create index|drop)|alter (user|role) |awscurrent|maxmemory.policy|authentication failed|table full|dropping packet|pending deletion|is disabled|result: pass|successfully executed|status.{0,3}410|410 gone|",
    change_words!(),
    ")"
);

/// Most rows one Insights query returns.
pub const MAX_ROWS: i32 = 10_000;

/// The default query: error-ish lines with where they came from, newest first.
pub fn error_query() -> String {
    format!(
        "fields @timestamp, @message, @logStream, @log\n| filter @message like /{ERROR_REGEX}/\n| sort @timestamp desc\n| limit {MAX_ROWS}"
    )
}

/// Lambda REPORT lines summarised per function: invocations, durations, memory.
pub fn lambda_report_query() -> String {
    "fields @timestamp, @message, @log\n| filter @message like /^REPORT RequestId/\n\
     | parse @message /Duration: (?<duration_ms>[0-9.]+) ms/\n\
     | parse @message /Max Memory Used: (?<max_memory_mb>[0-9]+) MB/\n\
     | parse @message /Memory Size: (?<memory_size_mb>[0-9]+) MB/\n\
     | stats count(*) as invocations, pct(duration_ms, 50) as p50_ms, max(duration_ms) as max_ms, \
     max(max_memory_mb) as max_memory_mb, max(memory_size_mb) as memory_size_mb by @log"
        .to_owned()
}

/// How much each stream logged, and when first and last (to tell "recovered" from "the run
/// ended on the error").
pub fn activity_query() -> String {
    "stats count(*) as lines, min(@timestamp) as first_seen, max(@timestamp) as last_seen by @logStream, @log"
        .to_owned()
}

/// PostgreSQL `connection authorized` lines counted per database user.
pub fn db_connections_query() -> String {
    "fields @timestamp, @message\n| filter @message like /connection authorized/\n\
     | parse @message /user=(?<db_user>[A-Za-z0-9_.-]+)/\n| stats count(*) as connections by db_user"
        .to_owned()
}

/// FilterLogEvents' error pattern (case-sensitive terms, any of them).
pub const ERROR_FILTER_PATTERN: &str = "?ERROR ?Error ?error ?FATAL ?Fatal ?fatal ?Exception ?exception ?panic ?Traceback ?fail ?Fail ?FAIL ?timeout ?Timeout ?\"timed out\" ?\"Timed out\" ?refused ?denied ?Denied ?forbidden ?Forbidden ?throttl ?Throttl ?\"too many\" ?\"Too many\" ?\"Rate exceeded\" ?\"out of memory\" ?OutOfMemory ?OOMKilled ?unavailable ?Unavailable ?\"no such host\" ?\"name resolution\" ?\"could not\" ?\"Could not\" ?cannot ?Cannot ?\"unable to\" ?\"Unable to\" ?x509 ?expired ?ECONN ?ENOTFOUND ?EAI_AGAIN ?ETIMEDOUT ?\"connection reset\" ?\"broken pipe\" ?\"no space left\" ?evict ?Evict ?crash ?Crash ?slow ?\"open files\" ?\"read-only\" ?READONLY ?\"before issued\" ?\"not yet valid\" ?synchronise ?etcdserver ?\"too long\" ?Validation ?\"must be\" ?\"schema version\" ?\"flag updated\" ?\"flag changed\" ?reloaded ?lockup ?\"blocked for more\" ?stall ?\"I/O error\" ?\"disruption budget\" ?duplicate ?Duplicate ?lenient ?coerced ?skipped ?rejected ?mismatch ?truncated ?\"still waiting for\" ?\"holding the lock\" ?deadlock ?\"ALTER TABLE\" ?AWSCURRENT ?maxmemory_policy ?\"Result: PASSED\"";

/// How a query run ended.
#[derive(Debug, Clone)]
pub struct QueryRun {
    /// Rows (possibly partial when not `complete`).
    pub rows: Vec<Vec<(String, String)>>,
    pub complete: bool,
    /// Why it is not complete (said in the result), or `None`.
    pub problem: Option<String>,
    /// Set when the query could not run at all.
    pub error: Option<LogsError>,
    /// Records the service scanned (0 when unknown).
    pub records_scanned: f64,
}

impl QueryRun {
    fn failed(error: LogsError) -> Self {
        Self {
            rows: Vec::new(),
            complete: false,
            problem: Some(error.to_string()),
            error: Some(error),
            records_scanned: 0.0,
        }
    }
}

/// The time kept back to stop a query still running when the budget ends: one and a half
/// round trips as StartQuery measured it, at least 100 ms, at most two thirds of what is
/// left (a query left running keeps costing and holds one of the account's concurrent slots).
pub fn stop_reserve(round_trip: Duration, left: Duration) -> Duration {
    (round_trip * 3 / 2 + Duration::from_millis(50))
        .max(Duration::from_millis(100))
        .min(left * 2 / 3)
}

/// Runs one Insights query over `groups` in `range` until it completes or `deadline` (minus
/// the time a StopQuery takes) passes; then stops it and keeps the rows it had so far.
pub async fn run_insights(
    client: &LogsClient,
    groups: &[String],
    query: &str,
    range: TimeWindow,
    deadline: Deadline,
) -> QueryRun {
    let sent = tokio::time::Instant::now();
    let id = match client
        .start_query(groups, query, range.start, range.end, MAX_ROWS, deadline)
        .await
    {
        Ok(id) => id,
        Err(e) => return QueryRun::failed(e),
    };
    let reserve = stop_reserve(sent.elapsed(), deadline.remaining());
    let poll_deadline = Deadline(deadline.0.checked_sub(reserve).unwrap_or(deadline.0));
    let mut rows = Vec::new();
    let mut scanned = 0.0;
    let mut wait = Duration::from_millis(100);
    loop {
        let left = poll_deadline.remaining();
        if left <= Duration::from_millis(100) {
            break;
        }
        tokio::time::sleep(wait.min(left / 2)).await;
        wait = (wait * 2).min(Duration::from_secs(1));
        match client.poll(&id, poll_deadline).await {
            Ok(p) => {
                scanned = p.records_scanned;
                if !p.rows.is_empty() || p.state == PollState::Complete {
                    rows = p.rows;
                }
                match p.state {
                    PollState::Complete => {
                        return QueryRun {
                            rows,
                            complete: true,
                            problem: None,
                            error: None,
                            records_scanned: scanned,
                        };
                    }
                    PollState::Running => {}
                    PollState::Ended(status) => {
                        let e = LogsError::Service {
                            code: status.clone(),
                            message: format!("Logs Insights query {id} ended with status {status}"),
                        };
                        return QueryRun {
                            problem: Some(e.to_string()),
                            rows,
                            complete: false,
                            error: Some(e),
                            records_scanned: scanned,
                        };
                    }
                }
            }
            Err(LogsError::Deadline(_)) => break,
            Err(e) => {
                return QueryRun {
                    problem: Some(e.to_string()),
                    rows,
                    complete: false,
                    error: Some(e),
                    records_scanned: scanned,
                };
            }
        }
    }
    let stopped = client.stop(&id, deadline).await;
    let how = match &stopped {
        Ok(true) => "stopped it (StopQuery)".to_owned(),
        Ok(false) => "StopQuery found it already finished".to_owned(),
        Err(e) => format!("StopQuery failed: {e}"),
    };
    tracing::warn!(query_id = %id, rows = rows.len(), stopped = ?stopped.as_ref().ok(), "insights_query_stopped_at_deadline");
    QueryRun {
        problem: Some(format!(
            "Logs Insights query {id} did not finish before the deadline; {how}; using the {} row(s) it had returned",
            rows.len()
        )),
        rows,
        complete: false,
        error: None,
        records_scanned: scanned,
    }
}

fn field<'a>(row: &'a [(String, String)], name: &str) -> Option<&'a str> {
    row.iter().find(|(f, _)| f == name).map(|(_, v)| v.as_str())
}

/// The group name in `@log` (`123456789012:/aws/lambda/x` → `/aws/lambda/x`).
pub fn group_of_log_field(value: &str) -> &str {
    value.rsplit(':').next().unwrap_or(value)
}

/// Rows of the default query as records; rows without a time or message are skipped.
pub fn rows_to_records(rows: &[Vec<(String, String)>], default_group: &str) -> Vec<LogRecord> {
    rows.iter()
        .filter_map(|row| {
            let at = parse_insights_time(field(row, "@timestamp")?)?;
            let message = field(row, "@message")?;
            let group = field(row, "@log").map_or(default_group, group_of_log_field);
            let stream = field(row, "@logStream").unwrap_or_default();
            Some(LogRecord::parse(group, stream, at, message))
        })
        .collect()
}

/// A `stats … by <key>` row as `(key, number of each column)`.
pub fn stats_rows(rows: &[Vec<(String, String)>], key: &str) -> Vec<(String, Vec<(String, f64)>)> {
    rows.iter()
        .filter_map(|row| {
            let k = field(row, key)?;
            let k = if key == "@log" {
                group_of_log_field(k)
            } else {
                k
            };
            let nums = row
                .iter()
                .filter(|(f, _)| f != key)
                .filter_map(|(f, v)| Some((f.clone(), v.trim().parse::<f64>().ok()?)))
                .collect();
            Some((k.to_owned(), nums))
        })
        .collect()
}

/// The FilterLogEvents fallback over each group: records, and problems met.
pub async fn filter_fallback(
    client: &LogsClient,
    groups: &[String],
    range: TimeWindow,
    deadline: Deadline,
) -> (Vec<LogRecord>, Vec<String>, bool) {
    const PER_GROUP: usize = 5_000;
    let calls = groups.iter().map(|g| async move {
        let r = client
            .filter_events(
                g,
                ERROR_FILTER_PATTERN,
                range.start,
                range.end,
                PER_GROUP,
                deadline,
            )
            .await;
        (g, r)
    });
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let mut cut = false;
    for (g, r) in futures::future::join_all(calls).await {
        match r {
            Ok((events, truncated)) => {
                cut |= truncated;
                records.extend(
                    events
                        .into_iter()
                        .map(|e| LogRecord::parse(g, &e.stream, e.at, &e.message)),
                );
            }
            Err(e) => problems.push(format!("FilterLogEvents on {g}: {e}")),
        }
    }
    (records, problems, cut)
}

/// The window `[start, end]` and the baseline of equal length that ends one second before it.
pub fn baseline_of(window: TimeWindow) -> TimeWindow {
    let p = window.preceding();
    TimeWindow {
        start: p.start,
        end: p
            .end
            .checked_sub(jiff::SignedDuration::from_secs(1))
            .unwrap_or(p.end),
    }
}

/// `HH:MM` in UTC.
pub fn hhmm(t: Timestamp) -> String {
    t.strftime("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_records_with_their_group() {
        let rows = vec![
            vec![
                (
                    "@timestamp".to_owned(),
                    "2026-04-18 10:00:00.000".to_owned(),
                ),
                ("@message".to_owned(), "ERROR boom".to_owned()),
                ("@logStream".to_owned(), "s1".to_owned()),
                ("@log".to_owned(), "123456789012:/aws/lambda/fn".to_owned()),
            ],
            vec![("@message".to_owned(), "no time".to_owned())],
        ];
        let recs = rows_to_records(&rows, "/default");
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].group, "/aws/lambda/fn");
        assert_eq!(recs[0].service.as_deref(), Some("fn"));
        assert_eq!(recs[0].line, "ERROR boom");
    }

    #[test]
    fn the_baseline_ends_before_the_window() {
        let w = TimeWindow {
            start: "2026-04-18T10:00:00Z".parse().unwrap(),
            end: "2026-04-18T10:35:00Z".parse().unwrap(),
        };
        let b = baseline_of(w);
        assert_eq!(
            b.start,
            "2026-04-18T09:25:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(b.end, "2026-04-18T09:59:59Z".parse::<Timestamp>().unwrap());
    }

    /// One line per signature of `sremesh_core::signals` (and other error shapes): the
    /// default query must fetch every one of them.
    #[test]
    fn the_error_query_fetches_every_signature() {
        // The regex sits between slashes in the Insights query: a slash inside would end it.
        assert!(
            !ERROR_REGEX.contains('/'),
            "a '/' in ERROR_REGEX ends the /regex/ early"
        );
        let re = regex::Regex::new(ERROR_REGEX).unwrap();
        let lines = [
            "Memory cgroup out of memory: Killed process 1 (java)",
            "FATAL:  sorry, too many clients already",
            "remaining connection slots are reserved for non-replication superuser connections",
            "Knex: Timeout acquiring a connection. The pool is probably full.",
            "ProvisionedThroughputExceededException",
            "429 Too Many Requests",
            "write /data/x: no space left on device",
            "Task timed out after 6.01 seconds",
            "getaddrinfo EAI_AGAIN api.stripe.com",
            "dial tcp: lookup x on 10.0.0.10:53: no such host",
            "x509: certificate has expired or is not yet valid",
            "dial tcp 10.0.1.23:8081: connect: connection refused",
            "read: connection reset by peer",
            "AccessDenied: not authorized to perform s3:GetObject",
            "invalid value for DATABASE_URL: missing scheme",
            "JSON parse error at offset 1832: unexpected token",
            "dead-letter rate high topic=partner-orders.dlq",
            "context deadline exceeded",
            "TypeError: Cannot read properties of undefined (reading 'map')",
            "java.lang.NullPointerException: Cannot invoke",
            "upstream responded 502 Bad Gateway",
            "Eviction manager: attempting to reclaim ephemeral-storage",
            "Back-off restarting failed container",
            "level=ERROR msg=boom",
            "accept4: too many open files",
            "PSQLException: ERROR: cannot execute UPDATE in a read-only transaction",
            "READONLY You can't write against a read only replica.",
            "token has invalid claims: token used before issued",
            "The token is not yet valid (iat)",
            "chronyd[90]: Can't synchronise: no selectable sources",
            "System clock wrong by 12.5 seconds",
            "etcdserver: leader changed",
            "apply request took too long",
            "ValidationError: quantity must be positive",
            "unknown schema version v9 for type=order.created",
            "kernel: watchdog: BUG: soft lockup - CPU#3 stuck for 23s! [java:881]",
            "kernel: nf_conntrack: nf_conntrack: table full, dropping packet",
            "arn:aws:kms:eu-west-1:1:key/7c1e2f4a is pending deletion.",
            "kernel: INFO: task jbd2/nvme0n1p1-8:388 blocked for more than 120 seconds.",
            "kernel: rcu: INFO: rcu_sched self-detected stall on CPU",
            "Kernel panic - not syncing: Fatal exception",
            "blk_update_request: I/O error, dev nvme1n1, sector 4096",
            "Cannot evict pod as it would violate the pod's disruption budget.",
            "duplicate key value violates unique constraint \"orders_pkey\"",
            "Duplicate entry 'x' for key 'PRIMARY'",
            r#"{"level":"WARN","msg":"lenient decimal parse applied","rows_affected":12}"#,
            "WARN 1204 rows skipped (unexpected column count)",
            "remote error: tls: expired certificate",
            "api error AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity",
            "invoke failed (Reason: ConcurrentInvocationLimitExceeded) function=resize",
        ];
        for line in lines {
            assert!(re.is_match(line), "the default query misses {line:?}");
            assert!(
                sremesh_core::signals::classify(line).is_some()
                    || sremesh_core::signals::is_error_line(line)
                    || line.contains("Eviction")
                    || line.contains("Back-off")
                    || line.contains("dead-letter"),
                "{line:?} is not an error to the classifier either"
            );
        }
        assert!(!re.is_match(r#"{"log":"GET / 200","stream":"stdout"}"#));
        // Not errors, but read beside them: a removed endpoint's 410s, a concurrency report.
        for line in [
            r#"level=INFO msg="request" method=GET path=/v1/x status=410 client_id=c1"#,
            r#"{"method":"GET","path":"/v1/x","status":410}"#,
            "ConcurrentExecutions Maximum=1000 of limit 1000; by function: a=990, b=10",
        ] {
            assert!(re.is_match(line), "the default query misses {line:?}");
        }
    }

    /// Changes an application announces are fetched too (they are not errors), and only those.
    #[test]
    fn the_error_query_fetches_announced_changes() {
        let re = regex::Regex::new(ERROR_REGEX).unwrap();
        let change = regex::Regex::new(CHANGE_REGEX).unwrap();
        let cases = [
            (
                r#"{"msg":"flag updated","flag":"new-checkout","old":false,"new":true}"#,
                true,
            ),
            ("INFO feature flag dark-mode toggled from off to on", true),
            ("unleash: enabled flag promo-banner", true),
            ("INFO configuration reloaded from /etc/app.yaml", true),
            ("reloading config after SIGHUP", true),
            (
                r#"{"msg":"quote","flag.new-pricing":false,"total":12}"#,
                false,
            ),
            ("GET /healthz 200", false),
        ];
        for (line, wanted) in cases {
            assert_eq!(change.is_match(line), wanted, "{line}");
            if wanted {
                assert!(re.is_match(line), "the default query misses {line:?}");
            }
        }
    }

    #[test]
    fn the_fallback_pattern_fits_the_service_limit() {
        assert!(ERROR_FILTER_PATTERN.len() <= 1024);
        assert!(error_query().len() < 10_000);
    }
}
