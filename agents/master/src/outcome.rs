//! Where each agent stands in an investigation, and how that becomes a report's evidence block.

use crate::hypotheses::Missing;
use sremesh_core::{AgentInfo, AgentResult, AgentStatus, EvidenceBlock, EvidenceState};

/// One agent's state in an investigation.
#[derive(Debug, Clone, PartialEq)]
pub enum AgentState {
    /// Disabled in config.yaml: not asked.
    Disabled,
    /// Not asked for this alert (routing), with the reason.
    Skipped(String),
    /// Asked; no answer yet.
    Pending,
    /// The call failed: `kind` is timeout, connection refused, bad response, agent error.
    Failed { kind: String, detail: String },
    /// It answered (which may itself say error or unhealthy).
    Done(AgentResult),
}

/// An agent and its state.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub agent: &'static AgentInfo,
    pub state: AgentState,
}

impl Outcome {
    /// The result, when the agent answered and could look.
    pub fn result(&self) -> Option<&AgentResult> {
        match &self.state {
            AgentState::Done(r) if r.status == AgentStatus::Ok => Some(r),
            _ => None,
        }
    }

    /// Why this agent's evidence is missing, if it is.
    pub fn missing(&self) -> Option<Missing> {
        let why = match &self.state {
            AgentState::Pending => "still investigating".to_owned(),
            AgentState::Failed { kind, detail } => format!("{kind}: {detail}"),
            AgentState::Done(r) if r.status == AgentStatus::Error => {
                format!("error: {}", r.error.as_deref().unwrap_or("unknown"))
            }
            AgentState::Done(r) if r.status == AgentStatus::Unhealthy => {
                format!("unhealthy: {}", r.error.as_deref().unwrap_or("unknown"))
            }
            _ => return None,
        };
        Some(Missing {
            agent: self.agent.id.to_owned(),
            why,
        })
    }

    /// The report block.
    pub fn block(&self) -> EvidenceBlock {
        let mut b = EvidenceBlock {
            agent: self.agent.id.to_owned(),
            display_name: self.agent.display_name.to_owned(),
            emoji: self.agent.emoji.to_owned(),
            state: EvidenceState::Ok,
            detail: None,
            summary: String::new(),
            findings: Vec::new(),
            partial: false,
            telemetry: None,
        };
        match &self.state {
            AgentState::Disabled => {
                b.state = EvidenceState::Disabled;
                b.detail = Some("disabled in config.yaml — not asked".into());
            }
            AgentState::Skipped(why) => {
                b.state = EvidenceState::Skipped;
                b.detail = Some(why.clone());
            }
            AgentState::Pending => {
                b.state = EvidenceState::Pending;
                b.detail = Some("still investigating — results will follow as an update".into());
            }
            AgentState::Failed { kind, detail } => {
                b.state = EvidenceState::Error;
                b.detail = Some(format!("{kind}: {detail}"));
            }
            AgentState::Done(r) => {
                b.summary = r.summary.clone();
                b.partial = r.partial;
                b.telemetry = Some(r.telemetry.clone());
                match r.status {
                    AgentStatus::Ok => b.findings = r.findings.clone(),
                    AgentStatus::Error => {
                        b.state = EvidenceState::Error;
                        b.detail = Some(format!(
                            "agent error: {}",
                            r.error.as_deref().unwrap_or("unknown")
                        ));
                    }
                    AgentStatus::Unhealthy => {
                        b.state = EvidenceState::Error;
                        b.detail = Some(format!(
                            "unhealthy: {}",
                            r.error.as_deref().unwrap_or("unknown")
                        ));
                    }
                }
            }
        }
        b
    }
}
