//! Fault injection with real servers on loopback: agents that answer, answer late, hang, crash
//! mid-request, answer 500 or garbage. The initial report comes at its deadline, every failure
//! is named, late results arrive as updates, nothing is posted after the cutoff.

use crate::support::{Recorder, serve_agent, serve_raw};
use sremesh_core::{
    AgentResult, AlertContext, Category, EvidenceState, Finding, Severity, catalogue,
};
use sremesh_master::notify::Event;
use sremesh_master::orchestrator::{Limits, Orchestrator, Specialist};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

fn oom() -> AgentResult {
    let f = Finding::new(
        "oom_killed:shop/cart-7d-x",
        "oom_killed",
        Severity::Critical,
        "cart-7d-x OOMKilled (exit code 137)",
    )
    .with_category(Category::ResourceExhaustion)
    .with_service("cart");
    AgentResult::ok("eks", "cart OOMKilled", vec![f])
}

fn specialist(id: &str, url: &str) -> Specialist {
    Specialist {
        info: catalogue::agent(id).unwrap(),
        client: Some(Arc::new(sremesh_agent::AgentClient::new(id, url).unwrap())),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misbehaving_agents_never_delay_or_break_the_report() {
    let ok = serve_agent("eks", Duration::ZERO, oom()).await;
    let late = serve_raw("late:1800").await;
    let hang = serve_raw("hang").await;
    let garbage = serve_raw("garbage").await;
    let http500 = serve_raw("500").await;
    let crash = serve_raw("crash").await;
    let specialists = vec![
        specialist("slack_scanner", &hang),
        specialist("discord_scanner", &garbage),
        specialist("prometheus", &http500),
        specialist("cloudwatch_logs", &late),
        specialist("eks", &ok),
        specialist("incident_history", &crash),
    ];
    let recorder = Arc::new(Recorder::default());
    let limits = Limits {
        initial: Duration::from_millis(1000),
        cutoff: Duration::from_millis(3000),
        margin: Duration::from_millis(200),
    };
    let orch = Orchestrator::new(specialists, limits, recorder.clone());
    let ctx = AlertContext::from_text(
        "[FIRING:1] KubePodCrashLooping (cart shop)",
        jiff::Timestamp::now(),
        jiff::SignedDuration::from_mins(30),
        jiff::SignedDuration::from_mins(5),
    );
    let start = Instant::now();
    let final_report = orch.investigate(ctx).await;
    let finished = start.elapsed();
    let events = recorder.events(start);

    // The initial report: at its deadline (±100 ms), with the failures named and the late one pending.
    let (at, report) = events
        .iter()
        .find_map(|(t, e)| match e {
            Event::Report { report, .. } => Some((*t, report.clone())),
            _ => None,
        })
        .unwrap();
    assert!(
        at >= Duration::from_millis(1000) && at <= Duration::from_millis(1100),
        "initial report at {at:?}"
    );
    let state = |r: &sremesh_core::Report, id: &str| {
        r.evidence
            .iter()
            .find(|b| b.agent == id)
            .map(|b| (b.state, b.detail.clone().unwrap_or_default()))
            .unwrap()
    };
    assert_eq!(state(&report, "eks").0, EvidenceState::Ok);
    assert_eq!(state(&report, "cloudwatch_logs").0, EvidenceState::Pending);
    assert_eq!(
        state(&report, "slack_scanner").0,
        EvidenceState::Pending,
        "a hung agent is still pending at the initial report: {:?}",
        state(&report, "slack_scanner")
    );
    for (id, kind) in [
        ("discord_scanner", "bad response"),
        ("prometheus", "bad response"),
        ("incident_history", "connection lost"),
    ] {
        let (s, detail) = state(&report, id);
        assert_eq!(s, EvidenceState::Error, "{id}");
        assert!(detail.starts_with(kind), "{id}: {detail}");
    }
    assert!(state(&report, "prometheus").1.contains("500"));
    assert_eq!(report.hypotheses[0].category, Category::ResourceExhaustion);

    // The late result arrives as an update; nothing is posted after the cutoff.
    let updates: Vec<(Duration, String)> = events
        .iter()
        .filter_map(|(t, e)| match e {
            Event::Update { message, .. } => Some((*t, message.block.agent.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert_eq!(updates[0].1, "cloudwatch_logs");
    assert!(updates[0].0 >= Duration::from_millis(1800));
    let last = events.last().unwrap().0;
    assert!(
        last <= Duration::from_millis(3050),
        "an event at {last:?}, after the cutoff"
    );
    assert!(
        finished >= Duration::from_millis(3000) && finished < Duration::from_millis(3300),
        "finished at {finished:?}"
    );

    // The order: started first, then progress, then the report, then updates.
    assert!(matches!(events[0].1, Event::Started { .. }));
    let first_report = events
        .iter()
        .position(|(_, e)| matches!(e, Event::Report { .. }))
        .unwrap();
    assert!(
        events[..first_report]
            .iter()
            .all(|(_, e)| matches!(e, Event::Started { .. } | Event::Progress { .. }))
    );

    // The final report names the hung agent's timeout at the cutoff.
    let (s, detail) = state(&final_report, "slack_scanner");
    assert_eq!(s, EvidenceState::Error);
    assert!(detail.contains("timeout"), "{detail}");
    assert!(
        !final_report.complete
            || final_report
                .evidence
                .iter()
                .all(|b| b.state != EvidenceState::Pending)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_every_agent_answers_early_the_report_does_not_wait_for_the_deadline() {
    let a = serve_agent("eks", Duration::from_millis(50), oom()).await;
    let b = serve_agent(
        "cloudwatch_logs",
        Duration::from_millis(120),
        AgentResult::ok("cloudwatch_logs", "quiet", vec![]),
    )
    .await;
    let recorder = Arc::new(Recorder::default());
    let limits = Limits {
        initial: Duration::from_secs(60),
        cutoff: Duration::from_secs(300),
        margin: Duration::from_secs(2),
    };
    let orch = Orchestrator::new(
        vec![specialist("eks", &a), specialist("cloudwatch_logs", &b)],
        limits,
        recorder.clone(),
    );
    let ctx = AlertContext::from_text(
        "cart down",
        jiff::Timestamp::now(),
        jiff::SignedDuration::from_mins(30),
        jiff::SignedDuration::from_mins(5),
    );
    let start = Instant::now();
    let report = orch.investigate(ctx).await;
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "took {:?}",
        start.elapsed()
    );
    assert!(report.complete);
    let events = recorder.events(start);
    assert_eq!(
        events
            .iter()
            .filter(|(_, e)| matches!(e, Event::Report { .. }))
            .count(),
        1
    );
    assert_eq!(
        events
            .iter()
            .filter(|(_, e)| matches!(e, Event::Update { .. }))
            .count(),
        0
    );
}
