//! Cluster-wide objects a single workload's view misses: PodDisruptionBudgets (what blocks a
//! drain) and every CronJob (the same job scheduled twice), and — for CronJobs scheduled twice —
//! the pods of their active runs and those pods' logs. A kind the API server does not serve
//! (404) is simply absent.

use super::logs::read_logs;
use super::{Acc, Budget, Limits};
use crate::analyzers::{Mode, Scene, duplicates, facts};
use crate::client::{Kube, KubeError};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::CronJob;
use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::api::ListParams;

/// Active runs whose pods are read, at most.
const RUNS: usize = 4;

fn keep<T>(acc: &mut Acc, r: Result<Vec<T>, KubeError>) -> Vec<T> {
    match r {
        Err(KubeError::NotFound { .. }) => Vec::new(),
        r => acc.take(r).unwrap_or_default(),
    }
}

/// Reads PodDisruptionBudgets and CronJobs in every namespace into the scene — and, in a
/// cluster-wide look (which reads no namespace's objects), the HorizontalPodAutoscalers.
pub(super) async fn read(kube: &Kube, scene: &mut Scene, acc: &mut Acc, b: Budget) {
    let lp = ListParams::default().limit(500);
    let triage = scene.mode != Mode::Target;
    let (pdbs, crons, hpas) = tokio::join!(
        kube.list::<PodDisruptionBudget>(None, &lp, b.left()),
        kube.list::<CronJob>(None, &lp, b.left()),
        async {
            if triage {
                kube.list::<HorizontalPodAutoscaler>(None, &lp, b.left())
                    .await
            } else {
                Ok(Vec::new())
            }
        },
    );
    scene.pdbs = keep(acc, pdbs);
    scene.peer_cronjobs = keep(acc, crons);
    if triage {
        scene.hpas = keep(acc, hpas);
    }
    if !scene.pdbs.is_empty() {
        acc.scanned
            .push("poddisruptionbudgets (all namespaces)".into());
    }
    if !scene.peer_cronjobs.is_empty() {
        acc.scanned.push("cronjobs (all namespaces)".into());
    }
}

/// Pods on cordoned nodes that were not picked: what a drain still has to evict.
pub(super) fn on_cordoned(nodes: &[Node], all: &[Pod], picked: &[Pod]) -> Vec<Pod> {
    let cordoned: Vec<&str> = nodes
        .iter()
        .filter(|n| n.spec.as_ref().and_then(|sp| sp.unschedulable) == Some(true))
        .map(facts::node_name)
        .collect();
    all.iter()
        .filter(|p| {
            p.spec
                .as_ref()
                .and_then(|sp| sp.node_name.as_deref())
                .is_some_and(|n| cordoned.contains(&n))
                && !picked
                    .iter()
                    .any(|x| facts::pod_key(x) == facts::pod_key(p))
        })
        .cloned()
        .collect()
}

/// For CronJobs scheduled twice: the pods of their active runs and those pods' logs.
pub(super) async fn duplicate_runs(
    kube: &Kube,
    scene: &mut Scene,
    acc: &mut Acc,
    limits: Limits,
    b: Budget,
) {
    let runs: Vec<(String, String)> = duplicates::duplicate_groups(&scene.peer_cronjobs)
        .into_iter()
        .flatten()
        .flat_map(|c| {
            let ns = c.metadata.namespace.clone().unwrap_or_default();
            c.status
                .as_ref()
                .and_then(|st| st.active.clone())
                .unwrap_or_default()
                .into_iter()
                .filter_map(move |r| Some((ns.clone(), r.name?)))
        })
        .take(RUNS)
        .collect();
    if runs.is_empty() {
        return;
    }
    let lists = futures::future::join_all(runs.iter().map(|(ns, job)| {
        let lp = ListParams::default()
            .labels(&format!("job-name={job}"))
            .limit(limits.pods);
        async move { kube.list::<Pod>(Some(ns), &lp, b.left()).await }
    }))
    .await;
    let pods: Vec<Pod> = lists
        .into_iter()
        .flat_map(|l| acc.take(l).unwrap_or_default())
        .collect();
    let unread: Vec<Pod> = pods
        .iter()
        .filter(|p| {
            !scene
                .logs
                .iter()
                .any(|l| l.namespace == facts::pod_ns(p) && l.pod == facts::pod_name(p))
        })
        .cloned()
        .collect();
    let lim = Limits {
        log_pods: RUNS,
        ..limits
    };
    let logs = read_logs(kube, &unread, lim, RUNS, b, acc).await;
    scene.logs.extend(logs);
    scene.cron_pods = pods;
}
