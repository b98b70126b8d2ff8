//! The signature table, its vetoes and noise, error-line detection and normalisation, pinned by
//! tables of log lines.

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
        // Lambda refusing an invocation: the account's concurrency, or the function's own.
        (
            "invoke failed: Reason: ConcurrentInvocationLimitExceeded",
            Some("throttling"),
        ),
        (
            "Reason=ReservedFunctionConcurrentInvocationLimitExceeded function=resize",
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
        // A value that does not parse is the input's fault (see `specific_signatures_win`).
        (
            "ValueError: invalid literal for int() with base 10: 'abc'",
            Some("data_error"),
        ),
    ];
    for (line, want) in cases {
        check(line, want);
    }
}

/// The signatures SREs know by their literal phrases, each with its default category, and
/// the more specific one winning over the generic (`timeout`, `rate_limited`, `config_error`,
/// `tls_error`) that would otherwise catch the same line.
#[test]
fn specific_signatures_win() {
    use Category::*;
    let cases: &[(&str, Option<&str>, Option<Category>)] = &[
        // Credentials rejected: configuration, before `permission_denied`.
        (
            r#"2026-11-12 03:36:44 UTC:10.60.3.17(51234):orders_app@orders:[28811]:FATAL:  password authentication failed for user "orders_app""#,
            Some("auth_failed"),
            Some(ConfigurationError),
        ),
        (
            "HikariPool-1 - Failed to create connection: FATAL: password authentication failed for user \"app\" (pool total=3)",
            Some("auth_failed"),
            Some(ConfigurationError),
        ),
        (
            "java.sql.SQLException: Access denied for user 'shop'@'10.0.3.7' (using password: YES)",
            Some("auth_failed"),
            Some(ConfigurationError),
        ),
        (
            "ReplyError: WRONGPASS invalid username-password pair or user is disabled.",
            Some("auth_failed"),
            Some(ConfigurationError),
        ),
        (
            "AccessDenied: User: arn:aws:iam::1:role/x is not authorized to perform: s3:GetObject",
            Some("permission_denied"),
            Some(ConfigurationError),
        ),
        // Lock waits: the lock holder is the defect; before `timeout`.
        (
            "2026-11-10 14:05:11 UTC:10.40.7.33(50112):app@billing:[30221]:LOG:  process 30221 still waiting for RowExclusiveLock on relation 16811 of database 16402 after 1000.092 ms",
            Some("lock_wait"),
            Some(CodeDefect),
        ),
        (
            "ERROR:  canceling statement due to lock timeout",
            Some("lock_wait"),
            Some(CodeDefect),
        ),
        (
            "SQLSTATE[HY000]: General error: 1205 Lock wait timeout exceeded; try restarting transaction",
            Some("lock_wait"),
            Some(CodeDefect),
        ),
        (
            "ERROR:  deadlock detected",
            Some("lock_wait"),
            Some(CodeDefect),
        ),
        (
            "process 30221 acquired RowExclusiveLock on relation 16811 of database 16402 after 4100.2 ms",
            None,
            None,
        ),
        ("still waiting for the config server to answer", None, None),
        // A message redelivered before its consumer finished: the queue's visibility timeout.
        (
            "delete failed msg_id=2f8e: botocore.exceptions.ClientError: An error occurred (ReceiptHandleIsInvalid) when calling the DeleteMessage operation: The receipt handle has expired.",
            Some("visibility_timeout"),
            Some(ConfigurationError),
        ),
        (
            "WARN msg_id=7a1c receive_count=3 took=46.02s visibility_timeout=30s — message was visible to other consumers while processing",
            Some("visibility_timeout"),
            Some(ConfigurationError),
        ),
        ("WARN poll took 31s, visibility_timeout=30s", None, None),
        // File descriptors.
        (
            "2025/11/02 09:14:07 http: Accept error: accept tcp [::]:443: accept4: too many open files; retrying in 5ms",
            Some("fd_exhausted"),
            Some(ResourceExhaustion),
        ),
        (
            "dial tcp: lookup billing.internal on 10.96.0.10:53: dial udp 10.96.0.10:53: socket: too many open files",
            Some("fd_exhausted"),
            Some(ResourceExhaustion),
        ),
        (
            "java.net.SocketException: Too many open files (Accept failed)",
            Some("fd_exhausted"),
            Some(ResourceExhaustion),
        ),
        (
            "Error: EMFILE: too many open files, open '/srv/cache/a.json'",
            Some("fd_exhausted"),
            Some(ResourceExhaustion),
        ),
        (
            "VFS: file-max limit 810000 reached; file table overflow",
            Some("fd_exhausted"),
            Some(ResourceExhaustion),
        ),
        // TLS: a client hanging up mid-handshake is noise; real handshake failures stay.
        (
            "http: TLS handshake error from 10.20.3.4:51122: EOF",
            None,
            None,
        ),
        (
            r#"{"level":"warn","msg":"http: TLS handshake error from 192.168.7.9:40022: EOF"}"#,
            None,
            None,
        ),
        (
            "http: TLS handshake error from 10.20.3.4:51122: read tcp 10.20.9.9:8443->10.20.3.4:51122: read: connection reset by peer",
            None,
            None,
        ),
        (
            "http: TLS handshake error from 10.20.3.4:51122: remote error: tls: bad certificate",
            Some("tls_error"),
            Some(DependencyFailure),
        ),
        (
            "x509: certificate has expired or is not yet valid: current time 2025-01-03T10:00:00Z is after 2025-01-02T23:59:59Z",
            Some("tls_error"),
            Some(DependencyFailure),
        ),
        // Read-only databases after a failover.
        (
            "org.postgresql.util.PSQLException: ERROR: cannot execute UPDATE in a read-only transaction",
            Some("db_read_only"),
            Some(DependencyFailure),
        ),
        (
            "psycopg2.errors.ReadOnlySqlTransaction: cannot execute DELETE in a read-only transaction",
            Some("db_read_only"),
            Some(DependencyFailure),
        ),
        (
            "ERROR 1290 (HY000): The MySQL server is running with the --read-only option so it cannot execute this statement",
            Some("db_read_only"),
            Some(DependencyFailure),
        ),
        (
            "ReplyError: READONLY You can't write against a read only replica.",
            Some("db_read_only"),
            Some(DependencyFailure),
        ),
        (
            "MongoServerError: NotWritablePrimary: not primary",
            Some("db_read_only"),
            Some(DependencyFailure),
        ),
        // Clock skew.
        (
            "auth: rejecting token: token has invalid claims: token used before issued",
            Some("clock_skew"),
            Some(Infrastructure),
        ),
        (
            "jwt.exceptions.ImmatureSignatureError: The token is not yet valid (iat)",
            Some("clock_skew"),
            Some(Infrastructure),
        ),
        (
            "JWT rejected: iat claim is 120 seconds in the future",
            Some("clock_skew"),
            Some(Infrastructure),
        ),
        (
            "An error occurred (RequestTimeTooSkewed) when calling the PutObject operation",
            Some("clock_skew"),
            Some(Infrastructure),
        ),
        (
            "Jan  9 04:11:20 node-7 chronyd[812]: Can't synchronise: no selectable sources",
            Some("clock_skew"),
            Some(Infrastructure),
        ),
        (
            "chronyd[812]: System clock wrong by 47.218330 seconds",
            Some("clock_skew"),
            Some(Infrastructure),
        ),
        (
            "systemd-timesyncd[501]: Timed out waiting for reply from 10.1.1.1:123; clock not synchronized",
            Some("clock_skew"),
            Some(Infrastructure),
        ),
        (
            "chronyd[812]: Selected source 192.0.2.10 (pool.ntp.org)",
            None,
            None,
        ),
        // The Kubernetes control plane: before `timeout` and `rate_limited`.
        (
            "E1103 02:15:40.118 status.go:71] apiserver received an error that is not an metav1.Status: etcdserver: request timed out",
            Some("control_plane"),
            Some(Infrastructure),
        ),
        (
            "Error from server: etcdserver: leader changed",
            Some("control_plane"),
            Some(Infrastructure),
        ),
        (
            "Error from server (TooManyRequests): etcdserver: too many requests",
            Some("control_plane"),
            Some(Infrastructure),
        ),
        (
            r#"{"level":"warn","msg":"apply request took too long","took":"2.4s","expected-duration":"100ms"}"#,
            Some("control_plane"),
            Some(Infrastructure),
        ),
        (
            r#"{"level":"warn","logger":"etcd-client","msg":"retrying of unary invoker failed","error":"rpc error: code = DeadlineExceeded desc = context deadline exceeded"}"#,
            Some("control_plane"),
            Some(Infrastructure),
        ),
        // Bad input data: before `config_error`'s `invalid value`.
        (
            "ValidationError: quantity must be positive (got 0) order=ord-11",
            Some("invalid_data"),
            Some(DataQuality),
        ),
        (
            "marshmallow.exceptions.ValidationError: {'currency': ['invalid value XYZ']}",
            Some("invalid_data"),
            Some(DataQuality),
        ),
        (
            "rejecting event: unknown schema version 7 for type=invoice.created",
            Some("invalid_data"),
            Some(DataQuality),
        ),
        (
            "pydantic_core._pydantic_core.ValidationError: 1 validation error for Order",
            Some("invalid_data"),
            Some(DataQuality),
        ),
        // ... but a settings object failing validation at start-up is configuration.
        (
            "pydantic_core._pydantic_core.ValidationError: 2 validation errors for AppSettings",
            Some("config_error"),
            Some(ConfigurationError),
        ),
        // A value in the input that does not parse: the data, named by the value itself.
        (
            "ValueError: could not convert string to float: '1.204,50'",
            Some("data_error"),
            Some(DataQuality),
        ),
        (
            r#"java.lang.NumberFormatException: For input string: "12,5""#,
            Some("data_error"),
            Some(DataQuality),
        ),
        (
            r#"strconv.ParseFloat: parsing "N/A": invalid syntax"#,
            Some("data_error"),
            Some(DataQuality),
        ),
        // A ValueError that names no input value stays a crash.
        (
            "ValueError: math domain error",
            Some("code_defect"),
            Some(CodeDefect),
        ),
        (
            "invalid value for REDIS_URL: missing scheme",
            Some("config_error"),
            Some(ConfigurationError),
        ),
        // A configuration file the service expects is not where it looks, even on a line that
        // also reports the 500 it answered.
        (
            r#"points accrual failed route=/v2/points/accrue status=500 err="load tier rules: open /etc/rewards/rules.yaml: no such file or directory""#,
            Some("config_error"),
            Some(ConfigurationError),
        ),
        (
            "Error: ENOENT: no such file or directory, open '/app/config/production.json'",
            Some("config_error"),
            Some(ConfigurationError),
        ),
        // (`FileNotFoundError` holds the letters of `ENOTFOUND`: not a DNS failure.)
        (
            "FileNotFoundError: [Errno 2] No such file or directory: '/etc/worker/settings.toml'",
            Some("config_error"),
            Some(ConfigurationError),
        ),
        (
            r#"Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"#,
            Some("config_error"),
            Some(ConfigurationError),
        ),
        (
            r#"admission webhook "validate.policy.example" denied the request: validation error: image tag must be pinned"#,
            None,
            None,
        ),
        // Words about time and replicas that are not failures.
        ("INFO allowed clock skew set to 60s", None, None),
        (
            "connected to read-only replica for reporting queries",
            None,
            None,
        ),
        // The generic ones still catch what is generic.
        (
            "upstream request timed out after 30s",
            Some("timeout"),
            Some(DependencyFailure),
        ),
        ("leader election lost", None, None),
    ];
    for (line, id, category) in cases {
        let got = classify(line);
        assert_eq!(got.map(|s| s.id), *id, "{line}");
        assert_eq!(got.map(|s| s.category), *category, "{line}");
    }
}

/// Failure modes outside the application: the host's kernel and disks, our own certificate
/// rejected by a peer, a role STS will not let us assume, a PodDisruptionBudget refusing a
/// drain, the same row written twice, data bent to fit by a lenient loader — each with its
/// default category, and the near misses that must stay what they were.
#[test]
fn host_credential_and_data_signatures() {
    use Category::*;
    let cases: &[(&str, Option<&str>, Option<Category>)] = &[
        // A node's conntrack table full: resource exhaustion, not a kernel fault.
        (
            "kernel: nf_conntrack: nf_conntrack: table full, dropping packet",
            Some("conntrack_full"),
            Some(ResourceExhaustion),
        ),
        (
            "Jun 02 10:11:12 ip-10-1-2-3 kernel: nf_conntrack: table full, dropping packet",
            Some("conntrack_full"),
            Some(ResourceExhaustion),
        ),
        (
            "node_nf_conntrack_entries=48211 node_nf_conntrack_entries_limit=262144",
            None,
            None,
        ),
        // A KMS key scheduled for deletion or disabled: configuration, before `permission_denied`.
        (
            "botocore.exceptions.ClientError: An error occurred (KMS.KMSInvalidStateException) when calling the PutObject operation: arn:aws:kms:eu-west-1:111122223333:key/7c1e2f4a-93b0-4d5e-8a61-0f2b9d4c7e15 is pending deletion.",
            Some("kms_key_unusable"),
            Some(ConfigurationError),
        ),
        (
            "KMSInvalidStateException: arn:aws:kms:us-east-1:1:key/abc is pending deletion. (AccessDenied)",
            Some("kms_key_unusable"),
            Some(ConfigurationError),
        ),
        (
            "DisabledException: arn:aws:kms:us-east-1:1:key/abc is disabled.",
            Some("kms_key_unusable"),
            Some(ConfigurationError),
        ),
        ("INFO kms: key rotation completed for key/abc", None, None),
        // The host's kernel.
        (
            "Feb 11 07:41:02 ip-172-31-9-14 kernel: watchdog: BUG: soft lockup - CPU#7 stuck for 22s! [java:9917]",
            Some("kernel_fault"),
            Some(Infrastructure),
        ),
        (
            "kernel: INFO: task jbd2/nvme0n1p1-8:388 blocked for more than 120 seconds.",
            Some("kernel_fault"),
            Some(Infrastructure),
        ),
        (
            r#"kernel: "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message."#,
            Some("kernel_fault"),
            Some(Infrastructure),
        ),
        (
            "kernel: rcu: INFO: rcu_sched self-detected stall on CPU",
            Some("kernel_fault"),
            Some(Infrastructure),
        ),
        (
            "kernel: rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:",
            Some("kernel_fault"),
            Some(Infrastructure),
        ),
        (
            "kernel: NMI watchdog: Watchdog detected hard lockup on cpu 3",
            Some("kernel_fault"),
            Some(Infrastructure),
        ),
        (
            "Kernel panic - not syncing: Fatal exception in interrupt",
            Some("kernel_fault"),
            Some(Infrastructure),
        ),
        (
            "EXT4-fs error (device nvme1n1): ext4_find_entry:1455: inode #2: comm kubelet: reading directory lblock 0",
            Some("kernel_fault"),
            Some(Infrastructure),
        ),
        (
            "XFS (nvme2n1): metadata I/O error in \"xfs_imap_to_bp+0x5c/0xa0\" at daddr 0x80 len 32 error 5",
            Some("kernel_fault"),
            Some(Infrastructure),
        ),
        (
            "blk_update_request: I/O error, dev nvme1n1, sector 4096 op 0x1:(WRITE) flags 0x800",
            Some("kernel_fault"),
            Some(Infrastructure),
        ),
        // ... but a slow event loop, a process's own segfault and a cgroup OOM kill are not.
        ("event loop blocked for more than 2 seconds", None, None),
        (
            "Memory cgroup out of memory: Killed process 4411 (node)",
            Some("oom"),
            Some(ResourceExhaustion),
        ),
        // Our certificate, rejected by the peer: a credential not renewed.
        (
            r#"level=error msg="settle failed" err="Post \"https://psp.example/v2/settle\": remote error: tls: expired certificate""#,
            Some("own_cert_expired"),
            Some(ConfigurationError),
        ),
        (
            "ssl.SSLError: [SSL: SSLV3_ALERT_CERTIFICATE_EXPIRED] sslv3 alert certificate expired (_ssl.c:2580)",
            Some("own_cert_expired"),
            Some(ConfigurationError),
        ),
        (
            "javax.net.ssl.SSLHandshakeException: Received fatal alert: certificate_expired",
            Some("own_cert_expired"),
            Some(ConfigurationError),
        ),
        // The peer's expired certificate stays the peer's (a dependency).
        (
            "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:1006)",
            Some("tls_error"),
            Some(DependencyFailure),
        ),
        (
            r#"Get "https://ledger.partner.example/v1": tls: failed to verify certificate: x509: certificate has expired or is not yet valid"#,
            Some("tls_error"),
            Some(DependencyFailure),
        ),
        // A role STS will not let us assume.
        (
            "operation error STS: AssumeRoleWithWebIdentity, https response error StatusCode: 403, RequestID: 1b2c, api error AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity",
            Some("assume_role_denied"),
            Some(ConfigurationError),
        ),
        (
            "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::111122223333:assumed-role/ci/x is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role/deployer",
            Some("assume_role_denied"),
            Some(ConfigurationError),
        ),
        (
            "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: No OpenIDConnect provider found in your account for https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
            Some("assume_role_denied"),
            Some(ConfigurationError),
        ),
        // Other AWS denials stay generic.
        (
            "AccessDenied: User arn:aws:sts::1:assumed-role/app/x is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::exports/x",
            Some("permission_denied"),
            Some(ConfigurationError),
        ),
        // A PodDisruptionBudget refusing a drain — before `rate_limited`'s 429.
        (
            "Cannot evict pod as it would violate the pod's disruption budget.",
            Some("pdb_blocks_eviction"),
            Some(ConfigurationError),
        ),
        (
            r#"error when evicting pods/"search-0" -n "search" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget. 429 Too Many Requests"#,
            Some("pdb_blocks_eviction"),
            Some(ConfigurationError),
        ),
        // The same row twice.
        (
            r#"ERROR:  duplicate key value violates unique constraint "orders_external_ref_key""#,
            Some("unique_violation"),
            Some(DataQuality),
        ),
        (
            "java.sql.SQLIntegrityConstraintViolationException: Duplicate entry 'inv-2031-07' for key 'invoices.uniq_period'",
            Some("unique_violation"),
            Some(DataQuality),
        ),
        (
            "MongoServerError: E11000 duplicate key error collection: shop.carts index: user_1 dup key: { user: 42 }",
            Some("unique_violation"),
            Some(DataQuality),
        ),
        (
            "sqlite3.IntegrityError: UNIQUE constraint failed: payouts.batch_id",
            Some("unique_violation"),
            Some(DataQuality),
        ),
        // Data bent to fit.
        (
            r#"{"level":"WARN","msg":"lenient number parse used","vendor":"acme","rows":912}"#,
            Some("data_coerced"),
            Some(DataQuality),
        ),
        (
            "WARN loader: 1204 rows skipped (unexpected column count)",
            Some("data_coerced"),
            Some(DataQuality),
        ),
        (
            "WARN amount values coerced to NaN in 77 records",
            Some("data_coerced"),
            Some(DataQuality),
        ),
        (
            "Warning: Data truncated for column 'sku' at row 1",
            Some("data_coerced"),
            Some(DataQuality),
        ),
        (
            "schema mismatch: expected 7 fields, got 9 (file=stock-2031-02-01.csv)",
            Some("data_coerced"),
            Some(DataQuality),
        ),
        // ... but nothing skipped is nothing wrong.
        (
            "INFO import done: 0 rows skipped, 5120 upserted",
            None,
            None,
        ),
        (r#"{"msg":"validation passed","rejected":0}"#, None, None),
    ];
    for (line, id, category) in cases {
        let got = classify(line);
        assert_eq!(got.map(|s| s.id), *id, "{line}");
        assert_eq!(got.map(|s| s.category), *category, "{line}");
    }
}

/// Every signature id is unique, and every pattern compiles on its own.
#[test]
fn the_table_is_well_formed() {
    let mut ids: Vec<&str> = SIGNATURES.iter().map(|(s, _)| s.id).collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate signature ids");
    for (s, re) in SIGNATURES {
        assert!(Regex::new(re).is_ok(), "{}", s.id);
    }
}

/// Known noise is neither a signature nor an error line; a veto only removes its own
/// signature.
#[test]
fn noise_and_vetoes() {
    let cases: &[(&str, Option<&str>, bool)] = &[
        (
            "http: TLS handshake error from 10.0.0.9:1234: EOF",
            Some("tls_client_hangup"),
            false,
        ),
        (
            "ERROR http: TLS handshake error from 10.0.0.9:1234: EOF",
            Some("tls_client_hangup"),
            false,
        ),
        (
            "http: TLS handshake error from 10.0.0.9:1234: tls: unknown certificate authority",
            None,
            true,
        ),
        ("ERROR something else broke", None, true),
        // A removed endpoint answering 410 to a client is by design; a dependency's 410 to us
        // (no method of ours before it) is not.
        (
            r#"level=ERROR msg="request" method=GET path=/v1/x status=410 client_id=c1"#,
            Some("gone_endpoint"),
            false,
        ),
        (
            r#"{"level":"error","method":"DELETE","path":"/v1/x","status":410}"#,
            Some("gone_endpoint"),
            false,
        ),
        (
            r#"10.0.0.1 - - "GET /v1/x HTTP/1.1" 410 12"#,
            Some("gone_endpoint"),
            false,
        ),
        (
            "ERROR upstream returned status=410 for /v2/rates",
            None,
            true,
        ),
        (
            r#"level=ERROR msg="request" method=GET path=/v1/x status=500"#,
            None,
            true,
        ),
    ];
    for (line, noisy, error) in cases {
        assert_eq!(noise(line), *noisy, "{line}");
        assert_eq!(is_error_line(line), *error, "{line}");
    }
    assert!(
        classify_all("2 validation errors for Settings")
            .iter()
            .all(|s| s.id != "invalid_data")
    );
    assert_eq!(
        classify_all("ValidationError: price must be positive")
            .first()
            .map(|s| s.id),
        Some("invalid_data")
    );
}

/// Every veto names a signature that exists.
#[test]
fn vetoes_name_real_signatures() {
    for (id, _) in UNLESS {
        assert!(signature(id).is_some(), "{id}");
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
