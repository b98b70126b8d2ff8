//! `/sre-snapshot`: how many log groups there are, which were most active and which logged
//! errors in the last 15 minutes (two Insights `stats … by @log` queries over the 50 largest
//! groups). Never fails: an unreachable service is itself the anomaly.
//!
//! The reference also reads `AWS/Logs IncomingBytes` through GetMetricData; this agent does not
//! call CloudWatch metrics (one more AWS client, and the sandbox does not serve it): it shows
//! each group's `storedBytes` instead.

use crate::query::{run_insights, stats_rows};
use crate::{CloudWatchLogsAgent, ID};
use jiff::{SignedDuration, Timestamp};
use sremesh_agent::Deadline;
use sremesh_core::{SnapshotReport, SnapshotRequest, SnapshotSection, SnapshotStatus, TimeWindow};
use std::collections::BTreeMap;

const SNAPSHOT_GROUPS: usize = 50;
const SHOWN: usize = 10;

fn error_count_query() -> String {
    "filter @message like /(?i)(error|exception|fail|fatal|panic|timed out|refused|denied|throttl|too many|out of memory)/\n| stats count(*) as errors by @log".to_owned()
}

fn activity_query() -> String {
    "stats count(*) as events, max(@timestamp) as last_event by @log".to_owned()
}

fn bytes(n: Option<i64>) -> String {
    let Some(n) = n else { return "size ?".into() };
    let n = n as f64;
    match n {
        n if n >= 1e9 => format!("{:.1} GB", n / 1e9),
        n if n >= 1e6 => format!("{:.1} MB", n / 1e6),
        n if n >= 1e3 => format!("{:.1} kB", n / 1e3),
        n => format!("{n:.0} B"),
    }
}

/// Takes the snapshot at `req.requested_at`.
pub async fn capture(
    agent: &CloudWatchLogsAgent,
    req: &SnapshotRequest,
    deadline: Deadline,
) -> SnapshotReport {
    let at = req.requested_at;
    let failed = |status, error: String| {
        let mut s = SnapshotReport::failed(ID, at, status, error.clone());
        s.anomaly = true;
        s.anomaly_summary = Some(error);
        s
    };
    let client = match agent.client() {
        Ok(c) => c,
        Err(reason) => return failed(SnapshotStatus::Unhealthy, reason.to_owned()),
    };
    let listing = match client
        .list_groups(agent.settings().max_groups_scanned, deadline)
        .await
    {
        Ok(l) => l,
        Err(e) => {
            let status = if e.is_unhealthy() {
                SnapshotStatus::Unhealthy
            } else {
                SnapshotStatus::Error
            };
            return failed(status, format!("DescribeLogGroups failed: {e}"));
        }
    };
    let mut largest = listing.groups.clone();
    largest.sort_by(|a, b| {
        b.stored_bytes
            .cmp(&a.stored_bytes)
            .then(a.name.cmp(&b.name))
    });
    largest.truncate(SNAPSHOT_GROUPS);
    let names: Vec<String> = largest.iter().map(|g| g.name.clone()).collect();
    let range = TimeWindow {
        start: at.checked_sub(SignedDuration::from_mins(15)).unwrap_or(at),
        end: at,
    };
    let mut sections = Vec::new();
    let mut warnings = Vec::new();
    let (activity, errors) = if names.is_empty() {
        (BTreeMap::new(), Some(BTreeMap::new()))
    } else {
        let (aq, eq) = (activity_query(), error_count_query());
        let (a, e) = futures::join!(
            run_insights(client, &names, &aq, range, deadline),
            run_insights(client, &names, &eq, range, deadline),
        );
        let per_group = |r: &crate::query::QueryRun, col: &str| -> BTreeMap<String, f64> {
            stats_rows(&r.rows, "@log")
                .into_iter()
                .filter_map(|(g, nums)| Some((g, nums.iter().find(|(f, _)| f == col)?.1)))
                .collect()
        };
        if let Some(p) = &a.problem {
            warnings.push(format!("⚠️ activity unavailable: {p}"));
        }
        let errors = if e.complete {
            Some(per_group(&e, "errors"))
        } else {
            warnings.push(format!(
                "⚠️ error count unavailable: {}",
                e.problem.as_deref().unwrap_or("query did not complete")
            ));
            None
        };
        (per_group(&a, "events"), errors)
    };
    let mut shown: Vec<&crate::client::ListedGroup> = largest.iter().collect();
    shown.sort_by(|x, y| {
        let ex = activity.get(&x.name).copied().unwrap_or(0.0);
        let ey = activity.get(&y.name).copied().unwrap_or(0.0);
        ey.total_cmp(&ex).then(y.stored_bytes.cmp(&x.stored_bytes))
    });
    let lines: Vec<String> = shown
        .iter()
        .take(SHOWN)
        .map(|g| {
            let events = activity.get(&g.name).copied().unwrap_or(0.0);
            let errs = errors.as_ref().map_or("errors ?".to_owned(), |m| {
                format!("{} errors", m.get(&g.name).copied().unwrap_or(0.0))
            });
            format!(
                "{} · {events} events · {errs} · {}",
                g.name,
                bytes(g.stored_bytes)
            )
        })
        .collect();
    sections.push(SnapshotSection::new(
        "Most active log groups (last 15 min)",
        lines,
    ));
    let mut with_errors: Vec<(String, f64)> = errors
        .as_ref()
        .map(|m| {
            m.iter()
                .filter(|(_, n)| **n > 0.0)
                .map(|(g, n)| (g.clone(), *n))
                .collect()
        })
        .unwrap_or_default();
    with_errors.sort_by(|a, b| b.1.total_cmp(&a.1));
    if !with_errors.is_empty() {
        sections.push(SnapshotSection::new(
            "Errors (last 15 min)",
            with_errors
                .iter()
                .take(SHOWN)
                .map(|(g, n)| format!("{g} · {n} errors")),
        ));
    }
    if !warnings.is_empty() {
        sections.push(SnapshotSection::new("Warnings", warnings));
    }
    let anomaly_summary = (!with_errors.is_empty()).then(|| {
        let top: Vec<String> = with_errors
            .iter()
            .take(3)
            .map(|(g, n)| format!("{g} ({n})"))
            .collect();
        format!(
            "{} log group(s) with errors in the last 15 min: {}",
            with_errors.len(),
            top.join(", ")
        )
    });
    SnapshotReport {
        agent: ID.to_owned(),
        captured_at: Timestamp::now(),
        status: SnapshotStatus::Ok,
        header: format!(
            "{}{} log group(s) in {}",
            listing.groups.len(),
            if listing.truncated { "+" } else { "" },
            client.region
        ),
        sections,
        anomaly: anomaly_summary.is_some(),
        anomaly_summary,
        error: None,
        telemetry: Default::default(),
    }
}
