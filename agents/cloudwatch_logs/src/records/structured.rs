//! An application's structured (JSON) line that carries its message in `message`: the fields
//! beside it that say what failed (an AWS SDK error's `name` and `Reason`, the `msg` the app
//! wrote, the function it called) join the line, so signatures and the target's names see them.

use serde_json::Value;

/// Fields naming the error (the first one set, and not already in the message, is kept).
const ERROR_NAME: &[&str] = &["name", "errorType", "errorName", "errorCode", "code"];
/// Fields giving the error's reason.
const REASON: &[&str] = &["Reason", "reason"];
/// Fields carrying the error itself, as text or as an object with a `message` (pino's `err`,
/// zap's `error`, winston's `error`): what the message says failed, said why.
const DETAIL: &[&str] = &[
    "error",
    "err",
    "errorMessage",
    "error_message",
    "exception",
    "cause",
];
/// Longest error detail kept on the line.
const DETAIL_MAX: usize = 300;
/// Fields naming the queue message being handled (its id says whether one message keeps
/// failing: see `analyzers::poison`).
const MESSAGE_ID: &[&str] = &["messageId", "message_id", "MessageId", "sqs_message_id"];
/// Fields naming the resource the call was about.
const SUBJECT: &[&str] = &["function", "functionName", "FunctionName", "function_name"];

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A single identifier (`TooManyRequestsException`, `ConcurrentInvocationLimitExceeded`),
/// not prose or a number.
fn is_identifier(s: &str) -> bool {
    s.len() <= 80
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// The error detail of the event (see [`DETAIL`]), unless the message already says it.
fn detail<'a>(v: &'a Value, message: &str) -> Option<&'a str> {
    DETAIL
        .iter()
        .filter_map(|k| {
            let d = v.get(*k)?;
            d.as_str()
                .or_else(|| d.get("message").and_then(Value::as_str))
                .map(str::trim)
        })
        .find(|d| !d.is_empty() && !message.contains(d))
        .map(|d| {
            let end = d.char_indices().nth(DETAIL_MAX).map_or(d.len(), |(i, _)| i);
            &d[..end]
        })
}

/// The line of an application's JSON event whose text is `message`: `<msg>: <name>: <message>:
/// <error detail> (Reason: <reason>) function=<f>`, each part only when set and not already
/// said; `None` for a host's journald event (it has a `systemd_unit` / `hostname`) or when
/// nothing joins.
pub fn line(v: &Value, message: &str) -> Option<String> {
    if v.get("systemd_unit").is_some() || v.get("hostname").is_some() {
        return None;
    }
    let detail = detail(v, message);
    let said = |s: &str| message.contains(s) || detail.is_some_and(|d| d.contains(s));
    let msg = text(v, "msg").filter(|m| !said(m));
    let name = ERROR_NAME
        .iter()
        .filter_map(|k| text(v, k))
        .find(|n| is_identifier(n) && !said(n));
    let reason = REASON
        .iter()
        .filter_map(|k| text(v, k))
        .find(|r| is_identifier(r) && !said(r) && Some(*r) != name);
    let subject = SUBJECT
        .iter()
        .find_map(|k| text(v, k).filter(|s| is_identifier(s)).map(|s| (*k, s)));
    let message_id = MESSAGE_ID
        .iter()
        .filter_map(|k| text(v, k))
        .find(|id| is_identifier(id) && !said(id));
    if msg.is_none()
        && name.is_none()
        && detail.is_none()
        && reason.is_none()
        && subject.is_none()
        && message_id.is_none()
    {
        return None;
    }
    let mut out = String::new();
    for part in [msg, name].into_iter().flatten() {
        out.push_str(part);
        out.push_str(": ");
    }
    out.push_str(message);
    if let Some(d) = detail {
        out.push_str(": ");
        out.push_str(d);
    }
    if let Some(r) = reason {
        out.push_str(&format!(" (Reason: {r})"));
    }
    if let Some((k, s)) = subject {
        out.push_str(&format!(" {k}={s}"));
    }
    if let Some(id) = message_id {
        out.push_str(&format!(" messageId={id}"));
    }
    Some(out)
}

/// The level the event declares in a `level` / `severity` field.
pub fn level(v: &Value) -> Option<&str> {
    text(v, "level").or_else(|| text(v, "severity"))
}
