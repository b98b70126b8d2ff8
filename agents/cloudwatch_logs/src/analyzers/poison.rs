//! A poison message: one queue message that fails on every delivery while no other message
//! fails the same way. Its handler's exception reads as a crash, but the code handles every
//! other message: the message's content is the problem (data quality), and its id is what an
//! SRE needs to pull it from the queue.

use super::Input;
use crate::records::Level;
use regex::Regex;
use sremesh_core::{Category, Finding};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Deliveries of one message that make it a poison message.
const MIN_DELIVERIES: usize = 3;

static MESSAGE_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:sqs_)?message_?id["']?\s*[=:]\s*["']?([A-Za-z0-9][A-Za-z0-9-]{7,})"#)
        .expect("static regex")
});

/// The queue message id a line names.
pub fn message_id(line: &str) -> Option<&str> {
    MESSAGE_ID
        .captures(line)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str())
}

/// Per service, the one message that keeps failing: (id, failed deliveries), when every failed
/// line of that service that names a message names this one, at least [`MIN_DELIVERIES`] times.
fn poisoned(input: &Input) -> BTreeMap<String, (String, usize)> {
    let mut by_service: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for r in input
        .records
        .iter()
        .filter(|r| r.level == Some(Level::Error) && input.window.contains(r.at))
    {
        let (Some(svc), Some(id)) = (r.service.as_deref(), message_id(&r.line)) else {
            continue;
        };
        *by_service.entry(svc).or_default().entry(id).or_default() += 1;
    }
    by_service
        .into_iter()
        .filter_map(
            |(svc, ids)| match ids.into_iter().collect::<Vec<_>>().as_slice() {
                [(id, n)] if *n >= MIN_DELIVERIES => Some((svc.to_owned(), ((*id).to_owned(), *n))),
                _ => None,
            },
        )
        .collect()
}

/// Marks a service's crash findings as the poison message they are.
pub fn mark(input: &Input, findings: &mut [Finding]) {
    let poison = poisoned(input);
    for f in findings.iter_mut().filter(|f| {
        f.category == Some(Category::CodeDefect)
            && matches!(f.kind.as_str(), "lambda_error" | "log_pattern")
    }) {
        let Some((id, n)) = f.service.as_deref().and_then(|s| poison.get(s)) else {
            continue;
        };
        f.category = Some(Category::DataQuality);
        f.title = format!(
            "{} — the same message {id} fails on every delivery (×{n}) and no other does: a poison message",
            f.title.trim_end_matches('.')
        );
        f.evidence.push(format!(
            "message {id}: {n} failed deliveries in the window, no other message failing: take it off the queue (dead-letter it) and fix its content"
        ));
        f.attributes
            .insert("poison_message".to_owned(), id.clone().into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_read_in_the_shapes_logs_write_them() {
        for (line, want) in [
            (
                "failed: KeyError: 'x' messageId=b7e4c2a0-5d1f-4f7e",
                Some("b7e4c2a0-5d1f-4f7e"),
            ),
            (r#"{"message_id": "0f1e2d3c4b5a"}"#, Some("0f1e2d3c4b5a")),
            ("sqs_message_id=9a8b7c6d5e4f failed", Some("9a8b7c6d5e4f")),
            ("MessageId: 12345678-abcd", Some("12345678-abcd")),
            ("no id here", None),
            ("messageId=short", None),
        ] {
            assert_eq!(message_id(line), want, "{line}");
        }
    }
}
