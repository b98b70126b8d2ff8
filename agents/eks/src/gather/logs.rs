//! Container logs worth reading — unhealthy pods first (restarted, not Ready, failed), a few
//! healthy ones for comparison — current and previous instances, tail-capped, concurrently.

use super::{Acc, Budget, Limits};
use crate::analyzers::{ContainerLog, facts};
use crate::client::{Kube, KubeError};
use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;

/// Reads logs for the pods most worth reading: unhealthy first (restarted, not Ready, failed),
/// then `healthy` Ready ones for comparison; finished (Succeeded) pods last.
pub(super) async fn read_logs(
    kube: &Kube,
    pods: &[Pod],
    limits: Limits,
    healthy: usize,
    b: Budget,
    acc: &mut Acc,
) -> Vec<ContainerLog> {
    let fine = |p: &Pod| {
        facts::phase(p) == "Succeeded" || (facts::pod_ready(p) && facts::restarts(p) == 0)
    };
    let mut ranked: Vec<&Pod> = pods
        .iter()
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some())
        .collect();
    ranked.sort_by_key(|p| {
        (
            facts::phase(p) == "Succeeded",
            fine(p),
            std::cmp::Reverse(facts::restarts(p)),
        )
    });
    let unhealthy = ranked.iter().filter(|p| !fine(p)).count();
    let take = (unhealthy + healthy).min(limits.log_pods);
    let mut jobs: Vec<(String, String, String, bool)> = Vec::new();
    for p in ranked.into_iter().take(take) {
        for c in facts::statuses(p) {
            let waiting_to_start = facts::waiting(c)
                .is_some_and(|(r, _)| r != "CrashLoopBackOff" && r != "RunContainerError");
            if !waiting_to_start {
                jobs.push((
                    facts::pod_ns(p).to_owned(),
                    facts::pod_name(p).to_owned(),
                    c.name.clone(),
                    false,
                ));
            }
            let ended_before = c
                .last_state
                .as_ref()
                .is_some_and(|s| s.terminated.is_some());
            if c.restart_count > 0 || ended_before {
                jobs.push((
                    facts::pod_ns(p).to_owned(),
                    facts::pod_name(p).to_owned(),
                    c.name.clone(),
                    true,
                ));
            }
        }
    }
    let results: Vec<_> =
        futures::stream::iter(jobs.into_iter().map(|(ns, pod, c, prev)| async move {
            let r = kube
                .logs(&ns, &pod, &c, prev, limits.log_tail, b.left())
                .await;
            (ns, pod, c, prev, r)
        }))
        .buffer_unordered(limits.concurrency.max(1))
        .collect()
        .await;
    let mut out = Vec::new();
    for (ns, pod, c, prev, r) in results {
        let suffix = if prev { " (previous)" } else { "" };
        match r {
            Ok(text) => {
                acc.scanned.push(format!("logs/{ns}/{pod}/{c}{suffix}"));
                out.push(ContainerLog::parse(&ns, &pod, &c, prev, &text));
            }
            // No previous instance, or a container that never started: nothing to read.
            Err(KubeError::Api { code: 400, .. }) | Err(KubeError::NotFound { .. }) => {}
            Err(e) => acc.errors.push(e),
        }
    }
    out.sort_by(|a, b| (&a.pod, &a.container, a.previous).cmp(&(&b.pod, &b.container, b.previous)));
    out
}
