//! The immutable log data: groups sorted by name, events sorted by time, per-stream summaries.

use super::LogGroupData;
use super::wire::ApiError;
use std::collections::BTreeMap;

/// Milliseconds between an event's time and its (simulated) ingestion.
const INGESTION_DELAY_MS: i64 = 1_000;
/// A group is reported created this long before its first event.
const CREATED_BEFORE_FIRST_EVENT_MS: i64 = 86_400_000;

pub(crate) struct Store {
    groups: Vec<Group>,
}

pub(crate) struct Group {
    pub name: String,
    /// Sorted by timestamp; ties keep the scenario's order.
    pub events: Vec<Event>,
    /// Sorted by name.
    pub streams: Vec<Stream>,
    pub creation_time: i64,
    pub stored_bytes: u64,
}

pub(crate) struct Event {
    pub timestamp: i64,
    pub ingestion_time: i64,
    pub stream: String,
    pub message: String,
    /// A 56-digit id, unique across the store, like the service's.
    pub event_id: String,
    /// The Insights `@ptr` of this event.
    pub ptr: String,
}

pub(crate) struct Stream {
    pub name: String,
    pub first_event: i64,
    pub last_event: i64,
    pub last_ingestion: i64,
    pub stored_bytes: u64,
}

impl Store {
    pub fn new(groups: Vec<LogGroupData>) -> Self {
        let mut merged: BTreeMap<String, Vec<super::EventData>> = BTreeMap::new();
        for group in groups {
            merged.entry(group.name).or_default().extend(group.events);
        }
        let groups = merged
            .into_iter()
            .enumerate()
            .map(|(index, (name, events))| Group::new(index, name, events))
            .collect();
        Self { groups }
    }

    /// All groups, sorted by name.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// A group by name or ARN (`arn:aws:logs:<region>:<account>:log-group:<name>[:*]`).
    pub fn find(&self, name_or_arn: &str) -> Option<&Group> {
        let name = name_from_identifier(name_or_arn);
        self.groups
            .binary_search_by(|g| g.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.groups[i])
    }

    /// The group named by exactly one of `logGroupName` / `logGroupIdentifier`.
    pub fn resolve(
        &self,
        name: Option<&str>,
        identifier: Option<&str>,
    ) -> Result<&Group, ApiError> {
        let wanted = match (name, identifier) {
            (Some(n), None) | (None, Some(n)) => n,
            (Some(_), Some(_)) => {
                return Err(ApiError::InvalidParameter(
                    "LogGroupName and LogGroupIdentifier are mutually exclusive; specify one"
                        .into(),
                ));
            }
            (None, None) => {
                return Err(ApiError::InvalidParameter(
                    "Either LogGroupName or LogGroupIdentifier must be specified".into(),
                ));
            }
        };
        self.find(wanted).ok_or_else(group_not_found)
    }
}

pub(crate) fn group_not_found() -> ApiError {
    ApiError::ResourceNotFound("The specified log group does not exist.".into())
}

/// The log group name inside an identifier, which is a name or an ARN.
pub(crate) fn name_from_identifier(identifier: &str) -> &str {
    if identifier.starts_with("arn:")
        && let Some((_, name)) = identifier.split_once(":log-group:")
    {
        return name.strip_suffix(":*").unwrap_or(name);
    }
    identifier
}

impl Group {
    fn new(group_index: usize, name: String, mut data: Vec<super::EventData>) -> Self {
        data.sort_by_key(|e| e.timestamp_ms); // stable: ties keep the scenario's order
        let events: Vec<Event> = data
            .into_iter()
            .enumerate()
            .map(|(i, e)| Event {
                timestamp: e.timestamp_ms,
                ingestion_time: e.timestamp_ms.saturating_add(INGESTION_DELAY_MS),
                event_id: format!(
                    "{:024}{:08}{:024}",
                    e.timestamp_ms.max(0),
                    group_index % 100_000_000,
                    i
                ),
                ptr: format!("CgR{group_index:x}EgR{i:x}IAE"),
                stream: e.stream,
                message: e.message,
            })
            .collect();
        let mut streams: BTreeMap<&str, Stream> = BTreeMap::new();
        for e in &events {
            let s = streams.entry(&e.stream).or_insert_with(|| Stream {
                name: e.stream.clone(),
                first_event: e.timestamp,
                last_event: e.timestamp,
                last_ingestion: e.ingestion_time,
                stored_bytes: 0,
            });
            s.first_event = s.first_event.min(e.timestamp);
            s.last_event = s.last_event.max(e.timestamp);
            s.last_ingestion = s.last_ingestion.max(e.ingestion_time);
            s.stored_bytes += e.message.len() as u64;
        }
        let streams: Vec<Stream> = streams.into_values().collect();
        let creation_time = events
            .first()
            .map_or(0, |e| e.timestamp - CREATED_BEFORE_FIRST_EVENT_MS)
            .max(0);
        let stored_bytes = streams.iter().map(|s| s.stored_bytes).sum();
        Self {
            name,
            events,
            streams,
            creation_time,
            stored_bytes,
        }
    }
}
