//! Rendering (pure, no I/O): one [`Report`] — and each of the [`crate::messages`] — as Slack
//! mrkdwn, Discord markdown or terminal text; JSON is serde. Everything that came from outside
//! (alert text, findings, errors, even agent names) goes through [`escape`]; only the labels
//! and markup written here are trusted. [`split()`] cuts a rendering to a platform's limit.

mod escape;
mod markup;
mod messages;
mod report;
mod split;

pub use escape::{ZWSP, escape, escape_lines};
pub use report::{MAX_EVIDENCE_CHARS, MAX_EVIDENCE_LINES};
pub use split::{MIN_LIMIT, split, width};

use crate::messages::{Enrichment, FailureNotice, Nudge, SnapshotSummary, Started};
use markup::Md;
use sremesh_core::{Platform, Report};

/// Discord's longest message content (characters).
pub const DISCORD_LIMIT: usize = 2_000;
/// Slack's longest message text (characters).
pub const SLACK_LIMIT: usize = 40_000;

/// The markup a rendering is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Slack mrkdwn: `*bold*`, `_italic_`, `<url|label>`, `>` quotes.
    Slack,
    /// Discord markdown: `**bold**`, `_italic_`, `[label](url)`, `> ` quotes.
    Discord,
    /// Plain text for a terminal; `color` adds ANSI bold, dim and severity colours.
    Terminal { color: bool },
}

impl Dialect {
    /// The dialect a platform speaks.
    pub fn of(platform: Platform) -> Self {
        match platform {
            Platform::Slack => Dialect::Slack,
            Platform::Discord => Dialect::Discord,
        }
    }

    /// The longest message the dialect's platform accepts (`None`: a terminal has no limit).
    pub fn limit(self) -> Option<usize> {
        match self {
            Dialect::Slack => Some(SLACK_LIMIT),
            Dialect::Discord => Some(DISCORD_LIMIT),
            Dialect::Terminal { .. } => None,
        }
    }
}

/// Something that can be rendered as a message.
pub trait Render {
    /// The whole message in `dialect` (split it with [`split()`] before posting).
    fn render(&self, dialect: Dialect) -> String;
}

macro_rules! render_with {
    ($ty:ty, $f:path) => {
        impl Render for $ty {
            fn render(&self, dialect: Dialect) -> String {
                let mut md = Md::new(dialect);
                $f(&mut md, self);
                md.finish()
            }
        }
    };
}

render_with!(Report, report::report);
render_with!(Started, messages::started);
render_with!(Enrichment, messages::enrichment);
render_with!(SnapshotSummary, messages::snapshot);
render_with!(FailureNotice, messages::failure);
render_with!(Nudge, messages::nudge);

/// Text we wrote ourselves, posted as is in every dialect (never pass untrusted text here;
/// [`escape`] it first).
impl Render for String {
    fn render(&self, _: Dialect) -> String {
        self.clone()
    }
}

impl Render for &str {
    fn render(&self, _: Dialect) -> String {
        (*self).to_owned()
    }
}

/// The report as JSON (`--json`): the serde form of [`Report`].
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
