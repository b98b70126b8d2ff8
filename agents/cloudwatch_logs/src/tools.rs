//! The agent's tools, one per skill in config.yaml (`discover_log_groups`,
//! `query_cloudwatch_logs`, `capture_snapshot`), for a model's tool loop and for tests.

use crate::CloudWatchLogsAgent;
use crate::discovery::{Candidate, Target};
use crate::query::{rows_to_records, run_insights};
use jiff::{SignedDuration, Timestamp};
use schemars::JsonSchema;
use serde::Deserialize;
use sremesh_agent::Deadline;
use sremesh_agent::tool::{ToolError, ToolOutput, ToolSet, tool};
use sremesh_core::{SnapshotRequest, TimeWindow};
use std::sync::Arc;

/// Parameters of `discover_log_groups`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscoverParams {
    /// Names taken from the alert: services, functions, namespaces, clusters, pod or resource
    /// ids. Never invented log group names.
    pub keywords: Vec<String>,
}

/// Parameters of `query_cloudwatch_logs`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryParams {
    /// Log group names exactly as `discover_log_groups` returned them.
    pub log_groups: Vec<String>,
    /// A Logs Insights query (default: error-ish lines with `@timestamp, @message, @logStream,
    /// @log`). Rows with `@message` are clustered into patterns; other rows come back as data.
    #[serde(default)]
    pub query: Option<String>,
    /// Window start, RFC 3339 (default: 30 minutes before `end`).
    #[serde(default)]
    pub start: Option<String>,
    /// Window end, RFC 3339 (default: now).
    #[serde(default)]
    pub end: Option<String>,
}

/// Parameters of `capture_snapshot` (none).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnapshotParams {}

fn unavailable(agent: &CloudWatchLogsAgent) -> Option<ToolError> {
    agent
        .client()
        .err()
        .map(|r| ToolError::Unavailable(r.to_owned()))
}

fn time(tool: &'static str, field: &str, v: Option<&str>) -> Result<Option<Timestamp>, ToolError> {
    v.map(|s| {
        s.parse::<Timestamp>()
            .map_err(|e| ToolError::InvalidArguments {
                tool,
                reason: format!("{field} is not an RFC 3339 time ({s}): {e}"),
            })
    })
    .transpose()
}

async fn discover(
    agent: Arc<CloudWatchLogsAgent>,
    p: DiscoverParams,
    deadline: Deadline,
) -> Result<ToolOutput, ToolError> {
    if let Some(e) = unavailable(&agent) {
        return Err(e);
    }
    let target = Target::from_keywords(&p.keywords);
    let now = Timestamp::now();
    let window = TimeWindow::around(now, SignedDuration::from_mins(30), SignedDuration::ZERO);
    let client = agent
        .client()
        .map_err(|r| ToolError::Unavailable(r.to_owned()))?;
    let s = agent.settings();
    // Boxed like `analyze`'s: a large future polled deep in the server's stack.
    let found = Box::pin(crate::gather::discover(
        client,
        &target,
        s.max_groups_scanned,
        s.max_groups_queried,
        window,
        deadline,
    ))
    .await
    .map_err(|e| ToolError::Unavailable(e.to_string()))?;
    let mut out = ToolOutput {
        scanned: found
            .chosen
            .iter()
            .map(|c| format!("log-group:{}", c.name))
            .collect(),
        data: serde_json::json!({
            "groups": found.chosen,
            "groups_scanned": found.listed.len(),
            "truncated": found.truncated,
            "keywords": target.keywords,
        }),
        ..Default::default()
    };
    if found.chosen.is_empty() {
        let mut input = crate::analyzers::Input::new(now, window, client.region.clone(), target);
        input.groups_scanned = found.listed.len();
        input.groups_probed = found.probed.clone();
        let input = input.finish();
        out.findings = crate::analyzers::quiet::analyze(&input);
    }
    Ok(out)
}

async fn query(
    agent: Arc<CloudWatchLogsAgent>,
    p: QueryParams,
    deadline: Deadline,
) -> Result<ToolOutput, ToolError> {
    const NAME: &str = "query_cloudwatch_logs";
    if let Some(e) = unavailable(&agent) {
        return Err(e);
    }
    if p.log_groups.is_empty() {
        return Err(ToolError::InvalidArguments {
            tool: NAME,
            reason: "log_groups is empty: pass names returned by discover_log_groups".into(),
        });
    }
    let end = time(NAME, "end", p.end.as_deref())?.unwrap_or_else(Timestamp::now);
    let start = time(NAME, "start", p.start.as_deref())?.unwrap_or_else(|| {
        end.checked_sub(SignedDuration::from_mins(30))
            .unwrap_or(end)
    });
    if start >= end {
        return Err(ToolError::InvalidArguments {
            tool: NAME,
            reason: format!("start ({start}) must be before end ({end})"),
        });
    }
    let window = TimeWindow { start, end };
    let client = agent
        .client()
        .map_err(|r| ToolError::Unavailable(r.to_owned()))?;
    // Check the names against the account (the reference's "never query guessed names").
    let listing = client
        .list_groups(agent.settings().max_groups_scanned, deadline)
        .await
        .map_err(|e| ToolError::Unavailable(e.to_string()))?;
    let mut errors = Vec::new();
    let groups: Vec<Candidate> = p
        .log_groups
        .iter()
        .filter(|name| {
            let known = listing.truncated || listing.groups.iter().any(|g| &g.name == *name);
            if !known {
                errors.push(format!("log group '{name}' does not exist — skipped"));
            }
            known
        })
        .map(|name| Candidate {
            name: name.clone(),
            score: 0,
            matched: vec![],
            dedicated: true,
            stored_bytes: None,
        })
        .collect();
    if groups.is_empty() {
        return Ok(ToolOutput {
            errors,
            ..Default::default()
        });
    }
    let custom = p.query.as_deref().filter(|q| !q.trim().is_empty());
    // A query without @message rows (stats, counts) is answered as data.
    if let Some(q) = custom.filter(|q| q.contains("stats") || q.contains("display")) {
        let names: Vec<String> = groups.iter().map(|g| g.name.clone()).collect();
        let run = run_insights(client, &names, q, window, deadline).await;
        errors.extend(run.problem.clone());
        let rows: Vec<serde_json::Map<String, serde_json::Value>> = run
            .rows
            .iter()
            .take(50)
            .map(|r| {
                r.iter()
                    .map(|(k, v)| (k.clone(), v.clone().into()))
                    .collect()
            })
            .collect();
        let records = rows_to_records(&run.rows, &names[0]);
        return Ok(ToolOutput {
            scanned: names.iter().map(|n| format!("log-group:{n}")).collect(),
            errors,
            data: serde_json::json!({"rows": rows, "row_count": run.rows.len(), "records": records.len(), "complete": run.complete}),
            ..Default::default()
        });
    }
    let a = agent
        .analyze(
            Target::default(),
            Some(groups),
            window,
            end,
            custom,
            deadline,
        )
        .await
        .map_err(|e| ToolError::Unavailable(e.to_string()))?;
    errors.extend(a.problems.iter().cloned());
    if let Some(e) = &a.fatal {
        errors.push(e.to_string());
    }
    Ok(ToolOutput {
        scanned: a
            .input
            .groups
            .iter()
            .map(|g| format!("log-group:{}", g.name))
            .collect(),
        errors,
        data: serde_json::json!({
            "error_lines": a.input.records.len(),
            "baseline_error_lines": a.input.baseline_records.as_ref().map(Vec::len),
            "patterns": a.input.patterns.len(),
            "partial": a.partial,
        }),
        findings: a.findings,
    })
}

async fn snapshot(
    agent: Arc<CloudWatchLogsAgent>,
    _p: SnapshotParams,
    deadline: Deadline,
) -> Result<ToolOutput, ToolError> {
    let req = SnapshotRequest::new(Timestamp::now(), None);
    let s = crate::snapshot::capture(&agent, &req, deadline).await;
    Ok(ToolOutput {
        errors: s.error.clone().into_iter().collect(),
        data: serde_json::to_value(&s).unwrap_or_default(),
        ..Default::default()
    })
}

/// The tools, in config.yaml's skill order.
pub fn tools(agent: Arc<CloudWatchLogsAgent>) -> ToolSet {
    let a = agent.clone();
    let b = agent.clone();
    ToolSet::new(vec![
        tool("discover_log_groups", move |p: DiscoverParams, d| {
            discover(a.clone(), p, d)
        }),
        tool("query_cloudwatch_logs", move |p: QueryParams, d| {
            query(b.clone(), p, d)
        }),
        tool("capture_snapshot", move |p: SnapshotParams, d| {
            snapshot(agent.clone(), p, d)
        }),
    ])
}
