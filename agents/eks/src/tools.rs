//! The agent's tools, one per skill (names from the catalogue): `gather_eks_state`,
//! `detect_recent_changes`, `capture_snapshot`. They call the same functions as the
//! deterministic investigation, so a model's tool loop sees exactly what the analyzers see.

use crate::EksAgent;
use crate::analyzers::{self, Mode};
use crate::gather::{self, Budget};
use crate::resolve::{Target, UnitRef};
use crate::target::{self, AlertTarget, Kind, Named};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use kube::api::ListParams;
use schemars::JsonSchema;
use serde::Deserialize;
use sremesh_agent::Deadline;
use sremesh_agent::tool::{ToolError, ToolOutput, ToolSet, tool};
use std::sync::Arc;

/// Parameters of `gather_eks_state`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GatherParams {
    /// Kubernetes namespace of the workload.
    pub namespace: String,
    /// Label selectors (`app=payments-api`) or workload / pod names (`payments-api`,
    /// `payments-api-7f9dd8b6c4-x7gr9`). At least one.
    #[serde(default)]
    pub selectors: Vec<String>,
    /// The alert's time (RFC 3339); default now. The window is config.yaml's around it.
    #[serde(default)]
    pub alert_time: Option<String>,
}

/// Parameters of `detect_recent_changes`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangesParams {
    /// Kubernetes namespace of the workloads.
    pub namespace: String,
    /// Deployment names.
    pub workloads: Vec<String>,
    /// The alert's time (RFC 3339); default now.
    #[serde(default)]
    pub alert_time: Option<String>,
}

/// Parameters of `capture_snapshot` (none).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnapshotParams {}

fn when(tool: &'static str, s: Option<&str>) -> Result<Timestamp, ToolError> {
    match s {
        None => Ok(Timestamp::now()),
        Some(s) => s.parse().map_err(|e| ToolError::InvalidArguments {
            tool,
            reason: format!("alert_time '{s}' is not RFC 3339: {e}"),
        }),
    }
}

fn reserve(agent: &EksAgent, d: Deadline) -> Budget {
    Budget::new(d, agent.settings().reserve)
}

async fn gather_state(
    agent: Arc<EksAgent>,
    p: GatherParams,
    d: Deadline,
) -> Result<ToolOutput, ToolError> {
    const NAME: &str = "gather_eks_state";
    if p.selectors.is_empty() {
        return Err(ToolError::InvalidArguments {
            tool: NAME,
            reason: "give at least one selector (a label selector like app=x, or a workload or pod name)".into(),
        });
    }
    let at = when(NAME, p.alert_time.as_deref())?;
    let b = reserve(&agent, d);
    let kube = agent
        .kube(b)
        .await
        .map_err(|e| ToolError::Unavailable(e.to_string()))?;
    let mut errors = Vec::new();
    let mut units: Vec<UnitRef> = Vec::new();
    let mut names = AlertTarget {
        namespaces: vec![p.namespace.clone()],
        ..Default::default()
    };
    for sel in &p.selectors {
        if sel.contains('=') {
            // A label selector: the owners of the pods it selects.
            let lp = ListParams::default().labels(sel).limit(200);
            match kube.list::<Pod>(Some(&p.namespace), &lp, b.left()).await {
                Ok(pods) => {
                    for pod in &pods {
                        let (kind, name) = analyzers::facts::owner_unit(pod);
                        let u = UnitRef {
                            kind,
                            namespace: p.namespace.clone(),
                            name,
                            via: format!("selector {sel}"),
                        };
                        if !units.contains(&u) {
                            units.push(u);
                        }
                    }
                }
                Err(e) => errors.push(e.to_string()),
            }
        } else if target::deployment_of_pod(sel).is_some() {
            names.pods.push(Named {
                kind: Some(Kind::Pod),
                namespace: Some(p.namespace.clone()),
                name: sel.clone(),
            });
        } else {
            names.qualified.push(Named {
                kind: None,
                namespace: Some(p.namespace.clone()),
                name: sel.clone(),
            });
        }
    }
    if !names.pods.is_empty() || !names.qualified.is_empty() {
        let (t, errs) = crate::resolve::resolve(&kube, names.clone(), b).await;
        errors.extend(errs.iter().map(ToString::to_string));
        for u in t.units {
            if !units
                .iter()
                .any(|x| x.kind == u.kind && x.namespace == u.namespace && x.name == u.name)
            {
                units.push(u);
            }
        }
    }
    units.truncate(crate::resolve::MAX_UNITS);
    let mode = if units.is_empty() {
        Mode::Triage
    } else {
        Mode::Target
    };
    let target = Target {
        mode,
        units,
        parsed: names,
    };
    let g = gather::gather(
        &kube,
        &target,
        at,
        agent.tool_window(at),
        agent.settings().limits,
        b,
    )
    .await;
    errors.extend(g.errors.iter().map(ToString::to_string));
    let findings = analyzers::run(&g.scene);
    let data = serde_json::json!({
        "mode": format!("{:?}", target.mode).to_lowercase(),
        "workloads": target.units.iter().map(|u| format!("{}/{}/{}", u.kind.as_str(), u.namespace, u.name)).collect::<Vec<_>>(),
        "pods": g.scene.pods.len(),
        "partial": g.partial(),
    });
    Ok(ToolOutput {
        findings,
        scanned: g.scanned,
        errors,
        data,
    })
}

async fn recent_changes(
    agent: Arc<EksAgent>,
    p: ChangesParams,
    d: Deadline,
) -> Result<ToolOutput, ToolError> {
    const NAME: &str = "detect_recent_changes";
    if p.workloads.is_empty() {
        return Err(ToolError::InvalidArguments {
            tool: NAME,
            reason: "name at least one workload".into(),
        });
    }
    let at = when(NAME, p.alert_time.as_deref())?;
    let b = reserve(&agent, d);
    let kube = agent
        .kube(b)
        .await
        .map_err(|e| ToolError::Unavailable(e.to_string()))?;
    let units: Vec<UnitRef> = p
        .workloads
        .iter()
        .take(crate::resolve::MAX_UNITS)
        .map(|w| UnitRef {
            kind: Kind::Deployment,
            namespace: p.namespace.clone(),
            name: w.clone(),
            via: "tool".into(),
        })
        .collect();
    let target = Target {
        mode: Mode::Target,
        units,
        parsed: AlertTarget::default(),
    };
    let g = gather::gather(
        &kube,
        &target,
        at,
        agent.tool_window(at),
        agent.settings().limits,
        b,
    )
    .await;
    let findings: Vec<_> = analyzers::rollout::analyze(&g.scene);
    let mut history = Vec::new();
    for u in &g.scene.units {
        let revs: Vec<serde_json::Value> = analyzers::rollout::history(&g.scene, u)
            .iter()
            .take(5)
            .map(|rs| {
                serde_json::json!({
                    "replicaset": rs.metadata.name,
                    "revision": rs.metadata.annotations.as_ref().and_then(|a| a.get("deployment.kubernetes.io/revision")),
                    "created": rs.metadata.creation_timestamp.as_ref().map(|t| t.0.to_string()),
                    "images": rs.spec.as_ref().and_then(|s| s.template.as_ref()).and_then(|t| t.spec.as_ref())
                        .map(|s| s.containers.iter().filter_map(|c| c.image.clone()).collect::<Vec<_>>()),
                })
            })
            .collect();
        history.push(serde_json::json!({"workload": u.key(), "revisions": revs}));
    }
    let note = if findings.iter().any(|f| f.kind == "recent_rollout") {
        "rollouts found in the window"
    } else {
        "no rollout found within retained history for the window (this does not prove nothing changed: config, secrets or dependencies may have)"
    };
    Ok(ToolOutput {
        findings,
        scanned: g.scanned,
        errors: g.errors.iter().map(ToString::to_string).collect(),
        data: serde_json::json!({"history": history, "note": note}),
    })
}

/// The agent's tools (the one place they are registered).
pub fn tools(agent: Arc<EksAgent>) -> ToolSet {
    let a = agent.clone();
    let b = agent.clone();
    let c = agent;
    ToolSet::new(vec![
        tool("gather_eks_state", move |p: GatherParams, d: Deadline| {
            gather_state(a.clone(), p, d)
        }),
        tool(
            "detect_recent_changes",
            move |p: ChangesParams, d: Deadline| recent_changes(b.clone(), p, d),
        ),
        tool("capture_snapshot", move |_: SnapshotParams, d: Deadline| {
            let agent = c.clone();
            async move {
                let s = agent.snapshot_at(Timestamp::now(), d).await;
                Ok(ToolOutput {
                    errors: s.error.clone().into_iter().collect(),
                    data: serde_json::to_value(&s).unwrap_or(serde_json::Value::Null),
                    ..Default::default()
                })
            }
        }),
    ])
}
