//! Recommended actions: a short playbook keyed by the top hypothesis's category and the kind of
//! its primary finding, made concrete with the finding's own names.

use sremesh_core::{Category, Finding, Hypothesis, Report};

fn attr<'a>(f: &'a Finding, key: &str) -> Option<&'a str> {
    f.attributes.get(key).and_then(|v| v.as_str())
}

fn what(f: &Finding) -> String {
    f.service
        .clone()
        .or_else(|| f.resource.clone())
        .unwrap_or_else(|| "the affected workload".into())
}

/// Actions for the report, most useful first.
pub fn recommend(report: &Report, top: &Hypothesis) -> Vec<String> {
    let cited: Vec<&Finding> = top
        .citations
        .iter()
        .filter_map(|c| report.finding(c))
        .collect();
    let primary = cited.first().copied();
    let mut out = Vec::new();
    if let Some(f) = primary {
        let name = what(f);
        match f.kind.as_str() {
            "oom_killed" => out.push(format!("Raise the memory limit of {name}{} or find what grew its memory use (recent changes, load); watch restarts after the change.", attr(f, "limit_memory").map(|l| format!(" (now {l})")).unwrap_or_default())),
            "image_pull" => out.push(format!("Fix the image reference of {name}{}: push the tag or point the Deployment back at an existing one (`kubectl rollout undo`).", attr(f, "image").map(|i| format!(" ({i})")).unwrap_or_default())),
            "config_missing" => out.push(format!("Create the missing {} or fix the reference in {name}'s pod spec.", attr(f, "object").unwrap_or("ConfigMap/Secret"))),
            "quota_exceeded" => out.push(format!("Raise the ResourceQuota{} or lower {name}'s requests; scale down something less important meanwhile.", attr(f, "quota").map(|q| format!(" {q}")).unwrap_or_default())),
            "scheduling_failed" => out.push(format!("Give {name} somewhere to run: add node capacity (node group max size / autoscaler limits) or lower its requests; check selectors, taints and PVCs named in the event.")),
            "node_not_ready" | "node_pressure" => out.push(format!("Check the node {name}: kubelet and instance status; cordon and drain it and let the node group replace it.")),
            "evicted" => out.push(format!("Free node resources behind the evictions of {name} (disk / ephemeral-storage / memory) and set limits for the heavy consumers.")),
            "lambda_timeout" => out.push(format!("Look at the dependency {name} waits on; add a client timeout shorter than the function's and a fallback, or raise the timeout only if the work legitimately got slower.")),
            "probe_failed" => out.push(format!("Compare {name}'s probe (port, path, timing) with what the container serves; fix the probe, or the dependency its health check waits on.")),
            _ => {}
        }
    }
    let rollout = cited
        .iter()
        .find(|f| matches!(f.kind.as_str(), "recent_rollout" | "deploy_announced"));
    match top.category {
        Category::CodeDefect => {
            if let Some(r) = rollout {
                out.push(format!("Roll back {} to the previous version{} and open a bug with the stack trace.", what(r), attr(r, "from_image").map(|i| format!(" ({i})")).unwrap_or_default()));
            } else {
                out.push("Find the code path in the stack trace; roll back the latest release of the service if the error is new.".into());
            }
        }
        Category::ConfigurationError => {
            if rollout.is_some() {
                out.push("Revert the configuration change that preceded the failure (ConfigMap/Secret/manifest), then fix it forward.".into());
            } else if out.is_empty() {
                out.push("Fix the configuration named in the evidence and redeploy; compare with the last known good version.".into());
            }
        }
        Category::ResourceExhaustion => {
            if cited.iter().any(|f| attr(f, "signature") == Some("too_many_clients")) {
                out.push("Find who holds the database connections (a new job, a leak, a pool size change) and stop or throttle it; then size pools against max_connections.".into());
            } else if cited.iter().any(|f| attr(f, "signature") == Some("throttling")) {
                out.push("Raise the throttled limit (table capacity / API quota) or smooth the load (backoff with jitter, batching); check what started the spike.".into());
            } else if out.is_empty() {
                out.push("Add capacity or limits for the exhausted resource and find what consumes it.".into());
            }
        }
        Category::DependencyFailure => out.push("Check the failing dependency's health and status page; fail over or degrade gracefully until it recovers.".into()),
        Category::Infrastructure => {
            if cited.iter().any(|f| attr(f, "signature") == Some("dns_failure")) {
                out.push("Check cluster DNS (CoreDNS pods, their logs and the VPC resolver); restart or scale CoreDNS if it is failing.".into());
            } else if out.is_empty() {
                out.push("Check the affected nodes and the underlying cloud resources (instance status, AZ events).".into());
            }
        }
        Category::DataQuality => out.push("Quarantine the malformed records (dead-letter them), find their producer, and replay once fixed.".into()),
        Category::Healthy => out.push("No action needed on the service; tune or re-route the alert so it stops paging (if it is a heartbeat, send it to a dead-man's-switch receiver).".into()),
        Category::Unknown => out.push("Not enough evidence: check the workload by hand (pods, recent deploys, logs) and re-run the investigation once the missing agents are healthy.".into()),
    }
    for b in &report.evidence {
        if b.state == sremesh_core::EvidenceState::Error {
            out.push(format!(
                "Check {} by hand — automated collection failed ({}).",
                b.display_name,
                b.detail.as_deref().unwrap_or("error")
            ));
        }
    }
    out.dedup();
    out.truncate(6);
    out
}
