//! Discord in: interactions over HTTP — PING, and the slash commands `/sre-snapshot` and
//! `/investigate`. As a server the intake defers (type 5, ephemeral), does the work in the
//! background and edits the deferred answer through the interaction webhook ([`Webhooks`]);
//! under Lambda (no work after the response) it does the work first and answers with it
//! (type 4).
//!
//! Mentions in Discord channels are not HTTP interactions: they arrive only over the gateway
//! (a websocket). Supporting them takes a small gateway bot that forwards `MESSAGE_CREATE`
//! events mentioning the bot to the intake, signed like an interaction (see the crate docs).

use crate::error::Reject;
use crate::intake::{Budget, Intake};
use crate::messages::{INVESTIGATE_USAGE, PAUSED};
use axum::Json;
use axum::response::{IntoResponse, Response};
use http::HeaderMap;
use jiff::Timestamp;
use serde_json::{Value, json};
use sremesh_chat::ApiError;
use sremesh_chat::render::{Dialect, escape};
use sremesh_chat::verify::{DISCORD_SIGNATURE, DISCORD_TIMESTAMP, verify_discord};
use sremesh_chat::webhook::discord::{
    CommandInteraction, Interaction, deferred, parse_interaction, pong, reply,
};
use sremesh_core::Platform;
use std::sync::Arc;
use std::time::Duration;

/// Time for the background work of a deferred command.
const BACKGROUND_BUDGET: Duration = Duration::from_secs(10);

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// `POST /discord/interactions`.
pub(crate) async fn interactions(
    intake: &Arc<Intake>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, Reject> {
    let Some(src) = &intake.discord_key else {
        return Err(Reject::NotConfigured(
            "Discord is not configured on this intake (set DISCORD_PUBLIC_KEY)".into(),
        ));
    };
    let key = Intake::secret(src, "the Discord public key").await?;
    verify_discord(
        key.expose(),
        header(headers, DISCORD_SIGNATURE),
        header(headers, DISCORD_TIMESTAMP),
        body,
        Timestamp::now(),
    )?;
    match parse_interaction(body)? {
        Interaction::Ping => Ok(Json(pong()).into_response()),
        Interaction::Other { kind } => Err(Reject::BadRequest(format!(
            "unsupported interaction type {kind} (only PING and slash commands)"
        ))),
        Interaction::Command(c) => command(intake, c).await,
    }
}

/// What a command asks for.
enum Work {
    Snapshot,
    Investigate(String),
}

fn answer(text: &str) -> Response {
    Json(reply(text, true)).into_response()
}

async fn command(intake: &Arc<Intake>, c: CommandInteraction) -> Result<Response, Reject> {
    if let Some(app) = &intake.discord_app
        && *app != c.application_id
    {
        return Err(Reject::BadRequest(format!(
            "interaction for application {}, this intake serves {app}",
            c.application_id
        )));
    }
    if !intake
        .claim(&crate::dedup::keys::discord(&c.channel_id, &c.id))
        .await?
    {
        return Ok(answer("Already received."));
    }
    if intake.paused {
        tracing::info!(platform = "discord", reason = "paused", command = %c.name, "intake_event_ignored");
        return Ok(answer(PAUSED));
    }
    let work = match c.name.as_str() {
        "sre-snapshot" => Work::Snapshot,
        "investigate" => match c.option_str("text").map(str::trim) {
            Some(t) if !t.is_empty() => Work::Investigate(t.to_owned()),
            _ => return Ok(answer(INVESTIGATE_USAGE)),
        },
        other => {
            tracing::info!(platform = "discord", reason = "unknown_command", command = %other, "intake_event_ignored");
            return Ok(answer(&format!(
                "Unknown command: /{}",
                escape(other, Dialect::Discord)
            )));
        }
    };
    match intake.mode {
        crate::Mode::Lambda => {
            let budget = Budget::new(intake.limits.ack_budget);
            Ok(answer(&run(intake, &c.channel_id, work, &budget).await))
        }
        crate::Mode::Server => {
            let intake = intake.clone();
            tokio::spawn(async move {
                let budget = Budget::new(BACKGROUND_BUDGET);
                let text = run(&intake, &c.channel_id, work, &budget).await;
                let app = intake.discord_app.as_deref().unwrap_or(&c.application_id);
                let edited = intake.webhooks.edit_original(app, &c.token, &text).await;
                // The deferred answer is gone: say it in a follow-up instead.
                let done = match edited {
                    Err(ApiError::Permanent { status: 404, .. }) => intake
                        .webhooks
                        .follow_up(app, &c.token, &text, true)
                        .await
                        .map(|_| ()),
                    r => r.map(|_| ()),
                };
                if let Err(e) = done {
                    tracing::warn!(error = %e, interaction = %c.id, "intake_followup_failed");
                }
            });
            Ok(Json(deferred(true)).into_response())
        }
    }
}

async fn run(intake: &Intake, channel: &str, work: Work, budget: &Budget) -> String {
    match work {
        Work::Snapshot => {
            crate::commands::snapshot(intake, Platform::Discord, channel, budget).await
        }
        Work::Investigate(text) => {
            crate::commands::investigate(intake, Platform::Discord, channel, &text, budget).await
        }
    }
}

/// The interaction webhook: follow-up messages and edits of the deferred answer
/// (`/webhooks/{application}/{token}`; no bot token — the interaction token authorizes).
#[derive(Debug, Clone)]
pub struct Webhooks {
    http: reqwest::Client,
    base: String,
    timeout: Duration,
}

const DISCORD: Platform = Platform::Discord;

/// Attempts of an edit that finds no original yet (the deferred answer may still be in flight).
const EDIT_ATTEMPTS: u32 = 4;

fn safe_segment(what: &str, s: &str) -> Result<(), ApiError> {
    let ok = !s.is_empty()
        && s.len() <= 512
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::Config {
            platform: DISCORD,
            reason: format!("{what} is not a valid path segment"),
        })
    }
}

impl Webhooks {
    /// Webhooks under `base_url` (`DISCORD_API_URL`), each call limited to `timeout`.
    pub fn new(base_url: &str, timeout: Duration) -> Result<Self, ApiError> {
        sremesh_core::tls::ensure_crypto_provider();
        let base = base_url.trim_end_matches('/').to_owned();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(ApiError::Config {
                platform: DISCORD,
                reason: format!("base URL '{base_url}' is not an http(s) URL"),
            });
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| ApiError::Config {
                platform: DISCORD,
                reason: e.to_string(),
            })?;
        Ok(Self {
            http,
            base,
            timeout,
        })
    }

    /// `PATCH /webhooks/{app}/{token}/messages/@original`: replaces the deferred answer.
    pub async fn edit_original(
        &self,
        app: &str,
        token: &str,
        content: &str,
    ) -> Result<Value, ApiError> {
        safe_segment("application id", app)?;
        safe_segment("interaction token", token)?;
        let url = format!("{}/webhooks/{app}/{token}/messages/@original", self.base);
        let body = json!({"content": content, "allowed_mentions": {"parse": []}});
        let mut attempt = 1;
        loop {
            match self.send(self.http.patch(&url).json(&body)).await {
                Err(ApiError::Permanent { status: 404, .. }) if attempt < EDIT_ATTEMPTS => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(150)).await;
                }
                r => return r,
            }
        }
    }

    /// `POST /webhooks/{app}/{token}`: a follow-up message (ephemeral: seen by the invoker only).
    pub async fn follow_up(
        &self,
        app: &str,
        token: &str,
        content: &str,
        ephemeral: bool,
    ) -> Result<Value, ApiError> {
        safe_segment("application id", app)?;
        safe_segment("interaction token", token)?;
        let url = format!("{}/webhooks/{app}/{token}", self.base);
        let body = json!({"content": content, "allowed_mentions": {"parse": []},
            "flags": if ephemeral { 64 } else { 0 }});
        self.send(self.http.post(&url).json(&body)).await
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<Value, ApiError> {
        let resp = req.send().await.map_err(|e| {
            if e.is_timeout() {
                ApiError::Timeout {
                    platform: DISCORD,
                    after: self.timeout,
                }
            } else {
                ApiError::Transient {
                    platform: DISCORD,
                    reason: e.to_string(),
                }
            }
        })?;
        let status = resp.status();
        let v: Value = resp.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(v);
        }
        if status.is_server_error() || status == http::StatusCode::TOO_MANY_REQUESTS {
            return Err(ApiError::Transient {
                platform: DISCORD,
                reason: format!("HTTP {}", status.as_u16()),
            });
        }
        Err(ApiError::Permanent {
            platform: DISCORD,
            status: status.as_u16(),
            error: v
                .get("code")
                .and_then(Value::as_u64)
                .unwrap_or(0)
                .to_string(),
            message: v
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        })
    }
}
