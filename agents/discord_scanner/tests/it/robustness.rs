//! Garbage bodies, error statuses, a missing token or URL: no panic, no hang, a clear status
//! and reason.

use super::*;
use sremesh_core::AgentStatus;
use sremesh_sandbox::{Fault, Source};

async fn with_fault(f: Fault) -> AgentResult {
    let s = load("imagepull-bad-tag-search-api");
    let dir = tempfile::tempdir().expect("a temp dir");
    let ctx = context(&s);
    let sb = sandbox(s, &dir).await;
    sb.set_faults(Source::Discord, f);
    let (r, took) = investigate(&agent_for(&sb), ctx, Duration::from_secs(10)).await;
    assert!(took < Duration::from_secs(10), "{took:?}");
    r
}

fn check(r: &AgentResult, status: AgentStatus, words: &[&str]) {
    assert_eq!(r.status, status, "{r:#?}");
    let e = r.error.as_deref().unwrap_or_default();
    for w in words {
        assert!(e.contains(w), "{w:?} not in {e:?}");
    }
    assert!(r.findings.is_empty(), "{r:#?}");
}

#[tokio::test]
async fn garbage_answers_are_an_error_not_a_panic() {
    let r = with_fault(Fault {
        garbage_rate: 1.0,
        ..Default::default()
    })
    .await;
    check(
        &r,
        AgentStatus::Error,
        &["no channel could be read", "unreadable"],
    );
}

#[tokio::test]
async fn an_outage_is_an_error() {
    let r = with_fault(Fault {
        error_rate: 1.0,
        error_status: 503,
        ..Default::default()
    })
    .await;
    check(&r, AgentStatus::Error, &["unavailable"]);
}

#[tokio::test]
async fn a_refused_token_is_unhealthy() {
    let r = with_fault(Fault {
        error_rate: 1.0,
        error_status: 401,
        ..Default::default()
    })
    .await;
    check(
        &r,
        AgentStatus::Unhealthy,
        &["identity check failed", "401"],
    );
}

#[tokio::test]
async fn no_token_or_a_bad_url_is_unhealthy_with_the_reason() {
    let ctx = AlertContext::from_text(
        "x",
        jiff::Timestamp::now(),
        SignedDuration::from_mins(30),
        SignedDuration::ZERO,
    );
    let agent = DiscordScanner::new(Settings::default());
    let (r, _) = investigate(&agent, ctx.clone(), Duration::from_secs(1)).await;
    check(
        &r,
        AgentStatus::Unhealthy,
        &["DISCORD_BOT_TOKEN is not set"],
    );
    let agent = DiscordScanner::new(Settings {
        token: Some(Arc::new(Secret::new("discord-test-token"))),
        api_url: "discord.example".into(),
        ..Default::default()
    });
    let (r, _) = investigate(&agent, ctx, Duration::from_secs(1)).await;
    check(&r, AgentStatus::Unhealthy, &["DISCORD_API_URL"]);
}
