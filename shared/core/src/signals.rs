//! Known failure signatures in log lines and event messages, and log-line normalisation for
//! clustering. Pure functions shared by every analyzer that reads text (EKS pod logs and events,
//! CloudWatch log events, chat messages).

use crate::{Category, Severity};
use regex::{Regex, RegexSet};
use std::sync::LazyLock;

/// A recognised failure signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    /// Stable id (`dns_failure`).
    pub id: &'static str,
    /// Human label ("DNS resolution failure").
    pub label: &'static str,
    /// The root-cause category this signature usually points to.
    pub category: Category,
    /// How bad one occurrence usually is.
    pub severity: Severity,
}

const fn sig(
    id: &'static str,
    label: &'static str,
    category: Category,
    severity: Severity,
) -> Signature {
    Signature {
        id,
        label,
        category,
        severity,
    }
}

/// Signatures in priority order: the first that matches a line wins, so the specific ones (pool
/// exhausted, too many clients) come before the generic ones (timeout, exception).
pub static SIGNATURES: &[(Signature, &str)] = &[
    (
        sig(
            "oom",
            "out of memory",
            Category::ResourceExhaustion,
            Severity::Critical,
        ),
        r"(?i)\bout of memory\b|\boomkilled\b|memory cgroup out of memory|outofmemoryerror|heap out of memory|cannot allocate memory|runtime\.exiterror.*signal: killed|runtime exited with error: signal: killed|runtime\.outofmemory|\bexit code 137\b",
    ),
    (
        sig(
            "too_many_clients",
            "database connection limit reached",
            Category::ResourceExhaustion,
            Severity::Critical,
        ),
        r"(?i)too many (clients|connections)|remaining connection slots are reserved|max_connections|connection limit exceeded",
    ),
    (
        sig(
            "pool_exhausted",
            "connection pool exhausted",
            Category::ResourceExhaustion,
            Severity::High,
        ),
        r"(?i)pool (is )?exhausted|timeout acquiring (a )?connection|(cannot|could not|unable to) (acquire|obtain|get) (a )?(database |db )?connection|connection is not available, request timed out|too many requests waiting for a connection",
    ),
    (
        sig(
            "throttling",
            "API throttling",
            Category::ResourceExhaustion,
            Severity::High,
        ),
        r"(?i)throttlingexception|\bthrottled\b|rate exceeded|toomanyrequestsexception|provisionedthroughputexceeded|requestlimitexceeded|\bslowdown\b",
    ),
    (
        sig(
            "rate_limited",
            "rate limited by a dependency (HTTP 429)",
            // A third party answering 429 is that dependency refusing us; AWS throttling of our
            // own provisioned capacity is `throttling` above.
            Category::DependencyFailure,
            Severity::High,
        ),
        r"(?i)\b429 too many requests\b|\btoo many requests\b|\bstatus(code)?[=: ]+429\b|-> 429\b|\brate[- ]limit(ed| exceeded|ing)\b|x-ratelimit-remaining: 0",
    ),
    (
        sig(
            "datastore_full",
            "datastore memory full (maxmemory)",
            Category::ResourceExhaustion,
            Severity::Critical,
        ),
        r"(?i)oom command not allowed|used memory > 'maxmemory'|\bmaxmemory\b.*(exceeded|reached)",
    ),
    (
        sig(
            "disk_full",
            "disk full",
            Category::ResourceExhaustion,
            Severity::Critical,
        ),
        r"(?i)no space left on device|disk (is )?full",
    ),
    (
        sig(
            "lambda_timeout",
            "Lambda task timed out",
            Category::DependencyFailure,
            Severity::High,
        ),
        r"(?i)task timed out after",
    ),
    (
        sig(
            "dns_failure",
            "DNS resolution failure",
            Category::Infrastructure,
            Severity::High,
        ),
        r"(?i)enotfound|getaddrinfo|no such host|temporary failure in name resolution|name or service not known|could not resolve host|\bnxdomain\b|unknownhostexception|name resolution failed|server misbehaving|read udp \S+:53: i/o timeout|:53: i/o timeout",
    ),
    (
        sig(
            "tls_error",
            "TLS / certificate error",
            // Seen in our logs, a TLS failure is almost always our client refusing a peer's
            // certificate (the peer's expiry or chain): a dependency. Our own expired
            // certificate shows up in our clients' logs and external probes instead.
            Category::DependencyFailure,
            Severity::High,
        ),
        r"(?i)x509:|certificate (has )?expired|certificate verify failed|ssl(handshake)?exception|tls handshake (error|failure|timeout)|unknown certificate authority|self[- ]signed certificate",
    ),
    (
        sig(
            "unreachable",
            "dependency unreachable",
            Category::DependencyFailure,
            Severity::High,
        ),
        r"(?i)could not be established|broker may not be available|no route to host|network is unreachable|host is unreachable|\bconnection timed out\b|\bconnect(ion)? timed out\b|\b(failed|unable) to connect\b|couldn'?t connect|no brokers available|all brokers down|dial tcp \S+:\d+: i/o timeout",
    ),
    (
        sig(
            "connection_refused",
            "connection refused",
            Category::DependencyFailure,
            Severity::High,
        ),
        r"(?i)connection refused|econnrefused",
    ),
    (
        sig(
            "connection_reset",
            "connection reset",
            Category::DependencyFailure,
            Severity::Medium,
        ),
        r"(?i)connection reset|econnreset|broken pipe|unexpected eof|connection closed by peer",
    ),
    (
        sig(
            "permission_denied",
            "permission denied",
            Category::ConfigurationError,
            Severity::High,
        ),
        r"(?i)accessdenied|access denied|permission denied|\bforbidden\b|not authorized|unauthorizedoperation|invalidclienttokenid",
    ),
    (
        sig(
            "config_error",
            "invalid configuration",
            Category::ConfigurationError,
            Severity::High,
        ),
        r"(?i)invalid (value|configuration|config)|missing required (env|environment|config|setting|variable)|environment variable \S+ (is )?not set|could not (parse|load) config|unknown (flag|option)|configuration error|required key \S+ missing",
    ),
    (
        sig(
            "data_error",
            "malformed data",
            Category::DataQuality,
            Severity::High,
        ),
        r"(?i)json parse error|jsonparseexception|jsonprocessingexception|jsondecodeerror|mismatchedinputexception|malformed (record|message|payload|json|input)|unexpected token|invalid record|schema validation failed|failed to deserializ|deserialization (error|failed)|poison (pill|message)|dead[- ]letter|deadletterpublishingrecoverer",
    ),
    (
        sig(
            "timeout",
            "timeout",
            Category::DependencyFailure,
            Severity::Medium,
        ),
        r"(?i)\btimed? ?out\b|deadline exceeded|etimedout|\bread timeout\b|\brequest timeout\b",
    ),
    (
        sig(
            "code_defect",
            "crash / unhandled exception",
            Category::CodeDefect,
            Severity::High,
        ),
        r"(?i)traceback \(most recent call last\)|nullpointerexception|\bpanic(ked)?\b|segmentation fault|sigsegv|unhandled (exception|rejection)|typeerror:|referenceerror:|attributeerror:|keyerror:|indexerror:|cannot read propert(y|ies) of (undefined|null)|undefined is not a function|nil pointer dereference|illegalstateexception|classcastexception|illegalargumentexception|arrayindexoutofbounds\w*|indexoutofboundsexception|valueerror:|zerodivisionerror|numberformatexception",
    ),
    (
        sig(
            "http_5xx",
            "upstream 5xx",
            Category::DependencyFailure,
            Severity::Medium,
        ),
        r"(?i)\b(502 bad gateway|503 service unavailable|504 gateway timeout)\b|\bstatus(code)?[=: ]+5\d\d\b|upstream (connect )?error",
    ),
];

static SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(SIGNATURES.iter().map(|(_, re)| *re))
        .expect("the signature table holds valid regexes")
});

/// The first (highest-priority) signature a line matches.
pub fn classify(line: &str) -> Option<&'static Signature> {
    SET.matches(line).iter().next().map(|i| &SIGNATURES[i].0)
}

/// Every signature a line matches, in priority order.
pub fn classify_all(line: &str) -> Vec<&'static Signature> {
    SET.matches(line).iter().map(|i| &SIGNATURES[i].0).collect()
}

/// Looks a signature up by id.
pub fn signature(id: &str) -> Option<&'static Signature> {
    SIGNATURES.iter().map(|(s, _)| s).find(|s| s.id == id)
}

static ERROR_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(error|err|fatal|critical|crit|panic|exception|failed|failure)\b|\b[A-Za-z]+(Exception|Error)\b|"level"\s*:\s*("(error|fatal|critical)"|50|60)\b|level=(error|fatal|crit)|\bE\d{4} "#)
        .expect("static regex")
});

static BENIGN_LEVEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^\S*\s*\b(INFO|DEBUG|TRACE)\b|"level"\s*:\s*("(info|debug|trace)"|10|20|30)\b|\blevel=(info|debug|trace)\b|^I\d{4} "#)
        .expect("static regex")
});

/// True when the line itself declares an info/debug/trace level (its author says it is not
/// an error, whatever words it contains: `INFO drain_timeout=30s`, uvicorn's `INFO … 502`).
pub fn declares_benign_level(line: &str) -> bool {
    BENIGN_LEVEL.is_match(line.trim_start())
}

/// True when a line reads as an error (a level, an exception, a failure) or matches a
/// signature — unless the line declares itself info/debug/trace.
pub fn is_error_line(line: &str) -> bool {
    !declares_benign_level(line) && (ERROR_LINE.is_match(line) || classify(line).is_some())
}

static NORMALIZERS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?",
            "<ts>",
        ),
        (
            r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
            "<uuid>",
        ),
        (r"\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b", "<ip>"),
        (r"(?i)\b0x[0-9a-f]+\b", "<hex>"),
        (r"(?i)\b[0-9a-f]{12,}\b", "<hex>"),
        (
            r"\b[a-z0-9]+(-[a-z0-9]+)*-[a-f0-9]{8,10}-[a-z0-9]{5}\b",
            "<pod>",
        ),
        (r"\d+(\.\d+)?", "<n>"),
    ]
    .into_iter()
    .map(|(re, to)| (Regex::new(re).expect("static regex"), to))
    .collect()
});

/// Normalises a log line into its pattern: timestamps, UUIDs, IPs, hex ids, pod names and numbers
/// become placeholders, whitespace is collapsed, and the result is capped at 200 characters.
pub fn normalize(line: &str) -> String {
    let mut s = line.trim().to_owned();
    for (re, to) in NORMALIZERS.iter() {
        s = re.replace_all(&s, *to).into_owned();
    }
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::text::truncate(&collapsed, 200)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(line: &str, expected: Option<&str>) {
        assert_eq!(classify(line).map(|s| s.id), expected, "{line}");
    }

    #[test]
    fn signatures() {
        let cases = [
            (
                "Memory cgroup out of memory: Killed process 1 (java)",
                Some("oom"),
            ),
            ("java.lang.OutOfMemoryError: Java heap space", Some("oom")),
            (
                "FATAL:  sorry, too many clients already",
                Some("too_many_clients"),
            ),
            (
                "FATAL: remaining connection slots are reserved for non-replication superuser connections",
                Some("too_many_clients"),
            ),
            (
                "Error: timeout acquiring connection from pool after 5000ms",
                Some("pool_exhausted"),
            ),
            (
                "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
                Some("pool_exhausted"),
            ),
            (
                "An error occurred (ThrottlingException) when calling the PutItem operation: Rate exceeded",
                Some("throttling"),
            ),
            (
                "2026-04-18T10:22:13.123Z abc Task timed out after 6.01 seconds",
                Some("lambda_timeout"),
            ),
            (
                "Error: getaddrinfo ENOTFOUND orders-db.internal",
                Some("dns_failure"),
            ),
            (
                "dial tcp: lookup inventory.svc.cluster.local on 10.100.0.10:53: no such host",
                Some("dns_failure"),
            ),
            (
                "x509: certificate has expired or is not yet valid",
                Some("tls_error"),
            ),
            (
                "dial tcp 10.0.1.23:8081: connect: connection refused",
                Some("connection_refused"),
            ),
            ("read: connection reset by peer", Some("connection_reset")),
            (
                "invalid value for DATABASE_URL: missing scheme",
                Some("config_error"),
            ),
            (
                "JSON parse error at offset 1832: unexpected token",
                Some("data_error"),
            ),
            ("context deadline exceeded", Some("timeout")),
            (
                "marketbridge PUT https://api.marketbridge.example/v2/listings -> 429 Too Many Requests (Retry-After: 60)",
                Some("rate_limited"),
            ),
            (
                "ERR OOM command not allowed when used memory > 'maxmemory'.",
                Some("datastore_full"),
            ),
            (
                "Connection to node 2 (b-2.orders-msk.kafka:9092) could not be established. Broker may not be available.",
                Some("unreachable"),
            ),
            (
                "dial tcp 10.0.3.7:5432: connect: no route to host",
                Some("unreachable"),
            ),
            ("drain_timeout=30s net_tick_timeout=60", None),
            (
                "[ERROR] plugin/errors: 2 api.partner.example. A: read udp 10.0.1.5:41022->10.0.0.2:53: i/o timeout",
                Some("dns_failure"),
            ),
            (
                "com.fasterxml.jackson.core.JsonParseException: Unexpected character ('<' (code 60))",
                Some("data_error"),
            ),
            ("Traceback (most recent call last):", Some("code_defect")),
            (
                "java.lang.NullPointerException: Cannot invoke \"String.length()\"",
                Some("code_defect"),
            ),
            (
                "TypeError: Cannot read properties of undefined (reading 'id')",
                Some("code_defect"),
            ),
            ("upstream responded 502 Bad Gateway", Some("http_5xx")),
            ("GET /healthz 200 3ms", None),
            ("INFO server started on :8080", None),
            ("errorless run completed", None),
            ("dial tcp 172.20.0.1:443: i/o timeout", Some("unreachable")),
            (
                "ValueError: invalid literal for int() with base 10: 'abc'",
                Some("code_defect"),
            ),
        ];
        for (line, want) in cases {
            check(line, want);
        }
    }

    #[test]
    fn error_lines() {
        assert!(is_error_line(r#"{"level":"error","msg":"boom"}"#));
        assert!(is_error_line("level=error msg=x"));
        assert!(is_error_line("ERROR something"));
        assert!(is_error_line("dial tcp: connection refused"));
        assert!(!is_error_line("INFO ok"));
        assert!(is_error_line(
            "com.fasterxml.jackson.core.JsonParseException: Unexpected character"
        ));
        assert!(is_error_line(r#"{"level":50,"msg":"boom"}"#));
        assert!(!is_error_line(
            "2026-04-18T10:00:00Z INFO drain_timeout=30s connection refused retries"
        ));
        assert!(!is_error_line(
            r#"{"level":"info","msg":"retrying after timeout"}"#
        ));
        assert!(!is_error_line("handled 0 errors")); // "errors" is not the word "error"
    }

    #[test]
    fn normalization_folds_variable_parts() {
        let a = normalize(
            "2026-04-18T10:22:13Z ERROR request 8f1c2b3a-1111-2222-3333-444455556666 from 10.0.1.23:5432 failed after 5000ms",
        );
        let b = normalize(
            "2026-04-18T10:23:01Z ERROR request 0a1b2c3d-aaaa-bbbb-cccc-ddddeeeeffff from 10.0.1.99:5432 failed after 31ms",
        );
        assert_eq!(a, b);
        assert_eq!(a, "<ts> ERROR request <uuid> from <ip> failed after <n>ms");
        assert_eq!(
            normalize("pod payments-api-7f9dd8b6c4-x7gr9 died"),
            "pod <pod> died"
        );
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,200}") {
            let _ = classify(&s);
            let _ = is_error_line(&s);
            prop_assert!(normalize(&s).chars().count() <= 200);
        }
    }
}
