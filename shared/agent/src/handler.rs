//! The bridge from the A2A server layer to an agent's [`Executor`]: parse the request, give the
//! executor its deadline, answer on time with what it has, and wrap the answer in artifacts.

use crate::payload::{self, Request};
use jiff::{SignedDuration, Timestamp};
use sremesh_a2a::server::{AgentHandler, Call, Outcome};
use sremesh_core::{
    AgentResult, AlertContext, Finding, Report, SnapshotReport, SnapshotRequest, SnapshotStatus,
    media,
};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// The moment an agent must have answered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline(pub Instant);

impl Deadline {
    /// A deadline `budget` from now.
    pub fn after(budget: Duration) -> Self {
        Deadline(Instant::now() + budget)
    }

    /// Time left (zero once passed).
    pub fn remaining(&self) -> Duration {
        self.0.saturating_duration_since(Instant::now())
    }

    /// Time left minus `reserve` (zero if less is left): the budget for a step that must leave
    /// time to answer.
    pub fn budget(&self, reserve: Duration) -> Duration {
        self.remaining().saturating_sub(reserve)
    }

    /// True once passed.
    pub fn passed(&self) -> bool {
        self.remaining().is_zero()
    }
}

/// Findings gathered so far, which the harness answers with if the executor misses its deadline.
#[derive(Debug, Clone, Default)]
pub struct Partial(Arc<Mutex<Vec<Finding>>>);

impl Partial {
    /// Records a finding as soon as it is known.
    pub fn push(&self, f: Finding) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(f);
    }

    /// Records several findings.
    pub fn extend(&self, fs: impl IntoIterator<Item = Finding>) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).extend(fs);
    }

    /// Everything recorded so far.
    pub fn take(&self) -> Vec<Finding> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// One request for an executor, with its deadline.
#[derive(Debug, Clone)]
pub struct Job<T> {
    pub request: T,
    pub deadline: Deadline,
    /// Push findings here as they are found: they are kept if the deadline passes first.
    pub partial: Partial,
    /// The A2A task id (a stable id for logs).
    pub task_id: String,
}

/// An agent's answer.
#[derive(Debug, Clone)]
pub enum Answer {
    Result(AgentResult),
    Report(Box<Report>),
    Snapshot(SnapshotReport),
}

/// An agent's logic: investigate an alert; take a health snapshot.
pub trait Executor: Send + Sync + 'static {
    /// The agent id (`eks`).
    fn id(&self) -> &'static str;

    /// Investigates; must answer before `job.deadline` (the harness stops waiting there).
    fn investigate(&self, job: Job<AlertContext>) -> impl Future<Output = Answer> + Send;

    /// Takes a health snapshot; must answer before `job.deadline`.
    fn snapshot(&self, job: Job<SnapshotRequest>) -> impl Future<Output = Answer> + Send;
}

/// Windows and deadlines the harness applies to requests.
#[derive(Debug, Clone, Copy)]
pub struct HarnessLimits {
    /// Window before a plain-text alert.
    pub window_before: SignedDuration,
    /// Window after a plain-text alert.
    pub window_after: SignedDuration,
    /// Deadline when a request names none.
    pub default_deadline: Duration,
    /// The longest deadline a request may ask for.
    pub max_deadline: Duration,
}

pub(crate) struct HarnessHandler<E> {
    pub exec: Arc<E>,
    pub limits: HarnessLimits,
}

impl<E: Executor> HarnessHandler<E> {
    fn deadline(&self, asked_ms: Option<u64>) -> Deadline {
        let budget = asked_ms.map_or(self.limits.default_deadline, Duration::from_millis);
        Deadline::after(budget.min(self.limits.max_deadline))
    }
}

impl<E: Executor> AgentHandler for HarnessHandler<E> {
    async fn handle(&self, call: Call) -> Outcome {
        let started = Instant::now();
        let request = match payload::parse_request(
            &call.message,
            Timestamp::now(),
            self.limits.window_before,
            self.limits.window_after,
        ) {
            Ok(r) => r,
            Err(e) => return Outcome::failed(e.to_string()),
        };
        let id = self.exec.id();
        let answer = match request {
            Request::Investigate(ctx) => {
                let deadline = self.deadline(ctx.deadline_ms);
                let partial = Partial::default();
                let job = Job {
                    request: *ctx,
                    deadline,
                    partial: partial.clone(),
                    task_id: call.task_id.clone(),
                };
                match tokio::time::timeout_at(deadline.0, self.exec.investigate(job)).await {
                    Ok(a) => a,
                    Err(_) => {
                        tracing::warn!(agent = id, task_id = %call.task_id, "agent_deadline_missed");
                        Answer::Result(late_result(id, partial.take(), started.elapsed()))
                    }
                }
            }
            Request::Snapshot(req) => {
                let deadline = self.deadline(req.deadline_ms);
                let job = Job {
                    request: req,
                    deadline,
                    partial: Partial::default(),
                    task_id: call.task_id.clone(),
                };
                match tokio::time::timeout_at(deadline.0, self.exec.snapshot(job)).await {
                    Ok(a) => a,
                    Err(_) => Answer::Snapshot(SnapshotReport::failed(
                        id,
                        Timestamp::now(),
                        SnapshotStatus::Error,
                        "no snapshot before the deadline",
                    )),
                }
            }
        };
        Outcome::completed(vec![artifact(answer, started.elapsed())])
    }
}

/// The answer when an executor missed its deadline: what it had pushed, marked partial.
fn late_result(id: &str, findings: Vec<Finding>, elapsed: Duration) -> AgentResult {
    let mut r = if findings.is_empty() {
        AgentResult::error(
            id,
            format!(
                "no answer before the deadline ({:.1}s)",
                elapsed.as_secs_f64()
            ),
        )
    } else {
        let n = findings.len();
        AgentResult::ok(
            id,
            format!("deadline reached: answering with the {n} finding(s) gathered so far"),
            findings,
        )
    };
    r.partial = true;
    r
}

fn artifact(answer: Answer, elapsed: Duration) -> sremesh_a2a::types::Artifact {
    let ms = elapsed.as_millis() as u64;
    match answer {
        Answer::Result(mut r) => {
            if r.telemetry.duration_ms == 0 {
                r.telemetry.duration_ms = ms;
            }
            let text = payload::result_text(&r);
            payload::answer_artifact("agent_result", media::AGENT_RESULT, &r, text)
        }
        Answer::Snapshot(mut s) => {
            if s.telemetry.duration_ms == 0 {
                s.telemetry.duration_ms = ms;
            }
            let text = payload::snapshot_text(&s);
            payload::answer_artifact("snapshot", media::SNAPSHOT, &s, text)
        }
        Answer::Report(r) => {
            let text = payload::report_text(&r);
            payload::answer_artifact("report", media::REPORT, &*r, text)
        }
    }
}
