//! The deterministic investigation: parse the alert, resolve its target, gather, analyze,
//! summarize — every step within the job's budget, findings pushed as soon as they are known.

use crate::analyzers::{self, Mode};
use crate::client::{Kube, KubeError};
use crate::gather::{self, Budget, Gathered, Limits};
use crate::resolve::{self, Target};
use crate::target;
use sremesh_agent::Partial;
use sremesh_core::{AgentResult, AlertContext, Category, Finding, Severity};

/// The agent id.
pub const AGENT: &str = "eks";

/// Runs one investigation against `kube`.
pub async fn run(
    kube: &Kube,
    ctx: &AlertContext,
    partial: &Partial,
    limits: Limits,
    b: Budget,
) -> AgentResult {
    let parsed = target::parse(&ctx.alert_text, &ctx.labels);
    let (target, resolve_errors) = resolve::resolve(kube, parsed, b).await;
    tracing::info!(
        agent = AGENT,
        mode = ?target.mode,
        units = ?target.units.iter().map(|u| format!("{}/{}/{}", u.kind.as_str(), u.namespace, u.name)).collect::<Vec<_>>(),
        "eks_target_resolved"
    );
    let g = gather::gather(kube, &target, ctx.alert_time, ctx.window, limits, b).await;
    result(kube, &target, g, resolve_errors, partial)
}

/// Builds the answer from what was gathered (pure apart from pushing to `partial`).
pub fn result(
    kube: &Kube,
    target: &Target,
    g: Gathered,
    resolve_errors: Vec<KubeError>,
    partial: &Partial,
) -> AgentResult {
    let lookup_failed = !resolve_errors.is_empty();
    let mut errors = resolve_errors;
    let is_partial = g.partial() || errors.iter().any(KubeError::is_time);
    let mut findings = analyzers::run(&g.scene);
    if target.mode == Mode::Triage && lookup_failed {
        // The lookup itself failed: "nothing matches" would be a guess.
        findings.retain(|f| f.kind != "target_not_found");
    }
    partial.extend(findings.iter().cloned());
    errors.extend(g.errors);
    let nothing_read = g.scanned.is_empty();
    if nothing_read && !errors.is_empty() {
        let first = errors.iter().find(|e| !e.is_time()).unwrap_or(&errors[0]);
        let mut r = AgentResult::error(AGENT, format!("cluster {}: {first}", kube.cluster));
        r.partial = is_partial;
        r.findings = findings;
        return r;
    }
    let summary = summarize(target, &g.scene, &findings, is_partial);
    let mut r = AgentResult::ok(AGENT, summary, findings);
    r.partial = is_partial;
    r.scanned = g.scanned;
    if !errors.is_empty() {
        let msgs: Vec<String> = errors.iter().take(3).map(ToString::to_string).collect();
        let more = errors.len().saturating_sub(3);
        r.error = Some(if more > 0 {
            format!("{} (+{more} more)", msgs.join("; "))
        } else {
            msgs.join("; ")
        });
    }
    r
}

/// One or two sentences an SRE can read.
pub fn summarize(
    target: &Target,
    scene: &analyzers::Scene,
    findings: &[Finding],
    partial: bool,
) -> String {
    let head = findings
        .iter()
        .find(|f| f.category.is_some() && f.kind != "target_healthy")
        .or_else(|| findings.iter().find(|f| f.kind == "target_healthy"))
        .or_else(|| findings.first());
    let rollout = findings
        .iter()
        .find(|f| f.kind == "recent_rollout" && head.is_some_and(|h| h.id != f.id));
    // A cause read from logs reads better beside the state it explains.
    let state = head.filter(|h| h.kind == "log_signature").and_then(|_| {
        findings.iter().find(|f| {
            f.severity >= Severity::High
                && matches!(
                    f.kind.as_str(),
                    "not_ready" | "probe_failed" | "crash_loop" | "rollout_stuck"
                )
        })
    });
    // A second cause of another kind (the evictions a node's pressure caused).
    let second = head.filter(|_| state.is_none()).and_then(|h| {
        findings.iter().find(|f| {
            f.category.is_some_and(|c| c != Category::Healthy) && f.kind != h.kind && f.id != h.id
        })
    });
    // A title without its leading `<service>: ` (the sentence already names it).
    let short = |f: &Finding| {
        f.service
            .as_deref()
            .and_then(|svc| f.title.strip_prefix(&format!("{svc}: ")))
            .unwrap_or(&f.title)
            .to_owned()
    };
    let mut s = match (target.mode, head) {
        (Mode::Target, Some(h)) => match state {
            Some(st) => format!("{}; logs: {}", st.title, short(h)),
            None => h.title.clone(),
        },
        (Mode::Target, None) => {
            let names: Vec<String> = scene.units.iter().map(|u| u.key()).collect();
            format!(
                "{}: {} pod(s) looked at, nothing wrong found",
                names.join(", "),
                scene.pods.len()
            )
        }
        (Mode::Heartbeat, Some(h)) => h.title.clone(),
        (_, h) => {
            let mut s =
                "No workload in the cluster matches the alert; a cluster-wide look".to_owned();
            match h.filter(|f| f.kind != "target_not_found") {
                Some(f) => s.push_str(&format!(" found: {}", f.title)),
                None => s.push_str(" found nothing failing"),
            }
            s
        }
    };
    if let Some(x) = second.filter(|_| target.mode == Mode::Target) {
        s.push_str(&format!("; {}", short(x)));
    }
    if let Some(r) = rollout {
        s.push_str(&format!("; {}", short(r)));
    }
    if partial {
        s.push_str(" (partial: some Kubernetes calls were cut short)");
    }
    sremesh_core::text::truncate(&s, 400)
}
