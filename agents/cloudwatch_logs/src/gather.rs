//! Gathering under a deadline: discover the alert's log groups, run the window and baseline
//! queries (and the Lambda REPORT summaries) concurrently, fall back to FilterLogEvents when
//! Insights refuses, then follow the app's errors to its database's log group.

use crate::analyzers::{Activity, DbConnections, LambdaStats, SourceActivity};
use crate::client::{LogsClient, LogsError};
use crate::discovery::{
    Candidate, GroupInfo, Target, callers, contains_token, probe, select, trail_groups, widen,
};
use crate::query::{self, QueryRun, baseline_of, rows_to_records, stats_rows};
use crate::records::{LogRecord, lambda_function};
use regex::Regex;
use sremesh_agent::Deadline;
use sremesh_core::TimeWindow;
use sremesh_core::signals;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// What discovery found.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// The groups chosen, best first.
    pub chosen: Vec<Candidate>,
    /// Every group listed.
    pub listed: Vec<GroupInfo>,
    /// True when the account holds more groups than were listed.
    pub truncated: bool,
    /// The shared groups looked inside for the service's lines when no group is named after
    /// it (see [`crate::discovery::probe`]).
    pub probed: Vec<String>,
    /// Why that look could not finish, if it could not.
    pub probe_problem: Option<String>,
    /// CloudTrail groups (read for the API calls that changed what the failures name).
    pub trails: Vec<String>,
}

/// Lists up to `max_scan` groups and picks at most `cap` for the target; when none is named
/// after it, looks inside the shared groups for its lines over `window` and its baseline, and
/// failing that takes the groups sharing a meaningful name stem with it.
pub async fn discover(
    client: &LogsClient,
    target: &Target,
    max_scan: usize,
    cap: usize,
    window: TimeWindow,
    deadline: Deadline,
) -> Result<Discovery, LogsError> {
    let listing = client.list_groups(max_scan, deadline).await?;
    let listed: Vec<GroupInfo> = listing
        .groups
        .into_iter()
        .map(|g| GroupInfo {
            name: g.name,
            stored_bytes: g.stored_bytes,
        })
        .collect();
    let mut found = Discovery {
        chosen: select(target, &listed, cap),
        listed,
        truncated: listing.truncated,
        ..Default::default()
    };
    let names = probe::names(target);
    if found.chosen.is_empty() && !names.is_empty() {
        let groups = probe::groups(target, &found.listed);
        if !groups.is_empty() {
            let range = TimeWindow {
                start: baseline_of(window).start,
                end: window.end,
            };
            let run =
                query::run_insights(client, &groups, &probe::query(&names), range, deadline).await;
            let rows: Vec<(String, f64)> = stats_rows(&run.rows, "@log")
                .into_iter()
                .filter_map(|(g, nums)| Some((g, nums.first()?.1)))
                .collect();
            found.chosen = probe::candidates(&rows, &names, &found.listed, cap);
            let room = cap.saturating_sub(found.chosen.len());
            let nodes = probe::node_groups(&found.chosen, &found.listed, room);
            found.chosen.extend(nodes);
            found.probe_problem = run.problem.clone();
            tracing::info!(
                groups = groups.len(),
                found = found.chosen.len(),
                complete = run.complete,
                "log_group_probe"
            );
            found.probed = groups;
        }
    }
    found.chosen = widen(
        target,
        &found.listed,
        std::mem::take(&mut found.chosen),
        cap,
    );
    add_callers(client, target, cap, window, deadline, &mut found).await;
    found.trails = trail_groups(&found.listed);
    Ok(found)
}

/// When the alert names a Lambda function whose group was chosen, adds the other groups whose
/// lines name it (its callers, an account report; see [`callers`]).
async fn add_callers(
    client: &LogsClient,
    target: &Target,
    cap: usize,
    window: TimeWindow,
    deadline: Deadline,
    found: &mut Discovery,
) {
    let functions = callers::functions(target, &found.chosen);
    let room = cap.saturating_sub(found.chosen.len());
    if functions.is_empty() || room == 0 || deadline.passed() {
        return;
    }
    let groups = callers::groups(&found.listed, &found.chosen);
    if groups.is_empty() {
        return;
    }
    let range = TimeWindow {
        start: baseline_of(window).start,
        end: window.end,
    };
    let run = query::run_insights(
        client,
        &groups,
        &callers::query(&functions),
        range,
        deadline,
    )
    .await;
    let rows: Vec<(String, f64)> = stats_rows(&run.rows, "@log")
        .into_iter()
        .filter_map(|(g, nums)| Some((g, nums.first()?.1)))
        .collect();
    let added = callers::candidates(&rows, &functions, &found.listed, room);
    tracing::info!(
        groups = groups.len(),
        added = added.len(),
        complete = run.complete,
        "lambda_caller_probe"
    );
    found.chosen.extend(added);
}

/// What the queries returned.
#[derive(Debug, Clone, Default)]
pub struct Gathered {
    pub records: Vec<LogRecord>,
    /// `None` when the baseline could not be read.
    pub baseline: Option<Vec<LogRecord>>,
    pub lambda: BTreeMap<String, (LambdaStats, Option<LambdaStats>)>,
    pub db_connections: BTreeMap<String, DbConnections>,
    /// When each source last logged anything in the window (`None`: unknown).
    pub activity: Option<Activity>,
    /// Groups queried (discovery's plus database follow-ups).
    pub groups: Vec<Candidate>,
    /// Problems met on the way (said in the result's `error`).
    pub problems: Vec<String>,
    /// Some step was cut short by the deadline.
    pub partial: bool,
    /// The window query could not run at all (and neither could the fallback).
    pub fatal: Option<LogsError>,
}

fn lambda_stats(run: &QueryRun) -> BTreeMap<String, LambdaStats> {
    stats_rows(&run.rows, "@log")
        .into_iter()
        .map(|(group, nums)| {
            let get = |k: &str| nums.iter().find(|(f, _)| f == k).map(|(_, v)| *v);
            let function = lambda_function(&group).unwrap_or(&group).to_owned();
            let s = LambdaStats {
                invocations: get("invocations").unwrap_or(0.0),
                p50_ms: get("p50_ms"),
                max_ms: get("max_ms"),
                max_memory_mb: get("max_memory_mb"),
                memory_size_mb: get("memory_size_mb"),
            };
            (function, s)
        })
        .collect()
}

/// Runs `query` over `groups` for the window and its baseline (Insights, else FilterLogEvents).
async fn window_and_baseline(
    client: &LogsClient,
    groups: &[String],
    query: &str,
    window: TimeWindow,
    deadline: Deadline,
    out: &mut Gathered,
) -> (Vec<LogRecord>, Option<Vec<LogRecord>>) {
    let baseline = baseline_of(window);
    let default_group = groups.first().map(String::as_str).unwrap_or_default();
    let (w, b) = futures::join!(
        query::run_insights(client, groups, query, window, deadline),
        query::run_insights(client, groups, query, baseline, deadline),
    );
    // Insights refused or failed (not for lack of time or credentials): read the events instead.
    let fall_back = match &w.error {
        None | Some(LogsError::Deadline(_)) => false,
        Some(e) => !e.is_unhealthy() && w.rows.is_empty(),
    };
    if fall_back {
        if let Some(p) = &w.problem {
            out.problems
                .push(format!("{p}; falling back to FilterLogEvents"));
        }
        let ((rw, pw, cw), (rb, pb, cb)) = futures::join!(
            query::filter_fallback(client, groups, window, deadline),
            query::filter_fallback(client, groups, baseline, deadline),
        );
        out.partial |= cw || cb;
        let window_failed = rw.is_empty() && pw.len() == groups.len() && !groups.is_empty();
        let baseline_failed = rb.is_empty() && pb.len() == groups.len() && !groups.is_empty();
        out.problems.extend(pw);
        out.problems.extend(pb);
        if window_failed {
            out.fatal = w.error.clone();
        }
        return (rw, (!baseline_failed).then_some(rb));
    }
    if w.error.as_ref().is_some_and(LogsError::is_unhealthy) {
        out.fatal = w.error.clone();
    }
    for r in [&w, &b] {
        if let Some(p) = &r.problem {
            out.problems.push(p.clone());
        }
        out.partial |= !r.complete;
    }
    let baseline_records =
        (b.complete || !b.rows.is_empty()).then(|| rows_to_records(&b.rows, default_group));
    (rows_to_records(&w.rows, default_group), baseline_records)
}

/// Gathers everything the analyzers read for `groups` over `window`.
pub async fn gather(
    client: &LogsClient,
    listed: &[GroupInfo],
    groups: &[Candidate],
    target: &Target,
    window: TimeWindow,
    query: &str,
    deadline: Deadline,
) -> Gathered {
    let mut out = Gathered {
        groups: groups.to_vec(),
        ..Default::default()
    };
    let names: Vec<String> = groups.iter().map(|g| g.name.clone()).collect();
    let lambdas: Vec<String> = names
        .iter()
        .filter(|n| lambda_function(n).is_some())
        .cloned()
        .collect();
    let report = query::lambda_report_query();
    let baseline = baseline_of(window);
    let lambda_runs = async {
        if lambdas.is_empty() {
            return None;
        }
        Some(futures::join!(
            query::run_insights(client, &lambdas, &report, window, deadline),
            query::run_insights(client, &lambdas, &report, baseline, deadline),
        ))
    };
    let activity_query = query::activity_query();
    let history = TimeWindow {
        start: baseline.start,
        end: window.end,
    };
    let ((records, base), lambda, activity) = {
        let mut side = Gathered::default();
        let (main, lambda, activity) = futures::join!(
            window_and_baseline(client, &names, query, window, deadline, &mut side),
            lambda_runs,
            query::run_insights(client, &names, &activity_query, history, deadline),
        );
        out.problems.extend(side.problems);
        out.partial |= side.partial;
        out.fatal = side.fatal;
        (main, lambda, activity)
    };
    out.activity = activity.complete.then(|| activity_of(&activity.rows));
    if let Some((lw, lb)) = lambda {
        let before = lb.complete.then(|| lambda_stats(&lb));
        for (f, s) in lambda_stats(&lw) {
            let b = before
                .as_ref()
                .map(|m| m.get(&f).cloned().unwrap_or_default());
            out.lambda.insert(f, (s, b));
        }
        out.partial |= !lw.complete;
    }
    out.records = records;
    out.baseline = base;
    if out.fatal.is_none() {
        follow_database(client, listed, target, window, query, deadline, &mut out).await;
    }
    out
}

/// `stats … by @logStream, @log` rows as what each source (pod, else stream) logged.
pub fn activity_of(rows: &[Vec<(String, String)>]) -> Activity {
    let mut out = Activity::new();
    for row in rows {
        let get = |k: &str| row.iter().find(|(f, _)| f == k).map(|(_, v)| v.as_str());
        let (Some(stream), Some(log), Some(last)) =
            (get("@logStream"), get("@log"), get("last_seen"))
        else {
            continue;
        };
        let Some(last) = crate::records::parse_insights_time(last) else {
            continue;
        };
        let first = get("first_seen")
            .and_then(crate::records::parse_insights_time)
            .unwrap_or(last);
        let lines = get("lines")
            .and_then(|n| n.trim().parse::<f64>().ok())
            .map_or(1, |n| n.max(1.0) as u64);
        let group = query::group_of_log_field(log);
        let origin = LogRecord::parse(group, stream, last, "")
            .origin()
            .to_owned();
        let row = SourceActivity { first, last, lines };
        out.entry((group.to_owned(), origin))
            .and_modify(|a| a.merge(row))
            .or_insert(row);
    }
    out
}

static RDS_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b([a-z][a-z0-9-]{0,62})\.(?:cluster-(?:ro-)?)?(?:proxy-)?[a-z0-9]{6,}\.[a-z0-9-]+\.rds\.amazonaws\.com")
        .expect("static regex")
});

fn is_db_signature(id: &str) -> bool {
    matches!(id, "too_many_clients" | "pool_exhausted")
}

/// RDS groups the app's errors point at (by endpoint host name, or — for connection-limit
/// errors or an alert that speaks of a database — by sharing a name token with the alert's
/// keywords) that were not queried yet.
pub fn database_followups(
    listed: &[GroupInfo],
    queried: &[Candidate],
    records: &[LogRecord],
    target: &Target,
) -> Vec<Candidate> {
    let mut hosts: BTreeSet<String> = BTreeSet::new();
    let mut db_errors = target.mentions_database;
    for r in records {
        for c in RDS_HOST.captures_iter(&r.line) {
            hosts.insert(c[1].to_ascii_lowercase());
        }
        db_errors |= signals::classify(&r.line).is_some_and(|s| is_db_signature(s.id));
    }
    let tokens: BTreeSet<&str> = target
        .keywords
        .iter()
        .flat_map(|k| k.text.split(['-', '_']))
        .filter(|t| t.len() >= 4)
        .collect();
    listed
        .iter()
        .filter(|g| g.name.starts_with("/aws/rds/"))
        .filter(|g| !queried.iter().any(|q| q.name == g.name))
        .filter_map(|g| {
            let lower = g.name.to_ascii_lowercase();
            let by_host: Vec<String> = hosts
                .iter()
                .filter(|h| contains_token(&lower, h))
                .cloned()
                .collect();
            let by_token: Vec<String> = if db_errors {
                tokens
                    .iter()
                    .filter(|t| contains_token(&lower, t))
                    .map(|t| (*t).to_owned())
                    .collect()
            } else {
                Vec::new()
            };
            let matched: Vec<String> = by_host.into_iter().chain(by_token).collect();
            (!matched.is_empty()).then(|| Candidate {
                name: g.name.clone(),
                score: 1,
                matched,
                dedicated: true,
                stored_bytes: g.stored_bytes,
            })
        })
        .take(2)
        .collect()
}

/// Adds the database's log group when the app's errors point at one, and counts who holds
/// the connections when a PostgreSQL group reports its connection limit.
async fn follow_database(
    client: &LogsClient,
    listed: &[GroupInfo],
    target: &Target,
    window: TimeWindow,
    query: &str,
    deadline: Deadline,
    out: &mut Gathered,
) {
    let extra = database_followups(listed, &out.groups, &out.records, target);
    if !extra.is_empty() && !deadline.passed() {
        let names: Vec<String> = extra.iter().map(|c| c.name.clone()).collect();
        let mut side = Gathered::default();
        let (w, b) = window_and_baseline(client, &names, query, window, deadline, &mut side).await;
        out.problems.extend(side.problems);
        out.partial |= side.partial;
        out.records.extend(w);
        match (&mut out.baseline, b) {
            (Some(base), Some(b)) => base.extend(b),
            (base, None) => *base = None,
            (None, Some(_)) => {}
        }
        out.groups.extend(extra);
    }
    let limited: BTreeSet<String> = out
        .records
        .iter()
        .filter(|r| r.group.starts_with("/aws/rds/") && r.group.contains("postgres"))
        .filter(|r| signals::classify(&r.line).is_some_and(|s| s.id == "too_many_clients"))
        .map(|r| r.group.clone())
        .collect();
    let q = query::db_connections_query();
    let baseline = baseline_of(window);
    for group in limited {
        if deadline.passed() {
            out.partial = true;
            break;
        }
        let g = [group.clone()];
        let (w, b) = futures::join!(
            query::run_insights(client, &g, &q, window, deadline),
            query::run_insights(client, &g, &q, baseline, deadline),
        );
        let counts = |r: &QueryRun| -> Vec<(String, f64)> {
            stats_rows(&r.rows, "db_user")
                .into_iter()
                .filter_map(|(u, nums)| Some((u, nums.first()?.1)))
                .collect()
        };
        if w.complete {
            out.db_connections
                .insert(group, (counts(&w), b.complete.then(|| counts(&b))));
        } else {
            out.partial = true;
        }
    }
}

mod trail;

pub use trail::{LOOK_BACK, Trail, trail, trail_query};

#[cfg(test)]
mod tests;
