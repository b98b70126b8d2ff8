//! `FilterLogEvents` (filter patterns, interleaved across streams) and `GetLogEvents`.

use super::filter_pattern::FilterPattern;
use super::store::{Event, Store};
use super::wire::{ApiError, limit, page_token};
use serde::Deserialize;
use serde_json::{Value, json};

const MAX_EVENTS: usize = 10_000;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FilterLogEventsRequest {
    log_group_name: Option<String>,
    log_group_identifier: Option<String>,
    log_stream_names: Option<Vec<String>>,
    log_stream_name_prefix: Option<String>,
    start_time: Option<i64>,
    end_time: Option<i64>,
    filter_pattern: Option<String>,
    next_token: Option<String>,
    limit: Option<i64>,
}

/// Events of one group in time order (both time bounds inclusive, as documented: events
/// "before" `startTime` and "later than" `endTime` are left out), matching the filter pattern,
/// up to `limit` (default and maximum 10 000) per page.
pub(crate) fn filter_log_events(
    store: &Store,
    req: FilterLogEventsRequest,
) -> Result<Value, ApiError> {
    let page_size = limit(req.limit, MAX_EVENTS, MAX_EVENTS)?;
    if req.log_stream_names.is_some() && req.log_stream_name_prefix.is_some() {
        return Err(ApiError::InvalidParameter(
            "logStreamNames and logStreamNamePrefix are mutually exclusive".into(),
        ));
    }
    if let (Some(start), Some(end)) = (req.start_time, req.end_time)
        && end < start
    {
        return Err(ApiError::InvalidParameter(
            "endTime must be greater than or equal to startTime".into(),
        ));
    }
    let pattern = FilterPattern::parse(req.filter_pattern.as_deref().unwrap_or_default())
        .map_err(|e| ApiError::InvalidParameter(format!("Invalid filter pattern: {e}")))?;
    let group = store.resolve(
        req.log_group_name.as_deref(),
        req.log_group_identifier.as_deref(),
    )?;
    let stream_selected = |name: &str| {
        req.log_stream_names
            .as_ref()
            .is_none_or(|names| names.iter().any(|n| n == name))
            && req
                .log_stream_name_prefix
                .as_deref()
                .is_none_or(|p| name.starts_with(p))
    };
    let matched: Vec<&Event> = group
        .events
        .iter()
        .filter(|e| {
            req.start_time.is_none_or(|t| e.timestamp >= t)
                && req.end_time.is_none_or(|t| e.timestamp <= t)
                && stream_selected(&e.stream)
                && pattern.matches(&e.message)
        })
        .collect();
    let fp = page_token::fingerprint(&(
        "FilterLogEvents",
        &group.name,
        &req.log_stream_names,
        &req.log_stream_name_prefix,
        req.start_time,
        req.end_time,
        &req.filter_pattern,
    ));
    let offset = page_token::decode(req.next_token.as_deref(), fp)?;
    let end = offset.saturating_add(page_size).min(matched.len());
    let events: Vec<Value> = matched
        .get(offset..end)
        .unwrap_or_default()
        .iter()
        .map(|e| {
            json!({
                "logStreamName": e.stream,
                "timestamp": e.timestamp,
                "message": e.message,
                "ingestionTime": e.ingestion_time,
                "eventId": e.event_id,
            })
        })
        .collect();
    let searched: Vec<Value> = group
        .streams
        .iter()
        .filter(|s| stream_selected(&s.name))
        .map(|s| json!({"logStreamName": s.name, "searchedCompletely": true}))
        .collect();
    let mut out = json!({ "events": events, "searchedLogStreams": searched });
    if end < matched.len() {
        out["nextToken"] = json!(page_token::encode(fp, end));
    }
    Ok(out)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GetLogEventsRequest {
    log_group_name: Option<String>,
    log_group_identifier: Option<String>,
    log_stream_name: Option<String>,
    start_time: Option<i64>,
    end_time: Option<i64>,
    next_token: Option<String>,
    limit: Option<i64>,
    start_from_head: Option<bool>,
}

/// Events of one stream: `startTime` inclusive, `endTime` exclusive (as documented), the newest
/// `limit` events unless `startFromHead`; `f/…` and `b/…` tokens page forward and backward, and
/// a page at the end hands back the token it was given (how clients detect the end).
pub(crate) fn get_log_events(store: &Store, req: GetLogEventsRequest) -> Result<Value, ApiError> {
    let page_size = limit(req.limit, MAX_EVENTS, MAX_EVENTS)?;
    let group = store.resolve(
        req.log_group_name.as_deref(),
        req.log_group_identifier.as_deref(),
    )?;
    let stream = req
        .log_stream_name
        .as_deref()
        .ok_or_else(|| ApiError::InvalidParameter("logStreamName is required".into()))?;
    if !group.streams.iter().any(|s| s.name == stream) {
        return Err(ApiError::ResourceNotFound(
            "The specified log stream does not exist.".into(),
        ));
    }
    let events: Vec<&Event> = group
        .events
        .iter()
        .filter(|e| {
            e.stream == stream
                && req.start_time.is_none_or(|t| e.timestamp >= t)
                && req.end_time.is_none_or(|t| e.timestamp < t)
        })
        .collect();
    let len = events.len();
    let (start, end) = match req.next_token.as_deref() {
        Some(token) => {
            let (direction, index) = parse_stream_token(token)?;
            let index = index.min(len);
            if direction == 'f' {
                (index, index.saturating_add(page_size).min(len))
            } else {
                (index.saturating_sub(page_size), index)
            }
        }
        None if req.start_from_head.unwrap_or(false) => (0, page_size.min(len)),
        None => (len.saturating_sub(page_size), len),
    };
    let page: Vec<Value> = events[start..end]
        .iter()
        .map(|e| {
            json!({
                "timestamp": e.timestamp,
                "message": e.message,
                "ingestionTime": e.ingestion_time,
            })
        })
        .collect();
    Ok(json!({
        "events": page,
        "nextForwardToken": format!("f/{end:056}"),
        "nextBackwardToken": format!("b/{start:056}"),
    }))
}

fn parse_stream_token(token: &str) -> Result<(char, usize), ApiError> {
    let invalid = || ApiError::InvalidParameter("The specified nextToken is invalid.".into());
    let (direction, index) = token.split_once('/').ok_or_else(invalid)?;
    let direction = match direction {
        "f" => 'f',
        "b" => 'b',
        _ => return Err(invalid()),
    };
    let index = index.parse::<usize>().map_err(|_| invalid())?;
    Ok((direction, index))
}
