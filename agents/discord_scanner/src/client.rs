//! The Discord adapter: `sremesh_chat::DiscordApi` (read-only endpoints) as a [`ChatSource`] —
//! `GET /users/@me`, the bot's guilds and their text channels, channel messages paged by
//! snowflake over the window — with Discord messages turned into [`ChatMessage`]s. Replies
//! (`message_reference`) appear in the channel itself, so there is no separate thread read.

use sremesh_chat::discord::{DiscordApi, DiscordMessage};
use sremesh_chat::{ApiError, RetryPolicy};
use sremesh_chatscan::{Channel, ChatMessage, ChatSource, Identity, Listing};
use sremesh_core::{Platform, SecretSource, TimeWindow};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Discord, read-only, for the scanner.
#[derive(Debug, Clone)]
pub struct DiscordSource {
    api: DiscordApi,
    /// Channel id → guild id, learnt from the listing (for permalinks).
    guild_of: Arc<RwLock<HashMap<String, String>>>,
}

impl DiscordSource {
    /// A source over the REST API at `base_url` with `token`; `page` overrides the page size
    /// of message reads (tests exercise paging with small pages).
    pub fn new(
        base_url: &str,
        token: Arc<dyn SecretSource>,
        retry: RetryPolicy,
        page: Option<usize>,
    ) -> Result<Self, ApiError> {
        let mut api = DiscordApi::new(base_url, token)?.with_retry(retry);
        if let Some(p) = page {
            api = api.with_page_size(p);
        }
        Ok(Self {
            api,
            guild_of: Arc::new(RwLock::new(HashMap::new())),
        })
    }

    /// The underlying client (the snapshot calls it directly).
    pub fn api(&self) -> &DiscordApi {
        &self.api
    }

    fn message(&self, m: DiscordMessage) -> Option<ChatMessage> {
        let at = m.time()?;
        let guild = self
            .guild_of
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&m.channel_id)
            .cloned();
        let link =
            guild.map(|g| format!("https://discord.com/channels/{g}/{}/{}", m.channel_id, m.id));
        let thread = m
            .message_reference
            .as_ref()
            .and_then(|r| r.message_id.clone());
        Some(ChatMessage {
            channel: m.channel_id,
            id: m.id,
            at,
            author_id: m.author.id,
            author: m.author.username,
            is_bot: m.author.bot,
            text: m.content,
            thread,
            replies: 0,
            link,
        })
    }
}

impl ChatSource for DiscordSource {
    fn platform(&self) -> Platform {
        Platform::Discord
    }

    async fn identity(&self) -> Result<Identity, ApiError> {
        let me = self.api.me().await?;
        Ok(Identity {
            ids: vec![me.id],
            name: Some(me.username),
        })
    }

    async fn member_channels(&self, cap: usize) -> Result<Listing<Channel>, ApiError> {
        let mut items = Vec::new();
        let mut truncated = false;
        for g in self.api.my_guilds().await? {
            let channels = self.api.guild_channels(&g.id).await?;
            let mut map = self
                .guild_of
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for c in channels.into_iter().filter(|c| c.is_text()) {
                map.insert(c.id.clone(), g.id.clone());
                if items.len() >= cap {
                    truncated = true;
                    continue;
                }
                items.push(Channel {
                    id: c.id,
                    name: c.name.filter(|n| !n.is_empty()),
                });
            }
        }
        Ok(Listing { items, truncated })
    }

    /// `DiscordApi` has no `GET /channels/{id}`: a channel outside the bot's guild listing is
    /// known by its id only.
    async fn channel(&self, id: &str) -> Result<Channel, ApiError> {
        Ok(Channel::id_only(id))
    }

    async fn history(
        &self,
        channel: &Channel,
        window: TimeWindow,
        cap: usize,
    ) -> Result<Listing<ChatMessage>, ApiError> {
        let w = self
            .api
            .messages_window(&channel.id, window.start, window.end, cap)
            .await?;
        Ok(Listing {
            items: w
                .items
                .into_iter()
                .filter_map(|m| self.message(m))
                .collect(),
            truncated: w.truncated,
        })
    }

    async fn replies(
        &self,
        _channel: &Channel,
        _root: &ChatMessage,
        _cap: usize,
    ) -> Result<Listing<ChatMessage>, ApiError> {
        Ok(Listing::default())
    }
}

impl sremesh_chatscan::agent::Platform for DiscordSource {
    const ID: &'static str = crate::ID;
    const PLATFORM: Platform = Platform::Discord;
    const NAME: &'static str = "Discord";
    const SCAN_TOOL: &'static str = crate::tools::SCAN;
    const TOKEN_VAR: &'static str = "DISCORD_BOT_TOKEN";
    const URL_VAR: &'static str = "DISCORD_API_URL";
    const DEFAULT_URL: &'static str = sremesh_chat::DiscordApi::DEFAULT_BASE_URL;

    fn connect(
        api_url: &str,
        token: Arc<dyn SecretSource>,
        retry: RetryPolicy,
        page: Option<usize>,
    ) -> Result<Self, ApiError> {
        Self::new(api_url, token, retry, page)
    }

    async fn snapshot(
        agent: &crate::DiscordScanner,
        req: &sremesh_core::SnapshotRequest,
        deadline: sremesh_agent::Deadline,
    ) -> sremesh_core::SnapshotReport {
        crate::snapshot::capture(agent, req, deadline).await
    }
}
