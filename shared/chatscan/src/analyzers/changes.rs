//! `change_announced`: a migration, config change, maintenance, failover, restart, feature flag,
//! scaling or traffic event, or a planned load test, chaos experiment or benchmark, announced for the alerted service, a datastore or queue of its
//! namespace (`orders db`, `orders-rabbitmq`), its namespace, or (infrastructure changes) its
//! cluster. Thread replies add progress and completion ("restart done"); a stated span
//! (`14:00–15:00 UTC`) says whether it was running at the alert.

use super::Input;
use crate::classify::{Note, NoteKind};
use crate::evidence::{authors, group_by, lines, minutes_before, relative, slug};
use crate::planned::{Span, When};
use crate::targets::Strength;
use sremesh_core::{Finding, Severity};

/// `14:00–15:00 UTC` (with the date when it spans days).
fn span_words(s: Span) -> String {
    let z = |t: jiff::Timestamp| t.to_zoned(jiff::tz::TimeZone::UTC);
    let (a, b) = (z(s.start), z(s.end));
    if a.date() == b.date() {
        format!("{}–{} UTC", a.strftime("%H:%M"), b.strftime("%H:%M"))
    } else {
        format!(
            "{}–{} UTC",
            a.strftime("%Y-%m-%d %H:%M"),
            b.strftime("%Y-%m-%d %H:%M")
        )
    }
}

/// The announcement's words: the line of its change word (a notification's header first).
fn quote_change(text: &str) -> String {
    match crate::vocab::announced_change(text)
        .map(|(p, _)| p)
        .or_else(|| crate::vocab::change_word_at(text))
    {
        Some(at) => crate::evidence::quote_at(text, at),
        None => crate::evidence::quote(text),
    }
}

pub(super) fn analyze(input: &Input) -> Vec<Finding> {
    let changes = input.notes.iter().filter(|n| n.kind == NoteKind::Change);
    group_by(changes, |n| (n.hit.subject.to_ascii_lowercase(), n.change))
        .into_iter()
        .filter_map(|((subject, kind), notes)| Some(finding(input, &subject, kind?, &notes)))
        .collect()
}

fn finding(
    input: &Input,
    subject: &str,
    kind: crate::vocab::ChangeKind,
    notes: &[&Note],
) -> Finding {
    let first = notes[0];
    let at = first.msg.at;
    let mins = minutes_before(input.alert_time, at);
    // The announcement itself ("campaign is out") is not a report that it is over.
    let done = notes.iter().skip(1).rfind(|n| n.done);
    let mut title = format!(
        "{} announced on {subject} {} ({}, {}): {}",
        kind.label(),
        relative(input.alert_time, at),
        input.channels.label(&first.msg.channel),
        first.msg.author,
        quote_change(&first.msg.text),
    );
    let when = crate::planned::when(&first.msg.text, first.msg.at, input.alert_time);
    match when {
        When::Covers(s) => title.push_str(&format!(
            "; announced for {}, in progress at the alert",
            span_words(s)
        )),
        When::Outside(s) => title.push_str(&format!(
            "; announced for {}, not running at the alert",
            span_words(s)
        )),
        When::Unstated => {}
    }
    if let Some(d) = done {
        title.push_str(&format!(
            "; reported done {}",
            relative(input.alert_time, d.msg.at)
        ));
    }
    // A flag switched in the product's own channel is as close as it gets: flags name no
    // service.
    let close = matches!(first.hit.strength, Strength::Direct | Strength::Dependency)
        || (kind == crate::vocab::ChangeKind::FeatureFlag && first.hit.strength == Strength::Scope);
    let running = matches!(when, When::Covers(_));
    let severity = if close && ((-5..=120).contains(&mins) || running) {
        Severity::Medium
    } else {
        Severity::Low
    };
    let mut f = Finding::new(
        format!("change_announced:{}:{}", slug(subject), kind.as_str()),
        "change_announced",
        severity,
        title,
    )
    .with_evidence(lines(&input.channels, notes))
    .with_resource(format!("channel:{}", first.msg.channel))
    .at(at)
    .with_attr("change", kind.as_str())
    .with_attr("subject", subject)
    .with_attr("minutes_before_alert", mins)
    .with_attr("source", first.msg.author.clone())
    .with_attr("channel", input.channels.label(&first.msg.channel))
    .with_attr("count", notes.len())
    .with_attr("announced_by", authors(notes))
    .with_attr(
        "match",
        serde_json::to_value(first.hit.strength).unwrap_or_default(),
    )
    .with_attr("completed", done.is_some())
    .with_attr(
        "planned",
        kind.is_planned_activity() || crate::vocab::is_planned(&first.msg.text),
    )
    .with_attr("covers_alert", running)
    .with_attr(
        "expects_alert",
        notes
            .iter()
            .any(|n| crate::vocab::expects_alerts(&n.msg.text)),
    )
    // A managed service's own notification (an RDS event), not a person's word.
    .with_attr("notification", first.msg.is_bot);
    if let When::Covers(s) | When::Outside(s) = when {
        f = f
            .with_attr("activity_start", s.start.to_string())
            .with_attr("activity_end", s.end.to_string());
    }
    if let Some(d) = done {
        f = f
            .with_attr(
                "completed_minutes_before_alert",
                minutes_before(input.alert_time, d.msg.at),
            )
            .with_attr("completed_at", d.msg.at.to_string());
    }
    if let Some(v) = notes.iter().find_map(|n| n.version.clone()) {
        f = f.with_attr("version", v);
    }
    if let Some(s) = first.hit.service() {
        f = f.with_service(s);
    }
    if let Some(l) = &first.msg.link {
        f = f.with_link(l.clone());
    }
    f
}
