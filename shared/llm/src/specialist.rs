//! The model pass of a specialist: an [`Executor`] wrapper that runs the agent's deterministic
//! pass first, then — when a model is configured — the bounded tool loop seeded with its
//! findings, and merges what the loop's tools found. With no model it is the deterministic agent,
//! unchanged. Every specialist's `main` wraps its agent with [`wrap`].

use crate::{
    LlmSettings, LoopLimits, LoopTask, McpBridge, Message, OpenAiSettings, Provider, missing_tools,
    provider_for, run_loop, tool_specs, tools_named_in,
};
use sremesh_agent::tool::ToolSet;
use sremesh_agent::{Answer, Deadline, Executor, Job, Setup};
use sremesh_core::config::Loaded;
use sremesh_core::{AgentResult, AgentStatus, AlertContext, Finding, Secret, SnapshotRequest};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Model settings every agent binary takes (read from the environment by clap in `main`).
#[derive(Debug, Clone, clap::Args)]
pub struct LlmArgs {
    /// OpenAI-compatible base URL for `openai:<model>` ids (Ollama, vLLM, LiteLLM).
    #[arg(long, env = "OPENAI_BASE_URL", default_value = crate::DEFAULT_OPENAI_BASE_URL)]
    pub openai_base_url: String,
    /// Bearer key for the OpenAI-compatible endpoint.
    #[arg(long, env = "OPENAI_API_KEY", hide_env_values = true)]
    pub openai_api_key: Option<String>,
    /// AWS region for Bedrock.
    #[arg(long = "bedrock-region", env = "AWS_REGION")]
    pub bedrock_region: Option<String>,
    /// Bedrock guardrail id applied to every model call.
    #[arg(long, env = "BEDROCK_GUARDRAIL_ID")]
    pub bedrock_guardrail_id: Option<String>,
    /// Bedrock guardrail version (default DRAFT).
    #[arg(long, env = "BEDROCK_GUARDRAIL_VERSION", default_value = "DRAFT")]
    pub bedrock_guardrail_version: String,
}

impl LlmArgs {
    /// The typed provider settings.
    pub fn settings(&self) -> LlmSettings {
        LlmSettings {
            openai: OpenAiSettings {
                base_url: self.openai_base_url.clone(),
                api_key: self
                    .openai_api_key
                    .clone()
                    .filter(|k| !k.is_empty())
                    .map(Secret::new),
            },
            bedrock: crate::BedrockSettings {
                region: self.bedrock_region.clone(),
                endpoint_url: None,
                guardrail: self
                    .bedrock_guardrail_id
                    .clone()
                    .filter(|g| !g.is_empty())
                    .map(|id| crate::Guardrail {
                        id,
                        version: self.bedrock_guardrail_version.clone(),
                    }),
            },
            ..LlmSettings::default()
        }
    }
}

/// Why an agent cannot start with its model configuration.
#[derive(Debug, thiserror::Error)]
pub enum WrapError {
    #[error("model: {0}")]
    Model(#[from] crate::SelectError),
    #[error("the skills of '{agent}' name tools that do not exist: {missing:?}")]
    MissingTools { agent: String, missing: Vec<String> },
}

/// The model side: provider, tools and prompt.
struct ModelPass {
    provider: Arc<dyn Provider>,
    tools: ToolSet,
    descriptions: BTreeMap<String, String>,
    system: String,
    limits: LoopLimits,
}

/// A specialist with an optional model pass.
pub struct Augmented<E> {
    inner: Arc<E>,
    pass: Option<ModelPass>,
    config: Arc<sremesh_core::config::MeshConfig>,
    /// Set when a required MCP server failed to start: every answer says so.
    unhealthy: Option<String>,
    _mcp: Option<McpBridge>,
}

/// Wraps `agent` (with its `tools`) for `setup`'s agent: picks the provider from the model the
/// config names (none: deterministic only), connects the agent's MCP servers (a required one
/// that fails makes every answer `unhealthy` with the reason; an optional one is logged and
/// skipped), and checks that every tool the skills' prompts name exists.
pub async fn wrap<E: Executor>(
    agent: Arc<E>,
    tools: ToolSet,
    setup: &Setup,
    llm: &LlmArgs,
    env: &HashMap<String, String>,
) -> Result<Augmented<E>, WrapError> {
    let loaded = &setup.loaded;
    let id = setup.info.id;
    let provider = provider_for(setup.model.as_deref(), &llm.settings()).await?;
    let mcps = loaded
        .config
        .agent(id)
        .map(|a| a.mcps.clone())
        .unwrap_or_default();
    let secrets: BTreeMap<String, Secret> = env
        .iter()
        .map(|(k, v)| (k.clone(), Secret::new(v.clone())))
        .collect();
    let (bridge, unhealthy) = if mcps.is_empty() {
        (None, None)
    } else {
        match McpBridge::connect(&mcps, &secrets, Duration::from_secs(15)).await {
            Ok(b) => {
                for w in b.warnings() {
                    tracing::warn!(agent = id, error = %w, "mcp_server_skipped");
                }
                (Some(b), None)
            }
            Err(e) => {
                tracing::error!(agent = id, error = %e, "mcp_server_failed");
                (
                    None,
                    Some(format!("required MCP server failed to start: {e}")),
                )
            }
        }
    };
    let mut all = tools.iter().cloned().collect::<Vec<_>>();
    let mut descriptions: BTreeMap<String, String> = loaded
        .skills_for(id)
        .iter()
        .map(|s| (s.tool.clone(), s.description.clone()))
        .collect();
    if let Some(b) = &bridge {
        all.extend(b.tools());
        descriptions.extend(b.descriptions());
    }
    let tools = ToolSet::new(all);
    let system = system_prompt(setup.info.display_name, loaded, id);
    let named = tools_named_in(&system);
    let missing = missing_tools(named.iter().map(String::as_str), &tools);
    if !missing.is_empty() {
        return Err(WrapError::MissingTools {
            agent: id.to_owned(),
            missing,
        });
    }
    let limits = LoopLimits {
        max_tool_cycles: loaded
            .config
            .agent(id)
            .and_then(|a| a.max_tool_cycles)
            .or(loaded.config.defaults.max_tool_cycles)
            .unwrap_or(4),
        ..LoopLimits::default()
    };
    if let Some(p) = &provider {
        tracing::info!(
            agent = id,
            model = p.model(),
            tools = tools.names().len(),
            "model_pass_enabled"
        );
    }
    let pass = provider.map(|provider| ModelPass {
        provider,
        tools,
        descriptions,
        system,
        limits,
    });
    Ok(Augmented {
        inner: agent,
        pass,
        config: Arc::new(loaded.config.clone()),
        unhealthy,
        _mcp: bridge,
    })
}

fn system_prompt(display: &str, loaded: &Loaded, id: &str) -> String {
    let mut s = format!(
        "You are the {display} specialist of sremesh, an on-call investigator. A deterministic pass has already gathered \
         and analyzed the data; its findings are below. Use your tools only to drill into what those findings leave open, \
         then answer in two or three sentences: the cause the evidence supports, citing finding ids, or what is still \
         unknown. Never invent data.\n\n# Skills\n"
    );
    for skill in loaded.skills_for(id) {
        s.push_str(&format!("\n## {}\n\n{}\n", skill.name, skill.prompt));
    }
    s.push('\n');
    s.push_str(crate::LOOP_GUIDANCE);
    s
}

fn seed(ctx: &AlertContext, result: &AgentResult) -> Vec<Message> {
    let mut text = format!(
        "Alert (posted {}): {}\nInvestigation window: {} to {}.\n\nDeterministic findings ({}):\n",
        ctx.alert_time, ctx.alert_text, ctx.window.start, ctx.window.end, result.summary
    );
    for f in &result.findings {
        text.push_str(&format!(
            "- [{}] {} · {} · {}\n",
            f.id, f.kind, f.severity, f.title
        ));
        for e in f.evidence.iter().take(3) {
            text.push_str(&format!("    {}\n", sremesh_core::text::truncate(e, 200)));
        }
    }
    if result.findings.is_empty() {
        text.push_str("(none)\n");
    }
    vec![Message::user(text)]
}

/// Adds the loop's new findings (by id) to the result.
fn merge(result: &mut AgentResult, found: impl IntoIterator<Item = Finding>) {
    for f in found {
        if !result.findings.iter().any(|x| x.id == f.id) {
            result.findings.push(f);
        }
    }
}

impl<E: Executor> Executor for Augmented<E> {
    fn id(&self) -> &'static str {
        self.inner.id()
    }

    async fn investigate(&self, job: Job<AlertContext>) -> Answer {
        if let Some(reason) = &self.unhealthy {
            return Answer::Result(AgentResult::unhealthy(self.id(), reason.clone()));
        }
        let Some(pass) = &self.pass else {
            return self.inner.investigate(job).await;
        };
        let started = Instant::now();
        let ctx = job.request.clone();
        let deadline = job.deadline;
        let partial = job.partial.clone();
        // The deterministic pass gets 60 % of the time left; the model the rest.
        let det = Deadline(Instant::now() + deadline.remaining().mul_f64(0.6));
        let inner_job = Job {
            request: job.request,
            deadline: det,
            partial: job.partial,
            task_id: job.task_id,
        };
        let Answer::Result(mut result) = self.inner.investigate(inner_job).await else {
            return Answer::Result(AgentResult::error(
                self.id(),
                "the deterministic pass did not answer with a result",
            ));
        };
        if result.status != AgentStatus::Ok {
            return Answer::Result(result);
        }
        partial.extend(result.findings.clone());
        let task = LoopTask {
            system: pass.system.clone(),
            messages: seed(&ctx, &result),
            tools: tool_specs(&pass.tools, &pass.descriptions),
        };
        let outcome = run_loop(
            pass.provider.as_ref(),
            &pass.tools,
            task,
            &pass.limits,
            deadline,
        )
        .await;
        for rec in &outcome.outputs {
            result.scanned.extend(rec.output.scanned.iter().cloned());
        }
        merge(
            &mut result,
            outcome
                .outputs
                .iter()
                .flat_map(|r| r.output.findings.clone()),
        );
        if let Some(text) = outcome
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            result.summary = format!(
                "{} Model: {}",
                result.summary.trim_end(),
                sremesh_core::text::truncate(text, 600)
            );
        }
        let mut telemetry = outcome.telemetry(&self.config, pass.provider.model());
        telemetry.duration_ms = started.elapsed().as_millis() as u64;
        result.telemetry = telemetry;
        tracing::info!(
            agent = self.id(),
            cycles = outcome.cycles,
            tool_calls = outcome.tool_calls,
            stop = outcome.stop.as_str(),
            "model_pass_done"
        );
        Answer::Result(result)
    }

    async fn snapshot(&self, job: Job<SnapshotRequest>) -> Answer {
        self.inner.snapshot(job).await
    }
}
