//! The sandbox's delay knob makes Discord slow: the scanner still answers by its deadline, marked
//! partial, with what it had read.

use super::*;
use sremesh_sandbox::{Fault, Source};

#[tokio::test]
async fn a_slow_discord_gets_a_partial_answer_on_time() {
    let s = load("imagepull-bad-tag-search-api");
    let dir = tempfile::tempdir().unwrap();
    let mut ctx = context(&s);
    ctx.channel_id = None;
    ctx.scan_channels = vec!["1182736450912837700".into()]; // read first (one channel at a time below)
    let sb = sandbox(s, &dir).await;
    sb.set_faults(
        Source::Discord,
        Fault {
            delay_ms: 600,
            ..Default::default()
        },
    );
    let mut settings = settings_for(&sb);
    settings.scan.concurrency = 1;
    let agent = DiscordScanner::new(settings);
    // /users/@me + guilds (0.6 s) ‖ guild channels (0.6 s), #deploys (0.6 s), then the
    // deadline (2.6 s − 0.3 s reserve) cuts the next channel short.
    let budget = Duration::from_millis(2600);
    let (r, took) = investigate(&agent, ctx, budget).await;
    assert!(took <= budget, "answered after the deadline: {took:?}");
    assert!(r.partial, "{r:#?}");
    assert!(
        r.findings
            .iter()
            .any(|f| f.kind == "deploy_announced" && f.title.contains("v2.3.1")),
        "{r:#?}"
    );
    assert!(
        r.error.as_deref().is_some_and(|e| e.contains("deadline")),
        "{r:#?}"
    );
}

#[tokio::test]
async fn a_hung_discord_still_gets_an_answer_on_time() {
    let s = load("imagepull-bad-tag-search-api");
    let dir = tempfile::tempdir().unwrap();
    let ctx = context(&s);
    let sb = sandbox(s, &dir).await;
    sb.set_faults(
        Source::Discord,
        Fault {
            delay_ms: 30_000,
            ..Default::default()
        },
    );
    let budget = Duration::from_millis(1500);
    let (r, took) = investigate(&agent_for(&sb), ctx, budget).await;
    assert!(took <= budget, "answered after the deadline: {took:?}");
    assert!(r.partial, "{r:#?}");
    assert_eq!(r.status, sremesh_core::AgentStatus::Error, "{r:#?}");
    assert!(
        r.error.as_deref().is_some_and(|e| e.contains("deadline")),
        "{r:#?}"
    );
}
