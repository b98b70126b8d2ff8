//! Kubernetes API server audit events (the EKS control-plane group's `kube-apiserver-audit-*`
//! streams) as one readable line: who did what to which object, and how the API server
//! answered — `create /api/v1/namespaces/shop/pods/db-1/eviction by eks:node-manager → 429
//! TooManyRequests: Cannot evict pod … (DisruptionBudget: The disruption budget db needs …)`.

use super::Level;
use serde_json::Value;

/// An audit event, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub line: String,
    /// The pod it is about (`objectRef` of resource `pods`).
    pub pod: Option<String>,
    pub namespace: Option<String>,
    /// 5xx: error; 4xx: warning; else info.
    pub level: Level,
}

fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(v, |v, k| v.get(*k))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// The event, when `v` is a `audit.k8s.io` `Event`.
pub fn parse(v: &Value) -> Option<AuditEvent> {
    let api = text(v, &["apiVersion"])?;
    if !api.starts_with("audit.k8s.io/") || text(v, &["kind"]) != Some("Event") {
        return None;
    }
    let verb = text(v, &["verb"]).unwrap_or("?");
    let uri = text(v, &["requestURI"]).unwrap_or("?");
    let user = text(v, &["user", "username"]).unwrap_or("?");
    let status = v.get("responseStatus");
    let code = status
        .and_then(|s| s.get("code"))
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let mut line = format!("{verb} {uri} by {user} → {code}");
    if let Some(s) = status {
        if let Some(r) = text(s, &["reason"]) {
            line.push_str(&format!(" {r}"));
        }
        if let Some(m) = text(s, &["message"]) {
            line.push_str(&format!(": {m}"));
        }
        let causes: Vec<String> = s
            .get("details")
            .and_then(|d| d.get("causes"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| {
                let m = text(c, &["message"])?;
                Some(match text(c, &["reason"]) {
                    Some(r) => format!("{r}: {m}"),
                    None => m.to_owned(),
                })
            })
            .collect();
        if !causes.is_empty() {
            line.push_str(&format!(" ({})", causes.join("; ")));
        }
    }
    let object = v.get("objectRef");
    let pod = object
        .filter(|o| text(o, &["resource"]) == Some("pods"))
        .and_then(|o| text(o, &["name"]))
        .map(str::to_owned);
    let namespace = object
        .and_then(|o| text(o, &["namespace"]))
        .map(str::to_owned);
    let level = match code {
        500.. => Level::Error,
        400..=499 => Level::Warn,
        _ => Level::Info,
    };
    Some(AuditEvent {
        line,
        pod,
        namespace,
        level,
    })
}
