//! Provider status posts: a status page's feed (`Datadog Status — Investigating: …`,
//! `status.example.com/incidents/…`), an AWS Health event, posted in a channel — and whether one
//! is about what the alert is about (the same place, product or words).

use crate::places::places;
use crate::words::{fold, is_distinctive, words};
use regex::Regex;
use sremesh_core::text::{contains_word, find_word};
use std::collections::BTreeSet;
use std::sync::LazyLock;

fn re(s: &str) -> Regex {
    Regex::new(s).expect("static regex")
}

/// A status page's or a provider health dashboard's link.
static STATUS_URL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)https?://((?:[a-z0-9-]+\.)*(?:status\.[a-z0-9.-]+|[a-z0-9-]+\.statuspage\.io|health\.aws\.amazon\.com|health\.console\.aws\.amazon\.com|[a-z0-9-]+status\.[a-z]{2,}))[^\s>|)]*",
    )
});
/// `Datadog Status`, `GitHub Status (US1)`: a status feed's header.
static STATUS_HEADER: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b([A-Z][A-Za-z0-9.&]+(?: [A-Z][A-Za-z0-9.&]+)?) Status\b"));

/// The phases and impact words of status pages (Statuspage, AWS Health, Google, Azure).
#[rustfmt::skip]
const PHASES: &[&str] = &[
    "investigating", "identified", "monitoring", "resolved", "degraded performance",
    "partial outage", "major outage", "operational issue", "service disruption",
    "service degradation", "informational message", "increased error rates",
    "elevated error rates", "increased latencies", "increased latency", "postmortem",
];
/// A post with one of these (and a phase) comes from a provider's health feed.
const HEALTH_MARKS: &[&str] = &["aws health", "health event", "personal health dashboard"];

/// One provider status post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusPost {
    /// Who posted the status (`Datadog`, `AWS`, the status page's host).
    pub provider: String,
    /// The phase it reports, lowercase (`investigating`, `resolved`, `operational issue`).
    pub status: String,
    /// The status page link, when given.
    pub url: Option<String>,
}

impl StatusPost {
    /// True when the provider says it is over.
    pub fn is_resolved(&self) -> bool {
        self.status == "resolved" || self.status == "postmortem"
    }
}

/// The status post `text` is, if it is one: a status page header or link, or an AWS Health
/// mark, with a phase. From a person, only a quoted status page link counts.
pub fn status_post(text: &str, is_bot: bool) -> Option<StatusPost> {
    let url = STATUS_URL.captures(text);
    let head: String = text.chars().take(120).collect();
    let header = STATUS_HEADER.captures(&head);
    let health = HEALTH_MARKS.iter().any(|m| contains_word(text, m));
    if !(url.is_some() || (is_bot && (header.is_some() || health))) {
        return None;
    }
    let status = PHASES
        .iter()
        .filter_map(|p| find_word(text, p).map(|at| (at, *p)))
        .min()?
        .1
        .to_owned();
    let provider = if health {
        "AWS".to_owned()
    } else if let Some(h) = &header {
        h[1].to_owned()
    } else {
        let host = url
            .as_ref()
            .map_or("", |u| u.get(1).map_or("", |m| m.as_str()));
        host.split('.')
            .find(|p| !matches!(*p, "status" | "www" | "health"))
            .unwrap_or(host)
            .to_owned()
    };
    Some(StatusPost {
        provider,
        status,
        url: url.map(|u| u[0].to_owned()),
    })
}

/// `Affected resources: accounts-db-reader-2, i-0abc`: the resources a provider's notice names.
static AFFECTED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\baffected (?:resources?|instances?|entities)\s*[:=]\s*([A-Za-z0-9][A-Za-z0-9_.:/-]*(?:\s*,\s*[A-Za-z0-9][A-Za-z0-9_.:/-]*)*)",
    )
});

/// The resources a provider's notice says are affected (`Affected resources: a, b`), as named;
/// only names of at least 4 characters with a digit or a separator (ids, not words).
pub fn affected_resources(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in AFFECTED.captures_iter(text) {
        for r in c[1].split(',') {
            let r = r.trim().trim_end_matches(['.', ':']);
            let id_like = r
                .chars()
                .any(|ch| ch.is_ascii_digit() || "-_./:".contains(ch));
            if r.len() >= 4 && id_like && !out.iter().any(|o| o == r) {
                out.push(r.to_owned());
            }
        }
    }
    out
}

/// Product families: a provider names its product (`EKS`), an alert its symptoms (`Kube…`,
/// `apiserver`).
#[rustfmt::skip]
const FAMILIES: &[(&str, &[&str])] = &[
    ("kubernetes", &["eks", "kubernetes", "k8s", "kube", "kubectl", "apiserver", "kubelet", "etcd", "control plane"]),
    ("database", &["rds", "aurora", "postgres", "postgresql", "mysql", "mariadb", "database", "databases"]),
    ("cache", &["elasticache", "redis", "memcached", "valkey"]),
    ("load balancing", &["elb", "alb", "nlb", "load balancer", "load balancers", "elastic load balancing"]),
    ("dns", &["route 53", "route53", "dns"]),
    ("functions", &["lambda"]),
    ("messaging", &["sqs", "sns", "kinesis", "msk", "kafka", "eventbridge"]),
    ("storage", &["s3", "ebs", "efs"]),
    ("cdn", &["cloudfront", "cdn", "fastly", "akamai"]),
    ("registry", &["ecr", "docker hub", "dockerhub", "ghcr", "quay"]),
    ("synthetics", &["synthetic", "synthetics"]),
    ("identity", &["iam", "sts", "cognito", "okta", "auth0"]),
    ("dynamodb", &["dynamodb", "dynamo"]),
];

fn families(text: &str, ws: &BTreeSet<String>) -> BTreeSet<&'static str> {
    FAMILIES
        .iter()
        .filter(|(_, terms)| {
            terms
                .iter()
                .any(|t| ws.contains(&fold(t)) || contains_word(text, t))
        })
        .map(|(f, _)| *f)
        .collect()
}

/// What a status post and an alert have in common.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overlap {
    /// Distinctive words both use (`sydney`, `synthetic`).
    pub words: Vec<String>,
    /// Regions both name, as the post names them (`Sydney`, `us-east-1`).
    pub places: Vec<String>,
    /// Product families both concern (`kubernetes`).
    pub families: Vec<String>,
    /// The alert comes from the provider's own product (`datadoghq` in its links).
    pub same_vendor: bool,
}

impl Overlap {
    /// True when the post is about what the alert is about: two of — a distinctive word (up
    /// to two count), the same region, the same product family, the same vendor — and at
    /// least one that is not the vendor.
    pub fn matches(&self) -> bool {
        let points = self.words.len().min(2)
            + usize::from(!self.places.is_empty())
            + usize::from(!self.families.is_empty())
            + usize::from(self.same_vendor);
        points >= 2 && points > usize::from(self.same_vendor)
    }

    /// The shared things, for a title: words, places, families.
    pub fn list(&self) -> Vec<String> {
        let mut out: Vec<String> = self.places.clone();
        for w in self.words.iter().chain(&self.families) {
            let f = fold(w);
            if !out.iter().any(|o| fold(o) == f) {
                out.push(w.clone());
            }
        }
        out
    }
}

/// What `post` (by `provider`) and `alert` have in common.
pub fn overlap(alert: &str, post: &str, provider: &str) -> Overlap {
    let aw: BTreeSet<String> = words(alert, false).into_iter().collect();
    let pw: BTreeSet<String> = words(post, false).into_iter().collect();
    let provider_word = provider.to_lowercase();
    let shared: Vec<String> = aw
        .intersection(&pw)
        .filter(|w| is_distinctive(w) && **w != provider_word)
        .cloned()
        .collect();
    let alert_places = places(alert);
    let post_places = places(post);
    let mut shared_places: Vec<String> = Vec::new();
    let mut namings: Vec<String> = Vec::new();
    for p in &post_places {
        let Some(a) = alert_places.iter().find(|a| a.region == p.region) else {
            continue;
        };
        // As the alert says it when that is a place's name (`Sydney`), else as the post does.
        let named = if crate::places::is_place_name(&a.named) {
            a.named.clone()
        } else {
            p.named.clone()
        };
        namings.extend([a.named.to_lowercase(), p.named.to_lowercase()]);
        if !shared_places.contains(&named) {
            shared_places.push(named);
        }
    }
    // A place both name is counted once, as a place.
    let words: Vec<String> = shared
        .into_iter()
        .filter(|w| {
            !namings
                .iter()
                .any(|n| n.split_whitespace().any(|p| fold(p) == **w))
        })
        .collect();
    let fams: Vec<String> = families(alert, &aw)
        .intersection(&families(post, &pw))
        .map(|f| (*f).to_owned())
        .collect();
    let same_vendor = provider_word.len() >= 3
        && provider_word != "aws"
        && crate::words::link_hosts(alert)
            .iter()
            .any(|h| h.contains(&provider_word));
    Overlap {
        words,
        places: shared_places,
        families: fams,
        same_vendor,
    }
}
