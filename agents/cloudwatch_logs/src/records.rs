//! One log event as the analyzers see it: the application's own line (unwrapped from Container
//! Insights / Fluent Bit JSON), who wrote it (pod, namespace, workload, function, database), and
//! the level it declares, if any.

mod audit;
mod frames;
mod structured;

pub use frames::Frame;

use crate::discovery::workload_of;
use jiff::Timestamp;
use regex::Regex;
use serde_json::Value;
use sremesh_core::signals;
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
    /// message. For a multi-line event, its error line (see [`headline`]): the first line when
    /// it names the failure, else the line that does (a traceback's `KeyError: 'x'`, a
    /// `java.lang.OutOfMemoryError` under `refresh failed`).
    pub line: String,
    /// The rest of a multi-line event (stack frames), if any.
    pub detail: Option<String>,
    /// The event's first line when the error line is another one (what the writer said first).
    pub context: Option<String>,
    pub pod: Option<String>,
    pub namespace: Option<String>,
    /// The workload (Deployment/StatefulSet name from the pod), Lambda function, database
    /// instance, control-plane component or systemd unit that wrote the line.
    pub service: Option<String>,
    /// The node (host) that wrote it or ran the pod that did, when the event says.
    pub node: Option<String>,
    pub level: Option<Level>,
}

static CI_STREAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"containers\.([a-z0-9][a-z0-9.\-]*)_([a-z0-9][a-z0-9\-]*)_([a-z0-9][a-z0-9\-]*)-[0-9a-f]{4,}\.log$")
        .expect("static regex")
});
/// A stream named `<pod>_<namespace>_<container>` (Fluent Bit / Fluentd tag without the
/// `var.log.containers.` prefix); the pod ends the way generated pod names do (`-x7gr9`, `-1`).
static POD_STREAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([a-z0-9][a-z0-9.\-]*-[a-z0-9]{5}|[a-z0-9][a-z0-9.\-]*-\d{1,3})_([a-z0-9][a-z0-9\-]*)_([a-z0-9][a-z0-9\-]*)(?:-[0-9a-f]{8,})?$")
        .expect("static regex")
});
static COMPONENT_STREAM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([a-z][a-z\-]*[a-z])-[0-9a-f]{12,}$").expect("static regex"));
static KEYED_LEVEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\blevel"?\s*[=:]\s*"?([a-z]+|\d{2})\b"#).expect("static regex")
});
/// `Mar 26 11:09:34 ip-10-0-3-77 chronyd[1102]: message` (RFC 3164 syslog).
static SYSLOG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2} (\S+) ([A-Za-z][\w.\-/]*?)(?:\[\d+\])?: ",
    )
    .expect("static regex")
});
/// The node in a Container Insights host/dataplane/application stream name
/// (`ip-10-0-3-77.ec2.internal-host.messages`, `kubelet.service-ip-10-0-3-77.ec2.internal`),
/// or a stream named after a node's private DNS name and the file it ships
/// (`ip-10-5-22-140.ap-southeast-2.compute.internal-dmesg`).
static NODE_STREAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:([a-z0-9][a-z0-9.\-]*?)-(?:application|host|dataplane)\.|[a-z\-]+(?:\.service)?-((?:ip|i)-[a-z0-9][a-z0-9.\-]*)$|((?:ip|i)-[a-z0-9\-]+(?:\.[a-z0-9\-]+)*?\.(?:compute|ec2)\.internal)[-.][a-z][\w.\-]*$)")
        .expect("static regex")
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
        let mut node = None;
        let mut text = message;
        let mut declared = None;
        let audit_line;
        let structured_line;
        let parsed: Option<Value> = message
            .trim_start()
            .starts_with('{')
            .then(|| serde_json::from_str(message).ok())
            .flatten();
        if let Some(v) = &parsed {
            if let Some(a) = audit::parse(v) {
                audit_line = a.line;
                text = &audit_line;
                pod = a.pod;
                namespace = a.namespace;
                declared = Some(a.level);
            } else if let Some(log) = str_at(v, &["log"]) {
                text = log;
                pod = str_at(v, &["kubernetes", "pod_name"]).map(str::to_owned);
                namespace = str_at(v, &["kubernetes", "namespace_name"]).map(str::to_owned);
                service = str_at(v, &["kubernetes", "labels", "app"])
                    .or_else(|| str_at(v, &["kubernetes", "labels", "app.kubernetes.io/name"]))
                    .map(str::to_owned);
                node = str_at(v, &["kubernetes", "host"]).map(str::to_owned);
            } else if let Some(m) = str_at(v, &["message"]) {
                // Container Insights dataplane / host groups: journald JSON; or an
                // application's own JSON, whose fields beside the message join it.
                text = m;
                if let Some(l) = structured::line(v, m) {
                    structured_line = l;
                    text = &structured_line;
                }
                declared = structured::level(v).and_then(word_level);
                service =
                    str_at(v, &["systemd_unit"]).map(|u| u.trim_end_matches(".service").to_owned());
                node = str_at(v, &["hostname"])
                    .or_else(|| str_at(v, &["host"]))
                    .map(str::to_owned);
            }
        }
        // A host's syslog line names its host and program.
        if let Some(c) = SYSLOG.captures(text) {
            node = node.or_else(|| Some(c[1].to_owned()));
            service = service.or_else(|| Some(c[2].to_owned()));
        }
        if node.is_none()
            && let Some(c) = NODE_STREAM.captures(stream)
        {
            node = c
                .get(1)
                .or_else(|| c.get(2))
                .or_else(|| c.get(3))
                .map(|m| m.as_str().to_owned());
        }
        if pod.is_none()
            && let Some(c) = CI_STREAM
                .captures(stream)
                .or_else(|| POD_STREAM.captures(stream))
        {
            pod = Some(c[1].to_owned());
            namespace = Some(c[2].to_owned());
        }
        let service = service
            .or_else(|| pod.as_deref().map(|p| workload_of(p).to_owned()))
            .or_else(|| group_service(group))
            .or_else(|| COMPONENT_STREAM.captures(stream).map(|c| c[1].to_owned()));
        let event = headline(text);
        let level = declared.or_else(|| {
            event
                .context
                .as_deref()
                .and_then(level_of)
                .or_else(|| level_of(&event.line))
        });
        Self {
            at,
            group: group.to_owned(),
            stream: stream.to_owned(),
            line: event.line,
            detail: event.detail,
            context: event.context,
            pod,
            namespace,
            service,
            node,
            level,
        }
    }

    /// The frame a multi-line event's exception was raised in (see [`frames`]): Python's
    /// deepest application frame, Java's, Node's and Go's first.
    pub fn raise_frame(&self) -> Option<Frame> {
        self.detail.as_deref().and_then(frames::raise_frame)
    }

    /// Who wrote it, for evidence: the pod, else the stream.
    pub fn origin(&self) -> &str {
        self.pod.as_deref().unwrap_or(&self.stream)
    }
}

/// A multi-line event split into its error line, the rest, and its first line when that is not
/// the error line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headline {
    pub line: String,
    pub detail: Option<String>,
    pub context: Option<String>,
}

static EXCEPTION_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(Caused by: )?[A-Za-z_][\w.$]*(Error|Exception|Exit|Fault|Interrupt|Panic|Failure)\b(:|$)")
        .expect("static regex")
});
static TRACEBACK_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^traceback \(most recent call last\):?$").expect("static regex")
});

/// A stack frame, a traceback's source line or caret marks: never the error line.
fn is_frame(line: &str) -> bool {
    let t = line.trim();
    line.starts_with([' ', '\t'])
        || t.starts_with("at ")
        || t.starts_with("File \"")
        || t.starts_with("...")
        || t.chars().all(|c| matches!(c, '^' | '~' | ' '))
}

/// Where a signature sits in the priority order (lower: more specific).
fn rank(id: &str) -> usize {
    signals::SIGNATURES
        .iter()
        .position(|(s, _)| s.id == id)
        .unwrap_or(usize::MAX)
}

/// The error line of an event: its first line when that names a known failure; else the
/// most specific line that does (the deepest on ties: a `Caused by:` chain's root, a Python
/// traceback's last line); else, when the first line is a traceback header or a frame, the
/// last exception line; else the first line. Blank lines are dropped.
pub fn headline(text: &str) -> Headline {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let Some((&first, rest)) = lines.split_first() else {
        return Headline {
            line: String::new(),
            detail: None,
            context: None,
        };
    };
    let header = |l: &str| TRACEBACK_HEADER.is_match(l.trim());
    let first_sig = signals::classify(first).filter(|_| !header(first));
    let pick = if first_sig.is_some() || rest.is_empty() {
        None
    } else {
        rest.iter()
            .enumerate()
            .filter(|(_, l)| !is_frame(l) && !header(l))
            .filter_map(|(i, l)| signals::classify(l).map(|s| (rank(s.id), i)))
            .min_by_key(|(r, i)| (*r, std::cmp::Reverse(*i)))
            .map(|(_, i)| i + 1)
            .or_else(|| {
                (header(first) || is_frame(first))
                    .then(|| {
                        rest.iter()
                            .rposition(|l| EXCEPTION_LINE.is_match(l.trim()))
                            .map(|i| i + 1)
                    })
                    .flatten()
            })
    };
    let at = pick.unwrap_or(0);
    let others: Vec<&str> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != at)
        .map(|(_, l)| *l)
        .collect();
    let context = (at != 0 && !header(first) && !is_frame(first)).then(|| first.to_owned());
    Headline {
        line: lines[at].trim().to_owned(),
        detail: (!others.is_empty()).then(|| others.join("\n")),
        context,
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
mod frames_audit_tests;
#[cfg(test)]
mod structured_tests;
#[cfg(test)]
mod tests;
