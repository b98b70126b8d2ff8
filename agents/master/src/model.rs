//! The master's optional model: it reviews the ranked hypotheses (synthesis) and may skip agents
//! clearly irrelevant to an alert (routing). Both are fail-open with their own timeouts — the
//! deterministic report and a full fan-out are what happens when the model errs, stalls or
//! claims what no finding supports.

use serde::Deserialize;
use sremesh_core::config::MeshConfig;
use sremesh_core::{AgentInfo, AlertContext, Category, Citation, Hypothesis, Report, Telemetry};
use sremesh_llm::{ChatRequest, Content, Message, Provider, ToolChoice};
use std::sync::Arc;
use std::time::Duration;

/// The master's model and the config that prices it.
#[derive(Clone)]
pub struct MasterModel {
    pub provider: Arc<dyn Provider>,
    pub config: Arc<MeshConfig>,
}

/// Why a model step was skipped (always logged; the deterministic result stands).
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("model call failed: {0}")]
    Provider(#[from] sremesh_llm::ProviderError),
    #[error("model answer is not the JSON asked for: {0}")]
    Parse(String),
}

async fn ask(
    model: &MasterModel,
    system: &str,
    user: String,
    timeout: Duration,
    max_tokens: u32,
) -> Result<(String, Telemetry), ModelError> {
    let req = ChatRequest {
        system: system.to_owned(),
        messages: vec![Message::user(user)],
        tools: Vec::new(),
        tool_choice: ToolChoice::None,
        max_output_tokens: max_tokens,
    };
    let resp = model.provider.chat(&req, timeout).await?;
    let text: String = resp
        .content
        .iter()
        .filter_map(|c| {
            if let Content::Text(t) = c {
                Some(t.as_str())
            } else {
                None
            }
        })
        .collect::<Vec<_>>()
        .join("");
    let telemetry = sremesh_llm::telemetry(&model.config, model.provider.model(), resp.usage, 0);
    Ok((text, telemetry))
}

/// The JSON object in a model answer (code fences and prose around it ignored).
fn json_object<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, ModelError> {
    let start = text
        .find('{')
        .ok_or_else(|| ModelError::Parse("no JSON object".into()))?;
    let end = text
        .rfind('}')
        .ok_or_else(|| ModelError::Parse("no JSON object".into()))?;
    serde_json::from_str(&text[start..=end.max(start)])
        .map_err(|e| ModelError::Parse(e.to_string()))
}

const SYNTHESIS_SYSTEM: &str = "You review the ranked root-cause hypotheses of an incident report built from typed findings. \
You may re-rank them, sharpen their titles and explanations, adjust confidence, and add a causal chain and next actions. \
Every hypothesis must cite findings by their exact agent and id from the list given; a hypothesis that cites no listed finding is discarded. \
Use exactly one category from: resource_exhaustion, configuration_error, dependency_failure, code_defect, infrastructure, data_quality, healthy, unknown. \
Never raise confidence beyond what the cited findings support. Answer with JSON only: \
{\"hypotheses\":[{\"category\":\"…\",\"title\":\"…\",\"explanation\":\"…\",\"confidence\":0.0,\"citations\":[{\"agent\":\"…\",\"finding\":\"…\"}]}],\
\"causal_chain\":[\"…\"],\"next_actions\":[\"…\"]}";

#[derive(Deserialize)]
struct Review {
    #[serde(default)]
    hypotheses: Vec<Proposed>,
    #[serde(default)]
    causal_chain: Vec<String>,
    #[serde(default)]
    next_actions: Vec<String>,
}

#[derive(Deserialize)]
struct Proposed {
    category: String,
    title: String,
    #[serde(default)]
    explanation: String,
    #[serde(default)]
    confidence: f64,
    #[serde(default)]
    citations: Vec<Citation>,
}

fn synthesis_prompt(ctx: &AlertContext, report: &Report) -> String {
    let mut s = format!("Alert: {}\n\nHypotheses (ranked):\n", ctx.alert_text);
    for (i, h) in report.hypotheses.iter().enumerate() {
        let cites: Vec<String> = h
            .citations
            .iter()
            .map(|c| format!("{}/{}", c.agent, c.finding))
            .collect();
        s.push_str(&format!(
            "{i}. [{}] {:.2} {} — {} (cites {})\n",
            h.category,
            h.confidence,
            h.title,
            h.explanation,
            cites.join(", ")
        ));
    }
    s.push_str("\nFindings:\n");
    for b in &report.evidence {
        for f in &b.findings {
            s.push_str(&format!(
                "- agent={} id={} kind={} severity={}: {}\n",
                b.agent, f.id, f.kind, f.severity, f.title
            ));
            for e in f.evidence.iter().take(2) {
                s.push_str(&format!("    {}\n", sremesh_core::text::truncate(e, 200)));
            }
        }
        if b.findings.is_empty() {
            s.push_str(&format!(
                "- agent={} ({:?}): no findings{}\n",
                b.agent,
                b.state,
                b.detail
                    .as_deref()
                    .map(|d| format!(" — {d}"))
                    .unwrap_or_default()
            ));
        }
    }
    s
}

/// What a synthesis did.
#[derive(Debug, Clone)]
pub struct Synthesis {
    /// Proposed hypotheses rejected for citing no finding that exists (or an unknown category).
    pub rejected: usize,
    /// The call's usage (the caller adds it to the report's cost).
    pub telemetry: Telemetry,
}

/// Lets the model review `report`'s hypotheses and applies what cites existing findings.
pub async fn synthesize(
    model: &MasterModel,
    ctx: &AlertContext,
    report: &mut Report,
    timeout: Duration,
) -> Result<Synthesis, ModelError> {
    let (text, telemetry) = ask(
        model,
        SYNTHESIS_SYSTEM,
        synthesis_prompt(ctx, report),
        timeout,
        1500,
    )
    .await?;
    let review: Review = json_object(&text)?;
    let mut accepted: Vec<Hypothesis> = Vec::new();
    let mut rejected = 0;
    for p in review.hypotheses {
        let citations: Vec<Citation> = p
            .citations
            .into_iter()
            .filter(|c| report.finding(c).is_some())
            .collect();
        let Ok(category) = p.category.parse::<Category>() else {
            rejected += 1;
            continue;
        };
        if citations.is_empty() || p.title.trim().is_empty() {
            rejected += 1;
            continue;
        }
        let ruled_out = report
            .hypotheses
            .iter()
            .find(|h| h.category == category && h.citations.iter().any(|c| citations.contains(c)))
            .map(|h| h.ruled_out.clone())
            .unwrap_or_default();
        accepted.push(Hypothesis {
            category,
            title: p.title.trim().to_owned(),
            explanation: p.explanation.trim().to_owned(),
            confidence: p.confidence.clamp(0.0, 1.0),
            citations,
            ruled_out,
        });
    }
    if accepted.is_empty() {
        return Ok(Synthesis {
            rejected,
            telemetry,
        });
    }
    // What the model did not restate stays, ranked after its hypotheses.
    for h in &report.hypotheses {
        if !accepted.iter().any(|a| {
            a.category == h.category && a.citations.iter().any(|c| h.citations.contains(c))
        }) {
            accepted.push(h.clone());
        }
    }
    if let Some(top) = accepted.first_mut() {
        let chain: Vec<&str> = review
            .causal_chain
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .take(6)
            .collect();
        if !chain.is_empty() {
            top.explanation = format!("{} Causal chain: {}.", top.explanation, chain.join(" → "));
        }
    }
    report.hypotheses = accepted;
    let mut actions: Vec<String> = review
        .next_actions
        .into_iter()
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty())
        .take(3)
        .collect();
    for a in std::mem::take(&mut report.actions) {
        if !actions.contains(&a) {
            actions.push(a);
        }
    }
    actions.truncate(6);
    report.actions = actions;
    Ok(Synthesis {
        rejected,
        telemetry,
    })
}

const ROUTING_SYSTEM: &str = "You decide which investigation agents to skip for an infrastructure alert. \
Bias toward dispatching: a wrong skip is a blind spot, an extra agent only costs seconds. Skip an agent only when its \
data source clearly cannot bear on the alert. Never invent agents. Answer with JSON only: {\"skip\":[{\"agent\":\"…\",\"reason\":\"…\"}]}";

#[derive(Deserialize)]
struct Routing {
    #[serde(default)]
    skip: Vec<Skip>,
}

#[derive(Deserialize)]
struct Skip {
    agent: String,
    #[serde(default)]
    reason: String,
}

/// The agents to skip for `ctx` (never all of them; any failure means skip none).
pub async fn route(
    model: &MasterModel,
    ctx: &AlertContext,
    agents: &[(&'static AgentInfo, String)],
    timeout: Duration,
) -> (Vec<(String, String)>, Option<Telemetry>) {
    let mut user = format!("Alert: {}\n\nAgents:\n", ctx.alert_text);
    for (a, description) in agents {
        user.push_str(&format!("- {}: {}\n", a.id, description));
    }
    let (text, telemetry) = match ask(model, ROUTING_SYSTEM, user, timeout, 400).await {
        Ok(x) => x,
        Err(e) => {
            tracing::warn!(investigation_id = %ctx.investigation_id, error = %e, "routing_failed_dispatching_all");
            return (Vec::new(), None);
        }
    };
    let skips: Vec<(String, String)> = match json_object::<Routing>(&text) {
        Ok(r) => r
            .skip
            .into_iter()
            .filter(|s| agents.iter().any(|(a, _)| a.id == s.agent))
            .map(|s| {
                (
                    s.agent,
                    if s.reason.trim().is_empty() {
                        "judged not relevant to this alert".to_owned()
                    } else {
                        s.reason.trim().to_owned()
                    },
                )
            })
            .collect(),
        Err(e) => {
            tracing::warn!(investigation_id = %ctx.investigation_id, error = %e, "routing_unparsable_dispatching_all");
            Vec::new()
        }
    };
    if skips.len() >= agents.len() {
        tracing::warn!(investigation_id = %ctx.investigation_id, "routing_would_skip_everything_dispatching_all");
        return (Vec::new(), Some(telemetry));
    }
    (skips, Some(telemetry))
}
