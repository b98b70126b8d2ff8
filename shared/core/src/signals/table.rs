//! The signature table: every known failure signature with its pattern, in priority order,
//! the vetoes for lines that only look like one, and known benign noise.

use super::{Signature, sig};
use crate::{Category, Severity};

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
            "conntrack_full",
            "node conntrack table full (packets dropped)",
            // The node's netfilter connection-tracking table is at its limit: the kernel drops
            // new connections for every pod on that node (timeouts that look like DNS or the
            // upstream). Something on the node opens connections faster than they expire.
            Category::ResourceExhaustion,
            Severity::Critical,
        ),
        r"(?i)\bnf_conntrack: (nf_conntrack: )?table full, dropping packet|\bconntrack table (is )?full\b",
    ),
    (
        sig(
            "kernel_fault",
            "kernel / host fault",
            // The node itself is failing: a CPU stuck in the kernel, tasks blocked on I/O, a
            // panic, a disk returning I/O errors. Whatever runs on it suffers (the kubelet
            // stops reporting, the node goes NotReady); the workload is not the cause.
            Category::Infrastructure,
            Severity::Critical,
        ),
        r"(?i)\bsoft lockup\b|\bhard lockup\b|\bhung_task_timeout_secs\b|\btask \S+:\d+ blocked for more than \d+ seconds|\brcu_(sched|preempt|bh)\b[^\n]{0,30}\b(self-detected stall|detected stalls?)\b|\brcu: [^\n]{0,40}\b(self-detected stall|detected stalls?) on cpus?|\bnmi watchdog\b[^\n]{0,40}\b(lockup|detected)|\bkernel panic\b|\bbug: unable to handle (kernel|page)|\bkernel bug at\b|\bext4-fs error\b|\bext4-fs \([^)]*\): [^\n]{0,80}\b(error|corrupt\w*)\b|\bxfs \([^)]*\): [^\n]{0,80}\b(i/o error|corrupt\w*|shutting down filesystem)|\bbuffer i/o error on dev|\bblk_update_request: [^\n]{0,20}\berror\b|\bi/o error, dev \w+|\bend_request: i/o error|\bremounting filesystem read-only|\bmachine check (exception|events logged)|\[hardware error\]|\bnvme\d*: [^\n]{0,40}\b(controller is down|i/o \d+ qid \d+ timeout)",
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
            "pdb_blocks_eviction",
            "eviction blocked by a PodDisruptionBudget",
            // A drain (node group upgrade, Karpenter consolidation, cluster-autoscaler) asks
            // to evict a pod and the API server refuses with 429: its PodDisruptionBudget
            // allows no disruption now (`maxUnavailable: 0`, or as many healthy pods required
            // as exist). The drain retries forever; before `rate_limited`, whose 429 /
            // `Too Many Requests` would catch it.
            Category::ConfigurationError,
            Severity::High,
        ),
        r"(?i)cannot evict pod as it would violate the pod'?s disruption budget|\bwould violate the pod'?s disruption budget|\bdisruption budget \S+ needs \d+ healthy pods?|\bpoddisruptionbudget\b[^\n]{0,80}\b(blocks?|blocking|prevents?|preventing)\b[^\n]{0,40}\bevict",
    ),
    (
        sig(
            "auth_failed",
            "credentials rejected (authentication failed)",
            // A database or broker refusing our user's password: the credential the service
            // holds is not the one the server expects (a rotated secret not picked up, a
            // wrong secret mounted). Configuration — before `permission_denied`, which would
            // catch MySQL's `Access denied for user`.
            Category::ConfigurationError,
            Severity::High,
        ),
        r"(?i)\bpassword authentication failed for user\b|\bauthentication failed for user\b|\baccess denied for user '[^'\n]*'@|\blogin failed for user '|\bsasl authentication failed\b|\bwrongpass invalid username-password pair\b|\bnoauth authentication required\b|\binvalid username or password\b|\bauthentication failed: bad credentials\b",
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
        r"(?i)throttlingexception|\bthrottled\b|rate exceeded|toomanyrequestsexception|(reservedfunction)?concurrentinvocationlimitexceeded|provisionedthroughputexceeded|requestlimitexceeded|\bslowdown\b",
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
            "lock_wait",
            "blocked waiting for a lock held by another session",
            // Sessions queued behind a lock: PostgreSQL's `still waiting for RowExclusiveLock`
            // (log_lock_waits), MySQL's `Lock wait timeout exceeded`, `deadlock detected`,
            // `canceling statement due to lock timeout`. Whoever holds the lock — a migration's
            // `ALTER TABLE`, a transaction left open — is the defect; the connections and
            // pools that pile up behind it are symptoms. Before `timeout`.
            Category::CodeDefect,
            Severity::High,
        ),
        r"(?i)\bstill waiting for \w*lock\b|\block wait timeout exceeded\b|\bdeadlock detected\b|\bdeadlock found when trying to get lock\b|\bcanceling statement due to lock timeout\b|\bcould not obtain lock on (relation|row)\b",
    ),
    (
        sig(
            "visibility_timeout",
            "message redelivered mid-processing (visibility timeout)",
            // SQS hands a message to another consumer when the first one does not delete it
            // within the queue's VisibilityTimeout; the first consumer's DeleteMessage then
            // fails with `ReceiptHandleIsInvalid` / `The receipt handle has expired`, and the
            // work is done twice (duplicate emails, charges). A timeout shorter than the
            // processing: configuration.
            Category::ConfigurationError,
            Severity::High,
        ),
        r"(?i)\breceipthandleisinvalid\b|\breceipt handle (has expired|is invalid|is not valid)\b|\bvisible to other consumers\b|\bvisibility timeout (has )?(expired|exceeded|elapsed)\b|\bmessage visibility (timeout )?expired\b",
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
        r"(?i)\benotfound\b|getaddrinfo|no such host|temporary failure in name resolution|name or service not known|could not resolve host|\bnxdomain\b|unknownhostexception|name resolution failed|server misbehaving|read udp \S+:53: i/o timeout|:53: i/o timeout",
    ),
    (
        sig(
            "own_cert_expired",
            "our certificate expired (the peer rejects it)",
            // The peer's TLS alert `certificate_expired` (Go's `remote error: tls: expired
            // certificate`, OpenSSL's `alert certificate expired`, Java's `Received fatal
            // alert: certificate_expired`): the certificate *we* presented — an mTLS client
            // certificate, a server certificate — is past its notAfter. A credential that was
            // not renewed: configuration, not the peer. Before `tls_error`, where our client
            // refusing the *peer's* expired certificate (`x509: certificate has expired`)
            // stays a dependency's fault.
            Category::ConfigurationError,
            Severity::High,
        ),
        r"(?i)\bremote error: tls: (expired|revoked) certificate\b|\btls: expired certificate\b|\b(sslv3|tlsv1(\.\d)?|tlsv13) alert certificate expired\b|\breceived fatal alert: certificate_expired\b|\bssl alert number 45\b|\b(our|own|client|mtls) (tls |ssl |mtls )?certificate (has |is )?expired\b",
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
            "kms_key_unusable",
            "KMS key unusable (pending deletion / disabled)",
            // KMS refusing to use a key that was scheduled for deletion or disabled: every
            // encrypt / decrypt through it (S3 SSE-KMS, EBS, Secrets Manager) fails until the
            // deletion is cancelled or the key re-enabled. A change to the key, not the caller.
            Category::ConfigurationError,
            Severity::High,
        ),
        r"(?i)\bkmsinvalidstateexception\b|\bis pending deletion\b|\b(kms\.)?disabledexception\b|\bkey/[\w-]+ is disabled\b",
    ),
    (
        sig(
            "assume_role_denied",
            "IAM role cannot be assumed (trust policy / web identity)",
            // STS refusing `AssumeRole` / `AssumeRoleWithWebIdentity` (IRSA, Pod Identity,
            // cross-account roles): the role's trust policy does not admit the caller (a
            // rewritten `sub` condition, a renamed service account, a missing OIDC
            // provider). Configuration — before the generic `permission_denied`.
            Category::ConfigurationError,
            Severity::High,
        ),
        r"(?i)\bnot authorized to perform:? sts:assumerole\w*|\bsts:assumerole\w*\b[^\n]{0,200}\b(accessdenied|access denied)\b|\bassumerole(withwebidentity|withsaml)?\b[^\n]{0,200}\baccessdenied\b|\baccessdenied\b[^\n]{0,200}\bassumerole\w*|\binvalididentitytoken\b|\bno openid ?connect provider found\b|\bincorrect token audience\b|\bnot authorized to assume (the )?role\b",
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
            "data_coerced",
            "input data coerced or dropped (lenient parse, rows skipped)",
            // A loader that did not fail but bent the data to fit: a lenient number or date
            // parse, values coerced to null/NaN/default, rows skipped or rejected, a schema
            // or format that did not match. Usually logged as a warning while the results
            // are wrong downstream. Before `invalid_data` and `config_error`.
            Category::DataQuality,
            Severity::Medium,
        ),
        r"(?i)\blenient(ly)? (decimal |number |numeric |date |locale |type )?pars(e|ed|ing)\b|\b(values?|fields?|columns?|rows?|records?|prices?|amounts?)\b[^\n]{0,30}\bcoerced\b|\bcoerced (to|into) (null|nan|none|zero|0|default|empty)\b|\b[1-9]\d* (rows?|records?|lines?|items?|entries) (were |was )?(skipped|rejected|dropped|discarded|ignored)\b|\b(skipped|rejected|dropped|discarded|ignored) [1-9]\d* (malformed |invalid |bad )?(rows?|records?|lines?|items?|entries)\b|\bschema mismatch\b|\b(unexpected|unknown|unrecognised|unrecognized|invalid) (number|decimal|date|price|currency|csv|file|locale) format\b|\bunexpected (delimiter|encoding|column count|header)\b|\bunpars(e)?able (values?|numbers?|dates?|rows?|records?|prices?)\b|\bdata truncated for column\b|\btruncated (values?|fields?|columns?|strings?)\b|\b(values?|fields?|columns?|strings?) (were |was )?truncated\b|\bfell back to (a )?(lenient|default|fallback) pars|\bparsed as nan\b|\bnan (values?|prices?|amounts?)\b",
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
        r"(?i)invalid (value|configuration|config)|missing required (env|environment|config|setting|variable)|environment variable \S+ (is )?not set|could not (parse|load) config|unknown (flag|option)|configuration error|required key \S+ missing|validation errors? for \w*(settings|config)\w*|(open|read|load|stat)\s+\S*(/etc/|/config/|\.ya?ml\b|\.toml\b|\.conf\b|\.ini\b|\.properties\b|\.cfg\b)\S*:?\s+no such file or directory|(ENOENT|FileNotFoundError|NoSuchFileException)\b.{0,80}(/etc/|/config/|\.ya?ml\b|\.toml\b|\.conf\b|\.ini\b|\.properties\b|\.cfg\b)",
    ),
    (
        sig(
            "unique_violation",
            "unique constraint violated (duplicate key)",
            // The same row written twice: a job or consumer running twice, a retried
            // non-idempotent write, a replay. The data (or whoever produces it twice) is at
            // fault, not the database; a better-explained cause (two schedulers, a double
            // deploy) outranks it.
            Category::DataQuality,
            Severity::Medium,
        ),
        r"(?i)\bduplicate key value violates unique constraint\b|\bduplicate entry '[^'\n]*' for key\b|\buniqueviolation\b|\be11000 duplicate key\b|\bunique constraint failed\b|\bora-00001\b|\bviolation of (unique|primary) key constraint\b|\bduplicatekeyexception\b|\bcannot insert duplicate key\b",
    ),
    (
        sig(
            "data_error",
            "malformed data",
            Category::DataQuality,
            Severity::High,
        ),
        r#"(?i)json parse error|jsonparseexception|jsonprocessingexception|jsondecodeerror|mismatchedinputexception|malformed (record|message|payload|json|input)|unexpected token|invalid record|schema validation failed|failed to deserializ|deserialization (error|failed)|poison (pill|message)|dead[- ]letter|deadletterpublishingrecoverer|could not convert string to (float|int)\w*: '|invalid literal for int\(\) with base \d+: '|numberformatexception: for input string: "|strconv\.parse\w+: parsing "|invalid digit found in string|unparseable (number|date): ""#,
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
pub static NOISE: &[(&str, &str, &str)] = &[
    (
        "tls_client_hangup",
        "TLS handshake abandoned by the client (load-balancer health checks, port scans)",
        // Go's `http: TLS handshake error from <ip>:<port>: EOF` (or a reset): the peer opened a
        // TCP connection and closed it without a handshake — what NLB/ELB TCP health checks do
        // all day. Other handshake errors (bad certificate, unknown authority) stay `tls_error`.
        r"(?i)tls handshake error from \S+: (eof\b|read tcp \S+: read: connection reset by peer)",
    ),
    (
        "gone_endpoint",
        "a request to a removed endpoint answered 410 Gone (a deliberate removal, not a failure)",
        // An access-log line of ours (a method, then the status we answered): `method=GET
        // path=/v1/x status=410`, `"GET /v1/x HTTP/1.1" 410`, JSON `"status":410`. A dependency
        // answering us 410 (`upstream returned 410`) names no method before it and stays an error.
        r#"(?i)\b(get|post|put|patch|delete|head|options)\b.*?\b(status|status_code|statuscode|code)"?\s*[=:]\s*"?410\b|"(get|post|put|patch|delete|head|options) \S+ http/[\d.]+" 410\b"#,
    ),
];
