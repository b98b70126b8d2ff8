//! One investigation's lifecycle: announce, fan out in parallel with per-agent deadlines,
//! post the initial report at the initial deadline (or as soon as every agent has answered),
//! post late results as updates until the hard cutoff, then stop waiting.

use crate::model::{self, MasterModel};
use crate::notify::{Event, Notifier, Queue};
use crate::outcome::{AgentState, Outcome};
use crate::report;
use futures::stream::{FuturesUnordered, StreamExt};
use sremesh_agent::{AgentClient, CallError};
use sremesh_chat::messages::{AgentProgress, Enrichment, ProgressState, Started};
use sremesh_core::{AgentInfo, AgentResult, AgentStatus, AlertContext, Report, Telemetry};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// The investigation's deadlines (config.yaml `investigation`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The initial report is posted this long after receipt.
    pub initial: Duration,
    /// Late results are accepted until this long after receipt.
    pub cutoff: Duration,
    /// Each agent's deadline is `initial - margin` (time to build and post the report).
    pub margin: Duration,
}

/// A specialist the master may ask: `client` is `None` when it is disabled.
#[derive(Debug, Clone)]
pub struct Specialist {
    pub info: &'static AgentInfo,
    pub client: Option<Arc<AgentClient>>,
}

/// Runs investigations against a fixed set of specialists.
pub struct Orchestrator {
    specialists: Vec<Specialist>,
    limits: Limits,
    notifier: Arc<dyn Notifier>,
    model: Option<ModelSteps>,
}

/// The master model's part: synthesis time reserved before the initial deadline, and routing.
#[derive(Clone)]
pub struct ModelSteps {
    pub model: MasterModel,
    pub synthesis: Duration,
    /// `Some(timeout)` when routing is on.
    pub routing: Option<Duration>,
}

type Answer = (&'static AgentInfo, Result<AgentResult, CallError>, Duration);

impl Orchestrator {
    pub fn new(specialists: Vec<Specialist>, limits: Limits, notifier: Arc<dyn Notifier>) -> Self {
        Self {
            specialists,
            limits,
            notifier,
            model: None,
        }
    }

    /// The specialists (for snapshots).
    pub fn specialists(&self) -> &[Specialist] {
        &self.specialists
    }

    /// The deadlines.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The notifier.
    pub fn notifier(&self) -> Arc<dyn Notifier> {
        self.notifier.clone()
    }

    /// Adds the master's model (synthesis and routing); without it everything is deterministic.
    pub fn with_model(mut self, steps: Option<ModelSteps>) -> Self {
        self.model = steps;
        self
    }

    /// The initial report: the deterministic one, reviewed by the model when there is one (its
    /// time was reserved before the deadline; any failure leaves the deterministic report).
    async fn initial_report(
        &self,
        ctx: &AlertContext,
        outcomes: &[Outcome],
        master_cost: &mut Telemetry,
    ) -> Report {
        let mut report = report::build(ctx, outcomes);
        if let Some(steps) = &self.model {
            match model::synthesize(&steps.model, ctx, &mut report, steps.synthesis).await {
                Ok(s) => {
                    master_cost.absorb(&s.telemetry);
                    if master_cost.model.is_none() {
                        master_cost.model = s.telemetry.model.clone();
                    }
                    if s.rejected > 0 {
                        tracing::warn!(investigation_id = %ctx.investigation_id, rejected = s.rejected, "synthesis_claims_rejected");
                    }
                }
                Err(e) => {
                    tracing::warn!(investigation_id = %ctx.investigation_id, error = %e, "synthesis_failed_deterministic_report_stands")
                }
            }
        }
        add_cost(&mut report, master_cost);
        report
    }

    /// Agents the master's model judges irrelevant (routing on), as (id, reason).
    async fn route(
        &self,
        ctx: &AlertContext,
        master_cost: &mut Telemetry,
    ) -> Vec<(String, String)> {
        let Some(ModelSteps {
            model,
            routing: Some(timeout),
            ..
        }) = &self.model
        else {
            return Vec::new();
        };
        let candidates: Vec<(&'static AgentInfo, String)> = self
            .specialists
            .iter()
            .filter(|s| s.client.is_some())
            .map(|s| (s.info, describe(s.info).to_owned()))
            .collect();
        let (skips, telemetry) = model::route(model, ctx, &candidates, *timeout).await;
        if let Some(t) = telemetry {
            master_cost.absorb(&t);
            if master_cost.model.is_none() {
                master_cost.model = t.model;
            }
        }
        skips
    }

    /// Investigates `ctx` to the end (hard cutoff or every agent answered) and returns the final
    /// report; the initial report and updates are delivered on the way.
    pub async fn investigate(&self, ctx: AlertContext) -> Report {
        let start = Instant::now();
        let (initial_at, cutoff_at) = (start + self.limits.initial, start + self.limits.cutoff);
        let ctx = Arc::new(ctx);
        let (queue, delivery) = Queue::start(self.notifier.clone());
        let mut outcomes: Vec<Outcome> = self
            .specialists
            .iter()
            .map(|s| Outcome {
                agent: s.info,
                state: if s.client.is_some() {
                    AgentState::Pending
                } else {
                    AgentState::Disabled
                },
            })
            .collect();
        let mut master_cost = Telemetry::default();
        for (id, reason) in self.route(&ctx, &mut master_cost).await {
            if let Some(o) = outcomes.iter_mut().find(|o| o.agent.id == id) {
                tracing::info!(investigation_id = %ctx.investigation_id, agent = %id, reason = %reason, "agent_skipped_by_routing");
                o.state = AgentState::Skipped(reason);
            }
        }
        let harvest_at = initial_at - self.model.as_ref().map_or(Duration::ZERO, |m| m.synthesis);
        let started = |outcomes: &[Outcome]| Started {
            investigation_id: ctx.investigation_id.clone(),
            alert_text: ctx.alert_text.clone(),
            agents: progress(outcomes),
            initial_deadline_secs: self.limits.initial.as_secs(),
            cutoff_secs: self.limits.cutoff.as_secs(),
        };
        queue.send(Event::Started {
            ctx: ctx.clone(),
            message: started(&outcomes),
        });
        // Agents answer by the harvest (the initial deadline, less the synthesis time when a
        // model reviews the report), less the margin to build and post it.
        let budget = harvest_at
            .saturating_duration_since(Instant::now())
            .saturating_sub(self.limits.margin)
            .max(Duration::from_millis(500));
        let skipped: Vec<&str> = outcomes
            .iter()
            .filter(|o| matches!(o.state, AgentState::Skipped(_)))
            .map(|o| o.agent.id)
            .collect();
        let mut calls: FuturesUnordered<_> = self
            .specialists
            .iter()
            .filter(|s| !skipped.contains(&s.info.id))
            .filter_map(|s| s.client.clone().map(|c| (s.info, c)))
            .map(|(info, client)| {
                let mut agent_ctx = (*ctx).clone();
                agent_ctx.deadline_ms = Some(budget.as_millis() as u64);
                // The orchestrator's own cutoff ends the wait; the transport timeout is a backstop.
                let wait = self.limits.cutoff + Duration::from_secs(1);
                async move {
                    let t = Instant::now();
                    let r = client.investigate(&agent_ctx, wait).await;
                    (info, r, t.elapsed())
                }
            })
            .collect();
        tracing::info!(investigation_id = %ctx.investigation_id, agents = calls.len(), "investigation_started");
        let mut initial_sent = false;
        // The report as last posted; a late result makes it stale (rebuilt at the end).
        let mut latest: Option<Report> = None;
        if calls.is_empty() {
            let report = self.initial_report(&ctx, &outcomes, &mut master_cost).await;
            latest = Some(report.clone());
            queue.send(Event::Report {
                ctx: ctx.clone(),
                report: Box::new(report),
            });
            initial_sent = true;
        }
        while !calls.is_empty() {
            tokio::select! {
                // Cutoff first: nothing is posted once it has passed.
                biased;
                () = tokio::time::sleep_until(cutoff_at) => {
                    for o in outcomes.iter_mut().filter(|o| o.state == AgentState::Pending) {
                        tracing::warn!(investigation_id = %ctx.investigation_id, agent = o.agent.id, "agent_cut_off");
                        o.state = AgentState::Failed { kind: "timeout".into(), detail: format!("no answer before the {} s cutoff", self.limits.cutoff.as_secs()) };
                        latest = None;
                    }
                    break;
                }
                () = tokio::time::sleep_until(harvest_at), if !initial_sent => {
                    let pending = calls.len();
                    tracing::info!(investigation_id = %ctx.investigation_id, pending, "initial_report_at_deadline");
                    let report = self.initial_report(&ctx, &outcomes, &mut master_cost).await;
                    latest = Some(report.clone());
                    queue.send(Event::Report { ctx: ctx.clone(), report: Box::new(report) });
                    initial_sent = true;
                }
                Some(answer) = calls.next() => {
                    let block = record(&mut outcomes, answer, &ctx.investigation_id);
                    if !initial_sent {
                        if calls.is_empty() {
                            let report = self.initial_report(&ctx, &outcomes, &mut master_cost).await;
                            latest = Some(report.clone());
                            queue.send(Event::Report { ctx: ctx.clone(), report: Box::new(report) });
                            initial_sent = true;
                        } else {
                            queue.send(Event::Progress { ctx: ctx.clone(), message: started(&outcomes) });
                        }
                    } else if let Some(block) = block {
                        latest = None;
                        let mut report = report::build(&ctx, &outcomes);
                        add_cost(&mut report, &master_cost);
                        let message = Enrichment { investigation_id: ctx.investigation_id.clone(), block, top: report.top().cloned() };
                        queue.send(Event::Update { ctx: ctx.clone(), message: Box::new(message), report: Box::new(report) });
                    }
                }
            }
        }
        drop(calls);
        let pending_left = outcomes.iter().any(|o| o.state == AgentState::Pending);
        let final_report = match latest {
            // Nothing changed since the (possibly model-reviewed) report was posted.
            Some(mut r) if !pending_left => {
                r.complete = true;
                r
            }
            _ => {
                let mut r = report::build(&ctx, &outcomes);
                add_cost(&mut r, &master_cost);
                r
            }
        };
        drop(queue);
        if delivery.await.is_err() {
            tracing::error!(investigation_id = %ctx.investigation_id, "delivery task failed");
        }
        tracing::info!(investigation_id = %ctx.investigation_id, elapsed_ms = start.elapsed().as_millis() as u64, category = %final_report.hypotheses[0].category, "investigation_finished");
        final_report
    }
}

/// Adds the master's own model usage to a report's cost line.
fn add_cost(report: &mut Report, master: &Telemetry) {
    if master.model.is_some() || master.input_tokens > 0 {
        report.cost.absorb(master);
        if report.cost.model.is_none() {
            report.cost.model.clone_from(&master.model);
        }
    }
}

/// What each specialist looks at, for the routing question.
fn describe(info: &AgentInfo) -> &'static str {
    match info.id {
        "slack_scanner" => {
            "Slack channel history: related alerts, deploy and change announcements, people reporting impact"
        }
        "discord_scanner" => {
            "Discord channel history: related alerts, deploy and change announcements, people reporting impact"
        }
        "cloudwatch_logs" => {
            "AWS CloudWatch Logs: application, Lambda, RDS and EKS log groups — error patterns and their trends"
        }
        "eks" => {
            "Kubernetes (EKS) cluster state: pods, events, container logs, rollouts, nodes, quotas"
        }
        "prometheus" => "Prometheus metrics: error rates, latency, saturation",
        "incident_history" => "similar past incidents and how they were resolved",
        _ => info.display_name,
    }
}

/// Records an answer; returns its evidence block (for an update) when it is new evidence.
fn record(
    outcomes: &mut [Outcome],
    (info, result, took): Answer,
    investigation_id: &str,
) -> Option<sremesh_core::EvidenceBlock> {
    let o = outcomes.iter_mut().find(|o| std::ptr::eq(o.agent, info))?;
    o.state = match result {
        Ok(mut r) => {
            if r.agent != info.id {
                tracing::warn!(investigation_id, agent = info.id, answered_as = %r.agent, "agent_answered_under_another_id");
                r.agent = info.id.to_owned();
            }
            if r.telemetry.duration_ms == 0 {
                r.telemetry.duration_ms = took.as_millis() as u64;
            }
            AgentState::Done(r)
        }
        Err(e) => {
            tracing::warn!(investigation_id, agent = info.id, kind = e.kind(), error = %e, "agent_call_failed");
            AgentState::Failed {
                kind: e.kind().to_owned(),
                detail: e.to_string(),
            }
        }
    };
    Some(o.block())
}

fn progress(outcomes: &[Outcome]) -> Vec<AgentProgress> {
    outcomes
        .iter()
        .map(|o| AgentProgress {
            id: o.agent.id.to_owned(),
            display_name: o.agent.display_name.to_owned(),
            emoji: o.agent.emoji.to_owned(),
            state: match &o.state {
                AgentState::Disabled | AgentState::Skipped(_) => ProgressState::Disabled,
                AgentState::Pending => ProgressState::Running,
                AgentState::Failed { kind, .. } => ProgressState::Failed(kind.clone()),
                AgentState::Done(r) if r.status == AgentStatus::Ok => {
                    ProgressState::Done(r.summary.clone())
                }
                AgentState::Done(r) => ProgressState::Failed(
                    r.error.clone().unwrap_or_else(|| format!("{:?}", r.status)),
                ),
            },
        })
        .collect()
}
