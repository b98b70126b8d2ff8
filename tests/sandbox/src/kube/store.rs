//! The objects the API server holds: the scenario's, completed the way a real server would
//! complete them (namespace, uid, resourceVersion, creationTimestamp; label values and
//! quantities as strings; event names and involved uids), plus the namespaces they imply.

use super::resources::{Catalog, Resource};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use sremesh_scenario::{Scenario, k8s_time};
use std::collections::BTreeSet;

/// One stored object.
#[derive(Debug, Clone)]
pub struct Obj {
    /// Index into [`Catalog::resources`].
    pub res: usize,
    pub namespace: Option<String>,
    pub name: String,
    pub value: Value,
}

/// One container log with every line's time settled (lines without a prefix take their
/// neighbour's time).
#[derive(Debug, Clone)]
pub struct LogStream {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub previous: bool,
    pub lines: Vec<(Timestamp, String)>,
}

#[derive(Debug, Clone)]
pub struct Store {
    pub catalog: Catalog,
    /// Sorted by resource, namespace, name (the API server's list order).
    pub objects: Vec<Obj>,
    pub logs: Vec<LogStream>,
    /// The list `resourceVersion` (above every object's).
    pub resource_version: u64,
    pub version: String,
}

/// A deterministic uid for an object.
fn uid_for(key: &str) -> String {
    let h = Sha256::digest(key.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    uuid::Builder::from_random_bytes(b).into_uuid().to_string()
}

/// Keys whose mapping values the API server holds as strings.
const STRING_MAPS: &[&str] = &[
    "labels",
    "annotations",
    "nodeSelector",
    "matchLabels",
    "selector",
    "limits",
    "requests",
    "capacity",
    "allocatable",
    "hard",
    "used",
    "data",
    "stringData",
];

/// Numbers and booleans in string-valued maps (`version: 2`, `cpu: 1`) become strings, as do
/// env `value`s; YAML authors write them unquoted, the API server never returns them so.
fn stringify(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                if STRING_MAPS.contains(&k.as_str())
                    && let Value::Object(inner) = child
                    && inner.values().all(|x| !x.is_object() && !x.is_array())
                {
                    for x in inner.values_mut() {
                        if let Value::Number(_) | Value::Bool(_) = x {
                            *x = Value::String(x.to_string());
                        }
                    }
                    continue;
                }
                if k == "env"
                    && let Value::Array(items) = child
                {
                    for item in items.iter_mut() {
                        if let Some(val) = item.get_mut("value")
                            && let Value::Number(_) | Value::Bool(_) = val
                        {
                            *val = Value::String(val.to_string());
                        }
                    }
                }
                stringify(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(stringify),
        _ => {}
    }
}

fn meta(o: &mut Value) -> &mut Map<String, Value> {
    if !o["metadata"].is_object() {
        o["metadata"] = json!({});
    }
    o["metadata"]
        .as_object_mut()
        .expect("metadata was just made an object")
}

impl Store {
    pub fn new(s: &Scenario) -> Self {
        let kube = s.world.kubernetes.as_ref();
        let mut raw: Vec<Value> = kube.map(|k| k.objects.clone()).unwrap_or_default();
        raw.retain(Value::is_object);
        let version = kube.map_or(sremesh_scenario::DEFAULT_K8S_VERSION.to_string(), |k| {
            k.version.clone()
        });
        let catalog = Catalog::new(&raw);

        // The namespaces objects live in, plus the ones every cluster has.
        let mut namespaces: BTreeSet<String> =
            ["default", "kube-system", "kube-public", "kube-node-lease"]
                .into_iter()
                .map(String::from)
                .collect();
        for o in &raw {
            if catalog.of_object(o).is_some_and(|r| r.namespaced) {
                namespaces.insert(
                    o["metadata"]["namespace"]
                        .as_str()
                        .unwrap_or("default")
                        .to_string(),
                );
            }
        }
        let cluster_birth = s
            .now
            .checked_sub(SignedDuration::from_hours(24 * 30))
            .unwrap_or(s.now);
        for ns in namespaces {
            let exists = raw
                .iter()
                .any(|o| o["kind"] == "Namespace" && o["metadata"]["name"] == ns.as_str());
            if !exists {
                raw.push(json!({
                    "apiVersion": "v1", "kind": "Namespace",
                    "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns},
                        "creationTimestamp": k8s_time(cluster_birth, false)},
                    "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"},
                }));
            }
        }

        let default_created = s
            .now
            .checked_sub(SignedDuration::from_hours(1))
            .unwrap_or(s.now);
        let mut objects = Vec::new();
        for (i, mut o) in raw.into_iter().enumerate() {
            let Some(res_idx) = catalog
                .resources
                .iter()
                .position(|r| Some(r) == catalog.of_object(&o))
            else {
                continue;
            };
            let res: &Resource = &catalog.resources[res_idx];
            stringify(&mut o);
            let namespace = if res.namespaced {
                let ns = o["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or("default")
                    .to_string();
                meta(&mut o).insert("namespace".into(), json!(ns));
                Some(ns)
            } else {
                meta(&mut o).remove("namespace");
                None
            };
            if res.kind == "Event" {
                complete_event(&mut o, namespace.as_deref().unwrap_or("default"), i);
            }
            let name = o["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let key = format!(
                "{}/{}/{}",
                res.api_version(),
                namespace.as_deref().unwrap_or(""),
                name
            );
            let created = o["metadata"]["creationTimestamp"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| {
                    ["firstTimestamp", "eventTime", "lastTimestamp"]
                        .iter()
                        .find_map(|k| o[*k].as_str().map(str::to_string))
                        .unwrap_or_else(|| k8s_time(default_created, false))
                });
            let m = meta(&mut o);
            m.entry("uid").or_insert_with(|| json!(uid_for(&key)));
            match m.get("resourceVersion") {
                Some(Value::String(_)) => {}
                Some(Value::Number(n)) => {
                    let t = n.to_string();
                    m.insert("resourceVersion".into(), json!(t));
                }
                _ => {
                    m.insert("resourceVersion".into(), json!((1000 + i).to_string()));
                }
            }
            m.insert("creationTimestamp".into(), json!(created));
            objects.push(Obj {
                res: res_idx,
                namespace,
                name,
                value: o,
            });
        }
        fill_involved_uids(&mut objects);
        objects.sort_by(|a, b| (a.res, &a.namespace, &a.name).cmp(&(b.res, &b.namespace, &b.name)));
        let resource_version = objects
            .iter()
            .filter_map(|o| {
                o.value["metadata"]["resourceVersion"]
                    .as_str()?
                    .parse::<u64>()
                    .ok()
            })
            .max()
            .unwrap_or(1000)
            + 1;
        let logs = kube
            .map(|k| k.logs.iter().map(|l| settle(l, s.now)).collect())
            .unwrap_or_default();
        Self {
            catalog,
            objects,
            logs,
            resource_version,
            version,
        }
    }

    pub fn resource(&self, o: &Obj) -> &Resource {
        &self.catalog.resources[o.res]
    }

    /// The stored pod `namespace/name`.
    pub fn pod(&self, namespace: &str, name: &str) -> Option<&Value> {
        self.objects
            .iter()
            .find(|o| {
                let r = self.resource(o);
                r.group.is_empty()
                    && r.kind == "Pod"
                    && o.namespace.as_deref() == Some(namespace)
                    && o.name == name
            })
            .map(|o| &o.value)
    }
}

/// Event defaults: a name, the involved object's namespace, count, type.
fn complete_event(o: &mut Value, ns: &str, i: usize) {
    if o["metadata"]["name"].as_str().is_none_or(str::is_empty) {
        let base = o["involvedObject"]["name"]
            .as_str()
            .or(o["regarding"]["name"].as_str())
            .unwrap_or("event");
        let name = format!("{base}.{:016x}", 0x17a0_0000_0000_0000u64 + i as u64);
        meta(o).insert("name".into(), json!(name));
    }
    if o["involvedObject"].is_object() && o["involvedObject"]["namespace"].is_null() {
        o["involvedObject"]["namespace"] = json!(ns);
    }
    if o["apiVersion"] == "v1" {
        if o["count"].is_null() {
            o["count"] = json!(1);
        }
        if o["type"].is_null() {
            o["type"] = json!("Normal");
        }
        match (
            o["firstTimestamp"].is_string(),
            o["lastTimestamp"].is_string(),
        ) {
            (true, false) => o["lastTimestamp"] = o["firstTimestamp"].clone(),
            (false, true) => o["firstTimestamp"] = o["lastTimestamp"].clone(),
            _ => {}
        }
    }
}

/// Events name their object; a real server's events carry its uid.
fn fill_involved_uids(objects: &mut [Obj]) {
    let index: Vec<(String, Option<String>, String, Value)> = objects
        .iter()
        .map(|o| {
            (
                o.value["kind"].as_str().unwrap_or_default().to_string(),
                o.namespace.clone(),
                o.name.clone(),
                o.value["metadata"]["uid"].clone(),
            )
        })
        .collect();
    for o in objects.iter_mut() {
        let io = &o.value["involvedObject"];
        if !io.is_object() || io["uid"].is_string() {
            continue;
        }
        let (kind, name, ns) = (
            io["kind"].as_str(),
            io["name"].as_str(),
            io["namespace"].as_str(),
        );
        let uid = index.iter().find(|(k, n, nm, _)| {
            Some(k.as_str()) == kind
                && Some(nm.as_str()) == name
                && (n.is_none() || n.as_deref() == ns)
        });
        if let Some((_, _, _, uid)) = uid {
            o.value["involvedObject"]["uid"] = uid.clone();
        }
    }
}

/// Gives every log line a time: its own, else the previous line's, else the next known one,
/// else the scenario's `now`.
fn settle(l: &sremesh_scenario::PodLog, now: Timestamp) -> LogStream {
    let first_known = l.lines.iter().find_map(|x| x.at).unwrap_or(now);
    let mut last = first_known;
    let lines = l
        .lines
        .iter()
        .map(|x| {
            let t = x.at.unwrap_or(last);
            last = t;
            (t, x.text.clone())
        })
        .collect();
    LogStream {
        namespace: l.namespace.clone(),
        pod: l.pod.clone(),
        container: l.container.clone(),
        previous: l.previous,
        lines,
    }
}
