//! The intake's own chat messages: the "Investigating" post of `/investigate`, the notices
//! (hand-off failed, paused), and the Alertmanager summary. Our words are trusted; whatever came
//! from outside (alert text, error details, labels) is escaped for the dialect.

use crate::alertmanager::Summary;
use sremesh_chat::render::{Dialect, Render, escape, escape_lines};

/// Prefix of the notice posted when the master could not be reached.
pub const HANDOFF_FAILED: &str = "⚠️ sremesh could not start the investigation: ";
/// The notice posted (once per thread) while the intake is paused.
pub const PAUSED: &str =
    "⏸️ sremesh is paused (INTAKE_PAUSED): alerts are acknowledged but not investigated.";
/// The ephemeral answer to `/sre-snapshot`.
pub const SNAPSHOT_ACK: &str = "🩺 Capturing status snapshot…";
/// The ephemeral answer to `/investigate`.
pub const INVESTIGATE_ACK: &str = "🔎 Investigating… the report will be posted in this channel.";
/// The ephemeral answer to `/investigate` with no text.
pub const INVESTIGATE_USAGE: &str = "Usage: /investigate <alert text>";

/// A notice: our lead-in, then an untrusted detail (may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub lead: &'static str,
    pub detail: String,
}

impl Render for Notice {
    fn render(&self, dialect: Dialect) -> String {
        format!("{}{}", self.lead, escape(&self.detail, dialect))
    }
}

/// "🔎 Investigating: <text>", posted top-level by `/investigate`; the report goes in its thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Investigating {
    pub text: String,
}

impl Render for Investigating {
    fn render(&self, dialect: Dialect) -> String {
        format!(
            "🔎 Investigating: {}",
            escape_lines(&self.text, dialect).join("\n")
        )
    }
}

/// An Alertmanager group rendered like Alertmanager's default Slack template: the title line
/// `[FIRING:n] <group label values> (<other common label values>)`, then summary and
/// description lines.
impl Render for Summary {
    fn render(&self, dialect: Dialect) -> String {
        let bold = |s: &str| match dialect {
            Dialect::Slack => format!("*{s}*"),
            Dialect::Discord => format!("**{s}**"),
            Dialect::Terminal { .. } => s.to_owned(),
        };
        let mut out = vec![escape(&self.title, dialect)];
        for (label, value) in &self.lines {
            let value = escape_lines(value, dialect).join(" ");
            out.push(match label {
                Some(l) => format!("{} {value}", bold(&format!("{l}:"))),
                None => format!("• {value}"),
            });
        }
        out.join("\n")
    }
}
