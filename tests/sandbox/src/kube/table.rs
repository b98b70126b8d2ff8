//! Server-side printing: the `meta.k8s.io/v1` `Table` that kubectl asks for when printing its
//! default columns (pods, events, deployments, nodes, namespaces; NAME and AGE for the rest).

use super::resources::Resource;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

/// What a row carries besides its cells (`includeObject`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Include {
    None,
    Metadata,
    Object,
}

/// Kubernetes' `duration.HumanDuration` (`45s`, `3m20s`, `2d4h`, `3y`).
pub fn human_duration(d: SignedDuration) -> String {
    let secs = d.as_secs();
    if secs < -1 {
        return "<invalid>".into();
    }
    if secs < 0 {
        return "0s".into();
    }
    if secs < 120 {
        return format!("{secs}s");
    }
    let minutes = secs / 60;
    if minutes < 10 {
        let s = secs % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = secs / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        let y = hours / 24 / 365;
        return if dy == 0 {
            format!("{y}y")
        } else {
            format!("{y}y{dy}d")
        };
    }
    format!("{}y", hours / 24 / 365)
}

fn age(now: Timestamp, t: &Value) -> String {
    match t.as_str().and_then(|s| s.parse::<Timestamp>().ok()) {
        Some(t) => human_duration(now.duration_since(t)),
        None => "<unknown>".into(),
    }
}

fn col(name: &str, ty: &str, priority: u8) -> Value {
    let format = if name == "Name" { "name" } else { "" };
    json!({"name": name, "type": ty, "format": format, "description": name, "priority": priority})
}

fn s(v: &Value) -> Value {
    match v {
        Value::Null => json!("<none>"),
        Value::String(x) if x.is_empty() => json!("<none>"),
        Value::String(_) => v.clone(),
        other => json!(other.to_string()),
    }
}

/// Kubectl's pod STATUS column logic (the common paths).
fn pod_cells(o: &Value, now: Timestamp) -> Vec<Value> {
    let st = &o["status"];
    let statuses = st["containerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let total = o["spec"]["containers"]
        .as_array()
        .map_or(statuses.len(), Vec::len);
    let mut reason = st["reason"]
        .as_str()
        .or(st["phase"].as_str())
        .unwrap_or("")
        .to_string();
    let (mut ready, mut restarts, mut running) = (0, 0i64, false);
    let mut last_restart: Option<Timestamp> = None;
    // Init containers that have not finished decide the status.
    if let Some(inits) = st["initContainerStatuses"].as_array() {
        let n = inits.len();
        for (i, c) in inits.iter().enumerate() {
            restarts += c["restartCount"].as_i64().unwrap_or(0);
            let term = &c["state"]["terminated"];
            if term["exitCode"].as_i64() == Some(0) {
                continue;
            }
            if term.is_object() {
                reason = match term["reason"].as_str() {
                    Some(r) if !r.is_empty() => format!("Init:{r}"),
                    _ => format!("Init:ExitCode:{}", term["exitCode"].as_i64().unwrap_or(0)),
                };
            } else if let Some(r) = c["state"]["waiting"]["reason"]
                .as_str()
                .filter(|r| *r != "PodInitializing")
            {
                reason = format!("Init:{r}");
            } else {
                reason = format!("Init:{i}/{n}");
            }
            break;
        }
    }
    let initializing = reason.starts_with("Init:");
    for c in statuses.iter().rev() {
        restarts += c["restartCount"].as_i64().unwrap_or(0);
        if let Some(f) = c["lastState"]["terminated"]["finishedAt"]
            .as_str()
            .and_then(|t| t.parse::<Timestamp>().ok())
        {
            last_restart = Some(last_restart.map_or(f, |l: Timestamp| l.max(f)));
        }
        if initializing {
            continue;
        }
        let state = &c["state"];
        if let Some(r) = state["waiting"]["reason"]
            .as_str()
            .filter(|r| !r.is_empty())
        {
            reason = r.to_string();
        } else if let Some(r) = state["terminated"]["reason"]
            .as_str()
            .filter(|r| !r.is_empty())
        {
            reason = r.to_string();
        } else if state["terminated"].is_object() {
            let t = &state["terminated"];
            reason = match t["signal"].as_i64() {
                Some(sig) if sig != 0 => format!("Signal:{sig}"),
                _ => format!("ExitCode:{}", t["exitCode"].as_i64().unwrap_or(0)),
            };
        } else if c["ready"].as_bool() == Some(true) && state["running"].is_object() {
            running = true;
            ready += 1;
        }
    }
    if reason == "Completed" && running {
        reason = "Running".into();
    }
    if o["metadata"]["deletionTimestamp"].is_string() {
        reason = if st["reason"] == "NodeLost" {
            "Unknown".into()
        } else {
            "Terminating".into()
        };
    }
    let restarts_cell = match last_restart {
        Some(t) if restarts > 0 => {
            format!("{restarts} ({} ago)", human_duration(now.duration_since(t)))
        }
        _ => restarts.to_string(),
    };
    vec![
        json!(o["metadata"]["name"]),
        json!(format!("{ready}/{total}")),
        json!(reason),
        json!(restarts_cell),
        json!(age(now, &o["metadata"]["creationTimestamp"])),
        s(&o["status"]["podIP"]),
        s(&o["spec"]["nodeName"]),
        s(&o["status"]["nominatedNodeName"]),
        json!("<none>"),
    ]
}

fn event_cells(o: &Value, now: Timestamp) -> Vec<Value> {
    let last = ["lastTimestamp", "eventTime", "firstTimestamp"]
        .iter()
        .map(|k| &o[*k])
        .find(|v| v.is_string())
        .cloned()
        .unwrap_or_else(|| o["metadata"]["creationTimestamp"].clone());
    let first = if o["firstTimestamp"].is_string() {
        o["firstTimestamp"].clone()
    } else {
        last.clone()
    };
    let count = o["count"].as_i64().unwrap_or(1);
    let last_seen = if count > 1 {
        format!("{} (x{count} over {})", age(now, &last), age(now, &first))
    } else {
        age(now, &last)
    };
    let io = &o["involvedObject"];
    let object = format!(
        "{}/{}",
        io["kind"].as_str().unwrap_or("").to_ascii_lowercase(),
        io["name"].as_str().unwrap_or("")
    );
    let source = match (
        o["source"]["component"].as_str(),
        o["source"]["host"].as_str(),
    ) {
        (Some(c), Some(h)) => format!("{c}, {h}"),
        (Some(c), None) => c.to_string(),
        _ => o["reportingComponent"].as_str().unwrap_or("").to_string(),
    };
    vec![
        json!(last_seen),
        json!(o["type"]),
        json!(o["reason"]),
        json!(object),
        json!(io["fieldPath"].as_str().unwrap_or("")),
        json!(source),
        json!(o["message"]),
        json!(age(now, &first)),
        json!(count),
        json!(o["metadata"]["name"]),
    ]
}

fn deployment_cells(o: &Value, now: Timestamp) -> Vec<Value> {
    let st = &o["status"];
    let n = |v: &Value| v.as_i64().unwrap_or(0);
    let containers = o["spec"]["template"]["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let names: Vec<&str> = containers
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    let images: Vec<&str> = containers
        .iter()
        .filter_map(|c| c["image"].as_str())
        .collect();
    let selector = o["spec"]["selector"]["matchLabels"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    vec![
        json!(o["metadata"]["name"]),
        json!(format!(
            "{}/{}",
            n(&st["readyReplicas"]),
            o["spec"]["replicas"].as_i64().unwrap_or(1)
        )),
        json!(n(&st["updatedReplicas"])),
        json!(n(&st["availableReplicas"])),
        json!(age(now, &o["metadata"]["creationTimestamp"])),
        json!(names.join(",")),
        json!(images.join(",")),
        json!(selector),
    ]
}

fn node_cells(o: &Value, now: Timestamp) -> Vec<Value> {
    let ready = o["status"]["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"))
        .map(|c| c["status"] == "True");
    let mut status = match ready {
        Some(true) => "Ready".to_string(),
        Some(false) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    if o["spec"]["unschedulable"] == true {
        status.push_str(",SchedulingDisabled");
    }
    let roles: Vec<String> = o["metadata"]["labels"]
        .as_object()
        .map(|l| {
            l.keys()
                .filter_map(|k| {
                    k.strip_prefix("node-role.kubernetes.io/")
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    vec![
        json!(o["metadata"]["name"]),
        json!(status),
        json!(if roles.is_empty() {
            "<none>".to_string()
        } else {
            roles.join(",")
        }),
        json!(age(now, &o["metadata"]["creationTimestamp"])),
        json!(
            o["status"]["nodeInfo"]["kubeletVersion"]
                .as_str()
                .unwrap_or("")
        ),
    ]
}

/// Builds one row's cells from an object at a time.
type Cells = fn(&Value, Timestamp) -> Vec<Value>;

/// Column definitions and a row builder for a resource.
fn columns(r: &Resource) -> (Vec<Value>, Cells) {
    match (r.group.as_str(), r.kind.as_str()) {
        ("", "Pod") => (
            vec![
                col("Name", "string", 0),
                col("Ready", "string", 0),
                col("Status", "string", 0),
                col("Restarts", "string", 0),
                col("Age", "string", 0),
                col("IP", "string", 1),
                col("Node", "string", 1),
                col("Nominated Node", "string", 1),
                col("Readiness Gates", "string", 1),
            ],
            pod_cells,
        ),
        ("", "Event") => (
            vec![
                col("Last Seen", "string", 0),
                col("Type", "string", 0),
                col("Reason", "string", 0),
                col("Object", "string", 0),
                col("Subobject", "string", 1),
                col("Source", "string", 1),
                col("Message", "string", 0),
                col("First Seen", "string", 1),
                col("Count", "integer", 1),
                col("Name", "string", 1),
            ],
            event_cells,
        ),
        ("apps", "Deployment") => (
            vec![
                col("Name", "string", 0),
                col("Ready", "string", 0),
                col("Up-to-date", "integer", 0),
                col("Available", "integer", 0),
                col("Age", "string", 0),
                col("Containers", "string", 1),
                col("Images", "string", 1),
                col("Selector", "string", 1),
            ],
            deployment_cells,
        ),
        ("", "Node") => (
            vec![
                col("Name", "string", 0),
                col("Status", "string", 0),
                col("Roles", "string", 0),
                col("Age", "string", 0),
                col("Version", "string", 0),
            ],
            node_cells,
        ),
        ("", "Namespace") => (
            vec![
                col("Name", "string", 0),
                col("Status", "string", 0),
                col("Age", "string", 0),
            ],
            |o, now| {
                vec![
                    json!(o["metadata"]["name"]),
                    json!(o["status"]["phase"]),
                    json!(age(now, &o["metadata"]["creationTimestamp"])),
                ]
            },
        ),
        _ => (
            vec![col("Name", "string", 0), col("Age", "string", 0)],
            |o, now| {
                vec![
                    json!(o["metadata"]["name"]),
                    json!(age(now, &o["metadata"]["creationTimestamp"])),
                ]
            },
        ),
    }
}

/// A `Table` of `items` (list metadata as given).
pub fn table(
    r: &Resource,
    items: &[&Value],
    now: Timestamp,
    include: Include,
    list_meta: Value,
) -> Value {
    let (defs, cells) = columns(r);
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            let mut row = json!({"cells": cells(o, now)});
            match include {
                Include::None => {}
                Include::Metadata => {
                    row["object"] = json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                        "metadata": o["metadata"]});
                }
                Include::Object => row["object"] = (*o).clone(),
            }
            row
        })
        .collect();
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": list_meta,
        "columnDefinitions": defs, "rows": rows})
}
