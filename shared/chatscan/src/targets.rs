//! The alert's target words: the services, namespaces, clusters and resource ids a chat message
//! must name to be about this alert — read from Alertmanager labels and from the alert text
//! (label lists, Datadog tags, `ns/name` pairs, `namespace X`, names with `-`, `_` or `.`).
//! Generic words (`prod`, `warning`, `api`) and look-alikes (versions, regions, metric names,
//! URLs, `@handles`) are skipped.

mod extract;

use crate::names::{find_name, has_datastore_part, is_datastore_word, next_word, token_at};
use serde::Serialize;
use sremesh_core::AlertContext;

/// What a target word names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// A service, workload or function the alert is about (`payments-api`).
    Service,
    /// A resource id from the alert (`partner-orders`, `payments-webhook-handler-errors`).
    Resource,
    /// The alert's own name (`KubePodCrashLooping`, a CloudWatch alarm name).
    AlertName,
    /// The namespace, or the product stem of a service name (`payments` of `payments-api`).
    Scope,
    /// The cluster.
    Cluster,
}

/// One target word.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Target {
    pub name: String,
    pub kind: TargetKind,
}

/// How closely a message is about the alert, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    /// Names the service, a resource or the alert itself (or their objects: pods, config).
    Direct,
    /// Names a datastore or queue of the alert's namespace or product (`orders-db`,
    /// `orders rabbitmq`).
    Dependency,
    /// Names the namespace or product as a bare word (`cart`, `geo lookups`).
    Scope,
    /// Names another workload of the same namespace or product (`search-indexer` for
    /// `search-api`).
    Sibling,
    /// Names only the cluster.
    Cluster,
}

/// Where a message names a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub target: Target,
    pub strength: Strength,
    /// The thing the message names: the service for direct hits, else the token around the
    /// target word (`orders-rabbitmq`, `orders db`).
    pub subject: String,
}

impl Hit {
    /// The `service` a finding built on this hit carries: the alerted service for direct
    /// hits on a service, the named dependency for dependency hits, none otherwise (so that a
    /// bare namespace word never joins the finding to a service).
    pub fn service(&self) -> Option<String> {
        match (self.strength, self.target.kind) {
            (Strength::Direct, TargetKind::Service) => Some(self.target.name.clone()),
            (Strength::Dependency, _) if !self.subject.contains(' ') => Some(self.subject.clone()),
            _ => None,
        }
    }
}

/// Every target word of one alert.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Targets {
    list: Vec<Target>,
    /// Releases the alert names (`web-bff@1.4.2`): (version without `v`, service).
    releases: Vec<(String, String)>,
    /// The alert text's distinctive words (`internal/discount/bundle.go` → `discount`,
    /// `bundle`), for names that are no target (a flag's key).
    words: Vec<String>,
}

/// `web-bff@1.4.2`, `orders-api@v4.18.2`: a service's release.
static RELEASE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?i)\b([a-z][a-z0-9_.-]*[a-z0-9])@v?(\d+\.\d+(?:\.\d+)*)\b")
        .expect("static regex")
});

/// A version without its `v` (`v1.4.3` → `1.4.3`), for comparing.
pub fn bare_version(v: &str) -> &str {
    v.strip_prefix(['v', 'V']).unwrap_or(v)
}

impl Targets {
    /// The targets of an alert: its labels, then its text.
    pub fn from_alert(ctx: &AlertContext) -> Self {
        let mut t = Self::default();
        for (k, v) in &ctx.labels {
            extract::keyed(&mut t, k, v);
        }
        extract::from_text(&mut t, &ctx.alert_text);
        for c in RELEASE.captures_iter(&ctx.alert_text) {
            let (service, version) = (&c[1], &c[2]);
            let named = t.list.iter().any(|x| {
                matches!(x.kind, TargetKind::Service | TargetKind::Resource)
                    && x.name.eq_ignore_ascii_case(service)
            });
            if named {
                t.releases.push((version.to_owned(), service.to_owned()));
            }
        }
        t.add_stems();
        for w in crate::words::words(&ctx.alert_text, false) {
            if crate::words::is_distinctive(&w) && !t.words.contains(&w) {
                t.words.push(w);
            }
        }
        t
    }

    /// True when the alert text names what `key` names (a flag key, `bundle_discounts_v2`):
    /// two of its distinctive words, or its only one, are words of the alert (`bundle` and
    /// `discount` of `internal/discount/bundle.go in applyBundle`).
    pub fn alert_names_key(&self, key: &str) -> bool {
        let mut own: Vec<String> = crate::words::words(key, false)
            .into_iter()
            .filter(|w| crate::words::is_distinctive(w) && w.chars().count() >= 4)
            .collect();
        own.dedup();
        let shared = own.iter().filter(|w| self.words.contains(w)).count();
        !own.is_empty() && shared >= own.len().min(2)
    }

    /// The hit a bare version makes when the alert names it as a release of one of its
    /// services (`1.4.2` of `web-bff@1.4.2`).
    pub fn release_hit(&self, version: &str) -> Option<Hit> {
        let v = bare_version(version);
        let (_, service) = self.releases.iter().find(|(r, _)| r == v)?;
        let target = self.list.iter().find(|t| {
            matches!(t.kind, TargetKind::Service | TargetKind::Resource)
                && t.name.eq_ignore_ascii_case(service)
        })?;
        Some(Hit {
            target: target.clone(),
            strength: Strength::Direct,
            subject: target.name.clone(),
        })
    }

    /// Targets named explicitly (a tool's `query`): each word is a service name.
    pub fn from_terms<S: AsRef<str>>(terms: &[S]) -> Self {
        let mut t = Self::default();
        for term in terms {
            for w in term
                .as_ref()
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|w| !w.is_empty())
            {
                t.add(w, TargetKind::Service);
            }
        }
        t.add_stems();
        t
    }

    /// Adds every target of `other`.
    pub fn extend(&mut self, other: Targets) {
        for x in other.list {
            self.add(&x.name, x.kind);
        }
    }

    /// The targets, strongest kinds first.
    pub fn list(&self) -> &[Target] {
        &self.list
    }

    /// True when there is nothing to look for.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The names of one kind.
    pub fn names(&self, kind: TargetKind) -> Vec<&str> {
        self.list
            .iter()
            .filter(|t| t.kind == kind)
            .map(|t| t.name.as_str())
            .collect()
    }

    /// The service the alert is about (what a summary calls its subject): the longest
    /// hyphenated service name, else the first service, else any non-cluster target.
    pub fn primary(&self) -> Option<&str> {
        let services = || self.list.iter().filter(|t| t.kind == TargetKind::Service);
        services()
            .filter(|t| t.name.contains('-'))
            .max_by_key(|t| t.name.len())
            .or_else(|| services().next())
            .or_else(|| self.list.iter().find(|t| t.kind != TargetKind::Cluster))
            .map(|t| t.name.as_str())
    }

    /// Adds a target unless it is generic, too short or already there (a name keeps its
    /// strongest kind).
    pub fn add(&mut self, name: &str, kind: TargetKind) {
        let name = name.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        if !extract::is_useful(name, kind) {
            return;
        }
        if let Some(existing) = self
            .list
            .iter_mut()
            .find(|t| t.name.eq_ignore_ascii_case(name))
        {
            existing.kind = existing.kind.min(kind);
        } else {
            self.list.push(Target {
                name: name.to_owned(),
                kind,
            });
        }
        self.list.sort_by_key(|t| t.kind);
    }

    /// Product stems of service names (`payments` of `payments-api`) as scope words.
    fn add_stems(&mut self) {
        let stems: Vec<String> = self
            .list
            .iter()
            .filter(|t| t.kind == TargetKind::Service)
            .filter_map(|t| extract::stem(&t.name))
            .collect();
        for s in stems {
            self.add(&s, TargetKind::Scope);
        }
    }

    /// The strongest place where `text` names a target, if any.
    pub fn best_hit(&self, text: &str) -> Option<Hit> {
        let mut best: Option<Hit> = None;
        for t in &self.list {
            for (start, end) in find_name(text, &t.name) {
                let hit = classify(t, text, start, end);
                if best.as_ref().is_none_or(|b| hit.strength < b.strength) {
                    best = Some(hit);
                }
            }
            if best
                .as_ref()
                .is_some_and(|b| b.strength == Strength::Direct)
            {
                break;
            }
        }
        best
    }
}

fn classify(t: &Target, text: &str, start: usize, end: usize) -> Hit {
    let token = token_at(text, start, end);
    let exact = token.eq_ignore_ascii_case(&t.name);
    let (strength, subject) = match t.kind {
        TargetKind::Service | TargetKind::Resource | TargetKind::AlertName => {
            (Strength::Direct, t.name.clone())
        }
        TargetKind::Cluster => (Strength::Cluster, t.name.clone()),
        TargetKind::Scope if exact => {
            let next = next_word(text, end);
            if is_datastore_word(&next) {
                (Strength::Dependency, format!("{} {next}", t.name))
            } else {
                (Strength::Scope, t.name.clone())
            }
        }
        TargetKind::Scope if has_datastore_part(token) => {
            (Strength::Dependency, token.to_ascii_lowercase())
        }
        TargetKind::Scope => (Strength::Sibling, token.to_ascii_lowercase()),
    };
    Hit {
        target: t.clone(),
        strength,
        subject,
    }
}
