//! Reading one channel for a scan: the window (paged, with thread replies), the hours before
//! it for announcements of planned activities and providers' status posts, and — for the
//! alert's own channel — the days before it for earlier firings of the same alert; every call
//! under the job's deadline and within its caps.

use super::ScanSettings;
use crate::message::{Channel, ChatMessage, Listing};
use crate::source::{ChatSource, Step, within};
use futures::StreamExt;
use sremesh_agent::Deadline;
use sremesh_core::TimeWindow;

/// One channel's read.
pub(super) struct ChannelRead {
    pub(super) channel: Channel,
    pub(super) messages: Vec<ChatMessage>,
    /// Announcements of planned activities and status posts posted before the window.
    pub(super) earlier: Vec<ChatMessage>,
    /// The alert's channel before the window (only for that channel).
    pub(super) history: Vec<ChatMessage>,
    pub(super) notes: Vec<String>,
    pub(super) error: Option<Step>,
    pub(super) cut: bool,
}

/// True for a message read before the window that still matters: an announcement of a
/// planned activity, or a provider's status post.
pub(super) fn worth_reading_early(m: &ChatMessage) -> bool {
    crate::vocab::is_planned(&m.text) || crate::provider::status_post(&m.text, m.is_bot).is_some()
}

pub(super) async fn read_channel<S: ChatSource>(
    src: &S,
    channel: Channel,
    window: TimeWindow,
    alert_channel: bool,
    set: &ScanSettings,
    deadline: Deadline,
) -> ChannelRead {
    // The alert's channel is read further back (earlier firings of the same alert), in the
    // same call as the announcements' stretch.
    let (lookback, cap) = if alert_channel && !set.history_lookback.is_zero() {
        (
            set.announcement_lookback.max(set.history_lookback),
            set.max_announcement_messages.max(set.max_history_messages),
        )
    } else {
        (set.announcement_lookback, set.max_announcement_messages)
    };
    let announcements_from = jiff::SignedDuration::try_from(set.announcement_lookback)
        .ok()
        .and_then(|d| window.start.checked_sub(d).ok())
        .unwrap_or(window.start);
    let lookup = async {
        match channel.name {
            Some(_) => None,
            None => within(deadline, set.reserve, src.channel(&channel.id))
                .await
                .ok(),
        }
    };
    let history = within(
        deadline,
        set.reserve,
        src.history(&channel, window, set.max_messages),
    );
    let earlier = async {
        let back = jiff::SignedDuration::try_from(lookback).ok()?;
        if back.is_zero() || cap == 0 {
            return None;
        }
        let range = TimeWindow {
            start: window.start.checked_sub(back).ok()?,
            end: window
                .start
                .checked_sub(jiff::SignedDuration::from_millis(1))
                .ok()?,
        };
        // Days of history are worth half of what is left, never the whole answer: the
        // window's own reads must not wait on them.
        let budget = if alert_channel {
            let now = tokio::time::Instant::now();
            Deadline(now + deadline.0.saturating_duration_since(now) / 2)
        } else {
            deadline
        };
        Some(within(budget, set.reserve, src.history(&channel, range, cap)).await)
    };
    let (named, history, earlier) = tokio::join!(lookup, history, earlier);
    let channel = named.unwrap_or(channel);
    let mut read = ChannelRead {
        channel,
        messages: Vec::new(),
        earlier: Vec::new(),
        history: Vec::new(),
        notes: Vec::new(),
        error: None,
        cut: false,
    };
    match earlier {
        Some(Ok(l)) => {
            if l.truncated && alert_channel {
                read.notes.push(format!(
                    "{}: only the newest {cap} messages before the window were read for earlier firings",
                    read.channel.label()
                ));
            }
            read.earlier = l
                .items
                .iter()
                // Bots' alarms too: the scan keeps those on a resource a status post
                // (perhaps in another channel) says is affected, and drops the rest.
                .filter(|m| {
                    m.at >= announcements_from
                        && (worth_reading_early(m)
                            || (m.is_bot && crate::vocab::is_alert_like(&m.text)))
                })
                .cloned()
                .collect();
            if alert_channel {
                read.history = l.items;
            }
        }
        Some(Err(Step::Deadline)) => {
            read.cut = true;
            read.notes.push(format!(
                "{}: the messages before the window were not read in time",
                read.channel.label()
            ));
        }
        Some(Err(Step::Api(e))) => read.notes.push(format!(
            "{}: announcements before the window could not be read: {e}",
            read.channel.label()
        )),
        None => {}
    }
    let Listing { items, truncated } = match history {
        Ok(l) => l,
        Err(e) => {
            read.cut = e.is_deadline();
            read.error = Some(e);
            return read;
        }
    };
    if truncated {
        read.notes.push(format!(
            "{}: only the newest {} messages of the window were read",
            read.channel.label(),
            set.max_messages
        ));
    }
    let roots: Vec<ChatMessage> = items.iter().filter(|m| m.replies > 0).cloned().collect();
    if roots.len() > set.max_threads {
        read.notes.push(format!(
            "{}: replies read for {} of {} threads",
            read.channel.label(),
            set.max_threads,
            roots.len()
        ));
    }
    read.messages = items;
    let chan = read.channel.clone();
    let mut threads = futures::stream::iter(roots.into_iter().take(set.max_threads))
        .map(|root| {
            let chan = chan.clone();
            async move {
                within(
                    deadline,
                    set.reserve,
                    src.replies(&chan, &root, set.max_replies),
                )
                .await
            }
        })
        .buffer_unordered(set.concurrency.max(1));
    while let Some(r) = threads.next().await {
        match r {
            Ok(l) => read
                .messages
                .extend(l.items.into_iter().filter(|m| window.contains(m.at))),
            Err(Step::Deadline) => read.cut = true,
            Err(Step::Api(e)) => read.notes.push(format!(
                "{}: a thread could not be read: {e}",
                read.channel.label()
            )),
        }
    }
    read
}
