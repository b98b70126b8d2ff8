//! A plain-text alert (what a generic A2A client sends): no channel named, so the channels the
//! bot is a member of are read; the alert message itself is recognised by its text.

use super::*;

#[tokio::test]
async fn a_plain_text_alert_scans_the_bots_channels() {
    let s = load("bad-rollout-payments-api");
    let dir = tempfile::tempdir().unwrap();
    // As the harness builds it from a text part: no platform, no channel, no message id.
    let ctx = AlertContext::from_text(
        s.alert.text.trim(),
        s.now,
        SignedDuration::from_mins(30),
        SignedDuration::from_mins(5),
    );
    let sb = sandbox(s, &dir).await;
    let (r, _) = investigate(&agent_for(&sb), ctx, Duration::from_secs(20)).await;
    let mut scanned = r.scanned.clone();
    scanned.sort();
    assert_eq!(
        scanned,
        [
            "channel:C0DEPLOYS",
            "channel:C0PAYALERTS",
            "channel:C0PAYMENTS"
        ]
    );
    assert!(
        r.findings
            .iter()
            .any(|f| f.kind == "deploy_announced" && f.title.contains("payments-api v1.8.0")),
        "{r:#?}"
    );
    // The alert (a Datadog bot message in #payments-alerts) is not its own related alert.
    assert!(
        !r.findings.iter().any(|f| f.kind == "related_alert"),
        "{r:#?}"
    );
}
