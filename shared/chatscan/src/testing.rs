//! Test support for the chat scanners (feature `testing`, for their integration tests): the
//! scenario library served by the sandbox, the context the master would send, one
//! investigation or snapshot under a budget — and, in [`suite`] and the
//! [`fault_tests!`](crate::fault_tests) macro, the test bodies both scanner crates run, each on
//! its own platform.

pub mod suite;
mod surface;

use crate::agent::{Platform, Scanner, Settings};
use jiff::SignedDuration;
use sremesh_agent::{Answer, Deadline, Executor, Job, Partial};
use sremesh_core::{
    AgentResult, AlertContext, Secret, SecretSource, SnapshotReport, SnapshotRequest,
};
use sremesh_sandbox::{Options, Sandbox, Scenario, Source};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The scenario library.
pub fn scenarios_dir() -> PathBuf {
    sremesh_testkit::workspace_root().join("tests/scenarios")
}

/// Every scenario file, sorted.
pub fn scenario_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(scenarios_dir())
        .expect("the scenario library exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// The library's scenario `id`.
pub fn load(id: &str) -> Scenario {
    let path = scenarios_dir().join(format!("{id}.yaml"));
    sremesh_scenario::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A sandbox serving `scenario` in replay mode (its own times).
pub async fn sandbox(scenario: Scenario, dir: &tempfile::TempDir) -> Sandbox {
    sremesh_sandbox::start(scenario, Options::new(dir.path()))
        .await
        .expect("the sandbox starts on loopback")
}

/// The sandbox source that serves platform `P` (for faults).
pub fn source<P: Platform>() -> Source {
    match P::PLATFORM {
        sremesh_core::Platform::Slack => Source::Slack,
        sremesh_core::Platform::Discord => Source::Discord,
    }
}

/// True when `s` has data on `P`'s platform.
pub fn has_data<P: Platform>(s: &Scenario) -> bool {
    match P::PLATFORM {
        sremesh_core::Platform::Slack => s.world.slack.is_some(),
        sremesh_core::Platform::Discord => s.world.discord.is_some(),
    }
}

/// Settings pointing at the sandbox's API for `P`.
pub fn settings_for<P: Platform>(sb: &Sandbox) -> Settings {
    let api_url = match P::PLATFORM {
        sremesh_core::Platform::Slack => sb.endpoints().slack.clone(),
        sremesh_core::Platform::Discord => sb.endpoints().discord.clone(),
    };
    Settings {
        token: Some(Arc::new(Secret::new("test-token")) as Arc<dyn SecretSource>),
        api_url,
        ..Settings::for_platform::<P>()
    }
}

/// A scanner of `P` reading the sandbox.
pub fn agent_for<P: Platform>(sb: &Sandbox) -> Arc<Scanner<P>> {
    Arc::new(Scanner::new(settings_for::<P>(sb)))
}

/// The context the master would send for the scenario's alert.
pub fn context(s: &Scenario) -> AlertContext {
    let mut ctx = AlertContext::from_text(
        s.alert.text.clone(),
        s.now,
        SignedDuration::from_mins(30),
        SignedDuration::from_mins(5),
    );
    ctx.platform = Some(s.alert.platform);
    ctx.channel_id = Some(s.alert.channel.clone());
    ctx.message_id = Some(s.alert.message_id.clone());
    ctx.scan_channels = vec![s.alert.channel.clone()];
    ctx
}

/// Runs one investigation with `budget`; returns the result and how long it took.
pub async fn investigate(
    agent: &impl Executor,
    ctx: AlertContext,
    budget: Duration,
) -> (AgentResult, Duration) {
    let started = tokio::time::Instant::now();
    let job = Job {
        request: ctx,
        deadline: Deadline::after(budget),
        partial: Partial::default(),
        task_id: "test".into(),
    };
    let Answer::Result(r) = agent.investigate(job).await else {
        panic!("an investigation answers with an AgentResult")
    };
    (r, started.elapsed())
}

/// Takes one snapshot (10 s budget).
pub async fn snapshot(agent: &impl Executor) -> SnapshotReport {
    let job = Job {
        request: SnapshotRequest::new(jiff::Timestamp::now(), None),
        deadline: Deadline::after(Duration::from_secs(10)),
        partial: Partial::default(),
        task_id: "t".into(),
    };
    let Answer::Snapshot(s) = agent.snapshot(job).await else {
        panic!("a snapshot answers with a SnapshotReport")
    };
    s
}

/// Every line of a snapshot's sections.
pub fn snapshot_lines(s: &SnapshotReport) -> Vec<&str> {
    s.sections
        .iter()
        .flat_map(|s| s.lines.iter().map(String::as_str))
        .collect()
}

/// The fault, deadline and plain-text tests of one scanner crate, as `#[tokio::test]`s over
/// its platform `$p` and scenario `$scenario`: the slow-API case reads `$first` first and
/// expects `$version` by `$budget_ms`; the plain-text case expects the `$scanned` channels and
/// the `$deploy` announcement.
#[macro_export]
macro_rules! fault_tests {
    (
        $p:ty,
        $scenario:expr,
        slow: ($first:expr, $budget_ms:expr, $version:expr),
        plain: ($scanned:expr, $deploy:expr) $(,)?
    ) => {
        #[tokio::test]
        async fn garbage_answers_are_an_error_not_a_panic() {
            $crate::testing::suite::garbage_answers_are_an_error::<$p>($scenario).await;
        }

        #[tokio::test]
        async fn an_outage_is_an_error() {
            $crate::testing::suite::an_outage_is_an_error::<$p>($scenario).await;
        }

        #[tokio::test]
        async fn a_refused_token_is_unhealthy() {
            $crate::testing::suite::a_refused_token_is_unhealthy::<$p>($scenario).await;
        }

        #[tokio::test]
        async fn no_token_or_a_bad_url_is_unhealthy_with_the_reason() {
            $crate::testing::suite::no_token_or_a_bad_url_is_unhealthy::<$p>().await;
        }

        #[tokio::test]
        async fn a_slow_api_gets_a_partial_answer_on_time() {
            $crate::testing::suite::a_slow_source_gets_a_partial_answer_on_time::<$p>(
                $scenario,
                $first,
                ::std::time::Duration::from_millis($budget_ms),
                $version,
            )
            .await;
        }

        #[tokio::test]
        async fn a_hung_api_still_gets_an_answer_on_time() {
            $crate::testing::suite::a_hung_source_still_answers_on_time::<$p>($scenario).await;
        }

        #[tokio::test]
        async fn a_plain_text_alert_scans_the_bots_channels() {
            $crate::testing::suite::a_plain_text_alert_scans_the_bots_channels::<$p>(
                $scenario, &$scanned, $deploy,
            )
            .await;
        }
    };
}
