//! The chat notifier: investigation events posted to Slack or Discord in the alert's thread —
//! the "started" message edited in place as agents finish, then the report, then updates. A
//! delivery failure is logged with the investigation id and never crashes anything.

use crate::notify::{Event, Notifier};
use futures::future::BoxFuture;
use sremesh_chat::render::Render;
use sremesh_chat::{ChatPlatform, DiscordApi, MessageRef, SlackApi, Target};
use sremesh_core::{AlertContext, Platform};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Posts events through the platform the alert came from.
#[derive(Debug, Default)]
pub struct ChatNotifier {
    slack: Option<Arc<SlackApi>>,
    discord: Option<Arc<DiscordApi>>,
    /// The "started" message's parts per investigation (edited as agents finish).
    started: Mutex<HashMap<String, Vec<MessageRef>>>,
}

impl ChatNotifier {
    /// A notifier with the clients that are configured (a missing one: that platform's events
    /// are logged and dropped).
    pub fn new(slack: Option<SlackApi>, discord: Option<DiscordApi>) -> Self {
        Self {
            slack: slack.map(Arc::new),
            discord: discord.map(Arc::new),
            started: Mutex::default(),
        }
    }

    fn client(&self, p: Platform) -> Option<&dyn ChatPlatform> {
        match p {
            Platform::Slack => self.slack.as_deref().map(|c| c as &dyn ChatPlatform),
            Platform::Discord => self.discord.as_deref().map(|c| c as &dyn ChatPlatform),
        }
    }

    fn refs(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<MessageRef>>> {
        self.started.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The alert's thread, if the context says where it is and a client exists for it.
    fn thread(&self, ctx: &AlertContext) -> Option<(&dyn ChatPlatform, Target)> {
        let (platform, channel) = (ctx.platform?, ctx.channel_id.clone()?);
        let Some(client) = self.client(platform) else {
            tracing::warn!(investigation_id = %ctx.investigation_id, platform = platform.as_str(), "chat_delivery_skipped: no token configured for this platform");
            return None;
        };
        let mut target = Target::channel(platform, channel);
        if let Some(t) = ctx.thread_id.clone().or_else(|| ctx.message_id.clone()) {
            target = target.in_thread(t);
        }
        Some((client, target))
    }

    async fn deliver(&self, event: Event) {
        match event {
            Event::Started { ctx, message } => {
                let Some((client, target)) = self.thread(&ctx) else {
                    return;
                };
                match client.post(&target, &message).await {
                    Ok(refs) => {
                        self.refs().insert(ctx.investigation_id.clone(), refs);
                    }
                    Err(e) => failed(&ctx.investigation_id, "started", &e),
                }
            }
            Event::Progress { ctx, message } => {
                let Some((client, _)) = self.thread(&ctx) else {
                    return;
                };
                let prev = self.refs().get(&ctx.investigation_id).cloned();
                if let Some(prev) = prev {
                    match client.update(&prev, &message).await {
                        Ok(refs) => {
                            self.refs().insert(ctx.investigation_id.clone(), refs);
                        }
                        Err(e) => failed(&ctx.investigation_id, "progress", &e),
                    }
                }
            }
            Event::Report { ctx, report } => {
                self.post(&ctx, &*report, "report").await;
                self.refs().remove(&ctx.investigation_id);
            }
            Event::Update { ctx, message, .. } => self.post(&ctx, &*message, "update").await,
            Event::Failed { ctx, message } => self.post(&ctx, &message, "failure_notice").await,
            Event::Snapshot {
                summary,
                platform,
                channel,
            } => {
                let (Some(p), Some(ch)) = (platform, channel) else {
                    return;
                };
                let Some(client) = self.client(p) else {
                    tracing::warn!(
                        platform = p.as_str(),
                        "chat_delivery_skipped: no token configured for this platform"
                    );
                    return;
                };
                if let Err(e) = client.post(&Target::channel(p, ch), &summary).await {
                    tracing::error!(error = %e, "chat_delivery_failed: snapshot");
                }
            }
        }
    }

    async fn post(&self, ctx: &AlertContext, message: &(dyn Render + Sync), what: &str) {
        let Some((client, target)) = self.thread(ctx) else {
            return;
        };
        if let Err(e) = client.post(&target, message).await {
            failed(&ctx.investigation_id, what, &e);
        }
    }
}

fn failed(investigation_id: &str, what: &str, e: &dyn std::fmt::Display) {
    tracing::error!(investigation_id, message = what, error = %e, "chat_delivery_failed");
}

impl Notifier for ChatNotifier {
    fn notify(&self, event: Event) -> BoxFuture<'_, ()> {
        Box::pin(self.deliver(event))
    }
}
