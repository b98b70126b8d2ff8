//! Integration tests of sremesh-chat through its public surface: rendering and escaping
//! (tables and properties), splitting, signatures, webhook parsing, and the API clients and
//! delivery against the sandbox's Slack and Discord on loopback (with injected faults).
#![allow(clippy::unwrap_used, reason = "a test that cannot set up should panic")]

mod api;
mod delivery;
mod escape;
mod render;
mod signatures;
mod split;
mod webhook;

use sremesh_chat::RetryPolicy;
use sremesh_core::{
    Category, Citation, EvidenceBlock, EvidenceState, Finding, Hypothesis, Link, Report, Secret,
    Severity, Telemetry,
};
use sremesh_sandbox::{Options, Sandbox};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// A running sandbox on the sandbox crate's fixture scenario (Slack C0ALERTS/C0DEPLOYS,
/// Discord guild 1100000000000000000 with channel …001), and its kubeconfig folder.
pub struct Running {
    pub sandbox: Sandbox,
    pub _dir: tempfile::TempDir,
}

impl std::ops::Deref for Running {
    type Target = Sandbox;
    fn deref(&self) -> &Sandbox {
        &self.sandbox
    }
}

pub async fn sandbox() -> Running {
    sremesh_core::tls::ensure_crypto_provider();
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/sandbox/tests/fixtures/checkout.yaml");
    let dir = tempfile::tempdir().unwrap();
    let scenario = sremesh_scenario::load(&fixture).unwrap();
    let sandbox = sremesh_sandbox::start(scenario, Options::new(dir.path()))
        .await
        .unwrap();
    Running { sandbox, _dir: dir }
}

/// Fast retries so fault tests take milliseconds (Retry-After still wins when sent).
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        budget: Duration::from_secs(10),
        attempt_timeout: Duration::from_secs(5),
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
    }
}

pub fn token() -> Arc<Secret> {
    Arc::new(Secret::new("xoxb-test-token"))
}

pub fn slack(sb: &Sandbox) -> sremesh_chat::SlackApi {
    sremesh_chat::SlackApi::new(&sb.endpoints().slack, token())
        .unwrap()
        .with_retry(fast_retry())
}

pub fn discord(sb: &Sandbox) -> sremesh_chat::DiscordApi {
    sremesh_chat::DiscordApi::new(&sb.endpoints().discord, token())
        .unwrap()
        .with_retry(fast_retry())
}

/// A report with every section filled and every evidence state present.
pub fn sample_report() -> Report {
    let oom = Finding::new(
        "oom_killed:payments/payments-api-7f9dd8b6c4-x7gr9",
        "oom_killed",
        Severity::Critical,
        "payments-api-7f9dd8b6c4-x7gr9 OOMKilled (exit code 137), restarted 5 times",
    )
    .with_category(Category::ResourceExhaustion)
    .with_evidence([
        "Last State: Terminated, Reason: OOMKilled, Exit Code: 137",
        "limits.memory: 256Mi",
    ])
    .with_link("https://console.aws.amazon.com/eks/home#/clusters/prod");
    let deploy = Finding::new(
        "deploy_announced:C0DEPLOYS",
        "deploy_announced",
        Severity::Info,
        "payments-api 2.4.1 rollout announced 12 min before the alert",
    );
    let block = |agent: &str, name: &str, emoji: &str, state: EvidenceState| EvidenceBlock {
        agent: agent.into(),
        display_name: name.into(),
        emoji: emoji.into(),
        state,
        detail: None,
        summary: String::new(),
        findings: vec![],
        partial: false,
        telemetry: None,
    };
    let mut eks = block("eks", "EKS", "☸️", EvidenceState::Ok);
    eks.findings = vec![oom];
    eks.summary = "1 pod OOMKilled in payments".into();
    eks.telemetry = Some(Telemetry {
        model: Some("us.anthropic.claude-haiku-4-5".into()),
        input_tokens: 12_345,
        output_tokens: 678,
        cost_usd: Some(0.0157),
        duration_ms: 4_200,
        tool_calls: 3,
    });
    let mut slack = block("slack_scanner", "Slack Scanner", "📡", EvidenceState::Ok);
    slack.findings = vec![deploy];
    slack.partial = true;
    let cw = block(
        "cloudwatch_logs",
        "CloudWatch Logs",
        "🪵",
        EvidenceState::Ok,
    );
    let pending = block("prometheus", "Prometheus", "📈", EvidenceState::Pending);
    let mut err = block(
        "discord_scanner",
        "Discord Scanner",
        "🎮",
        EvidenceState::Error,
    );
    err.detail = Some("timed out after 30 s".into());
    let disabled = block(
        "incident_history",
        "Incident History",
        "📚",
        EvidenceState::Disabled,
    );
    let mut skipped = block("changes", "Changes", "🔀", EvidenceState::Skipped);
    skipped.detail = Some("no repository configured".into());
    Report {
        investigation_id: "3f2c9a7e-1111-4a6b-9c1e-3f8b2a7d0001".into(),
        alert_text: "[FIRING:1] KubePodCrashLooping payments/payments-api\nsecond line".into(),
        severity: Severity::Critical,
        affected_services: vec!["payments-api".into()],
        detected_at: "2026-04-18T10:25:00Z".parse().unwrap(),
        summary: "payments-api pods are OOMKilled since the 2.4.1 rollout.".into(),
        hypotheses: vec![
            Hypothesis {
                category: Category::ResourceExhaustion,
                title: "payments-api is OOMKilled: its 256Mi limit is too low".into(),
                explanation: "Exit code 137 with OOMKilled on every restart.".into(),
                confidence: 0.82,
                citations: vec![
                    Citation {
                        agent: "eks".into(),
                        finding: "oom_killed:payments/payments-api-7f9dd8b6c4-x7gr9".into(),
                    },
                    Citation {
                        agent: "slack_scanner".into(),
                        finding: "deploy_announced:C0DEPLOYS".into(),
                    },
                ],
                ruled_out: vec!["node pressure: all nodes Ready".into()],
            },
            Hypothesis {
                category: Category::CodeDefect,
                title: "a memory leak in 2.4.1".into(),
                explanation: "Possible, but memory climbs to the limit within seconds.".into(),
                confidence: 0.3,
                citations: vec![],
                ruled_out: vec![],
            },
        ],
        evidence: vec![eks, slack, cw, pending, err, disabled, skipped],
        impact: "Checkout payments fail for all users.".into(),
        actions: vec![
            "Raise the memory limit to 512Mi".into(),
            "Roll back to 2.4.0".into(),
        ],
        links: vec![Link {
            label: "Runbook".into(),
            url: "https://runbooks.example.com/oom".into(),
        }],
        cost: Telemetry {
            model: Some("us.anthropic.claude-haiku-4-5".into()),
            input_tokens: 12_345,
            output_tokens: 678,
            cost_usd: Some(0.0157),
            duration_ms: 0,
            tool_calls: 3,
        },
        complete: false,
    }
}
