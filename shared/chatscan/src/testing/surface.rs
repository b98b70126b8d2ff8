//! The scanners' surface besides investigations, as shared test bodies: the tools (the
//! catalogue's names, typed parameters, a scan with a query) and the snapshot's failure modes.

use super::*;
use sremesh_core::SnapshotStatus;
use sremesh_sandbox::Fault;

/// The tools carry the catalogue's names and typed parameters; the scan tool reads `channel`
/// over `window` for `query` (finding its deploy, showing `recent` among the recent lines),
/// refuses a bad window, and the snapshot tool answers.
pub async fn the_tools_are_the_catalogues_and_scan_with_a_query<P: Platform>(
    id: &str,
    channel: &str,
    window: (&str, &str),
    query: &str,
    recent: &str,
) {
    let s = load(id);
    let dir = tempfile::tempdir().expect("a temp dir");
    let sb = sandbox(s, &dir).await;
    let set = crate::agent::tools(agent_for::<P>(&sb));
    let catalogue = sremesh_core::catalogue::agent(P::ID).expect("the agent is in the catalogue");
    assert_eq!(set.names(), catalogue.tools);
    let scan = set.get(P::SCAN_TOOL).expect("the scan tool");
    assert!(scan.parameters()["properties"]["query"].is_object());
    let d = Deadline::after(Duration::from_secs(10));
    let args = serde_json::json!({
        "channels": [channel],
        "window": {"start": window.0, "end": window.1},
        "query": query,
    });
    let out = scan.call(args, d).await.expect("the scan runs");
    assert!(
        out.findings.iter().any(|f| f.kind == "deploy_announced"),
        "{out:#?}"
    );
    assert!(
        out.scanned.contains(&format!("channel:{channel}")),
        "{out:#?}"
    );
    assert!(
        out.data["recent"].as_array().is_some_and(|r| r
            .iter()
            .any(|l| l.as_str().is_some_and(|l| l.contains(recent)))),
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
        matches!(
            bad,
            Err(sremesh_agent::tool::ToolError::InvalidArguments { .. })
        ),
        "{bad:?}"
    );
    let snap = set
        .get(crate::agent::SNAPSHOT_TOOL)
        .expect("the snapshot tool")
        .call(serde_json::json!({}), d)
        .await
        .expect("the snapshot runs");
    assert_eq!(snap.data["status"], "ok");
}

/// The snapshot's failure modes: a watched channel the bot cannot read is an anomaly; the
/// identity call failing (`identity_call` named) is an error snapshot, never a failure; no
/// token is unhealthy.
pub async fn the_snapshot_reports_what_it_cannot_read<P: Platform>(id: &str, identity_call: &str) {
    let s = load(id);
    let dir = tempfile::tempdir().expect("a temp dir");
    let sb = sandbox(s, &dir).await;
    let snap = snapshot(&*agent_for::<P>(&sb)).await;
    assert_eq!(snap.status, SnapshotStatus::Ok, "{snap:#?}");
    assert!(!snap.anomaly, "{snap:#?}");

    let mut settings = settings_for::<P>(&sb);
    settings.scan.watch_channels = vec!["C0NOTHERE".into()];
    let snap = snapshot(&Scanner::<P>::new(settings)).await;
    assert!(
        snap.anomaly
            && snap
                .anomaly_summary
                .as_deref()
                .is_some_and(|a| a.contains("C0NOTHERE")),
        "{snap:#?}"
    );

    sb.set_faults(
        source::<P>(),
        Fault {
            error_rate: 1.0,
            error_status: 500,
            ..Default::default()
        },
    );
    let snap = snapshot(&*agent_for::<P>(&sb)).await;
    assert_eq!(snap.status, SnapshotStatus::Error, "{snap:#?}");
    assert!(
        snap.anomaly
            && snap
                .error
                .as_deref()
                .is_some_and(|e| e.contains(identity_call)),
        "{snap:#?}"
    );

    let snap = snapshot(&Scanner::<P>::new(Settings::for_platform::<P>())).await;
    assert_eq!(snap.status, SnapshotStatus::Unhealthy);
    assert!(snap.anomaly);
}
