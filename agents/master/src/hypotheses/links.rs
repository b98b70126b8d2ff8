//! Correlation rules that link failures across services: the same specific error logged by a
//! client and by the datastore it talks to, a configuration that cuts a service's connectivity
//! (a NetworkPolicy, a Service selecting no pods) and the connection failures it causes, and a
//! Kubernetes control plane that times out while controllers lose their leader election, and
//! a finding that names the findings it explains (`explains`: a datastore's sessions blocked
//! by a lock → its clients' connection-limit errors).

use super::rules::{absorb, same_service, signature};
use super::{Ev, Group};
use sremesh_core::Category;

/// Signatures too generic to say two services share one failure.
const GENERIC: &[&str] = &[
    "",
    "timeout",
    "http_5xx",
    "code_defect",
    "unreachable",
    "connection_refused",
    "connection_reset",
];

/// Signatures of a failed connection: what a cut path looks like from the client.
const CONNECTIVITY: &[&str] = &[
    "timeout",
    "unreachable",
    "connection_refused",
    "connection_reset",
    "http_5xx",
];

/// Kinds of findings that describe a configuration which cuts connectivity.
const CUTS_CONNECTIVITY: &[&str] = &["network_policy_blocks", "service_no_endpoints"];

fn signatures<'a>(g: &Group<'a>) -> Vec<&'a str> {
    let mut s: Vec<&str> = g
        .members
        .iter()
        .map(|(e, _)| signature(e))
        .filter(|s| !GENERIC.contains(s))
        .collect();
    s.sort_unstable();
    s.dedup();
    s
}

/// Two groups of one category whose findings carry the same specific signature (a client and
/// its database both logging "read-only transaction") are one failure seen from two sides: the
/// weaker joins the stronger as corroboration.
pub(crate) fn same_signature(groups: &mut Vec<Group<'_>>) {
    let mut i = 0;
    while i < groups.len() {
        let mine = signatures(&groups[i]);
        let partner = (0..groups.len()).find(|&j| {
            j != i
                && groups[j].category == groups[i].category
                && groups[j].category != Category::Unknown
                && groups[j].score >= groups[i].score
                && signatures(&groups[j]).iter().any(|s| mine.contains(s))
        });
        match partner {
            Some(j) if !mine.is_empty() => {
                let g = groups.remove(i);
                let j = if j > i { j - 1 } else { j };
                let other = g.service.clone();
                let target = &mut groups[j];
                if !other.is_empty() {
                    target
                        .notes
                        .push(format!("{other} logs the same error at the same time."));
                }
                target.bonus += 0.1;
                absorb(target, g);
                i = 0;
            }
            _ => i += 1,
        }
    }
}

/// A configuration that cuts a service's connectivity (a NetworkPolicy denying its egress, a
/// Service whose selector matches no pod) explains that service's connection failures and
/// unready pods: they join it as symptoms.
pub(crate) fn connectivity_cut(groups: &mut Vec<Group<'_>>) {
    let cuts = |g: &Group<'_>| {
        g.members
            .iter()
            .any(|(e, _)| CUTS_CONNECTIVITY.contains(&e.f.kind.as_str()))
    };
    let Some(cause) = groups.iter().position(cuts) else {
        return;
    };
    let svc = groups[cause].service.clone();
    let symptom = |g: &Group<'_>| {
        !cuts(g)
            && matches!(
                g.category,
                Category::DependencyFailure | Category::Unknown | Category::ConfigurationError
            )
            && (same_service(&g.service, &svc)
                || g.members
                    .iter()
                    .any(|(e, _)| same_service(e.f.service.as_deref().unwrap_or(""), &svc)))
            && g.members.iter().all(|(e, _)| {
                CONNECTIVITY.contains(&signature(e))
                    || matches!(e.f.kind.as_str(), "not_ready" | "probe_failed")
            })
    };
    let mut noted = false;
    while let Some(j) = (0..groups.len()).find(|&j| j != cause && symptom(&groups[j])) {
        let g = groups.remove(j);
        let Some(cause) = groups.iter().position(cuts) else {
            return;
        };
        let best = groups[cause].members.first().map_or(0.0, |m| m.1);
        let mut g = g;
        for m in &mut g.members {
            m.1 = m.1.min(best * 0.9);
        }
        if !noted {
            groups[cause]
                .notes
                .push("The connection failures seen with it are its symptoms.".to_owned());
            groups[cause].bonus += 0.3;
            noted = true;
        }
        absorb(&mut groups[cause], g);
    }
}

/// Mentions of the Kubernetes API server from a client: lease renewals, leader election.
fn about_api_server(e: &Ev<'_>) -> bool {
    let hit = |s: &str| {
        let s = s.to_ascii_lowercase();
        s.contains("leader election") || s.contains("/leases/") || s.contains("leaderelection")
    };
    hit(&e.f.title) || e.f.evidence.iter().any(|l| hit(l))
}

/// The control plane (the API server, etcd) failing explains controllers that lose their
/// leader election and time out renewing leases: those join it as symptoms.
pub(crate) fn control_plane(groups: &mut Vec<Group<'_>>) {
    let is_cp = |g: &Group<'_>| {
        g.category == Category::Infrastructure
            && g.members.iter().any(|(e, _)| {
                signature(e) == "control_plane"
                    || e.f.service.as_deref().is_some_and(|s| {
                        let s = s.to_ascii_lowercase();
                        s.contains("apiserver") || s == "etcd"
                    })
            })
    };
    let mut noted = false;
    loop {
        let Some(cp) = groups.iter().position(is_cp) else {
            return;
        };
        let Some(j) = (0..groups.len()).find(|&j| {
            j != cp
                && !is_cp(&groups[j])
                && groups[j]
                    .members
                    .iter()
                    .all(|(e, _)| about_api_server(e) || CONNECTIVITY.contains(&signature(e)))
                && groups[j].members.iter().any(|(e, _)| about_api_server(e))
        }) else {
            return;
        };
        let mut g = groups.remove(j);
        let cp = if j < cp { cp - 1 } else { cp };
        let best = groups[cp].members.first().map_or(0.0, |m| m.1);
        for m in &mut g.members {
            m.1 = m.1.min(best * 0.9);
        }
        if !noted {
            groups[cp].notes.push(
                "Controllers lose their leader election and time out renewing leases because the API server does not answer: symptoms.".to_owned(),
            );
            groups[cp].bonus += 0.3;
            noted = true;
        }
        absorb(&mut groups[cp], g);
    }
}

/// Sessions waiting behind a lock hold their connections: a group that is only connection
/// limits and pool waits is what piles up behind a datastore's lock.
fn piles_up(g: &Group<'_>) -> bool {
    g.members
        .iter()
        .all(|(e, _)| matches!(signature(e), "too_many_clients" | "pool_exhausted"))
}

/// The ids of the findings a finding says it explains (its `explains` attribute).
fn explained_ids<'a>(e: &Ev<'a>) -> Vec<&'a str> {
    e.f.attributes
        .get("explains")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default()
}

/// A specialist that says one of its findings explains others (the sessions blocked behind a
/// lock explain the connection-limit errors they pile up into) has done the join: the groups
/// holding the explained findings join the explaining one as its symptoms. Without that word,
/// a datastore's lock waits take in the connection-limit and pool-wait groups all the same.
pub(crate) fn declared_explanations(groups: &mut Vec<Group<'_>>) {
    let mut noted: Vec<usize> = Vec::new();
    // Symptoms tied to their cause (`symptom_of`) make no group of their own: the cause
    // takes them in all the same.
    for c in 0..groups.len() {
        let ids: Vec<&str> = groups[c]
            .members
            .iter()
            .flat_map(|(e, _)| explained_ids(e))
            .collect();
        let grouped = |id: &str| {
            groups
                .iter()
                .any(|g| g.members.iter().any(|(e, _)| e.f.id == id))
        };
        if !ids.is_empty() && !ids.iter().any(|id| grouped(id)) {
            groups[c]
                .notes
                .push("The failures it explains are its symptoms.".to_owned());
            groups[c].bonus += 0.3;
            noted.push(c);
        }
    }
    loop {
        let found = groups.iter().enumerate().find_map(|(c, g)| {
            let ids: Vec<&str> = g
                .members
                .iter()
                .flat_map(|(e, _)| explained_ids(e))
                .collect();
            let blocked = g.members.iter().any(|(e, _)| signature(e) == "lock_wait");
            (0..groups.len())
                .find(|&j| {
                    j != c
                        && (groups[j].members.iter().any(|(e, _)| {
                            ids.contains(&e.f.id.as_str())
                                && g.members
                                    .iter()
                                    .all(|(m, _)| m.agent != e.agent || m.f.id != e.f.id)
                        }) || (blocked && piles_up(&groups[j])))
                })
                .map(|j| (c, j))
        });
        let Some((cause, j)) = found else {
            return;
        };
        let mut g = groups.remove(j);
        let cause = if j < cause { cause - 1 } else { cause };
        let best = groups[cause].members.first().map_or(0.0, |m| m.1);
        for m in &mut g.members {
            m.1 = m.1.min(best * 0.9);
        }
        if !noted.contains(&cause) {
            groups[cause]
                .notes
                .push("The failures it explains are its symptoms.".to_owned());
            groups[cause].bonus += 0.3;
            noted.push(cause);
        }
        absorb(&mut groups[cause], g);
    }
}
