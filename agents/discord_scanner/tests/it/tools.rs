//! The tools (names from the catalogue, typed parameters) and the snapshot.

use super::*;
use sremesh_agent::tool::ToolError;
use sremesh_core::{SnapshotRequest, SnapshotStatus};
use sremesh_discord_scanner::tools::tools;
use sremesh_sandbox::{Fault, Source};

#[tokio::test]
async fn tools_are_the_catalogues_and_scan_with_a_query() {
    let s = load("imagepull-bad-tag-search-api");
    let dir = tempfile::tempdir().unwrap();
    let sb = sandbox(s, &dir).await;
    let set = tools(agent_for(&sb));
    let catalogue = sremesh_core::catalogue::agent(sremesh_discord_scanner::ID).unwrap();
    assert_eq!(set.names(), catalogue.tools);
    let scan = set.get("scan_discord_channels").unwrap();
    assert!(scan.parameters()["properties"]["query"].is_object());
    let d = Deadline::after(Duration::from_secs(10));
    let args = serde_json::json!({
        "channels": ["1182736450912837700"],
        "window": {"start": "2026-03-12T08:48:00Z", "end": "2026-03-12T09:18:00Z"},
        "query": "search-api",
    });
    let out = scan.call(args, d).await.unwrap();
    assert!(
        out.findings.iter().any(|f| f.kind == "deploy_announced"),
        "{out:#?}"
    );
    assert!(
        out.scanned
            .contains(&"channel:1182736450912837700".to_owned())
    );
    assert!(
        out.data["recent"]
            .as_array()
            .is_some_and(|r| r.iter().any(|l| l
                .as_str()
                .unwrap()
                .contains("#deploys · 09:04 · jonas.weber"))),
        "{}",
        out.data
    );
    let bad = scan
        .call(
            serde_json::json!({"window": {"start": "yesterday", "end": "now"}}),
            d,
        )
        .await;
    assert!(
        matches!(bad, Err(ToolError::InvalidArguments { .. })),
        "{bad:?}"
    );
    let snap = set
        .get("capture_snapshot")
        .unwrap()
        .call(serde_json::json!({}), d)
        .await
        .unwrap();
    assert_eq!(snap.data["status"], "ok");
}

async fn snapshot(agent: &DiscordScanner) -> sremesh_core::SnapshotReport {
    let job = Job {
        request: SnapshotRequest::new(jiff::Timestamp::now(), None),
        deadline: Deadline::after(Duration::from_secs(10)),
        partial: Partial::default(),
        task_id: "t".into(),
    };
    let Answer::Snapshot(s) = agent.snapshot(job).await else {
        panic!("a snapshot answers with a SnapshotReport")
    };
    s
}

#[tokio::test]
async fn the_snapshot_says_who_the_bot_is_and_what_it_reads() {
    let s = load("imagepull-bad-tag-search-api");
    let dir = tempfile::tempdir().unwrap();
    let sb = sandbox(s, &dir).await;
    let snap = snapshot(&agent_for(&sb)).await;
    assert_eq!(snap.status, SnapshotStatus::Ok, "{snap:#?}");
    assert!(!snap.anomaly);
    let lines: Vec<&str> = snap
        .sections
        .iter()
        .flat_map(|s| s.lines.iter().map(String::as_str))
        .collect();
    assert!(lines.contains(&"bot id: 1200000000000000001"), "{lines:?}");
    assert!(lines.contains(&"username: sremesh"), "{lines:?}");
    assert!(
        lines.contains(&"bot is a member of 1 guild(s)"),
        "{lines:?}"
    );

    // A watched channel the bot is not in is an anomaly.
    let mut settings = settings_for(&sb);
    settings.scan.watch_channels = vec!["1182736450912830000".into()];
    let snap = snapshot(&DiscordScanner::new(settings)).await;
    assert!(
        snap.anomaly
            && snap
                .anomaly_summary
                .as_deref()
                .is_some_and(|a| a.contains("1182736450912830000")),
        "{snap:#?}"
    );

    // auth.test failing is the anomaly; the snapshot itself never fails.
    sb.set_faults(
        Source::Discord,
        Fault {
            error_rate: 1.0,
            error_status: 500,
            ..Default::default()
        },
    );
    let snap = snapshot(&agent_for(&sb)).await;
    assert_eq!(snap.status, SnapshotStatus::Error, "{snap:#?}");
    assert!(
        snap.anomaly
            && snap
                .error
                .as_deref()
                .is_some_and(|e| e.contains("/users/@me")),
        "{snap:#?}"
    );

    let snap = snapshot(&DiscordScanner::new(Settings::default())).await;
    assert_eq!(snap.status, SnapshotStatus::Unhealthy);
    assert!(snap.anomaly);
}
