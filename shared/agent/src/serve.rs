//! What every agent binary's `main` calls: arguments (read from the environment by clap),
//! logging, config loading, binding, serving with graceful shutdown.

use crate::card::build_card;
use crate::handler::{Executor, HarnessHandler, HarnessLimits};
use axum::Router;
use sremesh_a2a::server::{self, Busy, ServerParts, StoreLimits};
use sremesh_core::catalogue::{self, AgentInfo};
use sremesh_core::config::{self, Loaded};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

/// Arguments every agent binary takes (each also readable from the environment).
#[derive(Debug, Clone, clap::Args)]
pub struct AgentArgs {
    /// config.yaml (default: $SREMESH_CONFIG, else walking up from the working directory).
    #[arg(long, env = "SREMESH_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on (containers: 0.0.0.0).
    #[arg(long, env = "A2A_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on (default: the agent's port in config.yaml; 0 picks a free one).
    #[arg(long, env = "A2A_PORT")]
    pub port: Option<u16>,
    /// The URL clients reach this agent at, for the agent card (default: from host and port).
    #[arg(long, env = "A2A_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Model for this agent when config.yaml sets none for it (no model: deterministic mode).
    #[arg(long, env = "MODEL_ID")]
    pub model_id: Option<String>,
    /// Log format.
    #[arg(long, env = "SREMESH_LOG_FORMAT", value_enum, default_value = "human")]
    pub log_format: LogFormat,
    /// Log filter (tracing-subscriber EnvFilter syntax).
    #[arg(long, env = "RUST_LOG", default_value = "info")]
    pub log: String,
}

/// Why an agent could not start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Config(#[from] config::LoadError),
    #[error("agent '{0}' is not in the catalogue")]
    UnknownAgent(String),
    #[error("agent '{0}' is not listed in {1}; add it under 'agents'")]
    NotListed(String, PathBuf),
    #[error("agent '{0}' is disabled in {1}")]
    Disabled(String, PathBuf),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Serve(std::io::Error),
}

/// Installs the global tracing subscriber (once; later calls are ignored).
pub fn init_logging(format: LogFormat, filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal; log files and collectors get plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// Everything an agent needs to start serving, resolved from arguments and config.
#[derive(Debug)]
pub struct Setup {
    pub info: &'static AgentInfo,
    pub loaded: Loaded,
    pub bind: String,
    pub public_url: Option<String>,
    pub limits: HarnessLimits,
    /// The model this agent uses (`None`: deterministic).
    pub model: Option<String>,
}

impl Setup {
    /// Installs TLS and logging, loads config.yaml, and checks the agent is listed and enabled.
    pub fn new(id: &str, args: &AgentArgs) -> Result<Self, SetupError> {
        sremesh_core::tls::ensure_crypto_provider();
        init_logging(args.log_format, &args.log);
        let info = catalogue::agent(id).ok_or_else(|| SetupError::UnknownAgent(id.to_owned()))?;
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let path = config::find_config(args.config.as_deref(), None, &cwd)?;
        let loaded = config::load(&path)?;
        let Some(agent) = loaded.config.agent(id) else {
            return Err(SetupError::NotListed(id.to_owned(), path));
        };
        if !agent.enabled {
            return Err(SetupError::Disabled(id.to_owned(), path));
        }
        let port = args.port.or(agent.port).unwrap_or(info.port);
        let inv = &loaded.config.investigation;
        let initial = Duration::try_from(inv.initial_deadline.saturating_sub(inv.agent_margin))
            .unwrap_or(Duration::from_secs(58));
        let cutoff = Duration::try_from(inv.hard_cutoff).unwrap_or(Duration::from_secs(300));
        let limits = HarnessLimits {
            window_before: inv.window_before,
            window_after: inv.window_after,
            // The master's own run lasts until the hard cutoff; a specialist answers by the
            // initial deadline unless told otherwise.
            default_deadline: if info.is_master() {
                cutoff + Duration::from_secs(10)
            } else {
                initial
            },
            max_deadline: cutoff + Duration::from_secs(10),
        };
        let model = loaded.config.model_for(id, args.model_id.as_deref());
        Ok(Self {
            info,
            loaded,
            bind: format!("{}:{port}", args.host),
            public_url: args.public_url.clone(),
            limits,
            model,
        })
    }
}

/// The agent's router (A2A JSON-RPC, card, ping) over `exec`; `busy` is shared with `/ping`.
pub fn router<E: Executor>(
    info: &AgentInfo,
    loaded: &Loaded,
    url: &str,
    limits: HarnessLimits,
    exec: Arc<E>,
    busy: Arc<Busy>,
) -> Router {
    let card = build_card(info, &loaded.skills_for(info.id), url);
    server::router(ServerParts {
        handler: Arc::new(HarnessHandler { exec, limits }),
        card,
        limits: StoreLimits::default(),
        busy,
    })
}

/// Binds, serves until SIGTERM or Ctrl-C, then drains in-flight requests.
pub async fn serve<E: Executor>(
    setup: Setup,
    exec: Arc<E>,
    busy: Arc<Busy>,
) -> Result<(), SetupError> {
    let listener = tokio::net::TcpListener::bind(&setup.bind)
        .await
        .map_err(|source| SetupError::Bind {
            addr: setup.bind.clone(),
            source,
        })?;
    let addr: SocketAddr = listener.local_addr().map_err(SetupError::Serve)?;
    let url = setup.public_url.clone().unwrap_or_else(|| {
        let host = if addr.ip().is_unspecified() {
            "127.0.0.1".to_owned()
        } else {
            addr.ip().to_string()
        };
        format!("http://{host}:{}/", addr.port())
    });
    let app = router(setup.info, &setup.loaded, &url, setup.limits, exec, busy);
    tracing::info!(agent = setup.info.id, %addr, url = %url, model = setup.model.as_deref().unwrap_or("none"), "agent_listening");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(SetupError::Serve)?;
    tracing::info!(agent = setup.info.id, "agent_stopped");
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
