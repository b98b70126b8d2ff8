//! The incident report: one structure, rendered for Slack, Discord, a terminal, and as JSON.

use super::{Category, Finding, Severity, Telemetry};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A reference to one finding of one agent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Citation {
    /// The agent id.
    pub agent: String,
    /// The finding's id within that agent's result.
    pub finding: String,
}

/// A ranked root-cause hypothesis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hypothesis {
    pub category: Category,
    /// One line: the cause, named ("payments-api is OOMKilled: its 256Mi limit is too low").
    pub title: String,
    /// Why we think so, and how the pieces connect.
    pub explanation: String,
    /// 0.0 – 1.0.
    pub confidence: f64,
    /// The findings it rests on.
    #[serde(default)]
    pub citations: Vec<Citation>,
    /// What was considered and ruled out, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ruled_out: Vec<String>,
}

impl Hypothesis {
    /// A confidence label for humans.
    pub fn confidence_label(&self) -> &'static str {
        match self.confidence {
            c if c >= 0.75 => "high",
            c if c >= 0.45 => "medium",
            _ => "low",
        }
    }
}

/// Where an agent's evidence stands in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceState {
    /// It answered.
    Ok,
    /// Still working at the initial deadline; its answer comes as an update.
    Pending,
    /// It failed (timeout, connection refused, bad response, agent error, unhealthy).
    Error,
    /// Disabled in config.yaml.
    Disabled,
    /// Not asked for this alert (routing).
    Skipped,
}

/// One agent's part of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceBlock {
    pub agent: String,
    pub display_name: String,
    pub emoji: String,
    pub state: EvidenceState,
    /// For `error`: what failed (named). For `skipped`/`disabled`: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// The agent answered at its deadline with partial data.
    #[serde(default)]
    pub partial: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telemetry: Option<Telemetry>,
}

/// A labelled link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub label: String,
    pub url: String,
}

/// The incident report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub investigation_id: String,
    pub alert_text: String,
    pub severity: Severity,
    #[serde(default)]
    pub affected_services: Vec<String>,
    /// When the alert was detected (posted).
    pub detected_at: Timestamp,
    pub summary: String,
    /// Ranked, best first.
    #[serde(default)]
    pub hypotheses: Vec<Hypothesis>,
    /// One block per agent, in catalogue order.
    #[serde(default)]
    pub evidence: Vec<EvidenceBlock>,
    pub impact: String,
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(default)]
    pub links: Vec<Link>,
    /// Model usage summed over every agent (and the master's own synthesis).
    #[serde(default)]
    pub cost: Telemetry,
    /// True once every agent has answered (no `pending` block left).
    #[serde(default)]
    pub complete: bool,
}

impl Report {
    /// The top hypothesis, if any.
    pub fn top(&self) -> Option<&Hypothesis> {
        self.hypotheses.first()
    }

    /// Looks up a cited finding.
    pub fn finding(&self, citation: &Citation) -> Option<&Finding> {
        self.evidence
            .iter()
            .find(|b| b.agent == citation.agent)
            .and_then(|b| b.findings.iter().find(|f| f.id == citation.finding))
    }

    /// The text a hypothesis stands on: its title, explanation and every cited finding's
    /// title and evidence lines (what `sremesh eval` scores keywords against).
    pub fn hypothesis_text(&self, h: &Hypothesis) -> String {
        let mut s = format!("{}\n{}", h.title, h.explanation);
        for c in &h.citations {
            if let Some(f) = self.finding(c) {
                s.push('\n');
                s.push_str(&f.text());
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypothesis_text_includes_cited_findings_only() {
        let cited = Finding::new("a", "oom_killed", Severity::Critical, "pod OOMKilled")
            .with_evidence(["exit code 137"]);
        let other = Finding::new("b", "noise", Severity::Info, "unrelated noise");
        let h = Hypothesis {
            category: Category::ResourceExhaustion,
            title: "memory".into(),
            explanation: "limit too low".into(),
            confidence: 0.8,
            citations: vec![Citation {
                agent: "eks".into(),
                finding: "a".into(),
            }],
            ruled_out: vec![],
        };
        let r = Report {
            investigation_id: "i".into(),
            alert_text: "t".into(),
            severity: Severity::Critical,
            affected_services: vec![],
            detected_at: "2026-04-18T10:25:00Z".parse().unwrap(),
            summary: String::new(),
            hypotheses: vec![h.clone()],
            evidence: vec![EvidenceBlock {
                agent: "eks".into(),
                display_name: "EKS".into(),
                emoji: "☸️".into(),
                state: EvidenceState::Ok,
                detail: None,
                summary: String::new(),
                findings: vec![cited, other],
                partial: false,
                telemetry: None,
            }],
            impact: String::new(),
            actions: vec![],
            links: vec![],
            cost: Telemetry::default(),
            complete: true,
        };
        let text = r.hypothesis_text(&h);
        assert!(text.contains("exit code 137"));
        assert!(!text.contains("unrelated noise"));
        assert_eq!(h.confidence_label(), "high");
    }
}
