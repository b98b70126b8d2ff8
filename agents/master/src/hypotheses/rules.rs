//! Correlation rules: joining findings across agents and kinds into one story — groups about
//! the same service merge, a rollout explains the crash after it, database connection exhaustion
//! explains the applications' pool timeouts, a slow dependency explains Lambda timeouts, a sick
//! node explains its pods.

use super::candidates::service_key;
use super::{Ev, Group, minutes_before};
use crate::alert::AlertInfo;
use jiff::Timestamp;
use sremesh_core::Category;

pub(crate) fn signature<'a>(e: &Ev<'a>) -> &'a str {
    e.f.attributes
        .get("signature")
        .and_then(|v| v.as_str())
        .unwrap_or("")
}

/// Two service keys name the same thing (equal, or one extends the other at a `-`/`/`).
pub(crate) fn same_service(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    if a == b {
        return true;
    }
    let extends = |long: &str, short: &str| {
        long.len() > short.len()
            && (long.starts_with(&format!("{short}-"))
                || long.ends_with(&format!("/{short}"))
                || long.contains(&format!("/{short}-")))
    };
    extends(&a, &b) || extends(&b, &a)
}

/// Applies every rule, in order.
pub(crate) fn correlate<'a>(
    alert: &AlertInfo,
    alert_time: Timestamp,
    evidence: &[Ev<'a>],
    groups: &mut Vec<Group<'a>>,
) {
    merge_same_service(groups);
    super::links::declared_explanations(groups);
    super::links::same_signature(groups);
    rollouts(alert_time, evidence, groups);
    explain_symptoms(groups);
    super::links::connectivity_cut(groups);
    super::links::control_plane(groups);
    database_exhaustion(groups);
    rejected_credentials(groups);
    lambda_dependency(evidence, groups);
    provider_in_failures(evidence, groups);
    sick_nodes(evidence, groups);
    host_faults(evidence, groups);
    let _ = alert;
}

/// Groups of one category about the same service merge (cross-agent corroboration); a group
/// with no service joins the strongest group of its category.
fn merge_same_service(groups: &mut Vec<Group<'_>>) {
    let mut i = 0;
    while i < groups.len() {
        let target = (0..groups.len())
            .filter(|&j| j != i && groups[j].category == groups[i].category)
            .find(|&j| {
                same_service(&groups[i].service, &groups[j].service)
                    || (groups[i].service.is_empty()
                        && groups[j].score >= groups[i].score
                        && !groups[j].service.is_empty())
            });
        match target {
            Some(j) if groups[j].score >= groups[i].score || groups[i].service.is_empty() => {
                let g = groups.remove(i);
                let j = if j > i { j - 1 } else { j };
                absorb(&mut groups[j], g);
                i = 0;
            }
            _ => i += 1,
        }
    }
}

pub(crate) fn absorb<'a>(into: &mut Group<'a>, from: Group<'a>) {
    into.members.extend(from.members);
    into.context.extend(from.context);
    into.notes.extend(from.notes);
    into.strong |= from.strong;
    into.weak.extend(from.weak);
    if into.strong {
        into.demoted = None;
    }
    into.finish();
}

/// A rollout or announced deploy of a service shortly before the alert explains that service's
/// crash: a new image crashing is a code defect; the same image crashing after the change is a
/// configuration error.
fn rollouts<'a>(alert_time: Timestamp, evidence: &[Ev<'a>], groups: &mut [Group<'a>]) {
    for c in evidence.iter().filter(|e| {
        matches!(
            e.f.kind.as_str(),
            "recent_rollout" | "deploy_announced" | "change_announced" | "change_logged"
        )
            // A planned activity (a load test, maintenance) is not a change to the service.
            && e.f.attributes.get("planned").and_then(|v| v.as_bool()) != Some(true)
    }) {
        let mins = c.f.at.map(|t| minutes_before(alert_time, t));
        if mins.is_some_and(|m| !(-5..=120).contains(&m)) {
            continue;
        }
        let svc = service_key(c.f);
        let image_changed = match (
            c.f.attributes.get("from_image"),
            c.f.attributes.get("to_image"),
        ) {
            (Some(a), Some(b)) => Some(a != b),
            _ => None,
        };
        for g in groups.iter_mut() {
            let about = same_service(&g.service, &svc)
                || g.members
                    .iter()
                    .any(|(e, _)| same_service(&service_key(e.f), &svc))
                || names_in_failures(c, g)
                || takes_the_lock(c, g);
            // A change cannot explain failures that began before it (people announce a
            // change in chat a while after making it, so an announcement gets more slack than
            // a timestamp from the cluster or the logs).
            let slack = if c.f.kind.ends_with("_announced") {
                900
            } else {
                120
            };
            let began_before = match (c.f.at, g.onset()) {
                (Some(change), Some(onset)) => change.duration_since(onset).as_secs() > slack,
                _ => false,
            };
            if !about || g.demoted.is_some() || began_before {
                continue;
            }
            if g.category == Category::Unknown {
                g.category = match (c.f.kind.as_str(), image_changed) {
                    ("recent_rollout", Some(false))
                    | ("change_announced", _)
                    | ("change_logged", _) => Category::ConfigurationError,
                    _ => Category::CodeDefect,
                };
            } else if g.category == Category::DependencyFailure
                && c.f.kind == "recent_rollout"
                && image_changed == Some(false)
                && same_service(&g.service, &svc)
                && cannot_connect(g)
            {
                // The service restarted on the same image (its configuration changed) and
                // from then on cannot reach a dependency: where it connects is what changed.
                g.category = Category::ConfigurationError;
            }
            let when = mins.map_or(String::new(), |m| format!(" {m} min before the alert"));
            let strong = matches!(
                g.category,
                Category::CodeDefect | Category::ConfigurationError
            );
            g.bonus += if strong { 0.35 } else { 0.1 };
            if !g
                .context
                .iter()
                .any(|x| x.f.id == c.f.id && x.agent == c.agent)
            {
                g.context.push(*c);
                g.notes.push(format!(
                    "It follows a change{when}: {}.",
                    c.f.title.trim_end_matches('.')
                ));
            }
        }
    }
}

/// The changed resource (a change's `subject`: a role, a bucket, a flag) is named in the
/// group's failures ("not authorized to perform sts:AssumeRoleWithWebIdentity on
/// role/invoice-exporter-irsa" after that role's trust policy was updated).
fn names_in_failures(c: &Ev<'_>, g: &Group<'_>) -> bool {
    let Some(subject) = c.f.attributes.get("subject").and_then(|v| v.as_str()) else {
        return false;
    };
    // Short or generic subjects ("db", "config") would match anything.
    if subject.len() < 6 || !subject.contains(['-', '_', '.', '/']) {
        return false;
    }
    let needle = subject.to_ascii_lowercase();
    let named = g.members.iter().any(|(e, _)| {
        e.f.title.to_ascii_lowercase().contains(&needle)
            || e.f
                .evidence
                .iter()
                .any(|l| l.to_ascii_lowercase().contains(&needle))
    });
    // A flag's key names the code it guards: `bundle_discounts_v2` flipped, then a crash in
    // `internal/discount/bundle.go` (two of the key's words, or its only one, in the failures).
    let flag = c.f.attributes.get("change").and_then(|v| v.as_str()) == Some("flag");
    named || (flag && super::flagkeys::key_words_in_failures(subject, g))
}

/// A schema migration takes the table locks that sessions wait behind: a migration announced
/// before a datastore's lock waits is what holds the lock.
fn takes_the_lock(c: &Ev<'_>, g: &Group<'_>) -> bool {
    c.f.attributes.get("change").and_then(|v| v.as_str()) == Some("migration")
        && g.members.iter().any(|(e, _)| signature(e) == "lock_wait")
}

/// An uncategorised failure (pods not Ready, probes failing, a crash loop with no telling log)
/// is a symptom; a categorised finding about the same service names its cause. The symptom
/// joins that group as corroboration (scored below the cause, so the cause stays primary).
fn explain_symptoms(groups: &mut Vec<Group<'_>>) {
    let mut i = 0;
    while i < groups.len() {
        if groups[i].category != Category::Unknown {
            i += 1;
            continue;
        }
        let svc = groups[i].service.clone();
        let cause = (0..groups.len())
            .filter(|&j| {
                j != i
                    && !matches!(groups[j].category, Category::Unknown | Category::Healthy)
                    && groups[j].demoted.is_none()
            })
            .filter(|&j| same_service(&groups[j].service, &svc))
            .max_by(|&a, &b| groups[a].score.total_cmp(&groups[b].score));
        match cause {
            Some(j) => {
                let mut symptoms = groups.remove(i);
                let j = if j > i { j - 1 } else { j };
                let cause_best = groups[j].members.first().map_or(0.0, |m| m.1);
                for m in &mut symptoms.members {
                    m.1 = m.1.min(cause_best * 0.9);
                }
                if !groups[j]
                    .notes
                    .iter()
                    .any(|n| n.starts_with("The failures seen with it"))
                {
                    groups[j]
                        .notes
                        .push("The failures seen with it are its symptoms.".to_owned());
                }
                groups[j].bonus += 0.25;
                absorb(&mut groups[j], symptoms);
                i = 0;
            }
            None => i += 1,
        }
    }
}

/// "Too many clients" at the database plus applications timing out on their pools is one
/// incident: database connection exhaustion.
fn database_exhaustion(groups: &mut Vec<Group<'_>>) {
    absorb_waiting(
        groups,
        |g| has_signature(g, "too_many_clients"),
        false,
        "Applications time out waiting for database connections at the same time.",
    );
}

/// Credentials a datastore rejects leave the service's connection pool empty: its pool and
/// query timeouts are the rejected logins' symptoms, not exhaustion.
fn rejected_credentials(groups: &mut Vec<Group<'_>>) {
    absorb_waiting(
        groups,
        |g| has_signature(g, "auth_failed") && g.demoted.is_none(),
        true,
        "Its connection pool stays empty while every login is rejected: the pool timeouts are this failure's symptoms.",
    );
}

fn has_signature(g: &Group<'_>, sig: &str) -> bool {
    g.members.iter().any(|(e, _)| signature(e) == sig)
}

/// A cause group absorbs the groups timing out on their pools (`pool_exhausted`, `timeout`) —
/// of any service, or only of its own (`own_service`) — saying `note` once.
fn absorb_waiting(
    groups: &mut Vec<Group<'_>>,
    is_cause: impl Fn(&Group<'_>) -> bool,
    own_service: bool,
    note: &str,
) {
    let waiting = |g: &Group<'_>| {
        g.members
            .iter()
            .any(|(e, _)| matches!(signature(e), "pool_exhausted" | "timeout"))
    };
    let mut noted = false;
    while let Some(c) = groups.iter().position(&is_cause) {
        let Some(j) = (0..groups.len()).find(|&j| {
            j != c
                && !is_cause(&groups[j])
                && waiting(&groups[j])
                && (!own_service || same_service(&groups[j].service, &groups[c].service))
        }) else {
            break;
        };
        let g = groups.remove(j);
        let c = if j < c { c - 1 } else { c };
        let target = &mut groups[c];
        if !noted {
            target.notes.push(note.to_owned());
            target.bonus += 0.3;
            noted = true;
        }
        absorb(target, g);
    }
}

/// A provider's open incident (a status post the chat scanner could not tie to the alert's
/// words) whose name the failures of a dependency group carry (`api.payvault.io` in the
/// errors): the provider's own account of the failure joins the group.
fn provider_in_failures<'a>(evidence: &[Ev<'a>], groups: &mut [Group<'a>]) {
    for p in evidence.iter().filter(|e| {
        e.f.kind == "provider_incident"
            && e.f.attributes.get("resolved").and_then(|v| v.as_bool()) != Some(true)
    }) {
        let Some(name) =
            p.f.attributes
                .get("provider")
                .and_then(|v| v.as_str())
                .filter(|n| n.len() >= 4)
        else {
            continue;
        };
        for g in groups.iter_mut().filter(|g| {
            g.category == Category::DependencyFailure
                && g.demoted.is_none()
                && g.members
                    .iter()
                    .any(|(e, _)| sremesh_core::text::contains_word(&e.f.text(), name))
        }) {
            if g.context
                .iter()
                .any(|x| x.f.id == p.f.id && x.agent == p.agent)
            {
                continue;
            }
            g.context.push(*p);
            g.notes.push(format!(
                "{name} reports an incident of its own: {}.",
                p.f.title.trim_end_matches('.')
            ));
            g.bonus += 0.2;
        }
    }
}

/// A Lambda timing out while its calls to a dependency are slow or failing: the dependency.
fn lambda_dependency<'a>(evidence: &[Ev<'a>], groups: &mut [Group<'a>]) {
    let Some(g) = groups.iter_mut().find(|g| {
        g.members
            .iter()
            .any(|(e, _)| e.f.kind == "lambda_timeout" || signature(e) == "lambda_timeout")
    }) else {
        return;
    };
    let svc = g.service.clone();
    for e in evidence {
        let dep = matches!(
            signature(e),
            "timeout"
                | "http_5xx"
                | "connection_reset"
                | "connection_refused"
                | "dns_failure"
                | "tls_error"
        );
        let slow = e.f.attributes.contains_key("slow_dependency");
        let same = same_service(&service_key(e.f), &svc)
            || e.f.attributes.get("log_group") == g.members[0].0.f.attributes.get("log_group");
        if (dep || slow)
            && same
            && !g
                .members
                .iter()
                .any(|(m, _)| m.f.id == e.f.id && m.agent == e.agent)
        {
            g.members.push((*e, 0.5));
            if !g.notes.iter().any(|n| n.starts_with("The function waits")) {
                g.notes.push(format!(
                    "The function waits on a dependency that is slow or failing: {}.",
                    e.f.title.trim_end_matches('.')
                ));
                g.bonus += 0.25;
            }
        }
    }
    g.category = Category::DependencyFailure;
}

/// Pods on a NotReady or pressured node are that node's problem.
fn sick_nodes<'a>(evidence: &[Ev<'a>], groups: &mut [Group<'a>]) {
    for g in groups.iter_mut().filter(|g| {
        g.members
            .iter()
            .any(|(e, _)| matches!(e.f.kind.as_str(), "node_not_ready" | "node_pressure"))
    }) {
        let nodes: Vec<String> = g
            .members
            .iter()
            .filter_map(|(e, _)| {
                e.f.attributes
                    .get("node")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
                    .or_else(|| {
                        e.f.resource
                            .as_deref()
                            .and_then(|r| r.strip_prefix("node/"))
                            .map(str::to_owned)
                    })
            })
            .collect();
        for e in evidence {
            let on_node =
                e.f.attributes
                    .get("node")
                    .and_then(|v| v.as_str())
                    .is_some_and(|n| nodes.iter().any(|x| x == n));
            if on_node
                && !matches!(e.f.kind.as_str(), "node_not_ready" | "node_pressure")
                && !g.members.iter().any(|(m, _)| m.f.id == e.f.id)
            {
                g.members.push((*e, 0.4));
                if !g.notes.iter().any(|n| n.starts_with("Workloads on")) {
                    g.notes.push("Workloads on that node fail with it.".into());
                    g.bonus += 0.2;
                }
            }
        }
    }
}

/// Pods on a node whose own logs show an infrastructure fault (a kernel, disk or network fault
/// in the host's log streams) fail with it: their uncategorised symptoms join the fault.
fn host_faults<'a>(evidence: &[Ev<'a>], groups: &mut [Group<'a>]) {
    for g in groups
        .iter_mut()
        .filter(|g| g.category == Category::Infrastructure && g.demoted.is_none())
    {
        let hosts: Vec<String> = g
            .members
            .iter()
            .flat_map(|(e, _)| host_names(e.f))
            .collect();
        for e in evidence {
            let Some(node) = e.f.attributes.get("node").and_then(|v| v.as_str()) else {
                continue;
            };
            if e.f.category.is_none()
                && hosts.iter().any(|h| names_node(h, node))
                && !g.members.iter().any(|(m, _)| m.f.id == e.f.id)
            {
                g.members.push((*e, 0.4));
                if !g.notes.iter().any(|n| n.starts_with("Workloads on")) {
                    g.notes.push("Workloads on that node fail with it.".into());
                    g.bonus += 0.2;
                }
            }
        }
    }
}

/// The hosts a finding names: its `node`, its `nodes`, and its log `sources` (a host's streams
/// are named after it: `ip-10-0-1-2.ec2.internal-dmesg`).
fn host_names(f: &sremesh_core::Finding) -> Vec<String> {
    let attr = |k: &str| f.attributes.get(k);
    let mut out: Vec<String> = attr("node")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .into_iter()
        .collect();
    for k in ["nodes", "sources"] {
        if let Some(list) = attr(k).and_then(|v| v.as_array()) {
            out.extend(list.iter().filter_map(|v| v.as_str()).map(str::to_owned));
        }
    }
    out
}

/// True when `name` is the node, or a stream named after it (the node, then a separator).
fn names_node(name: &str, node: &str) -> bool {
    node.len() >= 8
        && name
            .strip_prefix(node)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['-', '.', '/', ':', '_']))
}

/// True when the group's failures are connections that do not get through (refused, no route,
/// the name not resolving) rather than answers that fail.
fn cannot_connect(g: &Group<'_>) -> bool {
    g.members.iter().any(|(e, _)| {
        matches!(
            e.f.attributes.get("signature").and_then(|v| v.as_str()),
            Some("connection_refused" | "unreachable" | "dns_failure")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::same_service;

    #[test]
    fn service_names_match_when_one_extends_the_other() {
        let cases = [
            ("payments-api", "payments-api", true),
            ("payments", "payments-api", true),
            ("payments-api", "payments-api-7f9dd8b6c4", true),
            (
                "pod/payments/payments-api-7f9dd8b6c4-x7gr9",
                "payments-api",
                true,
            ),
            ("cart-api", "payments-api", false),
            ("", "x", false),
            ("api", "checkout-api", false),
        ];
        for (a, b, want) in cases {
            assert_eq!(same_service(a, b), want, "{a} / {b}");
        }
    }
}
