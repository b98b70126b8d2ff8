//! The tools (names from the catalogue, typed parameters) and the snapshot.

use super::*;

#[tokio::test]
async fn tools_are_the_catalogues_and_scan_with_a_query() {
    suite::the_tools_are_the_catalogues_and_scan_with_a_query::<P>(
        SCENARIO,
        "1182736450912837700",
        ("2026-03-12T08:48:00Z", "2026-03-12T09:18:00Z"),
        "search-api",
        "#deploys · 09:04 · jonas.weber",
    )
    .await;
}

#[tokio::test]
async fn the_snapshot_says_who_the_bot_is_and_what_it_reads() {
    let dir = tempfile::tempdir().unwrap();
    let sb = sandbox(load(SCENARIO), &dir).await;
    let snap = snapshot(&*agent_for::<P>(&sb)).await;
    let lines = snapshot_lines(&snap);
    assert!(lines.contains(&"bot id: 1200000000000000001"), "{lines:?}");
    assert!(lines.contains(&"username: sremesh"), "{lines:?}");
    assert!(
        lines.contains(&"bot is a member of 1 guild(s)"),
        "{lines:?}"
    );
}

#[tokio::test]
async fn the_snapshot_reports_what_it_cannot_read() {
    suite::the_snapshot_reports_what_it_cannot_read::<P>(SCENARIO, "GET /users/@me").await;
}
