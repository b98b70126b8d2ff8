//! The traffic path around the target's pods, per namespace: EndpointSlices (what a Service
//! actually routes to), Ingresses (what routes to the Service) and NetworkPolicies (what the
//! pods may reach). A kind the API server does not serve (404) is simply absent.

use super::{Acc, Budget};
use crate::client::{Kube, KubeError};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use kube::api::ListParams;

/// What was read in one namespace.
#[derive(Debug, Default)]
pub(super) struct Network {
    pub slices: Vec<EndpointSlice>,
    pub ingresses: Vec<Ingress>,
    pub policies: Vec<NetworkPolicy>,
}

fn keep<T>(acc: &mut Acc, r: Result<Vec<T>, KubeError>) -> Vec<T> {
    match r {
        // An older or trimmed API server without the kind: nothing to say about it.
        Err(KubeError::NotFound { .. }) => Vec::new(),
        r => acc.take(r).unwrap_or_default(),
    }
}

/// Reads the namespace's EndpointSlices, Ingresses and NetworkPolicies concurrently.
pub(super) async fn read(kube: &Kube, ns: &str, b: Budget, acc: &mut Acc) -> Network {
    let lp = ListParams::default().limit(500);
    let (slices, ingresses, policies) = tokio::join!(
        kube.list::<EndpointSlice>(Some(ns), &lp, b.left()),
        kube.list::<Ingress>(Some(ns), &lp, b.left()),
        kube.list::<NetworkPolicy>(Some(ns), &lp, b.left()),
    );
    let n = Network {
        slices: keep(acc, slices),
        ingresses: keep(acc, ingresses),
        policies: keep(acc, policies),
    };
    if !n.policies.is_empty() {
        acc.scanned.push(format!("networkpolicies/{ns}"));
    }
    n
}
