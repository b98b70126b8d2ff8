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
            "control_plane",
            "Kubernetes control plane / etcd failing",
            // The cluster's own API (etcd behind kube-apiserver) timing out or losing its
            // leader: every client of the API suffers; before `timeout` and `rate_limited`,
            // which would catch `etcdserver: request timed out` / `too many requests`.
            Category::Infrastructure,
            Severity::High,
        ),
        r"(?i)etcdserver: (request timed out|leader changed|no leader|too many requests|server stopped|unhealthy cluster|request cancelled)|apply request took too long|\betcd\b.*\b(deadline ?exceeded|context deadline exceeded|request timed out|leader changed)|etcd cluster is unavailable|failed to (reach|connect to) (the )?etcd|\bwaiting for etcd\b.*timed out",
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
            "fd_exhausted",
            "file descriptors exhausted (too many open files)",
            // EMFILE (the process's RLIMIT_NOFILE) or ENFILE (the system's file table): a leak
            // or a limit too low; what it breaks (accept, DNS lookups, dials) is its symptom.
            Category::ResourceExhaustion,
            Severity::High,
        ),
        r"(?i)too many open files|\bemfile\b|\benfile\b|file table overflow|\bopen files limit\b.*\breached\b",
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
            "db_read_only",
            "database read-only (failover / replica)",
            // Writes refused by a database that is (now) a reader: a failover the client did
            // not follow (a cached DNS answer, a pinned connection), or writes sent to a
            // replica. The database changed underneath the service.
            Category::DependencyFailure,
            Severity::High,
        ),
        r"(?i)cannot execute \w+( \w+)? in a read-only transaction|running with the --(super-)?read-only option|--read-only option so it cannot execute|\breadonly you can'?t write against a read only (replica|slave)|can'?t write against a read only (replica|slave)|\bnotwritableprimary\b|not master and slaveok=false|\bdatabase is (in )?read[- ]only\b|\bdatabase is in recovery mode\b|\bin hot standby mode\b|ORA-16000",
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
            "clock_skew",
            "clock skew (time not synchronised)",
            // Tokens rejected as issued in the future, signed requests refused as too skewed,
            // chrony / NTP unable to synchronise: a host's clock is off. After `tls_error`, so
            // an x509 "not yet valid" stays a certificate problem.
            Category::Infrastructure,
            Severity::High,
        ),
        r"(?i)used before issued|token is not valid yet|(token|jwt|claim|assertion)\b[^\n]{0,40}\bnot yet valid|not yet valid \((iat|nbf)\)|\b(iat|issued at|nbf)\b[^\n]{0,40}in the future|issued in the future|clock skew (detected|too great|too large|of|exceeds|between)|(detected|excessive) clock skew|clock drift (detected|of)|requesttimetooskewed|request time too skewed|signature not yet current|can'?t synchroni[sz]e|system clock wrong|clock (is )?(unsynchroni[sz]ed|not synchroni[sz]ed)|(time|ntp|chrony)\b[^\n]{0,30}\b(unsynchroni[sz]ed|not synchroni[sz]ed)|no selectable sources|nodeclocknotsynchronising|nodeclockskewdetected",
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
            "invalid_data",
            "invalid input data (validation failed)",
            // Records or messages that fail the consumer's validation (a negative amount, an
            // unknown schema version): the data is bad, the code and the config are fine.
            // Before `config_error`, whose `invalid value` would catch `ValidationError:
            // invalid value for amount`; a settings object failing validation at start-up is
            // vetoed (see `UNLESS`) and left to `config_error`.
            Category::DataQuality,
            Severity::High,
        ),
        r"(?i)\bvalidationerror\b|\bvalidation errors?\b|\bmust be (a )?(positive|non-negative|negative|greater than|less than|at least|at most|between|one of)\b|\b(unknown|unsupported|unrecognized|unrecognised) schema( version)?\b|\bschema version \S+ (is )?(unknown|unsupported|not supported)\b",
    ),
    (
        sig(
            "config_error",
            "invalid configuration",
            Category::ConfigurationError,
            Severity::High,
        ),
        r"(?i)invalid (value|configuration|config)|missing required (env|environment|config|setting|variable)|environment variable \S+ (is )?not set|could not (parse|load) config|unknown (flag|option)|configuration error|required key \S+ missing|validation errors? for \w*(settings|config)\w*",
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

/// Lines that look like a signature but are not one: `(signature id, veto)`. A line the veto
/// matches is not that signature (a later one may still match it).
pub static UNLESS: &[(&str, &str)] = &[
    // A settings object failing validation at start-up is configuration, not bad data.
    (
        "invalid_data",
        r"(?i)validation errors? for \w*(settings|config)\w*|\b(settings|config)\w*\b[^\n]{0,40}validationerror",
    ),
    // A manifest the API server or an admission webhook refused is configuration.
    (
        "invalid_data",
        r"(?i)admission webhook|denied the request|\bis invalid: \S+",
    ),
];

/// Lines that read as errors but are known to be benign noise: never a signature, never an
/// error line. `(id, label, pattern)`.
pub static NOISE: &[(&str, &str, &str)] = &[(
    "tls_client_hangup",
    "TLS handshake abandoned by the client (load-balancer health checks, port scans)",
    // Go's `http: TLS handshake error from <ip>:<port>: EOF` (or a reset): the peer opened a
    // TCP connection and closed it without a handshake — what NLB/ELB TCP health checks do
    // all day. Other handshake errors (bad certificate, unknown authority) stay `tls_error`.
    r"(?i)tls handshake error from \S+: (eof\b|read tcp \S+: read: connection reset by peer)",
)];

static SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(SIGNATURES.iter().map(|(_, re)| *re))
        .expect("the signature table holds valid regexes")
});

static VETOES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    UNLESS
        .iter()
        .map(|(id, re)| {
            (
                *id,
                Regex::new(re).expect("the veto table holds valid regexes"),
            )
        })
        .collect()
});

static NOISE_SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(NOISE.iter().map(|(_, _, re)| *re)).expect("the noise table holds valid regexes")
});

/// The noise pattern a line matches (`tls_client_hangup`), if any: such a line is neither a
/// signature nor an error line.
pub fn noise(line: &str) -> Option<&'static str> {
    NOISE_SET.matches(line).iter().next().map(|i| NOISE[i].0)
}

fn vetoed(id: &str, line: &str) -> bool {
    VETOES.iter().any(|(v, re)| *v == id && re.is_match(line))
}

/// The first (highest-priority) signature a line matches; none for noise.
pub fn classify(line: &str) -> Option<&'static Signature> {
    classify_all(line).into_iter().next()
}

/// Every signature a line matches, in priority order (none for noise).
pub fn classify_all(line: &str) -> Vec<&'static Signature> {
    let hits = SET.matches(line);
    if !hits.matched_any() || noise(line).is_some() {
        return Vec::new();
    }
    hits.iter()
        .map(|i| &SIGNATURES[i].0)
        .filter(|s| !vetoed(s.id, line))
        .collect()
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
/// signature — unless the line declares itself info/debug/trace or is known noise.
pub fn is_error_line(line: &str) -> bool {
    !declares_benign_level(line)
        && noise(line).is_none()
        && (ERROR_LINE.is_match(line) || classify(line).is_some())
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
mod tests;
