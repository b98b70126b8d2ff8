//! The two slash commands, the same on Slack and Discord: `/sre-snapshot` (a snapshot request
//! to the master, posted to the channel by the master) and `/investigate <text>` (post
//! "🔎 Investigating: <text>" top-level and investigate it in that message's thread). Each
//! returns the text of the answer shown to the user who ran it.

use crate::intake::{Alert, Budget, HandOff, Intake};
use crate::messages::{
    HANDOFF_FAILED, INVESTIGATE_ACK, INVESTIGATE_USAGE, Investigating, SNAPSHOT_ACK,
};
use jiff::Timestamp;
use sremesh_chat::Target;
use sremesh_chat::render::{Dialect, escape};
use sremesh_chat::slack::ts_time;
use sremesh_core::{Platform, SnapshotRequest};
use std::collections::BTreeMap;
use std::time::Duration;

/// `/sre-snapshot` from `channel`: the answer for the user.
pub(crate) async fn snapshot(
    intake: &Intake,
    platform: Platform,
    channel: &str,
    budget: &Budget,
) -> String {
    let mut req = SnapshotRequest::new(Timestamp::now(), None);
    req.platform = Some(platform);
    req.channel_id = Some(channel.to_owned());
    let timeout = intake.limits.handoff.min(budget.left(Duration::ZERO));
    match intake.master.snapshot(&req, timeout).await {
        Ok(task) => {
            tracing::info!(task_id = %task.id, platform = platform.as_str(), channel = %channel,
                "snapshot_handed_off");
            SNAPSHOT_ACK.to_owned()
        }
        Err(e) => {
            tracing::warn!(error = %e, platform = platform.as_str(), channel = %channel,
                "snapshot_handoff_failed");
            format!(
                "⚠️ sremesh could not take the snapshot: {}",
                escape(&e.to_string(), Dialect::of(platform))
            )
        }
    }
}

/// `/investigate <text>`: post "🔎 Investigating: <text>" top-level, investigate it in its
/// thread; the answer for the user.
pub(crate) async fn investigate(
    intake: &Intake,
    platform: Platform,
    channel: &str,
    text: &str,
    budget: &Budget,
) -> String {
    let text = text.trim();
    if text.is_empty() {
        return INVESTIGATE_USAGE.to_owned();
    }
    let Some(chat) = intake.chat(platform) else {
        return format!(
            "⚠️ sremesh cannot post to {}: no bot token",
            platform.as_str()
        );
    };
    let target = Target::channel(platform, channel.to_owned());
    let msg = Investigating {
        text: text.to_owned(),
    };
    let posted = budget
        .run(
            intake.limits.chat,
            Duration::from_millis(600),
            chat.post(&target, &msg),
        )
        .await;
    let first = match posted {
        Some(Ok(refs)) => refs.into_iter().next(),
        Some(Err(e)) => {
            tracing::warn!(error = %e, channel = %channel, "intake_post_failed");
            return format!(
                "⚠️ sremesh could not post in this channel (is the bot a member?): {}",
                escape(&e.to_string(), Dialect::of(platform))
            );
        }
        None => return "⚠️ sremesh could not post in this channel in time".to_owned(),
    };
    let Some(first) = first else {
        return "⚠️ sremesh could not post in this channel".to_owned();
    };
    let time = match platform {
        Platform::Slack => ts_time(&first.id),
        Platform::Discord => sremesh_chat::discord::parse_snowflake(&first.id)
            .and_then(sremesh_chat::discord::snowflake_time),
    };
    let alert = Alert {
        platform,
        channel: channel.to_owned(),
        message_id: Some(first.id.clone()),
        thread: Some(first.id.clone()),
        text: text.to_owned(),
        time: time.unwrap_or_else(Timestamp::now),
        labels: BTreeMap::new(),
    };
    match intake.hand_off(&alert, budget).await {
        HandOff::Started { .. } => INVESTIGATE_ACK.to_owned(),
        HandOff::Failed { reason } => {
            format!("{HANDOFF_FAILED}{}", escape(&reason, Dialect::of(platform)))
        }
    }
}
