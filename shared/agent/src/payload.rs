//! Domain ⇄ A2A: how an AlertContext, a snapshot request and their answers travel as
//! media-typed data parts (never as structured data inside free text).

use jiff::{SignedDuration, Timestamp};
use sremesh_a2a::types::{Artifact, Message, Part, Role, Task, find_data};
use sremesh_core::{
    AgentResult, AlertContext, Report, Severity, SnapshotReport, SnapshotRequest, media,
};

/// What a client asked an agent to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Investigate(Box<AlertContext>),
    Snapshot(SnapshotRequest),
}

/// Why a message could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("invalid {media} data part: {reason}")]
    BadData { media: &'static str, reason: String },
    #[error(
        "the message has no text and no sremesh data part; send an alert text or a {} part",
        media::INVESTIGATE
    )]
    Empty,
}

/// Reads a request from a message: a data part of our media types, else the text as an alert
/// (alert time = `now`, window `before`/`after` around it).
pub fn parse_request(
    message: &Message,
    now: Timestamp,
    before: SignedDuration,
    after: SignedDuration,
) -> Result<Request, PayloadError> {
    if let Some(v) = message.data(media::INVESTIGATE) {
        let ctx: AlertContext =
            serde_json::from_value(v.clone()).map_err(|e| PayloadError::BadData {
                media: media::INVESTIGATE,
                reason: e.to_string(),
            })?;
        return Ok(Request::Investigate(Box::new(ctx)));
    }
    if let Some(v) = message.data(media::SNAPSHOT) {
        let req: SnapshotRequest =
            serde_json::from_value(v.clone()).map_err(|e| PayloadError::BadData {
                media: media::SNAPSHOT,
                reason: e.to_string(),
            })?;
        return Ok(Request::Snapshot(req));
    }
    let text = message.text();
    if text.trim().is_empty() {
        return Err(PayloadError::Empty);
    }
    Ok(Request::Investigate(Box::new(AlertContext::from_text(
        text.trim(),
        now,
        before,
        after,
    ))))
}

/// The message the master sends a specialist (or the intake the master).
pub fn investigate_message(ctx: &AlertContext) -> Message {
    let data = serde_json::to_value(ctx).expect("an AlertContext always serializes");
    Message::new(
        Role::User,
        vec![
            Part::data(data, media::INVESTIGATE),
            Part::text(ctx.alert_text.clone()),
        ],
    )
}

/// The message asking for a health snapshot.
pub fn snapshot_message(req: &SnapshotRequest) -> Message {
    let data = serde_json::to_value(req).expect("a SnapshotRequest always serializes");
    Message::new(
        Role::User,
        vec![
            Part::data(data, media::SNAPSHOT),
            Part::text("health snapshot"),
        ],
    )
}

/// A human summary of an AgentResult (the text part beside the data part).
pub fn result_text(r: &AgentResult) -> String {
    let mut s = format!(
        "{} ({:?}{}): {}",
        r.agent,
        r.status,
        if r.partial { ", partial" } else { "" },
        r.summary
    );
    for f in &r.findings {
        s.push_str(&format!("\n- [{}] {}", f.severity, f.title));
    }
    s
}

/// A human summary of a snapshot.
pub fn snapshot_text(s: &SnapshotReport) -> String {
    let mut out = format!("{} snapshot at {}", s.agent, s.captured_at);
    if let Some(a) = &s.anomaly_summary {
        out.push_str(&format!("\nanomaly: {a}"));
    }
    if let Some(e) = &s.error {
        out.push_str(&format!("\nerror: {e}"));
    }
    for sec in &s.sections {
        out.push_str(&format!("\n{}:", sec.label));
        for l in &sec.lines {
            out.push_str(&format!("\n  - {l}"));
        }
    }
    out
}

/// A human summary of a report.
pub fn report_text(r: &Report) -> String {
    let mut s = format!("{} {} — {}", r.severity.emoji(), r.severity, r.summary);
    if let Some(h) = r.top() {
        s.push_str(&format!(
            "\nTop hypothesis ({}, {:.0}%): {}",
            h.category,
            h.confidence * 100.0,
            h.title
        ));
    }
    s
}

/// The artifact answering with `value` of `media` and its human `text`.
pub fn answer_artifact<T: serde::Serialize>(
    name: &str,
    media: &str,
    value: &T,
    text: String,
) -> Artifact {
    let data = serde_json::to_value(value).expect("domain answers always serialize");
    Artifact::new(name, vec![Part::text(text), Part::data(data, media)])
}

/// Finds and decodes the data part of `media` in a task's artifacts (or its status message).
pub fn decode_from_task<T: serde::de::DeserializeOwned>(
    task: &Task,
    media: &str,
) -> Option<Result<T, String>> {
    let parts: Vec<Part> = task
        .artifact_parts()
        .cloned()
        .chain(
            task.status
                .message
                .iter()
                .flat_map(|m| m.parts.iter().cloned()),
        )
        .collect();
    find_data(&parts, media).map(|v| serde_json::from_value(v.clone()).map_err(|e| e.to_string()))
}

/// The most severe finding of a result, for logs.
pub fn worst(r: &AgentResult) -> Option<Severity> {
    r.max_severity()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-04-18T10:25:00Z".parse().unwrap()
    }

    #[test]
    fn requests_round_trip_through_messages() {
        let ctx = AlertContext::from_text(
            "KubePodCrashLooping",
            now(),
            SignedDuration::from_mins(30),
            SignedDuration::from_mins(5),
        );
        let m = investigate_message(&ctx);
        let got = parse_request(&m, now(), SignedDuration::ZERO, SignedDuration::ZERO).unwrap();
        assert_eq!(got, Request::Investigate(Box::new(ctx)));

        let snap = SnapshotRequest::new(now(), Some(1000));
        let got = parse_request(
            &snapshot_message(&snap),
            now(),
            SignedDuration::ZERO,
            SignedDuration::ZERO,
        )
        .unwrap();
        assert_eq!(got, Request::Snapshot(snap));
    }

    #[test]
    fn plain_text_becomes_an_alert_at_now() {
        let m = Message::new(Role::User, vec![Part::text("  payments-api is down  ")]);
        let Request::Investigate(ctx) = parse_request(
            &m,
            now(),
            SignedDuration::from_mins(30),
            SignedDuration::from_mins(5),
        )
        .unwrap() else {
            panic!("expected an investigation")
        };
        assert_eq!(ctx.alert_text, "payments-api is down");
        assert_eq!(ctx.alert_time, now());
        assert_eq!(ctx.window.start, "2026-04-18T09:55:00Z".parse().unwrap());
        assert!(ctx.scan_channels.is_empty());
    }

    #[test]
    fn bad_input_is_named() {
        let empty = Message::new(Role::User, vec![Part::text("   ")]);
        assert_eq!(
            parse_request(&empty, now(), SignedDuration::ZERO, SignedDuration::ZERO),
            Err(PayloadError::Empty)
        );
        let bad = Message::new(
            Role::User,
            vec![Part::data(
                serde_json::json!({"alert_text": 5}),
                media::INVESTIGATE,
            )],
        );
        let err =
            parse_request(&bad, now(), SignedDuration::ZERO, SignedDuration::ZERO).unwrap_err();
        assert!(err.to_string().contains(media::INVESTIGATE), "{err}");
    }
}
