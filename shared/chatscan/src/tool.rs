//! The scan tool both scanners register (`scan_slack_channels`, `scan_discord_channels`): typed
//! parameters and the call, for a model's tool loop and for tests.

use crate::evidence::{Channels, line};
use crate::scan::{Fatal, ScanRequest, ScanSettings, scan};
use crate::source::ChatSource;
use crate::targets::Targets;
use jiff::{SignedDuration, Timestamp};
use schemars::JsonSchema;
use serde::Deserialize;
use sremesh_agent::tool::{ToolError, ToolOutput};
use sremesh_agent::{Deadline, Partial};
use sremesh_core::TimeWindow;

/// Most recent message lines returned in `data.recent` for a model to read.
const RECENT: usize = 30;

/// A period to read.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowParam {
    /// Start, RFC 3339 (`2026-03-30T09:55:00Z`).
    pub start: String,
    /// End, RFC 3339.
    pub end: String,
}

/// Parameters of the scan tool.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanParams {
    /// Channel ids to read, most important first (default: the watched channels, else the
    /// channels the bot is a member of).
    #[serde(default)]
    pub channels: Vec<String>,
    /// The period to read (default: the 30 minutes before now).
    #[serde(default)]
    pub window: Option<WindowParam>,
    /// Names to look for — services, namespaces, resource ids from the alert — separated by
    /// spaces or commas. Messages naming none of them are not findings (they still show in
    /// `data.recent`).
    #[serde(default)]
    pub query: Option<String>,
}

fn time(tool: &'static str, field: &str, v: &str) -> Result<Timestamp, ToolError> {
    v.parse().map_err(|e| ToolError::InvalidArguments {
        tool,
        reason: format!("window.{field} is not an RFC 3339 time ({v}): {e}"),
    })
}

/// Runs the scan tool named `tool` over `src`.
pub async fn run<S: ChatSource>(
    tool: &'static str,
    src: &S,
    set: &ScanSettings,
    p: ScanParams,
    deadline: Deadline,
) -> Result<ToolOutput, ToolError> {
    let window = match &p.window {
        Some(w) => {
            let (start, end) = (time(tool, "start", &w.start)?, time(tool, "end", &w.end)?);
            if end < start {
                return Err(ToolError::InvalidArguments {
                    tool,
                    reason: "window.end is before window.start".into(),
                });
            }
            TimeWindow { start, end }
        }
        None => TimeWindow::around(
            Timestamp::now(),
            SignedDuration::from_mins(30),
            SignedDuration::ZERO,
        ),
    };
    let query = p.query.clone().unwrap_or_default();
    let req = ScanRequest {
        alert_time: window.end,
        window,
        alert_text: String::new(),
        alert_message: None,
        alert_channel: None,
        channels: p.channels.clone(),
        targets: Targets::from_terms(&[query.as_str()]),
    };
    let out = scan(src, &req, set, deadline, &Partial::default()).await;
    match &out.fatal {
        Some(Fatal::Unhealthy(reason)) => return Err(ToolError::Unavailable(reason.clone())),
        Some(Fatal::Error(_)) | None => {}
    }
    let channels = Channels::new(&out.channels);
    let recent: Vec<String> = out
        .messages
        .iter()
        .rev()
        .take(RECENT)
        .rev()
        .map(|m| line(&channels, m))
        .collect();
    let mut errors = out.problems.clone();
    errors.extend(out.notes.iter().cloned());
    if let Some(Fatal::Error(e)) = &out.fatal {
        errors.insert(0, e.clone());
    }
    Ok(ToolOutput {
        findings: out.findings.clone(),
        scanned: out.scanned.clone(),
        errors,
        data: serde_json::json!({
            "channels": out.channels,
            "messages_read": out.read,
            "partial": out.partial,
            "recent": recent,
        }),
    })
}
