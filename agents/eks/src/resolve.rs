//! From what the alert says ([`AlertTarget`]) to the workloads to investigate: pods named are
//! looked up and walked to their owner, workloads are found by kind and name, and names from
//! labels or free text are matched (whole names) against Deployments, StatefulSets, DaemonSets,
//! their `app` labels and Services. Nothing matched means a cluster-wide triage.

use crate::analyzers::{Mode, facts};
use crate::client::{Kube, KubeError};
use crate::gather::Budget;
use crate::target::{AlertTarget, Kind, Named, cronjob_of_job, deployment_of_pod};
use futures::future::join_all;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::ListParams;
use regex::Regex;
use std::sync::LazyLock;

/// The name the AWS Load Balancer Controller gives an Ingress's ALB:
/// `k8s-<namespace, 8 alphanumerics>-<ingress, 8>-<10 hex>` (`k8s-orders-ordersap-4c1f2e9a7b`).
static ALB_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bk8s-([a-z0-9]{1,8})-([a-z0-9]{1,8})-[0-9a-f]{10}\b").expect("static regex")
});

/// `(namespace prefix, ingress prefix)` of every ALB name in `text`.
pub fn alb_names(text: &str) -> Vec<(String, String)> {
    ALB_NAME
        .captures_iter(text)
        .map(|c| (c[1].to_owned(), c[2].to_owned()))
        .collect()
}

/// A name as the controller shortens it: alphanumerics only, at most 8.
fn short(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect()
}

/// Workloads behind the Ingresses whose load balancer the alert names: the catalog entries named
/// like (or labelled `app=`) one of the Ingress's backend Services, in its namespace.
async fn by_load_balancer(
    kube: &Kube,
    parsed: &AlertTarget,
    cat: &[(Kind, String, String, Option<String>)],
    b: Budget,
) -> (Vec<UnitRef>, Vec<KubeError>) {
    let texts = parsed
        .words
        .iter()
        .chain(parsed.qualified.iter().map(|q| &q.name))
        .chain(parsed.qualified.iter().filter_map(|q| q.namespace.as_ref()))
        .chain(parsed.services.iter().map(|s| &s.name));
    let mut lbs: Vec<(String, String)> = texts.flat_map(|t| alb_names(t)).collect();
    lbs.dedup();
    let mut out = Vec::new();
    if lbs.is_empty() {
        return (out, Vec::new());
    }
    let ings = match kube
        .list::<Ingress>(None, &ListParams::default().limit(500), b.left())
        .await
    {
        Ok(i) => i,
        Err(e) => return (out, vec![e]),
    };
    for ing in &ings {
        let ns = ing.metadata.namespace.clone().unwrap_or_default();
        let name = ing.metadata.name.as_deref().unwrap_or("");
        if !lbs
            .iter()
            .any(|(n, i)| *n == short(&ns) && *i == short(name))
        {
            continue;
        }
        let spec = ing.spec.as_ref();
        let svcs = spec
            .into_iter()
            .flat_map(|s| s.rules.iter().flatten())
            .filter_map(|r| r.http.as_ref())
            .flat_map(|h| &h.paths)
            .map(|p| &p.backend)
            .chain(spec.and_then(|s| s.default_backend.as_ref()))
            .filter_map(|bk| bk.service.as_ref().map(|s| s.name.clone()));
        for svc in svcs {
            for (kind, cns, cname, app) in cat {
                if *cns == ns && (*cname == svc || app.as_deref() == Some(svc.as_str())) {
                    push(
                        &mut out,
                        UnitRef {
                            kind: *kind,
                            namespace: ns.clone(),
                            name: cname.clone(),
                            via: format!("load balancer of Ingress {ns}/{name}"),
                        },
                    );
                }
            }
        }
    }
    (out, Vec::new())
}

/// A workload to investigate and how the alert led to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRef {
    pub kind: Kind,
    pub namespace: String,
    pub name: String,
    /// `pod label`, `word "checkout-api"` …
    pub via: String,
}

/// What to investigate.
#[derive(Debug, Clone)]
pub struct Target {
    pub mode: Mode,
    pub units: Vec<UnitRef>,
    pub parsed: AlertTarget,
}

/// At most this many workloads per investigation.
pub const MAX_UNITS: usize = 4;

fn push(units: &mut Vec<UnitRef>, u: UnitRef) {
    if !units
        .iter()
        .any(|x| x.kind == u.kind && x.namespace == u.namespace && x.name == u.name)
    {
        units.push(u);
    }
}

fn by_name(name: &str) -> ListParams {
    ListParams::default().fields(&format!("metadata.name={name}"))
}

/// Finds pods by name (in the alert's namespace when known, else anywhere).
async fn find_pod(kube: &Kube, p: &Named, b: Budget) -> Result<Option<Pod>, KubeError> {
    match &p.namespace {
        Some(ns) => kube.get::<Pod>(ns, &p.name, b.left()).await,
        None => Ok(kube
            .list::<Pod>(None, &by_name(&p.name), b.left())
            .await?
            .into_iter()
            .next()),
    }
}

/// Finds a workload of `kind` named `name` (in `ns`, else anywhere); returns its namespace.
async fn find_kind(
    kube: &Kube,
    kind: Kind,
    ns: Option<&str>,
    name: &str,
    b: Budget,
) -> Result<Option<String>, KubeError> {
    async fn one<K>(
        kube: &Kube,
        ns: Option<&str>,
        name: &str,
        b: Budget,
    ) -> Result<Option<String>, KubeError>
    where
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
            + Clone
            + serde::de::DeserializeOwned
            + std::fmt::Debug,
    {
        match ns {
            Some(ns) => Ok(kube
                .get::<K>(ns, name, b.left())
                .await?
                .map(|_| ns.to_owned())),
            None => Ok(kube
                .list::<K>(None, &by_name(name), b.left())
                .await?
                .into_iter()
                .next()
                .and_then(|o| o.meta().namespace.clone())),
        }
    }
    match kind {
        Kind::Deployment => one::<Deployment>(kube, ns, name, b).await,
        Kind::StatefulSet => one::<StatefulSet>(kube, ns, name, b).await,
        Kind::DaemonSet => one::<DaemonSet>(kube, ns, name, b).await,
        Kind::Job => one::<Job>(kube, ns, name, b).await,
        Kind::CronJob => one::<CronJob>(kube, ns, name, b).await,
        Kind::Pod => one::<Pod>(kube, ns, name, b).await,
    }
}

/// Names of the workloads in the alert's namespaces (or cluster-wide): (kind, ns, name, app label).
async fn catalog(
    kube: &Kube,
    namespaces: &[String],
    b: Budget,
) -> (Vec<(Kind, String, String, Option<String>)>, Vec<KubeError>) {
    let scopes: Vec<Option<&str>> = if namespaces.is_empty() {
        vec![None]
    } else {
        namespaces
            .iter()
            .take(3)
            .map(|n| Some(n.as_str()))
            .collect()
    };
    let lp = ListParams::default().limit(500);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for ns in scopes {
        let (d, st, ds, jobs, cjs) = tokio::join!(
            kube.list::<Deployment>(ns, &lp, b.left()),
            kube.list::<StatefulSet>(ns, &lp, b.left()),
            kube.list::<DaemonSet>(ns, &lp, b.left()),
            kube.list::<Job>(ns, &lp, b.left()),
            kube.list::<CronJob>(ns, &lp, b.left()),
        );
        let app = |m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
            m.labels
                .as_ref()
                .and_then(|l| l.get("app").or_else(|| l.get("app.kubernetes.io/name")))
                .cloned()
        };
        match d {
            Ok(items) => out.extend(items.iter().map(|o| {
                (
                    Kind::Deployment,
                    o.metadata.namespace.clone().unwrap_or_default(),
                    o.metadata.name.clone().unwrap_or_default(),
                    app(&o.metadata),
                )
            })),
            Err(e) => errors.push(e),
        }
        match st {
            Ok(items) => out.extend(items.iter().map(|o| {
                (
                    Kind::StatefulSet,
                    o.metadata.namespace.clone().unwrap_or_default(),
                    o.metadata.name.clone().unwrap_or_default(),
                    app(&o.metadata),
                )
            })),
            Err(e) => errors.push(e),
        }
        match ds {
            Ok(items) => out.extend(items.iter().map(|o| {
                (
                    Kind::DaemonSet,
                    o.metadata.namespace.clone().unwrap_or_default(),
                    o.metadata.name.clone().unwrap_or_default(),
                    app(&o.metadata),
                )
            })),
            Err(e) => errors.push(e),
        }
        // Jobs and CronJobs by name only: their `app` label is shared by every run.
        match jobs {
            Ok(items) => out.extend(items.iter().map(|o| {
                (
                    Kind::Job,
                    o.metadata.namespace.clone().unwrap_or_default(),
                    o.metadata.name.clone().unwrap_or_default(),
                    None,
                )
            })),
            Err(e) => errors.push(e),
        }
        match cjs {
            Ok(items) => out.extend(items.iter().map(|o| {
                (
                    Kind::CronJob,
                    o.metadata.namespace.clone().unwrap_or_default(),
                    o.metadata.name.clone().unwrap_or_default(),
                    None,
                )
            })),
            Err(e) => errors.push(e),
        }
    }
    (out, errors)
}

/// Resolves the alert's target against the cluster. Errors met on the way are returned beside
/// the target (a timeout leaves a partial answer, not a wrong one).
pub async fn resolve(kube: &Kube, parsed: AlertTarget, b: Budget) -> (Target, Vec<KubeError>) {
    let mut errors = Vec::new();
    let mut units: Vec<UnitRef> = Vec::new();
    if parsed.is_heartbeat() {
        return (
            Target {
                mode: Mode::Heartbeat,
                units,
                parsed,
            },
            errors,
        );
    }

    // 1. Pods named: walk to their owner. A pod that is gone still names its Deployment.
    let mut guessed: Vec<Named> = Vec::new();
    let pods: Vec<&Named> = parsed.pods.iter().take(MAX_UNITS).collect();
    for (p, r) in pods
        .iter()
        .zip(join_all(pods.iter().map(|p| find_pod(kube, p, b))).await)
    {
        match r {
            Ok(Some(pod)) => {
                let (kind, name) = facts::owner_unit(&pod);
                push(
                    &mut units,
                    UnitRef {
                        kind,
                        namespace: facts::pod_ns(&pod).to_owned(),
                        name,
                        via: format!("pod {}", p.name),
                    },
                );
            }
            Ok(None) => {
                if let Some(d) = deployment_of_pod(&p.name) {
                    guessed.push(Named {
                        kind: Some(Kind::Deployment),
                        namespace: p.namespace.clone(),
                        name: d.to_owned(),
                    });
                }
            }
            Err(e) => errors.push(e),
        }
    }

    // 2. Workloads named with a kind, and `ns/name` tokens (any kind).
    let mut wanted: Vec<(Kind, Option<String>, String, String)> = Vec::new();
    for w in parsed.workloads.iter().chain(&guessed) {
        let ns = w
            .namespace
            .clone()
            .or_else(|| parsed.namespaces.first().cloned());
        wanted.push((
            w.kind.unwrap_or(Kind::Deployment),
            ns,
            w.name.clone(),
            format!("{} {}", w.kind.map_or("workload", Kind::as_str), w.name),
        ));
    }
    if units.is_empty() {
        for q in &parsed.qualified {
            for k in [Kind::Deployment, Kind::StatefulSet, Kind::DaemonSet] {
                wanted.push((
                    k,
                    q.namespace.clone(),
                    q.name.clone(),
                    format!("{}/{}", q.namespace.as_deref().unwrap_or(""), q.name),
                ));
            }
        }
    }
    let found = join_all(
        wanted
            .iter()
            .map(|(k, ns, name, _)| find_kind(kube, *k, ns.as_deref(), name, b)),
    )
    .await;
    // A CronJob's Job that is gone (history limits, TTL) still names its CronJob.
    let mut gone_jobs: Vec<(Option<String>, String, String)> = Vec::new();
    for ((kind, ns, name, via), r) in wanted.into_iter().zip(found) {
        match r {
            Ok(Some(ns)) => push(
                &mut units,
                UnitRef {
                    kind,
                    namespace: ns,
                    name,
                    via,
                },
            ),
            Ok(None) => {
                if kind == Kind::Job
                    && let Some(cj) = cronjob_of_job(&name)
                {
                    gone_jobs.push((ns, cj.to_owned(), format!("job {name} (gone)")));
                }
            }
            Err(e) => errors.push(e),
        }
    }
    if units.is_empty() && !gone_jobs.is_empty() {
        let found = join_all(
            gone_jobs
                .iter()
                .map(|(ns, name, _)| find_kind(kube, Kind::CronJob, ns.as_deref(), name, b)),
        )
        .await;
        for ((_, name, via), r) in gone_jobs.into_iter().zip(found) {
            match r {
                Ok(Some(ns)) => push(
                    &mut units,
                    UnitRef {
                        kind: Kind::CronJob,
                        namespace: ns,
                        name,
                        via,
                    },
                ),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
    }
    if !units.is_empty() {
        units.truncate(MAX_UNITS);
        return (
            Target {
                mode: Mode::Target,
                units,
                parsed,
            },
            errors,
        );
    }

    // 3. Names from labels (service=, app=, container=) then free text, against workload names,
    //    their app labels, and Services.
    let (cat, errs) = catalog(kube, &parsed.namespaces, b).await;
    errors.extend(errs);
    let candidates: Vec<(String, String)> = parsed
        .services
        .iter()
        .map(|s| (s.name.clone(), format!("label {}", s.name)))
        .chain(parsed.qualified.iter().map(|q| {
            (
                q.name.clone(),
                format!("{}/{}", q.namespace.as_deref().unwrap_or(""), q.name),
            )
        }))
        .chain(
            parsed
                .words
                .iter()
                .chain(&parsed.rule_prefixes)
                .map(|w| (w.clone(), format!("word \"{w}\""))),
        )
        .collect();
    let mut word_hits: Vec<UnitRef> = Vec::new();
    for (cand, via) in &candidates {
        for (kind, ns, name, app) in &cat {
            if name == cand || app.as_deref() == Some(cand.as_str()) {
                let u = UnitRef {
                    kind: *kind,
                    namespace: ns.clone(),
                    name: name.clone(),
                    via: via.clone(),
                };
                if via.starts_with("word") {
                    push(&mut word_hits, u);
                } else {
                    push(&mut units, u);
                }
            }
        }
    }
    if units.is_empty() {
        // More specific (longer) names first; the alert's namespaces first.
        word_hits.sort_by_key(|u| {
            (
                !parsed.namespaces.contains(&u.namespace),
                std::cmp::Reverse(u.name.len()),
            )
        });
        units = word_hits;
    }
    if units.is_empty() {
        // An AWS load balancer's name: the workloads its Ingress routes to.
        let (hits, errs) = by_load_balancer(kube, &parsed, &cat, b).await;
        errors.extend(errs);
        units.extend(hits);
    }
    if units.is_empty() {
        // A Service by that name: its pods' owners.
        let names: Vec<&str> = parsed.services.iter().map(|s| s.name.as_str()).collect();
        for ns in parsed.namespaces.iter().take(2) {
            match kube
                .list::<Service>(Some(ns), &ListParams::default().limit(500), b.left())
                .await
            {
                Ok(svcs) => {
                    for svc in svcs.iter().filter(|s| {
                        s.metadata
                            .name
                            .as_deref()
                            .is_some_and(|n| names.contains(&n))
                    }) {
                        let Some(sel) = svc
                            .spec
                            .as_ref()
                            .and_then(|sp| sp.selector.as_ref())
                            .filter(|s| !s.is_empty())
                        else {
                            continue;
                        };
                        let selector: Vec<String> =
                            sel.iter().map(|(k, v)| format!("{k}={v}")).collect();
                        match kube
                            .list::<Pod>(
                                Some(ns),
                                &ListParams::default().labels(&selector.join(",")).limit(50),
                                b.left(),
                            )
                            .await
                        {
                            Ok(pods) => {
                                for p in &pods {
                                    let (kind, name) = facts::owner_unit(p);
                                    push(
                                        &mut units,
                                        UnitRef {
                                            kind,
                                            namespace: ns.clone(),
                                            name,
                                            via: format!(
                                                "service {}",
                                                svc.metadata.name.as_deref().unwrap_or("")
                                            ),
                                        },
                                    );
                                }
                            }
                            Err(e) => errors.push(e),
                        }
                    }
                }
                Err(e) => errors.push(e),
            }
        }
    }
    units.truncate(MAX_UNITS);
    let mode = if units.is_empty() {
        Mode::Triage
    } else {
        Mode::Target
    };
    (
        Target {
            mode,
            units,
            parsed,
        },
        errors,
    )
}
