//! Rendering: the report's sections in DESIGN.md's order in every dialect, each evidence
//! state, the other messages, and JSON as plain serde.

use super::sample_report;
use sremesh_chat::messages::{
    AgentProgress, Enrichment, FailureNotice, Nudge, ProgressState, SnapshotBlock, SnapshotState,
    SnapshotSummary, Started,
};
use sremesh_chat::{Dialect, Render};
use sremesh_core::{
    EvidenceState, Report, SnapshotReport, SnapshotSection, SnapshotStatus, Telemetry,
};

/// Asserts every `want` appears in `text`, in this order.
fn check_in_order(text: &str, want: &[&str]) {
    let mut from = 0;
    for w in want {
        match text[from..].find(w) {
            Some(i) => from += i + w.len(),
            None => panic!("{w:?} missing (or out of order) after byte {from} in:\n{text}"),
        }
    }
}

const PLAIN: Dialect = Dialect::Terminal { color: false };

#[test]
fn report_sections_come_in_design_order_in_every_dialect() {
    let r = sample_report();
    let cases: [(Dialect, &[&str]); 3] = [
        (
            Dialect::Slack,
            &[
                "🔴 *Incident report* — [FIRING:1] KubePodCrashLooping payments/payments-api",
                "━━━",
                "*Severity:* 🔴 critical",
                "*Affected services:* payments-api",
                "*Detected:* 2026-04-18 10:25:00 UTC",
                "*Summary*",
                "*Root-cause hypotheses*",
                "*1. payments-api is OOMKilled: its 256Mi limit is too low*",
                "_resource exhaustion · confidence high (82%)_",
                "_Based on:_",
                "• EKS: payments-api-7f9dd8b6c4-x7gr9 OOMKilled (exit code 137), restarted 5 times",
                "• Slack Scanner: payments-api 2.4.1 rollout announced",
                "_Ruled out:_",
                "• node pressure: all nodes Ready",
                "*2. a memory leak in 2.4.1*",
                "_code defect · confidence low (30%)_",
                "*Evidence*",
                "☸️ *EKS*",
                "_us.anthropic.claude-haiku-4-5 · 12,345 tokens in / 678 out · $0.0157 · 4.2 s · 3 tool calls_",
                "• 🔴 payments-api-7f9dd8b6c4-x7gr9 OOMKilled",
                ">Last State: Terminated, Reason: OOMKilled, Exit Code: 137",
                "<https://console.aws.amazon.com/eks/home#/clusters/prod|🔗 view>",
                "📡 *Slack Scanner*",
                "_Partial: answered at its deadline",
                "🪵 *CloudWatch Logs*",
                "_no notable findings_",
                "📈 *Prometheus* ⏳",
                "_still investigating — results will follow_",
                "🎮 *Discord Scanner* ⚠️",
                "*Failed:* timed out after 30 s",
                "📚 *Incident History* 🚫",
                "_Not dispatched: disabled in config.yaml_",
                "🔀 *Changes* ➖",
                "_Skipped: no repository configured_",
                "*Impact*",
                "Checkout payments fail for all users.",
                "*Recommended actions*",
                "1. Raise the memory limit to 512Mi",
                "2. Roll back to 2.4.0",
                "*Links*",
                "• <https://runbooks.example.com/oom|Runbook>",
                "_Cost: 12,345 tokens in / 678 out · $0.0157_",
            ],
        ),
        (
            Dialect::Discord,
            &[
                "🔴 **Incident report** — \\[FIRING:1\\] KubePodCrashLooping",
                "───",
                "**Severity:** 🔴 critical",
                "**Summary**",
                "**Root-cause hypotheses**",
                "- EKS: payments-api-7f9dd8b6c4-x7gr9 OOMKilled",
                "**Evidence**",
                "☸️ **EKS**",
                "> Last State: Terminated",
                "[🔗 view](https://console.aws.amazon.com/eks/home#/clusters/prod)",
                "📈 **Prometheus** ⏳",
                "**Impact**",
                "**Recommended actions**",
                "**Links**",
                "- [Runbook](https://runbooks.example.com/oom)",
                "_Cost: 12,345 tokens in / 678 out · $0.0157_",
            ],
        ),
        (
            PLAIN,
            &[
                "🔴 Incident report — [FIRING:1] KubePodCrashLooping payments/payments-api",
                "Severity: CRITICAL",
                "SUMMARY",
                "ROOT-CAUSE HYPOTHESES",
                "1. payments-api is OOMKilled",
                "EVIDENCE",
                "[CRITICAL] payments-api-7f9dd8b6c4-x7gr9 OOMKilled",
                "│ limits.memory: 256Mi",
                "🔗 view: https://console.aws.amazon.com/eks/home#/clusters/prod",
                "IMPACT",
                "RECOMMENDED ACTIONS",
                "LINKS",
                "Runbook: https://runbooks.example.com/oom",
                "Cost: 12,345 tokens in / 678 out · $0.0157",
            ],
        ),
    ];
    for (d, want) in cases {
        check_in_order(&r.render(d), want);
    }
}

#[test]
fn terminal_colour_is_optional_and_plain_has_no_escape_codes() {
    let r = sample_report();
    let plain = r.render(PLAIN);
    assert!(
        !plain.contains('\x1b'),
        "plain terminal text has ANSI codes"
    );
    let colour = r.render(Dialect::Terminal { color: true });
    assert!(colour.contains("\x1b[1;31mCRITICAL\x1b[0m"));
    assert!(!colour.contains('*'), "terminal text uses no markdown");
}

#[test]
fn empty_sections_say_so_and_cost_says_no_model() {
    let mut r = sample_report();
    r.hypotheses.clear();
    r.evidence.clear();
    r.actions.clear();
    r.links.clear();
    r.affected_services.clear();
    r.cost = Telemetry::default();
    r.complete = true;
    check_in_order(
        &r.render(Dialect::Slack),
        &[
            "*Affected services:* _none identified_",
            "_No hypothesis: the evidence points nowhere yet._",
            "_No agents were asked for this investigation._",
            "*Recommended actions*\n_None yet._",
            "_No links._",
            "_Cost: no model used_",
        ],
    );
}

#[test]
fn evidence_lines_are_capped_per_finding() {
    let mut r = sample_report();
    let f = &mut r.evidence[0].findings[0];
    f.evidence = (0..12)
        .map(|i| format!("line {i} {}", "x".repeat(400)))
        .collect();
    let text = r.render(PLAIN);
    assert!(text.contains("line 7 "));
    assert!(!text.contains("line 8 "));
    assert!(text.contains("(+4 more evidence lines)"));
    let longest = text.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(longest < 330, "an evidence line was not capped: {longest}");
}

fn started() -> Started {
    let a = |id: &str, name: &str, emoji: &str, state| AgentProgress {
        id: id.into(),
        display_name: name.into(),
        emoji: emoji.into(),
        state,
    };
    Started {
        investigation_id: "inv-1".into(),
        alert_text: "CPU high on <!channel> search-indexer\nmore".into(),
        agents: vec![
            a("eks", "EKS", "☸️", ProgressState::Running),
            a(
                "slack_scanner",
                "Slack Scanner",
                "📡",
                ProgressState::Done("2 findings".into()),
            ),
            a(
                "cloudwatch_logs",
                "CloudWatch Logs",
                "🪵",
                ProgressState::Failed("timed out".into()),
            ),
            a(
                "discord_scanner",
                "Discord Scanner",
                "🎮",
                ProgressState::Disabled,
            ),
            a("prometheus", "Prometheus", "📈", ProgressState::Queued),
        ],
        initial_deadline_secs: 60,
        cutoff_secs: 300,
    }
}

#[test]
fn other_messages_render_their_parts() {
    let r = sample_report();
    let mut late = r.evidence[0].clone();
    late.state = EvidenceState::Ok;
    let enrichment = Enrichment {
        investigation_id: "inv-1".into(),
        block: late,
        top: r.top().cloned(),
    };
    let mut failed_block = r.evidence[4].clone();
    failed_block.state = EvidenceState::Error;
    let failed = Enrichment {
        investigation_id: "inv-1".into(),
        block: failed_block,
        top: None,
    };
    let snap = SnapshotSummary {
        requested_at: "2026-04-18T10:25:00Z".parse().unwrap(),
        blocks: vec![
            SnapshotBlock {
                display_name: "EKS".into(),
                emoji: "☸️".into(),
                state: SnapshotState::Anomaly,
                report: Some(SnapshotReport {
                    agent: "eks".into(),
                    captured_at: "2026-04-18T10:25:00Z".parse().unwrap(),
                    status: SnapshotStatus::Ok,
                    header: "payments-prod-eks · v1.30.4".into(),
                    sections: vec![
                        SnapshotSection::new(
                            "Pods not ready",
                            ["payments/payments-api-x (CrashLoopBackOff)"],
                        ),
                        SnapshotSection::new("Nodes", Vec::<String>::new()),
                    ],
                    anomaly: true,
                    anomaly_summary: Some("1 pod crash-looping".into()),
                    error: None,
                    telemetry: Telemetry::default(),
                }),
                error: None,
            },
            SnapshotBlock {
                display_name: "CloudWatch Logs".into(),
                emoji: "🪵".into(),
                state: SnapshotState::Error,
                report: None,
                error: Some("AccessDenied".into()),
            },
            SnapshotBlock {
                display_name: "Discord Scanner".into(),
                emoji: "🎮".into(),
                state: SnapshotState::Disabled,
                report: None,
                error: None,
            },
        ],
    };
    let cases: Vec<(Box<dyn Render>, Vec<&str>)> = vec![
        (
            Box::new(started()),
            vec![
                "🔎 *Investigation started*",
                "*Alert:* CPU high on &lt;!channel&gt; search-indexer",
                "*Investigation:* inv-1",
                "• ☸️ EKS — ⏳ running",
                "• 📡 Slack Scanner — ✅ done — 2 findings",
                "• 🪵 CloudWatch Logs — ⚠️ failed — timed out",
                "• 🎮 Discord Scanner — 🚫 disabled",
                "• 📈 Prometheus — 🕒 queued",
                "_Initial report in up to 60 s; late results until the 5 min cutoff._",
            ],
        ),
        (
            Box::new(enrichment),
            vec![
                "📬 *Late result — EKS*",
                "☸️ *EKS*",
                "• 🔴 payments-api-7f9dd8b6c4-x7gr9 OOMKilled",
                "*Updated assessment*",
                "*1. payments-api is OOMKilled",
                "• EKS: payments-api-7f9dd8b6c4-x7gr9 OOMKilled",
                "• slack_scanner: deploy_announced:C0DEPLOYS",
            ],
        ),
        (
            Box::new(failed),
            vec![
                "⚠️ *Late result (failed) — Discord Scanner*",
                "*Failed:* timed out after 30 s",
            ],
        ),
        (
            Box::new(snap),
            vec![
                "🩺 *Status snapshot*",
                "*Captured at:* 2026-04-18 10:25:00 UTC",
                "*Summary:* 0 ok · 1 anomaly · 1 error · 1 disabled",
                "☸️ *EKS* ⚠️",
                "_payments-prod-eks · v1.30.4_",
                "*Anomaly:* 1 pod crash-looping",
                "*Pods not ready*",
                "• payments/payments-api-x (CrashLoopBackOff)",
                "*Nodes*",
                "• _no data_",
                "🪵 *CloudWatch Logs* ❌",
                "*Error:* AccessDenied",
                "🎮 *Discord Scanner* 🚫",
                "_disabled in config.yaml — not dispatched_",
            ],
        ),
        (
            Box::new(FailureNotice {
                investigation_id: "inv-9".into(),
                detail: "master unreachable: <@U123> connection refused".into(),
            }),
            vec![
                "⚠️ *Investigation failed*",
                "*Investigation:* inv-9",
                "master unreachable: &lt;@U123&gt; connection refused",
            ],
        ),
        (
            Box::new(Nudge),
            vec![
                "👋 I investigate infrastructure alerts. Mention me on an alert message (or include the word *investigate*) and I'll dig in.",
            ],
        ),
    ];
    for (msg, want) in cases {
        check_in_order(&msg.render(Dialect::Slack), &want);
    }
    // The same messages in Discord markdown use its bold.
    check_in_order(
        &Nudge.render(Dialect::Discord),
        &["include the word **investigate**"],
    );
    check_in_order(
        &started().render(Dialect::Discord),
        &["🔎 **Investigation started**", "- ☸️ EKS — ⏳ running"],
    );
}

#[test]
fn report_and_messages_round_trip_as_json() {
    let r = sample_report();
    let json = sremesh_chat::render::json(&r);
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);
    let s = started();
    let v = serde_json::to_value(&s).unwrap();
    assert_eq!(
        v["agents"][1]["state"],
        serde_json::json!({"kind": "done", "detail": "2 findings"})
    );
    assert_eq!(
        v["agents"][0]["state"],
        serde_json::json!({"kind": "running"})
    );
    let back: Started = serde_json::from_value(v).unwrap();
    assert_eq!(back, s);
}
