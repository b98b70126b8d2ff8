//! Logs Insights operations: `StartQuery`, `GetQueryResults`, `StopQuery` and the query registry.
//!
//! A query is evaluated when it starts; the first `GetQueryResults` answers `Running` with no
//! rows, every later one `Complete` with the rows (paged by `maxItems`/`nextToken`), so clients
//! exercise their polling loop as against the service.

use super::insights::{MAX_LIMIT, Query, QueryOutput, Record};
use super::store::{Event, Group, group_not_found};
use super::wire::{ApiError, Service, limit, page_token};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Queries remembered at once; the oldest are forgotten first.
const MAX_QUERIES: usize = 1_000;
const DEFAULT_LIMIT: usize = 1_000;

#[derive(Default)]
pub(crate) struct Registry {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    queries: HashMap<String, Entry>,
    order: VecDeque<String>,
}

struct Entry {
    output: QueryOutput,
    status: Status,
}

#[derive(Clone, Copy, PartialEq)]
enum Status {
    Running,
    Complete,
    Cancelled,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Running => "Running",
            Status::Complete => "Complete",
            Status::Cancelled => "Cancelled",
        }
    }
}

impl Registry {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        // A panic while holding the lock cannot leave the map half-updated in a way that
        // matters (each operation is one insert/lookup), so a poisoned lock is still usable.
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StartQueryRequest {
    query_language: Option<String>,
    log_group_name: Option<String>,
    log_group_names: Option<Vec<String>>,
    log_group_identifiers: Option<Vec<String>>,
    start_time: Option<i64>,
    end_time: Option<i64>,
    query_string: Option<String>,
    limit: Option<i64>,
}

pub(crate) fn start_query(service: &Service, req: StartQueryRequest) -> Result<Value, ApiError> {
    if let Some(lang) = req.query_language.as_deref()
        && lang != "CWLI"
    {
        return Err(ApiError::MalformedQuery {
            message: format!(
                "query language '{lang}' is not supported by this sandbox; use CWLI (Logs \
                     Insights QL)"
            ),
            start: 0,
            end: 0,
        });
    }
    let names: Vec<String> = match (
        req.log_group_name,
        req.log_group_names,
        req.log_group_identifiers,
    ) {
        (Some(n), None, None) => vec![n],
        (None, Some(ns), None) | (None, None, Some(ns)) if !ns.is_empty() => ns,
        _ => {
            return Err(ApiError::InvalidParameter(
                "Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be \
                 specified"
                    .into(),
            ));
        }
    };
    let groups: Vec<&Group> = names
        .iter()
        .map(|n| service.store.find(n).ok_or_else(group_not_found))
        .collect::<Result<_, _>>()?;
    let (Some(start), Some(end)) = (req.start_time, req.end_time) else {
        return Err(ApiError::InvalidParameter(
            "startTime and endTime are required (seconds since the epoch)".into(),
        ));
    };
    if end < start {
        return Err(ApiError::InvalidParameter(
            "endTime must not be before startTime".into(),
        ));
    }
    let max_rows = limit(req.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let query_string = req
        .query_string
        .ok_or_else(|| ApiError::InvalidParameter("queryString is required".into()))?;
    let query = Query::parse(&query_string).map_err(|e| ApiError::MalformedQuery {
        message: e.message,
        start: e.start,
        end: e.end,
    })?;
    // Both bounds are inclusive whole seconds.
    let (from_ms, until_ms) = (
        start.saturating_mul(1000),
        end.saturating_add(1).saturating_mul(1000),
    );
    let records: Vec<Record<'_>> = groups
        .iter()
        .flat_map(|g| {
            g.events
                .iter()
                .filter(move |e| e.timestamp >= from_ms && e.timestamp < until_ms)
                .map(move |e: &Event| Record {
                    timestamp_ms: e.timestamp,
                    ingestion_time_ms: e.ingestion_time,
                    message: &e.message,
                    log_stream: &e.stream,
                    log_group: &g.name,
                    ptr: &e.ptr,
                })
        })
        .collect();
    let output = query.run(&records, max_rows);
    tracing::debug!(
        groups = names.len(),
        scanned = output.records_scanned,
        rows = output.rows.len(),
        "insights query evaluated"
    );
    let id = uuid::Uuid::new_v4().to_string();
    service.queries.with(|inner| {
        inner.queries.insert(
            id.clone(),
            Entry {
                output,
                status: Status::Running,
            },
        );
        inner.order.push_back(id.clone());
        while inner.order.len() > MAX_QUERIES {
            if let Some(old) = inner.order.pop_front() {
                inner.queries.remove(&old);
            }
        }
    });
    Ok(json!({ "queryId": id }))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GetQueryResultsRequest {
    query_id: Option<String>,
    next_token: Option<String>,
    max_items: Option<i64>,
}

pub(crate) fn get_query_results(
    registry: &Registry,
    req: GetQueryResultsRequest,
) -> Result<Value, ApiError> {
    let id = req
        .query_id
        .ok_or_else(|| ApiError::InvalidParameter("queryId is required".into()))?;
    let page_size = limit(req.max_items, MAX_LIMIT, MAX_LIMIT)?;
    registry.with(|inner| {
        let entry = inner
            .queries
            .get_mut(&id)
            .ok_or_else(|| ApiError::ResourceNotFound(format!("Query {id} does not exist")))?;
        let status = entry.status;
        if status == Status::Running {
            entry.status = Status::Complete; // the next poll sees it finished
        }
        let out = &entry.output;
        let mut body = json!({
            "queryLanguage": "CWLI",
            "status": status.as_str(),
            "results": [],
            "statistics": {"recordsMatched": 0.0, "recordsScanned": 0.0, "bytesScanned": 0.0},
        });
        if status != Status::Complete {
            return Ok(body);
        }
        let fp = page_token::fingerprint(&("GetQueryResults", &id));
        let offset = page_token::decode(req.next_token.as_deref(), fp)?;
        let end = offset.saturating_add(page_size).min(out.rows.len());
        let rows: Vec<Value> = out
            .rows
            .get(offset..end)
            .unwrap_or_default()
            .iter()
            .map(|row| {
                Value::Array(
                    row.iter()
                        .map(|(field, value)| json!({"field": field, "value": value}))
                        .collect(),
                )
            })
            .collect();
        body["results"] = Value::Array(rows);
        body["statistics"] = json!({
            "recordsMatched": out.records_matched as f64,
            "recordsScanned": out.records_scanned as f64,
            "bytesScanned": out.bytes_scanned as f64,
        });
        if end < out.rows.len() {
            body["nextToken"] = json!(page_token::encode(fp, end));
        }
        Ok(body)
    })
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StopQueryRequest {
    query_id: Option<String>,
}

/// Stops a query that is still `Running` (`success: true`); one that already ended is left as
/// it is (`success: false`).
pub(crate) fn stop_query(registry: &Registry, req: StopQueryRequest) -> Result<Value, ApiError> {
    let id = req
        .query_id
        .ok_or_else(|| ApiError::InvalidParameter("queryId is required".into()))?;
    registry.with(|inner| {
        let entry = inner
            .queries
            .get_mut(&id)
            .ok_or_else(|| ApiError::ResourceNotFound(format!("Query {id} does not exist")))?;
        let stopped = entry.status == Status::Running;
        if stopped {
            entry.status = Status::Cancelled;
        }
        Ok(json!({ "success": stopped }))
    })
}
