//! The resource types the sandbox's API server knows: the common built-ins plus any kind the
//! scenario brings, and the discovery documents (`/api`, `/apis`, resource lists) built from them.

use serde_json::{Value, json};

/// One resource type (`pods` in core/v1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// API group (`""` for core).
    pub group: String,
    pub version: String,
    pub kind: String,
    /// URL name (`pods`).
    pub plural: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
}

impl Resource {
    /// `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    pub fn singular(&self) -> String {
        self.kind.to_ascii_lowercase()
    }
}

/// (group, version, kind, plural, namespaced, short names)
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [&'static str],
);

const BUILTIN: &[Row] = &[
    ("", "v1", "Pod", "pods", true, &["po"]),
    ("", "v1", "Event", "events", true, &["ev"]),
    ("", "v1", "Node", "nodes", false, &["no"]),
    ("", "v1", "Namespace", "namespaces", false, &["ns"]),
    ("", "v1", "Service", "services", true, &["svc"]),
    ("", "v1", "Endpoints", "endpoints", true, &["ep"]),
    ("", "v1", "ConfigMap", "configmaps", true, &["cm"]),
    ("", "v1", "Secret", "secrets", true, &[]),
    (
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        true,
        &["pvc"],
    ),
    (
        "",
        "v1",
        "PersistentVolume",
        "persistentvolumes",
        false,
        &["pv"],
    ),
    (
        "",
        "v1",
        "ResourceQuota",
        "resourcequotas",
        true,
        &["quota"],
    ),
    ("", "v1", "LimitRange", "limitranges", true, &["limits"]),
    ("", "v1", "ServiceAccount", "serviceaccounts", true, &["sa"]),
    ("apps", "v1", "Deployment", "deployments", true, &["deploy"]),
    ("apps", "v1", "ReplicaSet", "replicasets", true, &["rs"]),
    ("apps", "v1", "StatefulSet", "statefulsets", true, &["sts"]),
    ("apps", "v1", "DaemonSet", "daemonsets", true, &["ds"]),
    ("batch", "v1", "Job", "jobs", true, &[]),
    ("batch", "v1", "CronJob", "cronjobs", true, &["cj"]),
    (
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        true,
        &["hpa"],
    ),
    (
        "networking.k8s.io",
        "v1",
        "Ingress",
        "ingresses",
        true,
        &["ing"],
    ),
    (
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        true,
        &["netpol"],
    ),
    (
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        true,
        &["pdb"],
    ),
    (
        "storage.k8s.io",
        "v1",
        "StorageClass",
        "storageclasses",
        false,
        &["sc"],
    ),
];

/// Kinds served only when a scenario brings them (kubectl would otherwise prefer them).
const OPTIONAL: &[Row] = &[("events.k8s.io", "v1", "Event", "events", true, &["ev"])];

fn from_row(r: &Row) -> Resource {
    Resource {
        group: r.0.into(),
        version: r.1.into(),
        kind: r.2.into(),
        plural: r.3.into(),
        namespaced: r.4,
        short_names: r.5.iter().map(|s| s.to_string()).collect(),
    }
}

/// The kinds in kubectl's `all` category.
const IN_ALL: &[(&str, &str)] = &[
    ("", "Pod"),
    ("", "Service"),
    ("apps", "Deployment"),
    ("apps", "ReplicaSet"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("batch", "Job"),
    ("batch", "CronJob"),
    ("autoscaling", "HorizontalPodAutoscaler"),
];

/// `group/version` → (group, version).
pub fn split_api_version(av: &str) -> (String, String) {
    match av.split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), av.to_string()),
    }
}

/// English plural of a kind, the way the API server names resources.
fn plural_of(kind: &str) -> String {
    let k = kind.to_ascii_lowercase();
    if k.ends_with('s') || k.ends_with("ch") || k.ends_with('x') {
        format!("{k}es")
    } else if let Some(stem) = k.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        format!("{stem}ies")
    } else {
        format!("{k}s")
    }
}

/// Every resource type served: the built-ins, then whatever kinds `objects` add.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub resources: Vec<Resource>,
}

impl Catalog {
    pub fn new(objects: &[Value]) -> Self {
        let mut resources: Vec<Resource> = BUILTIN.iter().map(from_row).collect();
        for o in objects {
            let (Some(av), Some(kind)) = (o["apiVersion"].as_str(), o["kind"].as_str()) else {
                continue;
            };
            let (group, version) = split_api_version(av);
            if resources.iter().any(|r| r.group == group && r.kind == kind) {
                continue;
            }
            let r = OPTIONAL
                .iter()
                .map(from_row)
                .find(|r| r.group == group && r.kind == kind)
                .unwrap_or_else(|| Resource {
                    plural: plural_of(kind),
                    namespaced: o["metadata"]["namespace"].is_string(),
                    group,
                    version,
                    kind: kind.to_string(),
                    short_names: vec![],
                });
            resources.push(r);
        }
        Self { resources }
    }

    /// The resource at `group` (any version it is served under) named `plural`.
    pub fn by_plural(&self, group: &str, version: &str, plural: &str) -> Option<&Resource> {
        self.resources
            .iter()
            .find(|r| r.group == group && r.plural == plural && r.version == version)
            .or_else(|| {
                self.resources
                    .iter()
                    .find(|r| r.group == group && r.plural == plural)
            })
    }

    /// The resource an object belongs to (by group and kind).
    pub fn of_object(&self, o: &Value) -> Option<&Resource> {
        let (group, _) = split_api_version(o["apiVersion"].as_str()?);
        let kind = o["kind"].as_str()?;
        self.resources
            .iter()
            .find(|r| r.group == group && r.kind == kind)
    }

    /// Non-core groups, in first-seen order, each with its versions.
    fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for r in self.resources.iter().filter(|r| !r.group.is_empty()) {
            match out.iter_mut().find(|(g, _)| *g == r.group) {
                Some((_, vs)) if !vs.contains(&r.version) => vs.push(r.version.clone()),
                Some(_) => {}
                None => out.push((r.group.clone(), vec![r.version.clone()])),
            }
        }
        out
    }

    /// Whether `group/version` is served.
    pub fn serves(&self, group: &str, version: &str) -> bool {
        self.resources
            .iter()
            .any(|r| r.group == group && r.version == version)
    }

    /// `GET /api`.
    pub fn api_versions(&self, server: &str) -> Value {
        json!({"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server}]})
    }

    fn group_json(g: &str, versions: &[String]) -> Value {
        let vs: Vec<Value> = versions
            .iter()
            .map(|v| json!({"groupVersion": format!("{g}/{v}"), "version": v}))
            .collect();
        json!({"kind": "APIGroup", "apiVersion": "v1", "name": g, "versions": vs,
            "preferredVersion": vs.first().cloned().unwrap_or(Value::Null)})
    }

    /// `GET /apis`.
    pub fn group_list(&self) -> Value {
        let groups: Vec<Value> = self
            .groups()
            .iter()
            .map(|(g, vs)| {
                let mut v = Self::group_json(g, vs);
                if let Some(o) = v.as_object_mut() {
                    o.remove("kind");
                    o.remove("apiVersion");
                }
                v
            })
            .collect();
        json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
    }

    /// `GET /apis/<group>`.
    pub fn group(&self, g: &str) -> Option<Value> {
        self.groups()
            .into_iter()
            .find(|(name, _)| name == g)
            .map(|(name, vs)| Self::group_json(&name, &vs))
    }

    /// `GET /api/v1` or `/apis/<group>/<version>`: read-only verbs, plus `pods/log`.
    pub fn resource_list(&self, group: &str, version: &str) -> Value {
        let mut list = Vec::new();
        for r in self
            .resources
            .iter()
            .filter(|r| r.group == group && r.version == version)
        {
            let mut entry = json!({
                "name": r.plural, "singularName": r.singular(), "namespaced": r.namespaced,
                "kind": r.kind, "verbs": ["get", "list"], "shortNames": r.short_names,
            });
            // `kubectl get all` expands the `all` category.
            if IN_ALL.contains(&(r.group.as_str(), r.kind.as_str())) {
                entry["categories"] = json!(["all"]);
            }
            list.push(entry);
            if r.group.is_empty() && r.kind == "Pod" {
                list.push(
                    json!({"name": "pods/log", "singularName": "", "namespaced": true,
                    "kind": "Pod", "verbs": ["get"]}),
                );
            }
        }
        let gv = if group.is_empty() {
            version.to_string()
        } else {
            format!("{group}/{version}")
        };
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": list})
    }
}
