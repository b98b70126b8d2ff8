//! What an alert says about its Kubernetes target, read from the text and labels alone (pure, no
//! API calls): Alertmanager / Grafana / Datadog label syntaxes, `ns/name` tokens, pod names, and
//! the words that could name a workload. [`crate::resolve`] checks the candidates against the
//! cluster.

use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// A workload kind the alert can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Deployment,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
    Pod,
}

impl Kind {
    /// The lowercase resource prefix used in finding resources (`deployment`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Deployment => "deployment",
            Kind::StatefulSet => "statefulset",
            Kind::DaemonSet => "daemonset",
            Kind::Job => "job",
            Kind::CronJob => "cronjob",
            Kind::Pod => "pod",
        }
    }

    fn from_word(w: &str) -> Option<Self> {
        match w.to_ascii_lowercase().as_str() {
            "deployment" | "deploy" => Some(Kind::Deployment),
            "statefulset" | "sts" => Some(Kind::StatefulSet),
            "daemonset" | "ds" => Some(Kind::DaemonSet),
            "job" => Some(Kind::Job),
            "cronjob" | "cj" => Some(Kind::CronJob),
            "pod" => Some(Kind::Pod),
            _ => None,
        }
    }
}

/// A workload the alert names, with its kind and namespace when the alert says them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Named {
    pub kind: Option<Kind>,
    pub namespace: Option<String>,
    pub name: String,
}

/// Everything the alert says about where to look.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertTarget {
    /// `alertname` (label, or the `[FIRING:n] Name` title).
    pub alertname: Option<String>,
    pub cluster: Option<String>,
    /// Namespaces named, most explicit first.
    pub namespaces: Vec<String>,
    /// Pod names (`<deploy>-<rs hash>-<5>`, or any name given as `pod=`).
    pub pods: Vec<Named>,
    /// Workloads named with a kind (`deployment=x`, `StatefulSet ns/x`, `kube_deployment:x`).
    pub workloads: Vec<Named>,
    /// Names given as `service=`, `app=`, `container=` (workload, Service or label).
    pub services: Vec<Named>,
    /// `ns/name` tokens from the text.
    pub qualified: Vec<Named>,
    /// Other words that could be a workload name (lowercase, with a dash or a digit, ≥ 3 chars).
    pub words: Vec<String>,
    /// Service names a `CamelCase` alert rule starts with (`CollabGateway5xxRate` →
    /// `collab-gateway`, …): derived, not in the text as written; checked like words.
    pub rule_prefixes: Vec<String>,
}

impl AlertTarget {
    /// True for always-firing heartbeat alerts (Watchdog, DeadMansSnitch …): nothing to find.
    pub fn is_heartbeat(&self) -> bool {
        self.alertname.as_deref().is_some_and(|a| {
            let a = a.to_ascii_lowercase();
            matches!(
                a.as_str(),
                "watchdog"
                    | "deadmansswitch"
                    | "deadmansnitch"
                    | "deadmanssnitch"
                    | "infoinhibitor"
            )
        })
    }

    /// True when the alert names nothing concrete (no namespace, pod, workload or service).
    pub fn is_empty(&self) -> bool {
        self.pods.is_empty()
            && self.workloads.is_empty()
            && self.services.is_empty()
            && self.qualified.is_empty()
            && self.words.is_empty()
            && self.rule_prefixes.is_empty()
    }
}

static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<https?://[^>]*>|https?://\S+").expect("static regex"));
/// `*namespace:* \`recs\`` (Alertmanager's Slack template) and `namespace: \`x\``.
static BACKTICK_KV: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\*?\b([A-Za-z_][A-Za-z0-9_.]*)\*?\s*:\*?\s*`([^`\n]{1,253})`")
        .expect("static regex")
});
/// ` - namespace = search` (Alertmanager's Discord receiver, Grafana) and `namespace="x"`.
static EQ_KV: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b([A-Za-z_][A-Za-z0-9_.]*)\s*=~?\s*"?([A-Za-z0-9][A-Za-z0-9_.:/-]{0,252})"?"#)
        .expect("static regex")
});
/// `kube_namespace:payments service:inventory-api` (Datadog tags).
static TAG_KV: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b([a-z_]+):([a-z0-9][a-z0-9_.-]{0,252})").expect("static regex")
});
/// `namespace risk` / `namespace: risk` in prose.
static NS_PROSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bnamespace[:\s]+([a-z0-9][a-z0-9-]{0,62})\b").expect("static regex")
});
/// `Pod recs/x`, `Deployment comms/notification-svc`.
static KIND_QUALIFIED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(Pod|Deployment|StatefulSet|DaemonSet|Job|CronJob|pod|deployment|statefulset|daemonset|job|cronjob)\s+([a-z0-9][a-z0-9-]{0,62})/([a-z0-9][a-z0-9.-]{0,252})").expect("static regex")
});
static QUALIFIED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[^A-Za-z0-9_./-])([a-z0-9][a-z0-9-]{0,62})/([a-z0-9][a-z0-9.-]{0,252}[a-z0-9])\b",
    )
    .expect("static regex")
});
/// `[FIRING:1] KubePodCrashLooping (…)`.
static FIRING_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[(?:FIRING|RESOLVED)(?::\d+)?\]\s*([A-Za-z][A-Za-z0-9_]*)").expect("static regex")
});
static WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[a-z0-9][a-z0-9-]*[a-z0-9]").expect("static regex"));
/// A CloudWatch alarm named after what it watches and the metric: `storefront-web-UnHealthyHostCount`.
/// `CamelCase` tokens (alert rule names).
static CAMEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[A-Z][A-Za-z0-9]{5,}\b").expect("static regex"));
static ALARM_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b([a-z0-9][a-z0-9-]*[a-z0-9])-([A-Z][A-Za-z0-9_]{3,})\b").expect("static regex")
});
/// A Deployment's pod: `<name>-<rs hash>-<5 chars>`.
static DEPLOY_POD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([a-z0-9][a-z0-9-]*[a-z0-9])-([a-z0-9]{6,10})-([a-z0-9]{5})$")
        .expect("static regex")
});

/// For a Deployment pod name, the Deployment's name (`payments-api-7f9dd8b6c4-x7gr9` →
/// `payments-api`).
pub fn deployment_of_pod(pod: &str) -> Option<&str> {
    let c = DEPLOY_POD.captures(pod)?;
    let hash = c.get(2)?.as_str();
    // A pod-template hash has a digit in practice; words like "worker-backend-cache" do not.
    hash.bytes()
        .any(|b| b.is_ascii_digit())
        .then(|| c.get(1).map(|m| m.as_str()))
        .flatten()
}

/// A CronJob's Job: `<cronjob>-<scheduled minute>` (`invoice-export-29641290` →
/// `invoice-export`).
pub fn cronjob_of_job(job: &str) -> Option<&str> {
    let (head, tail) = job.rsplit_once('-')?;
    (tail.len() >= 8 && tail.bytes().all(|b| b.is_ascii_digit()) && !head.is_empty())
        .then_some(head)
}

fn push<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

fn clean(v: &str) -> Option<String> {
    let v = v
        .trim()
        .trim_matches(|c| c == '"' || c == '\'' || c == '`' || c == '*');
    let ok = !v.is_empty()
        && v.len() <= 253
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    ok.then(|| v.to_owned())
}

/// Records one `key = value` pair if the key is one we understand.
fn label(t: &mut AlertTarget, key: &str, value: &str) {
    let key = key.to_ascii_lowercase().replace(['.', '/'], "_");
    let raw = value.trim();
    match key.as_str() {
        "alertname" => {
            if t.alertname.is_none() && !raw.is_empty() {
                t.alertname = Some(raw.trim_matches('`').to_owned());
            }
            return;
        }
        "cluster" | "kube_cluster_name" | "cluster_name" => {
            if t.cluster.is_none() {
                t.cluster = clean(raw);
            }
            return;
        }
        _ => {}
    }
    let Some(v) = clean(raw) else { return };
    let named = |kind| Named {
        kind,
        namespace: None,
        name: v.clone(),
    };
    match key.as_str() {
        "namespace" | "kube_namespace" | "exported_namespace" | "namespace_name" => {
            push(&mut t.namespaces, v)
        }
        "pod" | "pod_name" | "kube_pod" | "exported_pod" => {
            push(&mut t.pods, named(Some(Kind::Pod)))
        }
        "deployment" | "kube_deployment" => push(&mut t.workloads, named(Some(Kind::Deployment))),
        "statefulset" | "kube_stateful_set" | "kube_statefulset" => {
            push(&mut t.workloads, named(Some(Kind::StatefulSet)))
        }
        "daemonset" | "kube_daemon_set" | "kube_daemonset" => {
            push(&mut t.workloads, named(Some(Kind::DaemonSet)))
        }
        // `job` is usually Prometheus's scrape job (`kube-state-metrics`); as a Job it only
        // matches when a Job by that name exists, so it never misleads.
        "job_name" | "kube_job" | "job" | "exported_job" => {
            push(&mut t.workloads, named(Some(Kind::Job)))
        }
        "cronjob" | "cronjob_name" | "kube_cronjob" | "kube_cron_job" => {
            push(&mut t.workloads, named(Some(Kind::CronJob)))
        }
        "service"
        | "kube_service"
        | "app"
        | "app_kubernetes_io_name"
        | "container"
        | "container_name"
        | "kube_container_name"
        | "consumer"
        | "workload" => push(&mut t.services, named(None)),
        _ => {}
    }
}

/// Words too common to name a workload on their own.
const STOP: &[&str] = &[
    "the",
    "and",
    "for",
    "not",
    "has",
    "are",
    "was",
    "with",
    "from",
    "than",
    "this",
    "that",
    "prod",
    "production",
    "staging",
    "alert",
    "alerts",
    "firing",
    "resolved",
    "warning",
    "critical",
    "severity",
    "error",
    "errors",
    "pod",
    "pods",
    "node",
    "nodes",
    "namespace",
    "cluster",
    "service",
    "container",
    "deployment",
    "last",
    "over",
    "min",
    "minutes",
    "seconds",
    "none",
    "high",
    "low",
];

/// Reads the alert text and its structured labels.
pub fn parse(text: &str, labels: &BTreeMap<String, String>) -> AlertTarget {
    let mut t = AlertTarget::default();
    for (k, v) in labels {
        label(&mut t, k, v);
    }
    // Cap the work on absurd inputs; alerts are short.
    let text: String = text.chars().take(20_000).collect();
    let stripped = URL
        .replace_all(&sremesh_core::text::link_labels(&text), " ")
        .into_owned();

    for c in BACKTICK_KV.captures_iter(&stripped) {
        label(&mut t, &c[1], &c[2]);
    }
    for c in EQ_KV.captures_iter(&stripped) {
        label(&mut t, &c[1], &c[2]);
    }
    for c in TAG_KV.captures_iter(&stripped) {
        label(&mut t, &c[1], &c[2]);
    }
    if t.alertname.is_none()
        && let Some(c) = FIRING_TITLE.captures(&stripped)
    {
        t.alertname = Some(c[1].to_owned());
    }
    for c in KIND_QUALIFIED.captures_iter(&stripped) {
        let (ns, name) = (c[2].to_owned(), c[3].to_owned());
        push(&mut t.namespaces, ns.clone());
        let n = Named {
            kind: Kind::from_word(&c[1]),
            namespace: Some(ns),
            name,
        };
        if n.kind == Some(Kind::Pod) {
            push(&mut t.pods, n);
        } else {
            push(&mut t.workloads, n);
        }
    }
    for c in QUALIFIED.captures_iter(&stripped) {
        let n = Named {
            kind: None,
            namespace: Some(c[1].to_owned()),
            name: c[2].to_owned(),
        };
        let known = t
            .pods
            .iter()
            .chain(&t.workloads)
            .any(|w| w.name == n.name && w.namespace == n.namespace);
        if !known {
            push(&mut t.qualified, n);
        }
    }
    for c in NS_PROSE.captures_iter(&stripped) {
        if !STOP.contains(&&c[1]) {
            push(&mut t.namespaces, c[1].to_owned());
        }
    }
    // Words: every lowercase token that could be a name; pod names among them.
    let lower = stripped.to_ascii_lowercase();
    for m in WORD.find_iter(&lower) {
        let w = m.as_str();
        if w.len() < 3
            || w.len() > 253
            || STOP.contains(&w)
            || w.bytes().all(|b| b.is_ascii_digit())
        {
            continue;
        }
        if deployment_of_pod(w).is_some() && !t.pods.iter().any(|p| p.name == w) {
            push(
                &mut t.pods,
                Named {
                    kind: Some(Kind::Pod),
                    namespace: None,
                    name: w.to_owned(),
                },
            );
        }
        if t.words.len() < 200 {
            push(&mut t.words, w.to_owned());
        }
    }
    // A `CamelCase` alert name often starts with its service (`CollabGateway5xxRate`).
    for m in CAMEL.find_iter(&stripped) {
        for w in sremesh_core::text::camel_prefixes(m.as_str()) {
            if t.rule_prefixes.len() < 50 {
                push(&mut t.rule_prefixes, w);
            }
        }
    }
    // An alarm's name without its metric (`checkout-api-HTTPCode_Target_5XX_Count`).
    for c in ALARM_NAME.captures_iter(&stripped) {
        let (w, metric) = (&c[1], &c[2]);
        if metric.bytes().any(|b| b.is_ascii_lowercase())
            && w.len() >= 3
            && !STOP.contains(&w)
            && t.words.len() < 200
        {
            push(&mut t.words, w.to_owned());
        }
    }
    // Pods without a namespace take the alert's namespace when it names exactly one.
    if let [ns] = t.namespaces.as_slice() {
        let ns = ns.clone();
        for p in t.pods.iter_mut().chain(t.workloads.iter_mut()) {
            if p.namespace.is_none() {
                p.namespace = Some(ns.clone());
            }
        }
    }
    t
}

#[cfg(test)]
mod tests;
