//! The scan driver both scanners run: pick the channels (the request's, the watched ones, the
//! bot's own), read each over the window with paging and thread replies — the hours before it
//! for announcements of planned activities and providers' status posts, and the alert's own
//! channel over days for earlier firings of the same alert — every call under a budget taken
//! from the job's deadline and within page caps; filter out the bot's own messages and the
//! alert itself, and analyze. Findings are pushed to the job's partial results after each
//! channel.

use crate::analyzers::{self, Input};
use crate::message::{Channel, ChatMessage, Identity};
use crate::source::{ChatSource, Step, is_auth, within};
use crate::targets::Targets;
use futures::StreamExt;
use jiff::Timestamp;
use read::{read_channel, worth_reading_early};
use sremesh_agent::{Deadline, Partial};
use sremesh_core::{AlertContext, Finding, Platform, TimeWindow};
use std::time::Duration;

mod read;

/// Limits of one scan (config.yaml and the agent's settings).
#[derive(Debug, Clone)]
pub struct ScanSettings {
    /// Channels always read besides the request's (config.yaml `watch_channels`). When empty,
    /// the bot's own channels fill the list up to `max_channels`.
    pub watch_channels: Vec<String>,
    /// Most channels read (config.yaml `investigation.max_channels`).
    pub max_channels: usize,
    /// Most of the bot's channels listed (to pick from and to name the others).
    pub max_listed: usize,
    /// Most messages read per channel (the newest of the window); a note says when hit.
    pub max_messages: usize,
    /// Most threads whose replies are read per channel.
    pub max_threads: usize,
    /// Most replies read per thread.
    pub max_replies: usize,
    /// Channels read at the same time.
    pub concurrency: usize,
    /// Time kept back from the deadline to build the answer.
    pub reserve: Duration,
    /// How far before the window announcements of planned activities are read (a load test or
    /// a maintenance window is announced hours before it runs). Zero: not at all.
    pub announcement_lookback: Duration,
    /// Most messages read per channel from that earlier stretch (the newest).
    pub max_announcement_messages: usize,
    /// How far before the window the alert's own channel is read for earlier firings of the
    /// same alert (`alert_history`). Zero: not at all.
    pub history_lookback: Duration,
    /// Most messages read from the alert's channel over that look-back (the newest; a few
    /// pages).
    pub max_history_messages: usize,
}

impl Default for ScanSettings {
    fn default() -> Self {
        Self {
            watch_channels: Vec::new(),
            max_channels: 10,
            max_listed: 1000,
            max_messages: 1000,
            max_threads: 20,
            max_replies: 100,
            concurrency: 4,
            reserve: Duration::from_millis(300),
            announcement_lookback: Duration::from_secs(12 * 3600),
            max_announcement_messages: 200,
            history_lookback: Duration::from_secs(7 * 24 * 3600),
            max_history_messages: 400,
        }
    }
}

/// What to scan for.
#[derive(Debug, Clone)]
pub struct ScanRequest {
    /// The alert's time (findings say how long before it).
    pub alert_time: Timestamp,
    /// The period read.
    pub window: TimeWindow,
    /// The alert text (a message with the same text is the alert itself).
    pub alert_text: String,
    /// The alert message's id, when known.
    pub alert_message: Option<String>,
    /// The channel the alert was posted in (on this platform), when known: read further back
    /// for earlier firings of the same alert.
    pub alert_channel: Option<String>,
    /// Channels asked for (the alert's first); empty: the bot's own channels.
    pub channels: Vec<String>,
    /// What a message must name.
    pub targets: Targets,
}

impl ScanRequest {
    /// The request a scanner of `platform` makes for an alert context: its window, its channels
    /// (the alert's own first) — unless the alert was posted on the other platform, whose
    /// channel ids mean nothing here — and its target words.
    pub fn from_alert(ctx: &AlertContext, platform: Platform) -> Self {
        let ours = ctx.platform.is_none_or(|p| p == platform);
        let mut channels: Vec<String> = Vec::new();
        for c in ctx
            .channel_id
            .iter()
            .chain(&ctx.scan_channels)
            .filter(|_| ours)
        {
            if !channels.contains(c) {
                channels.push(c.clone());
            }
        }
        Self {
            alert_time: ctx.alert_time,
            window: ctx.window,
            alert_text: ctx.alert_text.clone(),
            alert_message: ctx.message_id.clone().filter(|_| ours),
            alert_channel: ctx.channel_id.clone().filter(|_| ours),
            channels,
            targets: Targets::from_alert(ctx),
        }
    }
}

/// Why nothing could be read at all.
#[derive(Debug, Clone, PartialEq)]
pub enum Fatal {
    /// The platform refuses the bot (token, scopes, configuration).
    Unhealthy(String),
    /// This attempt failed (outage, rate limit, deadline); try again.
    Error(String),
}

/// What a scan produced.
#[derive(Debug, Clone, Default)]
pub struct ScanOutcome {
    pub findings: Vec<Finding>,
    /// `channel:<id>` of every channel read.
    pub scanned: Vec<String>,
    /// The channels read, with names.
    pub channels: Vec<Channel>,
    /// The messages considered (after filtering), oldest first.
    pub messages: Vec<ChatMessage>,
    /// The alert's channel before the window, over the history look-back (not the bot's own
    /// messages), oldest first.
    pub history: Vec<ChatMessage>,
    /// Messages read in all (before filtering).
    pub read: usize,
    /// Caps that were hit.
    pub notes: Vec<String>,
    /// Calls that failed (the scan went on without them).
    pub problems: Vec<String>,
    /// Some step was cut short by the deadline.
    pub partial: bool,
    /// Nothing could be read.
    pub fatal: Option<Fatal>,
}

/// Runs one scan (see the module docs).
pub async fn scan<S: ChatSource>(
    src: &S,
    req: &ScanRequest,
    set: &ScanSettings,
    deadline: Deadline,
    partial: &Partial,
) -> ScanOutcome {
    let mut out = ScanOutcome::default();
    // The bot's channels: the fill when nothing is watched, and the names of the others.
    let (me, listing) = tokio::join!(
        within(deadline, set.reserve, src.identity()),
        within(deadline, set.reserve, src.member_channels(set.max_listed)),
    );
    let platform = name(src.platform());
    let me = match me {
        Ok(me) => me,
        Err(Step::Api(e)) if is_auth(&e) => {
            out.fatal = Some(Fatal::Unhealthy(format!(
                "{platform} identity check failed: {e}"
            )));
            return out;
        }
        Err(e) => {
            out.problems.push(format!("{platform} identity check failed ({e}): the bot's own messages cannot be told apart"));
            out.partial |= e.is_deadline();
            Identity::default()
        }
    };
    let known: Vec<Channel> = match listing {
        Ok(l) => {
            if l.truncated {
                out.notes.push(format!(
                    "the bot is in more than {} channels; only those were considered",
                    l.items.len()
                ));
            }
            l.items
        }
        Err(e) => {
            out.partial |= e.is_deadline();
            let msg = format!("cannot list the bot's channels: {e}");
            if req.channels.is_empty() && set.watch_channels.is_empty() {
                out.fatal = Some(match e {
                    Step::Api(a) if is_auth(&a) => Fatal::Unhealthy(msg),
                    _ => Fatal::Error(msg),
                });
                return out;
            }
            out.problems.push(msg);
            Vec::new()
        }
    };
    let channels = crate::pick::pick(req, set, &known);
    if channels.is_empty() {
        out.notes.push(
            "no channel to read: the request named none and the bot is a member of none".into(),
        );
        return out;
    }
    let mut reads = futures::stream::iter(channels)
        .map(|c| {
            let alert = req.alert_channel.as_deref() == Some(c.id.as_str());
            read_channel(src, c, req.window, alert, set, deadline)
        })
        .buffer_unordered(set.concurrency.max(1));
    let mut errors: Vec<Step> = Vec::new();
    let mut all: Vec<ChatMessage> = Vec::new();
    let stop = deadline.0.checked_sub(set.reserve).unwrap_or(deadline.0);
    loop {
        let next = match tokio::time::timeout_at(stop, reads.next()).await {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(_) => {
                out.partial = true;
                out.problems
                    .push("the deadline came before every channel was read".into());
                break;
            }
        };
        out.partial |= next.cut;
        out.notes.extend(next.notes);
        if let Some(e) = next.error {
            let why = match &e {
                Step::Deadline => "not read, the deadline came first".to_owned(),
                Step::Api(a) => a.to_string(),
            };
            out.problems
                .push(format!("{}: {why}", next.channel.label()));
            errors.push(e);
        } else {
            out.scanned.push(format!("channel:{}", next.channel.id));
        }
        out.read += next.messages.len() + next.earlier.len() + next.history.len();
        all.extend(next.messages);
        all.extend(next.earlier);
        out.history
            .extend(next.history.into_iter().filter(|m| !me.is_self(m)));
        out.history.sort_by_key(|m| m.at);
        out.channels.push(next.channel);
        out.messages = considered(&all, req, &me);
        let input = Input::new(
            req.alert_time,
            req.window,
            req.targets.clone(),
            &out.channels,
            &out.messages,
        )
        .with_alert(&req.alert_text, &out.history);
        out.findings = analyzers::run(&input);
        partial.take();
        partial.extend(out.findings.clone());
    }
    if out.scanned.is_empty() && (out.partial || !errors.is_empty()) {
        // The platform's own answer says more than "the deadline came first".
        errors.sort_by_key(Step::is_deadline);
        let first = if errors.is_empty() {
            Step::Deadline
        } else {
            errors.remove(0)
        };
        let msg = format!("no channel could be read: {first}");
        out.fatal = Some(match first {
            Step::Api(a) if is_auth(&a) => Fatal::Unhealthy(msg),
            _ => Fatal::Error(msg),
        });
    }
    out
}

/// The messages worth analyzing: in the window (or, before it, announcing a planned
/// activity or a provider's status, or a bot's alarm on a resource a provider's notice says
/// is affected), not the bot's own, not the alert itself; oldest first.
fn considered(all: &[ChatMessage], req: &ScanRequest, me: &Identity) -> Vec<ChatMessage> {
    let alert = crate::evidence::one_line(&req.alert_text);
    let affected: Vec<String> = all
        .iter()
        .filter(|m| crate::provider::status_post(&m.text, m.is_bot).is_some())
        .flat_map(|m| crate::provider::affected_resources(&m.text))
        .collect();
    let alarm_on_affected = |m: &ChatMessage| {
        m.is_bot
            && crate::vocab::is_alert_like(&m.text)
            && affected
                .iter()
                .any(|r| sremesh_core::text::contains_word(&m.text, r))
    };
    let mut out: Vec<ChatMessage> = all
        .iter()
        .filter(|m| {
            req.window.contains(m.at)
                || (m.at < req.window.start && (worth_reading_early(m) || alarm_on_affected(m)))
        })
        .filter(|m| !me.is_self(m))
        .filter(|m| req.alert_message.as_deref() != Some(m.id.as_str()))
        .filter(|m| alert.is_empty() || crate::evidence::one_line(&m.text) != alert)
        .cloned()
        .collect();
    out.sort_by(|a, b| (a.at, &a.channel, &a.id).cmp(&(b.at, &b.channel, &b.id)));
    out
}

fn name(p: sremesh_core::Platform) -> &'static str {
    match p {
        sremesh_core::Platform::Slack => "Slack",
        sremesh_core::Platform::Discord => "Discord",
    }
}
