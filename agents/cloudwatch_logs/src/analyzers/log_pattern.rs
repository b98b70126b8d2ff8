//! `log_pattern` findings: the alert target's new or surging error patterns, one finding per
//! service and signature (signature-less lines of that service folded in as context, the same
//! signature elsewhere as corroboration); other services' new patterns as context; steady
//! patterns (noise) and stopped ones (recovered) at low severity and without a category.

use super::patterns::{Pattern, Trend};
use super::render::{
    EVIDENCE_MAX, TITLE_QUOTE, count_line, data_clause, decisive, evidence_line, frame_clause,
    literal, redelivery_line, reproduce_query, short_hash, trend_words,
};
use super::{Input, patterns::is_lambda_platform_line};
use crate::discovery::probe::is_node_group;
use crate::records::{Level, lambda_function};
use sremesh_core::text::truncate;
use sremesh_core::{Category, Finding, Severity};
use std::collections::BTreeMap;

const MAX_EVIDENCE: usize = 8;
const MAX_SIGNATURELESS_PER_SERVICE: usize = 3;
const MAX_OFF_TARGET: usize = 4;
const MAX_STEADY: usize = 3;
const MAX_STOPPED: usize = 3;

fn who(p: &Pattern) -> &str {
    p.service.as_deref().unwrap_or(&p.group)
}

fn informational(p: &Pattern) -> bool {
    matches!(p.level, Some(Level::Info | Level::Debug))
}

/// The finding for a set of patterns of one service (most frequent first).
/// What every finding built from patterns (`ps[0]` the lead) says of them: its log group, when
/// they began and were last seen, how many there were, their trend against the baseline.
pub(super) fn pattern_attrs(f: Finding, ps: &[&Pattern]) -> Finding {
    let lead = ps[0];
    let first = ps.iter().map(|p| p.first).min().unwrap_or(lead.first);
    let last = ps.iter().map(|p| p.last).max().unwrap_or(lead.last);
    f.with_resource(format!("log-group:{}", lead.group))
        .at(first)
        .with_attr("log_group", lead.group.clone())
        .with_attr("count", ps.iter().map(|p| p.count).sum::<usize>())
        .with_attr(
            "trend",
            serde_json::to_value(lead.trend).unwrap_or_default(),
        )
        .with_attr("new", lead.trend.is_active() && lead.novelty == Trend::New)
        .with_attr(
            "surging",
            lead.trend.is_active() && lead.novelty == Trend::Surging,
        )
        .with_attr("first_seen", first.to_string())
        .with_attr("last_seen", last.to_string())
}

fn finding(input: &Input, id: String, sev: Severity, ps: &[&Pattern], what: &str) -> Finding {
    finding_with(input, id, sev, ps, what, None)
}

/// [`finding`] with a clause after the quote (`chronyd on ip-10-0-3-77: "…"`).
fn finding_with(
    input: &Input,
    id: String,
    sev: Severity,
    ps: &[&Pattern],
    what: &str,
    extra: Option<&str>,
) -> Finding {
    let lead = ps[0];
    let count: usize = ps.iter().map(|p| p.count).sum();
    let clue = super::clues::of(input, lead);
    let extra = extra
        .into_iter()
        .chain(clue.as_ref().map(|c| c.clause.as_str()))
        .map(|e| format!("; {e}"))
        .collect::<String>();
    let quote = decisive(&lead.example.line, lead.signature, TITLE_QUOTE);
    let data = if lead
        .signature
        .is_some_and(|s| s.category == Category::DataQuality)
    {
        data_clause(&lead.example.line, &quote)
    } else {
        String::new()
    };
    let title = truncate(
        &format!(
            "{}: {what}\"{quote}\"{data}{} ×{count}{extra} ({})",
            who(lead),
            frame_clause(lead),
            trend_words(lead)
        ),
        300,
    );
    let mut evidence = vec![count_line(ps)];
    evidence.extend(clue.into_iter().flat_map(|c| c.evidence));
    evidence.extend(ps.iter().take(3).map(|p| evidence_line(p.count, p)));
    let redelivered = redelivery_line(ps);
    if let Some((_, line)) = &redelivered {
        evidence.push(line.clone());
    }
    let lit = literal(&lead.example.line, lead.signature);
    let narrow = (!input
        .groups
        .iter()
        .any(|g| g.dedicated && g.name == lead.group))
    .then_some(lead.service.as_deref())
    .flatten();
    let mut f = pattern_attrs(Finding::new(id, "log_pattern", sev, title), ps)
        .with_evidence(evidence)
        .with_link(input.link(&[&lead.group], &reproduce_query(lit.as_deref(), narrow)))
        .with_attr("ended", lead.trend == Trend::Ended)
        .with_attr(
            "onset",
            ps.iter()
                .map(|p| p.onset)
                .min()
                .unwrap_or(lead.onset)
                .to_string(),
        )
        .with_attr("on_target", lead.on_target)
        .with_attr("patterns", ps.len());
    let before: Option<usize> = ps.iter().map(|p| p.baseline).sum();
    f = f.with_attr(
        "baseline_count",
        before.map_or(serde_json::Value::Null, Into::into),
    );
    let origins: Vec<&str> = ps
        .iter()
        .flat_map(|p| p.origins.iter().map(String::as_str))
        .take(5)
        .collect();
    f = f.with_attr("sources", origins);
    if let Some(s) = &lead.service {
        f = f.with_service(s.clone());
    }
    if let Some(sig) = lead.signature {
        f = f.with_attr("signature", sig.id);
        if sig.category == Category::DataQuality {
            f = with_data(f, &lead.example.line);
        }
    }
    if let Some((n, _)) = redelivered {
        f = f.with_attr("max_receive_count", n);
    }
    if !lead.replaced_by.is_empty() {
        f = f.with_attr("replaced_by", lead.replaced_by.clone());
    }
    f
}

/// `source` (where the data came from) and `data_fields` (it and the rows touched) of a
/// data-quality line.
pub(super) fn with_data(f: Finding, line: &str) -> Finding {
    let fields = super::render::data_fields(line);
    let source = fields
        .iter()
        .find(|(k, _)| !k.to_ascii_lowercase().contains("row"))
        .map(|(_, v)| v.clone());
    let map: serde_json::Map<String, serde_json::Value> = fields
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::String(v)))
        .collect();
    let f = if map.is_empty() {
        f
    } else {
        f.with_attr("data_fields", serde_json::Value::Object(map))
    };
    match source {
        Some(s) => f.with_attr("source", s),
        None => f,
    }
}

/// How long a node-level pattern has been going: `steady, already before the window`, `new`.
fn node_trend(p: &Pattern) -> String {
    match p.trend {
        Trend::Steady => format!(
            "steady: ×{} in the preceding window too, first seen {} UTC",
            p.baseline.unwrap_or(0),
            crate::query::hhmm(p.onset)
        ),
        Trend::Surging => "surging".to_owned(),
        Trend::New => format!("new since {} UTC", crate::query::hhmm(p.onset)),
        _ => format!("first seen {} UTC", crate::query::hhmm(p.onset)),
    }
}

fn push_evidence(f: &mut Finding, line: String) {
    if f.evidence.len() < MAX_EVIDENCE {
        f.evidence.push(truncate(&line, EVIDENCE_MAX));
    }
}

/// Patterns the Lambda analyzer owns (function groups) are left out here.
fn mine(p: &Pattern) -> bool {
    lambda_function(&p.group).is_none() && !is_lambda_platform_line(&p.example.line)
}

pub fn analyze(input: &Input) -> Vec<Finding> {
    let mine: Vec<&Pattern> = input.patterns.iter().filter(|p| mine(p)).collect();
    let active = |p: &&&Pattern| p.trend.is_active();
    let mut out = Vec::new();

    // 1. The target's active patterns, by (group, service, signature).
    // Lines that call themselves errors lead, then lines with no level (exceptions, stack
    // heads), then warnings; then the most frequent.
    let rank = |p: &&Pattern| {
        let level = match p.level {
            Some(Level::Error) => 0,
            None => 1,
            Some(Level::Warn) => 2,
            Some(_) => 3,
        };
        (level, std::cmp::Reverse(p.count))
    };
    let mut by_sig: BTreeMap<(String, String, &str), Vec<&Pattern>> = BTreeMap::new();
    let mut unsigned: BTreeMap<(String, String), Vec<&Pattern>> = BTreeMap::new();
    for p in mine.iter().filter(active).filter(|p| p.on_target) {
        let k = (p.group.clone(), who(p).to_owned());
        match p.signature {
            Some(s) => by_sig.entry((k.0, k.1, s.id)).or_default().push(p),
            None => unsigned.entry(k).or_default().push(p),
        }
    }
    for ps in by_sig.values_mut() {
        ps.sort_by_key(rank);
    }
    // What the nodes' own logs say (chrony, the kernel, the kubelet): a node-level pattern
    // with the same signature as the target's says which node is the cause, however long it
    // has been going on.
    let node_level: Vec<&Pattern> = mine
        .iter()
        .copied()
        .filter(|p| is_node_group(&p.group) && !p.on_target && p.trend != Trend::Stopped)
        .filter(|p| p.signature.is_some())
        .collect();
    let mut signed: Vec<Finding> = Vec::new();
    for ((group, service, sig_id), ps) in &by_sig {
        let lead = ps[0];
        let Some(sig) = lead.signature else { continue };
        let info_only = ps.iter().all(|p| informational(p));
        let sev = if info_only {
            Severity::Low
        } else {
            sig.severity
        };
        let id = format!("log_pattern:{group}:{service}:{sig_id}");
        let nodes: Vec<&Pattern> = node_level
            .iter()
            .copied()
            .filter(|p| p.signature.map(|s| s.id) == Some(*sig_id))
            .collect();
        let extra = nodes.first().map(|n| {
            format!(
                "{} on {}: \"{}\"",
                who(n),
                n.example.node.as_deref().unwrap_or(&n.group),
                decisive(&n.example.line, n.signature, 80)
            )
        });
        let mut f = finding_with(
            input,
            id,
            sev,
            ps,
            &format!("{} — ", sig.label),
            extra.as_deref(),
        );
        if !info_only {
            f = f.with_category(sig.category);
            if sig.id == "dns_failure" {
                f = missing_host(f, ps, &input.patterns);
            }
        }
        if !nodes.is_empty() {
            let names: std::collections::BTreeSet<&str> = nodes
                .iter()
                .filter_map(|p| p.example.node.as_deref())
                .collect();
            f = f.with_attr("nodes", names.into_iter().collect::<Vec<_>>());
            for n in nodes.iter().take(2) {
                push_evidence(
                    &mut f,
                    format!(
                        "on node {} ({}, {}): {}",
                        n.example.node.as_deref().unwrap_or(&n.group),
                        who(n),
                        node_trend(n),
                        evidence_line(n.count, n)
                    ),
                );
            }
        }
        if let Some((window, base)) = input.db_connections.get(group) {
            push_evidence(&mut f, connections_line(window, base.as_deref()));
        }
        signed.push(f);
    }
    // Signature-less lines of a service with a signature finding are its context.
    for ((group, service), ps) in &unsigned {
        let host = signed
            .iter_mut()
            .filter(|f| f.service.as_deref() == Some(service.as_str()) || f.service.is_none())
            .filter(|f| f.attributes.get("log_group").and_then(|v| v.as_str()) == Some(group))
            .max_by_key(|f| f.severity);
        match host {
            Some(f) => {
                for p in ps.iter().take(2) {
                    push_evidence(f, format!("with {}", evidence_line(p.count, p)));
                }
            }
            None => {
                for p in ps
                    .iter()
                    .filter(|p| !informational(p))
                    .take(MAX_SIGNATURELESS_PER_SERVICE)
                {
                    let id = format!("log_pattern:{group}:{service}:{}", short_hash(&p.key));
                    out.push(finding(
                        input,
                        id,
                        Severity::Medium,
                        &[p],
                        "new error pattern ",
                    ));
                }
            }
        }
    }

    // 2. Other services' active patterns: corroboration when they share a signature with the
    //    target's findings, else context without a category (one per service and signature).
    let mut others: BTreeMap<(String, String, Option<&str>), Vec<&Pattern>> = BTreeMap::new();
    let signed_ids: Vec<String> = signed
        .iter()
        .filter_map(|f| f.attributes.get("signature").and_then(|v| v.as_str()))
        .map(str::to_owned)
        .collect();
    let told = |p: &Pattern| {
        node_level.iter().any(|n| std::ptr::eq(*n, p))
            && p.signature
                .is_some_and(|s| signed_ids.iter().any(|id| id == s.id))
    };
    for p in mine
        .iter()
        .filter(active)
        .filter(|p| !p.on_target && !told(p) && !super::nodes::host_fault(input, p))
    {
        let shared = p.signature.and_then(|s| {
            signed
                .iter_mut()
                .find(|f| f.attributes.get("signature").and_then(|v| v.as_str()) == Some(s.id))
        });
        if let Some(f) = shared {
            push_evidence(
                f,
                format!("also in {}: {}", who(p), evidence_line(p.count, p)),
            );
            continue;
        }
        if !informational(p) {
            let k = (
                p.group.clone(),
                who(p).to_owned(),
                p.signature.map(|s| s.id),
            );
            others.entry(k).or_default().push(p);
        }
    }
    // A dependency's own signature that explains the target's (a lock the target's
    // connections queue behind) is a cause, not context.
    let explaining = |sig: &Option<&str>| {
        sig.is_some_and(|c| signed_ids.iter().any(|s| super::clues::explains(c, s)))
    };
    let (causes, context): (Vec<_>, Vec<_>) =
        others.iter().partition(|((_, _, sig), _)| explaining(sig));
    for ((group, service, sig), ps) in causes
        .into_iter()
        .chain(context.into_iter().take(MAX_OFF_TARGET))
    {
        let id = format!(
            "log_pattern:{group}:{service}:{}",
            sig.map_or_else(|| short_hash(&ps[0].key), str::to_owned)
        );
        let cause = ps[0].signature.filter(|_| explaining(sig));
        if let Some(c) = cause {
            let f = finding(input, id, c.severity, ps, &format!("{} — ", c.label))
                .with_category(c.category);
            signed.push(f);
            continue;
        }
        let sev = if sig.is_some() {
            Severity::Low
        } else {
            Severity::Info
        };
        out.push(finding(input, id, sev, ps, "not the alert's target — "));
    }
    super::clues::demote_symptoms(&mut signed, &mine);
    out.extend(signed);

    // 3. The target's steady patterns (noise) and stopped ones (recovered).
    let quiet_kind = |t: Trend, max: usize, sev_sig: Severity, what: &'static str| {
        mine.iter()
            .filter(move |p| p.on_target && p.trend == t)
            .take(max)
            .map(move |p| {
                let id = format!("log_pattern:{}:{}:{}", p.group, who(p), short_hash(&p.key));
                let sev = if p.signature.is_some() {
                    sev_sig
                } else {
                    Severity::Info
                };
                finding(input, id, sev, &[p], what)
            })
    };
    out.extend(quiet_kind(
        Trend::Steady,
        MAX_STEADY,
        Severity::Low,
        "steady noise, not new — ",
    ));
    out.extend(quiet_kind(
        Trend::Stopped,
        MAX_STOPPED,
        Severity::Low,
        "errors that stopped — ",
    ));
    out
}

/// `connections authorized in the window by user: orders_backfill ×3 (0 before), …`.
fn connections_line(window: &[(String, f64)], base: Option<&[(String, f64)]>) -> String {
    let mut rows: Vec<&(String, f64)> = window.iter().collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    let parts: Vec<String> = rows
        .iter()
        .take(5)
        .map(|(user, n)| {
            let before = base.map(|b| b.iter().find(|(u, _)| u == user).map_or(0.0, |(_, n)| *n));
            match before {
                Some(0.0) => format!("{user} ×{n} (new: 0 before)"),
                Some(b) => format!("{user} ×{n} ({b} before)"),
                None => format!("{user} ×{n}"),
            }
        })
        .collect();
    format!(
        "connections authorized in the window, by database user: {}",
        if parts.is_empty() {
            "none".to_owned()
        } else {
            parts.join(", ")
        }
    )
}

/// A DNS failure that is one dependency's name not existing (see [`super::dns`]) is that
/// dependency's failure, not the cluster's DNS.
fn missing_host(f: Finding, ps: &[&Pattern], all: &[Pattern]) -> Finding {
    let lines: Vec<&str> = ps.iter().map(|p| p.example.line.as_str()).collect();
    let services: Vec<&str> = all
        .iter()
        .filter(|p| p.signature.is_some_and(|s| s.id == "dns_failure"))
        .filter_map(|p| p.service.as_deref())
        .collect();
    let Some(host) = super::dns::missing_host(&lines, &services) else {
        return f;
    };
    let note = format!(
        "only {host} fails to resolve, answered as not existing (NXDOMAIN) every time: that dependency's address is gone, not the cluster's DNS"
    );
    let mut f = f
        .with_category(Category::DependencyFailure)
        .with_attr("missing_host", host);
    push_evidence(&mut f, note);
    f
}
