//! `no_log_groups` (nothing in CloudWatch matches the alert's names) and `logs_quiet` (the
//! alert's log groups show no new or surging error pattern: only steady noise, errors that
//! stopped before the alert, or nothing at all).

use super::Input;
use super::patterns::{Pattern, Trend};
use super::render::{evidence_line, trend_words};
use crate::discovery::describe;
use crate::query::hhmm;
use regex::Regex;
use sremesh_core::text::truncate;
use sremesh_core::{Finding, Severity};
use std::sync::LazyLock;

pub fn analyze(input: &Input) -> Vec<Finding> {
    if input.groups.is_empty() {
        return vec![no_groups(input)];
    }
    let on_target = || input.patterns.iter().filter(|p| p.on_target);
    if on_target().any(|p| p.trend.is_active()) {
        return Vec::new();
    }
    let steady: Vec<_> = on_target().filter(|p| p.trend == Trend::Steady).collect();
    let stopped: Vec<_> = on_target().filter(|p| p.trend == Trend::Stopped).collect();
    let names: Vec<&str> = input.groups.iter().map(|g| g.name.as_str()).collect();
    let span = format!(
        "{}–{} UTC",
        hhmm(input.window.start),
        hhmm(input.window.end)
    );
    let title = if !stopped.is_empty() {
        let last = stopped
            .iter()
            .map(|p| p.last)
            .max()
            .unwrap_or(input.alert_time);
        let quiet = input.alert_time.duration_since(last).as_mins().max(0);
        let recovered = if stopped.iter().all(|p| p.silent == Some(false)) {
            ", and the same sources have logged without them since: recovered"
        } else if stopped.iter().any(|p| p.silent == Some(true)) {
            ", and some of their sources have logged nothing since"
        } else {
            ""
        };
        format!(
            "No active error pattern in {} log group(s) over {span}: errors stopped at {} UTC, {quiet} min before the alert{recovered}",
            names.len(),
            hhmm(last)
        )
    } else if !steady.is_empty() {
        format!(
            "No new error pattern in {} log group(s) over {span}: only {} steady pattern(s) also seen before",
            names.len(),
            steady.len()
        )
    } else {
        format!(
            "No error lines about the alert's target in {} log group(s) over {span}",
            names.len()
        )
    };
    let mut evidence = vec![truncate(&format!("log groups: {}", names.join(", ")), 300)];
    let passing = passed_since(input, &stopped);
    let title = match &passing {
        Some((clause, _)) => truncate(&format!("{title}; since then {clause}"), 300),
        None => title,
    };
    evidence.extend(passing.map(|(_, line)| line));
    // A single line that stopped, whose source logged on without it, and beside which its
    // service (or source) wrote no other error that stopped, is a one-off, not a failure that
    // recovered: counted, not quoted (it would read as the cause). A line that is part of a
    // failure (the same service's other errors) stays.
    let together = |p: &Pattern, q: &Pattern| {
        p.group == q.group
            && match (&p.service, &q.service) {
                (Some(a), Some(b)) => a == b,
                _ => q.origins.iter().any(|o| p.origins.contains(o)),
            }
    };
    let isolated = |p: &Pattern| {
        p.count == 1
            && p.silent == Some(false)
            && !stopped
                .iter()
                .any(|q| !std::ptr::eq(*q, p) && together(p, q))
    };
    let (one_off, quoted): (Vec<&&Pattern>, Vec<&&Pattern>) =
        stopped.iter().partition(|p| isolated(p));
    if let Some(last) = one_off.iter().map(|p| p.last).max() {
        evidence.push(format!(
            "{} one-off error line(s) that did not recur, the last at {} UTC",
            one_off.len(),
            hhmm(last)
        ));
    }
    for p in quoted.into_iter().chain(steady.iter()).take(6) {
        evidence.push(truncate(
            &format!("{} — {}", evidence_line(p.count, p), trend_words(p)),
            300,
        ));
    }
    let mut f = Finding::new(
        format!("logs_quiet:{}", names.first().copied().unwrap_or_default()),
        "logs_quiet",
        Severity::Info,
        title,
    )
    .with_evidence(evidence)
    .with_link(input.link(&names, &crate::query::error_query()))
    .with_attr("log_groups", names.clone())
    .with_attr("steady_patterns", steady.len())
    .with_attr("stopped_patterns", stopped.len())
    .with_attr(
        "recovered",
        !stopped.is_empty() && stopped.iter().all(|p| p.silent == Some(false)),
    );
    if let [one] = names.as_slice() {
        f = f.with_resource(format!("log-group:{one}"));
    }
    vec![f]
}

static PASSED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bresult: (passed|success(ful)?|ok)\b|\bsuccessfully executed\b|\b(check|probe|canary|health ?check|smoke test)s? (passed|succeeded)\b")
        .expect("static regex")
});

/// After errors that stopped: the runs that passed since in the same groups (a synthetic
/// canary's `Result: PASSED`, a check that succeeded), as a title clause and an evidence line.
fn passed_since(input: &Input, stopped: &[&Pattern]) -> Option<(String, String)> {
    let last = stopped.iter().map(|p| p.last).max()?;
    let groups: Vec<&str> = stopped.iter().map(|p| p.group.as_str()).collect();
    let passes: Vec<_> = input
        .records
        .iter()
        .filter(|r| r.at > last && groups.contains(&r.group.as_str()))
        .filter(|r| !sremesh_core::signals::is_error_line(&r.line) && PASSED.is_match(&r.line))
        .collect();
    let latest = passes.iter().max_by_key(|r| r.at)?;
    let text = latest
        .line
        .rsplit('\t')
        .next()
        .unwrap_or(&latest.line)
        .trim();
    let quote = truncate(text, 120);
    Some((
        format!(
            "\"{quote}\" ×{} (the last at {} UTC)",
            passes.len(),
            hhmm(latest.at)
        ),
        truncate(
            &format!(
                "passed since the errors stopped: ×{} in {}, the last at {} UTC: {quote}",
                passes.len(),
                latest.group,
                hhmm(latest.at)
            ),
            300,
        ),
    ))
}

fn no_groups(input: &Input) -> Finding {
    let words = describe(&input.target);
    let words = if words.is_empty() {
        "(no names found in the alert)".to_owned()
    } else {
        words
    };
    let inside = match input.groups_probed.len() {
        0 => String::new(),
        n => format!(", nor do its pods or streams log in the {n} shared group(s) looked inside"),
    };
    let mut f = Finding::new(
        "no_log_groups",
        "no_log_groups",
        Severity::Info,
        truncate(
            &format!(
                "No CloudWatch log group matches the alert's names ({words}) among {} group(s){inside}: the logs are likely not in CloudWatch",
                input.groups_scanned
            ),
            300,
        ),
    )
    .with_attr("keywords", input.target.keywords.iter().map(|k| k.text.clone()).collect::<Vec<_>>())
    .with_attr("groups_scanned", input.groups_scanned)
    .with_attr("groups_probed", input.groups_probed.clone());
    if !input.groups_probed.is_empty() {
        f = f.with_evidence([truncate(
            &format!("looked inside: {}", input.groups_probed.join(", ")),
            300,
        )]);
    }
    f
}

#[cfg(test)]
mod tests;
