//! Reads `world.kubernetes`: objects (a `kind: List` is flattened; each needs apiVersion, kind
//! and a name) and container logs (an optional RFC 3339 prefix becomes the line's time).

use crate::model::{Kube, LogLine, PodLog};
use crate::reader::{Cx, index, join, kind_of};
use crate::world::text_of;
use jiff::Timestamp;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// `gitVersion` when `world.kubernetes.version` is left out.
pub const DEFAULT_K8S_VERSION: &str = "v1.30.0";

const KUBE_KEYS: &[&str] = &["cluster", "version", "objects", "logs"];
const LOG_KEYS: &[&str] = &["namespace", "pod", "container", "previous", "lines"];
const LINE_KEYS: &[&str] = &["at", "text"];

pub(crate) fn read(cx: &mut Cx, m: &Map<String, Value>) -> Kube {
    let p = "world.kubernetes";
    cx.known_keys(m, p, KUBE_KEYS);
    let cluster = cx
        .string(m, p, "cluster")
        .unwrap_or_else(|| "sandbox".to_string());
    let version = match cx.string(m, p, "version") {
        None => DEFAULT_K8S_VERSION.to_string(),
        Some(v) => {
            let v = if v.starts_with('v') {
                v
            } else {
                format!("v{v}")
            };
            if crate::kube_version(&v).is_none() {
                cx.problem(
                    join(p, "version"),
                    format!("'{v}' is not a Kubernetes version (like v1.30.4)"),
                );
            }
            v
        }
    };
    let mut objects = Vec::new();
    let mut seen = BTreeSet::new();
    for (op, ov) in cx.list(m, p, "objects") {
        let items: Vec<(String, &Value)> = match ov {
            Value::Object(o)
                if o.get("kind")
                    .and_then(Value::as_str)
                    .is_some_and(|k| k.ends_with("List"))
                    && o.get("items").is_some_and(Value::is_array) =>
            {
                o.get("items")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .enumerate()
                            .map(|(i, v)| (index(&join(&op, "items"), i), v))
                            .collect()
                    })
                    .unwrap_or_default()
            }
            _ => vec![(op, ov)],
        };
        for (ip, iv) in items {
            if let Some(key) = check_object(cx, iv, &ip) {
                if !seen.insert(key.clone()) {
                    cx.problem(ip, format!("object {key} is listed twice"));
                    continue;
                }
                objects.push(iv.clone());
            }
        }
    }
    let mut logs = Vec::new();
    for (lp, lv) in cx.list(m, p, "logs") {
        let Some(l) = cx.map(lv, &lp) else { continue };
        if let Some(log) = read_log(cx, l, &lp, &objects) {
            logs.push(log);
        }
    }
    Kube {
        cluster,
        version,
        objects,
        logs,
    }
}

/// Checks the fields every object needs; returns `kind namespace/name` for duplicate detection.
fn check_object(cx: &mut Cx, v: &Value, path: &str) -> Option<String> {
    let o = cx.map(v, path)?;
    if v.is_null() {
        cx.problem(path, "expected a Kubernetes object, found nothing");
        return None;
    }
    let api = cx.required(o, path, "apiVersion");
    let kind = cx.required(o, path, "kind");
    let mp = join(path, "metadata");
    let meta = match o.get("metadata") {
        None | Some(Value::Null) => {
            cx.problem(&mp, "required key is missing (at least a name)");
            return None;
        }
        Some(m) => cx.map(m, &mp)?,
    };
    let (api, kind) = (api?, kind?);
    let ns = cx.string(meta, &mp, "namespace").unwrap_or_default();
    let name = if kind == "Event" {
        cx.string(meta, &mp, "name")
            .unwrap_or_else(|| format!("#{}", path))
    } else {
        cx.required(meta, &mp, "name")?
    };
    Some(format!("{api} {kind} {ns}/{name}"))
}

fn read_log(cx: &mut Cx, m: &Map<String, Value>, path: &str, objects: &[Value]) -> Option<PodLog> {
    cx.known_keys(m, path, LOG_KEYS);
    let namespace = cx
        .string(m, path, "namespace")
        .unwrap_or_else(|| "default".to_string());
    let pod = cx.required(m, path, "pod")?;
    let previous = cx.boolean(m, path, "previous");
    let container = match cx.string(m, path, "container") {
        Some(c) => c,
        None => {
            let names = pod_containers(objects, &namespace, &pod);
            match names.as_slice() {
                [only] => only.clone(),
                [] => {
                    cx.problem(join(path, "container"), "required key is missing");
                    return None;
                }
                many => {
                    cx.problem(
                        join(path, "container"),
                        format!(
                            "required: pod {namespace}/{pod} has several containers ({})",
                            many.join(", ")
                        ),
                    );
                    return None;
                }
            }
        }
    };
    let mut lines = Vec::new();
    for (lp, lv) in cx.list(m, path, "lines") {
        match lv {
            Value::String(s) => lines.push(split_prefix(s)),
            Value::Number(n) => lines.push(LogLine {
                at: None,
                text: n.to_string(),
            }),
            Value::Object(o) => {
                cx.known_keys(o, &lp, LINE_KEYS);
                let at = match o.get("at") {
                    None | Some(Value::Null) => None,
                    v => cx.time(v, &join(&lp, "at")),
                };
                if let Some(text) = text_of(cx, o, &lp, "text") {
                    lines.push(LogLine { at, text });
                }
            }
            other => cx.problem(
                lp,
                format!("expected a log line (text), found {}", kind_of(other)),
            ),
        }
    }
    Some(PodLog {
        namespace,
        pod,
        container,
        previous,
        lines,
    })
}

/// Container names of a pod in `objects` (empty when the pod is not there).
fn pod_containers(objects: &[Value], ns: &str, name: &str) -> Vec<String> {
    objects
        .iter()
        .find(|o| {
            o["kind"] == "Pod"
                && o["metadata"]["name"] == name
                && o["metadata"]["namespace"].as_str().unwrap_or("default") == ns
        })
        .and_then(|o| o["spec"]["containers"].as_array())
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Splits an optional RFC 3339 prefix off a log line.
pub fn split_prefix(line: &str) -> LogLine {
    if let Some((first, rest)) = line.split_once(' ')
        && first.len() >= 20
        && first.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && first.contains('T')
        && let Ok(at) = first.parse::<Timestamp>()
    {
        return LogLine {
            at: Some(at),
            text: rest.to_string(),
        };
    }
    LogLine {
        at: None,
        text: line.to_string(),
    }
}
