//! The Kubernetes API subset the mesh (kube-rs) and kubectl use: `/version`, discovery, list
//! and get of every served kind (namespaced and cluster-wide) with label and field selectors and
//! `limit`/`continue` paging, server-side `Table` printing, pod logs — read-only, every error a
//! `Status` object.

pub mod kubeconfig;
mod logs;
mod resources;
pub mod selector;
mod status;
mod store;
mod table;

use status::Failure;
use store::Store;

use crate::Clock;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, Uri};
use jiff::Timestamp;
use resources::Resource;
use selector::{FieldSelector, LabelSelector};
use serde_json::{Value, json};
use sremesh_scenario::Scenario;
use std::collections::HashMap;
use std::sync::Arc;
use table::Include;

/// Query parameters (the last value of a repeated key wins).
pub(crate) type Query = HashMap<String, String>;

/// What the Kubernetes server answers from.
pub(crate) struct KubeState {
    store: Store,
    clock: Clock,
}

impl KubeState {
    pub(crate) fn new(s: &Scenario, clock: Clock) -> Self {
        Self {
            store: Store::new(s),
            clock,
        }
    }
}

pub(crate) fn router(state: Arc<KubeState>) -> Router {
    Router::new().fallback(handle).with_state(state)
}

fn json_ok(v: Value) -> Response {
    axum::Json(v).into_response()
}

async fn handle(
    State(st): State<Arc<KubeState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return Failure::method_not_allowed().into_response();
    }
    let query: Query =
        match serde_urlencoded::from_str::<Vec<(String, String)>>(uri.query().unwrap_or("")) {
            Ok(pairs) => pairs.into_iter().collect(),
            Err(e) => {
                return Failure::bad_request(format!("malformed query string: {e}"))
                    .into_response();
            }
        };
    let table = headers
        .get_all(http::header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("as=Table"));
    let host = headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let segs: Vec<&str> = uri.path().split('/').filter(|s| !s.is_empty()).collect();
    tracing::debug!(path = %uri.path(), query = ?uri.query(), table, "kubernetes api call");
    let req = Req {
        st: &st,
        q: &query,
        table,
        now: st.clock.now(),
    };
    match dispatch(&req, &segs, host) {
        Ok(r) => r,
        Err(f) => f.into_response(),
    }
}

struct Req<'a> {
    st: &'a KubeState,
    q: &'a Query,
    table: bool,
    now: Timestamp,
}

fn dispatch(r: &Req, segs: &[&str], host: &str) -> Result<Response, Failure> {
    let cat = &r.st.store.catalog;
    if r.q.get("watch").is_some_and(|w| w == "true" || w == "1") {
        return Err(Failure {
            code: 405,
            reason: "MethodNotAllowed",
            message:
                "watch is not supported by the sremesh sandbox (a frozen scenario never changes)"
                    .into(),
            details: None,
        });
    }
    match segs {
        [] => Ok(json_ok(
            json!({"paths": ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/version"]}),
        )),
        ["version"] => Ok(json_ok(version(&r.st.store.version))),
        ["healthz" | "livez" | "readyz"] => Ok("ok".into_response()),
        ["api"] => Ok(json_ok(cat.api_versions(host))),
        ["api", "v1"] => Ok(json_ok(cat.resource_list("", "v1"))),
        ["apis"] => Ok(json_ok(cat.group_list())),
        ["apis", g] => cat.group(g).map(json_ok).ok_or_else(Failure::no_route),
        ["apis", g, v] if cat.serves(g, v) => Ok(json_ok(cat.resource_list(g, v))),
        ["api", "v1", rest @ ..] => resource(r, "", "v1", rest),
        ["apis", g, v, rest @ ..] if cat.serves(g, v) => resource(r, g, v, rest),
        _ => Err(Failure::no_route()),
    }
}

fn version(v: &str) -> Value {
    let (major, minor) = sremesh_scenario::kube_version(v).unwrap_or((1, 30));
    json!({
        "major": major.to_string(), "minor": minor.to_string(), "gitVersion": v,
        "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.22.5", "compiler": "gc",
        "platform": "linux/amd64",
    })
}

fn resource(r: &Req, group: &str, version: &str, rest: &[&str]) -> Result<Response, Failure> {
    let cat = &r.st.store.catalog;
    let find = |plural: &str| {
        cat.by_plural(group, version, plural)
            .ok_or_else(Failure::no_route)
    };
    match rest {
        [plural] => list(r, find(plural)?, version, None),
        [plural, name] | [plural, name, "status"] => {
            let res = find(plural)?;
            if res.namespaced {
                return Err(Failure::no_route());
            }
            get(r, res, version, None, name)
        }
        ["namespaces", ns, plural] => {
            let res = find(plural)?;
            if !res.namespaced {
                return Err(Failure::no_route());
            }
            list(r, res, version, Some(ns))
        }
        ["namespaces", ns, "pods", pod, "log"] if group.is_empty() => {
            logs::pod_log(&r.st.store, r.now, ns, pod, r.q)
        }
        ["namespaces", ns, plural, name] | ["namespaces", ns, plural, name, "status"] => {
            let res = find(plural)?;
            if !res.namespaced {
                return Err(Failure::no_route());
            }
            get(r, res, version, Some(ns), name)
        }
        _ => Err(Failure::no_route()),
    }
}

/// The object as served under `group/version` (the requested version, as a real server converts).
fn served(res: &Resource, version: &str, o: &Value) -> Value {
    let mut v = o.clone();
    v["apiVersion"] = json!(if res.group.is_empty() {
        version.to_string()
    } else {
        format!("{}/{version}", res.group)
    });
    v
}

fn include(q: &Query) -> Result<Include, Failure> {
    match q.get("includeObject").map(String::as_str) {
        None | Some("") | Some("Metadata") => Ok(Include::Metadata),
        Some("None") => Ok(Include::None),
        Some("Object") => Ok(Include::Object),
        Some(other) => Err(Failure::bad_request(format!(
            "includeObject: Unsupported value: \"{other}\": supported values: \"Metadata\", \"None\", \"Object\""
        ))),
    }
}

fn get(
    r: &Req,
    res: &Resource,
    version: &str,
    ns: Option<&str>,
    name: &str,
) -> Result<Response, Failure> {
    let store = &r.st.store;
    let o = store
        .objects
        .iter()
        .find(|o| store.resource(o) == res && o.namespace.as_deref() == ns && o.name == name)
        .ok_or_else(|| Failure::not_found(&res.group, &res.plural, name))?;
    let v = served(res, version, &o.value);
    if r.table {
        let meta = json!({"resourceVersion": v["metadata"]["resourceVersion"]});
        return Ok(json_ok(table::table(
            res,
            &[&v],
            r.now,
            include(r.q)?,
            meta,
        )));
    }
    Ok(json_ok(v))
}

/// Fields a field selector may name for a resource (as the API server allows).
fn supported_fields(res: &Resource) -> &'static [&'static str] {
    match (res.group.as_str(), res.kind.as_str()) {
        ("", "Pod") => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        ("", "Event") => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        ("events.k8s.io", "Event") => &[
            "regarding.kind",
            "regarding.namespace",
            "regarding.name",
            "regarding.uid",
            "regarding.apiVersion",
            "reason",
            "reportingController",
            "type",
        ],
        ("", "Node") => &["spec.unschedulable"],
        ("", "Namespace") => &["status.phase"],
        ("", "Secret") => &["type"],
        ("apps", "ReplicaSet") => &["status.replicas"],
        ("batch", "Job") => &["status.successful"],
        _ => &[],
    }
}

/// The string a field selector compares for `field` of `o`.
fn field_value(o: &Value, field: &str) -> String {
    if field == "source" {
        return o["source"]["component"].as_str().unwrap_or("").to_string();
    }
    let mut v = o;
    for part in field.split('.') {
        v = &v[part];
    }
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null if matches!(field, "spec.unschedulable" | "spec.hostNetwork") => "false".into(),
        _ => String::new(),
    }
}

/// Continue tokens are opaque to clients: hex of `offset:<n>`.
fn continue_token(offset: usize) -> String {
    hex::encode(format!("offset:{offset}"))
}

fn continue_offset(t: &str) -> Result<usize, Failure> {
    hex::decode(t)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("offset:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| Failure::bad_request(format!("continue key is not valid: \"{t}\"")))
}

fn list(r: &Req, res: &Resource, version: &str, ns: Option<&str>) -> Result<Response, Failure> {
    let labels = match r.q.get("labelSelector") {
        Some(s) => LabelSelector::parse(s).map_err(|e| Failure::bad_request(e.0))?,
        None => LabelSelector::default(),
    };
    let fields = match r.q.get("fieldSelector") {
        Some(s) => FieldSelector::parse(s).map_err(|e| Failure::bad_request(e.0))?,
        None => FieldSelector::default(),
    };
    let allowed = supported_fields(res);
    for f in &fields.0 {
        if !matches!(f.field.as_str(), "metadata.name" | "metadata.namespace")
            && !allowed.contains(&f.field.as_str())
        {
            return Err(Failure::bad_request(format!(
                "field label not supported: {}",
                f.field
            )));
        }
    }
    let store = &r.st.store;
    let items: Vec<Value> = store
        .objects
        .iter()
        .filter(|o| store.resource(o) == res)
        .filter(|o| ns.is_none() || o.namespace.as_deref() == ns)
        .filter(|o| labels.matches(o.value["metadata"]["labels"].as_object()))
        .filter(|o| fields.matches(|f| field_value(&o.value, f)))
        .map(|o| served(res, version, &o.value))
        .collect();
    let limit = match r.q.get("limit").filter(|l| !l.is_empty()) {
        None => 0,
        Some(l) => l
            .parse::<i64>()
            .map_err(|_| {
                Failure::bad_request(format!("limit: Invalid value: \"{l}\": must be an integer"))
            })?
            .max(0) as usize,
    };
    let start = match r.q.get("continue").filter(|c| !c.is_empty()) {
        Some(t) => continue_offset(t)?,
        None => 0,
    }
    .min(items.len());
    let end = if limit == 0 {
        items.len()
    } else {
        start.saturating_add(limit).min(items.len())
    };
    let mut meta = json!({"resourceVersion": store.resource_version.to_string()});
    if end < items.len() {
        meta["continue"] = json!(continue_token(end));
        meta["remainingItemCount"] = json!(items.len() - end);
    }
    let page: Vec<&Value> = items[start..end].iter().collect();
    if r.table {
        return Ok(json_ok(table::table(
            res,
            &page,
            r.now,
            include(r.q)?,
            meta,
        )));
    }
    Ok(json_ok(json!({
        "kind": format!("{}List", res.kind),
        "apiVersion": if res.group.is_empty() { version.to_string() } else { format!("{}/{version}", res.group) },
        "metadata": meta,
        "items": page,
    })))
}
