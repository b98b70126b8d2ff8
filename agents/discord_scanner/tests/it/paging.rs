//! A channel with more messages than one page: every page of the window is read (the deploy
//! is the oldest message), and a per-channel cap says so when it cuts.

use super::*;

/// A scenario whose #deploys holds `n` chatter messages in the window plus, oldest of all, the
/// deploy announcement.
fn busy(n: usize) -> sremesh_sandbox::Scenario {
    let mut yaml = String::from(
        "schema: sremesh/scenario/v1\nid: busy-channel\ntitle: busy\nnow: 2026-03-30T10:25:00Z\nalert:\n  platform: discord\n  channel: \"1300000000000000001\"\n  user: datadog\n  bot: true\n  text: 'Triggered: [P2] Container restarts on payments-api kube_namespace:payments'\nworld:\n  discord:\n    guild: \"1300000000000000000\"\n    channels:\n      - id: \"1300000000000000001\"\n        name: alerts\n        messages: []\n      - id: \"1300000000000000002\"\n        name: deploys\n        messages:\n          - {at: \"-1700s\", author: dana, content: \"deploying payments-api v1.8.0 to prod\"}\n",
    );
    for i in 0..n {
        yaml.push_str(&format!(
            "          - {{at: \"-{}s\", author: chatter, content: \"chatter {i}\"}}\n",
            1 + i * 3
        ));
    }
    sremesh_scenario::load_str("busy", &yaml).unwrap_or_else(|e| panic!("{e}"))
}

async fn run(n: usize, max_messages: usize) -> sremesh_core::AgentResult {
    suite::read_with_cap::<P>(busy(n), max_messages).await
}

#[tokio::test]
async fn every_page_of_the_window_is_read() {
    // 250 + 1 messages in #deploys: three pages of 100 (and the alert in #alerts).
    let r = run(250, 1000).await;
    assert!(
        r.findings
            .iter()
            .any(|f| f.kind == "deploy_announced" && f.title.contains("v1.8.0")),
        "{r:#?}"
    );
    assert!(r.summary.contains("252 message(s) read"), "{}", r.summary);
    assert!(r.error.is_none(), "{r:#?}");
}

#[tokio::test]
async fn the_per_channel_cap_is_said_when_it_cuts() {
    let r = run(250, 100).await;
    assert!(
        !r.findings.iter().any(|f| f.kind == "deploy_announced"),
        "the oldest message is past the cap: {r:#?}"
    );
    assert!(
        r.error
            .as_deref()
            .is_some_and(|e| e.contains("#deploys: only the newest 100 messages")),
        "{r:#?}"
    );
}
