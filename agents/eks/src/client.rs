//! The Kubernetes client: built from a kubeconfig, the in-cluster service account, or an EKS
//! cluster name (DescribeCluster + an STS-presigned token); strictly read-only (a tower layer
//! refuses anything but GET/HEAD) and every call under an explicit timeout.

mod eks_auth;
mod readonly;

pub use eks_auth::{
    BearerToken, EksTokenLayer, PRESIGN_EXPIRY, REFRESH_AFTER, TOKEN_PREFIX, TokenError,
    TokenSource, presign_token,
};
pub use readonly::{ReadOnly, ReadOnlyLayer, ReadOnlyViolation};

use k8s_openapi::NamespaceResourceScope;
use kube::api::{Api, ListParams, LogParams};
use kube::client::ClientBuilder;
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Where the cluster is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterSource {
    /// A kubeconfig file (its current context, or `context`).
    Kubeconfig {
        path: PathBuf,
        context: Option<String>,
    },
    /// The pod's service account (running inside the cluster).
    InCluster,
    /// An EKS cluster by name: endpoint and CA from DescribeCluster, token from STS.
    Eks {
        cluster: String,
        region: Option<String>,
    },
}

/// Why no client could be built. `NotConfigured` and `Config` are permanent (fix the
/// deployment); `Describe` may pass on a later attempt.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "no Kubernetes cluster configured: KUBECONFIG is not set, not running in a cluster, and EKS_CLUSTER_NAME is not set"
    )]
    NotConfigured,
    #[error("invalid Kubernetes client configuration: {0}")]
    Config(String),
    #[error("EKS DescribeCluster for '{cluster}' failed: {detail}")]
    Describe { cluster: String, detail: String },
}

impl ConnectError {
    /// True when retrying later could help.
    pub fn transient(&self) -> bool {
        matches!(self, ConnectError::Describe { .. })
    }
}

/// Why one API call failed; the message names the call.
#[derive(Debug, Clone, thiserror::Error)]
pub enum KubeError {
    /// The call ran out of time (slow API server, or the job's deadline): answer with what we have.
    #[error("{what}: timed out after {}ms", after.as_millis())]
    Timeout { what: String, after: Duration },
    /// No time was left for the call at all.
    #[error("{what}: skipped, the deadline was reached")]
    NoTime { what: String },
    #[error("{what}: not found")]
    NotFound { what: String },
    /// RBAC: the agent's identity lacks read access (AmazonEKSViewPolicy / a view ClusterRole).
    #[error("{what}: forbidden ({message}); grant the agent read access to the cluster")]
    Forbidden { what: String, message: String },
    /// Any other API error status.
    #[error("{what}: the API server answered {code} {reason}: {message}")]
    Api {
        what: String,
        code: u16,
        reason: String,
        message: String,
    },
    /// The answer was not the JSON it should be.
    #[error("{what}: the API server's answer could not be read ({detail})")]
    Malformed { what: String, detail: String },
    /// Connection, TLS or token problems.
    #[error("{what}: cannot reach the API server ({detail})")]
    Unreachable { what: String, detail: String },
    /// The read-only guard refused a write (a bug).
    #[error("{what}: {violation}")]
    ReadOnly {
        what: String,
        violation: ReadOnlyViolation,
    },
}

impl KubeError {
    /// True when the call was cut short by time (the answer is partial, not wrong).
    pub fn is_time(&self) -> bool {
        matches!(self, KubeError::Timeout { .. } | KubeError::NoTime { .. })
    }

    fn from_kube(what: &str, e: kube::Error) -> Self {
        let what = what.to_owned();
        match e {
            kube::Error::Api(s) => match s.code {
                404 => KubeError::NotFound { what },
                401 | 403 => KubeError::Forbidden {
                    what,
                    message: s.message,
                },
                code => KubeError::Api {
                    what,
                    code,
                    reason: s.reason,
                    message: s.message,
                },
            },
            kube::Error::SerdeError(e) => KubeError::Malformed {
                what,
                detail: e.to_string(),
            },
            kube::Error::Service(e) => match e.downcast::<ReadOnlyViolation>() {
                Ok(v) => KubeError::ReadOnly {
                    what,
                    violation: *v,
                },
                Err(e) => KubeError::Unreachable {
                    what,
                    detail: error_chain(&*e),
                },
            },
            other => KubeError::Unreachable {
                what,
                detail: error_chain(&other),
            },
        }
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let m = c.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        cur = c.source();
    }
    s
}

/// A connected, read-only client with per-call timeouts.
#[derive(Clone)]
pub struct Kube {
    client: kube::Client,
    /// The cluster's name (kubeconfig cluster, EKS name, or `in-cluster`).
    pub cluster: String,
    /// The longest a single call may take (less when the deadline is nearer).
    pub call_timeout: Duration,
}

impl Debug for Kube {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kube")
            .field("cluster", &self.cluster)
            .field("call_timeout", &self.call_timeout)
            .finish()
    }
}

/// Tunes a kube Config: timeouts, no automatic retries (the deadline decides).
fn tune(mut config: kube::Config, call_timeout: Duration) -> kube::Config {
    config.connect_timeout = Some(Duration::from_secs(5).min(call_timeout));
    config.read_timeout = Some(call_timeout);
    config.write_timeout = Some(call_timeout);
    config.default_retry = false;
    config
}

fn build(
    config: kube::Config,
    cluster: String,
    call_timeout: Duration,
    token: Option<Arc<TokenSource>>,
) -> Result<Kube, ConnectError> {
    let base = ClientBuilder::try_from(tune(config, call_timeout))
        .map_err(|e| ConnectError::Config(error_chain(&e)))?;
    let client = match token {
        Some(t) => base
            .with_layer(&EksTokenLayer::new(t))
            .with_layer(&ReadOnlyLayer)
            .build(),
        None => base.with_layer(&ReadOnlyLayer).build(),
    };
    Ok(Kube {
        client,
        cluster,
        call_timeout,
    })
}

/// Builds a client from a kubeconfig file.
pub async fn from_kubeconfig(
    path: &std::path::Path,
    context: Option<&str>,
    call_timeout: Duration,
) -> Result<Kube, ConnectError> {
    let kc = Kubeconfig::read_from(path)
        .map_err(|e| ConnectError::Config(format!("{}: {}", path.display(), error_chain(&e))))?;
    let ctx_name = context
        .map(str::to_owned)
        .or_else(|| kc.current_context.clone());
    let cluster = ctx_name
        .as_deref()
        .and_then(|n| kc.contexts.iter().find(|c| c.name == n))
        .and_then(|c| c.context.as_ref())
        .map(|c| c.cluster.clone())
        .unwrap_or_else(|| "kubeconfig".to_owned());
    let opts = KubeConfigOptions {
        context: context.map(str::to_owned),
        ..Default::default()
    };
    let config = kube::Config::from_custom_kubeconfig(kc, &opts)
        .await
        .map_err(|e| ConnectError::Config(format!("{}: {}", path.display(), error_chain(&e))))?;
    build(config, cluster, call_timeout, None)
}

/// Builds a client from the in-cluster service account; `None` when not in a cluster.
pub fn in_cluster(call_timeout: Duration) -> Option<Result<Kube, ConnectError>> {
    let config = kube::Config::incluster().ok()?;
    Some(build(config, "in-cluster".to_owned(), call_timeout, None))
}

/// The endpoint and CA of an EKS cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterAccess {
    pub endpoint: String,
    /// Base64 of the PEM CA bundle, as EKS returns it.
    pub ca_data: String,
}

/// Reads an EKS cluster's endpoint and CA with DescribeCluster.
pub async fn describe_cluster(
    eks: &aws_sdk_eks::Client,
    cluster: &str,
) -> Result<ClusterAccess, ConnectError> {
    let out = eks
        .describe_cluster()
        .name(cluster)
        .send()
        .await
        .map_err(|e| ConnectError::Describe {
            cluster: cluster.to_owned(),
            detail: error_chain(&e),
        })?;
    let c = out.cluster.ok_or_else(|| ConnectError::Describe {
        cluster: cluster.to_owned(),
        detail: "the answer has no cluster".into(),
    })?;
    match (c.endpoint, c.certificate_authority.and_then(|ca| ca.data)) {
        (Some(endpoint), Some(ca_data)) => Ok(ClusterAccess { endpoint, ca_data }),
        _ => Err(ConnectError::Describe {
            cluster: cluster.to_owned(),
            detail: "no endpoint or certificate authority yet (is the cluster still creating?)"
                .into(),
        }),
    }
}

/// Builds a client for an EKS cluster from its endpoint and CA and a token source.
pub async fn from_eks(
    cluster: &str,
    access: &ClusterAccess,
    token: Arc<TokenSource>,
    call_timeout: Duration,
) -> Result<Kube, ConnectError> {
    // EKS returns base64 of a PEM bundle; anything else would only fail at the first TLS
    // handshake, so say it now.
    let pem = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        access.ca_data.trim(),
    )
    .ok()
    .and_then(|b| String::from_utf8(b).ok())
    .filter(|p| p.contains("-----BEGIN CERTIFICATE-----"));
    if pem.is_none() {
        return Err(ConnectError::Config(format!(
            "EKS cluster {cluster}: the certificate authority data is not a base64 PEM certificate"
        )));
    }
    let doc = serde_json::json!({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": cluster, "cluster": {"server": access.endpoint, "certificate-authority-data": access.ca_data}}],
        "users": [{"name": "eks", "user": {}}],
        "contexts": [{"name": cluster, "context": {"cluster": cluster, "user": "eks"}}],
        "current-context": cluster,
    });
    let kc: Kubeconfig =
        serde_json::from_value(doc).map_err(|e| ConnectError::Config(e.to_string()))?;
    let config = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .map_err(|e| ConnectError::Config(format!("EKS cluster {cluster}: {}", error_chain(&e))))?;
    // The CA is parsed when the TLS connector is built.
    build(config, cluster.to_owned(), call_timeout, Some(token))
}

impl Kube {
    /// The raw kube client (read-only).
    pub fn raw(&self) -> &kube::Client {
        &self.client
    }

    async fn timed<T>(
        &self,
        what: &str,
        budget: Duration,
        fut: impl Future<Output = Result<T, kube::Error>>,
    ) -> Result<T, KubeError> {
        let limit = budget.min(self.call_timeout);
        if limit.is_zero() {
            return Err(KubeError::NoTime {
                what: what.to_owned(),
            });
        }
        match tokio::time::timeout(limit, fut).await {
            Ok(r) => r.map_err(|e| KubeError::from_kube(what, e)),
            Err(_) => Err(KubeError::Timeout {
                what: what.to_owned(),
                after: limit,
            }),
        }
    }

    /// Lists a namespaced kind in `ns` (all namespaces when `None`).
    pub async fn list<K>(
        &self,
        ns: Option<&str>,
        lp: &ListParams,
        budget: Duration,
    ) -> Result<Vec<K>, KubeError>
    where
        K: kube::Resource<Scope = NamespaceResourceScope, DynamicType = ()>
            + Clone
            + DeserializeOwned
            + Debug,
    {
        let api: Api<K> = match ns {
            Some(ns) => Api::namespaced(self.client.clone(), ns),
            None => Api::all(self.client.clone()),
        };
        let what = format!("list {}{}", K::plural(&()), ns_suffix(ns));
        self.timed(&what, budget, api.list(lp))
            .await
            .map(|l| l.items)
    }

    /// Lists a cluster-scoped kind.
    pub async fn list_cluster<K>(
        &self,
        lp: &ListParams,
        budget: Duration,
    ) -> Result<Vec<K>, KubeError>
    where
        K: kube::Resource<Scope = k8s_openapi::ClusterResourceScope, DynamicType = ()>
            + Clone
            + DeserializeOwned
            + Debug,
    {
        let api: Api<K> = Api::all(self.client.clone());
        let what = format!("list {}", K::plural(&()));
        self.timed(&what, budget, api.list(lp))
            .await
            .map(|l| l.items)
    }

    /// Gets one namespaced object; `Ok(None)` when it does not exist.
    pub async fn get<K>(
        &self,
        ns: &str,
        name: &str,
        budget: Duration,
    ) -> Result<Option<K>, KubeError>
    where
        K: kube::Resource<Scope = NamespaceResourceScope, DynamicType = ()>
            + Clone
            + DeserializeOwned
            + Debug,
    {
        let api: Api<K> = Api::namespaced(self.client.clone(), ns);
        let what = format!("get {} {ns}/{name}", K::kind(&()));
        self.timed(&what, budget, api.get_opt(name)).await
    }

    /// Gets one cluster-scoped object; `Ok(None)` when it does not exist.
    pub async fn get_cluster<K>(&self, name: &str, budget: Duration) -> Result<Option<K>, KubeError>
    where
        K: kube::Resource<Scope = k8s_openapi::ClusterResourceScope, DynamicType = ()>
            + Clone
            + DeserializeOwned
            + Debug,
    {
        let api: Api<K> = Api::all(self.client.clone());
        let what = format!("get {} {name}", K::kind(&()));
        self.timed(&what, budget, api.get_opt(name)).await
    }

    /// Gets one cluster-scoped object of a kind only known at run time (a CRD such as
    /// Karpenter's `karpenter.sh/v1` NodeClaim); `Ok(None)` when it or its kind does not exist.
    pub async fn get_dynamic(
        &self,
        gvk: &kube::api::GroupVersionKind,
        plural: &str,
        name: &str,
        budget: Duration,
    ) -> Result<Option<kube::api::DynamicObject>, KubeError> {
        let ar = kube::api::ApiResource::from_gvk_with_plural(gvk, plural);
        let api: Api<kube::api::DynamicObject> = Api::all_with(self.client.clone(), &ar);
        let what = format!("get {} {name}", gvk.kind);
        match self.timed(&what, budget, api.get_opt(name)).await {
            Err(KubeError::NotFound { .. }) => Ok(None),
            r => r,
        }
    }

    /// A container's log (with RFC 3339 timestamps), the last `tail` lines.
    pub async fn logs(
        &self,
        ns: &str,
        pod: &str,
        container: &str,
        previous: bool,
        tail: i64,
        budget: Duration,
    ) -> Result<String, KubeError> {
        let api: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(self.client.clone(), ns);
        let lp = LogParams {
            container: Some(container.to_owned()),
            previous,
            tail_lines: Some(tail),
            timestamps: true,
            limit_bytes: Some(256 * 1024),
            ..Default::default()
        };
        let what = format!(
            "logs {ns}/{pod}/{container}{}",
            if previous { " (previous)" } else { "" }
        );
        self.timed(&what, budget, api.logs(pod, &lp)).await
    }

    /// The API server's version (`v1.30.4-eks-a737599`).
    pub async fn version(&self, budget: Duration) -> Result<String, KubeError> {
        self.timed("get /version", budget, self.client.apiserver_version())
            .await
            .map(|v| v.git_version)
    }
}

fn ns_suffix(ns: Option<&str>) -> String {
    ns.map(|n| format!(" in {n}"))
        .unwrap_or_else(|| " (all namespaces)".into())
}
