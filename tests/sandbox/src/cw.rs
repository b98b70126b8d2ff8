//! Bridges the scenario's CloudWatch log groups to the CloudWatch Logs server in
//! [`crate::cloudwatch`] (written separately; this is the only place that knows its input types).

use crate::cloudwatch::{EventData, LogGroupData};
use sremesh_scenario::Scenario;

/// The scenario's log groups as the CloudWatch server takes them (none: an empty account).
pub(crate) fn groups(s: &Scenario) -> Vec<LogGroupData> {
    s.world
        .cloudwatch_logs
        .iter()
        .flat_map(|cw| &cw.groups)
        .map(|g| LogGroupData {
            name: g.name.clone(),
            events: g
                .events
                .iter()
                .map(|e| EventData {
                    timestamp_ms: e.at.as_millisecond(),
                    stream: e.stream.clone(),
                    message: e.message.clone(),
                })
                .collect(),
        })
        .collect()
}

pub(crate) fn router(s: &Scenario) -> axum::Router {
    crate::cloudwatch::router(groups(s))
}
