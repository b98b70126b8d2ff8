//! The other messages: "Investigation started" (with per-agent progress), late-result
//! enrichment, the `/sre-snapshot` summary, the failure notice and the nudge.

use super::markup::{self, Md};
use super::report::{evidence_block, hypothesis};
use crate::messages::{
    Enrichment, FailureNotice, Nudge, ProgressState, SnapshotBlock, SnapshotState, SnapshotSummary,
    Started,
};
use sremesh_core::EvidenceState;

/// Longest alert excerpt in the "started" message.
const ALERT_CHARS: usize = 300;

pub(crate) fn started(md: &mut Md, s: &Started) {
    md.line(format!("🔎 {}", md.bold("Investigation started")));
    md.sep();
    let alert =
        sremesh_core::text::truncate(sremesh_core::text::first_line(&s.alert_text), ALERT_CHARS);
    md.field("Alert", &md.esc(&alert));
    md.field("Investigation", &md.esc(&s.investigation_id));
    md.line(md.bold("Agents:"));
    for a in &s.agents {
        let state = match &a.state {
            ProgressState::Queued => "🕒 queued".to_owned(),
            ProgressState::Running => "⏳ running".to_owned(),
            ProgressState::Done(summary) if summary.trim().is_empty() => "✅ done".to_owned(),
            ProgressState::Done(summary) => format!("✅ done — {}", md.esc(summary)),
            ProgressState::Failed(reason) => format!("⚠️ failed — {}", md.esc(reason)),
            ProgressState::Disabled => "🚫 disabled".to_owned(),
        };
        md.bullet(&format!(
            "{} {} — {state}",
            md.esc(&a.emoji),
            md.esc(&a.display_name)
        ));
    }
    md.line(md.italic(&format!(
        "Initial report in up to {}; late results until the {} cutoff.",
        markup::human_secs(s.initial_deadline_secs),
        markup::human_secs(s.cutoff_secs)
    )));
}

pub(crate) fn enrichment(md: &mut Md, e: &Enrichment) {
    let name = md.esc(&e.block.display_name);
    let title = if e.block.state == EvidenceState::Error {
        format!("⚠️ {}", md.bold(&format!("Late result (failed) — {name}")))
    } else {
        format!("📬 {}", md.bold(&format!("Late result — {name}")))
    };
    md.line(title);
    md.sep();
    md.field("Investigation", &md.esc(&e.investigation_id));
    md.blank();
    evidence_block(md, &e.block);
    if let Some(h) = &e.top {
        md.heading("Updated assessment");
        hypothesis(md, 1, h, |c| {
            let title = (c.agent == e.block.agent)
                .then(|| e.block.findings.iter().find(|f| f.id == c.finding))
                .flatten()
                .map_or(c.finding.clone(), |f| f.title.clone());
            let agent = if c.agent == e.block.agent {
                e.block.display_name.clone()
            } else {
                c.agent.clone()
            };
            (agent, title)
        });
    }
}

pub(crate) fn snapshot(md: &mut Md, s: &SnapshotSummary) {
    md.line(format!("🩺 {}", md.bold("Status snapshot")));
    md.sep();
    md.field("Captured at", &markup::time(s.requested_at));
    let count = |st: SnapshotState| s.blocks.iter().filter(|b| b.state == st).count();
    md.field(
        "Summary",
        &format!(
            "{} ok · {} anomaly · {} error · {} disabled",
            count(SnapshotState::Ok),
            count(SnapshotState::Anomaly),
            count(SnapshotState::Error),
            count(SnapshotState::Disabled)
        ),
    );
    for b in &s.blocks {
        md.blank();
        snapshot_block(md, b);
    }
}

fn snapshot_block(md: &mut Md, b: &SnapshotBlock) {
    let marker = match b.state {
        SnapshotState::Ok => "",
        SnapshotState::Anomaly => " ⚠️",
        SnapshotState::Error => " ❌",
        SnapshotState::Disabled => " 🚫",
    };
    let name = md.bold(&md.esc(&b.display_name));
    md.line(format!("{} {name}{marker}", md.esc(&b.emoji)));
    if b.state == SnapshotState::Disabled {
        let why = b.error.as_deref().map_or_else(
            || "disabled in config.yaml — not dispatched".into(),
            |e| md.esc(e),
        );
        md.line(md.italic(&why));
        return;
    }
    let error = b
        .error
        .as_deref()
        .or_else(|| b.report.as_ref().and_then(|r| r.error.as_deref()));
    if b.state == SnapshotState::Error || error.is_some() {
        md.line(format!(
            "{} {}",
            md.bold("Error:"),
            error.map_or_else(|| "no reason given".into(), |e| md.esc(e))
        ));
    }
    let Some(r) = &b.report else {
        return;
    };
    if !r.header.trim().is_empty() {
        md.line(md.italic(&md.esc(&r.header)));
    }
    if let Some(a) = r
        .anomaly_summary
        .as_deref()
        .filter(|a| !a.trim().is_empty())
    {
        md.line(format!("{} {}", md.bold("Anomaly:"), md.esc(a)));
    }
    if let Some(t) = markup::telemetry_text(md, &r.telemetry) {
        md.line(md.italic(&t));
    }
    for sec in &r.sections {
        md.line(md.bold(&md.esc(&sec.label)));
        if sec.lines.is_empty() {
            md.bullet(&md.italic("no data"));
        }
        for l in &sec.lines {
            md.bullet(&md.esc(l));
        }
    }
}

pub(crate) fn failure(md: &mut Md, f: &FailureNotice) {
    md.line(format!("⚠️ {}", md.bold("Investigation failed")));
    md.sep();
    md.field("Investigation", &md.esc(&f.investigation_id));
    for l in md.esc_lines(f.detail.trim()) {
        md.line(l);
    }
}

pub(crate) fn nudge(md: &mut Md, _: &Nudge) {
    md.line(format!(
        "👋 I investigate infrastructure alerts. Mention me on an alert message (or include the word {}) and I'll dig in.",
        md.bold("investigate")
    ));
}
