//! `/sre-snapshot`: who the bot is (`GET /users/@me`) and which guilds it is in
//! (`GET /users/@me/guilds`), plus whether the watched channels are among their text channels.
//! Never fails: a refused token or an unreachable Discord is itself the anomaly.

use crate::{DiscordScanner, ID};
use sremesh_agent::Deadline;
use sremesh_chatscan::{ChatSource, Step, is_auth, within};
use sremesh_core::{SnapshotReport, SnapshotRequest, SnapshotSection, SnapshotStatus};
use std::time::Duration;

/// Most channels listed when checking the watched ones.
const LISTED: usize = 1000;

/// Takes the snapshot at `req.requested_at`, answering before `deadline`.
pub async fn capture(
    agent: &DiscordScanner,
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
    let (me, guilds) = tokio::join!(
        within(deadline, Duration::ZERO, api.me()),
        within(deadline, Duration::ZERO, api.my_guilds()),
    );
    let me = match me {
        Ok(m) => m,
        Err(e) => {
            let status = match &e {
                Step::Api(a) if is_auth(a) => SnapshotStatus::Unhealthy,
                _ => SnapshotStatus::Error,
            };
            return failed(status, format!("GET /users/@me failed: {e}"));
        }
    };
    let bot = vec![
        format!("bot id: {}", me.id),
        format!("username: {}", me.username),
    ];
    let mut lines = Vec::new();
    let mut anomaly = None;
    match guilds {
        Ok(g) => {
            lines.push(format!("bot is a member of {} guild(s)", g.len()));
            for guild in g.iter().take(10) {
                lines.push(format!("guild: {} ({})", guild.name, guild.id));
            }
        }
        Err(e) => lines.push(format!("❌ cannot list the bot's guilds: {e}")),
    }
    let watched = &agent.settings().scan.watch_channels;
    if !watched.is_empty() {
        lines.push(format!("watched channels: {}", watched.join(", ")));
        match within(deadline, Duration::ZERO, src.member_channels(LISTED)).await {
            Ok(l) if !l.truncated => {
                let missing: Vec<&str> = watched
                    .iter()
                    .filter(|w| !l.items.iter().any(|c| c.id == **w))
                    .map(String::as_str)
                    .collect();
                if !missing.is_empty() {
                    let msg = format!(
                        "watched channel(s) {} are not text channels of the bot's guilds",
                        missing.join(", ")
                    );
                    lines.push(format!("⚠️ {msg}"));
                    anomaly = Some(msg);
                }
            }
            Ok(_) => {}
            Err(e) => lines.push(format!("❌ cannot list the guilds' channels: {e}")),
        }
    }
    SnapshotReport {
        agent: ID.to_owned(),
        captured_at: at,
        status: SnapshotStatus::Ok,
        header: format!("bot {} ({})", me.username, me.id),
        sections: vec![
            SnapshotSection::new("Bot", bot),
            SnapshotSection::new("Guilds", lines),
        ],
        anomaly: anomaly.is_some(),
        anomaly_summary: anomaly,
        error: None,
        telemetry: Default::default(),
    }
}
