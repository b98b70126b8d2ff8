//! The intake's state and the steps every platform shares: verify, claim the delivery, the
//! kill switch, the gate with its nudge, building the AlertContext, the hand-off and the notice
//! when it fails — each bounded by what is left of the request's time budget.

use crate::classify::{Gate, LlmTier, NoLlm, Verdict};
use crate::dedup::{self, Dedup, keys};
use crate::discord::Webhooks;
use crate::error::Reject;
use crate::master::Master;
use crate::messages::{HANDOFF_FAILED, Notice, PAUSED};
use crate::settings::{ChatTarget, Limits, Mode, Settings, SetupError};
use jiff::{SignedDuration, Timestamp};
use sremesh_chat::messages::Nudge;
use sremesh_chat::render::Render;
use sremesh_chat::{ChatPlatform, DiscordApi, MessageRef, RetryPolicy, SlackApi, Target};
use sremesh_core::{AlertContext, Platform, SecretSource, TimeWindow};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Time kept back from the hand-off for the notice that follows a failure.
const NOTICE_RESERVE: Duration = Duration::from_millis(400);

/// The request's deadline: every step gets at most what is left.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget(Instant);

impl Budget {
    pub fn new(total: Duration) -> Self {
        Budget(Instant::now() + total)
    }

    /// What is left, minus `reserve`.
    pub fn left(&self, reserve: Duration) -> Duration {
        self.0
            .saturating_duration_since(Instant::now())
            .saturating_sub(reserve)
    }

    /// Runs `f` for at most `cap` (and never past the deadline minus `reserve`); `None` when
    /// the time ran out.
    pub async fn run<F: Future>(
        &self,
        cap: Duration,
        reserve: Duration,
        f: F,
    ) -> Option<F::Output> {
        let t = cap.min(self.left(reserve));
        if t.is_zero() {
            return None;
        }
        tokio::time::timeout(t, f).await.ok()
    }
}

/// The message an investigation starts from.
#[derive(Debug, Clone)]
pub(crate) struct Alert {
    pub platform: Platform,
    pub channel: String,
    /// The investigated message (`None` when it could not be posted).
    pub message_id: Option<String>,
    /// The thread the report goes in.
    pub thread: Option<String>,
    pub text: String,
    pub time: Timestamp,
    pub labels: BTreeMap<String, String>,
}

/// How a hand-off went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HandOff {
    Started { investigation_id: String },
    Failed { reason: String },
}

/// The running intake (shared by every request).
#[derive(Debug)]
pub struct Intake {
    pub(crate) slack_signing: Option<Arc<dyn SecretSource>>,
    pub(crate) slack: Option<SlackApi>,
    pub(crate) bot_user: tokio::sync::OnceCell<String>,
    pub(crate) discord_key: Option<Arc<dyn SecretSource>>,
    pub(crate) discord: Option<DiscordApi>,
    pub(crate) webhooks: Webhooks,
    pub(crate) discord_app: Option<String>,
    pub(crate) am_token: Option<Arc<dyn SecretSource>>,
    pub(crate) am_target: Option<ChatTarget>,
    pub(crate) master: Master,
    pub(crate) dedup: Arc<dyn Dedup>,
    pub(crate) gate: Gate,
    pub(crate) paused: bool,
    window_before: SignedDuration,
    window_after: SignedDuration,
    pub(crate) limits: Limits,
    pub(crate) mode: Mode,
}

/// Chat calls from the intake: one quick retry, never past the per-call limit.
fn chat_policy(limit: Duration) -> RetryPolicy {
    RetryPolicy {
        max_attempts: 2,
        budget: limit,
        attempt_timeout: limit,
        min_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
    }
}

impl Intake {
    /// Builds the intake from its settings and dedup store (tier 2 of the gate: none).
    pub fn new(s: Settings, dedup: Arc<dyn Dedup>) -> Result<Self, SetupError> {
        Self::with_llm(s, dedup, Arc::new(NoLlm))
    }

    /// Like [`Intake::new`], with a second tier for the gate.
    pub fn with_llm(
        s: Settings,
        dedup: Arc<dyn Dedup>,
        llm: Arc<dyn LlmTier>,
    ) -> Result<Self, SetupError> {
        let policy = chat_policy(s.limits.chat);
        let slack = s
            .slack_bot_token
            .clone()
            .map(|t| SlackApi::new(&s.slack_api_url, t).map(|a| a.with_retry(policy)))
            .transpose()
            .map_err(|e| SetupError::Chat("Slack", e))?;
        let discord = s
            .discord_bot_token
            .clone()
            .map(|t| DiscordApi::new(&s.discord_api_url, t).map(|a| a.with_retry(policy)))
            .transpose()
            .map_err(|e| SetupError::Chat("Discord", e))?;
        match &s.alertmanager_target {
            Some(t) if t.platform == Platform::Slack && slack.is_none() => {
                return Err(SetupError::TargetWithoutToken("Slack", "SLACK_BOT_TOKEN"));
            }
            Some(t) if t.platform == Platform::Discord && discord.is_none() => {
                return Err(SetupError::TargetWithoutToken(
                    "Discord",
                    "DISCORD_BOT_TOKEN",
                ));
            }
            _ => {}
        }
        Ok(Self {
            slack_signing: s.slack_signing_secret,
            slack,
            bot_user: tokio::sync::OnceCell::new(),
            discord_key: s.discord_public_key,
            discord,
            webhooks: Webhooks::new(&s.discord_api_url, s.limits.chat)
                .map_err(|e| SetupError::Chat("Discord webhook", e))?,
            discord_app: s.discord_application_id,
            am_token: s.alertmanager_token,
            am_target: s.alertmanager_target,
            master: Master::new(&s.master_endpoint, s.aws_region)?,
            dedup,
            gate: Gate::new(s.classification, llm),
            paused: s.paused,
            window_before: s.window_before,
            window_after: s.window_after,
            limits: s.limits,
            mode: s.mode,
        })
    }

    /// The chat client of a platform, if configured.
    pub(crate) fn chat(&self, p: Platform) -> Option<&dyn ChatPlatform> {
        match p {
            Platform::Slack => self.slack.as_ref().map(|a| a as &dyn ChatPlatform),
            Platform::Discord => self.discord.as_ref().map(|a| a as &dyn ChatPlatform),
        }
    }

    /// Reads a secret, or answers 503.
    pub(crate) async fn secret(
        src: &Arc<dyn SecretSource>,
        what: &str,
    ) -> Result<sremesh_core::Secret, Reject> {
        src.get()
            .await
            .map_err(|e| Reject::Unavailable(format!("{what} unavailable: {e}")))
    }

    /// Claims a delivery; `false` (and a log line) for a duplicate.
    pub(crate) async fn claim(&self, key: &str) -> Result<bool, Reject> {
        let fresh = self
            .dedup
            .claim(key, Timestamp::now(), dedup::TTL)
            .await
            .map_err(|e| Reject::Unavailable(e.to_string()))?;
        if !fresh {
            tracing::info!(key = %key, "intake_duplicate");
        }
        Ok(fresh)
    }

    /// Says "paused" in `target`'s thread, once per thread.
    pub(crate) async fn say_paused(&self, target: &Target, budget: &Budget) {
        let thread = target.thread.as_deref().unwrap_or("-");
        let key = keys::paused(target.platform.as_str(), &target.channel, thread);
        tracing::info!(platform = target.platform.as_str(), channel = %target.channel,
            reason = "paused", "intake_event_ignored");
        if self.claim(&key).await.unwrap_or(false) {
            let notice = Notice {
                lead: PAUSED,
                detail: String::new(),
            };
            self.post(target, &notice, budget, Duration::ZERO).await;
        }
    }

    /// Runs the gate on `text`; for chatter, posts the nudge in `target` and returns false.
    pub(crate) async fn gate_or_nudge(&self, text: &str, target: &Target, budget: &Budget) -> bool {
        let d = self.gate.judge(text).await;
        if d.verdict == Verdict::Alert {
            return true;
        }
        tracing::info!(platform = target.platform.as_str(), channel = %target.channel,
            reason = d.reason.as_str(), "intake_chatter");
        self.post(target, &Nudge, budget, Duration::ZERO).await;
        false
    }

    /// Posts a message (best effort, bounded); the parts posted, if any.
    pub(crate) async fn post(
        &self,
        target: &Target,
        msg: &(dyn Render + Sync),
        budget: &Budget,
        reserve: Duration,
    ) -> Option<Vec<MessageRef>> {
        let Some(chat) = self.chat(target.platform) else {
            tracing::warn!(
                platform = target.platform.as_str(),
                "intake_post_skipped_no_token"
            );
            return None;
        };
        match budget
            .run(self.limits.chat, reserve, chat.post(target, msg))
            .await
        {
            Some(Ok(refs)) => Some(refs),
            Some(Err(e)) => {
                tracing::warn!(platform = target.platform.as_str(), channel = %target.channel,
                    error = %e, "intake_post_failed");
                None
            }
            None => {
                tracing::warn!(platform = target.platform.as_str(), channel = %target.channel,
                    "intake_post_timed_out");
                None
            }
        }
    }

    /// The AlertContext for `alert`.
    pub(crate) fn context(&self, alert: &Alert) -> AlertContext {
        let mut ctx = AlertContext::from_text(
            alert.text.clone(),
            alert.time,
            self.window_before,
            self.window_after,
        );
        ctx.platform = Some(alert.platform);
        ctx.channel_id = Some(alert.channel.clone());
        ctx.message_id = alert.message_id.clone();
        ctx.thread_id = alert.thread.clone();
        ctx.window = TimeWindow::around(alert.time, self.window_before, self.window_after);
        ctx.scan_channels = vec![alert.channel.clone()];
        ctx.labels = alert.labels.clone();
        ctx
    }

    /// Hands `alert` to the master; on failure posts a notice in its thread.
    pub(crate) async fn hand_off(&self, alert: &Alert, budget: &Budget) -> HandOff {
        let ctx = self.context(alert);
        let timeout = self.limits.handoff.min(budget.left(NOTICE_RESERVE));
        let result = if timeout.is_zero() {
            Err("no time left before the platform's deadline".to_owned())
        } else {
            self.master
                .investigate(&ctx, timeout)
                .await
                .map_err(|e| e.to_string())
        };
        match result {
            Ok(task) => {
                tracing::info!(investigation_id = %ctx.investigation_id, task_id = %task.id,
                    platform = alert.platform.as_str(), channel = %alert.channel,
                    "investigation_handed_off");
                HandOff::Started {
                    investigation_id: ctx.investigation_id,
                }
            }
            Err(reason) => {
                tracing::warn!(investigation_id = %ctx.investigation_id, error = %reason,
                    platform = alert.platform.as_str(), channel = %alert.channel,
                    "investigation_handoff_failed");
                let mut target = Target::channel(alert.platform, alert.channel.clone());
                target.thread = alert.thread.clone();
                let notice = Notice {
                    lead: HANDOFF_FAILED,
                    detail: sremesh_core::text::truncate(&reason, 300),
                };
                self.post(&target, &notice, budget, Duration::ZERO).await;
                HandOff::Failed { reason }
            }
        }
    }
}
