//! The API clients' reads against the sandbox's Slack and Discord: paging helpers (windows,
//! caps, small pages), typed answers, and errors typed by what to do.

use super::{discord, sandbox, slack, token};
use jiff::{SignedDuration, Timestamp};
use sremesh_chat::{ApiError, DiscordApi, SlackApi};
use sremesh_core::secret::SecretFuture;
use sremesh_core::{Platform, Secret, SecretError, SecretSource};
use sremesh_sandbox::{Fault, Source};
use std::sync::Arc;

const ALERTS: &str = "C0ALERTS";
const DISCORD_ALERTS: &str = "1100000000000000001";
/// The scenario's alert, posted in C0ALERTS at `now`.
const ALERT: &str = "[FIRING:1] KubePodCrashLooping shop/checkout-api-5d9c7b8f6-abcde";

fn now() -> Timestamp {
    "2026-04-18T10:25:00Z".parse().unwrap()
}

fn mins(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

#[tokio::test]
async fn slack_history_windows_page_and_cap() {
    let sb = sandbox().await;
    let api = slack(&sb).with_page_size(1);
    let me = api.auth_test().await.unwrap();
    assert!(!me.user_id.is_empty() && me.bot_id.is_some());
    // (window start, end, cap) → texts oldest first, truncated.
    let cases: [(i64, i64, usize, &[&str], bool); 5] = [
        (
            30,
            0,
            100,
            &[
                "deploying checkout-api 2.4.1",
                "[FIRING:1] CheckoutErrorRate high",
                "still failing",
                "same second as the previous one",
                ALERT,
            ],
            false,
        ),
        (
            30,
            0,
            3,
            &["still failing", "same second as the previous one", ALERT],
            true,
        ),
        (
            30,
            1,
            100,
            &[
                "deploying checkout-api 2.4.1",
                "[FIRING:1] CheckoutErrorRate high",
                "still failing",
                "same second as the previous one",
            ],
            false,
        ),
        (12, 6, 100, &["[FIRING:1] CheckoutErrorRate high"], false),
        (60, 40, 100, &[], false),
    ];
    for (from, to, cap, want, truncated) in cases {
        let w = api
            .history_window(ALERTS, now() - mins(from), now() - mins(to), cap)
            .await
            .unwrap();
        let texts: Vec<&str> = w.items.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(
            (texts.as_slice(), w.truncated),
            (want, truncated),
            "window -{from}m..-{to}m cap {cap}"
        );
    }
    let w = api
        .history_window(ALERTS, now() - mins(12), now() - mins(6), 10)
        .await
        .unwrap();
    let alert = &w.items[0];
    assert!(alert.is_bot());
    assert_eq!(
        alert.time().map(|t| t.as_second()),
        Some((now() - mins(10)).as_second())
    );
    let thread = api.thread(ALERTS, &alert.ts, 100).await.unwrap();
    let texts: Vec<&str> = thread.items.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "[FIRING:1] CheckoutErrorRate high",
            "looking",
            "rolled the config"
        ]
    );
    let channels = api.my_channels(100).await.unwrap();
    let ids: Vec<&str> = channels.items.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        (ids.as_slice(), channels.truncated),
        (&["C0ALERTS", "C0DEPLOYS"][..], false)
    );
    assert!(api.my_channels(1).await.unwrap().truncated);
    assert_eq!(
        api.conversations_info("C0DEPLOYS").await.unwrap().name,
        "deploys"
    );
}

#[tokio::test]
async fn discord_windows_page_and_cap() {
    let sb = sandbox().await;
    let api = discord(&sb).with_page_size(2);
    let me = api.me().await.unwrap();
    assert!(me.bot);
    let guilds = api.my_guilds().await.unwrap();
    assert_eq!(guilds.len(), 1);
    let channels = api.guild_channels(&guilds[0].id).await.unwrap();
    assert!(
        channels
            .iter()
            .any(|c| c.id == DISCORD_ALERTS && c.is_text())
    );
    let secs = |s: i64| SignedDuration::from_secs(s);
    let cases: [(i64, i64, usize, &[&str], bool); 4] = [
        (
            390,
            150,
            100,
            &["on it", "rolled back config", "still crashing"],
            false,
        ),
        (
            600,
            0,
            100,
            &[
                "checkout error rate high",
                "on it",
                "rolled back config",
                "still crashing",
                "paging db team",
            ],
            false,
        ),
        (
            600,
            0,
            3,
            &["rolled back config", "still crashing", "paging db team"],
            true,
        ),
        (3600, 1800, 100, &[], false),
    ];
    for (from, to, cap, want, truncated) in cases {
        let w = api
            .messages_window(DISCORD_ALERTS, now() - secs(from), now() - secs(to), cap)
            .await
            .unwrap();
        let texts: Vec<&str> = w.items.iter().map(|m| m.content.as_str()).collect();
        assert_eq!(
            (texts.as_slice(), w.truncated),
            (want, truncated),
            "window -{from}s..-{to}s cap {cap}"
        );
        for m in &w.items {
            let t = m.time().unwrap();
            assert!(t >= now() - secs(from) && t <= now() - secs(to));
        }
    }
    let w = api
        .messages_window(DISCORD_ALERTS, now() - mins(10), now(), 10)
        .await
        .unwrap();
    let one = api.message(DISCORD_ALERTS, &w.items[1].id).await.unwrap();
    assert_eq!(one.content, "on it");
}

/// A secret store that is down.
#[derive(Debug)]
struct Down;

impl SecretSource for Down {
    fn get(&self) -> SecretFuture<'_> {
        Box::pin(async {
            Err(SecretError::Unavailable {
                name: "arn:aws:secretsmanager:eu-west-1:1:secret:bot".into(),
                reason: "throttled".into(),
            })
        })
    }
}

#[tokio::test]
async fn errors_say_what_to_do() {
    let sb = sandbox().await;
    let e = slack(&sb).conversations_info("C0NOPE").await.unwrap_err();
    assert_eq!(e.slack_error(), Some("channel_not_found"));
    assert!(!e.is_retryable());
    let e = discord(&sb)
        .message(DISCORD_ALERTS, "1100000000000000999")
        .await
        .unwrap_err();
    assert_eq!(e.discord_code(), Some(10008));
    let e = discord(&sb)
        .channel_messages("1100000000000000998", &Default::default())
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Permanent { status: 404, .. }), "{e}");
    // Bad tokens.
    let blank: Arc<Secret> = Arc::new(Secret::new(""));
    let e = SlackApi::new(&sb.endpoints().slack, blank.clone())
        .unwrap()
        .auth_test()
        .await
        .unwrap_err();
    assert_eq!(e.slack_error(), Some("not_authed"));
    let e = DiscordApi::new(&sb.endpoints().discord, Arc::new(Secret::new(" ")))
        .unwrap()
        .me()
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            ApiError::Permanent {
                platform: Platform::Discord,
                status: 401,
                ..
            }
        ),
        "{e}"
    );
    // The secret store being down is retryable and named.
    let e = SlackApi::new(&sb.endpoints().slack, Arc::new(Down))
        .unwrap()
        .auth_test()
        .await
        .unwrap_err();
    assert!(
        matches!(e, ApiError::Credential { .. }) && e.is_retryable(),
        "{e}"
    );
    // Malformed ids and base URLs never reach the network.
    let e = discord(&sb)
        .message("../../users/@me", "1")
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Config { .. }), "{e}");
    assert!(SlackApi::new("slack.com/api", token()).is_err());
    // A body that is not JSON, on every attempt: a read retries, then reports it.
    sb.set_faults(
        Source::Slack,
        Fault {
            garbage_rate: 1.0,
            ..Fault::default()
        },
    );
    let e = slack(&sb).auth_test().await.unwrap_err();
    assert!(
        matches!(&e, ApiError::Transient { reason, .. } if reason.contains("unreadable")),
        "{e}"
    );
}
