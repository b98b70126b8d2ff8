//! Failures that are over for a known reason: a managed operation (a failover, maintenance,
//! restart or upgrade announced by the service's own notification, or planned) that is
//! reported done, with the failures inside it and none since — its expected blip, not an
//! incident; an alert whose own latest notification says it recovered while no error is
//! active; and a planned activity (a load test) on the alerted service in progress at the alert.

use super::{Ev, Group, ts_attr};
use jiff::Timestamp;

/// How long after an operation's start failures may begin before it cannot be their cause
/// (and before it, for clocks and announcement lag).
const BEFORE_START_SECS: i64 = 120;
/// How long after the operation is done its failures may linger (pools reconnecting, probes
/// catching up).
const AFTER_DONE_SECS: i64 = 300;
/// How long the failures must have been silent at the alert to call them over.
const SILENT_SECS: i64 = 300;

fn flag(e: &Ev<'_>, key: &str) -> bool {
    e.f.attributes.get(key).and_then(|v| v.as_bool()) == Some(true)
}

fn hhmm(t: Timestamp) -> String {
    t.strftime("%H:%M").to_string()
}

/// Managed operations that explain failure groups: those groups are demoted (with why) and the
/// operations returned. A group is explained when every member says when it was last seen,
/// began no earlier than the operation's start, stopped by shortly after it was done and has
/// been silent since; an operation counts only when some group it explains names its subject
/// (the database the client errors name) or is about its service.
pub(crate) fn explain<'a>(
    evidence: &[Ev<'a>],
    groups: &mut [Group<'a>],
    alert_time: Timestamp,
) -> Vec<Ev<'a>> {
    let mut used: Vec<Ev<'a>> = Vec::new();
    for op in evidence.iter().filter(|e| is_managed_operation(e)) {
        let (Some(start), Some(done)) = (op.f.at, ts_attr(op, "completed_at")) else {
            continue;
        };
        let subject =
            op.f.attributes
                .get("subject")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_ascii_lowercase();
        let inside = |g: &Group<'a>| {
            let all_stopped = g
                .members
                .iter()
                .all(|(e, _)| ts_attr(e, "last_seen").is_some());
            match (all_stopped, g.onset(), g.last_seen()) {
                (true, Some(onset), Some(last)) => {
                    start.duration_since(onset).as_secs() <= BEFORE_START_SECS
                        && last.duration_since(done).as_secs() <= AFTER_DONE_SECS
                        && alert_time.duration_since(last).as_secs() >= SILENT_SECS
                }
                _ => false,
            }
        };
        let names = |g: &Group<'a>| {
            let svc = op.f.service.as_deref().unwrap_or_default();
            (!svc.is_empty() && super::rules::same_service(&g.service, svc))
                || (subject.len() >= 4
                    && g.members.iter().any(|(e, _)| {
                        e.f.title.to_ascii_lowercase().contains(&subject)
                            || e.f
                                .evidence
                                .iter()
                                .any(|l| l.to_ascii_lowercase().contains(&subject))
                    }))
        };
        let open: Vec<usize> = (0..groups.len())
            .filter(|&i| groups[i].demoted.is_none() && inside(&groups[i]))
            .collect();
        if !open.iter().any(|&i| names(&groups[i])) {
            continue;
        }
        let change =
            op.f.attributes
                .get("change")
                .and_then(|v| v.as_str())
                .unwrap_or("operation");
        for i in open {
            let g = &mut groups[i];
            g.score *= 0.3;
            g.demoted = Some(format!(
                "within the {change} of {subject} ({}–{} UTC, reported done), silent since",
                hhmm(start),
                hhmm(done)
            ));
        }
        used.push(*op);
    }
    if !used.is_empty() {
        groups.sort_by(|a, b| b.score.total_cmp(&a.score));
    }
    used
}

/// A failover, maintenance, restart or upgrade reported done, told by a notification (the
/// managed service's own event) or announced as planned — not a person's ad-hoc change.
fn is_managed_operation(e: &Ev<'_>) -> bool {
    let change = e.f.attributes.get("change").and_then(|v| v.as_str());
    e.f.kind == "change_announced"
        && matches!(
            change,
            Some("failover" | "maintenance" | "restart" | "upgrade")
        )
        && flag(e, "completed")
        && (flag(e, "notification") || flag(e, "planned"))
}

/// The alert's own notification stream (the same alert, in chat) whose latest notification
/// closed it (`OK:` after `ALARM:`).
pub(crate) fn alert_recovered<'a>(evidence: &[Ev<'a>]) -> Option<Ev<'a>> {
    evidence
        .iter()
        .filter(|e| {
            e.f.kind == "related_alert"
                && e.f.attributes.get("match").and_then(|v| v.as_str()) == Some("same")
                && flag(e, "recovered")
        })
        .max_by_key(|e| ts_attr(e, "recovered_at"))
        .copied()
}

/// The healthy verdict's title when an operation reported done, or the alert's own recovery
/// notification, says the failures are over.
pub(crate) fn healthy_title(operations: &[Ev<'_>], recovery: Option<Ev<'_>>) -> Option<String> {
    if let Some(op) = operations.first() {
        let attr = |k: &str| {
            op.f.attributes
                .get(k)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        return Some(format!(
            "Recovered: the failures fell within a {} of {} reported done at {} UTC, none since — no active failure now",
            attr("change"),
            attr("subject"),
            ts_attr(op, "completed_at").map_or_else(String::new, hhmm)
        ));
    }
    recovery.map(|r| {
        format!(
            "Recovered: the alert's own notification says it is over ({}), no active error since",
            ts_attr(&r, "recovered_at").map_or_else(
                || "resolved".to_owned(),
                |t| format!("resolved at {} UTC", hhmm(t))
            )
        )
    })
}

/// A planned activity that raises alerts by design (a load test, a benchmark, a chaos
/// experiment, maintenance) announced on a service the alert names, whose announced window
/// covers the alert and that is not reported done: the alert is its expected effect while
/// nothing fails. Also any planned change (a decommission, say) whose announcement names the
/// alert's service or the alert itself and says its alerts are expected.
pub(crate) fn planned_activity<'a>(
    alert: &crate::alert::AlertInfo,
    evidence: &[Ev<'a>],
) -> Option<Ev<'a>> {
    let on_alert = |e: &Ev<'_>| {
        [e.f.service.as_deref(), attr_str(e, "subject")]
            .into_iter()
            .flatten()
            .any(|s| alert.mentions(s))
    };
    evidence
        .iter()
        .filter(|e| e.f.kind == "change_announced" && flag(e, "planned"))
        .filter(|e| {
            let by_design = matches!(
                attr_str(e, "change"),
                Some("load_test" | "benchmark" | "chaos_experiment" | "maintenance")
            ) && flag(e, "covers_alert")
                && !flag(e, "completed")
                && e.f.service.as_deref().is_some_and(|s| alert.mentions(s));
            by_design || (flag(e, "expects_alert") && on_alert(e))
        })
        .max_by_key(|e| e.f.at)
        .copied()
}

fn attr_str<'e>(e: &Ev<'e>, key: &str) -> Option<&'e str> {
    e.f.attributes.get(key).and_then(|v| v.as_str())
}

/// The healthy verdict's title when the alert falls inside a planned activity.
pub(crate) fn planned_title(p: &Ev<'_>) -> String {
    let attr = |k: &str| {
        p.f.attributes
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .replace('_', " ")
    };
    let window = match (ts_attr(p, "activity_start"), ts_attr(p, "activity_end")) {
        (Some(a), Some(b)) => format!(" ({}–{} UTC)", hhmm(a), hhmm(b)),
        _ => String::new(),
    };
    format!(
        "No active failure: the alert falls inside a planned {} on {}{window}, announced in chat, and nothing fails",
        attr("change"),
        attr("subject"),
    )
}

/// Errors that are a removed endpoint answering as designed: `410 Gone` to one or a few
/// clients still calling it (`client_gone_endpoint` with `few_clients`). While nothing else
/// fails, the alert counts those answers, not a failure.
pub(crate) fn removed_endpoint<'a>(evidence: &[Ev<'a>]) -> Option<Ev<'a>> {
    evidence
        .iter()
        .filter(|e| e.f.kind == "client_gone_endpoint" && flag(e, "few_clients"))
        .max_by_key(|e| e.f.at)
        .copied()
}
