//! What a specialist finds and how it answers.

use super::{Category, Severity};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One typed observation from an analyzer ("pod X OOMKilled, exit code 137, 5 restarts").
///
/// Findings are what hypotheses cite, so `id` is stable within one AgentResult and `title` plus
/// `evidence` carry the decisive signal in a few lines — never a raw log dump.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Unique within its AgentResult (e.g. `oom_killed:payments/payments-api-7f9dd8b6c4-x7gr9`).
    pub id: String,
    /// The analyzer that produced it (`oom_killed`, `log_pattern`, `related_alert` …).
    pub kind: String,
    pub severity: Severity,
    /// The root-cause category this finding points to, if it points to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// One line saying what was found.
    pub title: String,
    /// The lines that matter (log lines, events, messages), each short, with counts folded in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// The resource it is about (`pod/payments/payments-api-…`, a log group, a channel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The service it is about, when known (`payments-api`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// When it happened (first seen), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Timestamp>,
    /// A deep link that reproduces it (console query, message permalink).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Typed extras for correlation (`{"exit_code": 137, "restarts": 5}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, serde_json::Value>,
}

impl Finding {
    /// A finding with the required fields; the rest start empty.
    pub fn new(
        id: impl Into<String>,
        kind: impl Into<String>,
        severity: Severity,
        title: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            kind: kind.into(),
            severity,
            category: None,
            title: title.into(),
            evidence: Vec::new(),
            resource: None,
            service: None,
            at: None,
            link: None,
            attributes: BTreeMap::new(),
        }
    }

    /// Sets the category this finding points to.
    pub fn with_category(mut self, category: Category) -> Self {
        self.category = Some(category);
        self
    }

    /// Appends evidence lines.
    pub fn with_evidence<I, S>(mut self, lines: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.evidence.extend(lines.into_iter().map(Into::into));
        self
    }

    /// Sets the resource.
    pub fn with_resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// Sets the service.
    pub fn with_service(mut self, service: impl Into<String>) -> Self {
        self.service = Some(service.into());
        self
    }

    /// Sets when it happened.
    pub fn at(mut self, at: Timestamp) -> Self {
        self.at = Some(at);
        self
    }

    /// Sets the deep link.
    pub fn with_link(mut self, link: impl Into<String>) -> Self {
        self.link = Some(link.into());
        self
    }

    /// Adds a typed attribute.
    pub fn with_attr(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.attributes.insert(key.to_owned(), value.into());
        self
    }

    /// All text of the finding (title and evidence), for keyword checks.
    pub fn text(&self) -> String {
        let mut s = self.title.clone();
        for line in &self.evidence {
            s.push('\n');
            s.push_str(line);
        }
        s
    }
}

/// Whether an agent could do its work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AgentStatus {
    /// It looked; `findings` is what it saw (possibly nothing).
    Ok,
    /// This request failed (a transient failure: retry or check by hand).
    Error,
    /// It cannot work in this deployment (data source not configured or unreachable).
    Unhealthy,
}

/// Model usage and timing of one agent's answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Telemetry {
    /// The model used, if any (`None`: deterministic analyzers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default)]
    pub input_tokens: u64,
    #[serde(default)]
    pub output_tokens: u64,
    /// Cost in USD; `None` when the model's price is unknown (or no model ran).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
    /// Wall time from receipt to answer.
    #[serde(default)]
    pub duration_ms: u64,
    /// Tool calls the model made.
    #[serde(default)]
    pub tool_calls: u32,
}

impl Telemetry {
    /// Adds another agent's usage to this one (durations are not added).
    pub fn absorb(&mut self, other: &Telemetry) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.tool_calls += other.tool_calls;
        self.cost_usd = match (self.cost_usd, other.cost_usd) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
    }
}

/// A specialist's answer to an investigation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentResult {
    /// The agent id (`eks`).
    pub agent: String,
    pub status: AgentStatus,
    /// One or two sentences for humans.
    pub summary: String,
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// Why the status is not `ok`, or what went wrong on the way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// True when the agent answered at its deadline with what it had gathered so far.
    #[serde(default)]
    pub partial: bool,
    /// What it looked at (`pod/payments/x`, `log-group:/aws/…`, `channel:C0ALERTS`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scanned: Vec<String>,
    #[serde(default)]
    pub telemetry: Telemetry,
}

impl AgentResult {
    /// A successful answer.
    pub fn ok(
        agent: impl Into<String>,
        summary: impl Into<String>,
        findings: Vec<Finding>,
    ) -> Self {
        Self {
            agent: agent.into(),
            status: AgentStatus::Ok,
            summary: summary.into(),
            findings,
            error: None,
            partial: false,
            scanned: Vec::new(),
            telemetry: Telemetry::default(),
        }
    }

    /// A failed request.
    pub fn error(agent: impl Into<String>, error: impl Into<String>) -> Self {
        let error = error.into();
        Self {
            agent: agent.into(),
            status: AgentStatus::Error,
            summary: format!("failed: {error}"),
            findings: Vec::new(),
            error: Some(error),
            partial: false,
            scanned: Vec::new(),
            telemetry: Telemetry::default(),
        }
    }

    /// An agent that cannot work here, with the reason.
    pub fn unhealthy(agent: impl Into<String>, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        Self {
            agent: agent.into(),
            status: AgentStatus::Unhealthy,
            summary: format!("unhealthy: {reason}"),
            findings: Vec::new(),
            error: Some(reason),
            partial: false,
            scanned: Vec::new(),
            telemetry: Telemetry::default(),
        }
    }

    /// The most severe finding's severity, if any finding exists.
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_builder_and_round_trip() {
        let f = Finding::new("oom:pod", "oom_killed", Severity::Critical, "pod OOMKilled")
            .with_category(Category::ResourceExhaustion)
            .with_evidence(["exit code 137", "restarts=5"])
            .with_attr("exit_code", 137);
        let json = serde_json::to_string(&f).unwrap();
        let back: Finding = serde_json::from_str(&json).unwrap();
        assert_eq!(back, f);
        assert_eq!(f.text(), "pod OOMKilled\nexit code 137\nrestarts=5");
    }

    #[test]
    fn telemetry_absorb_adds_tokens_and_known_costs() {
        let mut total = Telemetry::default();
        total.absorb(&Telemetry {
            input_tokens: 10,
            output_tokens: 2,
            cost_usd: Some(0.5),
            ..Default::default()
        });
        total.absorb(&Telemetry {
            input_tokens: 5,
            output_tokens: 1,
            cost_usd: None,
            ..Default::default()
        });
        total.absorb(&Telemetry {
            cost_usd: Some(0.25),
            ..Default::default()
        });
        assert_eq!((total.input_tokens, total.output_tokens), (15, 3));
        assert_eq!(total.cost_usd, Some(0.75));
    }

    #[test]
    fn result_constructors_set_status_and_reason() {
        assert_eq!(AgentResult::error("eks", "boom").status, AgentStatus::Error);
        let u = AgentResult::unhealthy("eks", "no kubeconfig");
        assert_eq!(u.status, AgentStatus::Unhealthy);
        assert_eq!(u.error.as_deref(), Some("no kubeconfig"));
    }
}
