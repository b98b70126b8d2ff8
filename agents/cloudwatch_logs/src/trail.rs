//! CloudTrail events delivered to CloudWatch Logs, as the analyzers read them: which API call,
//! by whom, on which resources (the identifying request parameters, ARNs reduced to names),
//! whether it failed — and the AWS resources an application's error line names.

use jiff::Timestamp;
use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;

/// One CloudTrail event.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailEvent {
    pub at: Timestamp,
    /// The trail's log group.
    pub group: String,
    /// `eventName` (`UpdateAssumeRolePolicy`).
    pub name: String,
    /// `eventSource` (`iam.amazonaws.com`).
    pub source: String,
    /// Who called, short: the role and session, the user, the principal.
    pub who: String,
    /// Everything that identifies the caller (ARN, user name, principal id), for matching.
    pub principal: String,
    /// `errorCode` when the call failed (`AccessDenied`).
    pub error: Option<String>,
    pub error_message: Option<String>,
    pub user_agent: Option<String>,
    /// Every string leaf of `requestParameters` (and `resources[].ARN`), as `(path, value)`;
    /// a JSON policy document inside a parameter is flattened too.
    pub params: Vec<(String, String)>,
}

/// Verbs that begin the name of an API call that changes something.
pub const MUTATING: &[&str] = &[
    "Update",
    "Put",
    "Delete",
    "Attach",
    "Detach",
    "Create",
    "Modify",
    "Remove",
    "Replace",
    "Revoke",
    "Disable",
    "Set",
    "Reset",
    "Associate",
    "Disassociate",
    "Deregister",
    "Register",
    "Terminate",
    "Stop",
    "Rotate",
    "Cancel",
    "Schedule",
];

impl TrailEvent {
    /// True for a call that changes something (`Update*`, `Put*`, `Delete*`, `Attach*` …).
    pub fn is_mutating(&self) -> bool {
        MUTATING.iter().any(|p| {
            self.name
                .strip_prefix(p)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
        })
    }

    /// The identifying parameters, `(key, resource name)`: names, ids, ARNs (as the name they
    /// end in) and URLs (their last segment), never the caller's session name.
    pub fn resources(&self) -> Vec<(&str, String)> {
        self.params
            .iter()
            .filter(|(path, _)| !path.contains("Condition") && !path.contains("policyDocument."))
            .filter_map(|(path, v)| {
                let key = path.rsplit('.').next().unwrap_or(path);
                let k = key.to_ascii_lowercase();
                let identifying = (k.ends_with("name")
                    || k.ends_with("id")
                    || k.ends_with("arn")
                    || k.ends_with("url")
                    || k.ends_with("identifier")
                    || matches!(
                        k.as_str(),
                        "bucket" | "table" | "queue" | "key" | "function"
                    ))
                    && !k.contains("session")
                    && !k.ends_with("requestid");
                identifying.then(|| (key, resource_name(v)))
            })
            .filter(|(_, v)| v.len() >= 3)
            .collect()
    }

    /// True when one of its identifying parameters is `name` (case-insensitive).
    pub fn names(&self, name: &str) -> bool {
        self.resources()
            .iter()
            .any(|(_, v)| v.eq_ignore_ascii_case(name))
    }

    /// The conditions of a policy document it carries (`…:sub = system:serviceaccount:a:b`).
    pub fn conditions(&self) -> Vec<String> {
        self.params
            .iter()
            .filter(|(path, _)| path.contains(".Condition."))
            .map(|(path, v)| {
                let key = path.rsplit('.').next().unwrap_or(path);
                let short = key.rsplit(':').next().unwrap_or(key);
                let short = if short == key {
                    key.to_owned()
                } else {
                    format!("…:{short}")
                };
                format!("{short} = {v}")
            })
            .collect()
    }
}

static ARN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^arn:aws[a-z\-]*:([a-z0-9\-]+):[a-z0-9\-]*:\d*:(.+)$").expect("static regex")
});

/// Resource types that prefix a name inside an ARN (`role/x`, `table/x`, `function:x`).
const TYPED: &[&str] = &[
    "role",
    "user",
    "group",
    "policy",
    "instance-profile",
    "table",
    "function",
    "key",
    "alias",
    "secret",
    "parameter",
    "cluster",
    "nodegroup",
    "stream",
    "repository",
    "db",
    "launch-template",
    "instance",
    "volume",
    "security-group",
    "service",
];

/// The name a value stands for: an ARN's resource name (`…:role/x` → `x`, `arn:aws:s3:::b/k`
/// → `b`), a URL's last path segment, else the value.
pub fn resource_name(value: &str) -> String {
    if let Some(c) = ARN.captures(value) {
        let rest = &c[2];
        let parts: Vec<&str> = rest.split(['/', ':']).filter(|p| !p.is_empty()).collect();
        return match parts.as_slice() {
            [kind, name, ..] if TYPED.contains(kind) => {
                // `nodegroup/<cluster>/<name>/<id>`, `role/path/name`: the name is the last
                // segment that is not an id.
                if *kind == "role" || *kind == "policy" || *kind == "user" {
                    parts.last().copied().unwrap_or(name).to_owned()
                } else if *kind == "nodegroup" && parts.len() >= 3 {
                    parts[2].to_owned()
                } else {
                    (*name).to_owned()
                }
            }
            [first, ..] => (*first).to_owned(),
            [] => value.to_owned(),
        };
    }
    if value.starts_with("https://") {
        return value
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(value)
            .to_owned();
    }
    value.to_owned()
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, v, out);
            }
        }
        Value::Array(a) => {
            for v in a {
                flatten(prefix, v, out);
            }
        }
        Value::String(s) => {
            // A policy document sent as a JSON string.
            if s.trim_start().starts_with('{')
                && let Ok(inner) = serde_json::from_str::<Value>(s)
            {
                flatten(prefix, &inner, out);
                return;
            }
            out.push((prefix.to_owned(), s.clone()));
        }
        Value::Number(n) => out.push((prefix.to_owned(), n.to_string())),
        _ => {}
    }
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(v, |v, k| v.get(*k))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// `arn:aws:sts::1:assumed-role/deployer/session` → `deployer/session`.
fn short_who(arn: &str) -> String {
    match arn.split_once(":assumed-role/") {
        Some((_, rest)) => rest.to_owned(),
        None => arn.rsplit([':', '/']).next().unwrap_or(arn).to_owned(),
    }
}

/// Parses a CloudTrail event (`None` for anything else).
pub fn parse(group: &str, at: Timestamp, message: &str) -> Option<TrailEvent> {
    let v: Value = serde_json::from_str(message.trim()).ok()?;
    let name = str_at(&v, &["eventName"])?.to_owned();
    let source = str_at(&v, &["eventSource"])?.to_owned();
    let identity = v.get("userIdentity");
    let field = |k: &str| identity.and_then(|i| str_at(i, &[k]));
    let arn = field("arn");
    let who = arn
        .map(short_who)
        .or_else(|| field("userName").map(str::to_owned))
        .or_else(|| field("principalId").map(str::to_owned))
        .or_else(|| field("invokedBy").map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned());
    let principal = ["arn", "userName", "principalId", "invokedBy"]
        .iter()
        .filter_map(|k| field(k))
        .collect::<Vec<_>>()
        .join(" ");
    let at = str_at(&v, &["eventTime"])
        .and_then(|t| t.parse::<Timestamp>().ok())
        .unwrap_or(at);
    let mut params = Vec::new();
    if let Some(p) = v.get("requestParameters") {
        flatten("", p, &mut params);
    }
    if let Some(rs) = v.get("resources").and_then(Value::as_array) {
        for r in rs {
            if let Some(a) = str_at(r, &["ARN"]) {
                params.push(("resources.ARN".to_owned(), a.to_owned()));
            }
        }
    }
    Some(TrailEvent {
        at,
        group: group.to_owned(),
        name,
        source,
        who,
        principal,
        error: str_at(&v, &["errorCode"]).map(str::to_owned),
        error_message: str_at(&v, &["errorMessage"]).map(str::to_owned),
        user_agent: str_at(&v, &["userAgent"]).map(str::to_owned),
        params,
    })
}

static LINE_ARN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"arn:aws[a-z\-]*:[a-z0-9\-]+:[a-z0-9\-]*:\d*:[A-Za-z0-9_+=,.@/:\-]+")
        .expect("static regex")
});
static LINE_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:bucket|table|queue|role|topic|function|stream|secret)[_ ]?(?:name)?\\?["']?\s*[=:]\s*\\?["']?([A-Za-z0-9][A-Za-z0-9._\-]{2,})"#)
        .expect("static regex")
});
static S3_URI: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"s3://([a-z0-9][a-z0-9.\-]{2,62})").expect("static regex"));
static SQS_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"https://sqs\.[a-z0-9\-]+\.amazonaws\.com/\d+/([A-Za-z0-9_\-.]+)")
        .expect("static regex")
});

/// The AWS resources an error line names: ARNs, `s3://` URIs, queue URLs and `bucket=` /
/// `"table":` style fields — as names.
pub fn named_in(line: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if s.len() >= 3 && !out.contains(&s) {
            out.push(s);
        }
    };
    for m in LINE_ARN.find_iter(line) {
        push(resource_name(m.as_str().trim_end_matches(['.', ','])));
    }
    for re in [&*S3_URI, &*SQS_URL, &*LINE_FIELD] {
        for c in re.captures_iter(line) {
            push(c[1].to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests;
