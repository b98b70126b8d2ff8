//! The EKS / Kubernetes specialist (`sremesh-eks`): resolves the alert's workload (Deployment,
//! StatefulSet, DaemonSet, Job, CronJob, pod), gathers its state read-only (pods, events,
//! current and previous logs, owners, rollout and run history, HPAs, nodes, Services,
//! Endpoints/EndpointSlices, Ingresses, NetworkPolicies, PVCs, quotas, kube-system add-ons) and
//! runs deterministic analyzers that turn it into typed findings — OOMKilled (recurring too),
//! crash loops with their terminal error, failed Jobs, image pulls, missing config, scheduling,
//! quota, probes, Services that route nowhere, egress a NetworkPolicy blocks, HPAs and add-ons,
//! the API server failing its clients, nodes and reboots, evictions, rollouts, log signatures,
//! and "healthy now" or "recovered".
//!
//! * [`client`]: the read-only kube client (kubeconfig, in-cluster, or EKS with an STS token).
//! * [`target`] / [`resolve`]: the alert's target, from text to workloads.
//! * [`gather`]: the budgeted reads; [`analyzers`]: the pure analyzers; [`investigate`]: the
//!   pipeline; [`snapshot`]: `/sre-snapshot`; [`tools`]: the same capabilities as named tools.
//!
//! Architecture invariant: never writes to the cluster (a tower layer refuses non-GET requests);
//! every API call runs under a timeout bounded by the job's deadline; analyzers do no I/O.

pub mod analyzers;
pub mod client;
pub mod gather;
pub mod investigate;
pub mod resolve;
pub mod snapshot;
pub mod target;
pub mod tools;

use client::{ClusterSource, ConnectError, Kube, TokenSource};
use gather::{Budget, Limits};
use jiff::{SignedDuration, Timestamp};
use sremesh_agent::{Answer, Deadline, Executor, Job, Partial};
use sremesh_core::config::Loaded;
use sremesh_core::{AgentResult, AlertContext, SnapshotReport, SnapshotRequest, SnapshotStatus};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// How the agent reaches its cluster and how much it reads (from `main`'s arguments).
#[derive(Debug, Clone)]
pub struct Settings {
    /// A kubeconfig file (`KUBECONFIG`); wins over in-cluster and EKS.
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context (default: its current context).
    pub context: Option<String>,
    /// Whether to try the in-cluster service account when no kubeconfig is given.
    pub in_cluster: bool,
    /// An EKS cluster name (`EKS_CLUSTER_NAME`), used when there is no kubeconfig and no
    /// in-cluster config.
    pub eks_cluster: Option<String>,
    /// The AWS region (`AWS_REGION`) for DescribeCluster and the STS token.
    pub aws_region: Option<String>,
    /// The longest one Kubernetes call may take.
    pub call_timeout: Duration,
    /// Time kept back from the deadline to build the answer.
    pub reserve: Duration,
    /// Caps on what is read.
    pub limits: Limits,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            kubeconfig: None,
            context: None,
            in_cluster: true,
            eks_cluster: None,
            aws_region: None,
            call_timeout: Duration::from_secs(10),
            reserve: Duration::from_millis(300),
            limits: Limits::default(),
        }
    }
}

impl Settings {
    /// Which source these settings select (kubeconfig, then in-cluster, then EKS).
    pub fn source(&self) -> Option<ClusterSource> {
        if let Some(path) = &self.kubeconfig {
            return Some(ClusterSource::Kubeconfig {
                path: path.clone(),
                context: self.context.clone(),
            });
        }
        if self.in_cluster && kube::Config::incluster().is_ok() {
            return Some(ClusterSource::InCluster);
        }
        self.eks_cluster.as_ref().map(|c| ClusterSource::Eks {
            cluster: c.clone(),
            region: self.aws_region.clone(),
        })
    }
}

enum Conn {
    Ready(Kube),
    Broken(ConnectError),
    Eks {
        cluster: String,
        eks: aws_sdk_eks::Client,
        token: Arc<TokenSource>,
    },
}

/// The EKS agent.
pub struct EksAgent {
    settings: Settings,
    conn: Mutex<Conn>,
    /// The window tools use around their `alert_time` (config.yaml's investigation window).
    tool_window: (SignedDuration, SignedDuration),
}

impl std::fmt::Debug for EksAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EksAgent")
            .field("settings", &self.settings)
            .finish()
    }
}

impl EksAgent {
    /// Builds the agent. Never fails: a cluster that is missing or unreachable makes every
    /// answer say so (status unhealthy) instead.
    pub async fn new(settings: Settings, loaded: &Loaded) -> Self {
        let inv = &loaded.config.investigation;
        Self::with_window(settings, (inv.window_before, inv.window_after)).await
    }

    /// Builds the agent with an explicit tool window.
    pub async fn with_window(
        settings: Settings,
        tool_window: (SignedDuration, SignedDuration),
    ) -> Self {
        sremesh_core::tls::ensure_crypto_provider();
        let conn = match settings.source() {
            None => Conn::Broken(ConnectError::NotConfigured),
            Some(ClusterSource::Kubeconfig { path, context }) => {
                match client::from_kubeconfig(&path, context.as_deref(), settings.call_timeout)
                    .await
                {
                    Ok(k) => Conn::Ready(k),
                    Err(e) => Conn::Broken(e),
                }
            }
            Some(ClusterSource::InCluster) => match client::in_cluster(settings.call_timeout) {
                Some(Ok(k)) => Conn::Ready(k),
                Some(Err(e)) => Conn::Broken(e),
                None => Conn::Broken(ConnectError::NotConfigured),
            },
            Some(ClusterSource::Eks { cluster, region }) => eks_conn(cluster, region).await,
        };
        if let Conn::Broken(e) = &conn {
            tracing::warn!(agent = "eks", error = %e, "eks_cluster_unavailable");
        }
        Self {
            settings,
            conn: Mutex::new(conn),
            tool_window,
        }
    }

    /// The agent's settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The window tools use around an alert time.
    pub fn tool_window(&self, at: Timestamp) -> sremesh_core::TimeWindow {
        sremesh_core::TimeWindow::around(at, self.tool_window.0, self.tool_window.1)
    }

    /// The connected client (an EKS cluster is described on first use, then cached).
    pub async fn kube(&self, b: Budget) -> Result<Kube, ConnectError> {
        let mut conn = self.conn.lock().await;
        let (cluster, eks, token) = match &*conn {
            Conn::Ready(k) => return Ok(k.clone()),
            Conn::Broken(e) => return Err(e.clone()),
            Conn::Eks {
                cluster,
                eks,
                token,
            } => (cluster.clone(), eks.clone(), token.clone()),
        };
        let access =
            match tokio::time::timeout(b.left(), client::describe_cluster(&eks, &cluster)).await {
                Ok(r) => r?,
                Err(_) => {
                    return Err(ConnectError::Describe {
                        cluster,
                        detail: "timed out".into(),
                    });
                }
            };
        let k = client::from_eks(&cluster, &access, token, self.settings.call_timeout).await?;
        *conn = Conn::Ready(k.clone());
        Ok(k)
    }

    /// Investigates one alert before `deadline`.
    pub async fn investigate_alert(
        &self,
        ctx: &AlertContext,
        deadline: Deadline,
        partial: &Partial,
    ) -> AgentResult {
        let started = Instant::now();
        let b = Budget::new(deadline, self.settings.reserve);
        let mut r = match self.kube(b).await {
            Ok(kube) => investigate::run(&kube, ctx, partial, self.settings.limits, b).await,
            Err(e) if e.transient() => AgentResult::error(investigate::AGENT, e.to_string()),
            Err(e) => AgentResult::unhealthy(investigate::AGENT, e.to_string()),
        };
        r.telemetry.duration_ms = started.elapsed().as_millis() as u64;
        r
    }

    /// Takes a snapshot as of `now` before `deadline`.
    pub async fn snapshot_at(&self, now: Timestamp, deadline: Deadline) -> SnapshotReport {
        let started = Instant::now();
        let b = Budget::new(deadline, self.settings.reserve);
        let mut r = match self.kube(b).await {
            Ok(kube) => snapshot::capture(&kube, now, b).await,
            Err(e) => snapshot::unreachable(
                now,
                if e.transient() {
                    SnapshotStatus::Error
                } else {
                    SnapshotStatus::Unhealthy
                },
                &e.to_string(),
            ),
        };
        r.telemetry.duration_ms = started.elapsed().as_millis() as u64;
        r
    }
}

async fn eks_conn(cluster: String, region: Option<String>) -> Conn {
    let policy = sremesh_aws::CallPolicy {
        connect_timeout: Duration::from_secs(3),
        operation_timeout: Duration::from_secs(10),
        max_attempts: 2,
    };
    let sdk = sremesh_aws::sdk_config(policy, region.as_deref()).await;
    let Some(region) = sdk.region().map(|r| r.to_string()) else {
        return Conn::Broken(ConnectError::Config(
            "EKS_CLUSTER_NAME is set but no AWS region is known: set AWS_REGION".into(),
        ));
    };
    let Some(creds) = sdk.credentials_provider() else {
        return Conn::Broken(ConnectError::Config(
            "no AWS credentials provider for the EKS token".into(),
        ));
    };
    Conn::Eks {
        token: Arc::new(TokenSource::new(cluster.clone(), region, creds)),
        eks: aws_sdk_eks::Client::new(&sdk),
        cluster,
    }
}

impl Executor for EksAgent {
    fn id(&self) -> &'static str {
        investigate::AGENT
    }

    async fn investigate(&self, job: Job<AlertContext>) -> Answer {
        Answer::Result(
            self.investigate_alert(&job.request, job.deadline, &job.partial)
                .await,
        )
    }

    async fn snapshot(&self, job: Job<SnapshotRequest>) -> Answer {
        Answer::Snapshot(
            self.snapshot_at(job.request.requested_at, job.deadline)
                .await,
        )
    }
}
