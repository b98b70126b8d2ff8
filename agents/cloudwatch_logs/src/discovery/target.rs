//! The alert's target as keywords: read from labels, `key: value` fields, `namespace/name`
//! pairs and hyphenated resource names in the alert's own words (never guessed), each with a
//! kind that sets its weight.

use super::contains_token;
use regex::Regex;
use sremesh_core::AlertContext;
use std::sync::LazyLock;

/// What a keyword names, which decides its weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeywordKind {
    /// A workload, service, function, table, queue or database name.
    Workload,
    /// A pod name (its workload is added as a [`KeywordKind::Workload`] keyword too).
    Pod,
    /// A resource-like name from free text (`checkout-api`).
    Name,
    /// A Kubernetes cluster.
    Cluster,
    /// A Kubernetes namespace.
    Namespace,
}

impl KeywordKind {
    /// How much one match counts when ranking groups.
    pub fn weight(self) -> u32 {
        match self {
            KeywordKind::Workload => 4,
            KeywordKind::Pod | KeywordKind::Name => 3,
            KeywordKind::Cluster => 2,
            KeywordKind::Namespace => 1,
        }
    }

    /// True when a log line mentioning it is about the alert's target (clusters are not).
    pub fn targets_lines(self) -> bool {
        self != KeywordKind::Cluster
    }
}

/// One keyword (lowercase).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Keyword {
    pub text: String,
    pub kind: KeywordKind,
}

/// The alert's target as keywords.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Target {
    pub keywords: Vec<Keyword>,
    /// The alert speaks of a database (`database`, `DB`, `RDS`, `Postgres` …): its log group
    /// is worth reading even when no name matches it.
    pub mentions_database: bool,
    /// The alert is about wrong data (prices, amounts, an anomaly, a mismatch, reconciliation):
    /// warnings that data was bent to fit (a lenient parse, rows skipped) are its failures.
    pub about_data: bool,
    /// The alert is about the cluster's own machinery (nodes not ready, a node group upgrade,
    /// cordon / drain / eviction, the kubelet, the control plane): the cluster's node and
    /// control-plane logs are about it.
    pub about_cluster: bool,
    /// Identifiers that name what is measured, not whose it is (`alertname=CatalogPriceAnomaly`,
    /// `catalog_price_change_ratio`): never keywords, but their words lead to a group by stem
    /// when no group carries one of the alert's names.
    pub subjects: Vec<String>,
}

static DATABASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(database|db|rds|postgres(ql)?|mysql|mariadb|aurora|sql|dbinstanceidentifier)\b",
    )
    .expect("static regex")
});

static DATA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(prices?|pricing|amounts?|anomal\w*|mismatch\w*|discrepanc\w*|incorrect|wrong|reconcil\w*|data[ _-]quality|negative[ _-]margin|outliers?|corrupt\w*|changed by more than)\b")
        .expect("static regex")
});

static CLUSTER_MACHINERY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bnodes?\b[^.\n]{0,40}\b(not[ _-]?ready|unready|unreachable|cordon\w*|drain\w*|upgrad\w*|rotat\w*|replac\w*)\b|\bnode[ _-]?groups?\b|\bcordon(ed|ing)?\b|\bdrain(s|ing|ed)?\b|\bkubelet\b|\bcontrol[ _-]plane\b|\bkube-?apiserver\b|\bfailed_node\w*|\bnode_(count|status|ready)\w*")
        .expect("static regex")
});

/// `CatalogPriceAnomaly` (two or more capitalised words run together) and
/// `catalog_price_change_ratio` (three or more snake_case words): names of what is measured.
static SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b([A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)+|[a-z][a-z0-9]*(?:_[a-z0-9]+){2,})\b")
        .expect("static regex")
});

/// Words that name nothing specific: they never become keywords.
const STOP: &[&str] = &[
    "api",
    "app",
    "apps",
    "web",
    "prod",
    "production",
    "staging",
    "stage",
    "dev",
    "test",
    "qa",
    "default",
    "service",
    "services",
    "server",
    "worker",
    "main",
    "kube-system",
    "kubernetes",
    "k8s",
    "aws",
    "lambda",
    "logs",
    "log",
    "application",
    "cluster",
    "eks",
    "rds",
    "none",
    "true",
    "false",
    "null",
    "warning",
    "critical",
    "error",
    "info",
    "firing",
    "resolved",
    "alert",
    "alerts",
    "the",
    "and",
    "for",
    "with",
    "from",
    "this",
    "that",
    "is",
    "are",
    "was",
    "on",
    "in",
    "of",
    "to",
    "at",
    "by",
    "it",
    "not",
    "has",
    "have",
    "been",
    "above",
    "below",
    "over",
    "under",
    "than",
    "more",
    "less",
    "all",
    "any",
    "pod",
    "pods",
    "node",
    "nodes",
    "container",
    "namespace",
    "deployment",
    "function",
    "metric",
    "value",
    "env",
    "team",
    "host",
    "instance",
    "job",
    "monitoring",
    "us",
    "eu",
    "ap",
];

/// Hyphenated English words that are not resource names.
const STOP_PREFIXES: &[&str] = &[
    "non-", "re-", "pre-", "co-", "self-", "multi-", "out-", "built-", "well-", "x-amz", "e-",
    "read-", "write-", "on-", "follow-", "opt-", "sub-", "anti-", "cross-", "real-", "long-",
    "short-", "high-", "low-",
];

/// Label / field keys and the kind of name their value is.
fn key_kind(key: &str) -> Option<KeywordKind> {
    let k = key
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_ascii_lowercase()
        .replace(['.', '-', '/'], "_");
    let k = k.strip_prefix("kube_").unwrap_or(&k);
    Some(match k {
        "pod" | "pod_name" | "podname" => KeywordKind::Pod,
        "namespace" | "namespace_name" | "ns" => KeywordKind::Namespace,
        "cluster" | "cluster_name" | "clustername" | "eks_cluster" | "eks_cluster_name" => {
            KeywordKind::Cluster
        }
        "service"
        | "service_name"
        | "servicename"
        | "app"
        | "app_kubernetes_io_name"
        | "deployment"
        | "statefulset"
        | "daemonset"
        | "replicaset"
        | "cronjob"
        | "job_name"
        | "container"
        | "container_name"
        | "function"
        | "function_name"
        | "functionname"
        | "lambda_function"
        | "consumer"
        | "consumer_group"
        | "topic"
        | "queue"
        | "queue_name"
        | "queuename"
        | "table"
        | "table_name"
        | "tablename"
        | "dbinstanceidentifier"
        | "db_instance"
        | "db_instance_identifier"
        | "dbclusteridentifier"
        | "cacheclusterid"
        | "workload"
        | "statefulset_name"
        | "deployment_name" => KeywordKind::Workload,
        _ => return None,
    })
}

static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<[^>\s]*>|https?://\S+").expect("static regex"));
/// `key: value`, `key = value`, `key:value`, `*key:* `value``, `key="value"`.
static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:^|[^A-Za-z0-9_.])([A-Za-z][A-Za-z0-9_.]{1,40})[*_`\s]*(?::|=)[*_`"'\s]*([A-Za-z0-9][A-Za-z0-9._/\-]*)"#)
        .expect("static regex")
});
/// `namespace risk,` / `cluster shop-prod-use1)`: a key word followed by a bare name.
static SPACED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(namespace|cluster|service|deployment|statefulset|function|pod)\s+([a-z0-9][a-z0-9.\-]*[a-z0-9])(?:[,);.]|\s|$)")
        .expect("static regex")
});
/// `payments/payments-api-7f9dd8b6c4-x7gr9`.
static NS_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s(`'\x22])([a-z0-9][a-z0-9-]{1,62})/([a-z0-9][a-z0-9.\-]{1,252}[a-z0-9])")
        .expect("static regex")
});
/// `checkout-api`, `payments-prod-eks`: lowercase hyphenated identifiers.
static HYPHENATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^A-Za-z0-9_.\-/])([a-z][a-z0-9]*(?:-[a-z0-9]+)+)").expect("static regex")
});
static REGION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z]{2}(-gov)?-[a-z]+-\d$").expect("static regex"));
static DEPLOY_POD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.+)-[a-z0-9]{6,10}-[a-z0-9]{5}$").expect("static regex"));
static STS_POD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.+)-\d{1,3}$").expect("static regex"));
static SHORT_SUFFIX_POD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.+)-[a-z0-9]{5}$").expect("static regex"));
/// Alarm names end in what is measured (`payments-webhook-handler-errors`).
const ALARM_SUFFIXES: &[&str] = &[
    "-errors",
    "-error",
    "-alarm",
    "-alert",
    "-latency",
    "-throttles",
    "-duration",
    "-5xx",
    "-high",
    "-low",
];

/// The workload a pod belongs to: `payments-api-7f9dd8b6c4-x7gr9` → `payments-api`,
/// `shipping-rabbitmq-2` → `shipping-rabbitmq`, `backfill-8-k2n5d` → `backfill-8`.
pub fn workload_of(pod: &str) -> &str {
    for re in [&*DEPLOY_POD, &*STS_POD, &*SHORT_SUFFIX_POD] {
        if let Some(c) = re.captures(pod)
            && let Some(m) = c.get(1)
            && pod[m.end()..].bytes().any(|b| b.is_ascii_digit())
        {
            return &pod[..m.end()];
        }
    }
    pod
}

fn looks_like_pod(name: &str) -> bool {
    workload_of(name) != name
}

fn clean(value: &str) -> Option<String> {
    let v = value
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_ascii_lowercase();
    let useful = v.len() >= 3
        && v.len() <= 128
        && v.bytes().any(|b| b.is_ascii_alphabetic())
        && !STOP.contains(&v.as_str())
        && !REGION.is_match(&v)
        && !v.starts_with("aws/")
        && !v.contains("://");
    useful.then_some(v)
}

impl Target {
    /// Keywords from an alert: its labels, then its text (and the master's hints).
    pub fn from_alert(ctx: &AlertContext) -> Self {
        let mut t = Target::default();
        for (k, v) in &ctx.labels {
            if let Some(kind) = key_kind(k) {
                t.add(v, kind);
            }
        }
        t.add_text(&ctx.alert_text);
        for h in &ctx.hints {
            t.add_text(h);
        }
        t
    }

    /// Keywords given by a caller (a model, a test): kinds inferred from their shape.
    pub fn from_keywords<S: AsRef<str>>(keywords: &[S]) -> Self {
        let mut t = Target::default();
        for k in keywords {
            let k = k.as_ref();
            let kind = if looks_like_pod(&k.to_ascii_lowercase()) {
                KeywordKind::Pod
            } else if k.contains(['-', '_']) {
                KeywordKind::Name
            } else {
                KeywordKind::Namespace
            };
            t.add(k, kind);
        }
        t
    }

    /// Adds a keyword (kept once, with its strongest kind); pods add their workload too.
    pub fn add(&mut self, value: &str, kind: KeywordKind) {
        let Some(text) = clean(value) else { return };
        if kind == KeywordKind::Pod || (kind == KeywordKind::Name && looks_like_pod(&text)) {
            let workload = workload_of(&text).to_owned();
            self.push(text, KeywordKind::Pod);
            self.add(&workload, KeywordKind::Workload);
            return;
        }
        if kind == KeywordKind::Name && STOP_PREFIXES.iter().any(|p| text.starts_with(p)) {
            return;
        }
        for suffix in ALARM_SUFFIXES {
            if let Some(stem) = text.strip_suffix(suffix)
                && stem.contains('-')
            {
                self.push(stem.to_owned(), KeywordKind::Name);
            }
        }
        self.push(text, kind);
    }

    /// Keeps a keyword once: a kind read from a field or label wins over a bare name from
    /// free text; otherwise the first kind stays.
    fn push(&mut self, text: String, kind: KeywordKind) {
        match self.keywords.iter_mut().find(|k| k.text == text) {
            Some(k) if k.kind == KeywordKind::Name && kind != KeywordKind::Name => k.kind = kind,
            Some(_) => {}
            None => self.keywords.push(Keyword { text, kind }),
        }
    }

    fn add_text(&mut self, text: &str) {
        let text = URL
            .replace_all(&sremesh_core::text::link_labels(text), " ")
            .into_owned();
        self.mentions_database |= DATABASE.is_match(&text);
        self.about_data |= DATA.is_match(&text);
        self.about_cluster |= CLUSTER_MACHINERY.is_match(&text);
        for c in SUBJECT.captures_iter(&text) {
            let s = c[1].to_owned();
            if !self.subjects.contains(&s) && self.subjects.len() < 8 {
                self.subjects.push(s);
            }
        }
        // Overlapping on purpose: in `Dimensions: FunctionName = x` the value of one field
        // is the key of the next.
        let mut pos = 0;
        while let Some(c) = FIELD.captures_at(&text, pos) {
            if let Some(kind) = key_kind(&c[1]) {
                self.add(&c[2], kind);
            }
            pos = c.get(1).map_or(text.len(), |k| k.end());
        }
        for c in SPACED.captures_iter(&text) {
            if let Some(kind) = key_kind(&c[1]) {
                self.add(&c[2], kind);
            }
        }
        for c in NS_NAME.captures_iter(&text) {
            if clean(&c[1]).is_some() && !c[1].bytes().all(|b| b.is_ascii_digit()) {
                self.add(&c[1], KeywordKind::Namespace);
                let kind = if looks_like_pod(&c[2]) {
                    KeywordKind::Pod
                } else {
                    KeywordKind::Workload
                };
                self.add(&c[2], kind);
            }
        }
        for c in HYPHENATED.captures_iter(&text) {
            self.add(&c[1], KeywordKind::Name);
        }
    }

    /// True when no keyword could select lines inside a shared group.
    pub fn has_line_keywords(&self) -> bool {
        self.keywords.iter().any(|k| k.kind.targets_lines())
    }

    /// The clusters named.
    pub fn clusters(&self) -> impl Iterator<Item = &str> {
        self.keywords
            .iter()
            .filter(|k| k.kind == KeywordKind::Cluster)
            .map(|k| k.text.as_str())
    }

    /// Keywords found in `name` (token-aware), and their total weight.
    pub fn score(&self, name: &str) -> (u32, Vec<&Keyword>) {
        let lower = name.to_ascii_lowercase();
        let hits: Vec<&Keyword> = self
            .keywords
            .iter()
            .filter(|k| contains_token(&lower, &k.text))
            .collect();
        (hits.iter().map(|k| k.kind.weight()).sum(), hits)
    }

    /// True when a line-level field (pod, workload, namespace) or the text names the target.
    pub fn names_record(
        &self,
        pod: Option<&str>,
        workload: Option<&str>,
        namespace: Option<&str>,
        text: &str,
    ) -> bool {
        let text = text.to_ascii_lowercase();
        self.keywords.iter().any(|k| match k.kind {
            KeywordKind::Cluster => false,
            KeywordKind::Namespace => namespace.is_some_and(|n| n.eq_ignore_ascii_case(&k.text)),
            KeywordKind::Pod | KeywordKind::Workload | KeywordKind::Name => {
                pod.is_some_and(|p| p.eq_ignore_ascii_case(&k.text))
                    || workload.is_some_and(|w| w.eq_ignore_ascii_case(&k.text))
                    || contains_token(&text, &k.text)
            }
        })
    }
}
