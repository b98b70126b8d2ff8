//! `DescribeLogGroups` and `DescribeLogStreams`.

use super::store::{Group, Store, name_from_identifier};
use super::wire::{ApiError, Ctx, limit, page_token};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DescribeLogGroupsRequest {
    log_group_name_prefix: Option<String>,
    log_group_name_pattern: Option<String>,
    log_group_identifiers: Option<Vec<String>>,
    log_group_class: Option<String>,
    limit: Option<i64>,
    next_token: Option<String>,
}

/// Groups sorted by name, filtered by prefix (case-sensitive), pattern (case-sensitive
/// substring, as the API reference documents) or identifiers, 50 per page by default.
pub(crate) fn describe_log_groups(
    store: &Store,
    ctx: &Ctx,
    req: DescribeLogGroupsRequest,
) -> Result<Value, ApiError> {
    let page_size = limit(req.limit, 50, 50)?;
    if req.log_group_name_prefix.is_some() && req.log_group_name_pattern.is_some() {
        return Err(ApiError::InvalidParameter(
            "LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive".into(),
        ));
    }
    if req.log_group_identifiers.is_some()
        && (req.log_group_name_prefix.is_some() || req.log_group_name_pattern.is_some())
    {
        return Err(ApiError::InvalidParameter(
            "LogGroupIdentifiers cannot be combined with LogGroupNamePrefix or LogGroupNamePattern"
                .into(),
        ));
    }
    if let Some(class) = &req.log_group_class
        && !matches!(
            class.as_str(),
            "STANDARD" | "INFREQUENT_ACCESS" | "DELIVERY"
        )
    {
        return Err(ApiError::InvalidParameter(format!(
            "Value '{class}' at 'logGroupClass' failed to satisfy constraint: Member must \
                 satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]"
        )));
    }
    let ids: Option<Vec<&str>> = req
        .log_group_identifiers
        .as_ref()
        .map(|ids| ids.iter().map(|i| name_from_identifier(i)).collect());
    let selected: Vec<&Group> = store
        .groups()
        .iter()
        .filter(|g| {
            req.log_group_name_prefix
                .as_deref()
                .is_none_or(|p| g.name.starts_with(p))
                && req
                    .log_group_name_pattern
                    .as_deref()
                    .is_none_or(|p| g.name.contains(p))
                && ids
                    .as_ref()
                    .is_none_or(|ids| ids.contains(&g.name.as_str()))
                && req
                    .log_group_class
                    .as_deref()
                    .is_none_or(|c| c == "STANDARD")
        })
        .collect();
    let fp = page_token::fingerprint(&(
        "DescribeLogGroups",
        &req.log_group_name_prefix,
        &req.log_group_name_pattern,
        &req.log_group_identifiers,
        &req.log_group_class,
    ));
    let offset = page_token::decode(req.next_token.as_deref(), fp)?;
    let end = offset.saturating_add(page_size).min(selected.len());
    let page = selected.get(offset..end).unwrap_or_default();
    let log_groups: Vec<Value> = page
        .iter()
        .map(|g| {
            let arn = ctx.group_arn(&g.name);
            json!({
                "logGroupName": g.name,
                "creationTime": g.creation_time,
                "metricFilterCount": 0,
                "arn": format!("{arn}:*"),
                "logGroupArn": arn,
                "storedBytes": g.stored_bytes,
                "logGroupClass": "STANDARD",
                "deletionProtectionEnabled": false,
            })
        })
        .collect();
    let mut out = json!({ "logGroups": log_groups });
    if end < selected.len() {
        out["nextToken"] = json!(page_token::encode(fp, end));
    }
    Ok(out)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DescribeLogStreamsRequest {
    log_group_name: Option<String>,
    log_group_identifier: Option<String>,
    log_stream_name_prefix: Option<String>,
    order_by: Option<String>,
    descending: Option<bool>,
    limit: Option<i64>,
    next_token: Option<String>,
}

/// Streams of one group, by name (default) or by last event time, 50 per page by default.
pub(crate) fn describe_log_streams(
    store: &Store,
    ctx: &Ctx,
    req: DescribeLogStreamsRequest,
) -> Result<Value, ApiError> {
    let page_size = limit(req.limit, 50, 50)?;
    let by_time = match req.order_by.as_deref() {
        None | Some("LogStreamName") => false,
        Some("LastEventTime") => true,
        Some(other) => {
            return Err(ApiError::InvalidParameter(format!(
                "Value '{other}' at 'orderBy' failed to satisfy constraint: Member must satisfy \
                 enum value set: [LogStreamName, LastEventTime]"
            )));
        }
    };
    if by_time && req.log_stream_name_prefix.is_some() {
        return Err(ApiError::InvalidParameter(
            "Cannot order by LastEventTime with a logStreamNamePrefix.".into(),
        ));
    }
    let group = store.resolve(
        req.log_group_name.as_deref(),
        req.log_group_identifier.as_deref(),
    )?;
    let mut streams: Vec<_> = group
        .streams
        .iter()
        .filter(|s| {
            req.log_stream_name_prefix
                .as_deref()
                .is_none_or(|p| s.name.starts_with(p))
        })
        .collect();
    if by_time {
        streams.sort_by(|a, b| a.last_event.cmp(&b.last_event).then(a.name.cmp(&b.name)));
    }
    if req.descending.unwrap_or(false) {
        streams.reverse();
    }
    let fp = page_token::fingerprint(&(
        "DescribeLogStreams",
        &group.name,
        &req.log_stream_name_prefix,
        by_time,
        req.descending,
    ));
    let offset = page_token::decode(req.next_token.as_deref(), fp)?;
    let end = offset.saturating_add(page_size).min(streams.len());
    let page = streams.get(offset..end).unwrap_or_default();
    let group_arn = ctx.group_arn(&group.name);
    let log_streams: Vec<Value> = page
        .iter()
        .map(|s| {
            json!({
                "logStreamName": s.name,
                "creationTime": s.first_event,
                "firstEventTimestamp": s.first_event,
                "lastEventTimestamp": s.last_event,
                "lastIngestionTime": s.last_ingestion,
                "arn": format!("{group_arn}:log-stream:{}", s.name),
                "storedBytes": 0,
            })
        })
        .collect();
    let mut out = json!({ "logStreams": log_streams });
    if end < streams.len() {
        out["nextToken"] = json!(page_token::encode(fp, end));
    }
    Ok(out)
}
