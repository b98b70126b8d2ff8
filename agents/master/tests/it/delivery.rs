//! Delivery through the sandbox's Slack and Discord: the started message edited in place, the
//! report in the alert's thread exactly once — even when the chat API answers 429 and 503 first.

use crate::support::serve_agent;
use sremesh_chat::{DiscordApi, RetryPolicy, SlackApi};
use sremesh_core::{
    AgentResult, AlertContext, Category, Finding, Platform, Secret, Severity, catalogue,
};
use sremesh_master::chat::ChatNotifier;
use sremesh_master::orchestrator::{Limits, Orchestrator, Specialist};
use sremesh_sandbox::{Fault, PostAction, Source};
use std::sync::Arc;
use std::time::Duration;

fn oom() -> AgentResult {
    let f = Finding::new(
        "oom_killed:shop/checkout-api-5d9c7b8f6-abcde",
        "oom_killed",
        Severity::Critical,
        "checkout-api-5d9c7b8f6-abcde OOMKilled (exit code 137)",
    )
    .with_category(Category::ResourceExhaustion)
    .with_service("checkout-api");
    AgentResult::ok("eks", "checkout-api OOMKilled", vec![f])
}

async fn sandbox(dir: &std::path::Path) -> sremesh_sandbox::Sandbox {
    sremesh_core::tls::ensure_crypto_provider();
    let path = sremesh_testkit::workspace_root().join("tests/sandbox/tests/fixtures/checkout.yaml");
    let scenario = sremesh_scenario::load(&path).unwrap();
    sremesh_sandbox::start(scenario, sremesh_sandbox::Options::new(dir))
        .await
        .unwrap()
}

fn retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        budget: Duration::from_secs(20),
        attempt_timeout: Duration::from_secs(5),
        min_delay: Duration::from_millis(50),
        max_delay: Duration::from_secs(2),
    }
}

async fn run(
    platform: Platform,
    sandbox: &sremesh_sandbox::Sandbox,
    channel: &str,
    message_id: &str,
) -> sremesh_core::Report {
    let eks = serve_agent("eks", Duration::from_millis(100), oom()).await;
    let cw = serve_agent(
        "cloudwatch_logs",
        Duration::from_millis(400),
        AgentResult::ok("cloudwatch_logs", "quiet", vec![]),
    )
    .await;
    let e = sandbox.endpoints();
    let notifier = match platform {
        Platform::Slack => ChatNotifier::new(
            Some(
                SlackApi::new(&e.slack, Arc::new(Secret::new("xoxb-test")))
                    .unwrap()
                    .with_retry(retry()),
            ),
            None,
        ),
        Platform::Discord => ChatNotifier::new(
            None,
            Some(
                DiscordApi::new(&e.discord, Arc::new(Secret::new("bot-test")))
                    .unwrap()
                    .with_retry(retry()),
            ),
        ),
    };
    let specialists = vec![
        Specialist {
            info: catalogue::agent("eks").unwrap(),
            client: Some(Arc::new(
                sremesh_agent::AgentClient::new("eks", &eks).unwrap(),
            )),
        },
        Specialist {
            info: catalogue::agent("cloudwatch_logs").unwrap(),
            client: Some(Arc::new(
                sremesh_agent::AgentClient::new("cloudwatch_logs", &cw).unwrap(),
            )),
        },
    ];
    let limits = Limits {
        initial: Duration::from_secs(20),
        cutoff: Duration::from_secs(30),
        margin: Duration::from_secs(1),
    };
    let orch = Orchestrator::new(specialists, limits, Arc::new(notifier));
    let mut ctx = AlertContext::from_text(
        "[FIRING:1] KubePodCrashLooping shop/checkout-api-5d9c7b8f6-abcde",
        jiff::Timestamp::now(),
        jiff::SignedDuration::from_mins(30),
        jiff::SignedDuration::from_mins(5),
    );
    ctx.platform = Some(platform);
    ctx.channel_id = Some(channel.to_owned());
    ctx.message_id = Some(message_id.to_owned());
    orch.investigate(ctx).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_report_lands_once_in_the_thread_despite_429_and_503() {
    let dir = tempfile::tempdir().unwrap();
    let sb = sandbox(dir.path()).await;
    let alert_ts = sb.scenario().alert.ts.clone();
    // The first two chat calls are rate limited, the next one gets a 503.
    sb.set_faults(
        Source::Slack,
        Fault {
            fail_next: 2,
            error_status: 429,
            retry_after: Some(1),
            ..Fault::default()
        },
    );
    let report = run(Platform::Slack, &sb, "C0ALERTS", &alert_ts).await;
    assert_eq!(report.hypotheses[0].category, Category::ResourceExhaustion);
    let posted = sb.posted();
    let in_thread: Vec<_> = posted
        .iter()
        .filter(|p| p.thread.as_deref() == Some(alert_ts.as_str()))
        .collect();
    let reports: Vec<_> = in_thread
        .iter()
        .filter(|p| {
            p.action == PostAction::Post
                && p.text.contains("OOMKilled")
                && p.text.contains("Recommended")
        })
        .collect();
    assert_eq!(
        reports.len(),
        1,
        "the report lands exactly once: {posted:#?}"
    );
    let started: Vec<_> = in_thread
        .iter()
        .filter(|p| p.action == PostAction::Post && p.text.contains("Investigation started"))
        .collect();
    assert_eq!(started.len(), 1, "one started message: {posted:#?}");
    assert!(
        posted
            .iter()
            .any(|p| p.action == PostAction::Update && p.id == started[0].id),
        "the started message is edited in place as agents finish"
    );
    assert!(
        posted
            .iter()
            .all(|p| !p.text.contains("<!channel>") && !p.text.contains("<!here>"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_report_replies_to_the_alert_without_mentions_despite_503() {
    let dir = tempfile::tempdir().unwrap();
    let sb = sandbox(dir.path()).await;
    sb.set_faults(
        Source::Discord,
        Fault {
            fail_next: 1,
            error_status: 503,
            ..Fault::default()
        },
    );
    // The fixture's alert is on Slack; any Discord channel of the world works as a target.
    let channel = "1100000000000000001";
    let report = run(Platform::Discord, &sb, channel, "1200000000000000999").await;
    assert_eq!(report.hypotheses[0].category, Category::ResourceExhaustion);
    let posted = sb.posted();
    let reports: Vec<_> = posted
        .iter()
        .filter(|p| {
            p.action == PostAction::Post
                && p.text.contains("OOMKilled")
                && p.text.contains("Recommended")
        })
        .collect();
    assert!(!reports.is_empty(), "{posted:#?}");
    let parts_total = reports.len();
    assert!(
        reports.iter().all(|p| p.text.chars().count() <= 2000),
        "Discord parts stay under 2,000 characters"
    );
    assert!(
        reports
            .iter()
            .all(|p| p.request["allowed_mentions"]["parse"] == serde_json::json!([])),
        "no mention can ping: {:?}",
        reports[0].request
    );
    assert!(parts_total >= 1);
}
