//! `/sre-snapshot`: who the bot is in which workspace (`auth.test`) and how many channels it can
//! read (`users.conversations`), plus whether the watched channels are among them. Never fails:
//! a refused token or an unreachable Slack is itself the anomaly.

use crate::{ID, SlackScanner};
use sremesh_agent::Deadline;
use sremesh_chatscan::{Step, is_auth, within};
use sremesh_core::{SnapshotReport, SnapshotRequest, SnapshotSection, SnapshotStatus};
use std::time::Duration;

/// Most channels listed for the count.
const LISTED: usize = 1000;

/// Takes the snapshot at `req.requested_at`, answering before `deadline`.
pub async fn capture(
    agent: &SlackScanner,
    req: &SnapshotRequest,
    deadline: Deadline,
) -> SnapshotReport {
    let at = req.requested_at;
    let failed = |status, error: String| {
        let mut s = SnapshotReport::failed(ID, at, status, error.clone());
        s.anomaly = true;
        s.anomaly_summary = Some(error);
        s
    };
    let src = match agent.source() {
        Ok(s) => s,
        Err(reason) => return failed(SnapshotStatus::Unhealthy, reason.to_owned()),
    };
    let api = src.api();
    let (auth, listing) = tokio::join!(
        within(deadline, Duration::ZERO, api.auth_test()),
        within(deadline, Duration::ZERO, api.my_channels(LISTED)),
    );
    let auth = match auth {
        Ok(a) => a,
        Err(e) => {
            let status = match &e {
                Step::Api(a) if is_auth(a) => SnapshotStatus::Unhealthy,
                _ => SnapshotStatus::Error,
            };
            return failed(status, format!("auth.test failed: {e}"));
        }
    };
    let team = auth.team.clone().unwrap_or_else(|| "?".into());
    let user = auth.user.clone().unwrap_or_else(|| "?".into());
    let mut workspace = vec![
        format!("workspace: {team} ({})", auth.team_id),
        format!("bot user: {user} ({})", auth.user_id),
    ];
    if let Some(url) = &auth.url {
        workspace.push(format!("workspace URL: {url}"));
    }
    let mut channels = Vec::new();
    let mut anomaly = None;
    match listing {
        Ok(l) => {
            let more = if l.truncated {
                " (first ones; more exist)"
            } else {
                ""
            };
            channels.push(format!(
                "bot is a member of {} channel(s){more}",
                l.items.len()
            ));
            let watched = &agent.settings().scan.watch_channels;
            let missing: Vec<&String> = watched
                .iter()
                .filter(|w| !l.items.iter().any(|c| c.id == **w))
                .collect();
            if !watched.is_empty() {
                channels.push(format!("watched channels: {}", watched.join(", ")));
            }
            if !missing.is_empty() && !l.truncated {
                let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
                let msg = format!(
                    "the bot is not a member of watched channel(s) {}",
                    list.join(", ")
                );
                channels.push(format!("⚠️ {msg}"));
                anomaly = Some(msg);
            }
        }
        Err(e) => channels.push(format!("❌ cannot list the bot's channels: {e}")),
    }
    SnapshotReport {
        agent: ID.to_owned(),
        captured_at: at,
        status: SnapshotStatus::Ok,
        header: format!("{team} · bot {user}"),
        sections: vec![
            SnapshotSection::new("Workspace", workspace),
            SnapshotSection::new("Channels", channels),
        ],
        anomaly: anomaly.is_some(),
        anomaly_summary: anomaly,
        error: None,
        telemetry: Default::default(),
    }
}
