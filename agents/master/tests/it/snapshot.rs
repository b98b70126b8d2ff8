//! `/sre-snapshot`: every agent asked in parallel, one summary with a block per agent (the
//! master's first), a hung agent reported as an error at the cutoff, disabled ones said so.

use crate::support::{Recorder, serve_agent, serve_raw};
use sremesh_agent::{Executor, Job};
use sremesh_chat::messages::SnapshotState;
use sremesh_core::{AgentResult, SnapshotRequest, catalogue};
use sremesh_master::MasterAgent;
use sremesh_master::notify::Event;
use sremesh_master::orchestrator::{Limits, Orchestrator, Specialist};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_summary_with_a_block_per_agent_within_the_cutoff() {
    let ok = serve_agent(
        "eks",
        Duration::from_millis(50),
        AgentResult::ok("eks", "x", vec![]),
    )
    .await;
    let hang = serve_raw("hang").await;
    let client =
        |id: &str, url: &str| Some(Arc::new(sremesh_agent::AgentClient::new(id, url).unwrap()));
    let specialists = vec![
        Specialist {
            info: catalogue::agent("slack_scanner").unwrap(),
            client: None,
        },
        Specialist {
            info: catalogue::agent("cloudwatch_logs").unwrap(),
            client: client("cloudwatch_logs", &hang),
        },
        Specialist {
            info: catalogue::agent("eks").unwrap(),
            client: client("eks", &ok),
        },
    ];
    let recorder = Arc::new(Recorder::default());
    let limits = Limits {
        initial: Duration::from_secs(60),
        cutoff: Duration::from_secs(300),
        margin: Duration::from_secs(2),
    };
    let master = MasterAgent::new(
        Orchestrator::new(specialists, limits, recorder.clone()),
        Duration::from_millis(1500),
        None,
    );
    let mut req = SnapshotRequest::new(jiff::Timestamp::now(), None);
    req.platform = Some(sremesh_core::Platform::Slack);
    req.channel_id = Some("C0OPS".into());
    let start = Instant::now();
    let job = Job {
        request: req,
        deadline: sremesh_agent::Deadline::after(Duration::from_secs(30)),
        partial: Default::default(),
        task_id: "t".into(),
    };
    let _ = master.snapshot(job).await;
    assert!(
        start.elapsed() < Duration::from_millis(2500),
        "took {:?}",
        start.elapsed()
    );
    let events = recorder.events(start);
    let Some((
        _,
        Event::Snapshot {
            summary, channel, ..
        },
    )) = events.last()
    else {
        panic!("no snapshot event: {events:?}")
    };
    assert_eq!(channel.as_deref(), Some("C0OPS"));
    let states: Vec<(&str, SnapshotState)> = summary
        .blocks
        .iter()
        .map(|b| (b.display_name.as_str(), b.state))
        .collect();
    assert_eq!(states[0].0, "Master");
    assert!(
        states.contains(&("Slack Scanner", SnapshotState::Disabled)),
        "{states:?}"
    );
    assert!(
        states.contains(&("CloudWatch Logs", SnapshotState::Error)),
        "{states:?}"
    );
    assert!(states.contains(&("EKS", SnapshotState::Ok)), "{states:?}");
    let hung = summary
        .blocks
        .iter()
        .find(|b| b.display_name == "CloudWatch Logs")
        .unwrap();
    assert!(
        hung.error
            .as_deref()
            .unwrap_or("")
            .contains("no response within"),
        "{hung:?}"
    );
}
