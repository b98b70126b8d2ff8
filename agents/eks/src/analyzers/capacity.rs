//! `node_launch_failed`: the target's pods are Pending, Karpenter nominated them to a NodeClaim,
//! and that NodeClaim's `Launched` condition is `False` — the cloud refused the instance
//! (`InsufficientInstanceCapacity` for the instance type in the zone the NodePool allows, a vCPU
//! quota …). The scheduler's `Insufficient …` is then the consequence, not the cause.

use super::facts::{self, hms, line};
use super::{Scene, Unit, unit_finding};
use kube::api::DynamicObject;
use regex::Regex;
use serde_json::Value;
use sremesh_core::{Category, Finding, Severity};
use std::sync::LazyLock;

/// The EC2 error code in a launch failure.
static CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(InsufficientInstanceCapacity|InsufficientCapacity|MaxSpotInstanceCountExceeded|VcpuLimitExceeded|UnfulfillableCapacity|InsufficientFreeAddressesInSubnet|SpotMaxPriceTooLow)\b",
    )
    .expect("static regex")
});

/// Codes that are an account limit rather than the cloud's capacity.
const LIMITS: &[&str] = &["VcpuLimitExceeded", "MaxSpotInstanceCountExceeded"];

/// The `Launched` condition of a NodeClaim when it is False: (reason, message, since).
pub fn launch_failure(c: &DynamicObject) -> Option<(String, String, Option<String>)> {
    let conds = c.data.get("status")?.get("conditions")?.as_array()?;
    let l = conds
        .iter()
        .find(|x| x.get("type").and_then(Value::as_str) == Some("Launched"))?;
    if l.get("status").and_then(Value::as_str) != Some("False") {
        return None;
    }
    let s = |k: &str| l.get(k).and_then(Value::as_str).map(str::to_owned);
    Some((
        s("reason")?,
        s("message").unwrap_or_default(),
        s("lastTransitionTime"),
    ))
}

/// The values a NodeClaim's requirement on `key` allows (`node.kubernetes.io/instance-type`).
fn requirement(c: &DynamicObject, key: &str) -> Vec<String> {
    c.data
        .get("spec")
        .and_then(|s| s.get("requirements"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| r.get("key").and_then(Value::as_str) == Some(key))
        .flat_map(|r| {
            r.get("values")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// The NodeClaim a Karpenter `Nominated` event names (`Pod should schedule on nodeclaim/x`).
pub fn nominated_claim(message: &str) -> Option<&str> {
    let rest = &message[message.find("nodeclaim/")? + "nodeclaim/".len()..];
    let name = rest
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
        .next()?
        .trim_end_matches('.');
    (!name.is_empty()).then_some(name)
}

pub fn analyze(s: &Scene) -> Vec<Finding> {
    s.units.iter().filter_map(|u| launch_failed(s, u)).collect()
}

fn launch_failed(s: &Scene, u: &Unit) -> Option<Finding> {
    let pending: Vec<&str> = s
        .pods_of(u)
        .filter(|p| facts::phase(p) == "Pending")
        .map(facts::pod_name)
        .collect();
    // The NodeClaims Karpenter nominated these pods to.
    let nominated: Vec<&str> = s
        .events
        .iter()
        .filter(|e| facts::event_reason(e) == "Nominated")
        .filter(|e| {
            e.involved_object
                .name
                .as_deref()
                .is_some_and(|n| pending.contains(&n))
        })
        .filter_map(|e| nominated_claim(facts::event_message(e)))
        .collect();
    let (claim, (reason, msg, since)) = s.node_claims.iter().find_map(|c| {
        let name = c.metadata.name.as_deref()?;
        nominated
            .contains(&name)
            .then(|| launch_failure(c).map(|f| (c, f)))
            .flatten()
    })?;
    let name = claim.metadata.name.as_deref().unwrap_or_default();
    let code = CODE.find(&msg).map(|m| m.as_str().to_owned());
    let types = requirement(claim, "node.kubernetes.io/instance-type");
    let zones = requirement(claim, "topology.kubernetes.io/zone");
    let pool = claim
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get("karpenter.sh/nodepool"))
        .cloned();
    let mut title = format!(
        "{}: {} pod(s) Pending — Karpenter NodeClaim {name} not launched ({reason}",
        u.service(),
        pending.len()
    );
    if let Some(c) = &code {
        title.push_str(&format!(": {c}"));
    }
    if !types.is_empty() {
        title.push_str(&format!(" for {}", types.join("/")));
    }
    if !zones.is_empty() {
        title.push_str(&format!(" in {}", zones.join("/")));
    }
    title.push(')');
    if let Some(p) = &pool {
        title.push_str(&format!("; NodePool {p} allows only these"));
    }
    title.push_str(&format!(" — {msg}"));
    let mut ev = vec![line(format!(
        "nodeclaim/{name}: Launched=False {reason}{}: {msg}",
        since
            .as_deref()
            .and_then(|t| t.parse().ok())
            .map(|t| format!(" since {}", hms(t)))
            .unwrap_or_default()
    ))];
    ev.push(line(format!(
        "nodeclaim/{name} requires instance-type {} zone {}",
        types.join(","),
        zones.join(",")
    )));
    let category = match &code {
        Some(c) if LIMITS.contains(&c.as_str()) => Category::ResourceExhaustion,
        _ => Category::Infrastructure,
    };
    let mut f = unit_finding("node_launch_failed", u, Severity::High, line(title))
        .with_category(category)
        .with_evidence(ev)
        .with_attr("nodeclaim", name.to_owned())
        .with_attr("reason", reason)
        .with_attr("instance_types", types)
        .with_attr("zones", zones);
    if let Some(c) = code {
        f = f.with_attr("code", c);
    }
    if let Some(p) = pool {
        f = f.with_attr("nodepool", p);
    }
    if let Some(t) = since {
        f = f.with_attr("onset", t);
    }
    Some(f)
}
