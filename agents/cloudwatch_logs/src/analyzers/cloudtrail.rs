//! `change_logged` findings from CloudTrail (`change: aws_api`): an API call that changed an
//! AWS resource the alert's failures name — the role the service fails to assume, the bucket
//! or table its calls are refused on — shortly before those failures began; or a change made
//! to the cluster (or workload) the alert names, before its failures. Resources come from the
//! failing lines themselves (ARNs, `bucket=`, queue URLs) and from CloudTrail's own failed calls
//! by the service's identity (`AssumeRoleWithWebIdentity` denied for its service account).
//! Context for the master, which links a change before the onset to the failure; never a
//! category of its own — except a network access revoked (a security-group rule removed) on
//! the very port the target's connections then failed to reach: a configuration error.

use super::Input;
use super::patterns::Pattern;
use super::render::{EVIDENCE_MAX, decisive, reproduce_query};
use crate::discovery::KeywordKind;
use crate::query::hhmm;
use crate::trail::TrailEvent;
use failing::failing;
use jiff::{SignedDuration, Timestamp};
use sremesh_core::text::truncate;
use sremesh_core::{Category, Finding, Severity};

mod failing;
mod network;

/// How long before the failures a change is looked for.
const LOOK_BACK: SignedDuration = SignedDuration::from_hours(3);
/// A change this soon after the first failure still counts (clocks, batching).
const SLACK: SignedDuration = SignedDuration::from_mins(2);
/// Failures beginning within this after a change make it a medium-severity lead.
const FOLLOW: SignedDuration = SignedDuration::from_mins(60);
/// Most changes reported.
const MAX_CHANGES: usize = 3;

/// `roleName` → `role `, `nodegroupName` → `nodegroup `, `name` → ``.
fn kind_word(key: &str) -> String {
    let k = [
        "Name",
        "Arn",
        "Url",
        "Identifier",
        "Id",
        "name",
        "arn",
        "url",
        "id",
    ]
    .iter()
    .find_map(|s| key.strip_suffix(s))
    .unwrap_or(key);
    if k.is_empty() {
        String::new()
    } else {
        format!("{} ", k.to_ascii_lowercase())
    }
}

/// The most specific resource a call names other than `matched`: a `…Name` parameter first,
/// then an id; else `matched` itself.
fn subject_of(e: &TrailEvent, matched: &str) -> (String, String) {
    let rs = e.resources();
    let other = |suffix: &str| {
        rs.iter()
            .find(|(k, v)| k.ends_with(suffix) && *k != "name" && !v.eq_ignore_ascii_case(matched))
            .map(|(k, v)| (kind_word(k), v.clone()))
    };
    let own = rs
        .iter()
        .find(|(_, v)| v.eq_ignore_ascii_case(matched))
        .map(|(k, v)| (kind_word(k), v.clone()));
    other("Name")
        .or_else(|| own.clone().filter(|(k, _)| !k.is_empty()))
        .or_else(|| other("Id"))
        .or(own)
        .unwrap_or_else(|| (String::new(), matched.to_owned()))
}

/// Machine images a call sets (`ImageId ami-…`, `releaseVersion …`).
fn images(e: &TrailEvent) -> Vec<String> {
    e.params
        .iter()
        .filter(|(p, v)| {
            let k = p.rsplit('.').next().unwrap_or(p).to_ascii_lowercase();
            k == "imageid" || k == "amiid" || k == "releaseversion" || v.starts_with("ami-")
        })
        .map(|(p, v)| format!("{} {v}", p.rsplit('.').next().unwrap_or(p)))
        .collect()
}

/// Calls that change what a cluster's nodes run: node groups, launch templates, Auto Scaling
/// groups, or anything that sets a machine image.
fn changes_nodes(e: &TrailEvent) -> bool {
    [
        "Nodegroup",
        "LaunchTemplate",
        "AutoScalingGroup",
        "LaunchConfiguration",
    ]
    .iter()
    .any(|w| e.name.contains(w))
        || !images(e).is_empty()
}

/// Other changes sharing an identifying value (a launch template id) with `e`, made before it
/// within [`LOOK_BACK`] (or just after, within [`SLACK`]).
fn related<'a>(mutating: &[&'a TrailEvent], e: &TrailEvent, matched: &str) -> Vec<&'a TrailEvent> {
    let ids: Vec<String> = e.resources().into_iter().map(|(_, v)| v).collect();
    mutating
        .iter()
        .copied()
        .filter(|o| !std::ptr::eq(*o, e) && o.at <= e.at + SLACK)
        .filter(|o| e.at.duration_since(o.at) <= LOOK_BACK)
        .filter(|o| {
            o.resources()
                .iter()
                .any(|(_, v)| !v.eq_ignore_ascii_case(matched) && ids.contains(v))
        })
        .collect()
}

/// `; new image: ImageId ami-… (CreateLaunchTemplateVersion 02:09 UTC)`: the machine images
/// `e` and its related changes set; empty when none.
fn image_clause(e: &TrailEvent, related: &[&TrailEvent]) -> String {
    let image: Vec<String> = related
        .iter()
        .flat_map(|o| {
            images(o)
                .into_iter()
                .map(move |i| format!("{i} ({} {} UTC)", o.name, hhmm(o.at)))
        })
        .chain(images(e))
        .collect();
    if image.is_empty() {
        String::new()
    } else {
        format!("; new image: {}", image.join(", "))
    }
}

/// The last change to the nodes of `cluster` (a node group version, a launch template's image)
/// made within [`LOOK_BACK`] before `onset` (or within [`SLACK`] after it), as one evidence
/// line for a host fault: `after CloudTrail UpdateNodegroupVersion on nodegroup ng-x
/// (prod-eks) by deployer at 02:10 UTC, 48 min before it began; new image: ImageId ami-…`.
pub(super) fn node_change(input: &Input, cluster: &str, onset: Timestamp) -> Option<String> {
    let mutating: Vec<&TrailEvent> = input
        .trail
        .iter()
        .filter(|e| e.error.is_none() && e.is_mutating() && changes_nodes(e))
        .collect();
    let e = mutating
        .iter()
        .copied()
        .filter(|e| e.at <= onset + SLACK && onset.duration_since(e.at) <= LOOK_BACK)
        .filter(|e| e.names(cluster))
        .max_by_key(|e| e.at)?;
    let (kind, subject) = subject_of(e, cluster);
    let related = related(&mutating, e, cluster);
    Some(truncate(
        &format!(
            "after CloudTrail {} on {kind}{subject} ({cluster}) by {} at {} UTC, {} min before it began{}",
            e.name,
            e.who.split('/').next().unwrap_or(&e.who),
            hhmm(e.at),
            onset.duration_since(e.at).as_mins().max(0),
            image_clause(e, &related)
        ),
        EVIDENCE_MAX,
    ))
}

/// `02:38:12 iam UpdateAssumeRolePolicy roleName=x by deployer/session (Terraform/1.9.8)`.
fn event_line(e: &TrailEvent) -> String {
    let params: Vec<String> = e
        .resources()
        .iter()
        .take(4)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let agent = e
        .user_agent
        .as_deref()
        .and_then(|a| {
            a.split_whitespace()
                .find(|t| t.contains("Terraform") || t.contains("aws-cli") || t.contains("console"))
        })
        .map(|a| format!(" ({a})"))
        .unwrap_or_default();
    truncate(
        &format!(
            "{} {} {} {} by {}{agent}",
            e.at.strftime("%H:%M:%S"),
            e.source.trim_end_matches(".amazonaws.com"),
            e.name,
            params.join(" "),
            e.who
        ),
        EVIDENCE_MAX,
    )
}

/// The first active failure of the target (or, for an alert about the cluster, of its
/// nodes) that began after `at`, within [`FOLLOW`].
fn next_failure(input: &Input, at: Timestamp) -> Option<&Pattern> {
    input
        .patterns
        .iter()
        .filter(|p| p.trend.is_active() && (p.on_target || super::nodes::host_fault(input, p)))
        .filter(|p| p.onset + SLACK >= at && p.onset.duration_since(at) <= LOOK_BACK)
        .min_by_key(|p| p.onset)
}

struct Change<'a> {
    event: &'a TrailEvent,
    kind: String,
    subject: String,
    service: Option<String>,
    onset: Timestamp,
    followed: String,
    evidence: Vec<String>,
    related: Vec<&'a TrailEvent>,
    /// The change explains the failures by itself (access revoked on their port).
    cause: bool,
}

pub fn analyze(input: &Input) -> Vec<Finding> {
    if input.trail.is_empty() {
        return Vec::new();
    }
    let mut changes: Vec<Change> = Vec::new();
    let mutating: Vec<&TrailEvent> = input
        .trail
        .iter()
        .filter(|e| e.error.is_none() && e.is_mutating())
        .collect();
    // 1. Changes to what the failures name.
    for (name, f) in failing(input) {
        for e in mutating.iter().copied().filter(|e| {
            e.at <= f.onset + SLACK && f.onset.duration_since(e.at) <= LOOK_BACK && e.names(&name)
        }) {
            let (kind, subject) = subject_of(e, &name);
            let mut evidence = vec![event_line(e)];
            let conditions = e.conditions();
            if !conditions.is_empty() {
                evidence.push(truncate(
                    &format!("its policy conditions now: {}", conditions.join(", ")),
                    EVIDENCE_MAX,
                ));
            }
            if let Some(d) = f.denied.first() {
                evidence.push(truncate(
                    &format!("then ×{} {d}", f.denied.len()),
                    EVIDENCE_MAX,
                ));
            }
            evidence.push(truncate(
                &format!(
                    "first failure naming it at {} UTC: {}",
                    hhmm(f.onset),
                    f.first
                ),
                EVIDENCE_MAX,
            ));
            changes.push(Change {
                event: e,
                kind,
                subject,
                service: f.service.clone(),
                onset: f.onset,
                followed: format!(
                    "failures naming it began {} min later: \"{}\"",
                    f.onset.duration_since(e.at).as_mins().max(0),
                    decisive(&f.first, sremesh_core::signals::classify(&f.first), 100)
                ),
                evidence,
                related: Vec::new(),
                cause: false,
            });
        }
    }
    // 1b. Network access revoked on the port the target's connections then failed to reach.
    for (e, p, port) in network::revoked(input, &mutating) {
        if changes.iter().any(|c| std::ptr::eq(c.event, e)) {
            continue;
        }
        let (kind, subject) = e
            .resources()
            .into_iter()
            .next()
            .map(|(k, v)| (kind_word(k), v))
            .unwrap_or_default();
        let ranges: Vec<String> = network::port_ranges(e)
            .iter()
            .map(|(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a}-{b}")
                }
            })
            .collect();
        let quote = decisive(&p.example.line, p.signature, 100);
        changes.push(Change {
            event: e,
            kind,
            subject,
            // The service whose connections failed: its own name, else its pod's workload.
            service: p.service.clone().or_else(|| {
                let pod = p.example.pod.as_deref().unwrap_or(&p.example.stream);
                let workload = crate::discovery::workload_of(pod);
                (workload != pod).then(|| workload.to_owned())
            }),
            onset: p.onset,
            followed: format!(
                "it removed access on port {port}; connections to port {port} failed {} min later: \"{quote}\"",
                p.onset.duration_since(e.at).as_mins().max(0)
            ),
            evidence: vec![
                event_line(e),
                truncate(
                    &format!("rules removed on port(s) {}", ranges.join(", ")),
                    EVIDENCE_MAX,
                ),
                truncate(
                    &format!(
                        "then from {} UTC: {}",
                        hhmm(p.onset),
                        super::render::evidence_line(p.count, p)
                    ),
                    EVIDENCE_MAX,
                ),
            ],
            related: Vec::new(),
            cause: true,
        });
    }
    // 2. Changes made to the cluster or the workload the alert names, before its failures.
    let named: Vec<&str> = input
        .target
        .keywords
        .iter()
        .filter(|k| matches!(k.kind, KeywordKind::Cluster | KeywordKind::Workload))
        .map(|k| k.text.as_str())
        .collect();
    for e in mutating.iter().copied() {
        if changes.iter().any(|c| std::ptr::eq(c.event, e)) {
            continue;
        }
        let Some(matched) = named.iter().find(|n| e.names(n)) else {
            continue;
        };
        let Some(p) = next_failure(input, e.at) else {
            continue;
        };
        let (kind, subject) = subject_of(e, matched);
        let related = related(&mutating, e, matched);
        let mut evidence = vec![event_line(e)];
        evidence.extend(related.iter().map(|o| {
            let img = images(o);
            let line = event_line(o);
            if img.is_empty() {
                line
            } else {
                truncate(&format!("{line} — {}", img.join(", ")), EVIDENCE_MAX)
            }
        }));
        evidence.push(truncate(
            &format!(
                "then from {} UTC: {}",
                hhmm(p.onset),
                super::render::evidence_line(p.count, p)
            ),
            EVIDENCE_MAX,
        ));
        changes.push(Change {
            event: e,
            kind,
            subject: format!("{subject} ({matched})"),
            service: None,
            onset: p.onset,
            followed: format!(
                "{} \"{}\" began {} min later",
                p.service.as_deref().unwrap_or(&p.group),
                decisive(&p.example.line, p.signature, 80),
                p.onset.duration_since(e.at).as_mins().max(0)
            ),
            evidence,
            related,
            cause: false,
        });
    }
    changes.sort_by_key(|c| std::cmp::Reverse(c.event.at));
    changes
        .into_iter()
        .take(MAX_CHANGES)
        .map(|c| finding(input, c))
        .collect()
}

fn finding(input: &Input, c: Change<'_>) -> Finding {
    let e = c.event;
    let before = input.alert_time.duration_since(e.at).as_mins().max(0);
    let subject = c
        .subject
        .split(" (")
        .next()
        .unwrap_or(&c.subject)
        .to_owned();
    let image = image_clause(e, &c.related);
    let title = truncate(
        &format!(
            "CloudTrail: {} on {}{} by {} at {} UTC, {before} min before the alert{image}; {}",
            e.name,
            c.kind,
            c.subject,
            e.who.split('/').next().unwrap_or(&e.who),
            hhmm(e.at),
            c.followed
        ),
        300,
    );
    let lag = c.onset.duration_since(e.at);
    let sev = if c.cause {
        Severity::High
    } else if lag <= FOLLOW {
        Severity::Medium
    } else {
        Severity::Low
    };
    let mut f = Finding::new(
        format!("change_logged:cloudtrail:{}:{subject}", e.name),
        "change_logged",
        sev,
        title,
    )
    .with_evidence(c.evidence.into_iter().take(8))
    .with_resource(format!("log-group:{}", e.group))
    .at(e.at)
    .with_link(input.link(&[&e.group], &reproduce_query(Some(&e.name), None)))
    .with_attr("change", "aws_api")
    .with_attr("subject", subject)
    .with_attr("event_name", e.name.clone())
    .with_attr("event_source", e.source.clone())
    .with_attr("who", e.who.clone())
    .with_attr("at", e.at.to_string())
    .with_attr("count", 1)
    .with_attr("log_group", e.group.clone())
    .with_attr("minutes_before_alert", before)
    .with_attr("followed_after_minutes", lag.as_mins().max(0));
    if let Some(s) = c.service {
        f = f.with_service(s);
    }
    if c.cause {
        f = f.with_category(Category::ConfigurationError);
    }
    f
}

#[cfg(test)]
mod tests;
