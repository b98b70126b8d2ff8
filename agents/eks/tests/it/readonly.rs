//! The read-only guard on the agent's real client: writes are refused inside the process (the
//! error is the guard's, not the API server's), reads pass.

use crate::common::*;
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use sremesh_eks::client::{self, ReadOnlyViolation};
use std::time::Duration;

fn refused(e: kube::Error, method: &str) {
    let kube::Error::Service(inner) = e else {
        panic!("{method}: expected the guard's error, got {e:?}");
    };
    let v = inner
        .downcast_ref::<ReadOnlyViolation>()
        .unwrap_or_else(|| panic!("{method}: not a ReadOnlyViolation: {inner}"));
    assert_eq!(v.method, method);
}

#[tokio::test]
async fn writes_never_leave_the_process() {
    let r = start(load("oom-recommendation-svc")).await;
    let kube = client::from_kubeconfig(
        &r.sandbox.endpoints().kubeconfig,
        None,
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    let pods: Api<Pod> = Api::namespaced(kube.raw().clone(), "recs");
    // A read passes.
    assert!(
        pods.get("recommendation-svc-6c9f7d5b8d-x7gr9")
            .await
            .is_ok()
    );
    refused(
        pods.delete(
            "recommendation-svc-6c9f7d5b8d-x7gr9",
            &DeleteParams::default(),
        )
        .await
        .unwrap_err(),
        "DELETE",
    );
    refused(
        pods.patch(
            "recommendation-svc-6c9f7d5b8d-x7gr9",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"metadata": {"labels": {"x": "y"}}})),
        )
        .await
        .unwrap_err(),
        "PATCH",
    );
    let cms: Api<ConfigMap> = Api::namespaced(kube.raw().clone(), "recs");
    refused(
        cms.create(&PostParams::default(), &ConfigMap::default())
            .await
            .unwrap_err(),
        "POST",
    );
    // The pod is still there and unchanged.
    let p = pods
        .get("recommendation-svc-6c9f7d5b8d-x7gr9")
        .await
        .unwrap();
    assert!(!p.metadata.labels.unwrap().contains_key("x"));
}
