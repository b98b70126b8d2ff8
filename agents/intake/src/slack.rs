//! Slack in: Events API (`url_verification`, `app_mention`) and slash commands (`/sre-snapshot`,
//! `/investigate`; see [`crate::commands`]). A mention investigates the message it is on — or,
//! in a thread, the thread's parent (read back through the Web API) — and the report goes to
//! that thread.

use crate::error::Reject;
use crate::intake::{Alert, Budget, HandOff, Intake};
use crate::messages::{HANDOFF_FAILED, PAUSED};
use axum::Json;
use axum::response::{IntoResponse, Response};
use http::HeaderMap;
use jiff::Timestamp;
use serde_json::{Value, json};
use sremesh_chat::Target;
use sremesh_chat::render::{Dialect, escape};
use sremesh_chat::slack::RepliesRequest;
use sremesh_chat::verify::{SLACK_SIGNATURE, SLACK_TIMESTAMP, verify_slack};
use sremesh_chat::webhook::slack::{
    AppMention, CallbackEvent, SlackEvent, SlashCommand, parse_command, parse_event, retry_of,
};
use sremesh_core::Platform;
use std::collections::BTreeMap;
use std::time::Duration;

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Checks the v0 signature (401 on any problem).
async fn verify(intake: &Intake, headers: &HeaderMap, body: &[u8]) -> Result<(), Reject> {
    let Some(src) = &intake.slack_signing else {
        return Err(Reject::NotConfigured(
            "Slack is not configured on this intake (set SLACK_SIGNING_SECRET)".into(),
        ));
    };
    let secret = Intake::secret(src, "the Slack signing secret").await?;
    verify_slack(
        secret.expose(),
        header(headers, SLACK_TIMESTAMP),
        header(headers, SLACK_SIGNATURE),
        body,
        Timestamp::now(),
    )?;
    Ok(())
}

fn ok(v: Value) -> Response {
    Json(v).into_response()
}

fn ignored(reason: &str) -> Response {
    tracing::info!(platform = "slack", reason = %reason, "intake_event_ignored");
    ok(json!({"ok": true, "ignored": reason}))
}

/// `POST /slack/events`.
pub(crate) async fn events(
    intake: &Intake,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, Reject> {
    let budget = Budget::new(intake.limits.ack_budget);
    verify(intake, headers, body).await?;
    let retry = retry_of(headers)?;
    match parse_event(body)? {
        SlackEvent::UrlVerification { challenge } => Ok(ok(json!({"challenge": challenge}))),
        SlackEvent::Other { kind } => Ok(ignored(&format!("envelope_{kind}"))),
        SlackEvent::Callback(cb) => match cb.event {
            CallbackEvent::Other { event_type } => Ok(ignored(&format!("event_{event_type}"))),
            CallbackEvent::AppMention(m) => {
                if let Some(r) = &retry {
                    tracing::info!(event_id = %cb.event_id, retry_num = r.num,
                        retry_reason = %r.reason, "intake_slack_retry");
                }
                mention(intake, m, &budget).await
            }
        },
    }
}

/// Our bot user id (`auth.test`, cached once known).
async fn bot_user(intake: &Intake, budget: &Budget) -> Option<String> {
    let api = intake.slack.as_ref()?;
    let got = budget
        .run(intake.limits.chat, Duration::from_secs(1), async {
            intake
                .bot_user
                .get_or_try_init(|| async { api.auth_test().await.map(|a| a.user_id) })
                .await
                .cloned()
        })
        .await;
    match got {
        Some(Ok(id)) => Some(id),
        Some(Err(e)) => {
            tracing::warn!(error = %e, "intake_auth_test_failed");
            None
        }
        None => None,
    }
}

async fn mention(intake: &Intake, m: AppMention, budget: &Budget) -> Result<Response, Reject> {
    if m.bot_id.is_some() {
        return Ok(ignored("bot_message"));
    }
    if let (Some(user), Some(me)) = (&m.user, bot_user(intake, budget).await)
        && *user == me
    {
        return Ok(ignored("own_message"));
    }
    if !intake
        .claim(&crate::dedup::keys::slack(&m.channel, &m.ts))
        .await?
    {
        return Ok(ok(json!({"ok": true, "duplicate": true})));
    }
    let target = Target::channel(Platform::Slack, m.channel.clone()).in_thread(m.thread());
    if intake.paused {
        intake.say_paused(&target, budget).await;
        return Ok(ok(json!({"ok": true, "paused": true})));
    }
    // In a thread, the thread's parent is what is investigated.
    let (message_id, text, time) = match m.thread_ts.as_deref().filter(|t| *t != m.ts) {
        None => (m.ts.clone(), m.text.clone(), m.time()),
        Some(root) => match parent(intake, &m.channel, root, budget).await {
            Ok(p) => p,
            Err(reason) => {
                tracing::warn!(channel = %m.channel, thread = %root, error = %reason,
                    "intake_parent_unreadable");
                let notice = crate::messages::Notice {
                    lead: HANDOFF_FAILED,
                    detail: format!("cannot read the thread's first message ({reason})"),
                };
                intake.post(&target, &notice, budget, Duration::ZERO).await;
                return Ok(ok(json!({"ok": true, "error": reason})));
            }
        },
    };
    if !intake.gate_or_nudge(&text, &target, budget).await {
        return Ok(ok(json!({"ok": true, "classified": "chatter"})));
    }
    let alert = Alert {
        platform: Platform::Slack,
        channel: m.channel.clone(),
        message_id: Some(message_id),
        thread: Some(m.thread().to_owned()),
        text,
        time: time.unwrap_or_else(Timestamp::now),
        labels: BTreeMap::new(),
    };
    Ok(handed_off(intake.hand_off(&alert, budget).await))
}

fn handed_off(h: HandOff) -> Response {
    match h {
        HandOff::Started { investigation_id } => {
            ok(json!({"ok": true, "investigation_id": investigation_id}))
        }
        HandOff::Failed { reason } => ok(json!({"ok": true, "error": reason})),
    }
}

/// The parent of thread `root`: (ts, text, time).
async fn parent(
    intake: &Intake,
    channel: &str,
    root: &str,
    budget: &Budget,
) -> Result<(String, String, Option<Timestamp>), String> {
    let api = intake.slack.as_ref().ok_or("SLACK_BOT_TOKEN is not set")?;
    let req = RepliesRequest {
        channel: channel.to_owned(),
        ts: root.to_owned(),
        limit: Some(1),
        ..RepliesRequest::default()
    };
    let page = budget
        .run(
            intake.limits.chat,
            Duration::from_millis(1200),
            api.conversations_replies(&req),
        )
        .await
        .ok_or("Slack did not answer in time")?
        .map_err(|e| e.to_string())?;
    let p = page
        .messages
        .into_iter()
        .find(|m| m.ts == root)
        .ok_or("Slack returned no parent message")?;
    Ok((p.ts.clone(), p.text.clone(), p.time()))
}

fn ephemeral(text: &str) -> Response {
    ok(json!({"response_type": "ephemeral", "text": text}))
}

/// `POST /slack/commands`.
pub(crate) async fn commands(
    intake: &Intake,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, Reject> {
    let budget = Budget::new(intake.limits.ack_budget);
    verify(intake, headers, body).await?;
    if is_ssl_check(body) {
        return Ok(ok(json!({"ok": true})));
    }
    let cmd = parse_command(body)?;
    if let Some(trigger) = &cmd.trigger_id
        && !intake
            .claim(&crate::dedup::keys::slack(&cmd.channel_id, trigger))
            .await?
    {
        return Ok(ephemeral("Already received."));
    }
    if intake.paused {
        tracing::info!(platform = "slack", reason = "paused", command = %cmd.command, "intake_event_ignored");
        return Ok(ephemeral(PAUSED));
    }
    match cmd.command.as_str() {
        "/sre-snapshot" => Ok(ephemeral(
            &crate::commands::snapshot(intake, Platform::Slack, &cmd.channel_id, &budget).await,
        )),
        "/investigate" => Ok(ephemeral(&investigate(intake, &cmd, &budget).await)),
        other => {
            tracing::info!(platform = "slack", reason = "unknown_command", command = %other, "intake_event_ignored");
            Ok(ephemeral(&format!(
                "Unknown command: {}",
                escape(other, Dialect::Slack)
            )))
        }
    }
}

/// Slack's certificate check: a signed form with `ssl_check=1` and no command.
fn is_ssl_check(body: &[u8]) -> bool {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .is_ok_and(|p| p.iter().any(|(k, v)| k == "ssl_check" && v == "1"))
}

async fn investigate(intake: &Intake, cmd: &SlashCommand, budget: &Budget) -> String {
    crate::commands::investigate(intake, Platform::Slack, &cmd.channel_id, &cmd.text, budget).await
}
