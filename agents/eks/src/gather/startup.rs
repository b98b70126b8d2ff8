//! What pods that cannot start point at: the VPC CNI (`aws-node`) pods on the nodes where the
//! target's pods fail `FailedCreatePodSandBox` (their log says why no address was given), and
//! the Karpenter NodeClaims the target's Pending pods were `Nominated` to (their `Launched`
//! condition says why no node came).

use super::{Acc, Budget, Limits, read_logs};
use crate::analyzers::{Scene, addons, capacity, facts};
use crate::client::Kube;
use futures::future::join_all;
use k8s_openapi::api::core::v1::Pod;
use kube::api::GroupVersionKind;

/// At most this many CNI pods' logs and NodeClaims are read.
const MAX: usize = 3;

/// Reads the CNI logs and NodeClaims into `scene` (its pods, events and add-ons are in).
pub(super) async fn read(kube: &Kube, scene: &mut Scene, acc: &mut Acc, limits: Limits, b: Budget) {
    let pod_events = |reason: &'static str| {
        scene.events.iter().filter(move |e| {
            facts::event_reason(e) == reason && e.involved_object.kind.as_deref() == Some("Pod")
        })
    };
    let sandbox_nodes: Vec<String> = pod_events("FailedCreatePodSandBox")
        .filter_map(|e| {
            let name = e.involved_object.name.as_deref()?;
            scene
                .pods
                .iter()
                .find(|p| facts::pod_name(p) == name)
                .and_then(|p| p.spec.as_ref()?.node_name.clone())
        })
        .collect();
    let cni: Vec<Pod> = scene
        .addon_pods
        .iter()
        .filter(|p| addons::addon_of(p) == Some("aws-node"))
        .filter(|p| {
            p.spec
                .as_ref()
                .and_then(|s| s.node_name.as_ref())
                .is_some_and(|n| sandbox_nodes.contains(n))
        })
        .filter(|p| !scene.logs.iter().any(|l| l.pod == facts::pod_name(p)))
        .take(MAX)
        .cloned()
        .collect();
    let mut claims: Vec<String> = pod_events("Nominated")
        .filter(|e| {
            let name = e.involved_object.name.as_deref().unwrap_or_default();
            scene
                .pods
                .iter()
                .any(|p| facts::pod_name(p) == name && facts::phase(p) == "Pending")
        })
        .filter_map(|e| capacity::nominated_claim(facts::event_message(e)).map(str::to_owned))
        .collect();
    claims.sort();
    claims.dedup();
    claims.truncate(MAX);
    let gvk = GroupVersionKind::gvk("karpenter.sh", "v1", "NodeClaim");
    let (logs, got) = tokio::join!(
        read_logs(kube, &cni, limits, cni.len(), b, acc),
        join_all(
            claims
                .iter()
                .map(|c| kube.get_dynamic(&gvk, "nodeclaims", c, b.left()))
        ),
    );
    scene.logs.extend(logs);
    for (name, r) in claims.iter().zip(got) {
        if let Some(Some(c)) = acc.take(r) {
            acc.scanned.push(format!("nodeclaim/{name}"));
            scene.node_claims.push(c);
        }
    }
}
