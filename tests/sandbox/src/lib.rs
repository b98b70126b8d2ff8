//! Sandbox (issue 3): serves a scenario's world over real wire protocols on loopback — Slack
//! Web API, Discord REST, Kubernetes API, CloudWatch Logs (AWS JSON 1.1) — one port each, so
//! unmodified clients (kube, kubectl, slack_sdk, the AWS SDK) investigate it as production.
//!
//! [`start`] binds the servers and writes a kubeconfig; [`Sandbox::endpoints`] tells clients
//! where to go; [`Sandbox::posted`] is what the mesh wrote back. Every port also answers a
//! small control API under `/_sandbox/` (`GET posted`, `GET|POST faults`, `GET endpoints`,
//! `GET scenario`) so tests in other languages can drive it.
//!
//! Architecture invariant: read-only toward the scenario (only chat posts are recorded), binds
//! loopback only, never reads the environment.

pub mod cloudwatch;
mod control;
mod cw;
mod discord;
pub mod faults;
pub mod kube;
mod record;
mod slack;

pub use faults::{Fault, Faults, Source};
pub use record::{PostAction, Posted};
pub use sremesh_scenario::Scenario;

use faults::FaultState;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How to start a sandbox.
#[derive(Debug, Clone)]
pub struct Options {
    /// Move the world in time so the scenario's `now` is the moment the sandbox starts
    /// (rounded to the second).
    pub live: bool,
    /// Initial fault knobs.
    pub faults: Faults,
    /// Where the kubeconfig is written (`kubeconfig-<port>.yaml`); created if missing.
    pub kubeconfig_dir: PathBuf,
}

impl Options {
    /// Replay mode, no faults, loopback, kubeconfig in `kubeconfig_dir`.
    pub fn new(kubeconfig_dir: impl Into<PathBuf>) -> Self {
        Self {
            live: false,
            faults: Faults::default(),
            kubeconfig_dir: kubeconfig_dir.into(),
        }
    }
}

/// Where each protocol is served; serialized it is DESIGN.md's `sandbox` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Endpoints {
    /// Slack Web API base (`SLACK_API_URL`): `http://127.0.0.1:P/api`.
    pub slack: String,
    /// Discord REST base (`DISCORD_API_URL`): `http://127.0.0.1:P/api/v10`.
    pub discord: String,
    /// Kubernetes API server: `http://127.0.0.1:P`.
    pub kubernetes: String,
    /// A kubeconfig whose current context points at `kubernetes`.
    pub kubeconfig: PathBuf,
    /// CloudWatch Logs endpoint (`AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`): `http://127.0.0.1:P`.
    pub cloudwatch_logs: String,
}

/// Starting failed; both are the caller's environment to fix.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A port could not be bound: is loopback available, is the address right?
    #[error("cannot bind the sandbox's {what} server on {addr}: {source}")]
    Bind {
        what: &'static str,
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// The kubeconfig could not be written: check `kubeconfig_dir`.
    #[error("cannot write the sandbox kubeconfig {}: {source}", path.display())]
    Kubeconfig {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The sandbox's clock: the scenario's `now` plus the time since start.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    base: Timestamp,
    started: tokio::time::Instant,
}

impl Clock {
    pub fn now(&self) -> Timestamp {
        let elapsed = SignedDuration::try_from(self.started.elapsed()).unwrap_or_default();
        self.base.checked_add(elapsed).unwrap_or(self.base)
    }
}

/// State every server shares.
pub(crate) struct Shared {
    pub scenario: Scenario,
    pub clock: Clock,
    faults: Mutex<FaultState>,
    posted: Mutex<Vec<Posted>>,
    /// How many posts have been recorded (for waiters).
    post_count: watch::Sender<usize>,
    pub slack: Mutex<slack::SlackWorld>,
    pub discord: Mutex<discord::DiscordWorld>,
    pub endpoints: std::sync::OnceLock<Endpoints>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub fn lock_faults(&self) -> MutexGuard<'_, FaultState> {
        lock(&self.faults)
    }
    pub fn record(&self, p: Posted) {
        tracing::info!(platform = p.platform.as_str(), channel = %p.channel, id = %p.id, action = ?p.action, "sandbox recorded a post");
        let n = {
            let mut posted = lock(&self.posted);
            posted.push(p);
            posted.len()
        };
        self.post_count.send_replace(n);
    }
    pub fn posted(&self) -> Vec<Posted> {
        lock(&self.posted).clone()
    }
    pub fn slack(&self) -> MutexGuard<'_, slack::SlackWorld> {
        lock(&self.slack)
    }
    pub fn discord(&self) -> MutexGuard<'_, discord::DiscordWorld> {
        lock(&self.discord)
    }
}

/// A running sandbox. Dropping it stops the servers too; [`Sandbox::shutdown`] waits for them.
pub struct Sandbox {
    shared: Arc<Shared>,
    endpoints: Endpoints,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("scenario", &self.shared.scenario.id)
            .field("endpoints", &self.endpoints)
            .finish()
    }
}

/// Starts serving `scenario` (moved to the present first when `opts.live`).
pub async fn start(scenario: Scenario, opts: Options) -> Result<Sandbox, SandboxError> {
    let scenario = if opts.live {
        let now = Timestamp::now()
            .round(jiff::Unit::Second)
            .unwrap_or_else(|_| Timestamp::now());
        scenario.shifted(now.duration_since(scenario.now))
    } else {
        scenario
    };
    let clock = Clock {
        base: scenario.now,
        started: tokio::time::Instant::now(),
    };
    let shared = Arc::new(Shared {
        slack: Mutex::new(slack::SlackWorld::new(&scenario)),
        discord: Mutex::new(discord::DiscordWorld::new(&scenario)),
        faults: Mutex::new(FaultState::new(opts.faults.clone())),
        posted: Mutex::new(Vec::new()),
        post_count: watch::channel(0).0,
        endpoints: std::sync::OnceLock::new(),
        scenario,
        clock,
    });

    // Loopback only, any free port: nothing outside this machine can reach the sandbox.
    let addr = SocketAddr::from(([127, 0, 0, 1], 0));
    let bind = |what: &'static str| async move {
        tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| SandboxError::Bind { what, addr, source })
    };
    let slack_l = bind("Slack").await?;
    let discord_l = bind("Discord").await?;
    let kube_l = bind("Kubernetes").await?;
    let cw_l = bind("CloudWatch Logs").await?;
    let base = |l: &tokio::net::TcpListener| {
        let a = l.local_addr().unwrap_or(addr);
        format!("http://{a}")
    };
    let kube_url = base(&kube_l);
    let kubeconfig =
        kube::kubeconfig::write(&opts.kubeconfig_dir, &shared.scenario, &kube_l, &kube_url)?;
    let endpoints = Endpoints {
        slack: format!("{}/api", base(&slack_l)),
        discord: format!("{}/api/v10", base(&discord_l)),
        kubernetes: kube_url,
        kubeconfig,
        cloudwatch_logs: base(&cw_l),
    };
    let _ = shared.endpoints.set(endpoints.clone());

    let kube_state = Arc::new(kube::KubeState::new(&shared.scenario, shared.clock));
    let routers = [
        (slack_l, Source::Slack, slack::router(shared.clone())),
        (discord_l, Source::Discord, discord::router(shared.clone())),
        (kube_l, Source::Kubernetes, kube::router(kube_state)),
        (cw_l, Source::CloudwatchLogs, cw::router(&shared.scenario)),
    ];
    let (stop, _) = watch::channel(false);
    let mut tasks = Vec::new();
    for (listener, source, router) in routers {
        let app = router
            .layer(axum::middleware::from_fn_with_state(
                (shared.clone(), source),
                faults::layer,
            ))
            .merge(control::router(shared.clone()));
        let mut rx = stop.subscribe();
        tasks.push(tokio::spawn(async move {
            let shutdown = async move {
                // Stops on `true` or when the Sandbox (the sender) is dropped.
                let _ = rx.wait_for(|stop| *stop).await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!(source = ?source, error = %e, "sandbox server stopped with an error");
            }
        }));
    }
    tracing::info!(scenario = %shared.scenario.id, slack = %endpoints.slack, discord = %endpoints.discord,
        kubernetes = %endpoints.kubernetes, cloudwatch_logs = %endpoints.cloudwatch_logs, "sandbox started");
    Ok(Sandbox {
        shared,
        endpoints,
        stop,
        tasks,
    })
}

impl Sandbox {
    /// Where each protocol is served.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// The scenario being served (shifted in live mode).
    pub fn scenario(&self) -> &Scenario {
        &self.shared.scenario
    }

    /// Messages the mesh posted or updated, in order.
    pub fn posted(&self) -> Vec<Posted> {
        self.shared.posted()
    }

    /// Waits until at least `n` messages have been posted or updated (or `timeout` passes) and
    /// returns what has been posted by then.
    pub async fn wait_for_posts(&self, n: usize, timeout: std::time::Duration) -> Vec<Posted> {
        let mut rx = self.shared.post_count.subscribe();
        let _ = tokio::time::timeout(timeout, rx.wait_for(|count| *count >= n)).await;
        self.posted()
    }

    /// Replaces one source's fault knobs (takes effect on the next request).
    pub fn set_faults(&self, source: Source, f: Fault) {
        *self.shared.lock_faults().faults.get_mut(source) = f;
    }

    /// The current fault knobs (`fail_next` counts down as requests fail).
    pub fn faults(&self) -> Faults {
        self.shared.lock_faults().faults.clone()
    }

    /// Stops accepting requests and waits for in-flight ones to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for t in std::mem::take(&mut self.tasks) {
            let _ = t.await;
        }
    }
}
