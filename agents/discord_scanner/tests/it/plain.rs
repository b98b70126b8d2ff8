//! A plain-text alert (what a generic A2A client sends): no channel named, so the channels the
//! bot's guilds are read; the alert message itself is recognised by its text.

use super::*;

#[tokio::test]
async fn a_plain_text_alert_scans_the_bots_channels() {
    let s = load("imagepull-bad-tag-search-api");
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
            "channel:1182736450912837632",
            "channel:1182736450912837700",
            "channel:1182736450912837800"
        ]
    );
    assert!(
        r.findings
            .iter()
            .any(|f| f.kind == "deploy_announced" && f.title.contains("search-api v2.3.1")),
        "{r:#?}"
    );
    // The alert (Alertmanager's message in #alerts-prod) is not its own related alert.
    assert!(
        !r.findings
            .iter()
            .any(|f| f.text().contains("KubePodNotReady")),
        "{r:#?}"
    );
}
