//! One log event as the analyzers see it: the application's own line (unwrapped from Container
//! Insights / Fluent Bit JSON), who wrote it (pod, namespace, workload, function, database), and
//! the level it declares, if any.

use crate::discovery::workload_of;
use jiff::Timestamp;
use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;

/// The level a line declares for itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

/// One event, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRecord {
    pub at: Timestamp,
    /// The log group name.
    pub group: String,
    pub stream: String,
    /// The application's line: the `log` / `message` field of a JSON envelope, else the raw
    /// message; its first line only (stack frames follow in `detail`).
    pub line: String,
    /// The rest of a multi-line event (stack frames), if any.
    pub detail: Option<String>,
    pub pod: Option<String>,
    pub namespace: Option<String>,
    /// The workload (Deployment/StatefulSet name from the pod), Lambda function, database
    /// instance, control-plane component or systemd unit that wrote the line.
    pub service: Option<String>,
    pub level: Option<Level>,
}

static CI_STREAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"containers\.([a-z0-9][a-z0-9.\-]*)_([a-z0-9][a-z0-9\-]*)_([a-z0-9][a-z0-9\-]*)-[0-9a-f]{4,}\.log$")
        .expect("static regex")
});
static COMPONENT_STREAM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([a-z][a-z\-]*[a-z])-[0-9a-f]{12,}$").expect("static regex"));
static KEYED_LEVEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\blevel"?\s*[=:]\s*"?([a-z]+|\d{2})\b"#).expect("static regex")
});
static KLOG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([EFWID])\d{4} \d{2}:\d{2}").expect("static regex"));

fn word_level(word: &str) -> Option<Level> {
    Some(match word.to_ascii_lowercase().as_str() {
        "error" | "err" | "fatal" | "critical" | "crit" | "severe" | "panic" | "alert"
        | "emerg" | "50" | "60" => Level::Error,
        "warn" | "warning" | "40" => Level::Warn,
        "info" | "notice" | "30" => Level::Info,
        "debug" | "trace" | "10" | "20" => Level::Debug,
        _ => return None,
    })
}

/// The level a line declares: klog's `E0427 …`, a `level=` / `"level":` field (names or
/// pino/bunyan numbers), else the first level word among its first four tokens (`ERROR`,
/// `[info]`, `WARN:`).
pub fn level_of(line: &str) -> Option<Level> {
    if let Some(c) = KLOG.captures(line) {
        return match &c[1] {
            "E" | "F" => Some(Level::Error),
            "W" => Some(Level::Warn),
            "I" => Some(Level::Info),
            _ => Some(Level::Debug),
        };
    }
    if let Some(l) = KEYED_LEVEL.captures(line).and_then(|c| word_level(&c[1])) {
        return Some(l);
    }
    line.split_whitespace().take(4).find_map(|tok| {
        let tok = tok.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        let word = tok.split(':').next().unwrap_or(tok);
        // Numbers are levels only in a `level` field (pino's 50), never a bare token.
        word.bytes()
            .all(|b| b.is_ascii_alphabetic())
            .then(|| word_level(word))
            .flatten()
    })
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(v, |v, k| v.get(*k))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// The service a group stands for on its own: a Lambda function, a database instance, an
/// ElastiCache cluster; `None` for shared groups (Container Insights, EKS control plane).
pub fn group_service(group: &str) -> Option<String> {
    let parts: Vec<&str> = group.split('/').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        ["aws", "lambda", f, ..] => Some((*f).to_owned()),
        ["aws", "rds", "instance" | "cluster" | "proxy", db, ..] => Some((*db).to_owned()),
        ["aws", "elasticache" | "msk" | "opensearch" | "es", id, ..] => Some((*id).to_owned()),
        ["aws", "containerinsights" | "eks", ..] => None,
        [.., last] => Some((*last).to_owned()),
        [] => None,
    }
}

/// The Lambda function a group belongs to.
pub fn lambda_function(group: &str) -> Option<&str> {
    group.strip_prefix("/aws/lambda/").filter(|f| !f.is_empty())
}

impl LogRecord {
    /// Parses one event of `group`.
    pub fn parse(group: &str, stream: &str, at: Timestamp, message: &str) -> Self {
        let mut pod = None;
        let mut namespace = None;
        let mut service = None;
        let mut text = message;
        let parsed: Option<Value> = message
            .trim_start()
            .starts_with('{')
            .then(|| serde_json::from_str(message).ok())
            .flatten();
        if let Some(v) = &parsed {
            if let Some(log) = str_at(v, &["log"]) {
                text = log;
                pod = str_at(v, &["kubernetes", "pod_name"]).map(str::to_owned);
                namespace = str_at(v, &["kubernetes", "namespace_name"]).map(str::to_owned);
                service = str_at(v, &["kubernetes", "labels", "app"])
                    .or_else(|| str_at(v, &["kubernetes", "labels", "app.kubernetes.io/name"]))
                    .map(str::to_owned);
            } else if let Some(m) = str_at(v, &["message"]) {
                // Container Insights dataplane / host groups: journald JSON.
                text = m;
                service =
                    str_at(v, &["systemd_unit"]).map(|u| u.trim_end_matches(".service").to_owned());
            }
        }
        if pod.is_none()
            && let Some(c) = CI_STREAM.captures(stream)
        {
            pod = Some(c[1].to_owned());
            namespace = Some(c[2].to_owned());
        }
        let service = service
            .or_else(|| pod.as_deref().map(|p| workload_of(p).to_owned()))
            .or_else(|| group_service(group))
            .or_else(|| COMPONENT_STREAM.captures(stream).map(|c| c[1].to_owned()));
        let text = text.trim_end();
        let (line, detail) = match text.split_once('\n') {
            Some((first, rest)) if !rest.trim().is_empty() => {
                (first.trim_end().to_owned(), Some(rest.to_owned()))
            }
            Some((first, _)) => (first.trim_end().to_owned(), None),
            None => (text.to_owned(), None),
        };
        let level = level_of(&line);
        Self {
            at,
            group: group.to_owned(),
            stream: stream.to_owned(),
            line,
            detail,
            pod,
            namespace,
            service,
            level,
        }
    }

    /// The first stack frame of a multi-line event (`at com.acme.Tax.calculate(Tax.java:88)`).
    pub fn top_frame(&self) -> Option<&str> {
        self.detail.as_deref().and_then(|d| {
            d.lines()
                .map(str::trim)
                .find(|l| l.starts_with("at ") || l.starts_with("File \""))
        })
    }

    /// Who wrote it, for evidence: the pod, else the stream.
    pub fn origin(&self) -> &str {
        self.pod.as_deref().unwrap_or(&self.stream)
    }
}

/// Parses Insights' `@timestamp` (`2026-04-18 10:22:13.000`, UTC) or an RFC 3339 instant.
pub fn parse_insights_time(s: &str) -> Option<Timestamp> {
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    let dt: jiff::civil::DateTime = s.trim().replace(' ', "T").parse().ok()?;
    dt.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
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
        let msg =
            "java.lang.NullPointerException: boom\n\tat com.acme.Tax.calc(Tax.java:88)\n\tat x";
        let r = LogRecord::parse("/app/x", "s", at(), msg);
        assert_eq!(r.line, "java.lang.NullPointerException: boom");
        assert_eq!(r.top_frame(), Some("at com.acme.Tax.calc(Tax.java:88)"));
    }

    #[test]
    fn insights_times_parse() {
        assert_eq!(parse_insights_time("2026-04-18 10:00:00.000"), Some(at()));
        assert_eq!(parse_insights_time("2026-04-18T10:00:00Z"), Some(at()));
        assert_eq!(parse_insights_time("yesterday"), None);
    }
}
