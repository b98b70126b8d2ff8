//! Reading the CloudTrail groups: the failed calls and the changes (`Update*`, `Put*`,
//! `Delete*` …) over the look-back before the alert's window and the window itself.

use crate::client::LogsClient;
use crate::query::{self, group_of_log_field};
use crate::records::parse_insights_time;
use crate::trail::{self, TrailEvent};
use jiff::{SignedDuration, Timestamp};
use sremesh_agent::Deadline;
use sremesh_core::TimeWindow;

/// How far before the alert changes are read.
pub const LOOK_BACK: SignedDuration = SignedDuration::from_hours(3);

/// What the trail query returned.
#[derive(Debug, Clone, Default)]
pub struct Trail {
    pub events: Vec<TrailEvent>,
    pub problem: Option<String>,
    pub partial: bool,
}

/// The Insights query: failed calls and calls that change something.
pub fn trail_query() -> String {
    format!(
        "fields @timestamp, @message, @log\n| filter @message like /\"errorCode\"/ or @message like /\"eventName\":\\s*\"({})[A-Z]/\n| sort @timestamp desc\n| limit 5000",
        trail::MUTATING.join("|")
    )
}

/// Reads `groups` from [`LOOK_BACK`] before the alert (or the window's start, if earlier) to
/// the window's end.
pub async fn trail(
    client: &LogsClient,
    groups: &[String],
    window: TimeWindow,
    alert_time: Timestamp,
    deadline: Deadline,
) -> Trail {
    if groups.is_empty() {
        return Trail::default();
    }
    let start = alert_time
        .checked_sub(LOOK_BACK)
        .unwrap_or(window.start)
        .min(window.start);
    let range = TimeWindow {
        start,
        end: window.end,
    };
    let run = query::run_insights(client, groups, &trail_query(), range, deadline).await;
    let default_group = groups.first().map(String::as_str).unwrap_or_default();
    let events = run
        .rows
        .iter()
        .filter_map(|row| {
            let get = |k: &str| row.iter().find(|(f, _)| f == k).map(|(_, v)| v.as_str());
            let at = parse_insights_time(get("@timestamp")?)?;
            let group = get("@log").map_or(default_group, group_of_log_field);
            trail::parse(group, at, get("@message")?)
        })
        .collect::<Vec<_>>();
    tracing::info!(
        groups = groups.len(),
        events = events.len(),
        complete = run.complete,
        "cloudtrail_read"
    );
    Trail {
        events,
        problem: run.problem,
        partial: !run.complete,
    }
}
