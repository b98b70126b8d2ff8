//! The specialist wrapper: deterministic pass first, then the model's drill-down with the
//! agent's tools; findings merged, tokens and cost reported; no model → unchanged; a required
//! MCP server that fails → every answer `unhealthy` with the reason.

use crate::scripted::{self, Wire};
use schemars::JsonSchema;
use serde::Deserialize;
use sremesh_agent::tool::{ToolOutput, ToolSet, tool};
use sremesh_agent::{Answer, Deadline, Executor, Job, Setup};
use sremesh_core::config::{McpConfig, McpTransport, Price};
use sremesh_core::{
    AgentResult, AgentStatus, AlertContext, Finding, Severity, SnapshotReport, SnapshotRequest,
    SnapshotStatus,
};
use sremesh_llm::specialist::{LlmArgs, wrap};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

struct Deterministic;

impl Executor for Deterministic {
    fn id(&self) -> &'static str {
        "eks"
    }
    async fn investigate(&self, _job: Job<AlertContext>) -> Answer {
        let f = Finding::new(
            "crash_loop:shop/cart",
            "crash_loop",
            Severity::High,
            "cart CrashLoopBackOff (exit 1)",
        );
        Answer::Result(AgentResult::ok("eks", "cart is crash-looping.", vec![f]))
    }
    async fn snapshot(&self, job: Job<SnapshotRequest>) -> Answer {
        Answer::Snapshot(SnapshotReport::failed(
            "eks",
            job.request.requested_at,
            SnapshotStatus::Ok,
            "",
        ))
    }
}

#[derive(Deserialize, JsonSchema)]
struct GatherParams {
    /// Namespace.
    namespace: String,
}

fn eks_tools() -> ToolSet {
    ToolSet::new(vec![tool(
        "gather_eks_state",
        |p: GatherParams, _d| async move {
            Ok(ToolOutput {
                findings: vec![Finding::new(
                    format!("oom_killed:{}/cart", p.namespace),
                    "oom_killed",
                    Severity::Critical,
                    "cart OOMKilled (exit code 137)",
                )],
                scanned: vec![format!("pod/{}/cart", p.namespace)],
                ..Default::default()
            })
        },
    )])
}

fn setup(model: Option<&str>, mcps: Vec<McpConfig>) -> Setup {
    let mut loaded =
        sremesh_core::config::load(&sremesh_testkit::workspace_root().join("config.yaml")).unwrap();
    loaded.config.pricing.insert(
        "test-model".into(),
        Price {
            input: 0.5,
            output: 1.5,
        },
    );
    if let Some(eks) = loaded.config.agents.get_mut("eks") {
        eks.mcps = mcps;
    }
    Setup {
        info: sremesh_core::catalogue::agent("eks").unwrap(),
        loaded,
        bind: "127.0.0.1:0".into(),
        public_url: None,
        limits: sremesh_agent::HarnessLimits {
            window_before: jiff::SignedDuration::from_mins(30),
            window_after: jiff::SignedDuration::from_mins(5),
            default_deadline: Duration::from_secs(20),
            max_deadline: Duration::from_secs(60),
        },
        model: model.map(str::to_owned),
    }
}

fn llm_args(base: &str) -> LlmArgs {
    LlmArgs {
        openai_base_url: format!("{base}/v1"),
        openai_api_key: Some("sk-test".into()),
        bedrock_region: Some("us-east-1".into()),
        bedrock_guardrail_id: None,
        bedrock_guardrail_version: "DRAFT".into(),
    }
}

fn job() -> Job<AlertContext> {
    let ctx = AlertContext::from_text(
        "[FIRING:1] KubePodCrashLooping shop/cart",
        jiff::Timestamp::now(),
        jiff::SignedDuration::from_mins(30),
        jiff::SignedDuration::from_mins(5),
    );
    Job {
        request: ctx,
        deadline: Deadline::after(Duration::from_secs(15)),
        partial: Default::default(),
        task_id: "t".into(),
    }
}

fn result(a: Answer) -> AgentResult {
    match a {
        Answer::Result(r) => r,
        other => panic!("expected a result, got {other:?}"),
    }
}

#[tokio::test]
async fn the_model_drills_down_with_the_agents_tools_and_the_findings_are_merged() {
    let model = scripted::serve(
        Wire::OpenAi,
        scripted::list(vec![
            scripted::tools(&[("gather_eks_state", r#"{"namespace":"shop"}"#)]),
            scripted::text(
                "cart is OOMKilled (oom_killed:shop/cart): its memory limit is too low.",
            ),
        ]),
    )
    .await;
    let agent = wrap(
        Arc::new(Deterministic),
        eks_tools(),
        &setup(Some("openai:test-model"), vec![]),
        &llm_args(&model.url),
        &HashMap::new(),
    )
    .await
    .unwrap();
    let r = result(agent.investigate(job()).await);
    assert_eq!(r.status, AgentStatus::Ok);
    let ids: Vec<&str> = r.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        ["crash_loop:shop/cart", "oom_killed:shop/cart"],
        "deterministic findings kept, the tool's added"
    );
    assert!(
        r.summary.starts_with("cart is crash-looping.")
            && r.summary.contains("Model: cart is OOMKilled"),
        "{}",
        r.summary
    );
    assert_eq!(r.telemetry.model.as_deref(), Some("openai:test-model"));
    assert_eq!(
        (r.telemetry.input_tokens, r.telemetry.output_tokens),
        (2 * scripted::IN_TOKENS, 2 * scripted::OUT_TOKENS)
    );
    assert_eq!(r.telemetry.tool_calls, 1);
    let cost = r.telemetry.cost_usd.unwrap();
    assert!(
        (cost - (200.0 * 0.5 + 40.0 * 1.5) / 1e6).abs() < 1e-12,
        "{cost}"
    );
    // The model saw the deterministic findings in its first turn.
    let first = model.requests()[0].to_string();
    assert!(first.contains("crash_loop:shop/cart"), "{first}");
}

#[tokio::test]
async fn without_a_model_the_agent_is_unchanged() {
    let agent = wrap(
        Arc::new(Deterministic),
        eks_tools(),
        &setup(None, vec![]),
        &llm_args("http://127.0.0.1:9"),
        &HashMap::new(),
    )
    .await
    .unwrap();
    let r = result(agent.investigate(job()).await);
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.summary, "cart is crash-looping.");
    assert!(r.telemetry.model.is_none());
}

#[tokio::test]
async fn a_required_mcp_server_that_cannot_start_makes_the_agent_unhealthy_with_the_reason() {
    let mcp = McpConfig {
        name: "docs".into(),
        transport: McpTransport::Stdio,
        endpoint: "/nonexistent/mcp-server".into(),
        args: vec![],
        auth: "none".into(),
        required: true,
    };
    let agent = wrap(
        Arc::new(Deterministic),
        eks_tools(),
        &setup(None, vec![mcp]),
        &llm_args("http://127.0.0.1:9"),
        &HashMap::new(),
    )
    .await
    .unwrap();
    let r = result(agent.investigate(job()).await);
    assert_eq!(r.status, AgentStatus::Unhealthy);
    assert!(r.error.unwrap().contains("docs"));
}
