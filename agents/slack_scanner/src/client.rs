//! The Slack adapter: `sremesh_chat::SlackApi` (read-only methods) as a [`ChatSource`] —
//! `auth.test`, `users.conversations`, `conversations.info`, `conversations.history` paged over
//! the window, `conversations.replies` — with Slack messages turned into [`ChatMessage`]s.

use sremesh_chat::slack::{SlackApi, SlackMessage};
use sremesh_chat::{ApiError, RetryPolicy};
use sremesh_chatscan::{Channel, ChatMessage, ChatSource, Identity, Listing};
use sremesh_core::{Platform, SecretSource, TimeWindow};
use std::sync::{Arc, OnceLock};

/// Slack, read-only, for the scanner.
#[derive(Debug, Clone)]
pub struct SlackSource {
    api: SlackApi,
    /// The workspace URL from `auth.test` (`https://acme.slack.com/`), for permalinks.
    workspace: Arc<OnceLock<String>>,
}

impl SlackSource {
    /// A source over the Web API at `base_url` with `token`; `page` overrides the page size
    /// of history reads (tests exercise paging with small pages).
    pub fn new(
        base_url: &str,
        token: Arc<dyn SecretSource>,
        retry: RetryPolicy,
        page: Option<usize>,
    ) -> Result<Self, ApiError> {
        let mut api = SlackApi::new(base_url, token)?.with_retry(retry);
        if let Some(p) = page {
            api = api.with_page_size(p);
        }
        Ok(Self {
            api,
            workspace: Arc::new(OnceLock::new()),
        })
    }

    /// The underlying client (the snapshot calls it directly).
    pub fn api(&self) -> &SlackApi {
        &self.api
    }

    fn message(&self, channel: &str, m: SlackMessage) -> Option<ChatMessage> {
        let at = m.time()?;
        let is_bot = m.is_bot();
        let author_id = m
            .user
            .clone()
            .or_else(|| m.bot_id.clone())
            .unwrap_or_default();
        let author = m
            .username
            .clone()
            .or_else(|| m.user.clone())
            .or_else(|| m.bot_id.clone())
            .unwrap_or_else(|| "unknown".into());
        let thread = m.thread_ts.clone().filter(|t| *t != m.ts);
        let replies = if thread.is_none() {
            m.reply_count.unwrap_or(0)
        } else {
            0
        };
        let link = self.workspace.get().map(|w| {
            format!(
                "{}/archives/{channel}/p{}",
                w.trim_end_matches('/'),
                m.ts.replace('.', "")
            )
        });
        Some(ChatMessage {
            channel: channel.to_owned(),
            id: m.ts,
            at,
            author_id,
            author,
            is_bot,
            text: m.text,
            thread,
            replies,
            link,
        })
    }
}

impl ChatSource for SlackSource {
    fn platform(&self) -> Platform {
        Platform::Slack
    }

    async fn identity(&self) -> Result<Identity, ApiError> {
        let a = self.api.auth_test().await?;
        if let Some(url) = a.url.clone().filter(|u| !u.is_empty()) {
            let _ = self.workspace.set(url);
        }
        let mut ids = vec![a.user_id.clone()];
        ids.extend(a.bot_id.clone());
        Ok(Identity { ids, name: a.user })
    }

    async fn member_channels(&self, cap: usize) -> Result<Listing<Channel>, ApiError> {
        let w = self.api.my_channels(cap).await?;
        Ok(Listing {
            items: w
                .items
                .into_iter()
                .map(|c| Channel {
                    id: c.id,
                    name: Some(c.name).filter(|n| !n.is_empty()),
                })
                .collect(),
            truncated: w.truncated,
        })
    }

    async fn channel(&self, id: &str) -> Result<Channel, ApiError> {
        let c = self.api.conversations_info(id).await?;
        Ok(Channel {
            id: c.id,
            name: Some(c.name).filter(|n| !n.is_empty()),
        })
    }

    async fn history(
        &self,
        channel: &Channel,
        window: TimeWindow,
        cap: usize,
    ) -> Result<Listing<ChatMessage>, ApiError> {
        let w = self
            .api
            .history_window(&channel.id, window.start, window.end, cap)
            .await?;
        Ok(Listing {
            items: w
                .items
                .into_iter()
                .filter_map(|m| self.message(&channel.id, m))
                .collect(),
            truncated: w.truncated,
        })
    }

    async fn replies(
        &self,
        channel: &Channel,
        root: &ChatMessage,
        cap: usize,
    ) -> Result<Listing<ChatMessage>, ApiError> {
        // `conversations.replies` answers the parent first; it is not a reply.
        let w = self
            .api
            .thread(&channel.id, &root.id, cap.saturating_add(1))
            .await?;
        Ok(Listing {
            items: w
                .items
                .into_iter()
                .filter(|m| m.ts != root.id)
                .filter_map(|m| self.message(&channel.id, m))
                .collect(),
            truncated: w.truncated,
        })
    }
}

impl sremesh_chatscan::agent::Platform for SlackSource {
    const ID: &'static str = crate::ID;
    const PLATFORM: Platform = Platform::Slack;
    const NAME: &'static str = "Slack";
    const SCAN_TOOL: &'static str = crate::tools::SCAN;
    const TOKEN_VAR: &'static str = "SLACK_BOT_TOKEN";
    const URL_VAR: &'static str = "SLACK_API_URL";
    const DEFAULT_URL: &'static str = sremesh_chat::SlackApi::DEFAULT_BASE_URL;

    fn connect(
        api_url: &str,
        token: Arc<dyn SecretSource>,
        retry: RetryPolicy,
        page: Option<usize>,
    ) -> Result<Self, ApiError> {
        Self::new(api_url, token, retry, page)
    }

    async fn snapshot(
        agent: &crate::SlackScanner,
        req: &sremesh_core::SnapshotRequest,
        deadline: sremesh_agent::Deadline,
    ) -> sremesh_core::SnapshotReport {
        crate::snapshot::capture(agent, req, deadline).await
    }
}
