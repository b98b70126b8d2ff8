//! The incident report, in DESIGN.md's section order: title, severity, affected services,
//! time of detection, summary, hypotheses, evidence per agent, impact, actions, links, cost.

use super::markup::{self, Md};
use sremesh_core::{EvidenceBlock, EvidenceState, Finding, Hypothesis, Report};

/// Most evidence lines shown per finding (FINDINGS.md's contract: at most 8).
pub const MAX_EVIDENCE_LINES: usize = 8;
/// Longest evidence line shown, in characters (FINDINGS.md: at most 300).
pub const MAX_EVIDENCE_CHARS: usize = 300;
/// Longest alert excerpt in a title.
const TITLE_CHARS: usize = 120;

pub(crate) fn report(md: &mut Md, r: &Report) {
    let alert =
        sremesh_core::text::truncate(sremesh_core::text::first_line(&r.alert_text), TITLE_CHARS);
    let title = md.bold("Incident report");
    if alert.is_empty() {
        md.line(format!("{} {title}", r.severity.emoji()));
    } else {
        md.line(format!(
            "{} {title} — {}",
            r.severity.emoji(),
            md.esc(&alert)
        ));
    }
    md.sep();
    md.field("Severity", &md.severity(r.severity));
    let services = if r.affected_services.is_empty() {
        md.italic("none identified")
    } else {
        let names: Vec<String> = r.affected_services.iter().map(|s| md.esc(s)).collect();
        names.join(", ")
    };
    md.field("Affected services", &services);
    md.field("Detected", &markup::time(r.detected_at));
    md.field("Investigation", &md.esc(&r.investigation_id));
    if !r.complete {
        md.line(md.italic("Some agents are still working; this report will be updated."));
    }

    md.heading("Summary");
    paragraph(md, &r.summary, "No summary.");

    md.heading("Root-cause hypotheses");
    if r.hypotheses.is_empty() {
        md.line(md.italic("No hypothesis: the evidence points nowhere yet."));
    }
    for (i, h) in r.hypotheses.iter().enumerate() {
        if i > 0 {
            md.blank();
        }
        hypothesis(md, i + 1, h, |c| {
            let name = r
                .evidence
                .iter()
                .find(|b| b.agent == c.agent)
                .map_or(c.agent.as_str(), |b| b.display_name.as_str());
            let title = r
                .finding(c)
                .map_or(c.finding.as_str(), |f| f.title.as_str());
            (name.to_owned(), title.to_owned())
        });
    }

    md.heading("Evidence");
    if r.evidence.is_empty() {
        md.line(md.italic("No agents were asked for this investigation."));
    }
    for (i, b) in r.evidence.iter().enumerate() {
        if i > 0 {
            md.blank();
        }
        evidence_block(md, b);
    }

    md.heading("Impact");
    paragraph(md, &r.impact, "Not assessed.");

    md.heading("Recommended actions");
    if r.actions.is_empty() {
        md.line(md.italic("None yet."));
    }
    for (i, a) in r.actions.iter().enumerate() {
        md.line(format!("{}. {}", i + 1, md.esc(a)));
    }

    md.heading("Links");
    if r.links.is_empty() {
        md.line(md.italic("No links."));
    }
    for l in &r.links {
        md.bullet(&md.link(&l.label, &l.url));
    }

    md.blank();
    md.line(md.italic(&format!("Cost: {}", markup::cost_text(&r.cost))));
}

/// Untrusted multi-line text as lines, or `empty` (ours) in italics.
pub(crate) fn paragraph(md: &mut Md, text: &str, empty: &str) {
    let lines = md.esc_lines(text.trim());
    if lines.is_empty() {
        md.line(md.italic(empty));
    }
    for l in lines {
        md.line(l);
    }
}

/// One ranked hypothesis; `cite` names a citation as (agent display name, finding title).
pub(crate) fn hypothesis(
    md: &mut Md,
    rank: usize,
    h: &Hypothesis,
    cite: impl Fn(&sremesh_core::Citation) -> (String, String),
) {
    let pct = (h.confidence.clamp(0.0, 1.0) * 100.0).round();
    md.line(md.bold(&format!("{rank}. {}", md.esc(&h.title))));
    md.line(md.italic(&format!(
        "{} · confidence {} ({pct}%)",
        h.category.label(),
        h.confidence_label()
    )));
    for l in md.esc_lines(h.explanation.trim()) {
        md.line(l);
    }
    if !h.citations.is_empty() {
        md.line(md.italic("Based on:"));
        for c in &h.citations {
            let (agent, title) = cite(c);
            md.bullet(&format!("{}: {}", md.esc(&agent), md.esc(&title)));
        }
    }
    if !h.ruled_out.is_empty() {
        md.line(md.italic("Ruled out:"));
        for r in &h.ruled_out {
            md.bullet(&md.esc(r));
        }
    }
}

/// The marker after an agent's name.
fn state_marker(s: EvidenceState) -> &'static str {
    match s {
        EvidenceState::Ok => "",
        EvidenceState::Pending => " ⏳",
        EvidenceState::Error => " ⚠️",
        EvidenceState::Disabled => " 🚫",
        EvidenceState::Skipped => " ➖",
    }
}

/// One agent's evidence: header, telemetry, then what its state calls for.
pub(crate) fn evidence_block(md: &mut Md, b: &EvidenceBlock) {
    let name = md.bold(&md.esc(&b.display_name));
    md.line(format!(
        "{} {name}{}",
        md.esc(&b.emoji),
        state_marker(b.state)
    ));
    if let Some(t) = b
        .telemetry
        .as_ref()
        .and_then(|t| markup::telemetry_text(md, t))
    {
        md.line(md.italic(&t));
    }
    let detail = b.detail.as_deref().map(str::trim).filter(|d| !d.is_empty());
    match b.state {
        EvidenceState::Pending => {
            md.line(md.italic("still investigating — results will follow"));
            return;
        }
        EvidenceState::Error => {
            let why = detail.map_or_else(|| "no reason given".into(), |d| md.esc(d));
            md.line(format!("{} {why}", md.bold("Failed:")));
        }
        EvidenceState::Disabled => {
            let why = detail.map_or_else(|| "disabled in config.yaml".into(), |d| md.esc(d));
            md.line(md.italic(&format!("Not dispatched: {why}")));
            return;
        }
        EvidenceState::Skipped => {
            let why = detail.map_or_else(|| "not relevant to this alert".into(), |d| md.esc(d));
            md.line(md.italic(&format!("Skipped: {why}")));
            return;
        }
        EvidenceState::Ok => {}
    }
    if b.partial {
        md.line(md.italic("Partial: answered at its deadline with what it had gathered."));
    }
    if !b.summary.trim().is_empty() {
        for l in md.esc_lines(b.summary.trim()) {
            md.line(l);
        }
    }
    if b.findings.is_empty() {
        if b.state == EvidenceState::Ok {
            md.line(md.italic("no notable findings"));
        }
        return;
    }
    for f in &b.findings {
        finding(md, f);
    }
}

fn finding(md: &mut Md, f: &Finding) {
    md.bullet(&format!(
        "{} {}",
        md.severity_mark(f.severity),
        md.esc(&f.title)
    ));
    let shown = f.evidence.iter().take(MAX_EVIDENCE_LINES);
    for line in shown {
        let line = sremesh_core::text::truncate(line, MAX_EVIDENCE_CHARS);
        md.quote(&md.esc(&line));
    }
    if f.evidence.len() > MAX_EVIDENCE_LINES {
        let more = f.evidence.len() - MAX_EVIDENCE_LINES;
        md.sub(&md.italic(&format!("(+{more} more evidence lines)")));
    }
    if let Some(url) = &f.link {
        md.sub(&md.link("🔗 view", url));
    }
}
