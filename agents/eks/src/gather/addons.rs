//! The cluster's critical add-ons (kube-system: metrics-server, CoreDNS, the VPC CNI, kube-proxy,
//! the EBS/EFS CSI drivers, the cluster autoscaler): their pods and kube-system's warning events,
//! read beside the target because a broken add-on breaks the workloads that depend on it.

use super::{Acc, Budget};
use crate::analyzers::addons::addon_of;
use crate::client::Kube;
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::ListParams;

/// The namespace the add-ons live in.
pub(super) const NAMESPACE: &str = "kube-system";

/// The add-on pods and the warning events about kube-system objects.
pub(super) async fn read(kube: &Kube, b: Budget, acc: &mut Acc) -> (Vec<Pod>, Vec<Event>) {
    let pods_lp = ListParams::default().limit(500);
    let warn = ListParams::default().fields("type=Warning").limit(500);
    let (pods, events) = tokio::join!(
        kube.list::<Pod>(Some(NAMESPACE), &pods_lp, b.left()),
        kube.list::<Event>(Some(NAMESPACE), &warn, b.left()),
    );
    let pods: Vec<Pod> = acc
        .take(pods)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| addon_of(p).is_some())
        .collect();
    acc.scanned.push(format!("add-on pods in {NAMESPACE}"));
    let events = acc.take(events).unwrap_or_default();
    (pods, events)
}
