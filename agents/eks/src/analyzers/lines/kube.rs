//! Lines about the cluster's own API: a request to kube-apiserver that gets no timely answer,
//! or a controller losing its leader-election lease, is the control plane failing its clients
//! (`control_plane`), not a dependency of theirs.

use regex::Regex;
use sremesh_core::signals::{self, Signature};
use std::sync::LazyLock;

/// A request to the Kubernetes API (the in-cluster `kubernetes` Service or an API path under
/// `/api/v1/…` or `/apis/<group>/<version>/…`), and the API server's own timeout answers.
static KUBE_API: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)https://kubernetes\.default\b|https://[^\s/"']+/(?:api/v1|apis/[a-z0-9.-]+/v\d+(?:(?:alpha|beta)\d+)?)/(?:namespaces|nodes|leases|pods|services|endpoints|endpointslices|events|configmaps|secrets|customresourcedefinitions|watch)\b|the server was unable to return a response in the time allotted|timeout: request did not complete within requested timeout"#,
    )
    .expect("static regex")
});
/// A controller losing its leader-election lease (it could not renew it through the API).
static LEASE_LOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)leader ?election lost|failed to renew lease|lost (?:the )?lease")
        .expect("static regex")
});
/// Signatures of a request that got no timely answer.
const NO_ANSWER: &[&str] = &[
    "timeout",
    "unreachable",
    "connection_refused",
    "connection_reset",
];

/// True when the line is about the cluster's own API (a request to it, or its answer).
pub fn kube_api(text: &str) -> bool {
    KUBE_API.is_match(text)
}

/// The signature of a line (`sremesh_core::signals`), except that a request to the Kubernetes
/// API that gets no timely answer — and a controller losing its leader lease — is the control
/// plane failing its clients, not a dependency of theirs.
pub fn classify(text: &str) -> Option<&'static Signature> {
    let control = || signals::signature("control_plane");
    match signals::classify(text) {
        Some(sig) if NO_ANSWER.contains(&sig.id) && kube_api(text) => control().or(Some(sig)),
        None if LEASE_LOST.is_match(text) => control(),
        other => other,
    }
}
