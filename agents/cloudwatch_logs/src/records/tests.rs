//! Records: envelopes unwrapped, services, levels, error lines of multi-line events, times.
use super::*;

fn at() -> Timestamp {
    "2026-04-18T10:00:00Z".parse().unwrap()
}

#[test]
fn container_insights_envelope_is_unwrapped() {
    let msg = r#"{"log":"{\"level\":\"error\",\"msg\":\"db connect failed\"}","stream":"stdout","kubernetes":{"pod_name":"orders-api-5c9d7b8f6-4kd9s","namespace_name":"orders","container_name":"orders-api","host":"ip"}}"#;
    let r = LogRecord::parse("/aws/containerinsights/c/application", "s", at(), msg);
    assert_eq!(r.line, r#"{"level":"error","msg":"db connect failed"}"#);
    assert_eq!(r.pod.as_deref(), Some("orders-api-5c9d7b8f6-4kd9s"));
    assert_eq!(r.namespace.as_deref(), Some("orders"));
    assert_eq!(r.service.as_deref(), Some("orders-api"));
    assert_eq!(r.level, Some(Level::Error));
}

#[test]
fn services_come_from_the_group_stream_or_unit() {
    let cases = [
        (
            "/aws/lambda/pay-hook",
            "2026/04/13/[$LATEST]ab",
            "x",
            Some("pay-hook"),
        ),
        (
            "/aws/rds/instance/orders-db/postgresql",
            "orders-db",
            "x",
            Some("orders-db"),
        ),
        (
            "/aws/eks/c/cluster",
            "kube-scheduler-3f9a7c2b1e6d4a80",
            "x",
            Some("kube-scheduler"),
        ),
        (
            "/aws/containerinsights/c/dataplane",
            "kubelet.service-ip",
            r#"{"hostname":"ip","systemd_unit":"kubelet.service","message":"E0327 boom"}"#,
            Some("kubelet"),
        ),
        (
            "/shop/prod/checkout-api",
            "checkout-api-7d5c9b8f64-8gq2r",
            "x",
            Some("checkout-api"),
        ),
        (
            "/aws/containerinsights/c/application",
            "ip-application.var.log.containers.web-5c8d7f6b9-h2kqs_web_bff-0123abcd.log",
            "plain line",
            Some("web"),
        ),
    ];
    for (group, stream, msg, want) in cases {
        let r = LogRecord::parse(group, stream, at(), msg);
        assert_eq!(r.service.as_deref(), want, "{group} {stream}");
    }
}

#[test]
fn levels() {
    let cases = [
        (
            "2026-05-06T18:09:44.610Z ERROR 1 --- [exec-7] x : boom",
            Some(Level::Error),
        ),
        (
            "2026-05-04 11:09:40.331  WARN 1 --- [c-1] c.a.f.DlqMonitor : x",
            Some(Level::Warn),
        ),
        ("time=2026 level=ERROR msg=\"config\"", Some(Level::Error)),
        (r#"{"level":50,"msg":"x"}"#, Some(Level::Error)),
        (r#"{"level":"warn","msg":"x"}"#, Some(Level::Warn)),
        (
            "E0429 15:15:12.338810 10 pv_controller.go:1590] x",
            Some(Level::Error),
        ),
        (
            "I0318 20:29:01.883402 11 schedule_one.go:1055] x",
            Some(Level::Info),
        ),
        (
            "2026-03-27 10:43:02.530117+00:00 [info] <0.612.0> node down",
            Some(Level::Info),
        ),
        (
            "[ERROR] plugin/errors: 2 api.sift.com. A: i/o timeout",
            Some(Level::Error),
        ),
        (
            "ERROR:fraud_scorer.enrich:sift lookup failed",
            Some(Level::Error),
        ),
        ("Task timed out after 6.01 seconds", None),
    ];
    for (line, want) in cases {
        assert_eq!(level_of(line), want, "{line}");
    }
}

#[test]
fn multi_line_events_keep_the_first_line_and_the_top_frame() {
    let msg = "java.lang.NullPointerException: boom\n\tat com.acme.Tax.calc(Tax.java:88)\n\tat x";
    let r = LogRecord::parse("/app/x", "s", at(), msg);
    assert_eq!(r.line, "java.lang.NullPointerException: boom");
    let frame = r.raise_frame().expect("a Java frame");
    assert_eq!(frame.raw, "at com.acme.Tax.calc(Tax.java:88)");
    assert_eq!(frame.clause(), "in Tax.calc (Tax.java:88)");
}

/// `check_frame(stack trace, expected "in fn (file:line)")`: the frame the exception was raised
/// in — Python's deepest application frame, Java's / Node's first outside the platform, Go's
/// first outside the runtime.
fn check_frame(trace: &str, want: Option<&str>) {
    assert_eq!(
        frames::raise_frame(trace).map(|f| f.clause()).as_deref(),
        want,
        "{trace}"
    );
}

#[test]
fn the_raising_frame_of_each_language() {
    let cases = [
        (
            "Traceback (most recent call last):\n  File \"/usr/lib/python3.11/site-packages/rq/worker.py\", line 1431, in perform_job\n    rv = job.perform()\n  File \"/srv/ledger/rollover.py\", line 57, in close_month\n    end = start.replace(day=31)\n  File \"/usr/lib/python3.11/site-packages/pendulum/date.py\", line 12, in replace\n    raise ValueError\nValueError: day is out of range for month",
            Some("in close_month (rollover.py:57)"),
        ),
        (
            "java.lang.NumberFormatException: For input string: \"12,5\"\n\tat java.base/java.lang.NumberFormatException.forInputString(NumberFormatException.java:67)\n\tat java.base/java.lang.Integer.parseInt(Integer.java:662)\n\tat com.shop.stock.CsvRow.quantity(CsvRow.java:41)\n\tat com.shop.stock.Importer.run(Importer.java:90)",
            Some("in CsvRow.quantity (CsvRow.java:41)"),
        ),
        (
            "TypeError: Cannot read properties of undefined (reading 'sku')\n    at priceOf (/srv/app/src/cart/totals.js:118:22)\n    at Array.map (<anonymous>)\n    at /srv/app/node_modules/express/lib/router/layer.js:95:5",
            Some("in priceOf (totals.js:118)"),
        ),
        (
            "panic: runtime error: index out of range [3] with length 3\n\ngoroutine 41 [running]:\nmain.(*Batcher).flush(0xc000120000)\n\t/src/batcher/batch.go:77 +0x1d4\nmain.main()\n\t/src/batcher/main.go:20 +0x85",
            Some("in main.(*Batcher).flush (batch.go:77)"),
        ),
        ("plain error without a trace", None),
    ];
    for (trace, want) in cases {
        check_frame(trace, want);
    }
}

/// An audit event reads as who did what and how the API server answered; its status code is
/// its level; the pod it is about is its source.
#[test]
fn kubernetes_audit_events_read_as_one_line() {
    let msg = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","verb":"create","requestURI":"/api/v1/namespaces/search/pods/search-0/eviction","user":{"username":"system:serviceaccount:karpenter:karpenter"},"objectRef":{"resource":"pods","namespace":"search","name":"search-0","subresource":"eviction"},"responseStatus":{"status":"Failure","message":"Cannot evict pod as it would violate the pod's disruption budget.","reason":"TooManyRequests","details":{"causes":[{"reason":"DisruptionBudget","message":"The disruption budget search-pdb needs 2 healthy pods and has 2 currently"}]},"code":429}}"#;
    let r = LogRecord::parse(
        "/aws/eks/c/cluster",
        "kube-apiserver-audit-0a1b2c3d4e5f6a7b",
        at(),
        msg,
    );
    assert_eq!(
        r.line,
        "create /api/v1/namespaces/search/pods/search-0/eviction by system:serviceaccount:karpenter:karpenter → 429 TooManyRequests: Cannot evict pod as it would violate the pod's disruption budget. (DisruptionBudget: The disruption budget search-pdb needs 2 healthy pods and has 2 currently)"
    );
    assert_eq!(r.pod.as_deref(), Some("search-0"));
    assert_eq!(r.namespace.as_deref(), Some("search"));
    assert_eq!(r.service.as_deref(), Some("search"));
    assert_eq!(r.level, Some(Level::Warn));
    let ok = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get","requestURI":"/api/v1/nodes/n1","user":{"username":"u"},"responseStatus":{"code":200}}"#;
    let r = LogRecord::parse(
        "/aws/eks/c/cluster",
        "kube-apiserver-audit-0a1b2c3d4e5f6a7b",
        at(),
        ok,
    );
    assert_eq!(r.level, Some(Level::Info));
    assert_eq!(r.line, "get /api/v1/nodes/n1 by u → 200");
}

/// Streams named `<pod>_<namespace>_<container>` say whose lines they are; other
/// underscored stream names do not.
#[test]
fn pod_named_streams() {
    let cases = [
        (
            "billing-api-7d9f8c6b5-q2x7m_billing_api",
            Some(("billing-api-7d9f8c6b5-q2x7m", "billing")),
            Some("billing-api"),
        ),
        (
            "kafka-2_streaming_broker",
            Some(("kafka-2", "streaming")),
            Some("kafka"),
        ),
        ("nightly_export_run", None, Some("x")),
    ];
    for (stream, pod, service) in cases {
        let r = LogRecord::parse("/aws/containerinsights/c/application", stream, at(), "boom");
        assert_eq!(
            r.pod.as_deref().zip(r.namespace.as_deref()),
            pod,
            "{stream}"
        );
        if pod.is_some() {
            assert_eq!(r.service.as_deref(), service, "{stream}");
        }
    }
}

/// `check(event text, expected error line, expected first line kept as context)`.
fn check_headline(text: &str, line: &str, context: Option<&str>) {
    let h = headline(text);
    assert_eq!(
        (h.line.as_str(), h.context.as_deref()),
        (line, context),
        "{text:?}"
    );
}

#[test]
fn multi_line_events_are_classified_by_their_error_line() {
    let cases: [(&str, &str, Option<&str>); 7] = [
        // The first line names the failure: it stays the line, the traceback is detail.
        (
            "[ERROR] ClientError: An error occurred (AccessDenied) when calling the PutObject operation\nTraceback (most recent call last):\n  File \"/var/task/h.py\", line 5, in h",
            "[ERROR] ClientError: An error occurred (AccessDenied) when calling the PutObject operation",
            None,
        ),
        // A Python traceback: its last line is the error.
        (
            "Traceback (most recent call last):\n  File \"/app/rows.py\", line 27, in format_row\n    \"k\": inv[\"k\"],\nKeyError: 'k'",
            "KeyError: 'k'",
            None,
        ),
        // A fragment that starts mid-traceback.
        (
            "  File \"/app/rows.py\", line 27, in format_row\n    x = y[\"k\"]\n             ~^^^^\nKeyError: 'k'",
            "KeyError: 'k'",
            None,
        ),
        // A vague first line and a specific cause under it: the cause, the first line kept.
        (
            "ERROR c.a.Refresher : refresh failed\njava.lang.OutOfMemoryError: Java heap space",
            "java.lang.OutOfMemoryError: Java heap space",
            Some("ERROR c.a.Refresher : refresh failed"),
        ),
        // The deepest, most specific cause of a chain.
        (
            "ERROR call failed\n\tat a.B.c(B.java:1)\nCaused by: java.util.concurrent.TimeoutException: timed out\nCaused by: java.net.ConnectException: Connection refused",
            "Caused by: java.net.ConnectException: Connection refused",
            Some("ERROR call failed"),
        ),
        // No line names a known failure: the first line stays.
        (
            "RequestId: 1 Error: Runtime exited with error: exit status 2\nRuntime.ExitError",
            "RequestId: 1 Error: Runtime exited with error: exit status 2",
            None,
        ),
        ("  single indented line  ", "single indented line", None),
    ];
    for (text, line, context) in cases {
        check_headline(text, line, context);
    }
    // The level is the one the writer declared on the first line.
    let r = LogRecord::parse(
        "/app/x",
        "s",
        at(),
        "2026-05-06 08:00:41.733 ERROR 1 --- [main] x : failed\njava.lang.OutOfMemoryError: Java heap space",
    );
    assert_eq!(r.level, Some(Level::Error));
    assert_eq!(
        signals::classify(&r.line).map(|s| s.id),
        Some("oom"),
        "{}",
        r.line
    );
}

#[test]
fn insights_times_parse() {
    assert_eq!(parse_insights_time("2026-04-18 10:00:00.000"), Some(at()));
    assert_eq!(parse_insights_time("2026-04-18T10:00:00Z"), Some(at()));
    assert_eq!(parse_insights_time("yesterday"), None);
}

/// `(group, stream, message, node, service)`.
type NodeCase = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

/// The node a line comes from, and a host's syslog program as its service: from the Container
/// Insights envelope, a journald record, a syslog line or the stream name.
#[test]
fn nodes_and_host_programs() {
    let cases: &[NodeCase] = &[
        (
            "/aws/containerinsights/c/application",
            "s",
            r#"{"log":"boom","kubernetes":{"pod_name":"web-5c8d7f6b9-h2kqs","namespace_name":"w","host":"node-a.internal"}}"#,
            Some("node-a.internal"),
            Some("web"),
        ),
        (
            "/aws/containerinsights/c/host",
            "node-b.internal-host.messages",
            "Feb  3 07:00:01 node-b ntpd[311]: no servers can be used, system clock unsynchronized",
            Some("node-b"),
            Some("ntpd"),
        ),
        (
            "/aws/containerinsights/c/host",
            "ip-10-9-8-7.internal-host.dmesg",
            "[88231.0041] Out of memory: Killed process 4411 (ruby)",
            Some("ip-10-9-8-7.internal"),
            None,
        ),
        (
            "/aws/containerinsights/c/dataplane",
            "kubelet.service-ip-10-9-8-7.internal",
            r#"{"hostname":"ip-10-9-8-7.internal","systemd_unit":"kubelet.service","message":"E0101 x"}"#,
            Some("ip-10-9-8-7.internal"),
            Some("kubelet"),
        ),
        (
            "/aws/containerinsights/c/host",
            "ip-10-5-22-140.ap-southeast-2.compute.internal-dmesg",
            "kernel: nvme nvme2: I/O 417 QID 3 timeout, aborting",
            Some("ip-10-5-22-140.ap-southeast-2.compute.internal"),
            None,
        ),
        (
            "/aws/containerinsights/c/host",
            "ip-10-20-41-128.ec2.internal.node-exporter",
            "node_nf_conntrack_entries=262144",
            Some("ip-10-20-41-128.ec2.internal"),
            None,
        ),
        (
            "/app/orders",
            "orders-1",
            "ERROR boom",
            None,
            Some("orders"),
        ),
    ];
    for (group, stream, msg, node, service) in cases {
        let r = LogRecord::parse(group, stream, at(), msg);
        assert_eq!(r.node.as_deref(), *node, "{msg}");
        assert_eq!(r.service.as_deref(), *service, "{msg}");
    }
}
