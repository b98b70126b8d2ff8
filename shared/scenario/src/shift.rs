//! Live mode: moves a whole scenario in time (times, object timestamp fields, chat ids), leaving
//! the text inside log lines as written.

use crate::ids::{self, SnowflakeAllocator};
use crate::model::Scenario;
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use sremesh_core::Platform;
use std::collections::HashMap;

/// Keys whose RFC 3339 string values are instants in Kubernetes objects (anywhere in the tree).
pub const K8S_TIME_KEYS: &[&str] = &[
    "creationTimestamp",
    "deletionTimestamp",
    "lastTimestamp",
    "firstTimestamp",
    "eventTime",
    "lastObservedTime",
    "startedAt",
    "finishedAt",
    "startTime",
    "completionTime",
    "lastScheduleTime",
    "lastSuccessfulTime",
    "lastTransitionTime",
    "lastProbeTime",
    "lastUpdateTime",
    "lastHeartbeatTime",
    "renewTime",
    "acquireTime",
    "time",
];

fn shift(t: Timestamp, by: SignedDuration) -> Timestamp {
    t.checked_add(by).unwrap_or(t)
}

/// Formats an instant the way the API server does: whole seconds (`Time`), or microseconds
/// (`MicroTime`) when `micro`.
pub fn k8s_time(t: Timestamp, micro: bool) -> String {
    let base = t.strftime("%Y-%m-%dT%H:%M:%S").to_string();
    if micro {
        format!("{base}.{:06}Z", t.subsec_microsecond())
    } else {
        format!("{base}Z")
    }
}

/// Moves every time-valued field of a Kubernetes object by `by`.
pub fn shift_object(v: &mut Value, by: SignedDuration) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                if K8S_TIME_KEYS.contains(&k.as_str())
                    && let Value::String(s) = child
                    && let Ok(t) = s.parse::<Timestamp>()
                {
                    *s = k8s_time(shift(t, by), s.contains('.'));
                } else {
                    shift_object(child, by);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| shift_object(i, by)),
        _ => {}
    }
}

impl Scenario {
    /// The same scenario moved in time by `by` (live mode: `now` becomes the start moment).
    /// Every instant moves — message, log and event times, Kubernetes timestamp fields — and
    /// Slack `ts` / Discord ids are derived again (thread links follow). Log line text is
    /// left as written.
    pub fn shifted(&self, by: SignedDuration) -> Scenario {
        let mut s = self.clone();
        s.now = shift(s.now, by);
        let w = &mut s.world;
        if let Some(k) = &mut w.kubernetes {
            k.objects.iter_mut().for_each(|o| shift_object(o, by));
            for log in &mut k.logs {
                for l in &mut log.lines {
                    l.at = l.at.map(|t| shift(t, by));
                }
            }
        }
        if let Some(cw) = &mut w.cloudwatch_logs {
            for g in &mut cw.groups {
                g.events.iter_mut().for_each(|e| e.at = shift(e.at, by));
            }
        }
        if let Some(slack) = &mut w.slack {
            for c in &mut slack.channels {
                c.messages.iter_mut().for_each(|m| m.at = shift(m.at, by));
                let times: Vec<Timestamp> = c.messages.iter().map(|m| m.at).collect();
                let new = ids::unique_slack_ts(&times);
                let map: HashMap<String, String> = c
                    .messages
                    .iter()
                    .zip(&new)
                    .map(|(m, n)| (m.ts.clone(), n.clone()))
                    .collect();
                for (m, n) in c.messages.iter_mut().zip(new) {
                    m.ts = n;
                    if let Some(t) = &mut m.thread_ts
                        && let Some(n) = map.get(t)
                    {
                        *t = n.clone();
                    }
                }
                if s.alert.platform == Platform::Slack
                    && c.id == s.alert.channel
                    && let Some(n) = map.get(&s.alert.message_id)
                {
                    s.alert.ts = n.clone();
                    s.alert.message_id = n.clone();
                }
            }
        }
        if let Some(d) = &mut w.discord {
            let mut alloc = SnowflakeAllocator::default();
            let mut alert_moved = false;
            for c in &mut d.channels {
                for m in &mut c.messages {
                    m.at = shift(m.at, by);
                    let old = std::mem::take(&mut m.id);
                    m.id = alloc
                        .next(m.at)
                        .map(|i| i.to_string())
                        .unwrap_or(old.clone());
                    if !alert_moved
                        && s.alert.platform == Platform::Discord
                        && c.id == s.alert.channel
                        && old == s.alert.message_id
                    {
                        s.alert.message_id = m.id.clone();
                        alert_moved = true;
                    }
                }
            }
        }
        if s.alert.platform == Platform::Discord {
            s.alert.ts = ids::slack_ts(s.now);
        }
        s
    }
}
