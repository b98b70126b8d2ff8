//! The master's optional model: synthesis re-ranks and sharpens only with citations that exist,
//! a claim citing nothing is rejected, a stalled model leaves the deterministic report on time,
//! routing skips what it names (never everything), and token/cost figures add up.

use crate::support::{Recorder, master_model, serve_agent, serve_openai};
use sremesh_core::{
    AgentResult, AlertContext, Category, EvidenceState, Finding, Severity, Telemetry, catalogue,
};
use sremesh_master::notify::Event;
use sremesh_master::orchestrator::{Limits, ModelSteps, Orchestrator, Specialist};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

fn eks_result() -> AgentResult {
    let oom = Finding::new(
        "oom",
        "oom_killed",
        Severity::Critical,
        "cart-1 OOMKilled (exit code 137)",
    )
    .with_category(Category::ResourceExhaustion)
    .with_service("cart");
    let img = Finding::new(
        "img",
        "image_pull",
        Severity::Medium,
        "cart-2 ImagePullBackOff",
    )
    .with_category(Category::ConfigurationError)
    .with_service("cart");
    let mut r = AgentResult::ok("eks", "cart broken", vec![oom, img]);
    r.telemetry = Telemetry {
        model: Some("openai:test-model".into()),
        input_tokens: 1000,
        output_tokens: 100,
        cost_usd: Some(0.00065),
        duration_ms: 5,
        tool_calls: 2,
    };
    r
}

async fn orchestrator(
    model_url: &str,
    synthesis: Duration,
    routing: Option<Duration>,
    recorder: Arc<Recorder>,
) -> Orchestrator {
    let eks = serve_agent("eks", Duration::from_millis(20), eks_result()).await;
    let cw = serve_agent(
        "cloudwatch_logs",
        Duration::from_millis(20),
        AgentResult::ok("cloudwatch_logs", "quiet", vec![]),
    )
    .await;
    let client =
        |id: &str, url: &str| Some(Arc::new(sremesh_agent::AgentClient::new(id, url).unwrap()));
    let specialists = vec![
        Specialist {
            info: catalogue::agent("cloudwatch_logs").unwrap(),
            client: client("cloudwatch_logs", &cw),
        },
        Specialist {
            info: catalogue::agent("eks").unwrap(),
            client: client("eks", &eks),
        },
    ];
    let limits = Limits {
        initial: Duration::from_millis(2500),
        cutoff: Duration::from_secs(5),
        margin: Duration::from_millis(200),
    };
    let steps = ModelSteps {
        model: master_model(model_url).await,
        synthesis,
        routing,
    };
    Orchestrator::new(specialists, limits, recorder).with_model(Some(steps))
}

fn ctx() -> AlertContext {
    AlertContext::from_text(
        "[FIRING:1] KubePodCrashLooping (cart shop)",
        jiff::Timestamp::now(),
        jiff::SignedDuration::from_mins(30),
        jiff::SignedDuration::from_mins(5),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synthesis_applies_cited_claims_and_costs_add_up() {
    let review = r#"```json
{"hypotheses":[{"category":"resource_exhaustion","title":"cart's heap outgrew its 256Mi limit","explanation":"Every restart ends OOMKilled.","confidence":0.9,"citations":[{"agent":"eks","finding":"oom"}]},
 {"category":"code_defect","title":"a bug","explanation":"made up","confidence":0.8,"citations":[{"agent":"eks","finding":"does-not-exist"}]}],
 "causal_chain":["catalog grew","heap outgrew limit","OOMKilled","crash loop"],"next_actions":["Raise cart's memory limit to 512Mi"]}
```"#;
    let url = serve_openai(vec![review]).await;
    let rec = Arc::new(Recorder::default());
    let report = orchestrator(&url, Duration::from_millis(800), None, rec.clone())
        .await
        .investigate(ctx())
        .await;
    let top = &report.hypotheses[0];
    assert_eq!(top.title, "cart's heap outgrew its 256Mi limit");
    assert!(
        top.explanation
            .contains("Causal chain: catalog grew → heap outgrew limit → OOMKilled → crash loop"),
        "{}",
        top.explanation
    );
    assert!(
        !report.hypotheses.iter().any(|h| h.title == "a bug"),
        "the claim citing nothing that exists is rejected"
    );
    assert!(
        report
            .hypotheses
            .iter()
            .any(|h| h.category == Category::ConfigurationError),
        "deterministic alternatives stay"
    );
    assert_eq!(report.actions[0], "Raise cart's memory limit to 512Mi");
    // Cost: the agent's 1000/100 plus the master's synthesis 100/20.
    assert_eq!(
        (report.cost.input_tokens, report.cost.output_tokens),
        (1100, 120)
    );
    let expected = 0.00065 + (100.0 * 0.5 + 20.0 * 1.5) / 1e6;
    assert!(
        (report.cost.cost_usd.unwrap() - expected).abs() < 1e-12,
        "{:?}",
        report.cost
    );
    let posted = rec.events(Instant::now());
    assert!(posted.iter().any(|(_, e)| matches!(e, Event::Report { report, .. } if report.hypotheses[0].title.contains("heap"))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_review_citing_only_what_does_not_exist_leaves_the_deterministic_report() {
    let review = r#"{"hypotheses":[{"category":"code_defect","title":"invented","confidence":0.99,"citations":[{"agent":"eks","finding":"nope"}]}]}"#;
    let url = serve_openai(vec![review]).await;
    let report = orchestrator(
        &url,
        Duration::from_millis(800),
        None,
        Arc::new(Recorder::default()),
    )
    .await
    .investigate(ctx())
    .await;
    assert_eq!(report.hypotheses[0].category, Category::ResourceExhaustion);
    assert!(report.hypotheses.iter().all(|h| h.title != "invented"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_model_leaves_the_deterministic_report_on_time() {
    let url = serve_openai(vec!["HANG"]).await;
    let rec = Arc::new(Recorder::default());
    let orch = orchestrator(&url, Duration::from_millis(600), None, rec.clone()).await;
    let start = Instant::now();
    let report = orch.investigate(ctx()).await;
    let took = start.elapsed();
    assert_eq!(report.hypotheses[0].category, Category::ResourceExhaustion);
    // Every agent answered at once, so the report waits only for the (stalled) review's budget.
    assert!(took < Duration::from_millis(1500), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routing_skips_what_it_names_but_never_everything() {
    let url = serve_openai(vec![
        r#"{"skip":[{"agent":"cloudwatch_logs","reason":"the alert is about pods"}]}"#,
        "{}",
    ])
    .await;
    let report = orchestrator(
        &url,
        Duration::from_millis(300),
        Some(Duration::from_millis(500)),
        Arc::new(Recorder::default()),
    )
    .await
    .investigate(ctx())
    .await;
    let cw = report
        .evidence
        .iter()
        .find(|b| b.agent == "cloudwatch_logs")
        .unwrap();
    assert_eq!(cw.state, EvidenceState::Skipped);
    assert_eq!(cw.detail.as_deref(), Some("the alert is about pods"));
    let url = serve_openai(vec![
        r#"{"skip":[{"agent":"cloudwatch_logs"},{"agent":"eks"}]}"#,
        "{}",
    ])
    .await;
    let report = orchestrator(
        &url,
        Duration::from_millis(300),
        Some(Duration::from_millis(500)),
        Arc::new(Recorder::default()),
    )
    .await
    .investigate(ctx())
    .await;
    assert!(
        report.evidence.iter().all(|b| b.state == EvidenceState::Ok),
        "skipping everything means skipping nothing"
    );
}
