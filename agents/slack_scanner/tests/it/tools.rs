//! The tools (names from the catalogue, typed parameters) and the snapshot.

use super::*;

#[tokio::test]
async fn tools_are_the_catalogues_and_scan_with_a_query() {
    suite::the_tools_are_the_catalogues_and_scan_with_a_query::<P>(
        SCENARIO,
        "C0DEPLOYS",
        ("2026-03-30T09:55:00Z", "2026-03-30T10:25:00Z"),
        "payments-api",
        "#deploys · 10:21 · U0DANA",
    )
    .await;
}

#[tokio::test]
async fn the_snapshot_says_who_the_bot_is_and_what_it_reads() {
    let dir = tempfile::tempdir().unwrap();
    let sb = sandbox(load(SCENARIO), &dir).await;
    let snap = snapshot(&*agent_for::<P>(&sb)).await;
    let lines = snapshot_lines(&snap);
    assert!(
        lines.contains(&"workspace: sremesh sandbox (T0SREMESH)"),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"bot user: sremesh (U0SREMESH)"),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"bot is a member of 3 channel(s)"),
        "{lines:?}"
    );
}

#[tokio::test]
async fn the_snapshot_reports_what_it_cannot_read() {
    suite::the_snapshot_reports_what_it_cannot_read::<P>(SCENARIO, "auth.test").await;
}
