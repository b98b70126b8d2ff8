//! The Discord scanner: reads the alert's channel, the watched channels and the text channels of
//! the bot's guilds over the investigation window (paging backwards by snowflake, replies
//! included) and reports, as context for the master: other alerts about the same service,
//! deploy and change announcements (with versions and minutes before the alert), people
//! reporting impact, and who is already on it.
//!
//! Module map: [`client`] (the Discord adapter of the shared scan), [`analyzers`] (the shared
//! analyzers of `sremesh-chatscan`), [`tools`] (one tool per skill), [`snapshot`]
//! (`/sre-snapshot`). The analysis itself lives in `sremesh-chatscan`, shared with the Slack
//! scanner.

pub mod analyzers;
pub mod client;
pub mod snapshot;
pub mod tools;

use client::DiscordSource;
use sremesh_agent::{Answer, Deadline, Executor, Job};
use sremesh_chat::RetryPolicy;
use sremesh_chatscan::ScanSettings;
use sremesh_core::{AgentResult, AlertContext, SecretSource, SnapshotRequest};
use std::sync::Arc;

/// The agent id.
pub const ID: &str = "discord_scanner";

/// Typed settings, read from the environment and config.yaml by `main`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The bot token (`DISCORD_BOT_TOKEN`); `None`: every answer is `unhealthy`.
    pub token: Option<Arc<dyn SecretSource>>,
    /// The REST API base (`DISCORD_API_URL`, default `https://discord.com/api/v10`).
    pub api_url: String,
    /// Channels, caps and the answer reserve of a scan.
    pub scan: ScanSettings,
    /// Timeouts and retries of each call.
    pub retry: RetryPolicy,
    /// Message page size override (tests; default Discord's 100).
    pub page_size: Option<usize>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            token: None,
            api_url: sremesh_chat::DiscordApi::DEFAULT_BASE_URL.to_owned(),
            scan: ScanSettings::default(),
            retry: client::retry_policy(),
            page_size: None,
        }
    }
}

/// The Discord scanner.
#[derive(Debug)]
pub struct DiscordScanner {
    source: Result<DiscordSource, String>,
    settings: Settings,
}

impl DiscordScanner {
    /// Builds the client. Never fails: without a usable token or URL the agent answers
    /// `unhealthy` with the reason.
    pub fn new(settings: Settings) -> Self {
        let source = match &settings.token {
            None => {
                Err("DISCORD_BOT_TOKEN is not set: the Discord scanner has no bot token".to_owned())
            }
            Some(token) => DiscordSource::new(
                &settings.api_url,
                token.clone(),
                settings.retry,
                settings.page_size,
            )
            .map_err(|e| format!("DISCORD_API_URL: {e}")),
        };
        Self { source, settings }
    }

    /// An agent that answers every request `unhealthy` with `reason`.
    pub fn unavailable(reason: impl Into<String>, settings: Settings) -> Self {
        Self {
            source: Err(reason.into()),
            settings,
        }
    }

    /// The Discord source, or why there is none.
    pub fn source(&self) -> Result<&DiscordSource, &str> {
        self.source.as_ref().map_err(String::as_str)
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The investigation's answer.
    pub async fn run(&self, job: &Job<AlertContext>) -> AgentResult {
        match self.source() {
            Err(reason) => AgentResult::unhealthy(ID, reason),
            Ok(src) => {
                sremesh_chatscan::result::investigate(ID, src, &self.settings.scan, job).await
            }
        }
    }
}

impl Executor for DiscordScanner {
    fn id(&self) -> &'static str {
        ID
    }

    async fn investigate(&self, job: Job<AlertContext>) -> Answer {
        Answer::Result(self.run(&job).await)
    }

    async fn snapshot(&self, job: Job<SnapshotRequest>) -> Answer {
        let work = Deadline(
            job.deadline
                .0
                .checked_sub(self.settings.scan.reserve)
                .unwrap_or(job.deadline.0),
        );
        Answer::Snapshot(snapshot::capture(self, &job.request, work).await)
    }
}
