//! Scoring a report against a scenario's answer key (SCENARIOS.md "Scoring"): only the **top**
//! hypothesis counts — its category, and the keywords in its own text (title and explanation)
//! or in the evidence lines of the findings it cites. Text elsewhere in the report does not count,
//! so dumping every log line into a report cannot pass a scenario.

use crate::Expect;
use serde::Serialize;
use sremesh_core::Report;

/// One scenario's result, as `sremesh eval --json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub id: String,
    pub passed: bool,
    pub expected_category: String,
    /// The top hypothesis's category (`none` when the report has no hypothesis).
    pub got_category: String,
    pub missing_keywords: Vec<String>,
    pub forbidden_found: Vec<String>,
    /// Agents in `required_evidence` that the top hypothesis cites no finding from.
    pub missing_evidence: Vec<String>,
    pub duration_ms: u64,
    /// Why it failed, when it did (category, keywords, evidence, forbidden) — empty on a pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Scores `report` against `expect`.
pub fn score(id: &str, expect: &Expect, report: &Report, duration_ms: u64) -> Score {
    let Some(top) = report.top() else {
        return Score {
            id: id.to_owned(),
            passed: false,
            expected_category: expect.category.as_str().to_owned(),
            got_category: "none".to_owned(),
            missing_keywords: expect.required_keywords.clone(),
            forbidden_found: Vec::new(),
            missing_evidence: expect.required_evidence.clone(),
            duration_ms,
            error: Some("the report has no hypothesis".to_owned()),
        };
    };
    let text = report.hypothesis_text(top).to_lowercase();
    let missing_keywords: Vec<String> = expect
        .required_keywords
        .iter()
        .filter(|k| !text.contains(&k.to_lowercase()))
        .cloned()
        .collect();
    let forbidden_found: Vec<String> = expect
        .forbidden_keywords
        .iter()
        .filter(|k| text.contains(&k.to_lowercase()))
        .cloned()
        .collect();
    let missing_evidence: Vec<String> = expect
        .required_evidence
        .iter()
        .filter(|agent| {
            !top.citations
                .iter()
                .any(|c| &c.agent == *agent && report.finding(c).is_some())
        })
        .cloned()
        .collect();
    let category_ok =
        top.category == expect.category && !expect.forbidden_categories.contains(&top.category);
    let passed = category_ok
        && missing_keywords.is_empty()
        && forbidden_found.is_empty()
        && missing_evidence.is_empty();
    let mut why = Vec::new();
    if !category_ok {
        why.push(format!(
            "category {} (expected {})",
            top.category, expect.category
        ));
    }
    if !missing_keywords.is_empty() {
        why.push(format!("missing keywords {missing_keywords:?}"));
    }
    if !forbidden_found.is_empty() {
        why.push(format!("forbidden keywords {forbidden_found:?}"));
    }
    if !missing_evidence.is_empty() {
        why.push(format!("no cited finding from {missing_evidence:?}"));
    }
    Score {
        id: id.to_owned(),
        passed,
        expected_category: expect.category.as_str().to_owned(),
        got_category: top.category.as_str().to_owned(),
        missing_keywords,
        forbidden_found,
        missing_evidence,
        duration_ms,
        error: (!why.is_empty()).then(|| why.join("; ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sremesh_core::{
        Category, Citation, EvidenceBlock, EvidenceState, Finding, Hypothesis, Severity, Telemetry,
    };

    fn report(category: Category, title: &str, cite: bool) -> Report {
        let f = Finding::new("f1", "oom_killed", Severity::Critical, "cart-1 OOMKilled")
            .with_evidence(["exit code 137"]);
        let noise = Finding::new(
            "f2",
            "log_pattern",
            Severity::Low,
            "statsd connection refused",
        );
        Report {
            investigation_id: "i".into(),
            alert_text: "statsd everywhere".into(),
            severity: Severity::High,
            affected_services: vec![],
            detected_at: "2026-04-18T10:25:00Z".parse().unwrap(),
            summary: "statsd".into(),
            hypotheses: vec![Hypothesis {
                category,
                title: title.into(),
                explanation: "memory limit".into(),
                confidence: 0.8,
                citations: if cite {
                    vec![Citation {
                        agent: "eks".into(),
                        finding: "f1".into(),
                    }]
                } else {
                    vec![]
                },
                ruled_out: vec!["statsd noise".into()],
            }],
            evidence: vec![EvidenceBlock {
                agent: "eks".into(),
                display_name: "EKS".into(),
                emoji: "☸️".into(),
                state: EvidenceState::Ok,
                detail: None,
                summary: String::new(),
                findings: vec![f, noise],
                partial: false,
                telemetry: None,
            }],
            impact: String::new(),
            actions: vec![],
            links: vec![],
            cost: Telemetry::default(),
            complete: true,
        }
    }

    fn expect() -> Expect {
        Expect {
            category: Category::ResourceExhaustion,
            required_keywords: vec!["OOMKilled".into(), "exit code 137".into(), "Memory".into()],
            forbidden_keywords: vec!["statsd".into()],
            forbidden_categories: vec![Category::Healthy],
            required_evidence: vec!["eks".into()],
        }
    }

    #[test]
    fn only_the_top_hypothesis_and_its_cited_evidence_count() {
        let s = score(
            "x",
            &expect(),
            &report(Category::ResourceExhaustion, "OOM", true),
            5,
        );
        assert!(s.passed, "{s:?}");
        // Uncited: the keywords in the finding no longer count, nor does the evidence.
        let s = score(
            "x",
            &expect(),
            &report(Category::ResourceExhaustion, "OOM", false),
            5,
        );
        assert!(!s.passed);
        assert_eq!(s.missing_keywords, ["OOMKilled", "exit code 137"]);
        assert_eq!(s.missing_evidence, ["eks"]);
        // The summary and ruled-out lines mention statsd; only the hypothesis text is scored.
        let s = score(
            "x",
            &expect(),
            &report(Category::ResourceExhaustion, "OOM, not statsd", true),
            5,
        );
        assert_eq!(s.forbidden_found, ["statsd"]);
        let s = score("x", &expect(), &report(Category::Healthy, "fine", true), 5);
        assert_eq!((s.passed, s.got_category.as_str()), (false, "healthy"));
        assert!(s.error.unwrap().contains("category healthy"));
    }
}
