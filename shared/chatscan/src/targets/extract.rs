//! Reading target words out of alert labels and alert text.

use super::{TargetKind, Targets};
use regex::Regex;
use std::sync::LazyLock;

fn re(s: &str) -> Regex {
    Regex::new(s).expect("static regex")
}

/// `<https://…|label>` (Slack links keep their label), `<https://…>` and bare URLs.
static URL: LazyLock<Regex> = LazyLock::new(|| re(r"<?https?://[^\s>]+>?"));
/// Datadog tags `kube_deployment:payments-api`.
static TAG: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|[^A-Za-z0-9_./:-])([a-z][a-z0-9_]*):([a-z0-9][a-z0-9_.\-]*)"));
/// Alertmanager's Slack template: ``*namespace:* `billing` ``.
static STARRED: LazyLock<Regex> = LazyLock::new(|| re(r"\*([A-Za-z_]+):\*\s*`([^`\s]+)`"));
/// `key = value`, `key="value"` (label lists, metric selectors, CloudWatch dimensions).
static EQUALS: LazyLock<Regex> =
    LazyLock::new(|| re(r#"\b([A-Za-z][A-Za-z0-9_]*)\s*=\s*"?([A-Za-z0-9][A-Za-z0-9_.\-]*)"#));
/// `namespace fulfillment`, `on cluster shop-prod-use1`.
static PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(namespace|cluster|deployment|statefulset|daemonset|function)\s+([a-z0-9][a-z0-9_.\-]*)(/?)",
    )
});
/// `billing/billing-api-6c5f9d7b48-tn4vz`: namespace and workload.
static SLASH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|[^A-Za-z0-9_./-])([a-z0-9][a-z0-9-]{1,62})/([a-z0-9][a-z0-9.\-]*-[a-z0-9.\-]*[a-z0-9])",
    )
});
/// Alert names: `[FIRING:1] Name`, `*Alert:* Name`, `ALARM: "name"`, `Alarm | name |`.
static ALERT_NAME: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"\[FIRING(?::\d+)?\]\s*([A-Za-z][A-Za-z0-9_.:-]*)",
        r"\*Alert:\*\s*([A-Za-z][A-Za-z0-9_.-]*)",
        r#"ALARM:\s*"([^"\s]+)""#,
        r"(?i)Alarm\s*\|\s*([A-Za-z0-9][A-Za-z0-9_.-]*)\s*\|",
    ]
    .into_iter()
    .map(re)
    .collect()
});
/// Name-like tokens.
static TOKEN: LazyLock<Regex> = LazyLock::new(|| re(r"[A-Za-z0-9][A-Za-z0-9_.\-]*[A-Za-z0-9]"));
static VERSION: LazyLock<Regex> = LazyLock::new(|| re(r"^v?\d+(\.\d+)+([-+][\w.]+)?$"));
static IPV4: LazyLock<Regex> = LazyLock::new(|| re(r"^\d+\.\d+\.\d+\.\d+$"));
static REGION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^[a-z]{2}(-gov)?-(north|south|east|west|central|northeast|southeast|northwest|southwest)-\d$",
    )
});
/// Pod names: `<workload>-<replicaset hash>-<suffix>`, `<workload>-<suffix>` (DaemonSet,
/// Job), `<cronjob>-<schedule time>`.
static POD: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^([a-z0-9][a-z0-9-]*?)-(?:[a-z0-9]{6,10}-[a-z0-9]{5}|[a-z0-9]{5}|\d{8,10})$")
});
static REGION_ABBREV: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(use|usw|euw|euc|eun|eus|aps|apne|apse|apso|cac|sae|mec|afs)\d$"));

/// Words that name nothing specific.
#[rustfmt::skip]
const GENERIC: &[&str] = &[
    "prod", "production", "staging", "stage", "dev", "test", "qa", "default", "none", "null",
    "true", "false", "warning", "critical", "info", "error", "high", "low", "medium", "page",
    "k8s", "kubernetes", "monitoring", "kube-system", "system", "platform", "infra", "core",
    "main", "data", "app", "apps", "api", "web", "service", "services", "backend", "frontend",
    "shared", "common", "public", "internal", "ops", "alerts", "all", "aws", "lambda", "the",
    "and", "for", "with", "not", "has", "was", "are", "this", "that", "queue", "job", "pod",
    "node", "cluster", "namespace", "container", "server", "worker", "firing", "resolved",
];

/// English compounds that look like names.
#[rustfmt::skip]
const COMPOUNDS: &[&str] = &[
    "dead-letter", "non-ready", "read-only", "built-in", "follow-up", "up-to-date",
    "out-of-memory", "rate-limited", "rate-limit", "real-time", "end-to-end", "long-running",
    "on-call", "e-mail", "opt-in", "so-called", "well-known", "self-healing", "re-run",
    "pre-existing", "third-party", "multi-az", "cross-region", "non-zero", "time-out", "x-ray",
    "rate-of-failure", "per-second", "dead-lettered", "auto-scaling", "check-in", "sign-in",
    "log-in", "roll-out", "run-time", "up-front",
];

/// Suffixes stripped from a service name to get its product stem.
#[rustfmt::skip]
const SERVICE_SUFFIXES: &[&str] = &[
    "api", "svc", "service", "server", "srv", "worker", "workers", "web", "app", "consumer",
    "producer", "handler", "job", "cron", "daemon", "backend", "frontend", "ui", "gateway",
    "engine", "processor", "ingest", "ingester", "proxy", "bff", "builder", "indexer",
    "scheduler", "receiver", "dispatcher", "renderer", "exporter", "collector", "listener",
    "poller", "publisher", "subscriber", "relay", "runner",
];

/// Words after a name that make it a workload (`pricing-engine pods keep restarting`).
const WORKLOAD_WORDS: &[&str] = &[
    "pod",
    "pods",
    "deployment",
    "replicas",
    "containers",
    "container",
    "workers",
    "instances",
    "statefulset",
    "daemonset",
];

/// Whether `name` is worth looking for as a target of `kind`.
pub(super) fn is_useful(name: &str, kind: TargetKind) -> bool {
    let lower = name.to_ascii_lowercase();
    let min = if kind == TargetKind::Scope { 3 } else { 4 };
    name.len() >= min
        && name.len() <= 128
        && name.is_ascii()
        && name.chars().any(|c| c.is_ascii_alphabetic())
        && !GENERIC.contains(&lower.as_str())
        && !COMPOUNDS.contains(&lower.as_str())
        && !VERSION.is_match(&lower)
        && !IPV4.is_match(&lower)
        && !REGION.is_match(&lower)
}

/// The product stem of a service name: `payments` of `payments-api`, `order-events` of
/// `order-events-consumer`; none when the last part is not a generic suffix.
pub(super) fn stem(service: &str) -> Option<String> {
    let lower = service.to_ascii_lowercase();
    let (head, last) = lower.rsplit_once('-')?;
    SERVICE_SUFFIXES
        .contains(&last)
        .then(|| head.to_owned())
        .filter(|h| h.len() >= 3 && !GENERIC.contains(&h.as_str()))
}

/// `checkout-api`, `orders-worker`: a name ending in a service suffix names a service.
fn has_service_suffix(token: &str) -> bool {
    token
        .to_ascii_lowercase()
        .rsplit_once('-')
        .is_some_and(|(head, last)| head.len() >= 2 && SERVICE_SUFFIXES.contains(&last))
}

/// A pod name's workload (`billing-api` of `billing-api-6c5f9d7b48-tn4vz`), if it looks like one.
fn workload_of_pod(pod: &str) -> Option<&str> {
    let caps = POD.captures(pod)?;
    let whole = caps.get(0)?.as_str();
    let base = caps.get(1)?.as_str();
    // The generated part must contain a digit (real hashes do; English words don't).
    whole[base.len()..]
        .bytes()
        .any(|b| b.is_ascii_digit())
        .then_some(base)
}

/// Cluster-shaped names: an environment part and a region or platform part
/// (`shop-prod-use1`, `payments-prod-eks`, `prod-use1-main`).
fn looks_like_cluster(token: &str) -> bool {
    let lower = token.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('-').collect();
    let env = parts
        .iter()
        .any(|p| matches!(*p, "prod" | "production" | "staging" | "stg" | "dev" | "qa"));
    let place = parts.iter().any(|p| {
        matches!(*p, "eks" | "k8s" | "gke" | "aks" | "cluster") || REGION_ABBREV.is_match(p)
    });
    env && place && parts.len() >= 2
}

/// A label (or a `key: value` in the text) into targets.
pub(super) fn keyed(t: &mut Targets, key: &str, value: &str) {
    let k = key.to_ascii_lowercase().replace('.', "_");
    let k = k.strip_prefix("kube_").unwrap_or(&k);
    let k = k.strip_prefix("exported_").unwrap_or(k);
    let k = k.strip_suffix("_name").unwrap_or(k);
    let kind = match k {
        "service" | "app" | "application" | "deployment" | "statefulset" | "stateful_set"
        | "daemonset" | "daemon_set" | "cronjob" | "cron_job" | "container" | "function"
        | "functionname" | "consumer" | "workload" | "app_kubernetes_io" | "k8s_app"
        | "servicename" => TargetKind::Service,
        "pod" => {
            if let Some(w) = workload_of_pod(value).or_else(|| ordinal_base(value)) {
                t.add(w, TargetKind::Service);
            }
            TargetKind::Resource
        }
        "namespace" => TargetKind::Scope,
        "cluster" | "clustername" | "eks_cluster" => TargetKind::Cluster,
        "alertname" | "alarm" | "alarmname" | "monitor" => TargetKind::AlertName,
        "queue"
        | "topic"
        | "table"
        | "tablename"
        | "db"
        | "database"
        | "dbinstanceidentifier"
        | "dbclusteridentifier"
        | "bucket"
        | "node"
        | "instance_id"
        | "persistentvolumeclaim"
        | "pvc"
        | "cacheclusterid"
        | "stream"
        | "statefulset_pod" => TargetKind::Resource,
        _ => return,
    };
    t.add(value, kind);
}

/// `shipping-rabbitmq` of the StatefulSet pod `shipping-rabbitmq-2`.
fn ordinal_base(pod: &str) -> Option<&str> {
    let (base, n) = pod.rsplit_once('-')?;
    (n.len() <= 3 && n.bytes().all(|b| b.is_ascii_digit()) && base.contains('-')).then_some(base)
}

/// Every target the alert text names.
pub(super) fn from_text(t: &mut Targets, raw: &str) {
    let text = sremesh_core::text::link_labels(raw);
    let text = URL.replace_all(&text, " ");
    for re in ALERT_NAME.iter() {
        if let Some(m) = re.captures(&text).and_then(|c| c.get(1)) {
            t.add(
                m.as_str().trim_end_matches([':', '-']),
                TargetKind::AlertName,
            );
        }
    }
    // A person naming an alert by its rule (`CollabGateway5xxRate paged at 10:03`).
    if !t.list.iter().any(|x| x.kind == TargetKind::AlertName)
        && let Some(m) = TOKEN
            .find_iter(&text)
            .find(|m| sremesh_core::text::camel_prefixes(m.as_str()).len() >= 2)
    {
        t.add(m.as_str(), TargetKind::AlertName);
    }
    for c in STARRED.captures_iter(&text) {
        keyed(t, &c[1], &c[2]);
    }
    for c in EQUALS.captures_iter(&text) {
        keyed(t, &c[1], &c[2]);
    }
    for c in TAG.captures_iter(&text) {
        keyed(t, &c[1], &c[2]);
    }
    for c in SLASH.captures_iter(&text) {
        t.add(&c[1], TargetKind::Scope);
        let name = &c[2];
        t.add(workload_of_pod(name).unwrap_or(name), TargetKind::Service);
    }
    for c in PHRASE.captures_iter(&text) {
        if &c[3] == "/" {
            continue; // `Deployment comms/notification-svc`: the slash rule has it.
        }
        let kind = match c[1].to_ascii_lowercase().as_str() {
            "namespace" => TargetKind::Scope,
            "cluster" => TargetKind::Cluster,
            _ => TargetKind::Service,
        };
        t.add(&c[2], kind);
    }
    tokens(t, &text);
}

/// Name-like tokens of the text not classified by a rule above.
fn tokens(t: &mut Targets, text: &str) {
    for m in TOKEN.find_iter(text) {
        let token = m.as_str().trim_end_matches(['.', '-', '_']);
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        let named = token.contains('-') || token.contains('_');
        let _ = after;
        let next = text[m.end()..]
            .trim_start_matches([' ', '\t'])
            .chars()
            .next();
        let is_key = matches!(next, Some(':' | '=' | '*'));
        let is_call = matches!(next, Some('(' | '{'));
        let dotted_only = token.contains('.') && !token.contains('-');
        if !named || is_key || is_call || dotted_only || before == Some('@') {
            continue;
        }
        if t.list.iter().any(|x| x.name.eq_ignore_ascii_case(token)) {
            continue;
        }
        if let Some(w) = workload_of_pod(token) {
            t.add(w, TargetKind::Service);
            t.add(token, TargetKind::Resource);
        } else if looks_like_cluster(token) {
            t.add(token, TargetKind::Cluster);
        } else if has_service_suffix(token)
            || WORKLOAD_WORDS.contains(&crate::names::next_word(text, m.end()).as_str())
        {
            t.add(token, TargetKind::Service);
        } else {
            t.add(token, TargetKind::Resource);
        }
    }
}
