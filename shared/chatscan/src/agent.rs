//! The chat scanner agent both platforms run: its settings, the agent itself (an
//! `sremesh_agent::Executor` over any [`Platform`]) and its tools. A platform crate adds only
//! what differs — its client adapter (the [`ChatSource`]), how that is built, and its
//! `/sre-snapshot` — by implementing [`Platform`]; `Scanner<SlackSource>` and
//! `Scanner<DiscordSource>` are the two agents.

use crate::{ChatSource, ScanSettings};
use schemars::JsonSchema;
use serde::Deserialize;
use sremesh_agent::tool::{ToolError, ToolOutput, ToolSet, tool};
use sremesh_agent::{Answer, Deadline, Executor, Job};
use sremesh_chat::{ApiError, RetryPolicy};
use sremesh_core::{AgentResult, AlertContext, SecretSource, SnapshotReport, SnapshotRequest};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// The snapshot tool's name (the same on both platforms).
pub const SNAPSHOT_TOOL: &str = "capture_snapshot";

/// What a chat platform adds to the shared scanner.
pub trait Platform: ChatSource + std::fmt::Debug + Sized + 'static {
    /// The agent id (`slack_scanner`).
    const ID: &'static str;
    /// The platform.
    const PLATFORM: sremesh_core::Platform;
    /// Its name in messages (`Slack`).
    const NAME: &'static str;
    /// The scan tool's name, as the catalogue has it (`scan_slack_channels`).
    const SCAN_TOOL: &'static str;
    /// Where `main` reads the token from (`SLACK_BOT_TOKEN`): named when it is missing.
    const TOKEN_VAR: &'static str;
    /// Where `main` reads the API base from (`SLACK_API_URL`): named when it is unusable.
    const URL_VAR: &'static str;
    /// The API base by default.
    const DEFAULT_URL: &'static str;

    /// Timeouts and retries of each call by default.
    fn retry_policy() -> RetryPolicy {
        retry_policy()
    }

    /// The source over the API at `api_url` with `token`; `page` overrides the page size of
    /// history reads.
    fn connect(
        api_url: &str,
        token: Arc<dyn SecretSource>,
        retry: RetryPolicy,
        page: Option<usize>,
    ) -> Result<Self, ApiError>;

    /// `/sre-snapshot`: who the bot is and what it can read, answered before `deadline`;
    /// never fails (a refused token is itself the anomaly).
    fn snapshot(
        agent: &Scanner<Self>,
        req: &SnapshotRequest,
        deadline: Deadline,
    ) -> impl Future<Output = SnapshotReport> + Send;
}

/// Retries of each chat call: short enough that several fit in an investigation's deadline
/// (which bounds every call anyway).
pub fn retry_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        budget: Duration::from_secs(10),
        attempt_timeout: Duration::from_secs(5),
        min_delay: Duration::from_millis(200),
        max_delay: Duration::from_secs(2),
    }
}

/// Typed settings of a scanner, read from the environment and config.yaml by `main`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The bot token; `None`: every answer is `unhealthy`.
    pub token: Option<Arc<dyn SecretSource>>,
    /// The API base.
    pub api_url: String,
    /// Channels, caps, look-backs and the answer reserve of a scan.
    pub scan: ScanSettings,
    /// Timeouts and retries of each call.
    pub retry: RetryPolicy,
    /// History page size override (tests; default the platform's).
    pub page_size: Option<usize>,
}

impl Settings {
    /// The defaults of platform `P`: its API base and retry policy, no token.
    pub fn for_platform<P: Platform>() -> Self {
        Self {
            token: None,
            api_url: P::DEFAULT_URL.to_owned(),
            scan: ScanSettings::default(),
            retry: P::retry_policy(),
            page_size: None,
        }
    }
}

/// A chat scanner on platform `P`.
#[derive(Debug)]
pub struct Scanner<P: Platform> {
    source: Result<P, String>,
    settings: Settings,
}

impl<P: Platform> Scanner<P> {
    /// Builds the client. Never fails: without a usable token or URL the agent answers
    /// `unhealthy` with the reason.
    pub fn new(settings: Settings) -> Self {
        let source = match &settings.token {
            None => Err(format!(
                "{} is not set: the {} scanner has no bot token",
                P::TOKEN_VAR,
                P::NAME
            )),
            Some(token) => P::connect(
                &settings.api_url,
                token.clone(),
                settings.retry,
                settings.page_size,
            )
            .map_err(|e| format!("{}: {e}", P::URL_VAR)),
        };
        Self { source, settings }
    }

    /// An agent that answers every request `unhealthy` with `reason`.
    pub fn unavailable(reason: impl Into<String>, settings: Settings) -> Self {
        Self {
            source: Err(reason.into()),
            settings,
        }
    }

    /// The source, or why there is none.
    pub fn source(&self) -> Result<&P, &str> {
        self.source.as_ref().map_err(String::as_str)
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The investigation's answer.
    pub async fn run(&self, job: &Job<AlertContext>) -> AgentResult {
        match self.source() {
            Err(reason) => AgentResult::unhealthy(P::ID, reason),
            Ok(src) => crate::result::investigate(P::ID, src, &self.settings.scan, job).await,
        }
    }

    /// The deadline the snapshot works to: the job's, less the answer reserve.
    fn work_deadline(&self, deadline: Deadline) -> Deadline {
        let reserve: Duration = self.settings.scan.reserve;
        Deadline(deadline.0.checked_sub(reserve).unwrap_or(deadline.0))
    }
}

impl<P: Platform> Executor for Scanner<P> {
    fn id(&self) -> &'static str {
        P::ID
    }

    async fn investigate(&self, job: Job<AlertContext>) -> Answer {
        Answer::Result(self.run(&job).await)
    }

    async fn snapshot(&self, job: Job<SnapshotRequest>) -> Answer {
        let work = self.work_deadline(job.deadline);
        Answer::Snapshot(P::snapshot(self, &job.request, work).await)
    }
}

/// Parameters of `capture_snapshot` (none).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnapshotParams {}

/// Every tool of a scanner, one per skill in config.yaml (the one place they are registered):
/// the scan (`P::SCAN_TOOL`) and `capture_snapshot`.
pub fn tools<P: Platform>(agent: Arc<Scanner<P>>) -> ToolSet {
    let scan_agent = agent.clone();
    ToolSet::new(vec![
        tool(P::SCAN_TOOL, move |p: crate::tool::ScanParams, deadline| {
            let agent = scan_agent.clone();
            async move {
                let src = agent
                    .source()
                    .map_err(|r| ToolError::Unavailable(r.to_owned()))?;
                crate::tool::run(P::SCAN_TOOL, src, &agent.settings().scan, p, deadline).await
            }
        }),
        tool(SNAPSHOT_TOOL, move |_p: SnapshotParams, deadline| {
            let agent = agent.clone();
            async move {
                let req = SnapshotRequest::new(jiff::Timestamp::now(), None);
                let snap = P::snapshot(&agent, &req, deadline).await;
                let errors = snap.error.iter().cloned().collect();
                Ok(ToolOutput {
                    errors,
                    data: serde_json::to_value(&snap).unwrap_or_default(),
                    ..Default::default()
                })
            }
        }),
    ])
}
