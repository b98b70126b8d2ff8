//! The intake's typed configuration: what `main` reads from arguments and the environment and
//! hands to [`crate::Intake::new`]. No environment access here.

use jiff::SignedDuration;
use sremesh_core::{Platform, SecretSource};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// A channel on a platform: `slack:<channel id>` or `discord:<channel id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatTarget {
    pub platform: Platform,
    pub channel: String,
}

impl FromStr for ChatTarget {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (p, channel) = s
            .trim()
            .split_once(':')
            .ok_or_else(|| format!("'{s}' is not slack:<channel> or discord:<channel>"))?;
        let platform = match p.trim().to_ascii_lowercase().as_str() {
            "slack" => Platform::Slack,
            "discord" => Platform::Discord,
            other => return Err(format!("unknown platform '{other}' (slack or discord)")),
        };
        let channel = channel.trim();
        if channel.is_empty() {
            return Err(format!("'{s}' names no channel"));
        }
        Ok(Self {
            platform,
            channel: channel.to_owned(),
        })
    }
}

/// How the intake runs: decides whether work may happen after the answer is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A long-running server: Discord commands are deferred (type 5) and finished in the
    /// background, with the outcome sent through the interaction webhook.
    Server,
    /// Under the Lambda runtime: nothing runs after the response, so every step happens in the
    /// request and Discord gets its answer (type 4) at once.
    Lambda,
}

/// Time budgets. The platform's own deadline (Slack: 3 s) is never at risk: every outbound
/// call is cut to what is left of `ack_budget`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The whole request, from receipt to answer.
    pub ack_budget: Duration,
    /// The hand-off to the master.
    pub handoff: Duration,
    /// One chat call (post a notice, read a thread's parent).
    pub chat: Duration,
}

impl Default for Limits {
    /// 2.7 s in all (Slack allows 3 s), 2 s for the hand-off, 1 s per chat call.
    fn default() -> Self {
        Self {
            ack_budget: Duration::from_millis(2700),
            handoff: Duration::from_secs(2),
            chat: Duration::from_secs(1),
        }
    }
}

/// Everything the intake is configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `SLACK_SIGNING_SECRET` (unset: the Slack endpoints answer 404).
    pub slack_signing_secret: Option<Arc<dyn SecretSource>>,
    /// `SLACK_BOT_TOKEN` (unset: nothing is posted to Slack, thread parents cannot be read).
    pub slack_bot_token: Option<Arc<dyn SecretSource>>,
    /// `SLACK_API_URL`.
    pub slack_api_url: String,
    /// `DISCORD_PUBLIC_KEY`, hex (unset: the Discord endpoint answers 404).
    pub discord_public_key: Option<Arc<dyn SecretSource>>,
    /// `DISCORD_BOT_TOKEN` (unset: nothing is posted to Discord channels).
    pub discord_bot_token: Option<Arc<dyn SecretSource>>,
    /// `DISCORD_API_URL` (also the base of interaction webhooks).
    pub discord_api_url: String,
    /// `DISCORD_APPLICATION_ID`: when set, interactions for another application are refused.
    pub discord_application_id: Option<String>,
    /// `ALERTMANAGER_TOKEN`: when set, Alertmanager must send it as a bearer token.
    pub alertmanager_token: Option<Arc<dyn SecretSource>>,
    /// `ALERTMANAGER_TARGET`: where Alertmanager alerts are posted and investigated.
    pub alertmanager_target: Option<ChatTarget>,
    /// The master: `MASTER_AGENT_RUNTIME_ARN`, else `MASTER_AGENT_URL`.
    pub master_endpoint: String,
    /// `AWS_REGION` (AgentCore master).
    pub aws_region: Option<String>,
    /// `ALERT_CLASSIFICATION_ENABLED`.
    pub classification: bool,
    /// `INTAKE_PAUSED`: acknowledge everything, investigate nothing.
    pub paused: bool,
    /// The investigation window around the alert (config.yaml `investigation`).
    pub window_before: SignedDuration,
    pub window_after: SignedDuration,
    pub limits: Limits,
    pub mode: Mode,
}

impl Settings {
    /// Nothing enabled but the master at `master_endpoint`; the defaults of the contract.
    pub fn new(master_endpoint: impl Into<String>) -> Self {
        let inv = sremesh_core::config::InvestigationConfig::default();
        Self {
            slack_signing_secret: None,
            slack_bot_token: None,
            slack_api_url: sremesh_chat::SlackApi::DEFAULT_BASE_URL.to_owned(),
            discord_public_key: None,
            discord_bot_token: None,
            discord_api_url: sremesh_chat::DiscordApi::DEFAULT_BASE_URL.to_owned(),
            discord_application_id: None,
            alertmanager_token: None,
            alertmanager_target: None,
            master_endpoint: master_endpoint.into(),
            aws_region: None,
            classification: true,
            paused: false,
            window_before: inv.window_before,
            window_after: inv.window_after,
            limits: Limits::default(),
            mode: Mode::Server,
        }
    }
}

/// Why the intake cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("the master endpoint is unusable: {0}")]
    Master(#[from] sremesh_agent::CallError),
    #[error("cannot build the {0} client: {1}")]
    Chat(&'static str, sremesh_chat::ApiError),
    #[error("ALERTMANAGER_TARGET posts to {0}, but {1} is not set")]
    TargetWithoutToken(&'static str, &'static str),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<(Platform, &str), &str>) {
        let got = input.parse::<ChatTarget>();
        match expected {
            Ok((p, c)) => assert_eq!(
                got,
                Ok(ChatTarget {
                    platform: p,
                    channel: c.into()
                })
            ),
            Err(fragment) => {
                let e = got.expect_err(input);
                assert!(e.contains(fragment), "{input}: {e}");
            }
        }
    }

    /// `ALERTMANAGER_TARGET` values.
    #[test]
    fn chat_targets() {
        check("slack:C0ALERTS", Ok((Platform::Slack, "C0ALERTS")));
        check(
            " Discord:1100000000000000001 ",
            Ok((Platform::Discord, "1100000000000000001")),
        );
        check("C0ALERTS", Err("is not slack:<channel>"));
        check("teams:C1", Err("unknown platform 'teams'"));
        check("slack:", Err("names no channel"));
    }
}
