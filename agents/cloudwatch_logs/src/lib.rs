//! The CloudWatch Logs specialist: finds the log groups an alert is about (by the alert's own
//! words), runs Logs Insights over the investigation window and the preceding window of equal
//! length, clusters the error lines into patterns and reports what is new since its onset,
//! surging, steady (noise), stopped (recovered) or ended (the run died on it) — with the
//! decisive lines verbatim, counts and a console link each.
//!
//! Module map: [`client`] (read-only AWS calls, typed errors), [`discovery`] (keywords, group
//! ranking, and the probe inside shared Container Insights groups when none is named after the
//! service), [`query`] (query strings, Insights runs with StopQuery at the deadline, the
//! FilterLogEvents fallback), [`records`] (a log event as analyzers see it), [`gather`] (the
//! investigation's data collection), [`analyzers`] (pure: data → findings), [`links`] (console
//! deep links), [`tools`] (one tool per skill), [`snapshot`] (`/sre-snapshot`).

pub mod analyzers;
pub mod client;
pub mod discovery;
pub mod gather;
pub mod links;
pub mod query;
pub mod records;
pub mod snapshot;
pub mod tools;
pub mod trail;

use analyzers::Input;
use client::{LogsClient, LogsError};
use discovery::Target;
use jiff::Timestamp;
use sremesh_agent::{Answer, Deadline, Executor, Job};
use sremesh_aws::CallPolicy;
use sremesh_core::{AgentResult, AlertContext, Finding, SnapshotRequest, TimeWindow};
use std::time::Duration;
use tokio::time::Instant;

/// The agent id.
pub const ID: &str = "cloudwatch_logs";

/// Time kept back from the deadline to build and send the answer.
const ANSWER_RESERVE: Duration = Duration::from_millis(300);

/// Typed settings, read from the environment by `main`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The AWS region (`AWS_REGION`); without one the agent is unhealthy.
    pub region: Option<String>,
    /// Timeouts and retries of each AWS call.
    pub policy: CallPolicy,
    /// Most log groups DescribeLogGroups pages through.
    pub max_groups_scanned: usize,
    /// Most log groups one investigation queries.
    pub max_groups_queried: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            region: None,
            policy: CallPolicy {
                connect_timeout: Duration::from_secs(3),
                operation_timeout: Duration::from_secs(15),
                max_attempts: 2,
            },
            max_groups_scanned: 500,
            max_groups_queried: 10,
        }
    }
}

/// The CloudWatch Logs specialist.
#[derive(Debug)]
pub struct CloudWatchLogsAgent {
    client: Result<LogsClient, String>,
    settings: Settings,
}

/// What one query pass produced: the analyzers' input and how the gathering went.
#[derive(Debug)]
pub struct Analysis {
    pub input: Input,
    pub findings: Vec<Finding>,
    pub problems: Vec<String>,
    pub partial: bool,
    pub fatal: Option<LogsError>,
}

impl CloudWatchLogsAgent {
    /// Builds the client from the SDK's standard configuration (endpoint from
    /// `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS` / `AWS_ENDPOINT_URL`, credentials from the usual
    /// chain). Never fails: without a region the agent answers `unhealthy`.
    pub async fn new(settings: Settings) -> Self {
        let Some(region) = settings.region.clone() else {
            return Self::unavailable(
                "AWS_REGION is not set: the CloudWatch Logs client needs a region",
                settings,
            );
        };
        let sdk = sremesh_aws::sdk_config(settings.policy, Some(&region)).await;
        let client = aws_sdk_cloudwatchlogs::Client::new(&sdk);
        Self::with_client(LogsClient::new(client, region), settings)
    }

    /// An agent over an existing client (tests point one at the sandbox).
    pub fn with_client(client: LogsClient, settings: Settings) -> Self {
        Self {
            client: Ok(client),
            settings,
        }
    }

    /// An agent that answers every request `unhealthy` with `reason`.
    pub fn unavailable(reason: impl Into<String>, settings: Settings) -> Self {
        Self {
            client: Err(reason.into()),
            settings,
        }
    }

    /// The client, or why there is none.
    pub fn client(&self) -> Result<&LogsClient, &str> {
        self.client.as_ref().map_err(String::as_str)
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Discovers the target's groups and analyzes them over `window` (the alert at
    /// `alert_time`) with `query` (default: the error query).
    pub async fn analyze(
        &self,
        target: Target,
        groups: Option<Vec<discovery::Candidate>>,
        window: TimeWindow,
        alert_time: Timestamp,
        query: Option<&str>,
        deadline: Deadline,
    ) -> Result<Analysis, LogsError> {
        let client = self
            .client()
            .map_err(|r| LogsError::Unreachable(r.to_owned()))?;
        let found = match groups {
            // The caller chose the groups: no listing, so no database follow-ups either.
            Some(chosen) => gather::Discovery {
                chosen,
                ..Default::default()
            },
            // Boxed: the gathering futures are large, and a server may poll this one deep in
            // its own stack (a debug build would overflow a worker's 2 MiB).
            None => {
                Box::pin(gather::discover(
                    client,
                    &target,
                    self.settings.max_groups_scanned,
                    self.settings.max_groups_queried,
                    window,
                    deadline,
                ))
                .await?
            }
        };
        let chosen = found.chosen;
        let mut input = Input::new(alert_time, window, client.region.clone(), target);
        input.groups_scanned = found.listed.len();
        input.groups_probed = found.probed.clone();
        if chosen.is_empty() {
            let input = input.finish();
            return Ok(Analysis {
                findings: analyzers::run(&input),
                input,
                problems: found.probe_problem.into_iter().collect(),
                partial: found.truncated,
                fatal: None,
            });
        }
        let default_query = query::error_query();
        let q = query.unwrap_or(&default_query);
        let (g, trail) = futures::join!(
            Box::pin(gather::gather(
                client,
                &found.listed,
                &chosen,
                &input.target,
                window,
                q,
                deadline,
            )),
            gather::trail(client, &found.trails, window, alert_time, deadline),
        );
        input.trail = trail.events;
        input.groups = g.groups;
        input.records = g.records;
        input.baseline_records = g.baseline;
        input.lambda = g.lambda;
        input.db_connections = g.db_connections;
        input.activity = g.activity;
        let input = input.finish();
        let mut problems = g.problems;
        problems.extend(trail.problem);
        Ok(Analysis {
            findings: analyzers::run(&input),
            input,
            problems,
            partial: g.partial || trail.partial,
            fatal: g.fatal,
        })
    }

    async fn run_investigation(&self, job: &Job<AlertContext>) -> AgentResult {
        let started = Instant::now();
        if let Err(reason) = self.client() {
            return AgentResult::unhealthy(ID, reason);
        }
        let ctx = &job.request;
        let work = Deadline(
            job.deadline
                .0
                .checked_sub(ANSWER_RESERVE)
                .unwrap_or(job.deadline.0),
        );
        let target = Target::from_alert(ctx);
        tracing::info!(task_id = %job.task_id, keywords = %discovery::describe(&target), "investigation_started");
        let analysis = match self
            .analyze(target, None, ctx.window, ctx.alert_time, None, work)
            .await
        {
            Ok(a) => a,
            Err(e) if e.is_unhealthy() => return AgentResult::unhealthy(ID, e.to_string()),
            Err(e) => {
                let mut r = AgentResult::error(ID, format!("DescribeLogGroups: {e}"));
                r.partial = matches!(e, LogsError::Deadline(_));
                return r;
            }
        };
        job.partial.extend(analysis.findings.clone());
        let scanned: Vec<String> = analysis
            .input
            .groups
            .iter()
            .map(|g| format!("log-group:{}", g.name))
            .collect();
        let mut result = match &analysis.fatal {
            Some(e) if e.is_unhealthy() => AgentResult::unhealthy(ID, e.to_string()),
            Some(e) => AgentResult::error(ID, format!("Logs Insights: {e}")),
            None => AgentResult::ok(ID, summary(&analysis), analysis.findings.clone()),
        };
        if analysis.fatal.is_none() && !analysis.problems.is_empty() {
            result.error = Some(analysis.problems.join("; "));
        }
        result.partial = analysis.partial;
        result.scanned = scanned;
        result.telemetry.duration_ms = started.elapsed().as_millis() as u64;
        tracing::info!(task_id = %job.task_id, findings = result.findings.len(), partial = result.partial, status = ?result.status, "investigation_done");
        result
    }
}

/// One or two sentences: the top findings that point to a cause, else the quiet verdict.
pub fn summary(a: &Analysis) -> String {
    let groups = a.input.groups.len();
    let causes: Vec<String> = a
        .findings
        .iter()
        .filter(|f| f.category.is_some())
        .take(2)
        .map(|f| {
            let who = f.service.as_deref().unwrap_or("logs");
            let what = f
                .attributes
                .get("signature")
                .and_then(|s| s.as_str())
                .and_then(sremesh_core::signals::signature)
                .map_or(f.kind.replace('_', " "), |s| s.label.to_owned());
            let count = f
                .attributes
                .get("count")
                .and_then(|c| c.as_u64())
                .unwrap_or(0);
            let trend = f
                .attributes
                .get("trend")
                .and_then(|t| t.as_str())
                .unwrap_or("");
            format!("{who}: {what} ×{count} ({trend})")
        })
        .collect();
    if !causes.is_empty() {
        return format!("{} — in {groups} log group(s).", causes.join("; "));
    }
    let verdict = a
        .findings
        .iter()
        .find(|f| f.kind == "no_log_groups" || f.kind == "logs_quiet");
    match (verdict, a.findings.first()) {
        (Some(f), _) => format!("{}.", f.title),
        (None, Some(f)) => format!("{} (no finding points to a cause).", f.title),
        (None, None) => format!("No error lines in {groups} log group(s)."),
    }
}

impl Executor for CloudWatchLogsAgent {
    fn id(&self) -> &'static str {
        ID
    }

    async fn investigate(&self, job: Job<AlertContext>) -> Answer {
        Answer::Result(Box::pin(self.run_investigation(&job)).await)
    }

    async fn snapshot(&self, job: Job<SnapshotRequest>) -> Answer {
        let work = Deadline(
            job.deadline
                .0
                .checked_sub(ANSWER_RESERVE)
                .unwrap_or(job.deadline.0),
        );
        Answer::Snapshot(Box::pin(snapshot::capture(self, &job.request, work)).await)
    }
}
